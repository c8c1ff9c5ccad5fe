"""The text formats as ruff has them: ``full`` (the default ``text``) and ``concise``.

``concise`` is one line per finding (``path:line:col: CODE message``). ``text`` adds, under
each finding, the line of source it points at with a caret under the span and the severity::

    app.py:2:26: KL101 OpenAI project API key `sk-proj-Keyl…mple` is hardcoded; …
      |
    2 | client = OpenAI(api_key="sk-proj-Keyl…mple")
      |                          ^^^^^^^^^^^^^^^^^ error
      |

The source line never shows a secret: every finding's secret on that line is replaced by its
redacted form, and so is any other provider-format key or long random-looking token in it,
whether or not a finding reports it (a rule may be ignored, a finding baselined). The carets
follow the redacted text. Findings of ``--history`` (their text is a past blob) show no line.

In notebooks both formats name the cell: ``nb.ipynb:cell 2, line 1:5:`` (SARIF and JSON keep
the physical line in the .ipynb file, where editors and code scanning place it).

The one-line header of each finding is ``text.format_finding``'s, so what that shows (fix
marks, verification, confidence) shows here too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

from keylint.findings import Finding, redact
from keylint.report import Report, printable
from keylint.report import text as text_report

_NEWLINE = re.compile(r"\r\n|\n|\r")  # the line ends keylint's spans count (source.py)
# A long token of key characters with letters and digits: redacted in a shown line even when
# no finding names it.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_+/-])[A-Za-z0-9_+/-]{24,}={0,2}(?![A-Za-z0-9_+/=-])")
_MAX_LINE = 200  # longer lines are cut around the span (minified files)


class _Lines:
    """The lines of each reported file, read once (``Report.source``: the checked text).
    (These helpers are plain classes: a dataclass costs a pre-commit run ~0.3 ms each.)"""

    def __init__(self, source: Callable[[str], str | None] | None) -> None:
        self.source = source
        self.cache: dict[str, list[str] | None] = {}

    def text(self, path: str) -> str | None:
        return self.source(path) if self.source is not None else None

    def get(self, path: str, line: int) -> str | None:
        if path not in self.cache:
            text = self.text(path)
            self.cache[path] = _NEWLINE.split(text) if text is not None else None
        lines = self.cache[path]
        if lines is None or not 0 < line <= len(lines):
            return None
        return lines[line - 1]


def render(report: Report, color: bool = False, show_summary: bool = True) -> str:
    """``--format text``: each finding with its source line and caret."""
    return _render(report, color, show_summary, snippets=True)


def render_concise(report: Report, color: bool = False, show_summary: bool = True) -> str:
    """``--format concise``: one line per finding."""
    return _render(report, color, show_summary, snippets=False)


def _render(report: Report, color: bool, show_summary: bool, snippets: bool) -> str:
    lines = _Lines(report.source)
    cells = _Cells(lines)
    secrets = _secrets_by_line(report) if snippets else {}
    out: list[str] = []
    previous = None
    for f in report.findings:
        # concise: a blank line between files; text: between findings, as ruff's blocks
        if previous is not None and (snippets or f.path != previous):
            out.append("")
        previous = f.path
        out.append(_header(f, color, cells))
        if snippets:
            out.extend(_snippet(f, secrets.get((f.path, f.span.line), []), lines, color))
    if show_summary:
        if out:
            out.append("")
        out.append(text_report.summary(report))
    return printable("\n".join(out) + "\n") if out else ""  # a non-UTF-8 file name: \xNN


def _header(f: Finding, color: bool, cells: _Cells) -> str:
    header = text_report.format_finding(f, color)
    cell = cells.locate(f) if f.path.endswith(".ipynb") else None
    if cell is None:
        return header
    style = text_report._style
    physical = style(f.path, text_report._BOLD, color) + style(
        f":{f.span.line}:{f.span.column}:", text_report._DIM, color
    )
    number, line = cell
    by_cell = style(f.path, text_report._BOLD, color) + style(
        f":cell {number}, line {line}:{f.span.column}:", text_report._DIM, color
    )
    return header.replace(physical, by_cell, 1)


# --- the source line ---------------------------------------------------------------------


def _snippet(
    f: Finding, secrets: list[tuple[int, int, str]], lines: _Lines, color: bool
) -> list[str]:
    if any(key == "commit" for key, _ in f.extra):
        return []  # --history: the text is a past blob, not the file
    raw = lines.get(f.path, f.span.line)
    if raw is None:
        return []
    start = f.span.column - 1
    end = f.span.end_column - 1 if f.span.end_line == f.span.line else len(raw)
    start, end = max(0, min(start, len(raw))), max(0, min(end, len(raw)))
    shown, where = _redacted(raw, secrets)
    shown_start, shown_end = where(start), where(end)
    shown, shown_start, shown_end = _cut(shown, shown_start, shown_end)
    gutter = str(f.span.line)
    pad = " " * len(gutter)
    # Tabs stay tabs under the text so the caret lines up in any terminal.
    lead = "".join("\t" if c == "\t" else " " for c in shown[:shown_start])
    carets = "^" * max(1, shown_end - shown_start)
    severity = f.severity.value
    bar = text_report._style("|", text_report._DIM, color)
    mark = text_report._style(f"{carets} {severity}", text_report._COLORS[f.severity], color)
    return [
        f"{pad} {bar}",
        f"{text_report._style(gutter, text_report._DIM, color)} {bar} {shown}".rstrip(),
        f"{pad} {bar} {lead}{mark}",
        f"{pad} {bar}",
    ]


def _secrets_by_line(report: Report) -> dict[tuple[str, int], list[tuple[int, int, str]]]:
    """(path, line) → (start, end, redacted) of every reported secret on that line."""
    out: dict[tuple[str, int], list[tuple[int, int, str]]] = {}
    for f in report.findings:
        if f.secret is None:
            continue
        end = f.span.end_column - 1 if f.span.end_line == f.span.line else 10**9
        out.setdefault((f.path, f.span.line), []).append(
            (f.span.column - 1, end, f.secret.redacted)
        )
    return out


def _redacted(raw: str, secrets: list[tuple[int, int, str]]) -> tuple[str, Callable[[int], int]]:
    """The line with every secret redacted, and the map from raw columns to shown ones."""
    # (start, rank, end, replacement): where spans overlap, a finding's own redaction wins
    spans = [(s, 0, min(e, len(raw)), r) for s, e, r in secrets if s < len(raw)]
    spans += [(s, 1, e, redact(raw[s:e], prefix)) for s, e, prefix in _keys_in(raw)]
    spans += [
        (m.start(), 2, m.end(), redact(m.group()))
        for m in _TOKEN.finditer(raw)
        if _random_looking(m.group())
    ]
    merged: list[tuple[int, int, str]] = []
    for start, _rank, end, replacement in sorted(spans, key=lambda t: (t[0], t[1])):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if end > last[1]:  # overlapping: redact the union, shown by the first's form
                merged[-1] = (last[0], end, last[2])
            continue
        merged.append((start, end, replacement))
    pieces: list[str] = []
    marks: list[tuple[int, int, int, int]] = []  # raw start, raw end, shown start, shown end
    at = 0
    shown_len = 0
    for start, end, replacement in merged:
        pieces.append(raw[at:start])
        shown_len += start - at
        marks.append((start, end, shown_len, shown_len + len(replacement)))
        pieces.append(replacement)
        shown_len += len(replacement)
        at = end
    pieces.append(raw[at:])

    def where(column: int) -> int:
        shift = 0
        for r_start, r_end, s_start, s_end in marks:
            if column <= r_start:
                break
            if column < r_end:
                return s_start  # inside a redacted span: its start
            if column == r_end:
                return s_end
            shift = s_end - r_end
        return column + shift

    return "".join(pieces), where


def _keys_in(raw: str) -> list[tuple[int, int, str]]:
    """Provider-format keys in the line: (start, end, the format's prefix)."""
    from keylint.providers import load

    return [(s, e, fmt.prefix) for s, e, fmt in load().find_keys(raw)]


def _random_looking(token: str) -> bool:
    if not (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)):
        return False
    counts = Counter(token)
    entropy = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return entropy >= 3.5


def _cut(shown: str, start: int, end: int) -> tuple[str, int, int]:
    """A long line cut to a window around the span, with ``…`` where text was left out."""
    if len(shown) <= _MAX_LINE:
        return shown, start, end
    left = max(0, start - 60)
    right = min(len(shown), max(end, start + 1) + 60, left + _MAX_LINE)
    head = "…" if left > 0 else ""
    tail = "…" if right < len(shown) else ""
    offset = left - len(head)
    return head + shown[left:right] + tail, start - offset, min(end, right) - offset


# --- notebooks -----------------------------------------------------------------------------


class _Cells:
    """A position in an .ipynb file → (cell number, line in the cell), by parsing it."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.maps: dict[str, _CellMap | None] = {}

    def locate(self, f: Finding) -> tuple[int, int] | None:
        if f.path not in self.maps:
            self.maps[f.path] = _CellMap.of(self.lines.text(f.path))
        found = self.maps[f.path]
        return found.locate(f.span.line, f.span.column) if found else None


class _CellMap:
    def __init__(
        self, text: str, line_starts: list[int], pieces: list[tuple[int, int, int, int]]
    ) -> None:
        self.text = text
        self.line_starts = line_starts
        self.pieces = pieces  # file start, end, cell number, its first line

    @classmethod
    def of(cls, text: str | None) -> _CellMap | None:
        if text is None:
            return None
        from keylint.extract.structured import PScalar, PSequence, get, parse_json
        from keylint.source import FileKind, SourceFile

        try:
            file = SourceFile.from_text("nb.ipynb", text, kind=FileKind.NOTEBOOK)
            root = parse_json(file)
        except Exception:  # not a notebook keylint can read: physical lines it is
            return None
        cells = get(root, "cells")
        if not isinstance(cells, PSequence):
            return None
        pieces = []
        for number, cell in enumerate(cells.items, 1):
            source = get(cell, "source")
            if isinstance(source, PScalar):
                strings = [source]
            elif isinstance(source, PSequence):
                strings = [p for p in source.items if isinstance(p, PScalar)]
            else:
                strings = []
            cell_line = 1
            for piece in strings:
                if not piece.is_str:
                    continue
                pieces.append((piece.start, piece.end, number, cell_line))
                cell_line += piece.value.count("\n")
        return cls(text, list(file.line_starts), pieces)

    def locate(self, line: int, column: int) -> tuple[int, int] | None:
        if not 0 < line <= len(self.line_starts):
            return None
        offset = self.line_starts[line - 1] + column - 1
        for start, end, number, first in self.pieces:
            if start <= offset <= end:
                # a string holding several lines: count its \n escapes before the offset
                return number, first + self.text[start:offset].count("\\n")
        return None
