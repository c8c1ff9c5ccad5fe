"""Redaction of text keylint echoes from its input: config keys, selectors, paths, git ranges.

The engine scrubs findings and parser errors; this does the same for what the command line
and the config file hand back in an error message (contract §5: a secret is never printed in
full). The provider data is loaded only when there is something to scrub.
"""

from __future__ import annotations

from keylint.findings import redact


def scrub(text: str) -> str:
    """``text`` with every provider-format key in it redacted."""
    if len(text) < 8:  # shorter than any key format: skip loading the provider data
        return text
    from keylint.providers import load

    for start, end, fmt in reversed(load().find_keys(text)):
        text = text[:start] + redact(text[start:end], fmt.prefix) + text[end:]
    return text
