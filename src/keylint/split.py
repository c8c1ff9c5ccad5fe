"""One big file's rules on two processes.

A run of a few files has no process pool (scheduler.PARALLEL_MIN_FILES), so a single huge
file (a 2 MB ``.env`` of 60,000 lines: ~1.4 s of rules after 0.5 s of parsing) kept one
core busy and the other idle. Here the file's rules are shared with a forked child: it
inherits the parsed file and its facts (copy-on-write, nothing is sent to it), runs every
other rule, and sends back only the outcomes: findings and error texts, a few kilobytes.

Only where ``os.fork`` exists (POSIX); elsewhere, with ``--jobs 1`` or under
``KEYLINT_DEBUG`` (which wants the traceback of a failing rule here), every rule runs in
this process. A child that fails in any way leaves its rules to this process: the result
is always the one a single process gives.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from keylint.checks.base import Rule

# Facts from which a file's rules are worth a second process: a fork and its copy-on-write
# faults cost ~30 ms for a 2 MB .env (240,000 facts), its rules ~1.4 s.
SPLIT_MIN_FACTS = 50_000

Outcome = TypeVar("Outcome")


def available() -> bool:
    return hasattr(os, "fork") and not os.environ.get("KEYLINT_DEBUG")


def run_split(rules: Sequence[Rule], run_one: Callable[[Rule], Outcome]) -> list[Outcome]:
    """``run_one(rule)`` for every rule, in rule order, shared with a forked child."""
    return Split(rules, run_one).finish()


class Split(Generic[Outcome]):
    """A file's rules shared with a forked child, started now and finished later: the
    engine goes on with the run (other files, the cross-file rules) while the child works,
    then joins in (:meth:`finish`).

    Rules take very different times (KL102 alone is a third of a big .env's), so neither
    process is given a fixed half: both take the next rule from one pipe of tickets (a
    read of two bytes from a pipe is atomic) until none is left."""

    def __init__(self, rules: Sequence[Rule], run_one: Callable[[Rule], Outcome]) -> None:
        self.rules = list(rules)
        self.run_one = run_one
        self.done: dict[int, Outcome] = {}
        self.pid = 0
        self._fds: list[int] = []
        if len(self.rules) < 2:
            return
        try:
            self._start()
        except OSError:  # no pipe or no process (a process limit): every rule runs here
            self._close_fds()
            self.pid = 0
        except BaseException:  # Ctrl-C, delivered as SIGINT is unblocked after the fork
            self.abort()  # the child goes too: nobody would take its outcomes
            self._close_fds()
            raise

    def _start(self) -> None:
        self.tickets, tickets_w = self._pipe()
        _write_all(tickets_w, b"".join(i.to_bytes(2, "big") for i in range(len(self.rules))))
        self._close_fd(tickets_w)  # every ticket is in the pipe: an empty read means no more
        self.results, results_w = self._pipe()
        parent = os.getpid()
        # Ctrl-C between the fork and the child's own handler would run this process's
        # handling in the child: SIGINT waits until both sides are ready.
        mask = _block_interrupts()
        try:
            self.pid = os.fork()
            if self.pid == 0:  # the child: never returns
                _child(self.rules, self.run_one, self.tickets, results_w, parent, mask)
        finally:
            _restore(mask)
        self._close_fd(results_w)

    def _pipe(self) -> tuple[int, int]:
        read_fd, write_fd = os.pipe()
        self._fds += [read_fd, write_fd]
        return read_fd, write_fd

    def _close_fd(self, fd: int) -> None:
        self._fds.remove(fd)
        os.close(fd)

    def _close_fds(self) -> None:
        while self._fds:
            self._close_fd(self._fds[-1])

    def finish(self) -> list[Outcome]:
        """Every rule's outcome, in rule order: this process takes the tickets left."""
        if self.pid:
            finished = False
            try:
                for index in _tickets(self.tickets):
                    self.done[index] = self.run_one(self.rules[index])
                payload = _read_all(self.results)
                finished = True
            finally:
                if not finished:  # Ctrl-C or an error here: the child's work is not wanted
                    self.abort()
            status = self._close()
            self.done.update(_outcomes(payload, status, len(self.rules), self.done))
        # A child that failed leaves the rules it took (or all of them) to this process.
        done, run_one = self.done, self.run_one
        return [done[i] if i in done else run_one(rule) for i, rule in enumerate(self.rules)]

    def abort(self) -> None:
        """Stop the child (Ctrl-C, or a run that ends early)."""
        if self.pid:
            _kill(self.pid)
            self._close()

    def _close(self) -> int:
        """Close the pipes and reap the child; its wait status (0 when the system reaped it
        itself: a SIGCHLD ignored by whoever started keylint; the payload then decides)."""
        self._close_fds()
        pid, self.pid = self.pid, 0
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return 0


def _tickets(fd: int, parent: int | None = None) -> Iterator[int]:
    """The rule indices taken from the ticket pipe; for the child, none once its parent is
    gone (killed: nobody would read the outcomes)."""
    while ticket := os.read(fd, 2):
        if parent is not None and os.getppid() != parent:
            return
        yield int.from_bytes(ticket, "big")


def _block_interrupts() -> set[int | signal.Signals] | None:
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _restore(mask: set[int | signal.Signals] | None) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _child(
    rules: Sequence[Rule],
    run_one: Callable[[Rule], Outcome],
    tickets: int,
    write_fd: int,
    parent: int,
    mask: set[int | signal.Signals] | None,
) -> None:
    status = 1
    try:
        # Ctrl-C goes to the parent, which stops this child itself (a SIGINT that came
        # while it was blocked is dropped here).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _restore(mask)
        done = [(index, run_one(rules[index])) for index in _tickets(tickets, parent)]
        _write_all(write_fd, pickle.dumps(done, pickle.HIGHEST_PROTOCOL))
        status = 0
    except BaseException:  # the parent sees the status and runs the rules itself
        pass
    finally:
        # No interpreter teardown: the parent's buffers and handlers are not the child's.
        os._exit(status)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _outcomes(
    payload: bytes, status: int, count: int, done: dict[int, Outcome]
) -> dict[int, Outcome]:
    """The child's outcomes by rule index; none when it did not finish cleanly."""
    if status != 0 or not payload:
        return {}
    try:
        pairs = pickle.loads(payload)  # our own child's bytes, through a pipe
        outcomes = {int(index): outcome for index, outcome in pairs}
    except Exception:
        return {}
    if any(i in done or not 0 <= i < count for i in outcomes):
        return {}  # tickets are taken once: this cannot happen, and is not trusted if it does
    return outcomes
