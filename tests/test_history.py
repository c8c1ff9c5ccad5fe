"""`keylint --history`: keys that commits added, reported once where they were introduced."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import fake_key, git, render_source
from keylint import gitscan, progress
from keylint import run as run_module
from keylint.cli import cli

KEY = "{key:openai-project-key}"
DATE_1 = "2021-03-04T05:06:07+00:00"


def commit(repo: Path, message: str, date: str | None = None) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, date=date)
    return git(repo, "rev-parse", "HEAD")


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")


def run(args: list[str], cwd: Path) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["--isolated", *args], env={}, catch_exceptions=False)
    finally:
        os.chdir(old)


def findings(result: Result) -> list[dict[str, object]]:
    return list(json.loads(result.stdout)["findings"])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    return tmp_path


def test_removed_key_is_reported_once_at_its_introducing_commit(repo: Path) -> None:
    write(repo, "app.py", f'import os\n\nclient = OpenAI(api_key="{KEY}")\n')
    first = commit(repo, "add client", DATE_1)
    write(repo, "README.txt", "hello\n")
    write(repo, "app.py", f'import os\nimport sys\n\nclient = OpenAI(api_key="{KEY}")\n')
    commit(repo, "unrelated")
    write(repo, "app.py", "import os\n\nclient = OpenAI()\n")
    commit(repo, "remove the key")
    assert run(["."], repo).exit_code == 0  # HEAD and the working tree are clean

    result = run(["--history", "--format", "json"], repo)
    assert result.exit_code == 1, result.output
    (f,) = findings(result)
    assert (f["path"], f["line"], f["column"], f["rule"]) == ("app.py", 3, 26, "KL101")
    assert (f["commit"], f["author_date"], f["in_head"]) == (first, DATE_1, "false")
    assert f["secret"]["fingerprint"].startswith("sha256:")  # type: ignore[index]
    assert json.loads(result.stdout)["history"]["commits"] == 3

    text = run(["--history"], repo)
    assert text.exit_code == 1
    line = text.output.splitlines()[0]
    assert line.startswith("app.py:3:26: KL101 ")
    assert f"added in commit {first[:12]} (2021-03-04)" in line
    assert "no longer in HEAD" in line
    for output in (result.output, text.output):
        assert fake_key("openai-project-key") not in output


def test_key_still_in_head_is_marked(repo: Path) -> None:
    write(repo, "a.py", f'k = "{KEY}"\n')
    commit(repo, "1")
    write(repo, "b.py", f'k = "{KEY}"\n')  # the same key, another file: one finding
    commit(repo, "2")
    (f,) = findings(run(["--history", "--format", "json"], repo))
    assert (f["path"], f["in_head"]) == ("a.py", "true")
    assert "still in HEAD" in str(f["message"])


def test_range_limits_the_commits(repo: Path) -> None:
    write(repo, "a.py", f'k = "{KEY}"\n')
    commit(repo, "1")
    write(repo, "a.py", "k = 1\n")
    commit(repo, "2")
    write(repo, "b.py", 'k = "{key:groq-api-key}"\n')
    third = commit(repo, "3")
    result = run(["--history", "HEAD~1..HEAD", "--format", "json"], repo)
    (f,) = findings(result)
    assert (f["path"], f["commit"], f["in_head"]) == ("b.py", third, "true")
    # A range that does not reach HEAD's blobs still knows what HEAD holds.
    result = run(["--history", "HEAD~2..HEAD~1", "--format", "json"], repo)
    assert findings(result) == []
    result = run(["--history", "HEAD~3..HEAD~1"], repo)  # HEAD~3 does not exist
    assert result.exit_code == 2
    assert result.stderr.startswith("keylint: error: git: ")


def test_merged_branch_key_is_attributed_to_the_branch_commit(repo: Path) -> None:
    write(repo, "base.py", "x = 1\n")
    commit(repo, "base")
    main = git(repo, "rev-parse", "--abbrev-ref", "HEAD")
    git(repo, "checkout", "-qb", "feature")
    write(repo, "feat.py", f'k = "{KEY}"\n')
    feature = commit(repo, "feature")
    git(repo, "checkout", "-q", main)
    write(repo, "other.py", "y = 2\n")
    commit(repo, "main work")
    git(repo, "merge", "-q", "--no-edit", "feature")
    write(repo, "feat.py", "k = None\n")
    commit(repo, "remove")
    (f,) = findings(run(["--history", "--format", "json"], repo))
    assert (f["path"], f["commit"], f["in_head"]) == ("feat.py", feature, "false")


def test_pathspec_and_excludes(repo: Path) -> None:
    write(repo, "src/a.py", f'k = "{KEY}"\n')
    write(repo, "node_modules/pkg/b.js", 'k = "{key:groq-api-key}"\n')
    write(repo, "tests/c.py", 'k = "{key:groq-api-key:1}"\n')
    commit(repo, "1")
    paths = [f["path"] for f in findings(run(["--history", "--format", "json"], repo))]
    assert paths == ["src/a.py", "tests/c.py"]
    paths = [f["path"] for f in findings(run(["--history", "--format", "json", "src"], repo))]
    assert paths == ["src/a.py"]
    # From a subdirectory, paths are shown relative to it.
    sub = findings(run(["--history", "--format", "json", "."], repo / "src"))
    assert [f["path"] for f in sub] == ["a.py"]


def test_many_blobs_go_through_the_pool(repo: Path) -> None:
    for i in range(300):
        write(repo, f"m/f{i:03}.py", f"x = {i}\n")
    write(repo, "m/f200.py", f'k = "{KEY}"\n')
    commit(repo, "many")
    write(repo, "m/f200.py", "x = 200\n")
    commit(repo, "fix")
    result = run(["--history", "-j", "2", "--format", "json"], repo)
    assert [(f["path"], f["in_head"]) for f in findings(result)] == [("m/f200.py", "false")]
    assert json.loads(result.stdout)["history"]["blobs"] == 301


def test_bad_ranges_and_options_are_usage_errors(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    write(repo, "src/a.py", f'k = "{KEY}"\n')
    commit(repo, "1")
    assert run(["--history", "no-such-branch"], repo).exit_code == 2
    result = run(["--history", "src"], repo)  # a path where the range goes: a hint
    assert result.exit_code == 2
    assert "write `keylint --history HEAD src`" in result.stderr
    assert run(["--history", "HEAD", "src"], repo).exit_code == 1
    assert run(["--history", "all"], repo).exit_code == 1
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rqf", ".")
    write(repo, "b.py", "x = 1\n")
    commit(repo, "unrelated root")
    assert run(["--history"], repo).exit_code == 0
    assert run(["--history", "all"], repo).exit_code == 1  # the other branch has the key
    outside = tmp_path_factory.mktemp("plain")
    assert run(["--history"], outside).exit_code == 2


def test_progress_only_on_an_interactive_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert isinstance(run_module._default_progress(10, quiet=False), progress.Progress)
    assert run_module._default_progress(10, quiet=True) is None
    monkeypatch.setenv("CI", "true")
    assert run_module._default_progress(10, quiet=False) is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr", io.StringIO())  # a pipe
    assert run_module._default_progress(10, quiet=False) is None


def test_progress_waits_a_second_then_draws_and_clears(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    clock = iter([100.0, 100.5, 101.5, 101.7])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    bar = progress.Progress(4, label="commits")
    bar(1, 4)  # half a second in: nothing yet
    assert err.getvalue() == ""
    bar(2, 4)
    assert "2/4 commits" in err.getvalue()
    bar.close()
    assert err.getvalue().endswith("\r\x1b[2K")


def test_unrelated_edits_keep_the_introducing_commit(repo: Path) -> None:
    """Later versions whose changed lines hold nothing key-like are not linted again (the
    history skip): the key is still reported once, at the commit that added it."""
    write(repo, "app.py", f'"""Doc."""\nimport os\n\nKEY = "{KEY}"\n')
    first = commit(repo, "1")
    body = f'"""Doc."""\nimport os\n\nKEY = "{KEY}"\n'
    for i in range(5):
        body = body.replace("import os\n", f"import os\nx{i} = {i}\n")
        write(repo, "app.py", body)
        commit(repo, f"edit {i}")
    write(repo, "app.py", "import os\n")
    commit(repo, "remove")
    (f,) = findings(run(["--history", "--format", "json"], repo))
    assert (f["commit"], f["in_head"], f["line"]) == (first, "false", 4)


def test_changed_lines_keep_context_above_each_change() -> None:
    old = b"a\nb\nc\nd\ne\n"
    assert gitscan.changed_lines(old, old) == b""
    assert gitscan.changed_lines(old, b"a\nb\nc\nNEW\nd\ne\n") == b"b\nc\nNEW\nd"
    # A moved line is a change (its neighbour differs), so a key name above it counts.
    assert b"e" in gitscan.changed_lines(old, b"e\na\nb\nc\nd\n")


def test_no_commit_yet_is_an_empty_history(repo: Path) -> None:
    result = run(["--history", "--format", "json"], repo)
    assert result.exit_code == 0
    assert findings(result) == []


def test_range_words_that_look_like_options_are_refused() -> None:
    assert gitscan.rev_args("main..feature") == ["--end-of-options", "main..feature"]
    assert gitscan.rev_args("all") == ["--all"]
    with pytest.raises(gitscan.GitError):
        gitscan.rev_args("HEAD --output=/tmp/x")
