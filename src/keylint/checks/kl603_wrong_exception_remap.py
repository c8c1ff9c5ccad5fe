from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl6_sdk import sdk_index, symbol_hits
from keylint.findings import Category, Finding
from keylint.fix import producers
from keylint.pins import major_at_least


class WrongExceptionRemap(Rule):
    """A name that looks like the new SDK's but does not exist in it:
    `openai.InvalidRequestError`, `except openai.Timeout`.

    ## What it does
    Finds uses of the names listed under `sdk.wrong_remaps` in `rules/providers/*.yaml`:
    what a hand migration or `openai migrate` leaves behind for the 0.x exceptions.
    `openai.error.InvalidRequestError` became `openai.BadRequestError` (not
    `openai.InvalidRequestError`), `openai.error.Timeout` became `openai.APITimeoutError`
    (`openai.Timeout` is the httpx timeout *configuration* class, so `except openai.Timeout`
    catches nothing), `ServiceUnavailableError`/`TryAgain` became `InternalServerError`,
    `PermissionError` became `PermissionDeniedError`.

    ## Why is this bad?
    The `except` clause raises `AttributeError` while handling the real error, or never
    matches: the retry or fallback it was written for never runs.

    ## Example
    ```python
    try:
        reply = client.chat.completions.create(model=model, messages=messages)
    except openai.InvalidRequestError:
        reply = None
    ```

    Use instead:
    ```python
    try:
        reply = client.chat.completions.create(model=model, messages=messages)
    except openai.BadRequestError:
        reply = None
    ```

    ## References
    - openai-python `src/openai/_exceptions.py` (the exception classes of openai>=1)
    """

    code = "KL603"
    name = "wrong-exception-remap"
    category = Category.DEPRECATED_SDK
    fixable = "sometimes"
    fix_applicability = "unsafe"
    summary = "A name that does not exist in the current SDK, left by a migration."
    examples = (
        Example(
            "app.py",
            "import openai\n\ntry:\n    call()\nexcept openai.InvalidRequestError:\n    pass\n",
            ((5, 8),),
        ),
        Example(
            "app.py",
            "from openai import Timeout\n\ntry:\n    call()\nexcept Timeout:\n    pass\n",
            ((5, 8),),
        ),
        Example(
            "app.py",
            "import openai\n\nclient = openai.OpenAI(timeout=openai.Timeout(10.0))\n",
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        entries = sdk_index(ctx.db).remaps
        for hit in symbol_hits(ctx, entries):
            entry = hit.entry
            package = entry.symbol.split(".")[0]
            old = major_at_least(ctx.pins.get(package), 1) is False
            if old:
                message = (
                    f"`{hit.symbol}` only works in the {package} 0.x the project pins (end of "
                    f"life); in {package}>=1 it is `{entry.replacement}`"
                )
            elif entry.how == frozenset({"except"}):
                message = (
                    f"`except {hit.symbol}` catches nothing: it is not an exception in "
                    f"{package}>=1; use `{entry.replacement}`"
                )
            else:
                message = (
                    f"`{hit.symbol}` does not exist in {package}>=1 (AttributeError); use "
                    f"{entry.replacement}"
                )
            fix = producers.openai_v1(ctx, hit.span, hit.symbol)
            yield self.finding(ctx, hit.span, message, provider=entry.provider.id, fix=fix)
