from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import NOTE_KEY_ERROR, entries
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity


class MissingEquals(Rule):
    """A dotenv line names a key but has no `=`.

    ## What it does
    Finds a line that is only a name (`OPENAI_API_KEY`, `export OPENAI_API_KEY`, or a name
    followed by a comment). The finding sits on the name. A name with spaces in it is
    reported by `invalid-key-name` (KL706) instead.

    ## Why is this bad?
    Loaders disagree on what the line means:
    - python-dotenv's `load_dotenv` ignores it (`dotenv_values` gives `None`);
    - node dotenv ignores it;
    - docker compose and docker `--env-file` copy the value from the environment of the
      shell that runs them, or leave the variable out;
    - bash `source` runs it as a command ("command not found").
    It is usually a value that was lost in an edit. Write `KEY=` for an empty value.

    ## Example
    ```shell
    OPENAI_API_KEY
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=
    ```

    ## References
    - dotenv-linter `KeyWithoutValue`; Docker docs, "Set environment variables"
    """

    code = "KL704"
    name = "missing-equals"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A dotenv line has a key but no `=`, and loaders disagree on what it means."
    examples = (
        Example(".env", "APP_NAME=demo\nLOG_LEVEL\n", ((2, 1),)),
        Example(".env", "LOG_LEVEL  # set by CI\r\n", ((1, 1),)),
        Example(".env", "export LOG_LEVEL\n", ((1, 8),)),
        Example(".env", "LOG_LEVEL=\n"),
        Example(".env", "# LOG_LEVEL\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for entry in entries(ctx):
            if entry.value is not None or not entry.key or entry.separator != "=":
                continue
            if NOTE_KEY_ERROR in entry.notes:
                continue
            key = entry.key
            docker = (
                "docker --env-file reads `export " + key + "` as a name and rejects it"
                if entry.export
                else "docker and compose copy it from the calling environment, bash "
                "`source` runs it as a command"
            )
            yield self.finding(
                ctx,
                entry.key_span,
                f"`{key}` has no '=': python-dotenv and node dotenv skip it, {docker}; "
                f"write `{key}=` for an empty value",
            )
