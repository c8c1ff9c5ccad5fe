from __future__ import annotations

from collections.abc import Iterator, Mapping

from keylint.checks.base import Example, ProjectContext, ProjectRule
from keylint.checks.envnames import Occurrence, ProjectIndex, Wrong, also_read, project_index
from keylint.facts import EnvDef, EnvRead
from keylint.findings import Category, Finding, Severity


class WrongEnvName(ProjectRule):
    """A variable name that is common in the wild but that the SDK does not read.

    ## What it does
    Finds names that tutorials, samples and other tools spread but that the provider's SDK
    never reads: `AZURE_OPENAI_KEY` (AzureOpenAI reads `AZURE_OPENAI_API_KEY`),
    `HUGGINGFACEHUB_API_TOKEN`, `HUGGINGFACE_TOKEN`, `HF_AUTH_TOKEN` (huggingface_hub reads
    `HF_TOKEN`), `GOOGLE_GEMINI_API_KEY` (google-genai reads `GOOGLE_API_KEY` or
    `GEMINI_API_KEY`), `X_API_KEY` (xai-sdk reads `XAI_API_KEY`), `COHERE_API_KEY` (cohere
    reads `CO_API_KEY`; only `cohere.Client`/`ClientV2` of cohere>=5 fall back to it) and
    `OPENAI_API_HOST`. The list, with a source for each name, is data in
    `rules/providers/*.yaml` (`env.wrong`).

    Not reported when the project reads the name itself, when it depends on the library
    that made the name up (LangChain's `HUGGINGFACEHUB_API_TOKEN`, AutoGen's
    `GOOGLE_GEMINI_API_KEY`), when the same file also sets the right name, or for
    `X_API_KEY` next to X (Twitter) API credentials.

    ## Why is this bad?
    The SDK falls back to its own name, finds nothing and fails with a missing-key error,
    or quietly uses another key from the environment.

    ## Example
    ```shell
    AZURE_OPENAI_KEY=…
    ```

    Use instead:
    ```shell
    AZURE_OPENAI_API_KEY=…
    ```

    ## References
    - openai-python `lib/azure.py`: `api_key = os.environ.get("AZURE_OPENAI_API_KEY")`
    - huggingface_hub `utils/_auth.py`: `HF_TOKEN`, then `HUGGING_FACE_HUB_TOKEN`
    """

    code = "KL303"
    name = "wrong-env-name"
    category = Category.ENV_VAR_NAME
    severity = Severity.WARNING
    summary = "An environment variable name is a common wrong name that the SDK does not read."
    # KL307 names both ends of a mismatch; where it reports (only when it is selected),
    # this rule's word on the same name would repeat it.
    yields_to = ("KL307",)
    wants = (EnvRead, EnvDef)
    examples = (
        Example(".env", "AZURE_OPENAI_KEY=abc\n", ((1, 1),)),
        Example(
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n"
            "      HUGGINGFACEHUB_API_TOKEN: ${{ secrets.HF }}\n    steps:\n      - run: pytest\n",
            ((6, 7),),
        ),
        Example("app.py", 'import os\nos.environ["X_API_KEY"]\n', ((2, 13),)),
        Example(".env", "X_API_KEY=a\nX_API_SECRET=b\n"),
        Example(".env", "HF_TOKEN=a\nHUGGINGFACEHUB_API_TOKEN=a\n"),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        index = project_index(project)
        for occ in index.occurrences():
            kind = index.data.classify(occ.name)
            if kind is None or kind.kind != "wrong" or not isinstance(kind.entry, Wrong):
                continue
            wrong = kind.entry
            if self._excused(occ, wrong, index, project.pins):
                continue
            severity = self.severity
            if wrong.read_by is not None:
                reads_it = wrong.read_by.holds(project.pins)
                if reads_it:
                    continue  # the pinned version reads it after all
                if reads_it is None:
                    severity = Severity.INFO
            yield self.finding(
                occ.ctx,
                occ.span,
                self._message(occ, wrong, index),
                provider=wrong.provider,
                severity=severity,
            )

    @staticmethod
    def _excused(
        occ: Occurrence, wrong: Wrong, index: ProjectIndex, pins: Mapping[str, str]
    ) -> bool:
        if index.consistent(occ) or also_read(wrong.also_read_by, pins):
            return True
        if any(index.is_read(n, occ) or index.is_defined(n, occ) for n in wrong.unless_names):
            return True
        return not occ.is_read and any(index.defined_in_file(n, occ.ctx) for n in wrong.intended)

    @staticmethod
    def _message(occ: Occurrence, wrong: Wrong, index: ProjectIndex) -> str:
        label = index.data.label(wrong.provider)
        intended = " or ".join(f"`{n}`" for n in wrong.intended)
        note = f" ({wrong.note})" if wrong.note else ""
        if occ.is_read:
            return (
                f"`{occ.name}` is read here but defined nowhere in the project; {label} and "
                f"its docs use {intended}, so a key set under that name is not seen here{note}"
            )
        return f"{label} does not read `{occ.name}`; it reads {intended}{note}"
