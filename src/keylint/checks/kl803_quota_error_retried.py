from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl8_ratelimit import caught, rate_limits, retries
from keylint.facts import Loop
from keylint.findings import Category, Finding, Severity


class QuotaErrorRetried(Rule):
    """Every rate-limit error is retried, although a billing 429 never succeeds on retry.

    ## What it does
    Finds an `except` clause for a provider's rate-limit exception inside a loop that lets
    the loop go round again without looking at the error code, where the provider sends the
    same HTTP 429 for a billing error that no retry fixes (`rate_limit.never_retry` in
    `rules/providers/*.yaml`: OpenAI's `insufficient_quota`, "You exceeded your current
    quota, please check your plan and billing details"). The clause counts as looking when
    one of those codes appears in it (`if e.code == "insufficient_quota": raise`).

    ## Why is this bad?
    `openai.RateLimitError` is raised for both a per-minute rate limit and for an account
    with no credits or at its hard spending limit. The first passes; the second stays until
    someone pays or raises the limit. A loop that retries every 429 turns "add credits" into
    a job that hangs or runs its whole retry budget, and the billing message is never shown.

    ## Example
    ```python
    for attempt in range(8):
        try:
            return client.chat.completions.create(model=m, messages=msgs)
        except openai.RateLimitError:
            time.sleep(2**attempt)
    ```

    Use instead:
    ```python
    for attempt in range(8):
        try:
            return client.chat.completions.create(model=m, messages=msgs)
        except openai.RateLimitError as e:
            if e.code == "insufficient_quota":
                raise  # billing: no retry helps
            time.sleep(2**attempt)
    ```

    ## References
    - https://developers.openai.com/docs/guides/error-codes (429 insufficient_quota vs
      rate_limit_exceeded)
    """

    code = "KL803"
    name = "quota-error-retried"
    category = Category.RATE_LIMIT
    needs = Loop  # reads loops only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A loop retries every 429, including the billing error no retry fixes."
    examples = (
        Example(
            "client.py",
            "import time\nimport openai\n\nfor attempt in range(8):\n    try:\n"
            "        return call()\n    except openai.RateLimitError:\n"
            "        time.sleep(2 ** attempt)\n",
            ((7, 5),),
        ),
        Example(
            "client.py",
            "import time\nimport openai\n\nfor attempt in range(8):\n    try:\n"
            "        return call()\n    except openai.RateLimitError as e:\n"
            "        if e.code == 'insufficient_quota':\n            raise\n"
            "        time.sleep(2 ** attempt)\n",
        ),
        # Anthropic reports billing as another error (402), not as a 429.
        Example(
            "client.py",
            "import time\nimport anthropic\n\nfor attempt in range(8):\n    try:\n"
            "        return call()\n    except anthropic.RateLimitError:\n"
            "        time.sleep(2 ** attempt)\n",
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        limits = [lim for lim in rate_limits(ctx.db) if lim.never_retry]
        seen: set[tuple[int, int]] = set()
        for loop in ctx.of(Loop):
            for handler in loop.handlers:
                key = (handler.span.line, handler.span.column)
                limit = caught(handler, limits)
                if limit is None or not retries(handler) or key in seen:
                    continue
                seen.add(key)
                if any(code in s for s in handler.strings for code in limit.never_retry):
                    continue
                codes = " / ".join(f"`{c}`" for c in limit.never_retry)
                yield self.finding(
                    ctx,
                    handler.span,
                    f"every rate-limit error is retried, but a 429 with code {codes} (no "
                    "credits or a hard spending limit) never succeeds on retry: check the "
                    "error's code and stop",
                    provider=limit.provider,
                )
