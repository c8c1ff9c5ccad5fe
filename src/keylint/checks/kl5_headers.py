"""What the auth-header rules share (KL5xx): header names, where a header's value starts, the
provider a header is meant for, and the ``auth:`` sections of rules/providers/*.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from keylint.checks.base import FileContext
from keylint.checks.kl4_endpoints import provider_for_host
from keylint.distance import osa_distance
from keylint.facts import Header, Span
from keylint.providers import Provider
from keylint.span import value_class

# The headers an API key goes in.
KEY_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
# Names that are right as written, though near one of the names below.
_CORRECT = frozenset((*KEY_HEADERS, "proxy-authorization", "x-api-token", "anthropic-version"))
_CANONICAL = ("authorization", "x-api-key", "x-goog-api-key", "anthropic-version")
_STRING_START = re.compile(r"[rRbBuUfF]{0,2}(\"\"\"|'''|\"|'|`)")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{2,}")


def canonical(name: str) -> tuple[str, bool]:
    """The header a name means, and whether it is misspelt (`Authorisation`, `x_api_key`)."""
    low = name.strip().lower()
    if low in _CORRECT:
        return low, False
    norm = low.replace("_", "-")
    for known in _CANONICAL:
        if norm == known or osa_distance(norm, known) <= (2 if len(known) > 9 else 1):
            return known, True
    return low, False


def headers(ctx: FileContext) -> Iterator[Header]:
    """Headers in code and configuration (never prose, comments or outputs)."""
    for header in ctx.of(Header):
        if header.context.runs:
            yield header


def source_text(ctx: FileContext, header: Header) -> str:
    """The header value as written in the file (a Python expression, a curl argument)."""
    file = ctx.file
    span = header.value_span
    try:
        return file.text[
            file.offset(span.line, span.column) : file.offset(span.end_line, span.end_column)
        ]
    except IndexError:
        return header.literal


def value_span(ctx: FileContext, header: Header) -> Span:
    """Where the value's text starts: inside the quotes of a string literal."""
    span = header.value_span
    if not header.how.startswith(("python", "js")):
        return span  # other extractors give the value without its quotes
    text = source_text(ctx, header)
    m = _STRING_START.match(text)
    if not m or "\n" in text[: m.end()]:
        return span
    quote = m.group(1)
    end_column = span.end_column
    if span.line == span.end_line and text.endswith(quote) and len(text) >= m.end() + len(quote):
        end_column -= len(quote)
    return Span(span.line, span.column + m.end(), span.end_line, end_column)


def name_span(ctx: FileContext, header: Header) -> Span:
    """The header name without the quotes around it (Python dict keys carry them)."""
    span = header.name_span
    file = ctx.file
    try:
        start = file.offset(span.line, span.column)
        end = file.offset(span.end_line, span.end_column)
    except IndexError:
        return span
    text = file.text[start:end]
    if len(text) >= 2 and text[0] in "\"'" and text[-1] == text[0] and span.line == span.end_line:
        return Span(span.line, span.column + 1, span.end_line, span.end_column - 1)
    return span


def head(header: Header) -> str:
    """The literal text before the first dynamic piece."""
    first = header.parts[0] if header.parts else None
    return first if isinstance(first, str) else ""


@value_class(frozen=True)
class Auth:
    """A provider's ``auth:`` section."""

    provider: Provider
    header: str
    scheme: str | None
    also: tuple[tuple[str, str | None, str | None], ...]  # (header, scheme, credential)
    requires: tuple[str, ...]

    def accepts(self, name: str) -> bool:
        return name == self.header or any(name == h for h, _s, _c in self.also)

    def schemes(self, name: str) -> set[str]:
        found = {self.scheme.lower()} if self.header == name and self.scheme else set()
        found.update(s.lower() for h, s, _c in self.also if h == name and s)
        return found

    def key_schemes(self, name: str) -> set[str]:
        """Schemes this header takes with the API key (not only with other tokens)."""
        found = {self.scheme.lower()} if self.header == name and self.scheme else set()
        found.update(s.lower() for h, s, c in self.also if h == name and s and c != "token")
        return found


def auth_of(provider: Provider | None) -> Auth | None:
    if provider is None:
        return None
    section: Any = provider.section("auth")
    if not isinstance(section, Mapping) or not section.get("header"):
        return None
    also = tuple(
        (
            str(a.get("header", "")).lower(),
            str(a["scheme"]) if a.get("scheme") else None,
            str(a["credential"]) if a.get("credential") else None,
        )
        for a in section.get("also") or ()
        if isinstance(a, Mapping)
    )
    return Auth(
        provider,
        str(section["header"]).lower(),
        str(section["scheme"]) if section.get("scheme") else None,
        also,
        tuple(str(r).lower() for r in section.get("requires") or ()),
    )


def host_provider(ctx: FileContext, header: Header) -> Provider | None:
    return provider_for_host(ctx.db, header.host) if header.host else None


def key_provider(ctx: FileContext, header: Header) -> Provider | None:
    """The provider whose key the value holds: by the key's prefix in the literal text, or
    by the provider's env var named in the expression (`$OPENAI_API_KEY`,
    `os.environ["GROQ_API_KEY"]`)."""
    token = re.sub(r"^\s*[A-Za-z][\w-]*[ :]+", "", head(header), count=1)
    for text in (head(header).strip(), token):
        for fmt in ctx.db.formats_claimed_by(text):
            if fmt.strict:
                return ctx.db.by_id[fmt.provider]
    for name in _ENV_NAME.findall(source_text(ctx, header)):
        provider = ctx.db.env_to_provider.get(name)
        if provider is not None:
            return provider
    return None


def provider_of(ctx: FileContext, header: Header) -> Provider | None:
    return host_provider(ctx, header) or key_provider(ctx, header)


_NOT_A_KEY = ("token", "credential", "entra", "msal", "access", "oauth", "jwt", "b64", "base64")


def holds_api_key(ctx: FileContext, header: Header, provider: Provider | None = None) -> bool:
    """Does the value carry an API key (not an OAuth/Entra token, not base64 credentials)?"""
    literal = header.literal
    for text in (literal, re.sub(r"^\s*[A-Za-z][\w-]*\s+", "", literal, count=1)):
        for fmt in ctx.db.formats_claimed_by(text.strip()):
            if fmt.strict:
                return True
    source = source_text(ctx, header)
    lower = source.lower()
    if provider is not None and any(name in source for name in provider.key_env):
        return True
    return "key" in lower and not any(word in lower for word in _NOT_A_KEY)
