from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, ProjectContext, ProjectRule
from keylint.checks.envnames import (
    Occurrence,
    ProjectIndex,
    clean,
    has_odd_whitespace,
    project_index,
)
from keylint.facts import EnvDef, EnvRead
from keylint.findings import Category, Finding, Severity

_SHOWN = {" ": "a space", "\t": "a tab", "\u00a0": "a no-break space (U+00A0)"}


class EnvNameCaseOrWhitespace(ProjectRule):
    """An environment variable name with whitespace in it, or a known name in lower case.

    ## What it does
    Finds variable names that carry whitespace or an invisible character — a compose key
    `"OPENAI_API_KEY "` with a trailing space, a zero-width space pasted from a web page — and
    names an SDK reads written in another case (`openai_api_key=` in `.env`,
    `os.getenv("openai_api_key")`).

    A lower-case name that the project both defines and reads is its own and is not
    reported; pydantic-settings fields, which match the environment case-insensitively, count
    as reads of every spelling.

    ## Why is this bad?
    Environment variable names are case-sensitive on Linux and macOS, and whitespace is part
    of the name: `openai_api_key` and `OPENAI_API_KEY ` are different variables from
    `OPENAI_API_KEY`, which stays unset, and the SDK fails with a missing-key error.

    ## Example
    ```yaml
    services:
      app:
        environment:
          "OPENAI_API_KEY ": ${OPENAI_API_KEY}
    ```

    Use instead:
    ```yaml
    services:
      app:
        environment:
          OPENAI_API_KEY: ${OPENAI_API_KEY}
    ```

    ## References
    - POSIX.1-2017 §8.1 Environment Variable Definition (names are case-sensitive)
    """

    code = "KL304"
    name = "env-name-case-or-whitespace"
    category = Category.ENV_VAR_NAME
    severity = Severity.ERROR
    summary = (
        "An environment variable name has whitespace in it, or is a known name in the wrong case."
    )
    # KL307 names both ends of a mismatch; where it reports (only when it is selected),
    # this rule's word on the same name would repeat it.
    yields_to = ("KL307",)
    wants = (EnvRead, EnvDef)
    examples = (
        Example(".env", "openai_api_key=x\n", ((1, 1),)),
        Example(
            "docker-compose.yml",
            'services:\n  app:\n    environment:\n      "OPENAI_API_KEY ": x\n',
            ((4, 8),),
        ),
        Example("app.py", 'import os\nkey = os.environ.get("Anthropic_Api_Key")\n', ((2, 23),)),
        Example(".env", "OPENAI_API_KEY=x\n"),
        # Read and defined in the same spelling: the project's own variable.
        Example(
            "app.py",
            'import os\nos.environ["groq_api_key"] = "x"\nkey = os.getenv("groq_api_key")\n',
        ),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        index = project_index(project)
        for occ in index.occurrences():
            kind = index.data.classify(occ.name)
            if kind is None or kind.kind not in ("whitespace", "case"):
                continue
            if kind.kind == "whitespace":
                message = self._whitespace(occ, index)
            elif index.consistent(occ):
                continue
            else:
                message = self._case(occ, kind.target, index)
            yield self.finding(
                occ.ctx,
                occ.span,
                message,
                provider=index.data.provider_of(kind.target),
            )

    @staticmethod
    def _whitespace(occ: Occurrence, index: ProjectIndex) -> str:
        name = clean(occ.name)
        odd = next(c for c in occ.name if has_odd_whitespace(c))
        what = _SHOWN.get(odd, f"an invisible character (U+{ord(odd):04X})")
        if occ.name.endswith(odd):
            where = "at the end of"
        elif occ.name.startswith(odd):
            where = "at the start of"
        else:
            where = "inside"
        provider = index.data.provider_of(name.upper())
        reader = f"; {index.data.label(provider)} reads `{name.upper()}`" if provider else ""
        return (
            f"the name `{occ.name}` has {what} {where} it: it is a different variable from "
            f"`{name}`, which stays unset{reader}"
        )

    @staticmethod
    def _case(occ: Occurrence, target: str, index: ProjectIndex) -> str:
        provider = index.data.provider_of(target)
        label = index.data.label(provider) if provider else "the SDK"
        return (
            f"environment variable names are case-sensitive: {label} reads `{target}`, "
            f"not `{occ.name}`"
        )
