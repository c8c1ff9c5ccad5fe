from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import (
    char_span,
    entries,
    python_dotenv_skips,
    separator_offset,
)
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity
from keylint.fix import producers


class SpacesAroundEquals(Rule):
    """A dotenv line has spaces or tabs around its `=`.

    ## What it does
    Finds `KEY = value`, `KEY =value` and `KEY= value` in dotenv files. The finding sits on
    the `=`. A line whose value is empty (`KEY=` followed by blanks) is left alone, and so is
    `KEY= # comment`, which `unquoted-hash` (KL707) reports.

    ## Why is this bad?
    python-dotenv, node dotenv and docker compose trim the spaces, but other loaders do not:
    - bash `source` reads `KEY = value` as the command `KEY` with two arguments, and
      `KEY= value` as "run `value` with `KEY` empty": the variable is never set;
    - docker `--env-file` takes everything before `=` as the name, so `KEY =value` is
      rejected ("variable contains whitespaces") and `KEY= value` keeps the leading space
      in the value, which then fails as an API key.

    ## Example
    ```shell
    OPENAI_MODEL = gpt-4o
    ```

    Use instead:
    ```shell
    OPENAI_MODEL=gpt-4o
    ```

    ## References
    - python-dotenv, "File format"; docker/cli `pkg/kvfile`; dotenv-linter `SpaceCharacter`
    """

    code = "KL701"
    name = "spaces-around-equals"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    fixable = "always"
    fix_applicability = "safe"
    summary = "Spaces around `=` in a dotenv line break bash `source` and docker --env-file."
    examples = (
        Example(".env", "APP_NAME = demo\n", ((1, 10),)),
        Example(".env", "APP_NAME =demo\n", ((1, 10),)),
        Example(".env", "# app\nAPP_NAME=\t'demo'\n", ((2, 9),)),
        Example(".env", "APP_NAME=demo\n"),
        Example(".env", "  APP_NAME=demo  # indented\n"),
        Example(".env", "APP_NAME=   \n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            value = entry.value
            if value is None or python_dotenv_skips(entry):
                continue
            if not (entry.space_before_eq or entry.space_after_eq):
                continue
            if not entry.space_before_eq and (
                value.raw == "" or (value.quote == "" and value.raw.startswith("#"))
            ):
                continue  # `KEY=   ` is an empty value; `KEY= # x` is KL707's
            eq = separator_offset(ctx.file, entry)
            fix = producers.dotenv_equals(ctx.file, eq)
            yield self.finding(ctx, char_span(ctx.file, eq), _message(entry), fix=fix)


def _message(entry: DotenvEntry) -> str:
    key = entry.key
    if entry.space_before_eq:
        where = "spaces around '='" if entry.space_after_eq else "space before '='"
        return (
            f"{where}: bash `source` runs `{key}` as a command; docker --env-file rejects "
            f"the name `{key} `; write `{key}=…`"
        )
    return (
        f"space after '=': bash `source` runs the value as a command with `{key}` empty; "
        "docker --env-file keeps the leading space in the value"
    )
