from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl8_ratelimit import caught, loop_of, rate_limits, retries, waits
from keylint.facts import Loop
from keylint.findings import Category, Finding, Severity


class RetryWithoutBackoff(Rule):
    """A loop that retries on the rate-limit error without waiting, or without end.

    ## What it does
    Finds an `except` clause for a provider's rate-limit exception (`openai.RateLimitError`,
    `anthropic.RateLimitError`: `rate_limit.exceptions` in `rules/providers/*.yaml`) inside
    a loop, where the clause lets the loop go round again and
    - nothing in the loop waits (`time.sleep`, `asyncio.sleep`, …): the retry is immediate;
    - or the loop is `while True` and neither the clause nor a guarded `if` in the loop ever
      leaves it: the retries never stop.

    ## Why is this bad?
    A 429 means "slow down". Retrying at once sends the next request into the same limit
    window, counts against the limit again and, with several workers, keeps every one of
    them rate-limited. A loop without a cap turns a quota that is used up (which no retry
    fixes) into a process that spins forever instead of failing with the provider's message.

    ## Example
    ```python
    while True:
        try:
            reply = client.chat.completions.create(model=m, messages=msgs)
            break
        except openai.RateLimitError:
            continue
    ```

    Use instead:
    ```python
    for attempt in range(6):
        try:
            reply = client.chat.completions.create(model=m, messages=msgs)
            break
        except openai.RateLimitError:
            time.sleep(2**attempt)
    else:
        raise RuntimeError("still rate-limited after 6 attempts")
    ```
    (or leave the retries to the SDK's `max_retries`, which backs off and honours
    `retry-after`).

    ## References
    - https://developers.openai.com/docs/guides/error-codes (429 rate_limit_exceeded,
      insufficient_quota)
    """

    code = "KL802"
    name = "retry-without-backoff"
    category = Category.RATE_LIMIT
    needs = Loop  # reads loops only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A retry on the rate-limit error with no wait between attempts, or no end."
    examples = (
        Example(
            "worker.py",
            "import openai\n\nwhile True:\n    try:\n"
            "        reply = client.chat.completions.create(model=m, messages=msgs)\n"
            "        break\n    except openai.RateLimitError:\n        continue\n",
            ((7, 5),),
        ),
        Example(
            "worker.py",
            "import time\nfrom anthropic import RateLimitError\n\nwhile True:\n    try:\n"
            "        return call()\n    except RateLimitError:\n        time.sleep(5)\n",
            ((7, 5),),
        ),
        Example(
            "worker.py",
            "import time\nimport openai\n\nfor attempt in range(5):\n    try:\n"
            "        return call()\n    except openai.RateLimitError:\n"
            "        time.sleep(2 ** attempt)\n",
        ),
        # A cap in the handler: it re-raises after enough attempts.
        Example(
            "worker.py",
            "import time\nimport openai\n\nn = 0\nwhile True:\n    try:\n"
            "        return call()\n    except openai.RateLimitError:\n        n += 1\n"
            "        if n > 5:\n            raise\n        time.sleep(2 ** n)\n",
        ),
        # Not a retry: the handler leaves the loop.
        Example(
            "worker.py",
            "import openai\n\nfor item in items:\n    try:\n        call(item)\n"
            "    except openai.RateLimitError:\n        raise\n",
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        limits = rate_limits(ctx.db)
        loops = list(ctx.of(Loop))
        seen: set[tuple[int, int]] = set()
        for loop in loops:
            for handler in loop.handlers:
                key = (handler.span.line, handler.span.column)
                limit = caught(handler, limits)
                if limit is None or not retries(handler) or key in seen:
                    continue
                seen.add(key)
                inner = loop_of(handler, loops) or loop
                reasons: list[str] = []
                advice: list[str] = []
                if not waits(handler.calls) and not waits([c for c, _ in inner.calls]):
                    reasons.append("retries at once, with no wait between attempts")
                    advice.append("wait with exponential backoff")
                if inner.infinite and not handler.exits and not inner.guarded_exit:
                    reasons.append(f"never stops (`while True` at line {inner.span.line})")
                    advice.append("give up after a few attempts")
                if not reasons:
                    continue
                yield self.finding(
                    ctx,
                    handler.span,
                    "this retry on the rate-limit error "
                    + " and ".join(reasons)
                    + ": "
                    + " and ".join(advice),
                    provider=limit.provider,
                )
