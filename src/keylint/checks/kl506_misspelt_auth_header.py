from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl5_headers import auth_of, canonical, headers, name_span, provider_of
from keylint.findings import Category, Finding

_SPELLING = {
    "authorization": "Authorization",
    "x-api-key": "x-api-key",
    "x-goog-api-key": "x-goog-api-key",
    "anthropic-version": "anthropic-version",
}


class MisspeltAuthHeader(Rule):
    """A misspelt auth header name: `Authorisation`, `Authorizaton`, `x_api_key`.

    ## What it does
    Finds header names one or two letters away from `Authorization` (anywhere), and from
    `x-api-key`, `x-goog-api-key` or `anthropic-version` (where the request goes to a
    provider that reads that header), including `_` written for `-`. The finding sits on
    the name.

    ## Why is this bad?
    The server ignores a header it does not know: the request arrives without a key and
    answers 401 "missing API key", though the key is right there. Proxies such as nginx also
    drop header names with underscores by default.

    ## Example
    ```python
    headers = {"Authorisation": f"Bearer {key}"}
    ```

    Use instead:
    ```python
    headers = {"Authorization": f"Bearer {key}"}
    ```

    ## References
    - RFC 9110 §11.6.2 (Authorization)
    - nginx `underscores_in_headers` (off by default)
    """

    code = "KL506"
    name = "misspelt-auth-header"
    category = Category.AUTH_HEADER
    summary = "An auth header name is misspelt, so the server never sees the key."
    examples = (
        Example("client.py", 'headers = {"Authorisation": f"Bearer {key}"}\n', ((1, 13),)),
        Example(
            "call.sh",
            'curl https://api.anthropic.com/v1/messages -H "x_api_key: $ANTHROPIC_API_KEY" '
            '-H "anthropic-version: 2023-06-01"\n',
            ((1, 48),),
        ),
        Example("client.py", 'headers = {"Authorization": f"Bearer {key}"}\n'),
        Example("client.py", 'headers = {"X-Api-Key": key}\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for header in headers(ctx):
            name, misspelt = canonical(header.name)
            if not misspelt:
                continue
            if name != "authorization":
                auth = auth_of(provider_of(ctx, header))
                if auth is None or not (auth.accepts(name) or name in auth.requires):
                    continue
            right = _SPELLING.get(name, name)
            yield self.finding(
                ctx,
                name_span(ctx, header),
                f"`{header.name}` is not a header the API reads; did you mean `{right}`?",
            )
