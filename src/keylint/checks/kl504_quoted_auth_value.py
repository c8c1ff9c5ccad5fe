from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl5_headers import KEY_HEADERS, canonical, headers, value_span
from keylint.findings import Category, Finding

_QUOTES = "\"'“”‘’`"
_AUTH_PARAM = re.compile(r"[\w-]+=\"[^\"]*\"")


class QuotedAuthValue(Rule):
    """Quote characters inside an auth header's value: `-H "Authorization: 'Bearer …'"`.

    ## What it does
    Finds quote characters (`"`, `'`, typographic quotes, backticks) in the literal text of
    `Authorization`, `x-api-key`, `api-key` and `x-goog-api-key` values, after the
    language's own quoting is removed: nested quotes in `curl -H`, quotes in HTTP files,
    escaped quotes in JSON, quotes inside a Python or JS string.

    ## Why is this bad?
    The quotes are sent as part of the header: `Bearer 'sk-…'` is not the key, and the API
    answers 401.

    ## Example
    ```bash
    curl https://api.anthropic.com/v1/messages -H "x-api-key: '$ANTHROPIC_API_KEY'"
    ```

    Use instead:
    ```bash
    curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY"
    ```

    ## References
    - moby/moby#46773, docker/cli#4665 (`--env-file` keeps quotes in the value)
    """

    code = "KL504"
    name = "quoted-auth-value"
    category = Category.AUTH_HEADER
    summary = "Quote characters are sent inside an auth header's value."
    examples = (
        Example(
            "call.sh",
            "curl https://api.anthropic.com/v1/messages -H \"x-api-key: '$ANTHROPIC_API_KEY'\"\n",
            ((1, 59),),
        ),
        Example(
            "config.json",
            '{"headers": {"Authorization": "Bearer \\"${OPENAI_API_KEY}\\""}}\n',
            ((1, 32),),
        ),
        Example(
            "call.sh",
            'curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY"\n',
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for header in headers(ctx):
            if canonical(header.name)[0] not in KEY_HEADERS:
                continue
            literal = "".join(p for p in header.parts if p is not None)
            # RFC 7235 auth-params quote their values: `Token token="…"`, `Digest realm="…"`.
            literal = _AUTH_PARAM.sub("", literal)
            found = next((q for q in _QUOTES if q in literal), None)
            if found is None:
                continue
            yield self.finding(
                ctx,
                value_span(ctx, header),
                f"`{header.name}` value contains `{found}`: the quote is sent as part of the "
                f"credential",
            )
