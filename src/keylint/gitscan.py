"""Lint what git holds rather than the working tree: the index (``--staged``) and history.

Both read blobs through one ``git cat-file --batch`` process, never one process per file,
and lint them with :meth:`Engine.lint_bytes` — the working tree is never touched.

- Staged: the index entry of each file (what the commit will contain), so a key that was
  staged and then deleted from the working tree still fails the commit.
- History: ``git log --raw`` streams every commit's new blob ids, oldest first; each blob is
  linted once, at the first commit that introduced it. Memory grows with the number of
  distinct blobs (a set of 20-byte ids), not with the number of commits or their contents:
  only a bounded number of batches is in flight at once.

Linting runs in this process for small inputs and in a process pool (forked, sharing the
engine's loaded data) past :data:`keylint.engine.PARALLEL_MIN_FILES` blobs.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from keylint.engine import Engine, FileResult
from keylint.errors import GitError
from keylint.findings import Finding
from keylint.scheduler import Scheduler

if TYPE_CHECKING:
    from keylint.histcache import HistoryCache

# Regular files only: symlinks (120000) hold a path, gitlinks (160000) a commit id.
_FILE_MODES = frozenset({"100644", "100755"})
_NULL_OID = "0" * 40
# Object ids written to cat-file before reading its answers: small enough that the ids fit
# in any pipe buffer (so the write never blocks while git waits for us to read).
_CAT_FILE_WINDOW = 64
# git options that keep user configuration from changing the output we parse.
_GIT_CONFIG = ("-c", "core.quotePath=false", "-c", "log.showSignature=false")


def _git(cwd: Path, args: Sequence[str], *, check: bool = True) -> bytes:
    try:
        out = subprocess.run(
            ["git", *_GIT_CONFIG, "-C", str(cwd), *args],
            capture_output=True,
            timeout=600,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git failed: {exc}") from None
    if check and out.returncode != 0:
        message = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return out.stdout


def _decode_path(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def repo_root(cwd: Path) -> Path:
    out = _git(cwd, ["rev-parse", "--show-toplevel"])
    return Path(out.decode("utf-8", "surrogateescape").strip())


def is_shallow(root: Path) -> bool:
    """A shallow clone (CI checkouts are, by default): older commits are not there."""
    try:
        out = _git(root, ["rev-parse", "--is-shallow-repository"], check=False)
    except GitError:
        return False
    return out.strip() == b"true"


def git_common_dir(root: Path) -> Path:
    """The git directory the repository's worktrees share (``.git`` of the main one)."""
    out = _git(root, ["rev-parse", "--git-common-dir"])
    path = Path(out.decode("utf-8", "surrogateescape").strip())
    return path if path.is_absolute() else root / path


def has_head(root: Path) -> bool:
    return bool(_git(root, ["rev-parse", "--verify", "--quiet", "HEAD"], check=False).strip())


# --- the index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexEntry:
    """A regular file as git's index holds it: its path, blob id and mode."""

    path: str  # relative to the repository root, "/" separators
    oid: str
    mode: str


def staged_changes(root: Path) -> list[IndexEntry]:
    """Files added, copied, modified or renamed in the index (against HEAD), with blob ids."""
    raw = _git(
        root,
        ["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--diff-filter=ACMR"],
    )
    tokens = raw.split(b"\0")
    entries = []
    for i in range(0, len(tokens) - 1, 2):
        fields = tokens[i].decode("ascii", "replace").lstrip(":").split()
        if len(fields) < 5:
            continue
        mode, oid = fields[1], fields[3]
        if mode in _FILE_MODES and oid != _NULL_OID:
            entries.append(IndexEntry(_decode_path(tokens[i + 1]), oid, mode))
    return entries


def index_entries(cwd: Path, pathspecs: Sequence[str]) -> list[IndexEntry]:
    """Index entries (stage 0: merged) of regular files under ``pathspecs`` (relative to cwd)."""
    raw = b"".join(
        # In chunks: pre-commit fills the command line close to its limit with file names.
        _git(cwd, ["--literal-pathspecs", "ls-files", "-s", "-z", "--full-name", "--", *chunk])
        for chunk in (pathspecs[i : i + 1000] for i in range(0, len(pathspecs), 1000))
    )
    entries = []
    for record in raw.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, oid, stage = meta.decode("ascii", "replace").split()
        if stage == "0" and mode in _FILE_MODES:
            entries.append(IndexEntry(_decode_path(path), oid, mode))
    return entries


def staged_deletions(root: Path) -> set[str]:
    raw = _git(root, ["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=D"])
    return {_decode_path(p) for p in raw.split(b"\0") if p}


def head_blobs(root: Path) -> dict[bytes, str]:
    """Blob id → path of every regular file in HEAD's tree (empty without a HEAD)."""
    if not has_head(root):
        return {}
    raw = _git(root, ["ls-tree", "-r", "-z", "--full-tree", "HEAD"])
    out: dict[bytes, str] = {}
    for record in raw.split(b"\0"):
        meta, _, path = record.partition(b"\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == b"blob" and fields[0].decode() in _FILE_MODES:
            out.setdefault(bytes.fromhex(fields[2].decode()), _decode_path(path))
    return out


@dataclass
class StagedSelection:
    """What ``--staged`` checks: index entries, and explicit paths git does not track."""

    root: Path
    entries: list[tuple[IndexEntry, str, bool]]  # (entry, display path, named explicitly)
    worktree: list[str]  # named explicitly, not in the index: checked in the working tree
    errors: list[tuple[str, str]]


def select_staged(cwd: Path, paths: Sequence[str]) -> StagedSelection:
    """What the next commit holds, as keylint should check it.

    - No paths: every file the commit adds or changes.
    - A directory: the files under it that the commit adds or changes.
    - A file (pre-commit passes these): its index version, changed or not; a file staged for
      deletion is skipped; an untracked file is checked in the working tree rather than
      passed unread.
    """
    here = Path(os.path.realpath(cwd))
    root = Path(os.path.realpath(repo_root(here)))
    dirs = [p for p in paths if os.path.isdir(os.path.join(here, p))]
    files = [p for p in paths if p not in dirs]
    entries: list[tuple[IndexEntry, str, bool]] = []
    if not paths or dirs:
        prefixes = [_rel(here, d, root) for d in dirs]
        for e in staged_changes(root):
            if not prefixes or any(_under(e.path, prefix) for prefix in prefixes):
                entries.append((e, _display(root, e.path, here), False))
    worktree: list[str] = []
    errors: list[tuple[str, str]] = []
    if files:
        by_path = {e.path: e for e in index_entries(here, files)}
        deleted: set[str] | None = None
        for raw in files:
            rel = _rel(here, raw, root)
            entry = by_path.get(rel)
            if entry is not None:
                entries.append((entry, _display(root, rel, here), True))
                continue
            if deleted is None:
                deleted = staged_deletions(root)
            if rel in deleted:
                continue  # staged for deletion: nothing of it will be committed
            if os.path.lexists(os.path.join(here, raw)):
                worktree.append(raw)
            else:
                errors.append((raw, "no such file or directory"))
    return StagedSelection(root, _unique(entries), worktree, errors)


def _rel(cwd: Path, raw: str, root: Path) -> str:
    absolute = os.path.normpath(os.path.join(cwd, raw))
    return os.path.relpath(absolute, root).replace(os.sep, "/")


def _under(path: str, prefix: str) -> bool:
    return prefix == "." or path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _unique(
    entries: list[tuple[IndexEntry, str, bool]],
) -> list[tuple[IndexEntry, str, bool]]:
    seen: dict[str, tuple[IndexEntry, str, bool]] = {}
    for item in entries:
        if item[0].path not in seen or item[2]:
            seen[item[0].path] = item
    return list(seen.values())


def _display(root: Path, rel: str, cwd: Path) -> str:
    return os.path.relpath(root / rel, cwd).replace(os.sep, "/")


# --- blob contents ---------------------------------------------------------------------------


@dataclass
class Blob:
    """A git object to read and lint: :meth:`BlobReader.fill` sets its contents and size;
    ``display`` names it in findings."""

    oid: str
    display: str  # path shown in findings (relative to the working directory)
    data: bytes | None = None  # None: missing, or over the size limit
    size: int = 0
    meta: tuple[Any, ...] = ()  # caller's data (commit, date, order), carried through


class BlobReader:
    """A long-lived ``git cat-file --batch``: object ids in, contents out."""

    def __init__(self, root: Path, max_size: int) -> None:
        self.max_size = max_size
        try:
            self.proc = subprocess.Popen(
                ["git", "-C", str(root), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._out: IO[bytes] = self.proc.stdout

    def fill(self, blobs: Sequence[Blob]) -> None:
        """Set ``data`` and ``size`` of each blob (``data`` stays None when skipped)."""
        for start in range(0, len(blobs), _CAT_FILE_WINDOW):
            window = blobs[start : start + _CAT_FILE_WINDOW]
            self._in.write(b"".join(b.oid.encode("ascii") + b"\n" for b in window))
            self._in.flush()
            for blob in window:
                self._read_one(blob)

    def _read_one(self, blob: Blob) -> None:
        header = self._out.readline().split()
        if len(header) != 3:  # "<oid> missing" (a shallow clone, a pruned object)
            if not header:
                raise GitError("git cat-file stopped unexpectedly")
            return
        size = int(header[2])
        blob.size = size
        if size > self.max_size:  # skip it without holding it in memory
            remaining = size + 1
            while remaining:
                chunk = self._out.read(min(remaining, 1 << 20))
                if not chunk:
                    raise GitError("git cat-file stopped unexpectedly")
                remaining -= len(chunk)
            return
        data = self._out.read(size + 1)  # contents, then a newline
        if len(data) != size + 1:
            raise GitError("git cat-file stopped unexpectedly")
        blob.data = data[:size]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self._in.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._out.close()


# --- linting blobs, in this process or a pool ------------------------------------------------


# Blobs are linted by the one scheduler every source uses (scheduler.py).


def blob_items(blobs: Iterable[Blob]) -> list[tuple[str, bytes]]:
    """The blobs that were read, as the scheduler's (display path, bytes) items."""
    return [(b.display, b.data) for b in blobs if b.data is not None]


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    """A commit of the history walk: its id, author date and place in the walk."""

    sha: str
    author_date: str  # strict ISO 8601
    order: int  # 0 for the oldest commit of the walk


@dataclass(frozen=True)
class NewBlob:
    """A file version a commit introduced: blob id, path, commit, and the blob it replaced."""

    oid: str
    path: str  # relative to the repository root
    commit: Commit
    parent_oid: str | None = None  # the version it replaced (one-parent modifications only)


# Revision arguments passed through as options; everything else comes after --end-of-options.
# `all` is the command line's spelling of `--all` (click cannot take a value that looks
# like an option).
REV_OPTIONS = {"all": "--all", "--all": "--all", "--branches": "--branches", "--tags": "--tags"}


def rev_args(spec: str) -> list[str]:
    """``"main..feature"`` / ``"HEAD"`` / ``"all"`` → git arguments, refusing other options."""
    options, revs = [], []
    for word in spec.split():
        if word in REV_OPTIONS:
            options.append(REV_OPTIONS[word])
        elif word.startswith("-"):
            raise GitError(f"unsupported option in revision range: {word}")
        else:
            revs.append(word)
    return [*options, "--end-of-options", *revs] if revs else options


def count_commits(root: Path, revs: Sequence[str], pathspecs: Sequence[str]) -> int:
    out = _git(root, ["--literal-pathspecs", "rev-list", "--count", *revs, "--", *pathspecs])
    return int(out.strip() or 0)


def walk_history(
    root: Path,
    revs: Sequence[str],
    pathspecs: Sequence[str],
    on_commit: Callable[[int], None] | None = None,
) -> Iterator[NewBlob]:
    """Every (blob, path) that a commit in ``revs`` added or changed, oldest commit first.

    Merges are included through their combined diff (``-c``): a blob that a merge made
    (a conflict resolution) and that no parent had is new there. A blob is yielded each
    time it appears: callers dedupe.
    """
    args = [
        "git",
        *_GIT_CONFIG,
        "-C",
        str(root),
        "--literal-pathspecs",
        "log",
        "--reverse",
        "--raw",
        "-c",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--no-color",
        "--no-ext-diff",
        "--format=%x01%H %aI",
        *revs,
        "--",
        *pathspecs,
    ]
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    assert proc.stdout is not None and proc.stderr is not None
    try:
        yield from _parse_log(proc.stdout, on_commit)
        stderr = proc.stderr.read()
        if proc.wait() != 0:
            lines = stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(lines[-1] if lines else "git log failed")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    rest = b""
    while chunk := stream.read(1 << 16):
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _parse_log(stream: IO[bytes], on_commit: Callable[[int], None] | None) -> Iterator[NewBlob]:
    commit: Commit | None = None
    order = 0
    tokens = _tokens(stream)
    for token in tokens:
        token = token.lstrip(b"\n")
        if token.startswith(b"\x01"):
            sha, _, date = token[1:].decode("ascii", "replace").partition(" ")
            commit = Commit(sha, date.strip(), order)
            order += 1
            if on_commit:
                on_commit(order)
        elif token.startswith(b":"):
            path = next(tokens, b"")
            if commit is None:
                continue
            parents = len(token) - len(token.lstrip(b":"))
            fields = token.decode("ascii", "replace").lstrip(":").split()
            # One mode per parent plus the result's, then as many ids, then the status.
            if len(fields) < 2 * (parents + 1) + 1:
                continue
            mode, oid = fields[parents], fields[-2]
            if mode in _FILE_MODES and oid != _NULL_OID:
                old = fields[2] if parents == 1 and fields[0] in _FILE_MODES else None
                yield NewBlob(oid, _decode_path(path), commit, old)


@dataclass
class HistoryResult:
    """What :func:`scan_history` found (one finding per secret, at the commit that first added
    it), with counts of the commits and blobs it looked at."""

    findings: list[Finding]
    commits: int
    blobs: int  # distinct blobs looked at
    unchanged: int = 0  # of which skipped: their changed lines hold nothing to find
    missing: int = 0  # blobs the object store does not have (a partial or broken clone)
    shallow: bool = False  # a shallow clone: the history before its graft is not there
    cached: int = 0  # of `blobs`, answered by the history cache (histcache.py): not read
    linted: int = 0  # of `blobs`, read and linted


# Lines of context kept above each changed line: a key name one or two lines above its value
# (`api_key = (` / `"…"`), or a PEM header above a changed body, still counts.
_CONTEXT_LINES = 2


def changed_lines(old: bytes, new: bytes) -> bytes:
    """The lines of ``new`` that are not in ``old`` in the same place, with context above.

    A line counts as unchanged when the pair (line above, line) also occurs in ``old``: an
    edited, inserted or moved line, and the line after it, are changed. Linear time, unlike
    a real diff; it may keep more than a diff would, never less of what was added.
    """
    before = Counter(pairwise([b"", *old.split(b"\n")]))
    lines = new.split(b"\n")
    keep: set[int] = set()
    for i, pair in enumerate(pairwise([b"", *lines])):
        if before[pair] > 0:
            before[pair] -= 1
        else:
            keep.update(range(max(0, i - _CONTEXT_LINES), i + 1))
    return b"\n".join(lines[i] for i in sorted(keep))


_HISTORY_BATCH = 32


@dataclass
class _Seen:
    """The earliest finding per secret, and which secrets HEAD's tree still holds."""

    best: dict[str, tuple[tuple[int, str, int, int, str], Finding, Commit]] = field(
        default_factory=dict
    )
    in_head: set[str] = field(default_factory=set)

    def add(self, results: Sequence[FileResult], metas: Sequence[tuple[Any, ...]]) -> None:
        for result, meta in zip(results, metas, strict=True):
            commit, in_head = meta[0], meta[1]
            for f in result.findings:
                key = _secret_key(f)
                if in_head:
                    self.in_head.add(key)
                order = (commit.order, f.path, f.span.line, f.span.column, f.rule)
                current = self.best.get(key)
                if current is None or order < current[0]:
                    self.best[key] = (order, f, commit)


def _secret_key(f: Finding) -> str:
    return f.secret.fingerprint if f.secret else f"{f.rule}\0{f.path}\0{f.span.line}"


def scan_history(
    engine: Engine,
    cwd: Path,
    spec: str,
    pathspecs: Sequence[str],
    keep: Callable[[str], bool],
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache: HistoryCache | None = None,
) -> HistoryResult:
    """Lint every blob that the commits of ``spec`` introduced; one finding per secret, at the
    commit that first added it, marked with whether HEAD's tree still holds it.

    ``engine`` should carry only the rules worth running on old blobs (hardcoded secrets);
    other findings are dropped. ``keep(display)`` filters paths (excludes, binary names).
    ``cache`` answers for blobs an earlier run found clean, and learns this run's; the
    caller saves it.
    """
    here = Path(os.path.realpath(cwd))
    root = Path(os.path.realpath(repo_root(here)))
    revs = rev_args(spec)
    if spec == "HEAD" and not has_head(root):
        return HistoryResult([], 0, 0)  # no commit yet: no history to read
    specs = [os.path.relpath(os.path.join(here, p), root) for p in pathspecs]
    specs = [s for s in specs if s != "."]
    total = count_commits(root, revs, specs) if progress else 0
    head = head_blobs(root)
    seen_blobs: set[bytes] = set()
    kept: dict[str, str | None] = {}  # path → display path, None when `keep` refuses it
    seen = _Seen()
    commits = 0

    def on_commit(n: int) -> None:
        nonlocal commits
        commits = n
        if progress:
            progress(n, max(total, n))

    reader = BlobReader(root, engine.settings.max_file_size)
    linter = Scheduler(engine, jobs, secrets_only=True)
    batch: list[Blob] = []
    parents: list[Blob] = []  # previous versions of the batch's blobs, same order (or None)
    unchanged = 0
    missing = 0
    cached = 0
    linted = 0

    def flush() -> Iterator[tuple[Any, list[FileResult]]]:
        nonlocal unchanged, missing, linted
        reader.fill(batch)
        missing += sum(1 for b in batch if b.data is None and b.size == 0)
        reader.fill([p for p in parents if p.oid])
        for blob, parent in zip(batch, parents, strict=True):
            # HEAD's blobs are always linted in full: they say which keys HEAD still holds.
            # A blob that is not interesting at all costs the engine little: not compared.
            if (
                blob.data is not None
                and parent.data is not None
                and not blob.meta[1]
                and engine.prefilter.interesting(blob.data)
                and not engine.prefilter.interesting(changed_lines(parent.data, blob.data))
            ):
                blob.data = None  # nothing new to find: its findings are its parent's
                unchanged += 1
                if cache is not None:
                    cache.add(_unchanged_key(blob.oid, parent.oid))
        metas = [b.meta for b in batch if b.data is not None]
        linted += len(metas)
        yield from linter.submit(blob_items(batch), metas)
        batch.clear()  # drop the contents: only the pending batch holds them now
        parents.clear()

    try:
        for new in walk_history(root, revs, specs, on_commit):
            oid = bytes.fromhex(new.oid)
            if oid in seen_blobs:
                continue
            # Per path, not per blob: a path has many versions, and on a cached re-run these
            # path computations are most of the work left.
            if new.path not in kept:
                shown = _display(root, new.path, here)
                kept[new.path] = shown if keep(shown) else None
            display = kept[new.path]
            if display is None:
                continue
            seen_blobs.add(oid)
            in_head = oid in head
            if cache is not None and _known(cache, new, display, in_head):
                cached += 1
                continue
            key = _clean_key(new.oid, display) if cache is not None else None
            batch.append(Blob(new.oid, display, meta=(new.commit, in_head, key)))
            parents.append(Blob(new.parent_oid or "", display))
            if len(batch) >= _HISTORY_BATCH:
                for metas, results in flush():
                    seen.add(results, metas)
                    _learn(cache, results, metas)
        if batch:
            for metas, results in flush():
                seen.add(results, metas)
                _learn(cache, results, metas)
        for metas, results in linter.drain():
            seen.add(results, metas)
            _learn(cache, results, metas)
        if any(key not in seen.in_head for key in seen.best):
            # The range may not reach HEAD's blobs (`main..feature`): look at the rest of them.
            rest = [(o, p) for o, p in head.items() if o not in seen_blobs]
            _scan_head(rest, root, here, reader, linter, keep, seen, cache)
    finally:
        linter.close()
        reader.close()
    return HistoryResult(
        _history_findings(seen),
        commits,
        len(seen_blobs),
        unchanged,
        missing=missing,
        shallow=is_shallow(root),
        cached=cached,
        linted=linted,
    )


def _clean_key(oid: str, display: str) -> bytes:
    from keylint.histcache import clean_key

    return clean_key(oid, display)


def _unchanged_key(oid: str, parent_oid: str) -> bytes:
    from keylint.histcache import unchanged_key

    return unchanged_key(oid, parent_oid)


def _known(cache: HistoryCache, new: NewBlob, display: str, in_head: bool) -> bool:
    """An earlier run found this blob clean at this path, or its changes empty of anything
    to find (never for HEAD's blobs: those are linted in full, as without a cache)."""
    if cache.hit(_clean_key(new.oid, display)):
        return True
    return (
        not in_head
        and new.parent_oid is not None
        and cache.hit(_unchanged_key(new.oid, new.parent_oid))
    )


def _learn(
    cache: HistoryCache | None, results: Sequence[FileResult], metas: Sequence[tuple[Any, ...]]
) -> None:
    """Blobs linted with no finding need no second look, unless keylint failed on them (an
    internal error: a bug, or a limit of this machine). A file that does not parse (a broken
    commit) is clean: the same bytes fail the same way with the same keylint and Python."""
    if cache is None:
        return
    for result, meta in zip(results, metas, strict=True):
        failed = result.error is not None and result.error[1].startswith("internal error")
        if not result.findings and not failed and meta[2] is not None:
            cache.add(meta[2])


def _scan_head(
    blobs: Sequence[tuple[bytes, str]],
    root: Path,
    here: Path,
    reader: BlobReader,
    linter: Scheduler,
    keep: Callable[[str], bool],
    seen: _Seen,
    cache: HistoryCache | None = None,
) -> None:
    head_commit = Commit("HEAD", "", -1)
    todo = []
    for o, p in blobs:
        d = _display(root, p, here)
        if not keep(d):
            continue
        key = _clean_key(o.hex(), d) if cache is not None else None
        if key is not None and cache is not None and cache.hit(key):
            continue  # clean: it holds no key, in HEAD or not
        todo.append(Blob(o.hex(), d, meta=(head_commit, True, key)))
    for start in range(0, len(todo), _HISTORY_BATCH):
        batch = todo[start : start + _HISTORY_BATCH]
        reader.fill(batch)
        metas = [b.meta for b in batch if b.data is not None]
        for done, results in linter.submit(blob_items(batch), metas):
            _mark_in_head(results, seen)
            _learn(cache, results, done)
        for b in batch:
            b.data = None
    for done, results in linter.drain():
        _mark_in_head(results, seen)
        _learn(cache, results, done)


def _mark_in_head(results: Sequence[FileResult], seen: _Seen) -> None:
    for result in results:
        seen.in_head.update(_secret_key(f) for f in result.findings)


def _history_findings(seen: _Seen) -> list[Finding]:
    out = []
    for key, (_, f, commit) in seen.best.items():
        in_head = key in seen.in_head
        where = f"added in commit {commit.sha[:12]} ({commit.author_date[:10]})"
        if in_head:
            status = "still in HEAD"
        else:
            status = "no longer in HEAD but still in the history (deleting does not revoke it)"
        extra = (
            *f.extra,
            ("commit", commit.sha),
            ("author_date", commit.author_date),
            ("in_head", "true" if in_head else "false"),
        )
        out.append(replace(f, message=f"{f.message}; {where}, {status}", extra=extra))
    out.sort(key=lambda f: f.sort_key)
    return out
