from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import (
    NOTE_KEY_ERROR,
    NOTE_NO_KEY,
    NOTE_TEXT_AFTER_QUOTE,
    SHELL_NAME,
    entries,
    offset,
    value_offset,
)
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity
from keylint.source import SourceFile

_BLANKS = re.compile(r"[^\S\r\n]*")


class UnparsableLine(Rule):
    """A dotenv line python-dotenv cannot parse, for a reason no other KL7 rule names.

    ## What it does
    Finds lines python-dotenv skips with "could not parse statement" that are not an
    unterminated quote (KL702), a bad name (KL706) or a `:` separator (KL708):
    - text after the closing quote: `KEY="value" extra`;
    - no name before `=`: `=value`;
    - `export` followed by blanks and nothing else.
    The finding sits where the unexpected text starts.

    ## Why is this bad?
    python-dotenv loads nothing for the line, node dotenv keeps the quotes and the extra
    text in the value, docker compose rejects the file and bash `source` runs the extra
    text as a command. The variable ends up unset or wrong depending on who reads it.

    ## Example
    ```shell
    OPENAI_API_KEY="sk-proj-…" old key
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY="sk-proj-…"  # old key
    ```

    ## References
    - python-dotenv `parser.py` (`parse_binding`)
    """

    code = "KL709"
    name = "unparsable-line"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.ERROR
    summary = "python-dotenv cannot parse this dotenv line and skips it."
    examples = (
        Example(".env", 'APP_NAME="demo" extra\n', ((1, 17),)),
        Example(".env", "LOG_LEVEL=info\n=demo\n", ((2, 1),)),
        Example(".env", "export \n", ((1, 1),)),
        Example(".env", "APP_NAME=\"demo\"  # extra\nLOG_LEVEL='info'#x\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            found = _diagnose(ctx.file, entry)
            if found is not None:
                start, message = found
                yield self.finding(ctx, ctx.file.span(start, start + 1), message)


def _diagnose(file: SourceFile, entry: DotenvEntry) -> tuple[int, str] | None:
    if NOTE_TEXT_AFTER_QUOTE in entry.notes and entry.value is not None:
        close = value_offset(file, entry.value) + len(entry.value.raw) + 1
        blanks = _BLANKS.match(file.text, close)
        start = blanks.end() if blanks else close
        return start, (
            "text after the closing quote: python-dotenv skips the line, node dotenv keeps "
            "the quotes and the text in the value, bash `source` runs the text as a "
            "command; move it inside the quotes or after ' #'"
        )
    if NOTE_NO_KEY in entry.notes:
        return offset(file, entry.key_span), (
            "no name before '=': python-dotenv and node dotenv skip the line, docker "
            "--env-file and compose reject it"
        )
    if NOTE_KEY_ERROR in entry.notes and SHELL_NAME.match(entry.key):
        return offset(file, entry.key_span), (
            f"`{entry.key}` with nothing after it: python-dotenv cannot parse the line and skips it"
        )
    return None
