from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import char_span, entries, separator_offset
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity


class ColonSeparator(Rule):
    """A dotenv line uses `KEY: value` (YAML style) instead of `KEY=value`.

    ## What it does
    Finds lines whose name is followed by `:` rather than `=`. The finding sits on the `:`.

    ## Why is this bad?
    Only some loaders accept the YAML-style separator:
    - node dotenv reads `KEY: value` (a blank after `:` is required) and docker compose
      reads `KEY: value` and `KEY:value`;
    - python-dotenv skips `KEY: value` with a warning, and reads `KEY:value` as a name
      `KEY:value` with no value: `KEY` is never set;
    - bash `source` runs the line as a command, and docker `--env-file` takes
      `KEY: value` as a name with a space in it.
    A Python program reading the file with python-dotenv sees no variable at all.

    ## Example
    ```shell
    OPENAI_API_KEY: sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```

    ## References
    - node dotenv `lib/main.js` (`LINE`); compose-go `dotenv/parser.go`; python-dotenv
      `parser.py`
    """

    code = "KL708"
    name = "colon-separator"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.ERROR
    summary = "`KEY: value` in a dotenv file is skipped by python-dotenv and bash."
    examples = (
        Example(".env", "APP_NAME: demo\n", ((1, 9),)),
        Example(".env", "LOG_LEVEL=info\nAPP_NAME:demo\n", ((2, 9),)),
        Example(".env", "APP_URL=http://localhost:8080\n"),
        Example(".env", "# APP_NAME: demo\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            if entry.separator != ":" or entry.value is None:
                continue
            key = entry.key
            if entry.space_after_eq:
                how = f"node dotenv and compose read `{key}: …`, but python-dotenv skips the line"
            else:
                how = (
                    f"compose reads `{key}:…`, but python-dotenv takes the whole `{key}:…` "
                    "as a name without a value and node dotenv skips it"
                )
            yield self.finding(
                ctx,
                char_span(ctx.file, separator_offset(ctx.file, entry)),
                f"':' instead of '=': {how}; bash `source` runs it as a command; write `{key}=…`",
            )
