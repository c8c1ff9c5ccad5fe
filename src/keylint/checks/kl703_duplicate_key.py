from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl7_common import entries
from keylint.facts import DotenvEntry
from keylint.findings import Category, Finding, Severity


class DuplicateKey(Rule):
    """A dotenv file defines the same key again with a different value.

    ## What it does
    Finds a key defined more than once in one dotenv file where the later definition
    changes the value (as python-dotenv reads it). The finding sits on the later key and
    names the line of the first definition. Repeating the same value is left alone.

    ## Why is this bad?
    python-dotenv, node dotenv, docker compose, docker `--env-file` and bash all keep the
    last definition, so the earlier line has no effect. Editing the first `OPENAI_API_KEY=`
    of the file then changes nothing, a classic "the new key doesn't work".

    ## Example
    ```shell
    OPENAI_API_KEY=sk-proj-new…
    # ... forty lines later
    OPENAI_API_KEY=sk-proj-old…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-new…
    ```

    ## References
    - dotenv-linter `DuplicatedKey`
    """

    code = "KL703"
    name = "duplicate-key"
    category = Category.DOTENV_SYNTAX
    needs = DotenvEntry  # reads dotenv entries only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A dotenv key is defined again with a different value; only the last one counts."
    examples = (
        Example(".env", "LOG_LEVEL=info\nAPP_NAME=demo\nLOG_LEVEL=debug\n", ((3, 1),)),
        Example(".env", "LOG_LEVEL=info\nexport LOG_LEVEL='debug'\n", ((2, 8),)),
        Example(".env", "LOG_LEVEL=info\nLOG_LEVEL='info'\n"),
        Example(".env", "LOG_LEVEL=info\nLOG_LEVEL_2=debug\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        first: dict[str, DotenvEntry] = {}
        previous: dict[str, DotenvEntry] = {}
        for entry in entries(ctx):
            if not entry.key:
                continue
            before = previous.get(entry.key)
            previous[entry.key] = entry
            first.setdefault(entry.key, entry)
            if before is None or _loaded(before) == _loaded(entry):
                continue
            line = first[entry.key].key_span.line
            yield self.finding(
                ctx,
                entry.key_span,
                f"`{entry.key}` is defined again with a different value (first on line "
                f"{line}); every loader keeps the last definition, so the earlier ones have "
                "no effect",
            )


def _loaded(entry: DotenvEntry) -> str | None:
    return None if entry.value is None else entry.value.value
