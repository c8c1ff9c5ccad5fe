"""Markdown → facts from its code blocks; prose and inline code spans yield none.

Contract §3: in Markdown only what would run is checked beyond secrets — fenced (```` ``` ````
and ``~~~``, with an info string) and indented code blocks. KL101 still scans the whole raw
text, prose included. A line scanner is enough here: code blocks are the only structure
that matters, and CommonMark's rules for them are line rules.

- ``python``/``py`` blocks go through the Python extractor (``>>>`` sessions with their
  prompts removed); a block that is not valid Python falls back to the text scanner.
- ``env``/``dotenv`` blocks go through the dotenv extractor when it is available.
- ``console`` blocks, and blocks whose first line starts with a ``$ `` prompt, are terminal
  sessions: the commands after the prompts go through the text scanner, output lines do not.
- Everything else (shell, console, yaml, json, js, http, no info string) goes through
  :func:`keylint.extract.text.scan` over the block's own lines.

Facts found in an extracted block are moved back to the physical line and column with
:func:`remap`, which notebooks use too.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from keylint.extract import TOO_DEEP, ParseError, Partial, TooDeep, python, text
from keylint.facts import Context, DotenvEntry, EnvDef, EnvRead, Fact, Header, SdkUse, Span, Value
from keylint.providers import ProviderDB
from keylint.source import FileKind, SourceFile

# Any indentation: a fence nested in a list item is indented by the item's content.
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_PYTHON = frozenset({"python", "py", "python3", "py3", "ipython", "ipython3", "pycon", "pyi"})
_DOTENV = frozenset({"env", "dotenv", ".env"})
_PY_PROMPT = re.compile(r"^(?:>>>|\.\.\.)(?: |$)")
_SHELL_PROMPT = re.compile(r"^[ \t]*\$ ")
_CONSOLE = frozenset({"console", "shell-session", "sh-session", "shellsession", "terminal"})


@dataclass
class Block:
    """A code block: its info word and its content lines (1-based numbers, text, indent)."""

    info: str
    first_line: int  # line number of the first content line
    lines: list[str]  # content lines as in the file (without line breaks)
    strip: list[int]  # characters of indentation that belong to Markdown, per line


def extract(file: SourceFile, db: ProviderDB) -> list[Fact]:
    facts: list[Fact] = []
    problems: list[str] = []
    for block in blocks(file):
        facts.extend(block_facts(file, block, db, problems))
    if problems:  # the facts stand; the file still gets its error entry
        raise Partial(problems[0], facts)
    return facts


# --- finding code blocks -----------------------------------------------------------------


def blocks(file: SourceFile) -> Iterator[Block]:
    count = len(file.line_starts)
    line_no = 1
    previous_blank = True
    in_list = False
    while line_no <= count:
        line = file.line_text(line_no)
        fence = _FENCE.match(line)
        if fence and not (fence.group("fence")[0] == "`" and "`" in fence.group("info")):
            block, line_no = _fenced(file, fence, line_no, count)
            if block.lines:
                yield block
            previous_blank = False
            continue
        if previous_blank and not in_list and line.strip() and _indent(line) >= 4:
            block, line_no = _indented(file, line_no, count)
            yield block
            previous_blank = False
            continue
        if _LIST_ITEM.match(line):
            in_list = True
        elif line.strip() and not line[:1].isspace():
            in_list = False
        previous_blank = not line.strip()
        line_no += 1


def _indent(line: str) -> int:
    """Indentation width, a tab counting to the next multiple of 4 (CommonMark)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _indent_chars(line: str, width: int) -> int:
    """How many leading characters make up ``width`` columns of indentation."""
    column = 0
    for i, char in enumerate(line):
        if column >= width or char not in " \t":
            return i
        column += 1 if char == " " else 4 - column % 4
    return len(line)


def _fenced(file: SourceFile, fence: re.Match[str], start: int, count: int) -> tuple[Block, int]:
    mark = fence.group("fence")
    closing = re.compile(rf"^[ \t]*{re.escape(mark[0])}{{{len(mark)},}}[ \t]*$")
    info = fence.group("info").strip().split(maxsplit=1)
    word = info[0].strip("{}.").split(",")[0].lower() if info else ""
    indent = len(fence.group("indent"))
    lines: list[str] = []
    line_no = start + 1
    while line_no <= count:
        line = file.line_text(line_no)
        if closing.match(line):
            line_no += 1
            break
        lines.append(line)
        line_no += 1
    # Content lines lose up to the fence's indentation (CommonMark); in a list, that is
    # what makes an indented ```python block parse.
    strip = [min(indent, len(line) - len(line.lstrip(" \t"))) for line in lines]
    return Block(word, start + 1, lines, strip), line_no


def _indented(file: SourceFile, start: int, count: int) -> tuple[Block, int]:
    lines: list[str] = []
    line_no = start
    while line_no <= count:
        line = file.line_text(line_no)
        if line.strip() and _indent(line) < 4:
            break
        lines.append(line)
        line_no += 1
    while lines and not lines[-1].strip():
        lines.pop()
    strip = [
        1 if line.startswith("\t") else min(4, len(line) - len(line.lstrip(" "))) for line in lines
    ]
    return Block("", start, lines, strip), start + len(lines)


# --- facts of a block --------------------------------------------------------------------


def block_facts(
    file: SourceFile, block: Block, db: ProviderDB, problems: list[str] | None = None
) -> list[Fact]:
    if block.info in _PYTHON:
        facts = _python_block(file, block, db, problems)
        if facts is not None:
            return facts
    elif block.info in _DOTENV:
        facts = _dotenv_block(file, block, db)
        if facts is not None:
            return facts
    elif block.info in _CONSOLE or _SHELL_PROMPT.match(block.lines[0]):
        return _console_block(file, block)
    start = file.offset(block.first_line, 1)
    last = block.first_line + len(block.lines) - 1
    end = file.offset(last, 1) + len(block.lines[-1])
    return list(text.scan(file, start, end, Context.CODE))


def _python_block(
    file: SourceFile, block: Block, db: ProviderDB, problems: list[str] | None = None
) -> list[Fact] | None:
    lines, strip = _dedented(block)
    if block.info == "pycon" or any(_PY_PROMPT.match(line) for line in lines[:1]):
        lines, strip = _session(lines, strip, _PY_PROMPT)
    code = SourceFile.from_text(file.path, "\n".join(lines) + "\n", kind=FileKind.PYTHON)
    try:
        facts = python.extract(code, db)
    except TooDeep:
        if problems is not None:
            problems.append(f"Python code block at line {block.first_line - 1} {TOO_DEEP}")
        return None
    except ParseError:
        return None
    return remap(facts, _line_mover(block.first_line, strip))


def _console_block(file: SourceFile, block: Block) -> list[Fact]:
    """A terminal session: the ``$ `` lines are the commands, the rest is their output."""
    lines, strip = _session(*_dedented(block), _SHELL_PROMPT)
    shell = SourceFile.from_text(file.path, "\n".join(lines) + "\n", kind=FileKind.SHELL)
    facts = list(text.scan(shell, 0, len(shell.text), Context.CODE))
    return remap(facts, _line_mover(block.first_line, strip))


def _dedented(block: Block) -> tuple[list[str], list[int]]:
    lines = [line[s:] for line, s in zip(block.lines, block.strip, strict=True)]
    return lines, list(block.strip)


def _session(
    lines: list[str], strip: list[int], prompt: re.Pattern[str]
) -> tuple[list[str], list[int]]:
    """Prompt lines without their prompt; output lines emptied (the line count is kept)."""
    out_lines, out_strip = [], []
    for line, removed in zip(lines, strip, strict=True):
        m = prompt.match(line)
        out_lines.append(line[m.end() :] if m else "")
        out_strip.append(removed + (m.end() if m else 0))
    return out_lines, out_strip


def _dotenv_block(file: SourceFile, block: Block, db: ProviderDB) -> list[Fact] | None:
    try:  # written separately; until it exists, env blocks get the text scanner
        module = importlib.import_module("keylint.extract.dotenv")
    except ImportError:
        return None
    lines, _ = _dedented(block)
    env = SourceFile.from_text(file.path, "\n".join(lines) + "\n", kind=FileKind.DOTENV)
    try:
        facts: list[Fact] = module.extract(env, db)
    except ParseError:
        return None
    return remap(facts, _line_mover(block.first_line, block.strip))


def _line_mover(first_line: int, strip: list[int]) -> Callable[[Span], Span]:
    """Block coordinates → file coordinates: lines shift by the block start, columns by the
    indentation removed from that line."""

    def shift(line: int) -> int:
        return strip[line - 1] if 0 < line <= len(strip) else 0

    def move(span: Span) -> Span:
        return Span(
            span.line + first_line - 1,
            span.column + shift(span.line),
            span.end_line + first_line - 1,
            span.end_column + shift(span.end_line),
        )

    return move


# --- moving facts ------------------------------------------------------------------------


def remap(facts: Iterable[Fact], move: Callable[[Span], Span]) -> list[Fact]:
    """Facts of an extracted piece of a file, with every span moved to the file's own."""
    return [remap_fact(fact, move) for fact in facts]


def remap_fact(fact: Fact, move: Callable[[Span], Span]) -> Fact:
    if isinstance(fact, Value):
        return _remap_value(fact, move)
    if isinstance(fact, (EnvRead, SdkUse)):
        return replace(fact, span=move(fact.span))
    if isinstance(fact, EnvDef):
        value = _remap_value(fact.value, move) if fact.value else None
        return replace(fact, span=move(fact.span), value=value)
    if isinstance(fact, Header):
        return replace(fact, name_span=move(fact.name_span), value_span=move(fact.value_span))
    if isinstance(fact, DotenvEntry):
        value = _remap_value(fact.value, move) if fact.value else None
        return replace(
            fact, key_span=move(fact.key_span), line_span=move(fact.line_span), value=value
        )
    return fact


def _remap_value(value: Value, move: Callable[[Span], Span]) -> Value:
    name_span = move(value.name_span) if value.name_span else None
    return replace(value, span=move(value.span), name_span=name_span)
