"""Gitignore-style path patterns for ``exclude`` and ``per-file-ignores``.

pathspec implements git's wildmatch exactly; it is imported only when a config uses
patterns, so runs without them do not pay for the import.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from keylint.config import Settings


@functools.lru_cache(maxsize=256)
def _spec(pattern: str) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])


def _relative(path: str, settings: Settings) -> str:
    """A display path (relative to the cwd) made relative to the config file's directory."""
    if settings.root is None:
        return path
    absolute = Path(os.getcwd()) / path
    try:
        return absolute.resolve().relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return path


def matches(pattern: str, path: str, settings: Settings) -> bool:
    return bool(_spec(pattern).match_file(_relative(path, settings)))


def is_excluded(path: str, settings: Settings) -> bool:
    if any(_spec(p).match_file(path) for p in settings.cli_exclude):
        return True  # command-line patterns: relative to the working directory
    if not settings.exclude:
        return False
    rel = _relative(path, settings)
    return any(_spec(p).match_file(rel) for p in settings.exclude)
