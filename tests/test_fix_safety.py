"""--fix never damages a file (audit D7-D9): unparsable files are not written, fixes that
would break a file are dropped, writes are atomic and keep owner, group and mode, symlinks
are fixed through their target, hard links and read-only files are refused, temporary
files are ignored by git and removed on SIGTERM, only files with a fix are touched."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import fake_key
from keylint.facts import Span
from keylint.findings import Category, Finding, Fix, Severity
from keylint.fix.apply import plan
from keylint.fix.writer import temp_name

KEY = fake_key("groq-api-key")


def run(cwd: Path, *args: str):
    from keylint.cli import cli

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["--isolated", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("app.py", 'client = Groq(api_key="{k} ")\ndef broken(:\n'),
        ("settings.yaml", 'llm:\n  api_key: "{k} "\n  - broken: [\n'),
        ("config.json", '{{"api_key": "{k} ",\n'),
        ("pyproject.toml", '[tool.x]\napi_key = "{k} "\n[[broken\n'),
    ],
)
def test_a_file_that_does_not_parse_is_never_written(
    tmp_path: Path, name: str, source: str
) -> None:
    text = source.format(k=KEY)
    (tmp_path / name).write_text(text)
    result = run(tmp_path, "--fix", "--unsafe-fixes", ".")
    assert (tmp_path / name).read_text() == text
    assert f"{name}: not fixed: the file does not parse as" in result.output


def _finding(path: str, span: Span, replacement: str, rule: str = "KL211") -> Finding:
    return Finding(
        rule=rule,
        name="x",
        category=Category.KEY_WHITESPACE,
        severity=Severity.ERROR,
        path=path,
        span=span,
        message="m",
        fix=Fix(span, replacement, "d"),
    )


def test_a_fix_that_would_break_the_file_is_dropped_the_others_kept(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text('{"a": "x ", "b": "y"}\n')
    good = _finding("c.json", Span(1, 9, 1, 10), "")  # the space after x
    bad = _finding("c.json", Span(1, 13, 1, 14), "")  # the quote before b
    planned = plan([good, bad], tmp_path)
    assert planned.changes["c.json"].after == '{"a": "x", "b": "y"}\n'
    assert planned.fixed == [good]
    assert planned.errors == [
        ("c.json", "KL211 fix at 1:13 dropped: the file would no longer parse")
    ]


def test_a_rename_is_applied_everywhere_or_nowhere(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OLD_NAME=1\n")
    (tmp_path / "c.json").write_text('{"OLD_NAME": 1,\n')  # does not parse: refused
    span = Span(1, 1, 1, 9)
    rename = Finding(
        rule="KL302",
        name="x",
        category=Category.ENV_VAR_NAME,
        severity=Severity.ERROR,
        path=".env",
        span=span,
        message="m",
        fix=Fix(span, "NEW_NAME", "d", edits=(("c.json", Span(1, 3, 1, 11), "NEW_NAME"),)),
    )
    planned = plan([rename], tmp_path)
    assert planned.changes == {}
    assert (".env", "KL302 not fixed: its edits in other files failed") in planned.errors


def test_temporary_names_are_covered_by_env_ignore_patterns(tmp_path: Path) -> None:
    # outside a git work tree the copy sits next to the file
    for pattern in (".env*", "*.env", ".env.*"):
        tmp = temp_name(tmp_path / ".env")
        assert tmp.parent == tmp_path
        repo = tmp_path / f"repo{len(pattern)}{pattern.count('*')}{pattern[0]}"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (repo / ".gitignore").write_text(pattern + "\n")
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", tmp.name], cwd=repo, check=False
        ).returncode
        assert ignored == 0, (pattern, tmp.name)
    # inside one it is written in .git, where `git add -A` never looks
    repo = tmp_path / "work"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "sub").mkdir()
    assert temp_name(repo / "sub" / ".env").parent == repo / ".git"


@pytest.mark.parametrize(("signame", "status"), [("SIGTERM", 128 + 15), ("SIGINT", -2)])
def test_a_signal_during_the_write_removes_the_temporary_file(
    tmp_path: Path, signame: str, status: int
) -> None:
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from keylint.fix import writer\n"
        "def killed(fd):\n"
        f"    os.kill(os.getpid(), signal.{signame})\n"
        "os.fsync = killed\n"
        f"writer.safe_write(Path({str(target)!r}), b'A=2\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert done.returncode == status  # SIGINT: Python re-raises it after KeyboardInterrupt
    assert target.read_text() == "A=1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def _env(tmp_path: Path, name: str = "prod.env") -> Path:
    path = tmp_path / name
    path.write_text(f"GROQ_API_KEY={KEY} \n")
    return path


def test_mode_owner_and_group_are_kept(tmp_path: Path) -> None:
    path = _env(tmp_path)
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
    before = path.stat()
    run(tmp_path, "--fix", ".")
    after = path.stat()
    assert path.read_text() == f"GROQ_API_KEY={KEY}\n"
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)


def test_a_symlink_is_fixed_through_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = _env(tmp_path / "real")
    link = tmp_path / "link.env"
    link.symlink_to(real)
    result = run(tmp_path, "--select", "KL211", "--fix", "link.env")
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_text() == f"GROQ_API_KEY={KEY}\n"


def test_a_dangling_symlink_is_refused(tmp_path: Path) -> None:
    from keylint.fix.writer import Refused, safe_write

    link = tmp_path / "gone.env"
    link.symlink_to(tmp_path / "nowhere.env")
    with pytest.raises(Refused, match="points nowhere"):
        safe_write(link, b"x")
    assert link.is_symlink()


def test_hard_linked_and_read_only_files_are_refused(tmp_path: Path) -> None:
    linked = _env(tmp_path, "a.env")
    os.link(linked, tmp_path / "b.env")
    readonly = _env(tmp_path, "c.env")
    os.chmod(readonly, 0o444)
    result = run(tmp_path, "--fix", ".")
    assert "a.env: not fixed: the file has 2 hard links" in result.output
    assert "c.env: not fixed: the file is read-only" in result.output
    assert linked.read_text() == f"GROQ_API_KEY={KEY} \n"
    assert readonly.read_text() == f"GROQ_API_KEY={KEY} \n"
    assert os.stat(linked).st_nlink == 2


def test_only_files_with_a_reported_fix_are_touched(tmp_path: Path) -> None:
    fixable = _env(tmp_path)
    other = tmp_path / "other.env"
    other.write_text(f"GROQ_API_KEY={KEY}  # keylint: ignore[KL211]\n")
    plain = tmp_path / "notes.txt"
    plain.write_text("nothing here\n")
    inodes = {p: p.stat().st_ino for p in (other, plain)}
    run(tmp_path, "--fix", ".")
    assert fixable.read_text() == f"GROQ_API_KEY={KEY}\n"
    assert {p: p.stat().st_ino for p in (other, plain)} == inodes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "other.env", "prod.env"]


def test_a_file_changed_after_planning_is_not_overwritten(tmp_path: Path) -> None:
    from keylint.fix.apply import write

    (tmp_path / "c.json").write_text('{"a": "x "}\n')
    planned = plan([_finding("c.json", Span(1, 9, 1, 10), "")], tmp_path)
    (tmp_path / "c.json").write_text('{"a": "edited "}\n')  # an editor saved meanwhile
    errors = write(planned)
    assert errors == [("c.json", "not fixed: the file changed while keylint was running")]
    assert (tmp_path / "c.json").read_text() == '{"a": "edited "}\n'
    assert planned.fixed == []


def test_python_edits_stay_inside_one_string_literal(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('x = "a "  # c\ny = 1\n')
    inside = _finding("a.py", Span(1, 7, 1, 8), "")  # the space in the literal
    outside = _finding("a.py", Span(2, 5, 2, 6), "2")  # code: never a rule's span edit
    planned = plan([inside, outside], tmp_path)
    assert planned.changes["a.py"].after == 'x = "a"  # c\ny = 1\n'
    assert planned.errors == [
        ("a.py", "KL211 fix at 2:5 dropped: it is not inside one string literal or argument name")
    ]
