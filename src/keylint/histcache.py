"""A cache of the blobs ``--history`` already found clean, so a re-run reads only what is new.

A blob id names its bytes, so whether a blob holds a key depends only on those bytes, on
the path it is linted as (file kind, role, per-file-ignores) and on keylint itself (code,
rules data, settings). The cache keeps, per such "keylint identity", a set of 16-byte
digests of what needs no second look:

- ``clean``: (blob id, path) that was linted and gave no finding and no error;
- ``unchanged``: (blob id, parent blob id) whose changed lines hold nothing to find (the
  history walk skips those without linting, see ``gitscan.changed_lines``).

Blobs with findings are never stored: they are few, and are linted again each run. So the
file holds no secret, no redacted secret, no path and no content: only digests. The
identity (keylint's version and the hash of its code, its rules data, ``extend-data``,
the settings and rules of the run) names the file, so an upgrade or a changed config
starts a new file rather than reuse stale answers.

Where: ``cache-dir`` (``--cache-dir``, ``KEYLINT_CACHE_DIR``, or the config setting), else
``keylint/`` in the repository's git directory: never committed, needs no .gitignore,
shared by its worktrees. Written atomically (temp file + rename); an unreadable or corrupt
file is ignored with a note; at most :data:`MAX_ENTRIES` digests per file and
:data:`MAX_FILES` files per directory.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keylint.engine import Engine

FORMAT = 1
_MAGIC = b"keylint-history-cache %d\n" % FORMAT
_DIGEST = 16  # bytes per entry: 128 bits, a collision between two blobs is not a concern
_CHECKSUM = 32
# 2M entries (32 MB) cover a repository of a few million blobs; past it, the entries this
# run used are kept first.
MAX_ENTRIES = 2_000_000
MAX_FILES = 4  # identities kept per directory (configs, versions): the oldest go


def digest(kind: bytes, *parts: str) -> bytes:
    h = hashlib.blake2b(kind, digest_size=_DIGEST)
    for part in parts:
        h.update(b"\0" + part.encode("utf-8", "surrogateescape"))
    return h.digest()


def clean_key(oid: str, display: str) -> bytes:
    """A blob linted as ``display`` that gave nothing."""
    return digest(b"clean", oid, display)


def unchanged_key(oid: str, parent_oid: str) -> bytes:
    """A blob whose lines changed from ``parent_oid`` hold nothing to find."""
    return digest(b"unchanged", oid, parent_oid)


class HistoryCache:
    """Digests of blobs that need no second look, for one keylint identity."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[str] = []
        self._old: set[bytes] = set()
        self._used: set[bytes] = set()  # hits and additions of this run: kept first
        self._added = 0
        self._old = self._read(path, report=True)

    def hit(self, key: bytes) -> bool:
        if key in self._used:
            return True
        if key in self._old:
            self._used.add(key)
            return True
        return False

    def add(self, key: bytes) -> None:
        if key not in self._used and key not in self._old:
            self._added += 1
        self._used.add(key)

    def _read(self, path: Path, report: bool) -> set[bytes]:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return set()
        except OSError as exc:
            if report:
                self.notes.append(f"cannot read the history cache {path}: {exc.strerror}")
            return set()
        body = data[len(_MAGIC) : -_CHECKSUM]
        if (
            not data.startswith(_MAGIC)
            or len(data) < len(_MAGIC) + _CHECKSUM
            or len(body) % _DIGEST
            or hashlib.sha256(data[:-_CHECKSUM]).digest() != data[-_CHECKSUM:]
        ):
            if report:
                self.notes.append(f"the history cache {path} is damaged: ignored and rewritten")
                self._added += 1  # rewrite it even if this run finds nothing new
            return set()
        return {body[i : i + _DIGEST] for i in range(0, len(body), _DIGEST)}

    def save(self) -> None:
        """Write the entries (this run's first), merged with what another run wrote since
        we read the file. Any failure costs only the speed of the next run."""
        if not self._added:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _ignore_dir(self.path.parent)
            rest = (self._old | self._read(self.path, report=False)) - self._used
            entries = list(self._used)[:MAX_ENTRIES]
            entries.extend(list(rest)[: MAX_ENTRIES - len(entries)])
            data = _MAGIC + b"".join(sorted(entries))
            data += hashlib.sha256(data).digest()
            fd, tmp = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                # Readable by the other users of a shared repository (mkstemp gives 0600):
                # it holds digests only.
                os.chmod(tmp, 0o644)
                os.replace(tmp, self.path)
            except BaseException:
                _unlink(Path(tmp))
                raise
            self._added = 0
            _prune(self.path.parent, keep=self.path)
        except OSError as exc:
            self.notes.append(f"cannot write the history cache {self.path}: {exc.strerror}")


def _ignore_dir(directory: Path) -> None:
    """A ``cache-dir`` inside a working tree stays out of ``git status`` (as ruff's)."""
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("# Automatically created by keylint.\n*\n", encoding="utf-8")


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _prune(directory: Path, keep: Path) -> None:
    """Keep the :data:`MAX_FILES` most recently written caches (other configs, versions)."""
    try:
        found = [p for p in directory.glob("history-*.bin") if p != keep]
        found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in found[MAX_FILES - 1 :]:
        _unlink(old)


# --- the identity: everything that changes what a blob gives -----------------------------


@functools.cache
def _code_hash() -> str:
    """keylint's own code and bundled rules data: a local edit or an upgrade is a new
    identity, even where the version number did not change."""
    from keylint.providers import data_dir

    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for base, pattern in ((package, "*.py"), (data_dir(), "*")):
        _hash_tree(h, base, pattern)
    return h.hexdigest()


@functools.cache
def _platform() -> list[str]:
    """Python (its parser decides which files parse) and the parsers keylint uses."""
    from importlib import metadata

    versions = [sys.version]
    for name in _PARSERS:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    return versions


_PARSERS = ("libcst", "pyyaml", "detect-secrets", "ahocorasick-rs", "tomli")


def _hash_tree(h: Any, base: Path, pattern: str) -> None:
    for path in sorted(p for p in base.rglob(pattern) if p.is_file()):
        h.update(path.relative_to(base).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        h.update(path.read_bytes() + b"\0")


def identity(engine: Engine) -> str:
    """A hash of what decides the findings of one blob at one path."""
    from keylint import __version__
    from keylint.findings import Category

    settings = {k: v for k, v in asdict(engine.settings).items() if k not in _NOT_FINDINGS}
    h = hashlib.sha256()
    h.update(json.dumps([FORMAT, __version__, _code_hash(), _platform()]).encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    h.update(json.dumps(sorted(type(r).code for r in engine.rules)).encode())
    # The project's dependency pins matter to the SDK and env-name rules only, never to the
    # hardcoded-secret rules that --history runs (a test holds them to it): a dependency bump
    # must not make every CI run read the whole history again.
    if any(r.category is not Category.HARDCODED_SECRET for r in engine.rules):
        h.update(json.dumps(sorted(engine.pins.items())).encode())
    for directory in engine.settings.extend_data:  # their contents, not only their names
        if directory.is_dir():
            _hash_tree(h, directory, "*")
    return h.hexdigest()


# Settings that change no finding of a blob: where the cache is, which file they came from,
# and the exit status's threshold.
_NOT_FINDINGS = frozenset({"source", "cache_dir", "fail_on"})


def default_dir(root: Path) -> Path | None:
    """``keylint/`` in the git directory shared by the repository's worktrees."""
    from keylint.errors import GitError
    from keylint.gitscan import git_common_dir

    try:
        return git_common_dir(root) / "keylint"
    except GitError:
        return None


def open_cache(directory: Path, engine: Engine) -> HistoryCache:
    return HistoryCache(directory / f"history-{identity(engine)[:32]}.bin")
