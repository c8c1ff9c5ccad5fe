"""One bounded, ordered process pool for every source of files.

The working tree (targets read from disk), the index (``--staged`` blobs) and the history
(every blob once) all go through :class:`Scheduler`: work runs in this process until there
is enough of it, then in a pool of forked workers that inherit the loaded engine (no
re-loading of provider data); results come back in submission order, and at most
``8 × workers`` batches are in flight, which bounds memory whatever the size of the source.
Each file is linted by the engine's one per-file entry, which turns any exception into an
error entry for that file (``Engine.check_file``).
"""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keylint.discovery import Target
from keylint.findings import Category, Finding

if TYPE_CHECKING:  # the pool's modules are imported only when a pool is started
    from concurrent.futures import Future, ProcessPoolExecutor

    from keylint.engine import Engine, FileResult

# Batches queued per worker. Results come back in order, so the parent waits on the oldest
# batch: with only 2 per worker, one slow batch (a 2 MB JSON file) left the other worker
# idle once it had run the few queued behind it (lib tree: 1.5 of 2 cores busy).
IN_FLIGHT_PER_WORKER = 8
# Below this many files a second process costs more than it saves.
PARALLEL_MIN_FILES = 200

# A file to lint: a target on disk, or (display path, bytes) read from git.
Item = Target | tuple[str, bytes]

_POOL_ENGINE: Engine | None = None
# Set by the command line (keylint.cli): a process that is only keylint may tune its garbage
# collector. A program that imports keylint as a library keeps its own settings.
TUNE_GC = False
_GC_TUNED = False


def _tune_gc() -> None:
    """Keep the cyclic garbage collector off the hot path, once per process.

    Parsing allocates hundreds of thousands of AST nodes and facts, none in reference cycles
    (they are freed by reference counting). With the default thresholds each 700 allocations
    start a collection, and the older generations rescan the loaded provider data and rule
    modules again and again: ~20 % of the CPU time of a run (stdlib tree, 2.9 s against
    2.3 s). ``gc.freeze`` moves what is loaded now out of every collection, and a larger
    first threshold makes collections rare; memory stays bounded (cycles are still found).
    """
    global _GC_TUNED
    if TUNE_GC and not _GC_TUNED:
        _GC_TUNED = True
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)


def lint_items(engine: Engine, batch: Sequence[Item], secrets_only: bool) -> list[FileResult]:
    from keylint.engine import FileResult

    _tune_gc()
    out = []
    for item in batch:
        if isinstance(item, Target):
            result = engine.lint_target(item)
        else:
            result = engine.lint_bytes(item[0], item[1], git_ignored=False)
        if secrets_only:
            # Old blobs: only leaked keys matter; parse errors and notes are not actionable.
            # The error stays only as a mark: a blob that failed is not cached as clean.
            result = FileResult(
                secret_findings(result.findings), error=result.error, checked=result.checked
            )
        out.append(result)
    return out


def secret_findings(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.category is Category.HARDCODED_SECRET]


def _init_worker(state: tuple[Any, ...]) -> None:
    from keylint.progress import ignore_interrupts

    ignore_interrupts()  # Ctrl-C is the parent's: one message, exit 130 (close() stops us)
    _tune_gc()  # a worker is only keylint (TUNE_GC is inherited from a command-line parent)
    global _POOL_ENGINE
    if _POOL_ENGINE is None:  # spawn start method: rebuild the engine from its settings
        from keylint.engine import Engine

        settings, rule_types, pins = state
        _POOL_ENGINE = Engine(settings, [t() for t in rule_types], pins=pins)


def _lint_batch(batch: Sequence[Item], secrets_only: bool) -> list[FileResult]:
    assert _POOL_ENGINE is not None
    return lint_items(_POOL_ENGINE, batch, secrets_only)


@dataclass
class Scheduler:
    """Lint batches of items; switches to a process pool once there is enough work."""

    engine: Engine
    jobs: int | None = None
    secrets_only: bool = False
    expected: int = 0  # items the caller will submit, when known: decides the pool at once
    # Batches come back in submission order; unordered, as they finish (the caller puts them
    # in order by their tags). In order, one slow batch (a 2 MB JSON file) at the head holds
    # every finished one behind it: the other worker ran out of queued batches and waited
    # (lib tree: 1.2 and 1.8 s idle per worker in a 9.3 s run).
    ordered: bool = True
    _pool: ProcessPoolExecutor | None = None
    _pending: deque[tuple[Any, Future[list[FileResult]]]] = field(default_factory=deque)
    _seen: int = 0

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs is not None else (os.cpu_count() or 1)

    def submit(self, items: Sequence[Item], tag: Any) -> Iterator[tuple[Any, list[FileResult]]]:
        """Queue a batch; yields ``(tag, results)`` of batches that are finished."""
        self._seen += len(items)
        pool = self._ensure_pool()
        if pool is None:
            # no pool: a big file's rules may use the other core (keylint.split)
            self.engine.spare_core = self.workers > 1
            yield tag, lint_items(self.engine, items, self.secrets_only)
            return
        self._pending.append((tag, pool.submit(_lint_batch, items, self.secrets_only)))
        full = len(self._pending) > IN_FLIGHT_PER_WORKER * self.workers
        if not self.ordered:
            yield from self._finished(wait=full)
            return
        while len(self._pending) > IN_FLIGHT_PER_WORKER * self.workers:
            done_tag, future = self._pending.popleft()
            yield done_tag, self._result(future)

    def drain(self) -> Iterator[tuple[Any, list[FileResult]]]:
        while self._pending:
            if not self.ordered:
                yield from self._finished(wait=True)
                continue
            tag, future = self._pending.popleft()
            yield tag, self._result(future)

    def _finished(self, wait: bool) -> Iterator[tuple[Any, list[FileResult]]]:
        """The batches that are done (after waiting for one, with ``wait``), any order."""
        if wait:
            from concurrent.futures import FIRST_COMPLETED
            from concurrent.futures import wait as wait_for

            try:
                wait_for([future for _, future in self._pending], return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                self.abort()
                raise
        done: list[tuple[Any, Future[list[FileResult]]]] = []
        waiting: deque[tuple[Any, Future[list[FileResult]]]] = deque()
        for entry in self._pending:  # a batch finishing meanwhile is taken next time
            (done if entry[1].done() else waiting).append(entry)
        self._pending = waiting
        for tag, future in done:
            yield tag, self._result(future)

    def _result(self, future: Future[list[FileResult]]) -> list[FileResult]:
        """The parent waits here: where Ctrl-C lands in a pooled run."""
        try:
            return future.result()
        except KeyboardInterrupt:
            self.abort()
            raise

    def abort(self) -> None:
        """Ctrl-C: cancel every batch not yet started and wait for the few running (the
        workers ignore SIGINT; a batch is at most 64 files, so this takes a moment).

        Not ``terminate()`` on the workers: one killed while writing its result leaves half
        a message in the result pipe, and the pool's manager thread, and this shutdown with
        it, then waits for the rest forever (seen: 1 Ctrl-C in 3 hung)."""
        if self._pool is None:
            return
        for _, future in self._pending:
            future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
        self._pending.clear()

    def close(self) -> None:
        """The end of a run, or a `finally` while Ctrl-C or an error propagates: what is
        left is cancelled, and the running batches are waited for (as abort does)."""
        self.abort()

    def batch_size(self, total: int) -> int:
        """Batches small enough to spread the work, large enough to amortise the pipe."""
        return max(8, min(64, total // (self.workers * 8) or 1))

    def _ensure_pool(self) -> ProcessPoolExecutor | None:
        if self._pool is not None:
            return self._pool
        if self.workers <= 1 or max(self._seen, self.expected) < PARALLEL_MIN_FILES:
            return None
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _POOL_ENGINE
        _POOL_ENGINE = self.engine  # inherited by forked workers: no re-loading of data
        self.engine.spare_core = False  # every core has a worker now (and forks inherit it)
        # Every rule and the pins resolved here, once: workers never import or detect again.
        rules = [type(r) for r in self.engine.rules]
        state = (self.engine.settings, rules, dict(self.engine.pins))
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(state,),
        )
        return self._pool
