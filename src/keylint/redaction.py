"""Redaction of text keylint echoes from its input: config keys, selectors, paths, git ranges.

The engine scrubs findings and parser errors; this does the same for what the command line
and the config file hand back in an error message (a secret is never printed in
full). The provider data is loaded only when there is something to scrub.
"""

from __future__ import annotations

import re

from keylint.findings import redact

# Besides provider-format keys: any long run of mixed-case letters and digits. An echoed
# selector, path or range like that is a pasted secret far more often than a name, and a key
# with one character too many (`<key>x`) no longer matches its format.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24,}")


def _random_looking(token: str) -> bool:
    return (
        any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and any(c.isdigit() for c in token)
    )


def scrub(text: str) -> str:
    """``text`` with every provider-format key, and every key-like token, redacted."""
    if len(text) < 8:  # shorter than any key format: skip loading the provider data
        return text
    from keylint.providers import load

    db = load()
    for start, end, fmt in reversed(db.find_keys(text)):
        text = text[:start] + redact(text[start:end], fmt.prefix) + text[end:]
    return _TOKEN.sub(_redact_token, text)


def _redact_token(match: re.Match[str]) -> str:
    token = match.group()
    return redact(token) if _random_looking(token) else token
