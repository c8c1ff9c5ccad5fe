from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, ProjectContext, ProjectRule
from keylint.checks.envnames import Near, Occurrence, ProjectIndex, project_index
from keylint.facts import EnvDef, EnvDynamic, EnvRead
from keylint.findings import Category, Confidence, Finding, Severity

_WHY = {
    "spelling": " (the same name spelt differently)",
    "key-name": "",
    "nickname": "",
    "typo": " (a one-letter slip)",
}


class EnvNameNearMiss(ProjectRule):
    """An environment variable name that is a near-miss of a name an SDK reads.

    ## What it does
    Finds names that look like a provider SDK's variable but are not it: `OPENAI_KEY`,
    `OPEN_AI_API_KEY`, `OPENAI_APIKEY` for `OPENAI_API_KEY`, `ANTHROPIC_KEY` and
    `CLAUDE_API_KEY` for `ANTHROPIC_API_KEY`, `HF_API_KEY` for `HF_TOKEN`, one-letter typos
    such as `OPENAI_API_KYE`. It checks definitions (dotenv files, compose `environment:`,
    workflow `env:`, Dockerfile `ENV`, `export`, `os.environ[...] = …`) and reads in code
    (`os.getenv`, `os.environ`, `process.env`, pydantic-settings fields, python-decouple).

    A name the project both defines and reads is the project's own and is not reported, nor
    is a name that extends a provider prefix with its own meaning (`OPENAI_MODEL`,
    `OPENAI_TIMEOUT`, `ANTHROPIC_MAX_TOKENS`). The SDK names are data in
    `rules/providers/*.yaml` (`env.reads`).

    ## Why is this bad?
    The SDK reads only its own names. A key stored under `OPENAI_KEY` is never seen by
    `OpenAI()`, which fails with "The api_key client option must be set" although the key is
    "right there" in `.env`. Code that reads `OPENAI_KEY` misses the key users export under
    the documented name.

    ## Example
    ```shell
    # .env
    OPENAI_KEY=sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```

    ## References
    - openai-python `_client.py`: `api_key = os.environ.get("OPENAI_API_KEY")`
    - anthropic-sdk-python `_client.py`: `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN`
    """

    code = "KL301"
    name = "env-name-near-miss"
    category = Category.ENV_VAR_NAME
    severity = Severity.WARNING
    summary = "An environment variable name is a near-miss of the name the provider's SDK reads."
    precision = "high"
    confidence = Confidence.MEDIUM  # a name that looks like a typo (spec §8)
    confidence_notes = "low where the project reads or sets variables by names built at run time"
    # KL307 names both ends of a mismatch; where it reports (only when it is selected),
    # this rule's word on the same name would repeat it.
    yields_to = ("KL307",)
    wants = (EnvRead, EnvDef, EnvDynamic)
    examples = (
        Example(".env", "OPENAI_KEY=sk-test\n", ((1, 1),)),
        Example(".env", "DEBUG=1\nOPEN_AI_API_KEY=x\n", ((2, 1),)),
        Example("app.py", 'import os\nkey = os.getenv("CLAUDE_API_KEY")\n', ((2, 18),)),
        Example("deploy.sh", "export OPENAI_APIKEY=x\n", ((1, 8),)),
        Example(".env", "OPENAI_API_KEY=x\nOPENAI_MODEL=gpt-4o\nOPENAI_TIMEOUT=30\n"),
        Example(".env", "ANTHROPIC_MAX_TOKENS=1024\n"),
        # The project's own name: read and defined consistently.
        Example("app.py", 'import os\nos.environ["OPENAI_KEY"] = "x"\nos.getenv("OPENAI_KEY")\n'),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        index = project_index(project)
        for occ in index.occurrences():
            if occ.name in index.extra:
                continue
            kind = index.data.classify(occ.name)
            if kind is None or kind.kind != "near" or not isinstance(kind.entry, Near):
                continue
            if index.consistent(occ):
                continue
            doubt = index.unseen(occ)
            yield self.finding(
                occ.ctx,
                occ.span,
                self._message(occ, kind.entry, index),
                provider=kind.entry.provider,
                confidence=Confidence.LOW if doubt else None,
                reason=doubt,
            )

    @staticmethod
    def _message(occ: Occurrence, near: Near, index: ProjectIndex) -> str:
        label = index.data.label(near.provider)
        why = _WHY.get(near.how, "")
        if occ.is_read:
            return (
                f"`{occ.name}` is read here but set nowhere in the project, and {label} and "
                f"its docs use `{near.target}`{why}: a key exported under that name is not "
                f"seen here; read `{near.target}`"
            )
        return f"{label} reads `{near.target}`, never `{occ.name}`{why}; rename it"
