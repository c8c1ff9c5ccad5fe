"""Auth-related HTTP header names, and their near misses (``Authorisation``, ``x_api_key``).

Apart from the text scanner so the Python extractor can ask without importing it.
"""

from __future__ import annotations

import functools

from keylint.distance import osa_distance

# Header names that are right as written, and the ones whose near misses are still taken
# as (misspelt) header names: `Authorisation`, `x_api_key`, `anthropic_version`.
_KNOWN_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "anthropic-version",
        "x-api-token",
    }
)
_NEAR_HEADERS = ("authorization", "x-api-key", "x-goog-api-key", "anthropic-version")


# A near miss keeps one of these pieces of the name it misses: a cheap test that spares the
# edit distance for the many dict keys and JSON keys that are nothing like a header.
_NEAR_PIECES = ("aut", "ath", "rization", "risation", "api", "key", "goog", "anthrop", "version")


@functools.lru_cache(maxsize=4096)
def is_header_name(name: str) -> bool:
    """An auth-related HTTP header name, or a near miss of one (`Authorisation`)."""
    low = name.strip().lower()
    if low in _KNOWN_HEADERS:
        return True
    if not 6 <= len(low) <= 24:
        return False
    norm = low.replace("_", "-")
    if norm in _KNOWN_HEADERS:
        return True
    if not any(piece in norm for piece in _NEAR_PIECES):
        return False
    return any(osa_distance(norm, k) <= (2 if len(k) > 9 else 1) for k in _NEAR_HEADERS)
