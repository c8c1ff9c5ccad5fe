from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from keylint.checks.base import Example, ProjectContext, ProjectRule
from keylint.checks.envnames import Legacy, also_read, project_index, related
from keylint.facts import EnvDef, EnvRead
from keylint.findings import Category, Finding, Fix, Severity
from keylint.fix import producers


class LegacyEnvName(ProjectRule):
    """An environment variable only an old SDK version reads.

    ## What it does
    Finds definitions of names that openai<1 read and openai>=1 ignores: `OPENAI_API_BASE`
    (now `OPENAI_BASE_URL`; Azure: `AZURE_OPENAI_ENDPOINT`), `OPENAI_ORGANIZATION` (now
    `OPENAI_ORG_ID`) and `OPENAI_API_KEY_PATH` (gone). The names and versions are data in
    `rules/providers/*.yaml` (`env.legacy`).

    The project's pins decide the severity: with a dependency that guarantees openai>=1
    (`openai>=1.3` in requirements.txt or pyproject.toml) it is an error; with no pin, a
    warning; a project pinned to openai<1 is not reported. Not reported either when the
    project reads the name itself (`base_url=os.getenv("OPENAI_API_BASE")`), when it depends
    on a library that still reads it (LangChain, litellm), or when the same file also sets
    the new name.

    ## Why is this bad?
    openai>=1 silently ignores the old name: requests go to `https://api.openai.com/v1`
    instead of the proxy or gateway in `OPENAI_API_BASE`, with no error until the key is
    rejected there.

    ## Example
    ```shell
    OPENAI_API_BASE=https://gateway.example.com/v1
    ```

    Use instead:
    ```shell
    OPENAI_BASE_URL=https://gateway.example.com/v1
    ```

    ## References
    - openai-python 0.28.1 `__init__.py` (`OPENAI_API_BASE`) vs 1.x `_client.py`
      (`OPENAI_BASE_URL`); openai/openai-python#624
    """

    code = "KL302"
    name = "legacy-env-name"
    category = Category.ENV_VAR_NAME
    severity = Severity.WARNING
    fixable = "sometimes"
    fix_applicability = "safe"
    summary = (
        "An environment variable is read only by an old SDK version the project no longer uses."
    )
    # KL307 names both ends of a mismatch; where it reports (only when it is selected),
    # this rule's word on the same name would repeat it.
    yields_to = ("KL307",)
    wants = (EnvRead, EnvDef)
    examples = (
        Example(".env", "OPENAI_API_BASE=https://gateway.example.com/v1\n", ((1, 1),)),
        Example(
            "docker-compose.yml",
            "services:\n  app:\n    environment:\n      OPENAI_ORGANIZATION: org-1\n",
            ((4, 7),),
        ),
        Example(".env", "OPENAI_BASE_URL=https://gateway.example.com/v1\n"),
        # The code reads the old name itself: the project's own variable.
        Example(
            "app.py",
            'import os\nos.environ.setdefault("OPENAI_API_BASE", "http://localhost")\n'
            'url = os.environ["OPENAI_API_BASE"]\n',
        ),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        index = project_index(project)
        for occ in index.defs:
            kind = index.data.classify(occ.name)
            if kind is None or kind.kind != "legacy" or not isinstance(kind.entry, Legacy):
                continue
            legacy = kind.entry
            if index.consistent(occ) or also_read(legacy.also_read_by, project.pins):
                continue
            if legacy.replacement and index.defined_in_file(legacy.replacement, occ.ctx):
                continue  # both names set: old and new SDK versions both configured
            certain = legacy.ignored_by.holds(project.pins)
            if certain is False:
                continue  # the project pins a version that reads it
            yield self.finding(
                occ.ctx,
                occ.span,
                self._message(occ.name, legacy, certain, project.pins),
                provider=legacy.provider,
                severity=Severity.ERROR if certain else Severity.WARNING,
                fix=self._rename(index, occ, legacy.replacement),
            )

    @staticmethod
    def _rename(index: Any, occ: Any, new: str | None) -> Fix | None:
        """The new name at every read and definition of the old one in this tree, unless
        the new name is already defined there (two values: the user must choose)."""
        if not new or any(o.name == new and related(o, occ) for o in index.defs):
            return None
        others = [
            (o.path, o.span)
            for o in index.occurrences()
            if o.name == occ.name and related(o, occ) and not o.ctx.file.is_example
        ]
        return producers.env_rename(occ.name, new, occ.span, occ.path, others, occ.ctx.file)

    @staticmethod
    def _message(name: str, legacy: Legacy, certain: bool | None, pins: Mapping[str, str]) -> str:
        ignored_by = legacy.ignored_by.text
        new = legacy.replacement
        note = f"; {legacy.note}" if legacy.note else ""
        if certain:
            package = legacy.ignored_by.package
            pinned = f" (the project pins {package}{pins.get(package, '')})"
            instead = f"; it reads `{new}` instead" if new else ""
            return f"{ignored_by} never reads `{name}`{pinned}{instead}{note}"
        which = f", which reads `{new}`" if new else ""
        return f"`{name}` is ignored by {ignored_by}{which} (only {legacy.read_by} read it){note}"
