from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import piece_span, provider_for_host, running_values, urls_in
from keylint.checks.kl5_headers import auth_of
from keylint.facts import Value
from keylint.findings import Category, Finding

# A request made here: the URL is an argument of it (or of a curl command).
_REQUEST = re.compile(
    r"\bcurl\b|\bfetch\s*\(|\baxios\b|\b(?:requests|httpx|session|client|aiohttp)\.\w+\s*\("
    r"|\bRequest\s*\(|\burlopen\s*\(|^\s*(?:GET|POST|PUT|PATCH|DELETE)\s+https?://",
    re.IGNORECASE,
)


def _requested_here(ctx: FileContext, value: Value) -> bool:
    first = max(1, value.span.line - 2)
    return any(_REQUEST.search(ctx.file.line_text(n)) for n in range(first, value.span.line + 1))


class RequiredHeadersMissing(Rule):
    """A raw request to an API that needs headers the file never sends: Anthropic without
    `anthropic-version` or without any key header.

    ## What it does
    For URLs of API endpoints (a path below `/v1/`) on a host whose provider's `auth:` data
    lists required headers (Anthropic: `anthropic-version`), checks that the file sends them
    somewhere, and that it sends the key in one of the headers the provider reads
    (`x-api-key`, or `Authorization`). SDK clients add these headers themselves, so a base URL
    (`https://api.anthropic.com`, `…/v1/`) is not reported, only raw calls.

    ## Why is this bad?
    Anthropic answers 400 "anthropic-version: header is required" or 401 without a key
    header, whatever the key.

    ## Example
    ```bash
    curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" -d @body.json
    ```

    Use instead:
    ```bash
    curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" \\
      -H "anthropic-version: 2023-06-01" -d @body.json
    ```

    ## References
    - https://docs.anthropic.com/en/api/versioning (`anthropic-version` is required)
    """

    code = "KL508"
    name = "required-headers-missing"
    category = Category.AUTH_HEADER
    summary = "A raw API request lacks a header the API requires (anthropic-version)."
    precision = "medium"
    examples = (
        Example(
            "call.sh",
            'curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" '
            "-d @body.json\n",
            ((1, 6),),
        ),
        Example(
            "call.sh",
            'curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" '
            '-H "anthropic-version: 2023-06-01" -d @body.json\n',
        ),
        Example("app.py", 'client = Anthropic(base_url="https://api.anthropic.com")\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        lower: str | None = None
        for value in running_values(ctx):
            for url in urls_in(value.raw):
                if not url.path.startswith("/v1/") or len(url.path.rstrip("/")) <= 3:
                    continue
                if not _requested_here(ctx, value):
                    continue  # a URL kept for a request made elsewhere, with its headers
                provider = provider_for_host(ctx.db, url.host)
                auth = auth_of(provider)
                if provider is None or auth is None or not auth.requires:
                    continue
                if lower is None:
                    lower = ctx.file.text.lower()
                missing = [f"`{name}`" for name in auth.requires if name not in lower]
                key_headers = [auth.header, *(h for h, _s, _c in auth.also)]
                if not any(name in lower for name in key_headers):
                    missing.append(
                        "a key header (" + " or ".join(f"`{h}`" for h in key_headers) + ")"
                    )
                if not missing:
                    continue
                yield self.finding(
                    ctx,
                    piece_span(ctx, value, url.start, url.end),
                    f"request to {provider.name} without "
                    + " and ".join(missing)
                    + f": {provider.name} rejects it whatever the key",
                    provider=provider.id,
                )
