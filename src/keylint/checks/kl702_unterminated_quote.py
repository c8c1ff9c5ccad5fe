from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import char_span, entries, skipped_to_line, value_offset
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity


class UnterminatedQuote(Rule):
    """A quoted dotenv value whose quote never closes.

    ## What it does
    Finds a value that opens with `'` or `"` and has no matching closing quote. The finding
    sits on the opening quote. A quote that closes on a later line followed by stray text
    (`A="x` … `B="y"`) is reported too: python-dotenv then pairs the quotes across lines
    and loses every line in between.

    keylint reads on at the next line, so the lines after a broken one are still checked.

    ## Why is this bad?
    No loader reads the line as written:
    - python-dotenv skips it with a warning ("could not parse statement"), or swallows
      the following lines up to the next matching quote;
    - docker compose stops with "unterminated quoted value" and loads nothing;
    - bash `source` reads on to the next matching quote or fails with "unexpected EOF".
    The variable silently ends up unset or holding other lines of the file.

    ## Example
    ```shell
    OPENAI_API_KEY="sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY="sk-proj-…"
    ```

    ## References
    - python-dotenv `parser.py`; compose-go `dotenv/parser.go`
    """

    code = "KL702"
    name = "unterminated-quote"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.ERROR
    summary = "A dotenv value opens a quote that never closes."
    examples = (
        Example(".env", 'APP_NAME="demo\nLOG_LEVEL=info\n', ((1, 10),)),
        Example(".env", "APP_NAME='demo\r\n", ((1, 10),)),
        Example(".env", 'A="one\nB="two"\nC=3\n', ((1, 3),)),
        Example(".env", 'APP_NAME="demo"\n'),
        Example(".env", 'CERT="line one\nline two"\n'),
        Example(".env", "APP_NAME=it's\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            if not entry.unterminated_quote or entry.value is None:
                continue
            value = entry.value
            quote = value.quote
            start = value_offset(ctx.file, value) - 1
            line = value.span.line
            last = skipped_to_line(entry)
            lost = f"lines {line}–{last}" if last and last > line else "the line"
            yield self.finding(
                ctx,
                char_span(ctx.file, start),
                f"unterminated {quote} quote: python-dotenv skips {lost}, docker compose "
                f"rejects the file and bash `source` reads on to the next {quote}; "
                f"close the quote on this line",
            )
