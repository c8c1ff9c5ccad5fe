"""``--format github``: GitHub Actions annotations (GitHub's workflow-command docs).

Escaping as ``@actions/core`` does it, columns only on one-line findings, ``notice`` for info,
a plain summary line last, a hint to use SARIF past the per-step annotation limit, and the
format chosen by itself when ``GITHUB_ACTIONS=true``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import fake_key, render_source
from keylint.cli import cli
from keylint.facts import Span
from keylint.findings import Category, Finding, Severity
from keylint.report import Report, render
from keylint.report.github import escape_data, escape_property
from keylint.report.github import render as render_github
from keylint.report.text import summary

ONE_LINE = Span(1, 5, 1, 9)
KEY_LINE = 'client = OpenAI(api_key="{key:openai-project-key}")\n'


def finding(
    path: str = "app.py",
    span: Span = ONE_LINE,
    message: str = "a problem",
    severity: Severity = Severity.ERROR,
    rule: str = "KL101",
) -> Finding:
    return Finding(rule, "provider-key", Category.HARDCODED_SECRET, severity, path, span, message)


def github(
    findings: list[Finding], cwd: Path, errors: tuple[tuple[str, str], ...] = ()
) -> list[str]:
    return render_github(Report(findings, errors, files_checked=3), cwd=cwd).splitlines()


def run(cwd: Path, *args: str, env: dict[str, str | None]) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Escaping.


def test_escape_data_like_actions_core() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_data("%0A") == "%250A"  # an escape sequence in the input stays literal


def test_escape_property_like_actions_core() -> None:
    assert escape_property("a:b,c%d\ne\rf") == "a%3Ab%2Cc%25d%0Ae%0Df"


def test_annotation_escapes_message_and_properties(tmp_path: Path) -> None:
    f = finding(path="we,ird:name.py", message="100% wrong\nsecond line: a, b")
    first = github([f], tmp_path)[0]
    assert first == (
        "::error file=we%2Cird%3Aname.py,line=1,endLine=1,col=5,endColumn=9,"
        "title=keylint (KL101)::we,ird:name.py:1:5: KL101 100%25 wrong%0Asecond line: a, b"
    )


# --------------------------------------------------------------------------------------------
# Shape.


def test_levels_and_columns(tmp_path: Path) -> None:
    lines = github(
        [
            finding(severity=Severity.ERROR),
            finding(span=Span(2, 3, 4, 1), severity=Severity.WARNING),
            finding(span=Span(5, 1, 5, 4), severity=Severity.INFO),
        ],
        tmp_path,
    )
    assert lines[0].startswith("::error file=app.py,line=1,endLine=1,col=5,endColumn=9,title=")
    # Spanning lines: no col/endColumn (ruff issue #22074).
    assert lines[1].startswith("::warning file=app.py,line=2,endLine=4,title=keylint (KL101)::")
    assert lines[2].startswith("::notice file=app.py,line=5,endLine=5,col=1,endColumn=4,title=")


def test_summary_line_last_and_not_an_annotation(tmp_path: Path) -> None:
    report = Report([finding(), finding(span=Span(2, 1, 2, 2))], files_checked=3)
    lines = github(list(report.findings), tmp_path)
    assert lines[-1] == summary(report) == "Found 2 problems (2 errors) in 1 file."
    assert not lines[-1].startswith("::")


def test_clean_run_prints_only_the_summary(tmp_path: Path) -> None:
    assert github([], tmp_path) == ["All checked: no problems in 3 file(s)."]


def test_files_not_checked_are_warnings(tmp_path: Path) -> None:
    lines = github([], tmp_path, errors=(("conf/a.yaml", "YAML error: bad, very (line 2)"),))
    assert lines[0] == (
        "::warning file=conf/a.yaml,title=keylint%3A file not checked"
        "::conf/a.yaml: YAML error: bad, very (line 2)"
    )


@pytest.mark.parametrize(("count", "hint"), [(10, False), (11, True)])
def test_hint_to_use_sarif_past_the_annotation_limit(
    tmp_path: Path, count: int, hint: bool
) -> None:
    findings = [finding(span=Span(n, 1, n, 2)) for n in range(1, count + 1)]
    lines = github(findings, tmp_path)
    assert sum(line.startswith("::error ") for line in lines) == count
    assert ("--format sarif" in lines[-1]) is hint
    if hint:
        assert "all 11 findings" in lines[-1]
        assert lines[-2].startswith("Found 11 problems")


def test_dispatch_through_report_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = render("github", Report([finding()], files_checked=1))
    assert out.startswith("::error file=app.py,line=1,")
    assert out.endswith("in 1 file.\n")


# --------------------------------------------------------------------------------------------
# Through the command line.


def test_github_actions_selects_the_format(tmp_path: Path) -> None:
    write(tmp_path, "app.py", KEY_LINE)
    code, out = run(tmp_path, ".", env={"GITHUB_ACTIONS": "true"})
    assert code == 1
    assert out.startswith("::error file=app.py,line=1,endLine=1,col=26,")
    code, out = run(tmp_path, "--format", "text", ".", env={"GITHUB_ACTIONS": "true"})
    assert out.startswith("app.py:1:26: KL101 ")
    code, out = run(tmp_path, ".", env={"GITHUB_ACTIONS": None})
    assert out.startswith("app.py:1:26: KL101 ")


def test_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True, capture_output=True)
    write(tmp_path, "pkg/app.py", KEY_LINE)
    _, out = run(tmp_path / "pkg", "--format", "github", ".", env={})
    # file= is what GitHub resolves (from the repository root); the message keeps the path
    # as the user ran it.
    assert out.startswith("::error file=pkg/app.py,line=1,endLine=1,col=26,")
    assert "::app.py:1:26: KL101 " in out


def test_no_raw_key_in_annotations(tmp_path: Path) -> None:
    write(tmp_path, "app.py", KEY_LINE)
    write(tmp_path, "conf.yaml", "groq:\n  key: {key:groq-api-key}\n")
    write(tmp_path, ".env", "ANTHROPIC_API_KEY={key:anthropic-api-key}\n")
    code, out = run(tmp_path, "--format", "github", ".", env={})
    assert code == 1
    assert out.count("::error ") == 3
    for fmt in ("openai-project-key", "groq-api-key", "anthropic-api-key"):
        assert fake_key(fmt) not in out, f"raw {fmt} in the annotations"


def test_quiet_prints_annotations_only(tmp_path: Path) -> None:
    findings = [finding(span=Span(n, 1, n, 2)) for n in range(1, 13)]
    out = render_github(Report(findings, files_checked=3), cwd=tmp_path, show_summary=False)
    assert all(line.startswith("::error ") for line in out.splitlines())
    assert len(out.splitlines()) == 12
