"""Writing a fixed file without ever damaging it, or anything next to it (audit D7, D9).

- The new content goes to a temporary file that ``git add -A`` during a run cannot commit:
  inside the work tree's ``.git`` directory when there is one on the same file system, else
  next to the file, named after it with its last suffix repeated (``.env`` →
  ``.env.keylint-tmp-XXXX.env``), so that the patterns ignoring the file (``.env*``,
  ``*.env``, ``.env.*``; ``*.json``…) ignore its copy too.
- The copy gets the file's mode, owner and group before it is renamed over the file.
- SIGINT and SIGTERM during the write remove the temporary file before keylint exits.
- Refused, with a message: hard-linked files (a rename would split the link), read-only
  files, anything that is not a regular file. A symlink is fixed through its target (the link
  stays a link); a dangling one is refused.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType


class Refused(Exception):
    """The file is left alone; the message says why (shown to the user)."""


_LIVE: set[str] = set()  # temporary files being written (removed on SIGINT/SIGTERM)


def temp_name(path: Path) -> Path:
    """Where the new content is written before the rename.

    In a git work tree whose ``.git`` directory is on the same file system: inside ``.git``,
    where ``git add`` never looks. Else next to the file, as
    ``NAME.keylint-tmp-XXXXXXXX.SUFFIX``, so the patterns that ignore the file ignore its copy.
    """
    token = secrets.token_hex(4)
    git_dir = _git_dir(path.parent)
    if git_dir is not None:
        return git_dir / f"keylint-tmp-{token}-{path.name}"
    name = path.name
    last = name.rsplit(".", 1)[-1] if "." in name else ""
    tail = f".{last}" if last else ""
    return path.with_name(f"{name}.keylint-tmp-{token}{tail}")


def _git_dir(directory: Path) -> Path | None:
    """The ``.git`` directory above ``directory`` when a rename from it is possible."""
    try:
        device = directory.stat().st_dev
        for parent in (directory, *directory.parents):
            candidate = parent / ".git"
            if candidate.is_dir() and not candidate.is_symlink():
                if candidate.stat().st_dev == device and os.access(candidate, os.W_OK):
                    return candidate
                return None
            if candidate.exists():
                return None  # a worktree's `.git` file: its git dir may be anywhere
    except OSError:
        return None
    return None


def writable_target(path: Path) -> Path:
    """The regular file a fix of ``path`` writes: ``path`` itself or a symlink's target.

    Raises :class:`Refused` for what a rename would damage or what the user cannot write.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = target.stat()
    except FileNotFoundError:
        raise Refused("not fixed: the symlink points nowhere") from None
    if not stat.S_ISREG(st.st_mode):
        raise Refused("not fixed: not a regular file")
    if st.st_nlink > 1:
        raise Refused(
            f"not fixed: the file has {st.st_nlink} hard links (replacing it would split them)"
        )
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise Refused("not fixed: the file is read-only")
    return target


@contextlib.contextmanager
def _cleanup_on_signals() -> Iterator[None]:
    """Turn SIGTERM into an exception (SIGINT already is one) so the ``finally`` runs."""
    if sys.platform == "win32" or not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        for tmp in list(_LIVE):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise KeyboardInterrupt if signum == signal.SIGINT else SystemExit(128 + signum)

    old_term = signal.signal(signal.SIGTERM, handler)
    old_int = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def safe_write(path: Path, data: bytes, *, create: bool = False) -> None:
    """Replace ``path`` (or its symlink's target) with ``data`` atomically.

    With ``create``, a missing file is created (a ``.env*`` file with mode 0600: it holds a
    key; anything else as the umask says). Raises
    :class:`Refused` or OSError.
    """
    if create and not path.exists() and not path.is_symlink():
        target = path
        st = None
    else:
        target = writable_target(path)
        st = target.stat()
    tmp = temp_name(target)
    with _cleanup_on_signals():
        _LIVE.add(str(tmp))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if st is not None:
                _keep_owner(tmp, st)
                os.chmod(tmp, stat.S_IMODE(st.st_mode))
            elif not target.name.startswith(".env"):
                os.chmod(tmp, 0o666 & ~_umask())  # a new .gitignore: as any new file
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        finally:
            _LIVE.discard(str(tmp))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _keep_owner(tmp: Path, st: os.stat_result) -> None:
    if not hasattr(os, "chown"):  # pragma: no cover - Windows
        return
    mine = os.stat(tmp)
    if (mine.st_uid, mine.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.chown(tmp, st.st_uid, st.st_gid)
    except PermissionError:
        raise Refused(
            "not fixed: keylint cannot give the new file the same owner and group"
        ) from None
