from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl6_sdk import pin_note, sdk_index, uses
from keylint.facts import Span
from keylint.findings import Category, Finding
from keylint.fix import producers


class RemovedSdkKwarg(Rule):
    """A keyword argument the current SDK no longer takes: `engine=`, `use_auth_token=`.

    ## What it does
    Finds keyword arguments listed in `rules/providers/*.yaml` on calls into an SDK,
    resolved through imports: `engine=` on any `openai` call (removed in openai 1.0.0, use
    `model=`), `use_auth_token=` on `huggingface_hub` (removed in 1.0) and `transformers`
    (removed in 5.0) calls, use `token=`. The finding sits on the keyword.

    ## Why is this bad?
    The current SDK raises `TypeError: unexpected keyword argument`, or — in the releases
    that still accept it with a warning — the argument is the one that will break next.

    ## Example
    ```python
    openai.Completion.create(engine="davinci-002", prompt=prompt)
    ```

    Use instead:
    ```python
    OpenAI().completions.create(model="davinci-002", prompt=prompt)
    ```

    ## References
    - https://github.com/openai/openai-python/discussions/742 (`engine` ⇒ `model`)
    - https://github.com/huggingface/transformers/pull/41666
    """

    code = "KL602"
    name = "removed-sdk-kwarg"
    category = Category.DEPRECATED_SDK
    fixable = "sometimes"
    fix_applicability = "unsafe"
    summary = "A keyword argument that the current SDK no longer takes."
    examples = (
        Example(
            "app.py",
            "from transformers import AutoModel\n\n"
            'model = AutoModel.from_pretrained("org/m", use_auth_token=True)\n',
            ((3, 44),),
        ),
        Example(
            "app.py",
            'import openai\nopenai.Embedding.create(engine="text-embedding-3-small", input=x)\n',
            ((2, 25),),
        ),
        Example(
            "app.py",
            "from transformers import AutoModel\n\n"
            'model = AutoModel.from_pretrained("org/m", token=True)\n',
        ),
        Example("db.py", 'engine = create_engine("sqlite://", engine="x")\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        entries = sdk_index(ctx.db).kwargs
        if not entries:
            return
        for use in uses(ctx):
            if use.how != "kwarg" or not use.detail:
                continue
            for entry in entries:
                if entry.kwarg == use.detail and fnmatch.fnmatchcase(use.symbol, entry.callee):
                    span = Span(
                        use.span.line,
                        use.span.column,
                        use.span.line,
                        use.span.column + len(use.detail),
                    )
                    note = pin_note(ctx.pins, entry.since, entry.package)
                    yield self.finding(
                        ctx,
                        span,
                        f"`{use.detail}=` was removed in {entry.since}; pass "
                        f"`{entry.replacement}=` instead{note}",
                        provider=entry.provider.id,
                        fix=producers.renamed_kwarg(ctx.file, span, use.detail, entry.replacement),
                    )
                    break
