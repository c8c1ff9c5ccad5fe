"""Which files a run reads.

Inside a git work tree, git itself says what is ignored (``git ls-files``), so the answer is
git's own view: a tracked file is never ignored even when a ``.gitignore`` pattern matches it.
Dotenv files are the exception: they are read even when ignored, and marked so rules know
that a real key there is correct practice. Outside git, directories are walked with the
default excludes only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

from keylint.redaction import scrub
from keylint.source import is_dotenv_name
from keylint.span import value_class

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "virtualenv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        "build",
        "dist",
        ".eggs",
        "site-packages",
        ".cache",
        ".idea",
        ".vscode",
        ".direnv",
        "bower_components",
        ".terraform",
        ".next",
        ".nuxt",
        "target",
    }
)
# Never text worth reading: skipped by name, without opening the file.
BINARY_SUFFIXES = frozenset(
    {
        ".pyc",
        ".pyo",
        ".so",
        ".o",
        ".a",
        ".dll",
        ".dylib",
        ".exe",
        ".bin",
        ".class",
        ".jar",
        ".whl",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".zst",
        ".7z",
        ".rar",
        ".tar",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".ico",
        ".webp",
        ".tif",
        ".tiff",
        ".pdf",
        ".mp3",
        ".mp4",
        ".wav",
        ".ogg",
        ".mov",
        ".avi",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".npy",
        ".npz",
        ".pkl",
        ".pickle",
        ".parquet",
        ".db",
        ".sqlite",
        ".sqlite3",
        ".pt",
        ".onnx",
        ".h5",
        ".mo",
        ".icns",
        ".DS_Store",
    }
)


@value_class(frozen=True)  # hot: frozen for mypy only (keylint.span)
class Target:
    """A file to read: its path, the name findings show it by, whether it was named on the
    command line, and whether git ignores it (a dotenv file, read all the same)."""

    path: Path  # as opened
    display: str  # relative to the working directory, "/" separators
    explicit: bool = False  # named on the command line
    git_ignored: bool = False


@dataclass
class Discovery:
    """What ``discover`` found: the files to read, and the paths it could not read, with why."""

    targets: list[Target]
    errors: list[tuple[str, str]]  # (path, message)


def display_path(path: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def _git(
    args: Sequence[str], *, timeout: float, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``git ARGS``; a timeout or a missing git is an OSError. subprocess is imported here:
    a run on files named on the command line (a pre-commit hook) never starts git."""
    import subprocess

    try:
        return subprocess.run(
            ["git", *args], input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.SubprocessError as exc:
        raise OSError(str(exc)) from None


def git_root(directory: Path) -> Path | None:
    """The top level of the git work tree holding ``directory``, or None outside git."""
    try:
        out = _git(["-C", str(directory), "rev-parse", "--show-toplevel"], timeout=30)
    except OSError:
        return None
    top = out.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(top) if out.returncode == 0 and top else None


def _git_listings(root: Path, commands: Sequence[Sequence[str]]) -> list[list[str]]:
    """The NUL-separated output of each ``git -C ROOT ARGS``, the commands run side by side:
    each of the two listings of a walk spends ~0.09 s in the kernel on a 34,000-file tree."""
    import subprocess

    procs: list[subprocess.Popen[bytes]] = []
    try:
        for args in commands:
            procs.append(
                subprocess.Popen(
                    ["git", "-C", str(root), *args],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
        listings = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            if proc.returncode != 0:
                raise OSError(err.decode("utf-8", "replace").strip() or "git failed")
            listings.append([p for p in out.decode("utf-8", "surrogateescape").split("\0") if p])
        return listings
    except subprocess.SubprocessError as exc:
        raise OSError(str(exc)) from None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


def _excluded_dir(parts: Iterable[str]) -> bool:
    return any(part in DEFAULT_EXCLUDED_DIRS for part in parts)


def git_ignored(paths: Sequence[Path]) -> set[Path]:
    """The subset of ``paths`` that git ignores (and does not track)."""
    result: set[Path] = set()
    by_root: dict[Path, list[Path]] = {}
    for path in paths:
        root = git_root(path.parent)
        if root is not None:
            by_root.setdefault(root, []).append(path)
    for root, members in by_root.items():
        try:
            out = _git(
                ["-C", str(root), "check-ignore", "-z", "--stdin"],
                stdin=b"\0".join(str(p.resolve()).encode() for p in members),
                timeout=60,
            )
        except OSError:
            continue
        for item in out.stdout.split(b"\0"):
            if item:
                result.add(Path(item.decode()).resolve())
    return {p for p in paths if p.resolve() in result}


def _is_ignored(root: Path, path: Path) -> bool:
    try:
        out = _git(["-C", str(root), "check-ignore", "-q", str(path.resolve())], timeout=30)
    except OSError:
        return False
    return out.returncode == 0


def _walk_git(directory: Path, root: Path, cwd: Path) -> Iterator[Target]:
    rel = os.path.relpath(directory, root)
    spec = [] if rel == "." else ["--", rel]
    # Default excludes apply below the directory asked for, not to it or its parents:
    # `keylint lib/site-packages` checks site-packages; `keylint lib` skips it.
    skip = 0 if rel == "." else len(Path(rel).parts)
    # git's names are relative to the root: below the working directory, the display is the
    # name less the working directory's own path (one relpath per run, not per file: 33,000
    # of them cost 0.6 s of a run's serial start); elsewhere relpath as usual.
    here = display_path(cwd, root)
    inside = "" if here == "." else here + "/"
    # From outside the work tree (`keylint repo` run in repo's parent) a file shows as the
    # tree's path from here, then its name: the same string relpath gives, once per run.
    # (Below the tree, a name outside the working directory takes relpath: `a/c/f` from
    # `a/b` is `../c/f`.)
    outside = display_path(root, cwd) + "/" if here == ".." or here.startswith("../") else ""
    # Ignored dotenv files still hold the keys the code uses: read them too.
    dotenv_spec = [":(glob)**/.env", ":(glob)**/.env.*", ":(glob)**/*.env"]
    names, ignored = _git_listings(
        root,
        [
            ["ls-files", "-z", "-co", "--exclude-standard", *spec],
            ["ls-files", "-z", "-oi", "--exclude-standard", "--", *dotenv_spec],
        ],
    )
    base = str(root) + os.sep
    for name in names:
        parts = name.split("/")
        if _excluded_dir(parts[skip:-1]) or not _is_regular(base + name):
            continue
        if name.startswith(inside):
            shown = name[len(inside) :]
        elif outside:
            shown = outside + name
        else:
            shown = display_path(root / name, cwd)
        yield Target(root / name, shown)
    prefix = "" if rel == "." else rel.rstrip("/") + "/"
    for name in ignored:
        if prefix and not name.startswith(prefix):
            continue
        parts = name.split("/")
        if _excluded_dir(parts[skip:-1]) or not is_dotenv_name(parts[-1]):
            continue
        path = root / name
        if path.is_file() and not path.is_symlink():
            yield Target(path, display_path(path, cwd), git_ignored=True)


def _is_regular(path: str | Path) -> bool:
    """A regular file, not a symlink (one lstat: ``is_file() and not is_symlink()`` took two)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def _walk_plain(
    directory: Path, cwd: Path, errors: list[tuple[str, str]] | None = None
) -> Iterator[Target]:
    def unreadable(exc: OSError) -> None:  # os.walk skips such a directory silently otherwise
        if errors is not None and exc.filename is not None:
            where = display_path(Path(os.fsdecode(exc.filename)), cwd)
            errors.append((where, f"cannot read directory: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(directory, onerror=unreadable, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in DEFAULT_EXCLUDED_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            # Regular files only (lstat: no symlinks): a FIFO would block the read forever,
            # a device like /dev/zero never ends. Git walks skip them the same way.
            if _special_kind(path) is None and path.is_file():
                yield Target(path, display_path(path, cwd))


def _special_kind(path: Path) -> str | None:
    """What ``path`` is when it is neither a regular file, a directory nor a symlink."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return None


def discover(paths: Sequence[str], cwd: Path) -> Discovery:
    targets: list[Target] = []
    errors: list[tuple[str, str]] = []
    explicit_dotenv: list[Path] = []
    for raw in paths:
        path = Path(raw)
        raw = scrub(raw)  # echoed in errors below: a path typed on the command line may be a key
        if not path.is_absolute():
            path = cwd / path
        if path.is_symlink() and not path.exists():
            errors.append((raw, "broken symbolic link"))
            continue
        if not path.exists():
            errors.append((raw, "no such file or directory"))
            continue
        if path.is_dir():
            root = git_root(path)
            if root is not None and path.resolve() != root.resolve() and _is_ignored(root, path):
                # A directory named on the command line that git ignores as a whole (a
                # virtualenv, a vendored tree): the user asked for it, so walk it plainly.
                root = None
            try:
                walk = _walk_git(path, root, cwd) if root else _walk_plain(path, cwd, errors)
                found = list(walk)
            except OSError as exc:
                errors.append((raw, f"cannot list files: {exc}"))
                continue
            targets.extend(found)
        elif not path.is_file():  # named, but never opened: reading it would block or not end
            kind = _special_kind(path.resolve()) or "not a regular file"
            errors.append((raw, f"not checked: {kind}"))
        else:
            targets.append(Target(path, display_path(path, cwd), explicit=True))
            if is_dotenv_name(path.name):
                explicit_dotenv.append(path)
    if explicit_dotenv:
        ignored = git_ignored(explicit_dotenv)
        targets = [
            Target(t.path, t.display, t.explicit, True) if t.path in ignored else t for t in targets
        ]
    return Discovery(_dedupe(targets), errors)


def _dedupe(targets: list[Target]) -> list[Target]:
    seen: set[str] = set()
    out: list[Target] = []
    for t in targets:
        if t.display not in seen:
            seen.add(t.display)
            out.append(t)
    return out


def is_binary_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in BINARY_SUFFIXES
