from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl6_sdk import use_text
from keylint.checks.kl8_ratelimit import (
    RateLimit,
    api_calls,
    caught,
    is_client,
    rate_limits,
    waits,
)
from keylint.facts import Loop, SdkUse
from keylint.findings import Category, Finding, Severity


class RetriesDisabledInLoop(Rule):
    """A client built with `max_retries=0` that the code calls in a loop with no retry of
    its own.

    ## What it does
    Finds `max_retries=0` given to an SDK client (`OpenAI`, `AsyncOpenAI`, `AzureOpenAI`,
    `Anthropic`, … — the `rate_limit.clients` of `rules/providers/*.yaml`) in a file that
    calls that client inside a `for` or `while` loop, where the loop neither catches the
    provider's rate-limit exception nor waits (`time.sleep`, `asyncio.sleep`).

    ## Why is this bad?
    The SDKs retry a 429 (and connection errors and 5xx) twice by default, with exponential
    backoff and the server's `retry-after`. `max_retries=0` turns that off, so a batch loop
    fails on the first rate limit of the run — typically a few hundred requests in, and
    only under load, which reads like a key or quota problem. Turning the retries off is
    right only where the loop retries itself.

    ## Example
    ```python
    client = OpenAI(max_retries=0)
    for doc in docs:
        client.embeddings.create(model="text-embedding-3-small", input=doc)
    ```

    Use instead:
    ```python
    client = OpenAI(max_retries=5)  # or leave the default (2)
    for doc in docs:
        client.embeddings.create(model="text-embedding-3-small", input=doc)
    ```

    ## References
    - openai-python `src/openai/_exceptions.py` (429 → RateLimitError)
    - `rate_limit:` in rules/providers/openai.yaml, anthropic.yaml
    """

    code = "KL801"
    name = "retries-disabled-in-loop"
    category = Category.RATE_LIMIT
    needs = Loop  # reads loops only: deferred (checks.DEFERRED)
    severity = Severity.WARNING
    summary = "A client with max_retries=0 is called in a loop that does not retry itself."
    examples = (
        Example(
            "batch.py",
            "from openai import OpenAI\n\nclient = OpenAI(max_retries=0)\n"
            "for doc in docs:\n    client.embeddings.create(model=m, input=doc)\n",
            ((3, 17),),
        ),
        Example(
            "bot.py",
            "import anthropic\n\nclient = anthropic.Anthropic(max_retries = 0)\n"
            "while queue:\n    client.messages.create(model=m, messages=queue.pop())\n",
            ((3, 30),),
        ),
        # The loop retries by itself: turning the SDK's retries off is deliberate.
        Example(
            "batch.py",
            "import time\nfrom openai import OpenAI, RateLimitError\n\n"
            "client = OpenAI(max_retries=0)\nfor doc in docs:\n    try:\n"
            "        client.embeddings.create(model=m, input=doc)\n"
            "    except RateLimitError:\n        time.sleep(10)\n",
        ),
        # No loop: one call.
        Example(
            "once.py",
            "from openai import OpenAI\n\nclient = OpenAI(max_retries=0)\n"
            "client.embeddings.create(model=m, input=doc)\n",
        ),
        Example(
            "batch.py",
            "from openai import OpenAI\n\nclient = OpenAI(max_retries=3)\n"
            "for doc in docs:\n    client.embeddings.create(model=m, input=doc)\n",
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        limits = rate_limits(ctx.db)
        loops = list(ctx.of(Loop))
        if not limits or not loops:
            return
        for use in ctx.of(SdkUse):
            if use.how != "kwarg":
                continue
            for limit in limits:
                if not is_client(use, limit) or use.detail != limit.retries_kwarg:
                    continue
                text = use_text(ctx, use.span)
                if not re.fullmatch(rf"{re.escape(limit.retries_kwarg)}\s*=\s*0", text.strip()):
                    continue
                line = self._unguarded_call(loops, limit)
                if line is None:
                    continue
                yield self.finding(
                    ctx,
                    use.span,
                    f"`{limit.retries_kwarg}=0` turns off the SDK's retries with backoff, and the "
                    f"client is called in a loop (line {line}) that neither catches the rate-limit "
                    "error nor waits: the first 429 of the run stops it",
                    provider=limit.provider,
                )

    @staticmethod
    def _unguarded_call(loops: list[Loop], limit: RateLimit) -> int | None:
        """The line of a call on the client in a loop that does not retry by itself."""
        for loop in loops:
            calls = api_calls(loop, limit)
            if not calls:
                continue
            if any(caught(h, [limit]) for h in loop.handlers):
                continue
            if waits([c for c, _ in loop.calls]):
                continue
            return calls[0][1].line
        return None
