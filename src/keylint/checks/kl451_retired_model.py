from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import (
    MODEL_CONFIDENCE_NOTES,
    index,
    model_hits,
    shown,
    today,
)
from keylint.findings import Category, Finding
from keylint.fix import producers
from keylint.replacements import resolve, skipped_note


class RetiredModel(Rule):
    """A model name past its shutdown date.

    ## What it does
    Finds model names whose shutdown date in `rules/providers/*.yaml` has passed on the day
    keylint runs: `text-davinci-003` and `code-davinci-002` (OpenAI), `claude-2.1` and
    `claude-3-opus-20240229` (Anthropic), `gemini-pro`, `command-r`, `deepseek-chat`… The
    name is found where it is used: a value bound to a model-like name (`model=`,
    `engine:`, `OPENAI_MODEL=`, `"model": "…"` in a JSON body), any exact string in code or
    configuration for names that cannot be anything else, and a Gemini `/models/<name>`
    path. Short or common names (`davinci`, `gpt-4`, `command`) need the model-like name.

    The message gives the date and the replacement; when the announced replacement was
    itself shut down since, or shuts down within 90 days, it names the next one down the
    chain of announced replacements, and says why.

    ## Why is this bad?
    Requests to a retired model fail (404 `model_not_found`, `invalid_request_error`): the
    key is fine, the model is gone.

    ## Example
    ```python
    client.completions.create(model="text-davinci-003", prompt=prompt)
    ```

    Use instead:
    ```python
    client.responses.create(model="gpt-5.6-terra", input=prompt)
    ```

    ## References
    - https://developers.openai.com/api/docs/deprecations
    - https://docs.anthropic.com/en/docs/about-claude/model-deprecations
    - https://ai.google.dev/gemini-api/docs/deprecations
    - https://docs.cohere.com/changelog/2025-09-15-major-command-deprecations
    """

    code = "KL451"
    name = "retired-model"
    category = Category.DEPRECATED_MODEL
    confidence_notes = MODEL_CONFIDENCE_NOTES
    fixable = "sometimes"
    fix_applicability = "unsafe"
    summary = "A model name whose shutdown date has passed."
    examples = (
        Example(
            "app.py",
            'client.completions.create(model="text-davinci-003", prompt=p)\n',
            ((1, 34),),
        ),
        Example("settings.yaml", "llm:\n  provider: anthropic\n  model: claude-2.1\n", ((3, 10),)),
        Example(
            "call.sh",
            "curl https://api.openai.com/v1/completions \\\n"
            '  -d \'{"model": "davinci", "prompt": "hi"}\'\n',
            ((2, 18),),
        ),
        Example(".env", "OPENAI_MODEL=gpt-4o-mini\n"),
        Example("app.py", 'PAINTER = "davinci"\n'),
        Example("README.md", "We moved off `text-davinci-003` last year.\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        on = today()
        idx = index(ctx.db)
        for hit in model_hits(ctx):
            model, span = hit.model, hit.span
            if not model.retired(on):
                continue
            replacement, skipped = resolve(idx.models, model, on)
            when = f" on {model.shutdown.isoformat()}" if model.shutdown else ""
            message = f"`{model.name}` was shut down{when} ({model.provider.name})"
            if replacement:
                message += f"; use {shown(replacement)}"
            message += skipped_note(skipped, on)
            yield self.finding(
                ctx,
                span,
                message,
                provider=model.provider.id,
                confidence=hit.confidence,
                reason=hit.reason,
                fix=producers.model(ctx.file, span, model.name, replacement),
            )
