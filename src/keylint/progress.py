"""A progress line on stderr for long runs on a terminal (never in pipes or CI logs)."""

from __future__ import annotations

import sys
import time

_ACTIVE: list[Progress] = []  # the line on screen, cleared if the run is interrupted


def clear_active() -> None:
    """Ctrl-C: erase the progress line so the shell prompt starts on a clean line."""
    while _ACTIVE:
        _ACTIVE.pop().close()


def ignore_interrupts() -> None:
    """In worker processes: Ctrl-C is the parent's to handle (one message, exit 130), not
    one traceback per worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Progress:
    def __init__(self, total: int, label: str = "files", min_seconds: float = 1.0) -> None:
        self.total = total
        self.label = label
        self.start = time.monotonic()
        self.min_seconds = min_seconds
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.start < self.min_seconds or now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "█" * filled + "░" * (width - filled)
        sys.stderr.write(f"\r{bar} {done}/{total} {self.label}")
        sys.stderr.flush()
        if not self.shown:
            _ACTIVE.append(self)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self.shown = False
        if self in _ACTIVE:
            _ACTIVE.remove(self)
