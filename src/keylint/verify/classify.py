"""A provider's answer (status, body) → a result, by the table of ``rules/verify/<id>.yaml``.

The first row whose conditions all hold wins; no row → ``error`` with the status: an
unexpected answer is said as such, never guessed to be "invalid".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from keylint.verify.spec import ProviderCheck, Row

# Fields of the common error shapes that name the kind of error: OpenAI/Groq
# {"error": {"type", "code"}}, Anthropic {"error": {"type"}}, Google {"error": {"status",
# "details": [{"reason"}]}}, Slack {"ok": false, "error": "invalid_auth"}.
_CODE_FIELDS = ("code", "type", "status", "reason", "error")


@dataclass(frozen=True)
class Classified:
    """A provider's answer, read: the result and reason of the first table row that matched."""

    result: str
    reason: str | None
    row: Row | None


def classify(check: ProviderCheck, status: int, body: bytes) -> Classified:
    text = body[:65536].decode("utf-8", "replace")
    try:
        doc: Any = json.loads(text) if text.strip() else None
    except ValueError:
        doc = None
    codes = set(_codes(doc))
    lowered = text.lower()
    for row in check.rows:
        if status not in row.statuses:
            continue
        if row.codes and not codes.intersection(row.codes):
            continue
        if row.body is not None and row.body.lower() not in lowered:
            continue
        if row.json and not all(_matches(_lookup(doc, path), want) for path, want in row.json):
            continue
        return Classified(row.result, row.reason, row)
    return Classified("error", None, None)


def _codes(doc: Any, depth: int = 0) -> Iterator[str]:
    """Strings that name the error, from the known fields at any depth up to 3."""
    if depth > 3:
        return
    if isinstance(doc, dict):
        for key, value in doc.items():
            if (
                key in _CODE_FIELDS
                and isinstance(value, (str, int))
                and not isinstance(value, bool)
            ):
                yield str(value)
            if isinstance(value, (dict, list)):
                yield from _codes(value, depth + 1)
    elif isinstance(doc, list):
        for item in doc[:20]:
            yield from _codes(item, depth + 1)


def _lookup(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return _MISSING
        doc = doc[part]
    return doc


_MISSING = object()


def _matches(actual: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(want, bool) and actual is want
    if isinstance(want, int):
        return isinstance(actual, (int, float)) and actual == want
    return bool(actual == want)
