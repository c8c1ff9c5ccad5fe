"""Bad input gets a clear one-line message and an entry in `errors`, never a traceback, and
the rest of the run goes on."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import fake_key, render_source

KEY_LINE = 'client = OpenAI(api_key="{key:openai-project-key}")\n'


def keylint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keylint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(render_source(KEY_LINE))
    return tmp_path


def _assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr
    assert "Traceback" not in proc.stdout


def _findings(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str]]:
    doc = json.loads(proc.stdout)
    return [(f["path"], f["line"], f["column"], f["rule"]) for f in doc["findings"]]


def test_binary_file_is_skipped_with_a_note(tree: Path) -> None:
    (tree / "blob.dat").write_bytes(b"\x00\x01\x02" * 100 + render_source(KEY_LINE).encode())
    proc = keylint(tree, "--format", "json", ".")
    _assert_no_traceback(proc)
    assert _findings(proc) == [("good.py", 1, 26, "KL101")]
    assert "keylint: note: blob.dat: binary file skipped" in proc.stderr


def test_huge_file_is_skipped(tree: Path) -> None:
    (tree / "big.py").write_text("x = 1\n" * 200_000 + render_source(KEY_LINE))
    proc = keylint(tree, "--format", "json", "--max-file-size", "100000", ".")
    _assert_no_traceback(proc)
    assert _findings(proc) == [("good.py", 1, 26, "KL101")]
    assert "big.py: skipped:" in proc.stderr
    assert "over the size limit" in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_file(tree: Path) -> None:  # pragma: no cover - CI runs as root
    bad = tree / "secret.py"
    bad.write_text("x = 1\n")
    bad.chmod(0)
    proc = keylint(tree, "--format", "json", ".")
    doc = json.loads(proc.stdout)
    assert {"path": "secret.py", "message": "cannot read: Permission denied"} in doc["errors"]


def test_a_file_keylint_may_not_open_is_judged_by_size_first(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the size limit, an unreadable file gets the size note, as when keylint looked
    at its size before opening it (a stat needs no read permission); under the limit, the
    read's own error. Root opens anything, so the refusal is simulated."""
    from keylint.config import Settings
    from keylint.discovery import Target
    from keylint.engine import Engine, FileResult

    (tree / "big.txt").write_text("x" * 500)
    real_open = os.open

    def refuse(path: object, flags: int, *args: object) -> int:
        if str(path).endswith("big.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    target = Target(tree / "big.txt", "big.txt")
    over = Engine(Settings(max_file_size=100)).read(target)
    assert isinstance(over, FileResult)
    assert over.note == (
        "big.txt",
        "skipped: 500 bytes is over the size limit (100; set max-file-size)",
    )
    under = Engine(Settings(max_file_size=1000)).read(target)
    assert isinstance(under, FileResult)
    assert under.error == ("big.txt", "cannot read: Permission denied") and under.note is None


def test_a_failing_git_listing_leaves_no_pipe_open(tmp_path: Path) -> None:
    """git answers the root but fails the listing: the error is reported and the listing's
    pipes are closed (Python in development mode warns of an unclosed file otherwise)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real_git = shutil.which("git")
    if real_git is None:
        pytest.skip("git is not installed")
    fake = bin_dir / "git"
    fake.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do\n'
        '  [ "$a" = ls-files ] && { echo "fatal: index broken" >&2; exit 128; }\n'
        "done\n"
        f'exec {shlex.quote(real_git)} "$@"\n'
    )
    fake.chmod(0o755)
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([real_git, "init", "-q"], cwd=repo, check=True)
    (repo / "app.py").write_text("x = 1\n")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONWARNINGS", None)  # `ignore` there would hide the warning asked for below
    proc = subprocess.run(
        [
            sys.executable,
            *("-X", "dev", "-W", "default::ResourceWarning"),
            "-m",
            "keylint",
            "--isolated",
            ".",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    _assert_no_traceback(proc)
    assert "fatal: index broken" in proc.stdout + proc.stderr
    assert "ResourceWarning" not in proc.stderr


def test_invalid_utf8_is_decoded_with_replacement(tree: Path) -> None:
    data = b"# caf\xe9\n" + render_source(KEY_LINE).encode()
    (tree / "latin.py").write_bytes(data)
    proc = keylint(tree, "--format", "json", ".")
    _assert_no_traceback(proc)
    assert ("latin.py", 2, 26, "KL101") in _findings(proc)
    doc = json.loads(proc.stdout)
    assert {
        "path": "latin.py",
        "message": "invalid UTF-8 (decoded with replacement characters)",
    } in doc["errors"]


def test_bom_and_crlf_keep_positions(tree: Path) -> None:
    text = "import os\r\n" + render_source(KEY_LINE).replace("\n", "\r\n")
    (tree / "win.py").write_bytes(b"\xef\xbb\xbf" + text.encode())
    proc = keylint(tree, "--format", "json", "win.py")
    _assert_no_traceback(proc)
    assert _findings(proc) == [("win.py", 2, 26, "KL101")]
    assert json.loads(proc.stdout)["errors"] == []


def test_python_syntax_error_still_gets_text_checks(tree: Path) -> None:
    (tree / "broken.py").write_text("def f(:\n" + render_source(KEY_LINE))
    proc = keylint(tree, "--format", "json", "broken.py")
    _assert_no_traceback(proc)
    assert _findings(proc) == [("broken.py", 2, 26, "KL101")]
    (error,) = json.loads(proc.stdout)["errors"]
    assert error["path"] == "broken.py"
    assert error["message"].startswith("Python syntax error:")
    assert "(line 1)" in error["message"]
    assert "keylint: broken.py: Python syntax error" in proc.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.yaml", "a: [1, 2\nkey: {key:openai-project-key}\n"),
        ("broken.json", '{"a": 1,, "key": "{key:openai-project-key}"}\n'),
        ("broken.toml", 'a = \nkey = "{key:openai-project-key}"\n'),
        ("broken.ipynb", 'not json "{key:openai-project-key}"\n'),
    ],
)
def test_broken_structured_files(tree: Path, name: str, content: str) -> None:
    (tree / name).write_text(render_source(content))
    proc = keylint(tree, "--format", "json", name)
    _assert_no_traceback(proc)
    doc = json.loads(proc.stdout)
    assert [f["rule"] for f in doc["findings"]] == ["KL101"]
    (error,) = doc["errors"]
    assert error["path"] == name
    # the message names the problem, never the file's contents
    assert fake_key("openai-project-key") not in proc.stdout + proc.stderr


def test_symlink_loop_and_broken_link(tree: Path) -> None:
    (tree / "loop").symlink_to(tree / "loop")
    (tree / "dangling.py").symlink_to(tree / "nowhere.py")
    (tree / "sub").mkdir()
    (tree / "sub" / "up").symlink_to(tree, target_is_directory=True)
    proc = keylint(tree, "--format", "json", ".")
    _assert_no_traceback(proc)
    assert _findings(proc) == [("good.py", 1, 26, "KL101")]


def test_missing_path_among_good_ones(tree: Path) -> None:
    proc = keylint(tree, "--format", "json", "good.py", "nope.py")
    _assert_no_traceback(proc)
    assert _findings(proc) == [("good.py", 1, 26, "KL101")]
    assert "keylint: nope.py: no such file or directory" in proc.stderr
    assert proc.returncode == 2  # a path that does not exist is a usage error


def test_empty_file_and_empty_dir(tree: Path) -> None:
    (tree / "empty.py").write_text("")
    (tree / "emptydir").mkdir()
    proc = keylint(tree, "empty.py", "emptydir")
    _assert_no_traceback(proc)
    assert proc.returncode == 0


def test_many_binary_files_make_one_note(tree: Path) -> None:
    for i in range(8):
        (tree / f"img{i}.dat").write_bytes(b"\x00\x01" * 50)
    proc = keylint(tree, "--format", "json", ".")
    notes = [line for line in proc.stderr.splitlines() if "binary" in line]
    assert notes == ["keylint: note: 8 binary files skipped (img0.dat, img1.dat, img2.dat, …)"]
