"""``--fix``: apply the text edits that findings carry, atomically, and only those reported.

A fix is an exact span edit (``Fix.span`` → ``Fix.replacement``) computed by the rule on the
text it checked. Only findings that survived selection, suppression and the baseline are
fixed, so keylint never changes what it did not report. Each file is rewritten through a
temporary file and a rename (fileio.atomic_write): an interrupted run leaves the old file or
the new one, never half of each. A file that is not valid UTF-8 is never rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from keylint.fileio import atomic_write
from keylint.findings import Finding
from keylint.source import SourceFile

_BOM = b"\xef\xbb\xbf"


@dataclass
class FixResult:
    remaining: list[Finding]  # findings not fixed (to report)
    fixed: list[Finding]
    errors: list[tuple[str, str]]


def _allowed(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    if fix is None:
        return False
    return fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe")


def _apply_to_text(text: str, path: str, findings: Sequence[Finding]) -> tuple[str, list[Finding]]:
    """Apply non-overlapping fixes from the end of the file backwards."""
    source = SourceFile.from_text(path, text)
    edits = []
    for finding in findings:
        assert finding.fix is not None
        span = finding.fix.span
        start = source.offset(span.line, span.column)
        end = source.offset(span.end_line, span.end_column)
        edits.append((start, end, finding))
    edits.sort(key=lambda e: (e[0], e[1]), reverse=True)
    applied: list[Finding] = []
    limit = len(text) + 1
    for start, end, finding in edits:
        if end > limit or start > end:  # overlaps an edit already applied: leave it
            continue
        assert finding.fix is not None
        text = text[:start] + finding.fix.replacement + text[end:]
        limit = start
        applied.append(finding)
    return text, applied


def apply_fixes(findings: Sequence[Finding], cwd: Path, *, unsafe: bool = False) -> FixResult:
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if _allowed(finding, unsafe):
            by_path[finding.path].append(finding)
    fixed: list[Finding] = []
    errors: list[tuple[str, str]] = []
    for path, group in sorted(by_path.items()):
        target = cwd / path
        try:
            data = target.read_bytes()
        except OSError as exc:
            errors.append((path, f"cannot fix: {exc.strerror or exc}"))
            continue
        bom = data.startswith(_BOM)
        try:
            text = data[len(_BOM) if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError:
            errors.append((path, "not fixed: the file is not valid UTF-8"))
            continue
        new_text, applied = _apply_to_text(text, path, group)
        if not applied:
            continue
        try:
            atomic_write(target, (_BOM if bom else b"") + new_text.encode("utf-8"))
        except OSError as exc:
            errors.append((path, f"cannot write fix: {exc.strerror or exc}"))
            continue
        fixed.extend(applied)
    done = {id(f) for f in fixed}
    return FixResult([f for f in findings if id(f) not in done], fixed, errors)
