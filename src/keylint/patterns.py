"""Patterns compiled on first use; case-insensitive ones searched as CPython does best.

CPython's ``re`` is slow under IGNORECASE twice over: compiling folds the case of every
character class (``not_secret_name_pattern`` takes ~6 ms to compile with it, ~1.8 ms
without), and searching is 4-5x slower. For an ASCII text and an ASCII pattern with no
upper-case letter and no inline flag of its own, ``pattern`` under IGNORECASE matches
exactly where the case-sensitive pattern matches the lower-cased text (same length, same
offsets), so that is what runs. The IGNORECASE form is compiled only when a text needs it:
non-ASCII text, or a pattern that spells an upper-case letter (the lower-cased text never
holds one, nor can a range like ``[@-_]`` or an escape like ``\x41`` that reaches one), one
of the four non-ASCII letters IGNORECASE matches with ASCII ones (``ſ`` with ``s``) or an
inline flag (``(?-i:EXAMPLE)`` turns the folding off for a part).

Both methods answer a bool, never a match: a match of the lower-cased text would hand its
caller text that is not in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_ESCAPE = re.compile(r"\\.")
_UPPER = re.compile("[A-Z]")
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux-]")
# The four non-ASCII letters IGNORECASE matches with ASCII ones (the `re` documentation:
# `İ`, `ı`, `ſ` and the Kelvin sign): other non-ASCII letters never match ASCII text.
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")
# Escapes that can stand for a letter: `\x41`, `\u0041`, `\N{...}`, octal `\101`.
_LETTER_ESCAPE = re.compile(r"\\[xuUN0-9]")
_CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")
_RANGE = re.compile(r"(\\?.)-(\\?[^\]])")


def _range_covers_upper(source: str) -> bool:
    """A character class range reaching into A-Z without naming a letter (`[@-_]`), or over
    one of the four non-ASCII letters that IGNORECASE matches with ASCII ones (`[Ā-ȁ]`
    holds `ſ`, which matches `s`)."""
    for cls in _CLASS.findall(source):
        for low, high in _RANGE.findall(cls[1:-1]):
            first, last = ord(low[-1]), ord(high[-1])
            if first <= ord("Z") and last >= ord("A"):
                return True
            if any(first <= ord(letter) <= last for letter in _FOLDS_TO_ASCII):
                return True
    return False


class CaselessPattern:
    """``re.compile(source, re.IGNORECASE)``, compiled on first use."""

    __slots__ = ("_folded", "_lowered", "_only_folded", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._lowered: re.Pattern[str] | None = None
        self._folded: re.Pattern[str] | None = None
        # Only the IGNORECASE form answers right for: an upper-case letter outside an escape
        # (``\S`` and ``\W`` are not letters here), one of the four non-ASCII letters that
        # fold to ASCII (written, or inside a range), an escape that can stand for a letter,
        # or an inline flag. Any other non-ASCII letter never matches ASCII text.
        self._only_folded = (
            _UPPER.search(_ESCAPE.sub("", source)) is not None
            or (not source.isascii() and not _FOLDS_TO_ASCII.isdisjoint(source))
            or _INLINE_FLAGS.search(source) is not None
            or _LETTER_ESCAPE.search(source) is not None
            or _range_covers_upper(source)
        )

    def __repr__(self) -> str:
        return f"CaselessPattern({self.source!r})"

    def _plan(self, text: str) -> tuple[re.Pattern[str], str]:
        if text.isascii() and not self._only_folded:
            if self._lowered is None:
                self._lowered = re.compile(self.source)
            return self._lowered, text.lower()
        if self._folded is None:
            self._folded = re.compile(self.source, re.IGNORECASE)
        return self._folded, text

    def search(self, text: str) -> bool:
        pattern, subject = self._plan(text)
        return pattern.search(subject) is not None

    def match(self, text: str) -> bool:
        pattern, subject = self._plan(text)
        return pattern.match(subject) is not None


# What cannot be joined with other patterns: a group number or name referred to again (the
# number would change), a conditional on a group, a named group (two would clash).
UNJOINABLE = re.compile(r"\\[1-9]|\(\?P[=<]|\(\?\(")


# A pattern's leading global flags that an alternative can keep as a scoped group:
# `(?i)okta` joins as `(?i:okta)`. Not `x`: a verbose comment would swallow what follows.
_LEADING_FLAGS = re.compile(r"\(\?([ims]+)\)")


class AnyPattern:
    """``any(p.search(text) for p in patterns)`` for a list of patterns, as few searches of
    their alternation as give the same answer: a value is asked of the placeholder patterns
    by several rules, and a big .env has 60,000 values.

    A pattern with an inline flag (``(?-i:…)``; a leading ``(?i)`` of a case-sensitive list
    is scoped to its own alternative), a back-reference (``(.)\\1``), a named group or a
    conditional keeps its own search, and so does every member of an alternation that does
    not compile. ``caseless``: the sources are CaselessPatterns' (matched ignoring case);
    those searched on the lower-cased text and those that need IGNORECASE are joined apart,
    so each group is searched as its patterns were."""

    __slots__ = ("_caseless", "_groups", "_searches")

    def __init__(self, sources: Sequence[str], *, caseless: bool) -> None:
        self._caseless = caseless

        def body(source: str) -> str:  # what is left to judge once leading flags are scoped
            flags = None if caseless else _LEADING_FLAGS.match(source)
            return source if flags is None else source[flags.end() :]

        alone = [s for s in sources if UNJOINABLE.search(s) or _INLINE_FLAGS.search(body(s))]
        joinable = [s if caseless else _scoped(s) for s in sources if s not in alone]
        groups: list[list[str]] = [[s] for s in alone]
        if caseless:  # the folded ones apart: one would make the whole alternation folded
            folded = [s for s in joinable if CaselessPattern(s)._only_folded]
            groups += [[s for s in joinable if s not in folded], folded]
        else:
            groups.append(joinable)
        self._groups = [group for group in groups if group]
        self._searches: list[CaselessPattern | LazyPattern] | None = None

    def search(self, text: str) -> bool:
        if self._searches is None:
            self._searches = self._build()
        return any(search.search(text) for search in self._searches)

    def _build(self) -> list[CaselessPattern | LazyPattern]:
        """One search per group, compiled on first use; a joined group that does not
        compile (what the joinability checks in ``__init__`` do not foresee) is searched
        member by member."""
        kind = CaselessPattern if self._caseless else LazyPattern
        searches: list[CaselessPattern | LazyPattern] = []
        for group in self._groups:
            if len(group) == 1:  # as written: a global flag must stay at its start
                searches.append(kind(group[0]))
                continue
            joined = "|".join(f"(?:{s})" for s in group)
            try:
                re.compile(joined)  # syntax only: IGNORECASE changes no syntax
            except re.error:
                searches += [kind(s) for s in group]
                continue
            searches.append(kind(joined))
        return searches


def _scoped(source: str) -> str:
    """``(?i)okta`` as ``(?i:okta)``: leading global flags kept to this alternative."""
    flags = _LEADING_FLAGS.match(source)
    if flags is None:
        return source
    return f"(?{flags.group(1)}:{source[flags.end() :]})"


class LazyPattern:
    """``re.compile(source, flags)`` on first use, for a rule's patterns that only files
    holding some word need (``curl``, ``APP_KEY``): every run that checks a file imports
    every rule module, and compiling such patterns cost it milliseconds for nothing.

    Not for a pattern searched on every value of every file: each use goes through here.
    """

    __slots__ = ("_compiled", "flags", "source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return self._compiled

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)

    def match(self, text: str) -> re.Match[str] | None:
        return self.compiled.match(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)
