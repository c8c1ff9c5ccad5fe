from __future__ import annotations

from collections.abc import Iterator

from keylint import names
from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl221_malformed_key import slot_keys
from keylint.findings import Category, Finding, Fix, Secret, Severity


class SchemeInKey(Rule):
    """A key stored with its `Bearer ` scheme: `OPENAI_API_KEY=Bearer sk-…`.

    ## What it does
    Reports a key slot (an SDK variable, `api_key=`, `x-api-key`) whose value starts with
    an HTTP auth scheme (`Bearer `, `Token `, `Basic `). The scheme belongs in the
    `Authorization` header, which the SDK builds itself; `Authorization` header values are
    not reported here (a malformed header is the auth-header rules' business). The fix
    removes the scheme.

    ## Why is this bad?
    openai and anthropic prepend `Bearer ` themselves and send `Bearer Bearer sk-…`, which
    the API rejects with 401. The Speakeasy-generated SDKs (mistralai, openrouter) accept a
    value that already starts with `Bearer ` (mistralai `utils/security.py`), so the same
    `.env` works with one client and fails with another.

    ## Example
    ```shell
    OPENAI_API_KEY=Bearer sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```
    """

    code = "KL223"
    name = "scheme-in-key"
    category = Category.MALFORMED_KEY
    severity = Severity.ERROR
    fixable = "always"
    fix_applicability = "safe"
    summary = "A key is stored with its `Bearer ` scheme, which the SDK adds again."
    examples = (
        Example(
            ".env", "OPENAI_API_KEY=Bearer {key:openai-project-key}\n", ((1, 16),), git_ignored=True
        ),
        Example(
            "app.py", 'client = Anthropic(api_key="Bearer {key:anthropic-api-key}")\n', ((1, 29),)
        ),
        Example("app.py", 'headers = {"Authorization": "Bearer {key:openai-project-key}"}\n', ()),
        Example(".env", "OPENAI_API_KEY=Bearer YOUR_API_KEY\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for kt, text, start in slot_keys(ctx):
            if names.is_auth_header(kt.value.name):
                continue
            scheme, key = keys.strip_scheme(text)
            if not scheme or not keys.key_like(keys.clean_key(key), ctx.db):
                continue  # `token = tokenize(…)` in a script is code, not a stored key
            word = text[:scheme].strip()
            secret = Secret.of(key)
            span = kt.span(ctx.file, start, scheme)
            yield self.finding(
                ctx,
                kt.span(ctx.file, start, len(text)),
                f"the key is stored with its `{word}` scheme (`{word} {secret.redacted}`): "
                f"openai and anthropic send `Bearer {word} …` and get 401; store the key alone",
                secret=secret,
                fix=Fix(span, "", f"remove `{text[:scheme]}`"),
            )
