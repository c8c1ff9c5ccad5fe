"""What the dotenv-syntax rules (KL7xx) share. Not a rule: it defines no Rule subclass.

The rules read :class:`DotenvEntry` facts from extract/dotenv.py. Rules may not import an
extractor (same floor), so the note strings the lexer writes are repeated here; a test
(tests/test_dotenv.py) checks that both sides agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import FileContext
from keylint.facts import DotenvEntry, Span, Value
from keylint.source import SourceFile

NOTE_KEY_ERROR = "key-error"  # python-dotenv cannot read the key (whitespace, stray quote)
NOTE_QUOTED_KEY = "quoted-key"  # 'KEY'=value
NOTE_TEXT_AFTER_QUOTE = "text-after-quote"  # KEY="value" junk
NOTE_NO_KEY = "no-key"  # =value
NOTE_SKIPS_TO = "skips-to-line:"  # python-dotenv loses every line up to this one

SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def entries(ctx: FileContext) -> Iterator[DotenvEntry]:
    return ctx.of(DotenvEntry)


def offset(file: SourceFile, span: Span) -> int:
    return file.offset(span.line, span.column)


def char_span(file: SourceFile, start: int, length: int = 1) -> Span:
    return file.span(start, start + length)


def separator_offset(file: SourceFile, entry: DotenvEntry) -> int:
    """Offset of the ``=`` (or ``:``) after the key; the entry must have a value."""
    start = offset(file, Span(entry.key_span.end_line, entry.key_span.end_column, 0, 0))
    found = file.text.find(entry.separator, start)
    return found if found >= 0 else start


def value_offset(file: SourceFile, value: Value) -> int:
    return offset(file, value.span)


def python_dotenv_skips(entry: DotenvEntry) -> bool:
    """True when python-dotenv loads nothing for this line (it warns and goes on)."""
    if entry.unterminated_quote or entry.separator != "=":
        return True
    return bool(entry.notes) and any(
        n in (NOTE_KEY_ERROR, NOTE_TEXT_AFTER_QUOTE, NOTE_NO_KEY) for n in entry.notes
    )


def skipped_to_line(entry: DotenvEntry) -> int | None:
    for note in entry.notes:
        if note.startswith(NOTE_SKIPS_TO):
            return int(note[len(NOTE_SKIPS_TO) :])
    return None


def plain_binding(entry: DotenvEntry) -> bool:
    """``KEY=value`` that python-dotenv reads, with a valid shell name and no spaced ``=``.

    Value-level rules for other loaders (bash, node) look only at these lines, so a line
    that another rule already reports as broken is not reported twice.
    """
    return (
        entry.value is not None
        and not python_dotenv_skips(entry)
        and not entry.space_before_eq
        and not entry.space_after_eq
        and NOTE_QUOTED_KEY not in entry.notes
        and SHELL_NAME.match(entry.key) is not None
    )
