from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import MODEL_CONFIDENCE_NOTES, index, model_hits, shown, today
from keylint.findings import Category, Finding, Severity
from keylint.replacements import resolve, skipped_note


class ModelShutdownScheduled(Rule):
    """A model name whose announced shutdown is still ahead.

    ## What it does
    Finds model names with a shutdown date in `rules/providers/*.yaml` that has not passed
    yet on the day keylint runs (`claude-opus-4-5`, `gpt-5-2025-08-07`, `whisper-1`…),
    where `retired-model` (KL451) would find a retired one, and reports them at `info`
    severity with the date and the replacement. On the shutdown date the same use becomes a
    KL451 error. A model deprecated with no shutdown date (Cohere's `command-r`) is
    reported here too: it still answers, but gets no fixes. The replacement named is one
    that is not itself retired or scheduled to retire within 90 days.

    ## Why is this bad?
    Nothing fails yet; on the date, every request fails. The notice gives time to move.

    ## Example
    ```python
    client.messages.create(model="claude-opus-4-5", max_tokens=1024, messages=messages)
    ```

    Use instead:
    ```python
    client.messages.create(model="claude-opus-5-5", max_tokens=1024, messages=messages)
    ```

    ## References
    - https://developers.openai.com/api/docs/deprecations
    - https://docs.anthropic.com/en/docs/about-claude/model-deprecations
    """

    code = "KL452"
    name = "model-shutdown-scheduled"
    category = Category.DEPRECATED_MODEL
    severity = Severity.INFO
    confidence_notes = MODEL_CONFIDENCE_NOTES
    summary = "A model name whose announced shutdown date is still ahead."
    precision = "medium"
    examples = (
        # gpt-5.1 is scheduled for 2027-04-01: update these when the data moves on.
        Example("app.py", 'client.responses.create(model="gpt-5.1", input=text)\n', ((1, 32),)),
        Example("app.py", 'client.responses.create(model="gpt-5.5", input=text)\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        on = today()
        idx = index(ctx.db)
        for hit in model_hits(ctx):
            model, span = hit.model, hit.span
            if model.retired(on):
                continue
            replacement, skipped = resolve(idx.models, model, on)
            if model.shutdown is None and model.deprecated is not None:
                status = f"is deprecated since {model.deprecated.isoformat()}, no shutdown date"
            else:
                assert model.shutdown is not None  # retired() is true for a dateless model
                status = f"will be shut down on {model.shutdown.isoformat()}"
            message = f"`{model.name}` {status} ({model.provider.name})"
            if replacement:
                message += f"; move to {shown(replacement)}{skipped_note(skipped, on)}"
            yield self.finding(
                ctx,
                span,
                message,
                provider=model.provider.id,
                confidence=hit.confidence,
                reason=hit.reason,
            )
