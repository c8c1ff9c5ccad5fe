"""A file as keylint reads it once: decoded text, its kind, and offset-to-position mapping."""

from __future__ import annotations

import bisect
import itertools
import os
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import PurePosixPath

from keylint.span import Span


class FileKind(str, Enum):
    PYTHON = "python"
    NOTEBOOK = "notebook"
    DOTENV = "dotenv"
    YAML = "yaml"
    JSON = "json"
    TOML = "toml"
    MARKDOWN = "markdown"
    SHELL = "shell"
    DOCKERFILE = "dockerfile"
    TEXT = "text"  # everything else that is text: JS/TS, INI, HTTP files, ...


_EXTENSION_KINDS: dict[str, FileKind] = {
    ".py": FileKind.PYTHON,
    ".pyi": FileKind.PYTHON,
    ".ipynb": FileKind.NOTEBOOK,
    ".env": FileKind.DOTENV,
    ".yaml": FileKind.YAML,
    ".yml": FileKind.YAML,
    ".json": FileKind.JSON,
    ".jsonc": FileKind.TEXT,
    ".toml": FileKind.TOML,
    ".md": FileKind.MARKDOWN,
    ".markdown": FileKind.MARKDOWN,
    ".mdx": FileKind.MARKDOWN,
    ".sh": FileKind.SHELL,
    ".bash": FileKind.SHELL,
    ".zsh": FileKind.SHELL,
    ".envrc": FileKind.SHELL,
}

# Files whose contents document configuration rather than configure anything:
# placeholders there are correct.
_EXAMPLE_NAME = re.compile(
    r"(^|[./_-])(example|examples|sample|samples|template|templates|dist|tmpl|tpl)([./_-]|$)",
    re.IGNORECASE,
)
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})


# Byte-order marks of the encodings read besides UTF-8; UTF-32 first (its LE mark starts
# with UTF-16 LE's). Without a mark, UTF-16/32 text is full of NULs and skipped as binary.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def transcode(data: bytes) -> tuple[bytes, bool]:
    """UTF-16/32 with a byte-order mark → UTF-8, so the prefilter and every parser see the
    text (PowerShell 5's ``echo … > .env`` writes UTF-16 LE). Other bytes pass unchanged.
    Returns (bytes, had_invalid_code_units)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(encoding).encode("utf-8", "surrogatepass"), False
            except UnicodeDecodeError:
                text = body.decode(encoding, "replace")
                return text.encode("utf-8", "replace"), True
    return data, False


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 (BOM stripped); invalid bytes become U+FFFD. Returns (text, had_invalid_bytes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), True


def is_dotenv_name(name: str) -> bool:
    """``.env``, ``.env.*`` and ``*.env``."""
    return name == ".env" or name.startswith(".env.") or (name.endswith(".env") and name != ".env")


def base_name(path: str) -> str:
    """``PurePosixPath(path).name`` for a file's display path, without building a path object
    (two per file cost 4 % of a run on a 34,000-file tree)."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def is_install_record(path: str) -> bool:
    """A wheel's ``*.dist-info/RECORD`` (PEP 376/627): one ``path,sha256=…,size`` line per
    installed file, written by the installer. It holds no key and no configuration, yet its
    paths name providers and SDKs (``anthropic/…``, ``bearer.pyi``) and pass the prefilter:
    read as text, the manifests of a site-packages tree cost ~0.5 s of CPU and found nothing.

    ``path`` is a file's path or display path, relative to the working directory: where the
    file is decides, so ``RECORD`` or ``../RECORD`` seen from inside the ``.dist-info``
    directory is one too."""
    if not path.endswith("RECORD"):
        return False  # almost every file: no path arithmetic
    parent, name = os.path.split(os.path.abspath(path))
    return name == "RECORD" and os.path.basename(parent).endswith(".dist-info")


def _suffix(name: str) -> str:
    """``PurePosixPath(name).suffix``: from the last dot, unless it starts or ends the name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def detect_kind(path: str) -> FileKind:
    name = base_name(path)
    if is_dotenv_name(name):
        return FileKind.DOTENV
    lower = name.lower()
    if lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return FileKind.DOCKERFILE
    if lower in (".bashrc", ".profile", ".zshrc", ".bash_profile"):
        return FileKind.SHELL
    return _EXTENSION_KINDS.get(_suffix(name).lower(), FileKind.TEXT)


def is_example_path(path: str) -> bool:
    """README*, docs/, ``.env.example``, ``*.example.*`` and the like document configuration."""
    p = PurePosixPath(path)
    if p.name.upper().startswith("README"):
        return True
    if any(part.lower() in _DOC_DIRS for part in p.parts[:-1]):
        return True
    stem_parts = p.name.split(".")
    return any(_EXAMPLE_NAME.search("." + part + ".") for part in stem_parts[1:]) or bool(
        _EXAMPLE_NAME.fullmatch(stem_parts[0])
    )


@dataclass
class SourceFile:
    """One file, read once. ``path`` is the display path (relative, ``/`` separators)."""

    path: str
    text: str
    kind: FileKind
    is_example: bool = False
    git_ignored: bool = False  # only ever true for dotenv files (the rest is never read)
    decode_error: bool = False  # invalid UTF-8 was replaced with U+FFFD
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_text(
        cls, path: str, text: str, *, kind: FileKind | None = None, git_ignored: bool = False
    ) -> SourceFile:
        return cls(
            path=path,
            text=text,
            kind=kind if kind is not None else detect_kind(path),
            is_example=is_example_path(path),
            git_ignored=git_ignored,
        )

    @property
    def line_starts(self) -> list[int]:
        if not self._line_starts:
            text = self.text
            if "\r" not in text:  # the common case, without a Python step per line
                lengths = map((1).__add__, map(len, text.split("\n")))
                starts = list(itertools.accumulate(lengths, initial=0))[:-1]
            else:
                starts = [0]
                starts.extend(m.end() for m in _NEWLINE.finditer(text))
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset into ``text``."""
        starts = self.line_starts
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(line, col, end_line, end_col)

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based (line, column)."""
        return self.line_starts[line - 1] + column - 1

    def line_text(self, line: int) -> str:
        starts = self.line_starts
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


# \r\n, \n and a lone \r all end a line, as editors and GitHub count them.
_NEWLINE = re.compile(r"\r\n|\n|\r")
