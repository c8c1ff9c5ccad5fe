from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl5_headers import (
    auth_of,
    canonical,
    head,
    headers,
    holds_api_key,
    provider_of,
    value_span,
)
from keylint.findings import Category, Finding

_SCHEME = re.compile(r"\s*(?P<word>[A-Za-z][\w-]*)(?=\s+\S|\s*$)")


class AuthSchemeWrong(Rule):
    """An API key sent with the wrong scheme: `Token sk-…`, `Basic <key>`, or `Bearer` in a
    header that takes the bare key.

    ## What it does
    Finds `Authorization` values whose scheme is not one the provider accepts for its API
    key (`Token`, `Api-Key`, `Key`; `Basic` followed by an API key rather than base64
    credentials), for providers known from the request's host, the key's prefix or the key
    variable named in the value; and `x-api-key`, `api-key` or `x-goog-api-key` values that
    start with `Bearer `, which those headers send as part of the key. The schemes come from
    the `auth:` data in `rules/providers/*.yaml` (GitHub accepts `token`, so it is not
    reported there).

    ## Why is this bad?
    The server does not recognise the scheme and answers 401 as if the key were wrong.

    ## Example
    ```python
    headers = {"x-api-key": f"Bearer {os.environ['ANTHROPIC_API_KEY']}"}
    ```

    Use instead:
    ```python
    headers = {"x-api-key": os.environ["ANTHROPIC_API_KEY"]}
    ```

    ## References
    - mistralai `utils/security.py` (Speakeasy SDKs accept a value that already starts with
      `Bearer `; openai and anthropic send `Bearer Bearer …`)
    """

    code = "KL502"
    name = "auth-scheme-wrong"
    category = Category.AUTH_HEADER
    summary = "An API key is sent with a scheme the provider does not accept."
    examples = (
        Example(
            "call.sh",
            'curl https://api.openai.com/v1/models -H "Authorization: Token $OPENAI_API_KEY"\n',
            ((1, 58),),
        ),
        Example(
            "client.py",
            'headers = {"x-api-key": f"Bearer {os.environ[\'ANTHROPIC_API_KEY\']}"}\n',
            ((1, 27),),
        ),
        Example(
            "gh.sh",
            'curl https://api.github.com/user -H "Authorization: token $GITHUB_TOKEN"\n',
        ),
        Example(
            "client.py",
            'headers = {"Authorization": "Basic " + base64.b64encode(creds).decode()}\n',
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for header in headers(ctx):
            name = canonical(header.name)[0]
            text = head(header)
            if name in ("x-api-key", "api-key", "x-goog-api-key"):
                if re.match(r"\s*bearer\s", text, re.IGNORECASE):
                    yield self.finding(
                        ctx,
                        value_span(ctx, header),
                        f"`{header.name}` takes the bare key: `Bearer ` is sent as part of it",
                    )
                continue
            if name != "authorization":
                continue
            m = _SCHEME.match(text)
            if m is None or (len(header.parts) == 1 and not text[m.end() :].strip()):
                continue
            word = m.group("word")
            if word.lower().rstrip(":") == "bearer":
                continue
            provider = provider_of(ctx, header)
            auth = auth_of(provider)
            if provider is None or auth is None:
                continue
            accepted = auth.key_schemes("authorization")
            if not accepted or word.lower() in auth.schemes("authorization"):
                continue
            if word.lower() == "basic" and not holds_api_key(ctx, header, provider):
                continue
            expected = sorted(accepted)[0].capitalize()
            yield self.finding(
                ctx,
                value_span(ctx, header),
                f"{provider.name} expects `Authorization: {expected} <key>`, not `{word} …`",
                provider=provider.id,
            )
