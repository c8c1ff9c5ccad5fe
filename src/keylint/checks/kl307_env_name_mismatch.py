from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, ProjectContext, ProjectRule
from keylint.checks.envnames import EnvData, Mismatch, project_index
from keylint.facts import EnvDef, EnvDynamic, EnvRead
from keylint.findings import Category, Confidence, Finding, Severity


class EnvNameMismatch(ProjectRule):
    """Code reads a variable that nothing defines, while a near-miss of it is defined.

    ## What it does
    Builds the project's index of variables read (Python `os.getenv`/`os.environ`,
    pydantic-settings fields, python-decouple `config()`, `process.env.X`, `$X` in scripts,
    `${X}` in compose files, `${{ env.X }}` in workflows) and defined (dotenv files,
    compose `environment:`, workflow `env:`, Dockerfile `ENV`, `export`,
    `os.environ[...] = …`). It reports a pair of names when one is read but set nowhere
    (example files such as `.env.example` document names, they set nothing) and the other is
    defined but read nowhere, and they are the same name misspelt: a
    case or underscore difference (`DATABASE_URL` / `database_url`, `OPENAI_APIKEY`), a
    near-miss of an SDK name (`OPENAI_KEY` / `OPENAI_API_KEY`), a known wrong or legacy name,
    or a one-letter typo inside a long word (`DATABSE_URL`). The finding sits at the
    definition, once, and names the reads; a second one marks a read only where the read is
    the wrong name (the definition is the SDK's name and the read is not). The name an SDK
    reads is never the one keylint asks you to rename.

    A definition is paired only with reads it could feed: in the same directory tree (in a
    repository of several services, `a/.env` does not configure `b/`), and for compose
    `${X}`, workflow `${{ env.X }}` and dotenv `${X}` interpolations only from the same file
    or a dotenv file.

    Unrelated names are never paired: a one-letter difference in a short word (`API_URL` /
    `APP_URL`), a plural (`HOSTS`), a digit (`KEY_1` / `KEY_2`) or a longer name that
    extends another (`OPENAI_API_KEY_DEV`) is a different variable. Add your own names to
    `extra-env-names` in the configuration to exempt them.

    ## Why is this bad?
    The program reads a variable that is never set — `os.getenv` returns `None`, the SDK
    reports a missing key — while the value sits in `.env` under a name nothing reads.

    ## Example
    ```python
    # app.py
    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    ```
    ```shell
    # .env
    OPENAI_APIKEY=sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```

    ## References
    - python-dotenv: names are loaded as written, case included
    """

    code = "KL307"
    name = "env-name-mismatch"
    category = Category.ENV_VAR_NAME
    severity = Severity.ERROR
    summary = "Code reads an environment variable that is never defined while a near-miss of it is."
    precision = "high"
    confidence = Confidence.MEDIUM  # a name that looks like a typo (spec §8)
    confidence_notes = "low where the project reads or sets variables by names built at run time"
    wants = (EnvRead, EnvDef, EnvDynamic)
    examples = (
        Example(
            "app.py",
            'import os\nos.environ.setdefault("OPENAI_APIKEY", load_key())\n'
            'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n',
            ((2, 24),),
        ),
        Example(
            "docker-compose.yml",
            "services:\n  app:\n    environment:\n      OPENAI_APIKEY: ${OPENAI_API_KEY}\n",
            ((4, 7),),
        ),
        Example(
            "app.py",
            'import os, openai\nos.environ["APP_URL"] = "x"\nurl = os.environ["API_URL"]\n',
        ),
        Example(
            "app.py",
            'import os, openai\nos.environ["KEY_1"] = "x"\nos.environ["TOKENS"] = "y"\n'
            'a = os.environ["KEY_2"]\nb = os.environ["TOKEN"]\n',
        ),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        index = project_index(project)
        for mismatch in index.mismatches:
            provider = index.data.provider_of(mismatch.read.upper()) or index.data.provider_of(
                mismatch.defined.upper()
            )
            # "read nowhere" and "set by no env file" both rest on seeing every reader and
            # writer: names built at run time make either claim doubtful.
            doubt = index.unseen(mismatch.defs[0]) or index.unseen(mismatch.reads[0])
            confidence = Confidence.LOW if doubt else None
            for occ in mismatch.defs:
                message = self._at_definition(mismatch, index.data)
                yield self.finding(
                    occ.ctx,
                    occ.span,
                    message,
                    provider=provider,
                    confidence=confidence,
                    reason=doubt,
                )
            if not _fix_the_read(mismatch, index.data):
                continue  # one defect, reported once where it is: at the definition
            for occ in mismatch.reads:
                message = self._at_read(mismatch, index.data)
                yield self.finding(
                    occ.ctx,
                    occ.span,
                    message,
                    provider=provider,
                    confidence=confidence,
                    reason=doubt,
                )

    @staticmethod
    def _at_definition(m: Mismatch, data: EnvData) -> str:
        fix = (
            f"make the code read `{m.defined}`"
            if _fix_the_read(m, data)
            else (f"rename it to `{m.read}`")
        )
        return (
            f"`{m.defined}` is defined here but read nowhere, while {m.first_read.where} reads "
            f"`{m.read}`, which no env file sets; {fix}"
        )

    @staticmethod
    def _at_read(m: Mismatch, data: EnvData) -> str:
        fix = f"; read `{m.defined}`" if _fix_the_read(m, data) else ""
        return (
            f"`{m.read}` is read here but no env file of the project sets it; "
            f"{m.first_def.where} defines `{m.defined}` instead{fix}"
        )


def _fix_the_read(m: Mismatch, data: EnvData) -> bool:
    """The defined name is the one an SDK or the provider's docs use, the read one is not."""
    good = {*data.reads, *data.convention}
    return m.defined in good and m.read not in good
