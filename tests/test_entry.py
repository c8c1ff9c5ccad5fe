"""The ``keylint`` command's entry point: it exits without the interpreter's teardown
(cli.entry), so these tests check what must survive that: the exit status, every byte of
the report on a pipe or in a file, and a clean exit when the reader goes away."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

KEY = "Xq9#vR2mLp4zTw8"  # a password KL102 reports, once per file


def _keylint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keylint", "--isolated", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tree(tmp_path: Path, files: int = 1) -> Path:
    tmp_path.mkdir(exist_ok=True)
    for i in range(files):
        (tmp_path / f"app{i}.py").write_text(f'DB_PASSWORD = "{KEY}"\n', encoding="utf-8")
    return tmp_path


def test_findings_exit_1_with_the_whole_report(tmp_path: Path) -> None:
    run = _keylint(".", cwd=_tree(tmp_path, 3))
    assert run.returncode == 1
    assert run.stdout.count("KL102") == 3
    assert run.stdout.rstrip().endswith("Found 3 problems (3 errors) in 3 files.")
    assert KEY not in run.stdout + run.stderr


def test_a_clean_tree_exits_0_and_a_usage_error_2(tmp_path: Path) -> None:
    (tmp_path / "util.py").write_text("x = 1\n", encoding="utf-8")
    assert _keylint(".", cwd=tmp_path).returncode == 0
    bad = _keylint("--no-such-option", ".", cwd=tmp_path)
    assert bad.returncode == 2
    assert "no such option" in bad.stderr.lower()


def test_a_json_report_on_a_pipe_and_in_a_file_is_complete(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree", 40)
    piped = _keylint("--format", "json", ".", cwd=tree)
    assert piped.returncode == 1
    assert len(json.loads(piped.stdout)["findings"]) == 40
    out = tmp_path / "report.json"
    written = _keylint("--format", "json", "-o", str(out), ".", cwd=tree)
    assert written.returncode == 1
    assert len(json.loads(out.read_text(encoding="utf-8"))["findings"]) == 40


def test_a_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    tree = _tree(tmp_path, 200)
    keylint = subprocess.Popen(
        [sys.executable, "-m", "keylint", "--isolated", "."],
        cwd=tree,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert keylint.stdout is not None and keylint.stderr is not None
    keylint.stdout.readline()
    keylint.stdout.close()  # `keylint . | head -1`
    err = keylint.stderr.read().decode()
    assert keylint.wait(timeout=120) == 1  # the findings' status (click ends a broken pipe)
    assert "Traceback" not in err and "internal error" not in err


# A pool worker still running when the command exits (a second Ctrl-C cut the pool's
# shutdown short): the hard exit stops it, or it would hold the output pipes open forever.
_LEFT_WORKER = """
import multiprocessing, time
from concurrent.futures import ProcessPoolExecutor
from keylint.cli import _exit_now
pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
pool.submit(time.sleep, 600)
time.sleep(0.5)
print("exiting", flush=True)
_exit_now(130)
"""


def test_the_hard_exit_stops_a_pool_worker_left_running(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", _LEFT_WORKER],
        cwd=tmp_path,
        capture_output=True,  # read to the end: returns only once no process holds the pipe
        text=True,
        timeout=60,
    )
    assert run.returncode == 130
    assert run.stdout == "exiting\n"
