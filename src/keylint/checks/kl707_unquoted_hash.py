from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import char_span, entries, python_dotenv_skips, value_offset
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity


class UnquotedHash(Rule):
    """An unquoted dotenv value contains a `#` that loaders read differently.

    ## What it does
    Finds a `#` in an unquoted value where it is not preceded by whitespace, so it is not
    an inline comment for python-dotenv: `DB_PASSWORD=val#ue`, `KEY=#x`, and
    `KEY= # comment`. The finding sits on the `#`.

    For `KEY= # comment`, python-dotenv before 1.2.4 (and docker `--env-file`) load
    `# comment` as the value while python-dotenv 1.2.4 and the other loaders read an empty
    value.

    ## Why is this bad?
    - node dotenv starts a comment at any `#`: `val#ue` loads as `val`, a truncated
      password or key;
    - python-dotenv, docker compose and bash start a comment only at a `#` that follows
      whitespace, and keep `val#ue`;
    - python-dotenv up to 1.2.3 skips the blanks after `=` before it looks for a value, so
      `KEY= # comment` loads the text `# comment`, where 1.2.4, bash and node read an empty
      value;
    - docker `--env-file` has no inline comments at all.

    ## Example
    ```shell
    DB_PASSWORD=hunter#2
    ```

    Use instead:
    ```shell
    DB_PASSWORD="hunter#2"
    ```

    ## References
    - node dotenv README, "What rules does the parsing engine follow?"; python-dotenv
      `parser.py` (`parse_unquoted_value`)
    """

    code = "KL707"
    name = "unquoted-hash"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A `#` in an unquoted dotenv value is a comment for some loaders only."
    examples = (
        Example(".env", "DB_PASS=val#ue\n", ((1, 12),)),
        Example(".env", "APP_NAME= # set later\n", ((1, 11),)),
        Example(".env", "COLOR=#ff0000\n", ((1, 7),)),
        Example(".env", "APP_NAME=demo # comment\nAPP_NAME_2=\n"),
        Example(".env", "DB_PASS=\"val#ue\"\nCOLOR='#ff0000'\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            value = entry.value
            if value is None or value.quote or python_dotenv_skips(entry):
                continue
            start = value_offset(ctx.file, value)
            if value.raw == "" and entry.space_after_eq and ctx.file.text[start : start + 1] == "#":
                index = 0  # `KEY= # c`: the lexer reads python-dotenv >= 1.2.4's empty value
            else:
                index = value.raw.find("#")
                if index < 0:
                    continue
                start += index
            severity, message = _diagnose(entry, index)
            yield self.finding(ctx, char_span(ctx.file, start), message, severity=severity)


def _diagnose(entry: DotenvEntry, index: int) -> tuple[Severity, str]:
    if index == 0 and entry.space_after_eq:
        return Severity.WARNING, (
            f"'#' after '= ': python-dotenv before 1.2.4 and docker --env-file load the comment "
            f"text as the value of `{entry.key}`, while python-dotenv 1.2.4, node dotenv, "
            f'compose and bash read an empty value; write `{entry.key}="" # …` or put the '
            f"comment on its own line"
        )
    if index == 0:
        return Severity.WARNING, (
            "unquoted value starts with '#': node dotenv reads an empty value, python-dotenv "
            "and bash keep the '#'; quote the value"
        )
    return Severity.WARNING, (
        "unquoted '#' inside the value: node dotenv cuts the value here, python-dotenv, "
        "compose and bash keep it; quote the value"
    )
