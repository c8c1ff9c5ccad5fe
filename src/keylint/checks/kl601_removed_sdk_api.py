from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl6_sdk import SymbolHit, pin_note, sdk_index, symbol_hits
from keylint.findings import Category, Finding, Severity
from keylint.fix import producers


def _shown(hit: SymbolHit) -> str:
    """The symbol as the user wrote it, up to the removed part (`openai.ChatCompletion.create`,
    `openai.error`)."""
    symbol = hit.symbol
    if hit.rest and hit.entry.match == "prefix" and hit.how == "import":
        symbol = symbol[: len(symbol) - len(hit.rest) - 1]
    # `openai.File.download(...).decode`: the removed call, not what is done with its result.
    return symbol.split("(", 1)[0]


class RemovedSdkApi(Rule):
    """A call, attribute or import of an SDK API that the current SDK no longer has.

    ## What it does
    Finds uses of SDK symbols listed as removed in `rules/providers/*.yaml`, resolved
    through imports and aliases (`import openai as oa`, `from openai import ChatCompletion`,
    `client = Anthropic()`): the openai 0.x API (`openai.ChatCompletion.create`,
    `openai.Completion`, `openai.Embedding`, `openai.Image`, `.acreate`, `openai.error.*`,
    `openai.api_base`, `openai.proxy`…; `openai.api_type` and `openai.api_version` still
    configure the module-level client of openai>=1 and are not reported), Anthropic's
    `HUMAN_PROMPT`, `AI_PROMPT` and `completions.create` (gone in anthropic 2.x),
    `import google.generativeai` (end of life 2025-11-30), mistralai 0.x `MistralClient`,
    Cohere's v1 `generate`/`summarize`.

    It is reported whatever the project pins: the old SDK is end of life. When the project
    pins the old SDK (pyproject, requirements), the message says so; when it pins the new
    one, the message says the call fails at run time. One finding per use site; uses through
    a name imported from a removed module are reported at the import.

    ## Why is this bad?
    openai>=1 raises `APIRemovedInV1` on the first call of a 0.x API; anthropic 2.x has no
    `HUMAN_PROMPT`. Code that "worked last year" fails the day the SDK is upgraded, and the
    error reads like an authentication problem in many wrappers.

    ## Example
    ```python
    import openai

    reply = openai.ChatCompletion.create(model="gpt-4o", messages=messages)
    ```

    Use instead:
    ```python
    from openai import OpenAI

    reply = OpenAI().chat.completions.create(model="gpt-4o", messages=messages)
    ```

    ## References
    - https://github.com/openai/openai-python/discussions/742 (v1 migration guide)
    - https://github.com/openai/openai-python/discussions/742 (the v1 migration guide)
    - the `source:` of each entry in `rules/providers/*.yaml`
    """

    code = "KL601"
    name = "removed-sdk-api"
    category = Category.DEPRECATED_SDK
    fixable = "sometimes"
    fix_applicability = "unsafe"
    summary = "A use of an SDK API that the current SDK has removed."
    examples = (
        Example(
            "app.py",
            "import openai as oa\n\nreply = oa.ChatCompletion.create(model=m, messages=msgs)\n",
            ((3, 9),),
        ),
        Example(
            "app.py",
            "from openai.error import RateLimitError\n\n"
            "try:\n    call()\nexcept RateLimitError:\n    pass\n",
            ((1, 6),),
        ),
        Example(
            "bot.py",
            "from anthropic import Anthropic, HUMAN_PROMPT\n\nclient = Anthropic()\n"
            "client.completions.create(model=m, prompt=HUMAN_PROMPT + q)\n",
            ((1, 34), (4, 1)),
        ),
        Example(
            "app.py",
            "from openai import OpenAI\n\n"
            "reply = OpenAI().chat.completions.create(model=m, messages=msgs)\n",
        ),
        Example("notes.md", "The old `openai.ChatCompletion.create` API is gone.\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        entries = sdk_index(ctx.db).removed
        for hit in symbol_hits(ctx, entries):
            entry = hit.entry
            shown = _shown(hit)
            if entry.status == "deprecated":
                verdict = f"is deprecated since {entry.since}" if entry.since else "is deprecated"
                severity = Severity.WARNING
            elif entry.status == "end-of-life":
                verdict = f"reached end of life on {entry.since}"
                severity = None
            else:
                verdict = f"was removed in {entry.since}" if entry.since else "was removed"
                severity = None
            replacement = entry.replacement_for(hit.rest)
            use = f"; use {replacement}" if replacement else ""
            if re.fullmatch(r"[\w.]+(?:\(\))?", replacement):
                use = f"; use `{replacement}`"
            note = pin_note(ctx.pins, entry.since, entry.package)
            yield self.finding(
                ctx,
                hit.span,
                f"`{shown}` {verdict}{use}{note}",
                provider=entry.provider.id,
                severity=severity,
                fix=producers.openai_v1(ctx, hit.span, hit.symbol),
            )
