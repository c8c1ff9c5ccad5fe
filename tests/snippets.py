"""The README's install, pre-commit and CI snippets, read from tests/data/readme-snippets.md
(the README copies them verbatim), so the tests run exactly what users paste."""

from __future__ import annotations

import re
from pathlib import Path

SNIPPETS = Path(__file__).resolve().parent / "data" / "readme-snippets.md"
PLACEHOLDERS = ("<repository-url>", "<commit-sha>")


def snippet(name: str) -> str:
    """The fenced block after ``<!-- snippet: name -->``."""
    text = SNIPPETS.read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- snippet: {re.escape(name)} -->\n```[a-z]*\n(.*?)^```", text, re.S | re.M
    )
    if match is None:
        raise KeyError(f"no snippet {name!r} in {SNIPPETS}")
    return match.group(1)


def filled(name: str, url: str, sha: str = "") -> str:
    """The snippet with the placeholders replaced; nothing else in it is changed."""
    text = snippet(name).replace("<repository-url>", url).replace("<commit-sha>", sha)
    assert "<" not in text.replace("<<", ""), f"snippet {name!r} has other placeholders"
    return text
