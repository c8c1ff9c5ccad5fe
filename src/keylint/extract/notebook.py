"""Jupyter notebooks (.ipynb) → facts of their code, at the physical position in the file.

A notebook is JSON whose code cells hold Python as a list of JSON strings, one per line.
The file is parsed with the positioned JSON scanner of :mod:`keylint.extract.structured`;
each cell's source is decoded and joined, run through the Python extractor, and every fact's
span is mapped back through the JSON string escapes (``\\"``, ``\\\\``, ``\\n``,
``\\uXXXX``) to the line and column in the .ipynb file, where an editor shows it. ``raw``
stays the cell's Python source text (what the program sees), not the JSON-escaped text.

IPython syntax: ``%magic`` lines are blanked before parsing (line numbers kept); ``!shell``
lines, ``%env NAME=value`` and ``%%bash``/``%%sh`` cells go through the text scanner. A cell
that is not valid Python also gets the text scanner, as a broken .py file does; the other
cells are unaffected. Markdown cells get the Markdown extractor (their code blocks).
Outputs and metadata give no facts: KL101 scans the raw file text, outputs included, and
the other categories do not apply to outputs.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from keylint.extract import TOO_DEEP, ParseError, Partial, TooDeep, markdown, python, text
from keylint.extract.structured import PMapping, PNode, PScalar, PSequence, get, parse_json
from keylint.facts import EnvDef, Fact, Span
from keylint.providers import ProviderDB
from keylint.source import FileKind, SourceFile

# One JSON escape decodes to one character (a surrogate pair escape to one code point).
_JSON_ESCAPE = re.compile(
    r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)"
)
_LINE_MAGIC = re.compile(r"^[ \t]*[%!]")
_SHELL_LINE = re.compile(r"^([ \t]*)(!|%env\b|%sx\b|%system\b)")
_MAGIC_ASSIGN = re.compile(r"^([ \t]*[A-Za-z_][\w.,\[\] \t]*=[ \t]*)[!%]")
# Lines as SourceFile counts them (\r\n, \n, \r), line breaks kept.
_LINES = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
_CELL_MAGIC = re.compile(r"^%%(\S*)[^\n]*")
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python"})
_SHELL_CELL_MAGICS = frozenset({"bash", "sh", "script", "system", "!", "zsh"})


def extract(file: SourceFile, db: ProviderDB) -> list[Fact]:
    root = parse_json(file)
    cells = _cells(root)
    if cells is None:
        raise ParseError("not a Jupyter notebook: no cells list")
    is_python = _language(root) in ("", "python", "ipython")
    facts: list[Fact] = []
    problems: list[str] = []
    for cell in cells:
        kind = get(cell, "cell_type")
        source = get(cell, "source") or get(cell, "input")  # nbformat 4, nbformat 3
        cell_text = CellText.of(file, source)
        if cell_text is None or not isinstance(kind, PScalar):
            continue
        if kind.value == "code":
            facts.extend(cell_text.facts(_code_facts(cell_text, db, is_python, problems)))
        elif kind.value == "markdown":
            md = SourceFile.from_text(file.path, cell_text.code, kind=FileKind.MARKDOWN)
            try:
                md_facts = markdown.extract(md, db)
            except Partial as exc:
                md_facts = exc.facts
                problems.append(f"a Markdown cell's code block {TOO_DEEP}")
            facts.extend(cell_text.facts((md, md_facts)))
    if problems:  # the facts stand; the file still gets its error entry
        raise Partial(problems[0], facts)
    return facts


def _cells(root: PNode) -> list[PMapping] | None:
    cells = get(root, "cells")
    if cells is None:  # nbformat 3: worksheets[].cells[]
        sheets = get(root, "worksheets")
        if isinstance(sheets, PSequence):
            found: list[PNode] = []
            for sheet in sheets.items:
                inner = get(sheet, "cells")
                if isinstance(inner, PSequence):
                    found.extend(inner.items)
            cells = PSequence(found)
    if not isinstance(cells, PSequence):
        return None
    return [c for c in cells.items if isinstance(c, PMapping)]


def _language(root: PNode) -> str:
    metadata = get(root, "metadata")
    for section, key in (("kernelspec", "language"), ("language_info", "name")):
        value = get(get(metadata, section), key)
        if isinstance(value, PScalar) and value.is_str:
            return value.value.lower()
    return ""


# --- one cell ----------------------------------------------------------------------------


class CellText:
    """A cell's decoded source and the map from its offsets to offsets in the .ipynb file.

    The map is a list of runs: a plain run maps character for character, an escape maps one
    decoded character to its whole escape sequence.
    """

    def __init__(self, file: SourceFile, code: str) -> None:
        self.file = file
        self.code = code
        self.run_code: list[int] = []  # code offset where each run starts
        self.run_file: list[int] = []  # file offset where it starts
        self.run_width: list[int] = []  # 0: a plain run; n: an escape n characters long

    @classmethod
    def of(cls, file: SourceFile, source: PNode | None) -> CellText | None:
        if isinstance(source, PScalar):
            pieces = [source]
        elif isinstance(source, PSequence):
            pieces = [p for p in source.items if isinstance(p, PScalar) and p.is_str]
        else:
            return None
        if not pieces or (isinstance(source, PScalar) and not source.is_str):
            return None
        cell = cls(file, "".join(p.value for p in pieces))
        at = 0
        for piece in pieces:
            at = cell._add(piece, at)
        if at != len(cell.code):  # the decoding disagrees with the scanner's: no positions
            return None
        return cell

    def _add(self, piece: PScalar, at: int) -> int:
        raw = self.file.text[piece.start : piece.end]
        last = 0
        for m in _JSON_ESCAPE.finditer(raw):
            if m.start() > last:
                self._run(at, piece.start + last, 0)
                at += m.start() - last
            self._run(at, piece.start + m.start(), m.end() - m.start())
            at += 1
            last = m.end()
        if last < len(raw):
            self._run(at, piece.start + last, 0)
            at += len(raw) - last
        return at

    def _run(self, code_offset: int, file_offset: int, width: int) -> None:
        self.run_code.append(code_offset)
        self.run_file.append(file_offset)
        self.run_width.append(width)

    # --- mapping -------------------------------------------------------------------------

    def _start(self, offset: int) -> int:
        """File offset where the character at code ``offset`` starts."""
        if not self.run_code:
            return 0
        i = max(bisect.bisect_right(self.run_code, offset) - 1, 0)
        if self.run_width[i]:
            return self.run_file[i]
        return self.run_file[i] + offset - self.run_code[i]

    def _end(self, offset: int) -> int:
        """File offset where the character before code ``offset`` ends (exclusive ends)."""
        if offset <= 0:
            return self._start(0)
        i = max(bisect.bisect_right(self.run_code, offset - 1) - 1, 0)
        if self.run_width[i]:
            return self.run_file[i] + self.run_width[i]
        return self.run_file[i] + offset - self.run_code[i]

    def facts(self, found: tuple[SourceFile, list[Fact]]) -> list[Fact]:
        """Facts of a view of this cell, moved to the .ipynb file's lines and columns."""
        view, facts = found
        file = self.file

        def offset(line: int, column: int) -> int:
            starts = view.line_starts
            return min(starts[min(line, len(starts)) - 1] + column - 1, len(view.text))

        def move(span: Span) -> Span:
            start = self._start(offset(span.line, span.column))
            end = self._end(offset(span.end_line, span.end_column))
            return file.span(start, max(start, end))

        return markdown.remap(facts, move)


def _code_facts(
    cell: CellText, db: ProviderDB, is_python: bool, problems: list[str] | None = None
) -> tuple[SourceFile, list[Fact]]:
    """Facts of a code cell, in the coordinates of the cell's own text (returned with them).

    Every view of the cell (Python, shell) keeps each line's length, so one set of
    coordinates serves them all.
    """
    code, path = cell.code, cell.file.path
    magic = _CELL_MAGIC.match(code)
    name = magic.group(1) if magic else None
    if magic and name not in _PYTHON_CELL_MAGICS:
        kind = FileKind.SHELL if name in _SHELL_CELL_MAGICS else FileKind.TEXT
        view = SourceFile.from_text(path, " " * magic.end() + code[magic.end() :], kind=kind)
        return view, list(text.extract(view, db))
    if not is_python:
        view = SourceFile.from_text(path, code, kind=FileKind.TEXT)
        return view, list(text.extract(view, db))
    python_lines, shell_lines = [], []
    env_lines: set[int] = set()
    for number, line in enumerate(_LINES.split(code), 1):
        py, sh = _split_ipython(line, blank=number == 1 and magic is not None)
        python_lines.append(py)
        shell_lines.append(sh)
        if line.lstrip().startswith("%env"):
            env_lines.add(number)
    view = SourceFile.from_text(path, "".join(python_lines), kind=FileKind.PYTHON)
    try:
        facts = python.extract(view, db)
    except TooDeep:
        if problems is not None:
            line = cell.file.position(cell.run_file[0])[0] if cell.run_file else None
            where = f" (source at line {line})" if line else ""
            problems.append(f"a code cell{where} {TOO_DEEP}")
        facts = list(text.extract(view, db))
    except ParseError:  # not Python after all: what a broken .py file gets
        facts = list(text.extract(view, db))
    shell_text = "".join(shell_lines)
    if shell_text.strip():
        shell_view = SourceFile.from_text(path, shell_text, kind=FileKind.SHELL)
        for fact in text.extract(shell_view, db):
            if isinstance(fact, EnvDef) and fact.span.line in env_lines:
                fact = replace(fact, how="%env")
            facts.append(fact)
    return view, facts


def _split_ipython(line: str, blank: bool) -> tuple[str, str]:
    """One cell line as (its Python view, its shell view), both of the line's length.

    ``!cmd`` and ``%env``: shell only; other ``%magic``: neither; ``x = !cmd``: Python sees
    ``x = 0``, the shell sees ``cmd``.
    """
    body = line.rstrip("\r\n")
    end = line[len(body) :]
    empty = " " * len(body) + end
    if blank:
        return empty, empty
    shell = _SHELL_LINE.match(body)
    if shell:
        cut = shell.end()
        return empty, " " * cut + body[cut:] + end
    if _LINE_MAGIC.match(body):
        return empty, empty
    assign = _MAGIC_ASSIGN.match(body)
    if assign:
        cut = assign.end(1)
        python_view = body[:cut] + "0" + " " * (len(body) - cut - 1) + end
        if body[cut] == "!":
            return python_view, " " * (cut + 1) + body[cut + 1 :] + end
        return python_view, empty
    return line, empty
