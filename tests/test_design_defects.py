"""The design review's reproduced defects (2026-12), each through the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from keylint.checks import all_rules
from keylint.checks.base import FileContext, Rule
from keylint.config import Settings
from keylint.engine import Engine
from keylint.findings import Category, Finding


def check(cwd: Path, *args: str) -> list[tuple[str, int, int, str]]:
    result = CliRunner().invoke(
        __import__("keylint.cli", fromlist=["cli"]).cli,
        ["check", "--isolated", "--format", "json", *args],
    )
    assert result.exit_code in (0, 1), result.output[-400:]
    return [
        (f["path"], f["line"], f["column"], f["rule"])
        for f in json.loads(result.stdout)["findings"]
    ]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_ignoring_kl307_does_not_silence_kl301(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("GROQ_API_KEY=abc\n")
    (tmp_path / "main.py").write_text('import os\nos.getenv("GROQ_KEY")\n')
    assert check(tmp_path, "--select", "KL3", ".") == [
        (".env", 1, 1, "KL307"),
        ("main.py", 2, 12, "KL307"),
    ]
    # KL301 yields to KL307 only where KL307 reports: with KL307 off, KL301 speaks.
    assert check(tmp_path, "--select", "KL3", "--ignore", "KL307", ".") == [
        ("main.py", 2, 12, "KL301")
    ]


def test_tree_and_index_agree_on_a_file_that_only_reads_env(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    git(tmp_path, "init", "-q")
    (tmp_path / "k.py").write_text('import os\nos.getenv("TOGETHER_KEY")\n')
    git(tmp_path, "add", "k.py")
    tree = check(tmp_path, "k.py")
    assert tree == [("k.py", 2, 12, "KL301")]
    assert check(tmp_path, "--staged", "k.py") == tree


def test_ignore_all_suppresses_inline(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    line = 'client.completions.create(model="text-davinci-003", prompt=p)'
    (tmp_path / "a.py").write_text(f"{line}  # keylint: ignore[ALL]\n{line}\n")
    assert check(tmp_path, "a.py") == [("a.py", 2, 34, "KL451")]


class _Broken(Rule):
    """A rule with a bug.

    ## What it does
    Raises.

    ## Why is this bad?
    It is a test.

    ## Example
    Any file.
    """

    code = "KL999"
    name = "broken"
    category = Category.HARDCODED_SECRET
    summary = "Raises."

    def check(self, ctx: FileContext) -> list[Finding]:
        raise RuntimeError("boom " + ctx.file.text)  # text must never reach the message


def test_a_rule_that_raises_costs_only_its_own_findings(tmp_path: Path) -> None:
    rules = [*(r() for r in all_rules()), _Broken()]
    engine = Engine(Settings(), rules)
    source = 'client.completions.create(model="text-davinci-003", prompt=p)\n'
    result = engine.lint_bytes("a.py", source.encode())
    run = engine.collect([result, engine.lint_bytes("b.py", source.encode())], 2)
    assert [(f.path, f.rule) for f in run.findings] == [("a.py", "KL451"), ("b.py", "KL451")]
    assert [path for path, _ in run.errors] == ["a.py", "b.py"]
    assert all("internal error in KL999 (RuntimeError)" in m for _, m in run.errors)
    assert not any("davinci" in m for _, m in run.errors)


@pytest.mark.parametrize("day", ["2027-04-02", "2029-01-01"])
def test_rule_examples_do_not_expire(day: str) -> None:
    # tests/test_rule_examples.py pins the day; this is the reason (KL452's gpt-5.1 example
    # becomes a KL451 finding on 2027-04-01).
    import datetime

    from keylint.checks import kl4_endpoints

    kl4_endpoints.TODAY = datetime.date.fromisoformat(day)
    try:
        engine = Engine(Settings())
        result = engine.lint_bytes(
            "app.py", b'client.responses.create(model="gpt-5.1", input=text)\n'
        )
        rules = [f.rule for f in engine.collect([result], 1).findings]
        assert rules == ["KL451"]
    finally:
        kl4_endpoints.TODAY = None
