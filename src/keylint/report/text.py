"""``path:line:col: CODE message``, grouped by file, coloured on a terminal, summary last."""

from __future__ import annotations

from collections import Counter

from keylint.findings import Confidence, Finding, Severity
from keylint.report import Report, printable

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}


def _style(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def format_finding(f: Finding, color: bool = False) -> str:
    where = _style(f.path, _BOLD, color) + _style(f":{f.span.line}:{f.span.column}:", _DIM, color)
    code = _style(f.rule, _BOLD + _COLORS[f.severity], color)
    suffix = ""
    if f.confidence is not Confidence.HIGH:
        suffix += " " + _style(f"({f.confidence.value} confidence)", _DIM, color)
    if f.verification:
        v = f.verification
        shown = f"{v.result} ({v.reason})" if v.reason else v.result
        suffix = " " + _style(f"[verified: {shown}]", _DIM, color)
    if f.fix_applicability == "safe":
        suffix += " " + _style("[*]", _DIM, color)
    return f"{where} {code} {f.message}{suffix}"


def summary(report: Report) -> str:
    counts = Counter(f.severity for f in report.findings)
    total = len(report.findings)
    files = len({f.path for f in report.findings})
    if total == 0:
        line = f"All checked: no problems in {report.files_checked} file(s)."
    else:
        parts = [
            f"{counts[s]} {s.value}" + ("s" if counts[s] != 1 and s is not Severity.INFO else "")
            for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
            if counts[s]
        ]
        line = (
            f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) "
            f"in {files} file{'s' if files != 1 else ''}."
        )
    if report.fixed:
        line += f" Fixed {report.fixed}."
    if report.hidden:
        line += (
            f" {report.hidden} low-confidence finding{'s' if report.hidden != 1 else ''} "
            "hidden (--min-confidence low shows them)."
        )
    if any(f.fix_applicability == "safe" for f in report.findings):
        line += " [*] fixable with --fix."
    return line


def render(report: Report, color: bool = False, show_summary: bool = True) -> str:
    lines: list[str] = []
    previous = None
    for f in report.findings:
        if previous is not None and f.path != previous:
            lines.append("")
        previous = f.path
        lines.append(format_finding(f, color))
    if show_summary:
        if lines:
            lines.append("")
        lines.append(summary(report))
    return printable("\n".join(lines) + "\n")  # a file name that is not UTF-8: \xNN


def statistics(report: Report) -> str:
    counts = Counter((f.rule, f.name) for f in report.findings)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    return "".join(f"{n}\t{code}\t{name}\n" for (code, name), n in rows)
