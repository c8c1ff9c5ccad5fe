"""`keylint --staged`: the index, not the working tree (real git in temporary repositories)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import fake_key, render_source
from keylint.cli import cli

KEY = "{key:openai-project-key}"


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)


def write(root: Path, rel: str, source: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")
    return path


def found(result: Result) -> list[tuple[str, int, int, str]]:
    doc = json.loads(result.stdout)
    return [(f["path"], f["line"], f["column"], f["rule"]) for f in doc["findings"]]


def no_key_in(text: str) -> bool:
    return fake_key("openai-project-key") not in text and fake_key("groq-api-key") not in text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    return tmp_path


def test_staged_then_removed_key_still_fails_with_staged_positions(repo: Path) -> None:
    write(repo, "app.py", f'import os\n\nkey = "{KEY}"\n')
    git(repo, "add", "app.py")
    # The working tree loses the key and gains lines: positions must be the staged blob's.
    write(repo, "app.py", "\n\n\n\nimport os\n")
    assert run(["--format", "json", "."], repo).exit_code == 0  # the working tree is clean
    result = run(["--staged", "--format", "json"], repo)
    assert result.exit_code == 1
    assert found(result) == [("app.py", 3, 8, "KL101")]
    assert no_key_in(result.output)
    # As pre-commit calls it: explicit file names.
    result = run(["--staged", "--force-exclude", "--format", "json", "app.py"], repo)
    assert found(result) == [("app.py", 3, 8, "KL101")]


def test_unstaged_key_is_not_part_of_the_commit(repo: Path) -> None:
    write(repo, "app.py", "import os\n")
    git(repo, "add", "app.py")
    write(repo, "app.py", f'import os\nkey = "{KEY}"\n')
    assert run(["--staged", "app.py"], repo).exit_code == 0
    assert run(["app.py"], repo).exit_code == 1


def test_without_paths_only_staged_changes(repo: Path) -> None:
    write(repo, "old.py", f'key = "{KEY}"\n')
    git(repo, "add", "old.py")
    git(repo, "commit", "-qm", "old")
    write(repo, "new.py", 'x = "{key:groq-api-key}"\n')
    git(repo, "add", "new.py")
    result = run(["--staged", "--format", "json"], repo)
    assert found(result) == [("new.py", 1, 6, "KL101")]
    # A file named explicitly is checked in its index version even when unchanged.
    result = run(["--staged", "--format", "json", "old.py"], repo)
    assert found(result) == [("old.py", 1, 8, "KL101")]


def test_directory_means_staged_changes_under_it(repo: Path) -> None:
    write(repo, "src/a.py", f'key = "{KEY}"\n')
    write(repo, "other/b.py", 'x = "{key:groq-api-key}"\n')
    git(repo, "add", ".")
    result = run(["--staged", "--format", "json", "src"], repo)
    assert found(result) == [("src/a.py", 1, 8, "KL101")]


def test_file_staged_for_deletion_is_skipped(repo: Path) -> None:
    write(repo, "app.py", f'key = "{KEY}"\n')
    write(repo, "gone.py", f'key = "{KEY}"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "1")
    git(repo, "rm", "-q", "--cached", "app.py")  # stays on disk, leaves the repository
    git(repo, "rm", "-q", "gone.py")
    result = run(["--staged", "--format", "json", "app.py", "gone.py"], repo)
    assert result.exit_code == 0, result.output
    assert found(result) == []
    assert run(["--staged"], repo).exit_code == 0


def test_untracked_file_named_explicitly_is_read_from_disk(repo: Path) -> None:
    write(repo, "new.py", f'key = "{KEY}"\n')
    result = run(["--staged", "--format", "json", "new.py"], repo)
    assert found(result) == [("new.py", 1, 8, "KL101")]


def test_missing_path_is_an_error(repo: Path) -> None:
    result = run(["--staged", "nope.py"], repo)
    assert result.exit_code == 2
    assert "nope.py: no such file or directory" in result.stderr


def test_staged_dotenv_is_not_git_ignored(repo: Path) -> None:
    (repo / ".gitignore").write_text(".env*\n")
    write(repo, ".env.local", "OPENAI_API_KEY={key:openai-project-key}\n")
    # Ignored and untracked: correct practice, not a finding.
    assert run([".env.local"], repo).exit_code == 0
    git(repo, "add", "-f", ".env.local")  # forced into the commit: now it leaks
    result = run(["--staged", "--format", "json", ".env.local"], repo)
    assert found(result) == [(".env.local", 1, 16, "KL101")]
    assert found(run(["--staged", "--format", "json"], repo)) == [(".env.local", 1, 16, "KL101")]


def test_paths_are_relative_to_the_working_directory(repo: Path) -> None:
    write(repo, "pkg/sub/app.py", f'key = "{KEY}"\n')
    git(repo, "add", ".")
    result = run(["--staged", "--format", "json"], repo / "pkg")
    assert found(result) == [("sub/app.py", 1, 8, "KL101")]
    result = run(["--staged", "--format", "json", "sub/app.py"], repo / "pkg")
    assert found(result) == [("sub/app.py", 1, 8, "KL101")]


def test_force_exclude_applies_to_staged_files(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.keylint]\nexclude = ["fixtures"]\n')
    write(repo, "fixtures/app.py", f'key = "{KEY}"\n')
    git(repo, "add", ".")
    assert run(["--staged", "--force-exclude", "fixtures/app.py"], repo).exit_code == 0
    assert run(["--staged"], repo).exit_code == 0
    assert run(["--staged", "fixtures/app.py"], repo).exit_code == 1


def test_oversized_and_binary_staged_files_are_noted(repo: Path) -> None:
    write(repo, "big.py", f'key = "{KEY}"\n' + "#" * 500 + "\n")
    (repo / "blob.bin").write_bytes(b"\0\1\2")
    git(repo, "add", ".")
    result = run(["--staged", "--max-file-size", "100"], repo)
    assert result.exit_code == 0
    assert "big.py: skipped:" in result.stderr
    assert "blob.bin: binary file skipped" in result.stderr


def test_many_staged_files_use_the_pool(repo: Path) -> None:
    for i in range(260):
        write(repo, f"m/f{i:03}.py", f"x = {i}\n")
    write(repo, "m/f130.py", f'key = "{KEY}"\n')
    git(repo, "add", ".")
    result = run(["--staged", "--format", "json", "-j", "2"], repo)
    assert found(result) == [("m/f130.py", 1, 8, "KL101")]
    assert json.loads(result.stdout)["summary"]["files_checked"] == 260


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    result = run(["--staged"], tmp_path)
    assert result.exit_code == 2
    assert "git:" in result.stderr


def test_staged_and_history_are_exclusive(repo: Path) -> None:
    result = run(["--staged", "--history"], repo)
    assert result.exit_code == 2
