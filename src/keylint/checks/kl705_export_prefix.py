from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import char_span, entries, offset
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity


class ExportPrefix(Rule):
    """A dotenv line starts with `export `.

    ## What it does
    Finds `export KEY=value` in dotenv files. The finding sits on `export`.

    ## Why is this bad?
    python-dotenv, node dotenv, docker compose and bash accept the prefix, but
    `docker run --env-file` does not: it takes everything before `=` as the name, so the
    name `export KEY` contains a space and docker refuses the file. A file that is meant to
    be sourced by a shell *and* read by docker cannot have both; keep `export` out of
    dotenv files and use `set -a; . ./.env; set +a` in shell scripts.

    A warning, not an error: the file loads everywhere but in docker `--env-file`.

    ## Example
    ```shell
    export OPENAI_API_KEY=sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```

    ## References
    - docker/cli `pkg/kvfile/kvfile.go`; python-dotenv, "File format"
    """

    code = "KL705"
    name = "export-prefix"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "`export` in a dotenv file breaks `docker run --env-file`."
    examples = (
        Example(".env", "export APP_NAME=demo\n", ((1, 1),)),
        Example(".env", "APP_NAME=demo\n  export\tLOG_LEVEL=info\n", ((2, 3),)),
        Example(".env", "APP_NAME=demo\n"),
        Example(".env", "EXPORT_DIR=out\nexport=1\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            if not entry.export:
                continue
            yield self.finding(
                ctx,
                char_span(ctx.file, offset(ctx.file, entry.line_span), len("export")),
                f"`export` prefix: docker --env-file reads `export {entry.key}` as the "
                "variable name and rejects it; python-dotenv, node dotenv, compose and bash "
                "accept it",
            )
