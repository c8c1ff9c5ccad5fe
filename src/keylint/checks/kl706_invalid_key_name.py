from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import (
    NOTE_KEY_ERROR,
    NOTE_QUOTED_KEY,
    SHELL_NAME,
    char_span,
    entries,
    offset,
    skipped_to_line,
)
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity

_NODE_NAME = re.compile(r"[\w.-]+\Z", re.ASCII)  # node dotenv's key pattern


class InvalidKeyName(Rule):
    """A dotenv key that is not a valid shell variable name.

    ## What it does
    Finds keys that do not match `[A-Za-z_][A-Za-z0-9_]*`: `DASH-KEY`, `1ST_KEY`,
    `my.key`, a name with a space in it (`lower key=x`), a quoted name (`'KEY'=x`). The
    finding sits on the key. Lowercase names are valid and not reported here.

    An error when python-dotenv itself cannot read the line (a space or an unclosed quote
    in the name), a warning otherwise.

    ## Why is this bad?
    - bash `source` does not see an assignment and runs the line as a command, so the
      variable is never set;
    - docker `--env-file` rejects names with whitespace, and docker compose rejects names
      with characters other than letters, digits, `_`, `.`, `-`;
    - node dotenv skips names outside `[A-Za-z0-9_.-]` and quoted names;
    - python-dotenv reads `DASH-KEY` but stops at a space in a name and skips the line;
    - programs that read the variable through a shell (`$DASH-KEY` is `$DASH` then
      `-KEY`) cannot reach it.

    ## Example
    ```shell
    OPENAI-API-KEY=sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```

    ## References
    - POSIX, "Shell Command Language", 2.5.3 and "Name"; dotenv-linter `IncorrectDelimiter`
    """

    code = "KL706"
    name = "invalid-key-name"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A dotenv key is not a valid shell variable name."
    examples = (
        Example(".env", "DASH-KEY=x\n", ((1, 1),)),
        Example(".env", "APP_NAME=demo\nlower key=x\n", ((2, 1),)),
        Example(".env", "1ST_TRY=x\n", ((1, 1),)),
        Example(".env", "'QUOTED'=x\n", ((1, 1),)),
        Example(".env", "lower_key=x\n_PRIVATE=y\nexport A1=z\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            key = entry.key
            quoted = NOTE_QUOTED_KEY in entry.notes
            if not key or (SHELL_NAME.match(key) and not quoted):
                continue
            span = entry.key_span
            if quoted:  # the finding covers the quotes
                start = offset(ctx.file, span) - 1
                span = char_span(ctx.file, start, len(key) + 2)
            severity, message = _diagnose(entry)
            yield self.finding(ctx, span, message, severity=severity)


def _diagnose(entry: DotenvEntry) -> tuple[Severity, str]:
    key = entry.key
    if any(c.isspace() for c in key):
        first = key.split()[0]
        return Severity.ERROR, (
            f"`{key}` contains whitespace: python-dotenv skips the line, docker --env-file "
            f"and compose reject the name, bash `source` runs `{first}` as a command"
        )
    if NOTE_KEY_ERROR in entry.notes:  # 'KEY=… with no closing quote
        last = skipped_to_line(entry)
        if last is not None and last > entry.key_span.line:  # its quote closes lines later
            lost = f"lines {entry.key_span.line}–{last}"
            return Severity.ERROR, (
                f"`{key}` opens a quote that closes on line {last}: python-dotenv reads the "
                f"name on to there and loads nothing of {lost}; bash `source` does the same"
            )
        return Severity.ERROR, (
            f"`{key}` opens a quote that does not close: python-dotenv skips the line and "
            "bash `source` reads on to the next quote"
        )
    if NOTE_QUOTED_KEY in entry.notes:
        return Severity.WARNING, (
            f"quoted name `'{key}'`: only python-dotenv removes the quotes; node dotenv "
            "skips the line, docker --env-file keeps them in the name, bash `source` runs "
            "it as a command"
        )
    node = "" if _NODE_NAME.match(key) else "; node dotenv skips it"
    return Severity.WARNING, (
        f"`{key}` is not a valid shell variable name: bash `source` runs the line as a "
        f"command and never sets it{node}; use letters, digits and `_`"
    )
