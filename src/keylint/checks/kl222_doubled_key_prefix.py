from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl221_malformed_key import doubled_prefix, slot_keys
from keylint.findings import Category, Finding, Fix, Secret, Severity


class DoubledKeyPrefix(Rule):
    """A key whose prefix is written twice: `sk-sk-proj-…`, `gsk_gsk_…`.

    ## What it does
    Reports a key-slot value that starts with a provider prefix from `rules/providers/`
    followed by the same prefix again (or one of the same family: `sk-` then `sk-proj-`).
    It happens when a template already holds the prefix (`OPENAI_API_KEY=sk-`) and the
    whole key is pasted after it. The fix removes the first copy.

    ## Why is this bad?
    The provider sees an unknown key and answers 401 ("Incorrect API key provided:
    sk-sk-pr\\*\\*\\*"); the doubled prefix is easy to overlook in a long key.

    ## Example
    ```shell
    OPENAI_API_KEY=sk-sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```
    """

    code = "KL222"
    name = "doubled-key-prefix"
    category = Category.MALFORMED_KEY
    severity = Severity.ERROR
    fixable = "always"
    fix_applicability = "safe"
    summary = "A key's provider prefix is written twice."
    examples = (
        Example(
            ".env", "OPENAI_API_KEY=sk-{key:openai-project-key}\n", ((1, 16),), git_ignored=True
        ),
        Example("app.py", 'client = Groq(api_key="gsk_{key:groq-api-key}")\n', ((1, 24),)),
        Example("config.yaml", "hf:\n  token: hf_{key:huggingface-token}\n", ((2, 10),)),
        Example(".env", "OPENAI_API_KEY={key:openai-project-key}\n", (), git_ignored=True),
        Example(".env", "OPENAI_API_KEY=sk-sk-...\n", ()),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for kt, text, start in slot_keys(ctx):
            prefix = doubled_prefix(text, ctx)
            if prefix is None:
                continue
            span = kt.span(ctx.file, start, len(prefix))
            secret = Secret.of(text[len(prefix) :], prefix)
            yield self.finding(
                ctx,
                kt.span(ctx.file, start, len(text)),
                f"the key starts with `{prefix}` twice (`{prefix}{secret.redacted}`): "
                f"the API will answer 401; remove the first `{prefix}`",
                secret=secret,
                fix=Fix(span, "", f"remove the doubled `{prefix}`"),
            )
