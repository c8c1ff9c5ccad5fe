from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl5_headers import (
    auth_of,
    canonical,
    head,
    headers,
    host_provider,
    key_provider,
    source_text,
    value_span,
)
from keylint.facts import Header
from keylint.findings import Category, Finding
from keylint.providers import Provider

# A value that is one name, attribute, subscript or call: `api_key`, `self.key`,
# `os.environ["OPENAI_API_KEY"]`, `$OPENAI_API_KEY`, `process.env.GROQ_API_KEY`.
_LOOKUP = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_SIMPLE = re.compile(r"^[\s$]*\{?[\w.]+(?:\[[^\]]*\]|\([^()]*\))*\}?\s*$")


class AuthSchemeMissing(Rule):
    """An `Authorization` header that carries the key without its scheme: `Authorization: sk-…`.

    ## What it does
    Finds `Authorization` headers — in Python dicts and `requests`/`httpx` calls, JS `fetch`
    options, YAML/JSON configuration, `curl -H`, HTTP files and Markdown code blocks — whose
    value is the key itself: a literal that starts with a provider's key prefix, or a lookup
    of a provider's key variable (`$OPENAI_API_KEY`, `os.environ["GROQ_API_KEY"]`), or, for a
    request to a known provider host, a variable holding the key. The scheme each provider
    expects comes from the `auth:` data in `rules/providers/*.yaml`.

    ## Why is this bad?
    The API reads `Authorization: Bearer <key>`; without `Bearer ` it answers 401 "You
    didn't provide an API key" or "invalid authorization header", and the key is blamed.

    ## Example
    ```bash
    curl https://api.openai.com/v1/models -H "Authorization: $OPENAI_API_KEY"
    ```

    Use instead:
    ```bash
    curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY"
    ```

    ## References
    - RFC 6750 §2.1 (Bearer token usage)
    - https://platform.openai.com/docs/api-reference/authentication
    """

    code = "KL501"
    name = "auth-scheme-missing"
    category = Category.AUTH_HEADER
    summary = "An Authorization header carries the key without its scheme (Bearer)."
    examples = (
        Example(
            "call.sh",
            'curl https://api.openai.com/v1/models -H "Authorization: $OPENAI_API_KEY"\n',
            ((1, 58),),
        ),
        Example(
            "client.py",
            'requests.get("https://api.groq.com/openai/v1/models", '
            'headers={"Authorization": api_key})\n',
            ((1, 81),),
        ),
        Example(
            "call.sh",
            'curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY"\n',
        ),
        Example("client.py", 'session.headers = {"Authorization": token}\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for header in headers(ctx):
            if canonical(header.name)[0] != "authorization" or not header.parts:
                continue
            provider = self._keyless_scheme(ctx, header)
            if provider is None:
                continue
            auth = auth_of(provider)
            schemes = sorted(auth.key_schemes("authorization")) if auth else []
            scheme = schemes[0].capitalize() if schemes else "Bearer"
            yield self.finding(
                ctx,
                value_span(ctx, header),
                f"`Authorization` carries the key without a scheme: {provider.name} expects "
                f"`Authorization: {scheme} <key>`",
                provider=provider.id,
            )

    def _keyless_scheme(self, ctx: FileContext, header: Header) -> Provider | None:
        """The provider whose key stands bare in the header, if one does."""
        text = head(header).strip()
        if text:
            for fmt in ctx.db.formats_claimed_by(text):
                if fmt.strict:
                    return self._takes_scheme(ctx.db.by_id[fmt.provider])
            lookup = _LOOKUP.fullmatch(text)  # '$OPENAI_API_KEY' in single quotes: literal
            if lookup and len(header.parts) == 1:
                provider = ctx.db.env_to_provider.get(lookup.group(1))
                return self._takes_scheme(provider) if provider else None
            return None
        source = source_text(ctx, header)
        if len(header.parts) > 1 or not _SIMPLE.match(source):
            return None
        by_key = key_provider(ctx, header)
        if by_key is not None:
            return self._takes_scheme(by_key)
        by_host = host_provider(ctx, header)
        lower = source.lower()
        if by_host is not None and "key" in lower and "token" not in lower:
            return self._takes_scheme(by_host)
        return None

    def _takes_scheme(self, provider: Provider) -> Provider | None:
        auth = auth_of(provider)
        if auth is not None and not auth.key_schemes("authorization"):
            return None  # the key does not go in Authorization at all (KL507)
        return provider
