"""Inline suppression.

``keylint: ignore`` or ``keylint: ignore[KL101,KL2]`` in a comment on the finding's line
suppresses it (any comment syntax: ``#``, ``//``, ``--``, ``<!-- -->``); detect-secrets'
``pragma: allowlist secret`` on the line, or ``pragma: allowlist nextline secret`` on the line
before, suppresses ``hardcoded-secret`` findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from keylint.config import selector_matches
from keylint.findings import Category, Finding
from keylint.source import SourceFile

_IGNORE = re.compile(r"keylint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_ALLOWLIST = re.compile(r"pragma:\s*(?:allowlist|whitelist)\s+secret", re.IGNORECASE)
_ALLOWLIST_NEXT = re.compile(
    r"pragma:\s*(?:allowlist|whitelist)\s+nextline\s+secret", re.IGNORECASE
)


def _codes_match(codes: str | None, finding: Finding) -> bool:
    """The one selector matcher of --select/--ignore and per-file-ignores: ``ALL``, a code
    prefix, a rule name or a category."""
    if codes is None:
        return True
    return any(
        selector_matches(code, finding.rule, finding.name, finding.category.value)
        for code in (c.strip() for c in codes.split(","))
        if code
    )


def is_suppressed(finding: Finding, file: SourceFile) -> bool:
    line = file.line_text(finding.span.line)
    for match in _IGNORE.finditer(line):
        if _codes_match(match.group("codes"), finding):
            return True
    if finding.category is Category.HARDCODED_SECRET:
        if _ALLOWLIST.search(line):
            return True
        if finding.span.line > 1 and _ALLOWLIST_NEXT.search(file.line_text(finding.span.line - 1)):
            return True
    return False


def apply(findings: Iterable[Finding], file: SourceFile) -> list[Finding]:
    if "keylint" not in file.text and "allowlist" not in file.text and "whitelist" not in file.text:
        return list(findings)
    return [f for f in findings if not is_suppressed(f, file)]


def unknown_codes(file: SourceFile) -> str | None:
    """``keylint: ignore[...]`` naming no rule (a typo suppresses nothing): the message."""
    if "keylint" not in file.text:
        return None
    from keylint.selectors import unknown

    problems = []
    for match in _IGNORE.finditer(file.text):
        for code in (match.group("codes") or "").split(","):
            problem = unknown(code) if code.strip() else None
            if problem:
                line = file.text.count("\n", 0, match.start()) + 1
                problems.append(f"line {line}: {problem} in `keylint: ignore[...]`")
    return "; ".join(problems) or None
