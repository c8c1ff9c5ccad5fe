from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import char_span, entries, plain_binding, value_offset
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity

# Characters bash gives a meaning in an unquoted assignment value. `#` and `$` have their
# own rules (KL707, KL712); glob characters do not expand in an assignment.
_SPECIAL = re.compile(r"[ \t;&|<>()'\"`\\]|^~")


class UnquotedShellChars(Rule):
    """An unquoted dotenv value contains characters that bash `source` interprets.

    ## What it does
    Finds unquoted values containing a space or tab, `;`, `&`, `|`, `<`, `>`, `(`, `)`, a
    quote character, a backslash, or a leading `~`. The finding sits on the first such
    character. Trailing blanks are not reported here (every loader but docker strips them),
    nor is a `<fill in>` marker of an example file.

    ## Why is this bad?
    python-dotenv, node dotenv and docker read the value literally, but many projects also
    load the file with `set -a; source .env`, where:
    - a space ends the assignment and runs the rest as a command (`APP=My App` runs `App`);
    - `;`, `&`, `|`, `<`, `>`, `(`, `)` are shell syntax: `&` in a URL query puts the
      assignment in a background job, and the variable is never set;
    - quotes are removed or pair with a quote on a later line, a backslash is removed
      (`C:\\tools` becomes `C:tools`), and a leading `~` becomes the home directory.
    PHP's phpdotenv refuses unquoted whitespace outright.

    ## Example
    ```shell
    DATABASE_URL=postgres://db/app?sslmode=require&connect_timeout=10
    ```

    Use instead:
    ```shell
    DATABASE_URL="postgres://db/app?sslmode=require&connect_timeout=10"
    ```

    ## References
    - bash manual, "Shell Parameters" and "Quoting"; dotenv-linter `ValueWithoutQuotes`
    """

    code = "KL711"
    name = "unquoted-shell-chars"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "An unquoted dotenv value has characters that bash `source` interprets."
    examples = (
        Example(".env", "APP_NAME=My App\n", ((1, 12),)),
        Example(".env", "DB_URL=pg://h/db?a=1&b=2\n", ((1, 21),)),
        Example(".env", "TOOLS=C:\\tools\n", ((1, 9),)),
        Example(".env", "HOME_DIR=~/app\n", ((1, 10),)),
        Example(".env", 'APP_NAME="My App"\nAPP_TITLE=demo   \nAPP_ID=demo # note\n'),
        Example(".env.example", "OPENAI_API_KEY=<your key>\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            value = entry.value
            if value is None or value.quote or not plain_binding(entry):
                continue
            if value.raw.startswith(("`", "#")):
                continue  # KL710 / KL707
            if value.value.startswith("<") and value.value.endswith(">"):
                continue  # `<your key>`: a fill-in marker, placeholder-key's business
            match = _SPECIAL.search(value.raw, 0, len(value.value))
            if match is None:
                continue
            start = value_offset(ctx.file, value) + match.start()
            yield self.finding(ctx, char_span(ctx.file, start), _message(match.group(), entry.key))


def _message(char: str, key: str) -> str:
    what = f"`{char}`"
    if char in " \t":
        what = "space" if char == " " else "tab"
        effect = f"sets `{key}` to the first word and runs the rest as a command"
    elif char in "'\"`":
        effect = "treats it as a quote (removes it or reads on to the next one)"
    elif char == "\\":
        effect = "removes the backslash"
    elif char == "~":
        effect = "expands it to the home directory"
    else:
        effect = f"reads it as shell syntax and does not set `{key}` as written"
    return (
        f"unquoted {what} in the value: bash `source` {effect}; python-dotenv keeps it; "
        "quote the value"
    )
