"""Python syntax newer than the interpreter keylint runs on.

``ast`` parses the grammar of the running Python only: on 3.11 a 3.12 ``type`` statement or
``def f[T]()`` is a SyntaxError, though the file is correct. Calling that a syntax error
would send the user hunting for a mistake that is not there. When the line that failed
holds a construct of a later version, the message says which version it needs instead.
The file's text-level checks run either way (the engine treats any parse error so).
"""

from __future__ import annotations

import re
import sys

# (first version with it, what it is, pattern on the line that failed)
_NEWER: tuple[tuple[tuple[int, int], str, re.Pattern[str]], ...] = (
    ((3, 11), "`except*`", re.compile(r"^\s*except\s*\*")),
    ((3, 12), "a `type` statement", re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*(?:\[[^\]]*\])?\s*=")),
    ((3, 12), "type parameters", re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+\w+\s*\[")),
    (
        (3, 12),
        "an f-string reusing its quote or a backslash inside `{}`",
        re.compile(r"""[fF][rR]?(?P<q>["']).*\{[^}]*(?:(?P=q)|\\)"""),
    ),
    (
        (3, 14),
        "`except` with several exceptions without parentheses",
        re.compile(r"^\s*except\s+[\w.]+\s*,\s*[\w.]+(?:\s*,\s*[\w.]+)*\s*:"),
    ),
    ((3, 14), "a template string (t-string)", re.compile(r"""(?<![\w'"])[tT][rR]?["']""")),
)


def newer_syntax(text: str, lineno: int | None) -> str | None:
    """``"Python 3.12 syntax (a `type` statement)"`` when the failing line needs a newer
    Python than this one, else None."""
    if not lineno:
        return None
    lines = text.splitlines()
    if not 0 < lineno <= len(lines):
        return None
    line = lines[lineno - 1]
    running = sys.version_info[:2]
    for version, what, pattern in _NEWER:
        if version > running and pattern.search(line):
            return f"Python {version[0]}.{version[1]} syntax ({what})"
    return None


def message(text: str, lineno: int | None, error: str) -> str:
    """The parse error as the user should read it."""
    newer = newer_syntax(text, lineno)
    if newer is None:
        return f"Python syntax error: {error}"
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return (
        f"{newer} that the Python {running} running keylint cannot parse: its Python checks "
        f"were skipped (the text-level checks ran); run keylint on a newer Python to check it all"
    )
