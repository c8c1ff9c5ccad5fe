from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import char_span, entries, python_dotenv_skips, value_offset
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity

# `$NAME` not escaped: compose and bash expand it, python-dotenv (only `${…}`) does not.
_BARE = re.compile(r"(?<!\\)\$[A-Za-z_]")
# `${…}`: python-dotenv interpolates it even inside single quotes.
_BRACED = re.compile(r"\$\{")


class VariableExpansion(Rule):
    """A dotenv value with a `$` that loaders expand differently.

    ## What it does
    Finds a `$` whose meaning depends on the loader, and puts the finding on it:
    - `$NAME` (no braces) in an unquoted or double-quoted value, for example a password
      `pa$word`;
    - `${NAME}` inside single quotes.
    A `${NAME}` reference outside single quotes is left alone: python-dotenv, compose and
    bash all expand it (node dotenv needs `dotenv-expand`).

    ## Why is this bad?
    - python-dotenv expands only `${NAME}` and `${NAME:-default}`, and does so even in
      single quotes; it keeps `$NAME` as text;
    - docker compose and bash expand `$NAME` and `${NAME}` in unquoted and double-quoted
      values and keep single-quoted text as is;
    - node dotenv and docker `--env-file` expand nothing.
    So `DB_PASSWORD=pa$word` is `pa$word` for a Python program but `pa` in a container
    started by compose.

    ## Example
    ```shell
    DB_PASSWORD=pa$word
    ```

    Use instead:
    ```shell
    DB_PASSWORD='pa$word'
    ```

    ## References
    - python-dotenv README, "Variable expansion"; Docker docs, "Interpolation"
    """

    code = "KL712"
    name = "variable-expansion"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A `$` in a dotenv value is expanded by some loaders and kept by others."
    examples = (
        Example(".env", "DB_PASS=pa$word\n", ((1, 11),)),
        Example(".env", 'GREETING="hi $USER"\n', ((1, 14),)),
        Example(".env", "REF_SQ='${PLAIN}'\n", ((1, 9),)),
        Example(".env", "REF=${PLAIN}\nDB_PASS='pa$word'\nPRICE=5$\nESC=\"a\\$b\"\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            value = entry.value
            if value is None or python_dotenv_skips(entry):
                continue
            if value.quote == "'":
                match = _BRACED.search(value.raw)
                message = (
                    "`${…}` inside single quotes: python-dotenv still expands it, bash "
                    "`source` and compose keep it literally, node dotenv never expands"
                )
            else:
                match = _BARE.search(value.raw)
                message = (
                    "`$` before a name: compose and bash `source` substitute a variable, "
                    "python-dotenv and node dotenv keep the text; single-quote the value if "
                    "the `$` is literal, or write `${…}` for a reference"
                )
            if match is None:
                continue
            start = value_offset(ctx.file, value) + match.start()
            yield self.finding(ctx, char_span(ctx.file, start), message)
