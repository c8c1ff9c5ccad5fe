"""The scheduler's pool: a run's batches come back as they finish and the engine puts them
back in order, so a slow batch never leaves the other worker idle, and the result is the
one a single process gives."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from keylint import scheduler as scheduler_module
from keylint.cli import cli
from keylint.config import Settings
from keylint.discovery import discover
from keylint.engine import Engine, FileResult
from keylint.scheduler import Scheduler

KEY = "Xq9#vR2mLp4zTw8"


def _tree(root: Path, files: int) -> Path:
    for i in range(files):
        body = f'DB_PASSWORD = "{KEY}{i}"\n' if i % 7 == 0 else f"x{i} = {i}\n"
        if i % 100 == 50:  # a syntax error: an error entry, in file order among the others
            body = f'DB_PASSWORD = "{KEY}{i}" (\n'
        (root / f"m{i:04}.py").write_text(body, encoding="utf-8")
    return root


def _run(root: Path, jobs: int) -> dict[str, object]:
    out = CliRunner().invoke(
        cli, ["--isolated", "--format", "json", "-j", str(jobs), str(root)], catch_exceptions=False
    )
    report = json.loads(out.stdout)
    report.pop("keylint", None)
    return report


def test_a_pooled_run_reports_in_the_order_of_one_process(tmp_path: Path) -> None:
    root = _tree(tmp_path, 450)  # past PARALLEL_MIN_FILES: a pool of two
    alone, pooled = _run(root, 1), _run(root, 2)
    assert pooled == alone
    assert len(alone["findings"]) == 68  # type: ignore[arg-type]
    assert len(alone["errors"]) == 4  # type: ignore[arg-type]


_LINT_BATCH = scheduler_module._lint_batch


def _slow_first(batch: list, secrets_only: bool) -> list[FileResult]:  # type: ignore[type-arg]
    """The pool's batch function, one second slower on the first batch (module level: the
    pool sends it to its workers by name)."""
    if any(t.display.endswith("m0000.py") for t in batch):
        time.sleep(1.0)
    return _LINT_BATCH(batch, secrets_only)


def test_finished_batches_are_taken_whatever_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch is slow: in order, nothing after it could be taken before it ends."""
    root = _tree(tmp_path, 300)
    targets = discover([str(root)], tmp_path).targets
    engine = Engine(Settings())
    monkeypatch.setattr(scheduler_module, "_lint_batch", _slow_first)
    monkeypatch.setattr(scheduler_module, "IN_FLIGHT_PER_WORKER", 1)
    linter = Scheduler(engine, jobs=2, expected=len(targets), ordered=False)
    order: list[int] = []
    results: dict[int, list[FileResult]] = {}
    try:
        for start in range(0, len(targets), 8):
            for tag, done in linter.submit(targets[start : start + 8], start):
                order.append(tag)
                results[tag] = done
        for tag, done in linter.drain():
            order.append(tag)
            results[tag] = done
    finally:
        linter.close()
    assert sorted(order) == list(range(0, len(targets), 8))
    assert order[0] != 0  # later batches came back before the slow first one
    assert sum(len(r) for r in results.values()) == len(targets)
