"""A big file's rules shared with a forked child (keylint.split, Engine.check_file).

The split must never change a result: the same findings, errors and hidden counts as one
process, whatever the child does (finishes, fails, is stopped). Here every file counts as
big (SPLIT_MIN_FACTS = 0), so each run forks for the files it can.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from keylint import engine as engine_module
from keylint import split
from keylint.checks.base import FileContext, Rule
from keylint.cli import cli
from keylint.config import Settings
from keylint.discovery import discover
from keylint.engine import Engine
from keylint.findings import Category, Finding

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="keylint.split needs os.fork")

DEMO = Path(__file__).resolve().parent.parent / "demo"


def _report(path: Path, *options: str) -> dict[str, object]:
    result = CliRunner().invoke(
        cli,
        ["--isolated", "--format", "json", "--min-confidence", "low", "-j", "2", *options, "."],
        catch_exceptions=False,
        env={"KEYLINT_DEBUG": ""},
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    report.pop("keylint", None)
    return report


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    tree = tmp_path / "demo"
    shutil.copytree(DEMO, tree)
    monkeypatch.chdir(tree)
    return tree


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The children os.fork starts from now on (in this process)."""
    started: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    return started


def test_a_split_run_reports_what_one_process_reports(
    demo: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    alone = _report(demo)
    assert not forks  # below the threshold nothing is shared
    monkeypatch.setattr(engine_module, "SPLIT_MIN_FACTS", 0)
    shared = _report(demo)
    assert forks, "no file's rules were shared"
    assert shared == alone
    assert len(alone["findings"]) >= 30  # type: ignore[arg-type]


def test_a_child_that_fails_leaves_its_rules_to_the_parent(
    demo: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    alone = _report(demo)
    monkeypatch.setattr(engine_module, "SPLIT_MIN_FACTS", 0)
    monkeypatch.setattr(split, "_child", lambda *args: os._exit(3))
    assert _report(demo) == alone
    assert forks, "no child was started"


class _TestRule(Rule):
    category = Category.HARDCODED_SECRET
    summary = "test rule"


class _Broken(_TestRule):
    """Fails after one finding: its error, and the finding it gave, are kept."""

    code = "KL998"
    name = "broken"

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        yield self.finding(ctx, ctx.facts[0].span, "first")  # type: ignore[attr-defined]
        raise RuntimeError("boom")


class _Slow(_TestRule):
    code = "KL997"
    name = "slow"

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        time.sleep(0.05)
        return iter(())


def _engine_run(tree: Path, monkeypatch: pytest.MonkeyPatch, threshold: int) -> tuple:
    monkeypatch.setattr(engine_module, "SPLIT_MIN_FACTS", threshold)
    rules = [_Slow(), _Broken(), _Slow(), _Slow()]
    engine = Engine(Settings(), rules)
    result = engine.run(discover(["."], tree).targets, jobs=2)
    return (
        [(f.path, f.span, f.rule, f.message) for f in result.findings],
        result.errors,
        result.files_checked,
    )


def test_errors_and_findings_of_a_failing_rule_are_the_same_in_a_split(
    demo: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    alone = _engine_run(demo, monkeypatch, threshold=10**9)
    assert not forks
    shared = _engine_run(demo, monkeypatch, threshold=0)
    assert forks, "no file's rules were shared"
    assert shared == alone
    findings, errors, _ = alone
    assert errors and all("KL998" in message for _, message in errors)
    assert findings and all(rule == "KL998" for _, _, rule, _ in findings)


def test_ctrl_c_delivered_as_the_fork_returns_leaves_no_child(
    monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    real_restore = split._restore

    def interrupted(mask: object) -> None:  # SIGINT, blocked across the fork, lands here
        real_restore(mask)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(split, "_restore", interrupted)
    with pytest.raises(KeyboardInterrupt):
        split.Split([1, 2, 3], lambda rule: time.sleep(5))  # type: ignore[list-item]
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):  # killed and reaped already
        os.waitpid(forks[0], os.WNOHANG)


def test_an_aborted_split_leaves_no_child(tmp_path: Path) -> None:
    ran: list[int] = []

    def slow(rule: int) -> int:
        time.sleep(0.2)
        ran.append(rule)
        return rule

    started = split.Split(list(range(20)), slow)  # type: ignore[arg-type]
    started.abort()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    assert not ran  # this process took no ticket


def test_a_finished_split_gives_every_outcome_in_rule_order() -> None:
    pid = os.getpid()

    def where(rule: int) -> tuple[int, bool]:
        time.sleep(0.01)
        return rule, os.getpid() == pid

    outcomes = split.run_split(list(range(30)), where)  # type: ignore[arg-type]
    assert [rule for rule, _ in outcomes] == list(range(30))
    here = sum(mine for _, mine in outcomes)
    assert 0 < here < 30  # both processes took tickets


def test_ctrl_c_while_the_parent_works_stops_the_child() -> None:
    def interrupted(rule: int) -> int:
        if os.getpid() == parent:
            os.kill(parent, signal.SIGINT)
            time.sleep(1)
        time.sleep(0.1)
        return rule

    parent = os.getpid()
    with pytest.raises(KeyboardInterrupt):
        split.run_split(list(range(10)), interrupted)  # type: ignore[arg-type]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1


def test_no_fork_runs_every_rule_here_and_leaks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")  # a process limit

    monkeypatch.setattr(os, "fork", refused)
    before = _open_fds()
    assert split.run_split(list(range(5)), lambda rule: rule * 2) == [0, 2, 4, 6, 8]  # type: ignore[arg-type]
    assert _open_fds() == before


def test_a_child_reaped_by_the_system_still_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Started with SIGCHLD ignored (inherited through exec), the system reaps the child and
    waitpid finds none: its outcomes, read from the pipe, still count."""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        pid = os.getpid()
        outcomes = split.run_split(  # type: ignore[arg-type]
            list(range(20)), lambda rule: (rule, os.getpid() == pid, time.sleep(0.01))[:2]
        )
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert [rule for rule, _ in outcomes] == list(range(20))
    assert not all(here for _, here in outcomes)  # the child's outcomes were used


def test_a_child_whose_parent_is_gone_takes_no_more_rules() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"\0\1\0\2")
    os.close(write_fd)
    try:
        assert list(split._tickets(read_fd, parent=os.getpid())) == []  # not our parent
    finally:
        os.close(read_fd)
