"""dotenv files → facts, with a hand-written lexer that keeps exact positions.

Why hand-written: python-dotenv's parser (``dotenv/parser.py``) reports only the line a
statement starts on, node dotenv and docker compose are not Python, and none of them keeps
the columns of a key or a value. So this module follows python-dotenv's grammar regex by
regex (same character classes, same order of decisions), records offsets as it goes, and
recovers where python-dotenv gives up, so a broken line never hides the lines after it.

For each binding it yields a :class:`DotenvEntry` (the line as the lexer saw it, for the
dotenv-syntax rules), a :class:`Value` and an :class:`EnvDef`; each ``${NAME}`` reference
python-dotenv would interpolate is also an :class:`EnvRead`.

Value conventions (other rules depend on them):

- ``span`` covers the text inside the quotes; unquoted, from the first non-blank character
  after ``=`` to the start of an inline comment (the whitespace run before `` #``) or the end
  of the line, *including* trailing spaces and tabs (docker ``--env-file`` keeps them).
- ``raw`` is exactly that source text; ``value`` is what python-dotenv loads before
  interpolation: quotes removed, escapes decoded, newlines translated as a text-mode read
  does, unquoted trailing whitespace stripped. ``dynamic`` is true when python-dotenv would
  interpolate a ``${NAME}`` in it.
- ``quote`` is ``'`` or ``"``, or ``""`` unquoted. A backtick is *not* a quote for
  python-dotenv: `` `v` `` is an unquoted value that keeps its backticks.
- An unterminated quote: ``span``/``raw`` run from after the quote to the end of its line,
  ``value`` is that text decoded and right-stripped (python-dotenv itself loads nothing).
- ``KEY: value`` (node dotenv, compose): the value is read as after ``=``; python-dotenv
  loads nothing for it.
- ``KEY`` with no ``=``: ``DotenvEntry.value`` and ``EnvDef.value`` are None, no Value.

``DotenvEntry.notes`` carries what the flags cannot (strings mirrored in
checks/kl7_common.py, which may not import this module):
``key-error`` (python-dotenv cannot read the key: whitespace or a stray quote in it, or
``export`` with nothing after it),
``quoted-key`` (``'KEY'=v``), ``text-after-quote`` (``K="v" junk``), ``no-key``
(``=value``), ``skips-to-line:N`` (python-dotenv loses every line up to N),
``swallowed`` (a line in such a lost stretch: python-dotenv never sees it as a statement, so
its binding is no EnvDef; its Value is still checked).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from keylint.facts import Context, DotenvEntry, EnvDef, EnvRead, Fact, Origin, Span, Value
from keylint.providers import ProviderDB
from keylint.source import SourceFile

NOTE_KEY_ERROR = "key-error"
NOTE_QUOTED_KEY = "quoted-key"
NOTE_TEXT_AFTER_QUOTE = "text-after-quote"
NOTE_NO_KEY = "no-key"
NOTE_SKIPS_TO = "skips-to-line:"
NOTE_SWALLOWED = "swallowed"

# python-dotenv's own patterns (parser.py), so the two read the same characters.
_MULTILINE_WS = re.compile(r"\s*")
_BLANK = re.compile(r"[^\S\r\n]*")
_EXPORT = re.compile(r"export[^\S\r\n]+")
_QUOTED_KEY = re.compile(r"'([^'\r\n]+)'")  # python-dotenv lets it span lines; we do not
_UNQUOTED_KEY = re.compile(r"[^=#\s]+")
# python-dotenv 1.2.4: a backslash always escapes the next character (so `\\` before a
# quote does not escape the quote).
_QUOTED_VALUE = {
    "'": re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL),
    '"': re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL),
}
_COMMENT = re.compile(r"[^\S\r\n]*#[^\r\n]*")
_END_OF_LINE = re.compile(r"[^\S\r\n]*(?:\r\n|\n|\r|$)")
_INLINE_COMMENT = re.compile(r"\s+#")
_ESCAPES = {
    "'": re.compile(r"\\[\\']"),
    '"': re.compile(r"\\[\\'\"abfnrtv]"),
}
_ESCAPE_CHARS = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_VARIABLE = re.compile(r"\$\{(?P<name>[^}:]*)(?::-(?P<default>[^}]*))?\}")  # variables.py
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NEWLINES = re.compile(r"\r\n|\r")
# `KEY=value` with nothing for the lexer to weigh: an ASCII name (no `export `, no colon, no
# quote), `=` right after it, and an unquoted value without whitespace, `#`, a quote, `$` or
# a backslash, up to the end of the line. Most lines of a real .env; the general lexer gives
# them exactly this (a test compares the two on every fixture and fuzzed line).
_SIMPLE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=([^\s#'\"`$\\]*)(?=[\r\n]|\Z)")
_LINE_END = re.compile(r"[\r\n]")
# `KEY: value` / `KEY:value`: python-dotenv reads `KEY:` into the key; node and compose split.
_COLON_KEY = re.compile(r"[\w.-]+(?=:)")


def extract(file: SourceFile, db: ProviderDB) -> list[Fact]:
    facts: list[Fact] = []
    for entry in _Lexer(file).entries():
        if isinstance(entry, _Entry):
            facts.extend(_facts(file, entry))
        else:
            facts.extend(_simple_facts(file, entry))
    return facts


def _simple_facts(file: SourceFile, match: re.Match[str]) -> tuple[Fact, Fact, Fact]:
    """The facts of a ``KEY=value`` line (:data:`_SIMPLE`), built straight from the match:
    what :func:`_facts` gives for it, without the lexer's entry (most lines of a big .env
    are such lines)."""
    start, key_end = match.span(1)
    value_start, end = match.span(2)
    line, column = file.position(start)
    base = start - column
    key, raw = match.group(1, 2)
    key_span = Span(line, column, line, key_end - base)
    value = Value(
        span=Span(line, value_start - base, line, end - base),
        value=raw,
        raw=raw,
        name=key,
        origin=Origin.DOTENV,
        context=Context.CONFIG,
        name_span=key_span,
    )
    entry = DotenvEntry(
        key=key, key_span=key_span, line_span=Span(line, column, line, end - base), value=value
    )
    return entry, value, EnvDef(key, key_span, Context.CONFIG, "dotenv", value)


@dataclass
class _Entry:
    """One statement in offsets; turned into facts by :func:`_facts`."""

    start: int  # where `export` or the key starts
    end: int  # end of the statement's last line, newline excluded
    key: str
    key_start: int  # the key's span (inside the quotes of a quoted key)
    key_end: int
    cursor: int = 0  # where lexing goes on after the key (past a closing quote)
    export: bool = False
    separator: str = "="
    space_before: bool = False
    space_after: bool = False
    has_value: bool = False
    value_start: int = 0
    value_end: int = 0
    value: str = ""
    quote: str = ""
    unterminated: bool = False
    inline_comment: bool = False
    multiline: bool = False
    notes: list[str] = field(default_factory=list)


class _Lexer:
    def __init__(self, file: SourceFile) -> None:
        self.file = file
        self.text = file.text
        # The engine strips a UTF-8 BOM; one that is still there is not part of a key.
        self.pos = 1 if self.text.startswith("\ufeff") else 0
        # The last offset of each quote character: an opening quote after it can never be
        # closed, which spares a scan to the end of the file for every broken line.
        self.last_quote = {q: self.text.rfind(q) for q in _QUOTED_VALUE}
        # python-dotenv lost everything before this offset (after a quote it read across
        # lines and then failed): statements starting there are lexed one line each, so
        # lexing resynchronises where python-dotenv does (differential class C3).
        self.swallow_end = 0

    def line_end(self, pos: int) -> int:
        match = _LINE_END.search(self.text, pos)
        return match.start() if match else len(self.text)

    def next_line(self, pos: int) -> int:
        end = self.line_end(pos)
        if self.text.startswith("\r\n", end):
            return end + 2
        return min(end + 1, len(self.text))

    def entries(self) -> Iterator[_Entry | re.Match[str]]:
        """Each statement: an entry, or the match of a plain ``KEY=value`` line."""
        text = self.text
        while True:
            match = _MULTILINE_WS.match(text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos >= len(text):
                return
            if text[self.pos] == "#":
                self.pos = self.next_line(self.pos)
                continue
            swallowed = self.pos < self.swallow_end
            simple = None if swallowed else _SIMPLE.match(text, self.pos)
            if simple is not None:
                end = simple.end()
                self.pos = end + 2 if text.startswith("\r\n", end) else min(end + 1, len(text))
                yield simple
                continue
            entry = self.statement()
            if entry is not None:
                if swallowed:
                    entry.notes.append(NOTE_SWALLOWED)
                yield entry

    def statement(self) -> _Entry | None:
        simple = _SIMPLE.match(self.text, self.pos)
        if simple is not None:
            return self.simple(simple)
        text, start = self.text, self.pos
        export = _EXPORT.match(text, start)
        pos = start
        dangling = False  # `export` and nothing after it: python-dotenv gives up
        if export and export.end() < len(text) and text[export.end()] not in "\r\n":
            pos = export.end()
            if text[pos] == "#":  # `export # …`: python-dotenv reads a comment
                self.pos = self.next_line(pos)
                return None
        else:
            dangling = export is not None
            export = None
        entry = self.key(start, pos)
        entry.export = export is not None
        if dangling:
            entry.notes.append(NOTE_KEY_ERROR)
        after_key = _BLANK.match(text, entry.cursor)
        assert after_key is not None  # `*` always matches
        nxt = text[after_key.end() : after_key.end() + 1]
        if not entry.key:  # `=value`: python-dotenv skips the rest of the line
            entry.end = self.line_end(start)
            self.pos = self.next_line(start)
        elif entry.separator == ":":
            self.value(entry, entry.cursor + 1)
        elif nxt == "=":
            entry.space_before = after_key.end() > entry.cursor
            self.value(entry, after_key.end() + 1)
        elif nxt in ("", "\r", "\n", "#"):
            self.finish(entry, after_key.end())
        else:
            self.key_with_space(entry)
        return entry

    def simple(self, match: re.Match[str]) -> _Entry:
        start, key_end = match.span(1)
        value_start, end = match.span(2)
        entry = _Entry(start, end, match.group(1), start, key_end, key_end)
        entry.has_value = True
        entry.value_start, entry.value_end, entry.value = value_start, end, match.group(2)
        self.pos = end + 2 if self.text.startswith("\r\n", end) else min(end + 1, len(self.text))
        return entry

    def key(self, start: int, pos: int) -> _Entry:
        text = self.text
        if text[pos] == "'":
            quoted = _QUOTED_KEY.match(text, pos)
            if quoted:
                entry = _Entry(start, 0, quoted.group(1), pos + 1, quoted.end() - 1)
                entry.cursor = quoted.end()
                entry.notes.append(NOTE_QUOTED_KEY)
                return entry
        match = _UNQUOTED_KEY.match(text, pos)
        if match is None:  # the line starts with `=`
            entry = _Entry(start, 0, "", pos, pos, pos)
            entry.notes.append(NOTE_NO_KEY)
            return entry
        token = match.group()
        entry = _Entry(start, 0, token, pos, match.end(), match.end())
        colon = _COLON_KEY.match(token)
        after = _BLANK.match(text, match.end())
        assert after is not None
        if colon and text[after.end() : after.end() + 1] != "=":
            entry.key = colon.group()
            entry.key_end = entry.cursor = pos + colon.end()
            entry.separator = ":"
        elif token.startswith("'"):  # an unclosed quoted key: python-dotenv gives up
            entry.notes.append(NOTE_KEY_ERROR)
            self.quoted_key_across_lines(entry, pos)
        return entry

    def quoted_key_across_lines(self, entry: _Entry, pos: int) -> None:
        """python-dotenv's quoted key ``'([^']+)'`` spans lines: it reads on to the next
        ``'`` and fails after it, losing every line up to that one (class C2)."""
        if pos < self.swallow_end:  # python-dotenv never sees this line as a statement
            return
        close = self.text.find("'", pos + 1)
        if close > max(pos + 1, self.line_end(pos)):
            self.swallow(entry, close)

    def key_with_space(self, entry: _Entry) -> None:
        """``lower key=x`` or ``KEY value``: python-dotenv skips the line; keep the name whole."""
        text = self.text
        end = self.line_end(entry.key_start)
        line = text[entry.key_start : end]
        comment = _INLINE_COMMENT.search(line)
        stop = comment.start() if comment else len(line)
        eq = line.find("=", 0, stop)
        name_end = entry.key_start + (eq if eq >= 0 else stop)
        name = text[entry.key_start : name_end].rstrip(" \t")
        entry.key = name
        entry.key_end = entry.cursor = entry.key_start + len(name)
        if NOTE_KEY_ERROR not in entry.notes:
            entry.notes.append(NOTE_KEY_ERROR)
        if eq >= 0:
            entry.space_before = name_end > entry.key_end
            self.value(entry, name_end + 1)
        else:
            entry.end = entry.key_end
            self.pos = self.next_line(entry.key_start)

    def finish(self, entry: _Entry, pos: int) -> None:
        """No value: the key is followed by the end of the line or a comment."""
        comment = _COMMENT.match(self.text, pos)
        entry.inline_comment = comment is not None
        entry.end = self.line_end(pos)
        self.pos = self.next_line(pos)

    def value(self, entry: _Entry, after_separator: int) -> None:
        text = self.text
        blank = _BLANK.match(text, after_separator)
        assert blank is not None
        pos = blank.end()
        entry.space_after = pos > after_separator
        entry.has_value = True
        char = text[pos : pos + 1]
        if char in _QUOTED_VALUE:
            self.quoted(entry, pos, char)
            return
        end = self.line_end(pos)
        if entry.space_after and char == "#":
            # python-dotenv >= 1.2.4: `KEY= # comment` is an empty value and a comment
            # (1.2.2 and older loaded the text `# comment`; KL707 says so).
            entry.value_start = entry.value_end = pos
            entry.value = ""
            entry.inline_comment = True
            entry.end = end
            self.pos = self.next_line(pos)
            return
        part = text[pos:end]
        comment = _INLINE_COMMENT.search(part)
        cut = comment.start() if comment else len(part)
        entry.value_start, entry.value_end = pos, pos + cut
        entry.value = part[:cut].rstrip()
        entry.inline_comment = comment is not None
        entry.end = end
        self.pos = self.next_line(pos)

    def quoted(self, entry: _Entry, pos: int, quote: str) -> None:
        text = self.text
        entry.quote = quote
        line_end = self.line_end(pos)
        match = _QUOTED_VALUE[quote].match(text, pos) if pos < self.last_quote[quote] else None
        if (
            match is not None
            and match.end() > line_end
            and (not self.dotenv_reads_value(entry) or entry.start < self.swallow_end)
        ):
            # python-dotenv does not read this value (it gave up at the key, or it took
            # `KEY:` as part of the key): the statement is this line only.
            match = None
        if match is None:
            self.unterminated(entry, pos, line_end)
            return
        close = match.end()
        comment = _COMMENT.match(text, close)
        eol = _END_OF_LINE.match(text, comment.end() if comment else close)
        if eol is None and close <= line_end:
            entry.notes.append(NOTE_TEXT_AFTER_QUOTE)
        elif eol is None:
            # The "closing" quote is on a later line and text follows it: python-dotenv
            # fails there and loses every line up to it. Report it as unterminated here
            # and go on with the next line, so the lines in between are still checked.
            self.unterminated(entry, pos, line_end)
            failed_at = _BLANK.match(text, close)
            assert failed_at is not None
            self.swallow(entry, failed_at.end())
            return
        entry.value_start, entry.value_end = pos + 1, close - 1
        entry.value = _decode(match.group(1), quote)
        entry.inline_comment = comment is not None
        entry.multiline = close > line_end
        entry.end = self.line_end(close - 1)
        self.pos = self.next_line(close - 1)

    def swallow(self, entry: _Entry, failed_at: int) -> None:
        """python-dotenv fails at ``failed_at`` and skips to the end of that line."""
        entry.notes.append(f"{NOTE_SKIPS_TO}{self.file.position(failed_at)[0]}")
        self.swallow_end = max(self.swallow_end, self.next_line(failed_at))

    @staticmethod
    def dotenv_reads_value(entry: _Entry) -> bool:
        return entry.separator == "=" and NOTE_KEY_ERROR not in entry.notes

    def unterminated(self, entry: _Entry, pos: int, line_end: int) -> None:
        entry.unterminated = True
        entry.value_start, entry.value_end = pos + 1, line_end
        entry.value = _decode(self.text[pos + 1 : line_end], entry.quote).rstrip()
        entry.end = line_end
        self.pos = self.next_line(pos)


def _decode(raw: str, quote: str) -> str:
    """python-dotenv's escape decoding, after a text-mode read's newline translation."""
    text = _NEWLINES.sub("\n", raw)
    escapes = _ESCAPES.get(quote)
    if escapes is None:
        return text
    return escapes.sub(lambda m: _ESCAPE_CHARS[m.group()[1]], text)


def _facts(file: SourceFile, entry: _Entry) -> list[Fact]:
    span = _Spans(file, entry.start, max(entry.end, entry.start))
    key_span = span(entry.key_start, entry.key_end)
    value: Value | None = None
    reads: list[Fact] = []
    if entry.has_value:
        raw = file.text[entry.value_start : entry.value_end]
        if "${" in raw:  # most values interpolate nothing: no scan for references
            reads = list(_reads(file, entry.value_start, raw))
        value = Value(
            span=span(entry.value_start, entry.value_end),
            value=entry.value,
            raw=raw,
            name=entry.key or None,
            origin=Origin.DOTENV,
            context=Context.CONFIG,
            name_span=key_span,
            quote=entry.quote,
            dynamic="${" in entry.value and bool(_VARIABLE.search(entry.value)),
        )
    dotenv_entry = DotenvEntry(
        key=entry.key,
        key_span=key_span,
        line_span=span(entry.start, max(entry.end, entry.start)),
        value=value,
        export=entry.export,
        space_before_eq=entry.space_before,
        space_after_eq=entry.space_after,
        separator=entry.separator,
        unterminated_quote=entry.unterminated,
        inline_comment=entry.inline_comment,
        multiline=entry.multiline,
        notes=tuple(entry.notes),
    )
    facts: list[Fact] = [dotenv_entry]
    if not entry.key:
        return facts  # `=value`: nothing is bound
    if value is not None:
        facts.append(value)
    if NOTE_SWALLOWED not in entry.notes:  # python-dotenv never sets a swallowed one
        facts.append(EnvDef(entry.key, key_span, Context.CONFIG, "dotenv", value))
    facts.extend(reads)
    return facts


class _Spans:
    """Spans inside one statement. Most statements are one line: their spans are columns
    on the line found once (a big .env's 60,000 lines each asked for three spans, six
    binary searches)."""

    __slots__ = ("file", "line", "line_end", "line_start")

    def __init__(self, file: SourceFile, start: int, end: int) -> None:
        self.file = file
        self.line, column = file.position(start)
        self.line_start = start - column + 1
        starts = file.line_starts
        self.line_end = starts[self.line] if self.line < len(starts) else len(file.text) + 1
        if end >= self.line_end:
            self.line = 0  # several lines: each span asks the file

    def __call__(self, start: int, end: int) -> Span:
        if self.line and self.line_start <= start <= end < self.line_end:
            base = self.line_start - 1
            return Span(self.line, start - base, self.line, end - base)
        return self.file.span(start, end)


def _reads(file: SourceFile, start: int, raw: str) -> Iterator[EnvRead]:
    """``${NAME}`` / ``${NAME:-default}``: the references python-dotenv interpolates."""
    for match in _VARIABLE.finditer(raw):
        name = match.group("name")
        if _ENV_NAME.match(name):
            name_start = start + match.start("name")
            yield EnvRead(
                name,
                file.span(name_start, name_start + len(name)),
                Context.CONFIG,
                "${X}",
                has_default=match.group("default") is not None,
            )
