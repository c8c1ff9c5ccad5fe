"""`keylint --history` remembers the blobs it found clean: a re-run reads only what is new,
and never trusts an answer given under another keylint, config or Python."""

from __future__ import annotations

import json
import os
import random
import string
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import fake_key, git, render_source
from keylint import histcache
from keylint.cli import cli

KEY = "{key:openai-project-key}"


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")


def run(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    old = os.getcwd()
    os.chdir(repo)
    try:
        return CliRunner().invoke(
            cli,
            ["--history", *args, "--format", "json"],
            env={"KEYLINT_CACHE_DIR": None, **(env or {})},  # type: ignore[dict-item]
            catch_exceptions=False,
        )
    finally:
        os.chdir(old)


def report(result: Result) -> dict[str, Any]:
    assert result.exit_code in (0, 1), result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def stats(result: Result) -> tuple[int, int, int]:
    """(distinct blobs, answered by the cache, linted)."""
    history = report(result)["history"]
    return history["blobs"], history["cached"], history["linted"]


def cache_files(repo: Path) -> list[Path]:
    return sorted((repo / ".git" / "keylint").glob("history-*.bin"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Ten files edited over a few commits; a key added in app.py, then removed."""
    git(tmp_path, "init", "-q")
    for i in range(10):
        write(tmp_path, f"pkg/mod{i}.py", f"def f{i}():\n    return {i}\n")
    commit(tmp_path, "start")
    write(tmp_path, "app.py", f'import os\n\nclient = OpenAI(api_key="{KEY}")\n')
    commit(tmp_path, "add the client")
    for n in range(3):
        for i in range(0, 10, 3):
            write(tmp_path, f"pkg/mod{i}.py", f"def f{i}():\n    return {i + n + 1}\n")
        commit(tmp_path, f"edit {n}")
    write(tmp_path, "app.py", "import os\n\nclient = OpenAI()\n")
    commit(tmp_path, "remove the key")
    return tmp_path


def test_a_rerun_reads_only_the_blobs_with_findings_and_finds_the_same(repo: Path) -> None:
    first = run(repo)
    blobs, cached, linted = stats(first)
    assert (cached, linted) == (0, blobs)
    assert blobs == 10 + 2 + 3 * 4  # every version of every file
    (cache,) = cache_files(repo)

    second = run(repo)
    assert stats(second) == (blobs, blobs - 1, 1)  # only the blob that holds the key
    assert report(second)["findings"] == report(first)["findings"]
    (f,) = report(second)["findings"]
    assert (f["path"], f["line"], f["column"], f["rule"], f["in_head"]) == (
        "app.py",
        3,
        26,
        "KL101",
        "false",
    )
    assert second.exit_code == first.exit_code == 1
    assert cache_files(repo) == [cache]

    # A new commit: only its blob is new.
    write(repo, "pkg/mod1.py", "def f1():\n    return 100\n")
    commit(repo, "one more")
    assert stats(run(repo)) == (blobs + 1, blobs - 1, 2)


def test_the_cache_holds_no_key_and_no_path(repo: Path) -> None:
    run(repo)
    data = b"".join(p.read_bytes() for p in cache_files(repo))
    key = fake_key("openai-project-key")
    for needle in (key, key[:12], key[-8:], "app.py", "pkg/mod"):
        assert needle.encode() not in data
    assert b"keylint-history-cache" in data  # the file was read: not an empty pass


def test_no_cache_reads_everything_and_writes_nothing(repo: Path) -> None:
    result = run(repo, "--no-cache")
    assert "cached" not in report(result)["history"]
    assert not (repo / ".git" / "keylint").exists()
    run(repo)
    blobs, _, _ = stats(run(repo))
    again = report(run(repo, "--no-cache"))
    assert "cached" not in again["history"] and again["history"]["blobs"] == blobs
    assert again["findings"] == report(run(repo))["findings"]


def test_a_changed_setting_does_not_reuse_answers(repo: Path) -> None:
    blobs, _, _ = stats(run(repo))
    assert stats(run(repo, "--min-confidence", "high"))[1] == 0
    assert stats(run(repo, "--ignore", "KL102"))[1] == 0
    assert stats(run(repo))[1] == blobs - 1  # the first identity's file is still there
    assert len(cache_files(repo)) == 3


ACME = """
[tool.keylint]

[[tool.keylint.key-formats]]
id = "acme-gateway-token"
label = "ACME gateway token"
prefix = "acmegw_"
charset = "A-Za-z0-9"
length = 32
"""


def test_a_project_key_format_added_later_finds_keys_in_blobs_cached_clean(
    tmp_path: Path,
) -> None:
    rng = random.Random("acme")  # built at run time: no key-shaped literal committed
    token = "acmegw_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in "x" * 32)
    git(tmp_path, "init", "-q")
    (tmp_path / "gateway.py").write_text(f'GATEWAY = "{token}"\n')
    commit(tmp_path, "add")
    (tmp_path / "gateway.py").write_text("GATEWAY = None\n")
    commit(tmp_path, "remove")
    assert report(run(tmp_path))["findings"] == []
    assert stats(run(tmp_path)) == (2, 2, 0)  # both blobs cached as clean

    (tmp_path / "pyproject.toml").write_text(ACME)  # untracked: the config, not history
    result = run(tmp_path)
    assert stats(result) == (2, 0, 2)
    (f,) = report(result)["findings"]
    assert (f["path"], f["line"], f["column"], f["rule"]) == ("gateway.py", 1, 12, "KL101")
    assert token not in result.output


def test_a_damaged_cache_is_ignored_with_a_note_and_rewritten(repo: Path) -> None:
    expected = report(run(repo))["findings"]
    (cache,) = cache_files(repo)
    blobs = stats(run(repo))[0]
    for damage in (b"garbage", cache.read_bytes()[:-5], b""):
        cache.write_bytes(damage)
        result = run(repo)
        assert result.exit_code == 1
        assert report(result)["findings"] == expected
        assert stats(result) == (blobs, 0, blobs)
        assert f"the history cache {cache} is damaged: ignored and rewritten" in result.stderr
        assert "Traceback" not in result.output
        assert stats(run(repo))[1] == blobs - 1  # rewritten whole


def test_an_unwritable_cache_dir_costs_only_speed(repo: Path, tmp_path_factory: Any) -> None:
    blocker = tmp_path_factory.mktemp("x") / "file"
    blocker.write_text("not a directory")
    result = run(repo, "--cache-dir", str(blocker / "cache"))
    assert result.exit_code == 1
    assert len(report(result)["findings"]) == 1
    assert "cannot write the history cache" in result.stderr
    assert "Traceback" not in result.output


def test_cache_dir_from_the_environment_and_the_config(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path.parent / (tmp_path.name + "-cache")
    blobs, _, _ = stats(run(repo, env={"KEYLINT_CACHE_DIR": str(elsewhere)}))
    assert len(list(elsewhere.glob("history-*.bin"))) == 1
    assert not (repo / ".git" / "keylint").exists()
    assert stats(run(repo, env={"KEYLINT_CACHE_DIR": str(elsewhere)}))[1] == blobs - 1

    (repo / ".keylint.toml").write_text('cache-dir = ".cache/keylint"\n')  # untracked
    run(repo)
    assert len(list((repo / ".cache" / "keylint").glob("history-*.bin"))) == 1
    assert not (repo / ".git" / "keylint").exists()
    # inside the working tree, but git does not see it
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == "?? .keylint.toml"


def test_ranges_give_what_they_give_without_the_cache(repo: Path) -> None:
    """A version whose changed lines hold nothing new is skipped (its key is its parent's
    finding): cached as such, that answer is the same for any range that holds it."""
    rest = "A = 1\nB = 2\nC = 3\nD = 4\n"
    write(repo, "conf.py", 'TOKEN = "{key:groq-api-key}"\n' + rest)
    commit(repo, "key")
    write(repo, "conf.py", 'TOKEN = "{key:groq-api-key}"\n' + rest + "MORE = 1\n")
    commit(repo, "unrelated edit, far from the key")
    write(repo, "conf.py", "TOKEN = None\n" + rest + "MORE = 1\n")
    commit(repo, "remove")
    full = report(run(repo))["findings"]
    assert [(f["path"], f["line"], f["in_head"]) for f in full] == [
        ("app.py", 3, "false"),
        ("conf.py", 1, "false"),
    ]
    assert stats(run(repo))[2] == 2  # the first version of app.py and of conf.py
    for spec in ("HEAD~2..HEAD~1", "HEAD~3..HEAD~1", "HEAD~1", "HEAD~4..HEAD"):
        cached = run(repo, spec)
        assert stats(cached)[1] > 0
        assert report(cached)["findings"] == report(run(repo, spec, "--no-cache"))["findings"]
    assert report(run(repo))["findings"] == full


def test_worktrees_share_the_cache(repo: Path, tmp_path_factory: Any) -> None:
    blobs, _, _ = stats(run(repo))
    other = tmp_path_factory.mktemp("wt") / "other"
    git(repo, "worktree", "add", "-q", str(other))
    assert stats(run(other))[1] == blobs - 1
    assert not (other / ".git").is_dir()  # a worktree's .git is a file: nothing written there


# --- the cache file itself (API) -------------------------------------------------------------


def test_two_runs_saving_at_once_keep_both_answers(tmp_path: Path) -> None:
    path = tmp_path / "history-x.bin"
    a, b = histcache.HistoryCache(path), histcache.HistoryCache(path)
    a.add(histcache.clean_key("a" * 40, "a.py"))
    b.add(histcache.clean_key("b" * 40, "b.py"))
    a.save()
    b.save()  # merges what `a` wrote since `b` read the file
    fresh = histcache.HistoryCache(path)
    assert fresh.hit(histcache.clean_key("a" * 40, "a.py"))
    assert fresh.hit(histcache.clean_key("b" * 40, "b.py"))
    assert not fresh.hit(histcache.clean_key("a" * 40, "b.py"))  # the path is part of the key
    assert not fresh.notes
    # no temp file left
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", "history-x.bin"]


def test_the_cache_is_bounded_and_keeps_this_runs_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(histcache, "MAX_ENTRIES", 3)
    path = tmp_path / "history-x.bin"
    old = histcache.HistoryCache(path)
    for i in range(5):
        old.add(histcache.clean_key(f"{i:040x}", "f.py"))
    old.save()
    assert len(path.read_bytes()) == len(histcache._MAGIC) + 3 * 16 + 32
    now = histcache.HistoryCache(path)
    now.add(histcache.clean_key("f" * 40, "f.py"))
    now.save()
    assert histcache.HistoryCache(path).hit(histcache.clean_key("f" * 40, "f.py"))


def test_old_identities_are_pruned(tmp_path: Path) -> None:
    for i in range(histcache.MAX_FILES + 3):
        cache = histcache.HistoryCache(tmp_path / f"history-{i}.bin")
        cache.add(histcache.clean_key("a" * 40, "a.py"))
        cache.save()
        os.utime(cache.path, (1000 + i, 1000 + i))
    names = sorted(p.name for p in tmp_path.glob("history-*"))
    assert len(names) == histcache.MAX_FILES
    assert f"history-{histcache.MAX_FILES + 2}.bin" in names


def test_secret_rules_do_not_read_dependency_pins() -> None:
    """The cache leaves the project's pins out of its identity for --history's rules (a
    dependency bump must not cost a full re-scan): it holds only while no hardcoded-secret
    rule reads them."""
    import inspect

    from keylint.checks import all_rules
    from keylint.findings import Category

    secret_rules = [r for r in all_rules() if r.category is Category.HARDCODED_SECRET]
    assert len(secret_rules) >= 5
    for rule in secret_rules:
        source = inspect.getsource(inspect.getmodule(rule))  # type: ignore[arg-type]
        assert "pins" not in source, rule.code


def test_a_changed_exit_threshold_reuses_answers(repo: Path) -> None:
    blobs, _, _ = stats(run(repo))
    assert stats(run(repo, "--fail-on", "info"))[1] == blobs - 1
