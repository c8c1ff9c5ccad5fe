"""Atomic writes: a temporary file in the same directory, fsync, then rename over."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new file, never half.

    A symlink is written through (its target is replaced, the link stays). A path that is
    not a regular file (``-o /dev/stdout``, a device, a named pipe) is written as a stream:
    renaming over it would replace the device node or the pipe with a regular file.
    """
    mode = None
    with contextlib.suppress(FileNotFoundError):
        st = path.stat()  # through a symlink
        if not stat.S_ISREG(st.st_mode):
            with path.open("wb") as stream:
                stream.write(data)
            return
        mode = st.st_mode & 0o7777
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".keylint-tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
