from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import entries, python_dotenv_skips
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity


class BacktickQuotes(Rule):
    """A dotenv value wrapped in backticks.

    ## What it does
    Finds values that start with `` ` ``. The finding sits on the backtick.

    ## Why is this bad?
    Backticks are a quote for node dotenv only:
    - python-dotenv and docker compose keep the backticks as part of the value, so an API
      key loaded from `` KEY=`sk-…` `` is sent with backticks and rejected;
    - node dotenv strips them;
    - bash `source` runs the text between them as a command and stores its output.
    An error because python-dotenv itself loads a different value than the one meant.

    ## Example
    ```shell
    OPENAI_API_KEY=`sk-proj-…`
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY="sk-proj-…"
    ```

    ## References
    - python-dotenv `parser.py` (`parse_value`); node dotenv README, "Multiline values"
    """

    code = "KL710"
    name = "backtick-quotes"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.ERROR
    summary = "Backticks around a dotenv value are kept in the value by python-dotenv."
    examples = (
        Example(".env", "APP_NAME=`demo`\n", ((1, 10),)),
        Example(".env", "APP_NAME = `demo app`  # c\n", ((1, 12),)),
        Example(".env", "APP_NAME='demo'\nCMD=\"run `x`\"\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            value = entry.value
            if value is None or value.quote or python_dotenv_skips(entry):
                continue
            if not value.raw.startswith("`"):
                continue
            yield self.finding(
                ctx,
                value.span,
                "backtick-quoted value: python-dotenv and compose keep the backticks in "
                f"`{entry.key}`, node dotenv strips them, bash `source` runs the text as a "
                "command; use single or double quotes",
            )
