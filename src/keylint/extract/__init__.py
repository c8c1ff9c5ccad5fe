"""Extractors: one module per file kind, each turning a SourceFile into facts.

``extract()`` picks the extractor by file kind. An extractor raises :class:`ParseError` when
the file does not parse; the file then gets the plain-text extractor (so text-level checks
still run) and the error is reported once, never as a traceback.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from keylint.facts import Fact
from keylint.providers import ProviderDB
from keylint.source import FileKind, SourceFile


class ParseError(Exception):
    """The file does not parse as its kind. The message must never contain file contents."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.args[0]}{where}"


class TooDeep(ParseError):
    """Nested deeper than a parser (``ast``, ``tomllib``, a tree walk) can follow without
    exhausting Python's recursion limit: the file is checked as text, the run goes on."""


class Partial(ParseError):
    """Some parts of a file were analysed, some were not (a notebook cell or a Markdown
    fence too deeply nested): the facts found, plus why the rest was read as text."""

    def __init__(self, message: str, facts: Sequence[Fact]) -> None:
        super().__init__(message)
        self.facts = list(facts)


TOO_DEEP = "nested too deeply to analyse; checked as plain text"

Extractor = Callable[[SourceFile, ProviderDB], list[Fact]]

# Module per kind; imported on first use so a run pays only for the kinds it meets.
_MODULES: dict[FileKind, str] = {
    FileKind.PYTHON: "python",
    FileKind.NOTEBOOK: "notebook",
    FileKind.DOTENV: "dotenv",
    FileKind.YAML: "structured",
    FileKind.JSON: "structured",
    FileKind.TOML: "structured",
    FileKind.MARKDOWN: "markdown",
    FileKind.SHELL: "text",
    FileKind.DOCKERFILE: "text",
    FileKind.TEXT: "text",
}


@dataclass
class Extracted:
    """The facts of one file, and the error when its own extractor failed (the facts are then
    what it found before failing, or the plain-text extractor's)."""

    facts: Sequence[Fact]
    error: str | None = None


def _extractor(kind: FileKind) -> Extractor:
    module = importlib.import_module(f"{__name__}.{_MODULES[kind]}")
    func: Extractor = module.extract
    return func


def extract(file: SourceFile, db: ProviderDB) -> Extracted:
    try:
        return Extracted(_extractor(file.kind)(file, db))
    except Partial as exc:
        return Extracted(exc.facts, error=exc.describe())
    except ParseError as exc:
        fallback = _extractor(FileKind.TEXT)
        return Extracted(fallback(file, db), error=exc.describe())
    except RecursionError:  # a parser not guarded itself: still one file's error, not the run's
        fallback = _extractor(FileKind.TEXT)
        return Extracted(fallback(file, db), error=f"{file.kind.value} file {TOO_DEEP}")
