"""The command line: discovery, selection, config, suppression, exit codes, output shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import fake_key, render_source
from keylint.cli import cli

KEY_LINE = 'client = OpenAI(api_key="{key:openai-project-key}")\n'


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    return tmp_path


def write(root: Path, rel: str, source: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")
    return path


def findings_of(output: str) -> list[tuple[str, int, int, str]]:
    doc = json.loads(output)
    return [(f["path"], f["line"], f["column"], f["rule"]) for f in doc["findings"]]


def test_text_output_and_exit_code(repo: Path) -> None:
    write(repo, "src/app.py", "import os\n" + KEY_LINE)
    result = run(["."], repo)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("src/app.py:2:26: KL101 OpenAI project API key `sk-proj-")
    assert lines[-1] == "Found 1 problem (1 error) in 1 file."


def test_clean_tree_exits_zero(repo: Path) -> None:
    write(repo, "app.py", 'import os\nkey = os.environ["OPENAI_API_KEY"]\n')
    result = run(["."], repo)
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("All checked: no problems")


def test_json_shape(repo: Path) -> None:
    write(repo, "app.py", KEY_LINE)
    result = run(["--format", "json", "."], repo)
    doc = json.loads(result.output)
    assert doc["keylint"]
    (finding,) = doc["findings"]
    assert finding["rule"] == "KL101"
    assert finding["category"] == "hardcoded-secret"
    assert finding["severity"] == "error"
    assert (finding["path"], finding["line"], finding["column"]) == ("app.py", 1, 26)
    assert finding["end_line"] == 1
    assert finding["end_column"] == 26 + len(fake_key("openai-project-key"))
    assert finding["provider"] == "openai"
    assert finding["secret"]["fingerprint"].startswith("sha256:")
    assert doc["errors"] == []
    assert doc["summary"]["findings"] == 1


def test_check_subcommand_equals_default(repo: Path) -> None:
    write(repo, "app.py", KEY_LINE)
    assert (
        run(["check", "--format", "json", "."], repo).output
        == run(["--format", "json", "."], repo).output
    )


def test_exit_zero_and_fail_on(repo: Path) -> None:
    write(repo, "app.py", KEY_LINE)
    assert run(["--exit-zero", "."], repo).exit_code == 0
    # an error-level finding fails at every threshold
    assert run(["--fail-on", "error", "."], repo).exit_code == 1


def test_select_and_ignore(repo: Path) -> None:
    write(repo, "app.py", KEY_LINE)
    assert run(["--ignore", "KL101", "."], repo).exit_code == 0
    assert run(["--ignore", "hardcoded-secret", "."], repo).exit_code == 0
    assert run(["--select", "KL1", "."], repo).exit_code == 1
    assert run(["--select", "provider-key", "."], repo).exit_code == 1


def test_unknown_selector_is_a_usage_error(repo: Path) -> None:
    result = run(["--select", "XX999", "."], repo)
    assert result.exit_code == 2
    assert "unknown rule selector `XX999` (see `keylint rules`)" in result.output


def test_missing_path_is_an_error(repo: Path) -> None:
    result = run(["does-not-exist"], repo)
    assert result.exit_code == 2
    assert "does-not-exist: no such file or directory" in result.output


def test_config_in_pyproject(repo: Path) -> None:
    write(repo, "app.py", KEY_LINE)
    write(repo, "vendor/lib.py", KEY_LINE)
    (repo / "pyproject.toml").write_text('[tool.keylint]\nexclude = ["vendor/"]\n')
    assert findings_of(run(["--format", "json", "."], repo).output) == [("app.py", 1, 26, "KL101")]
    (repo / "pyproject.toml").write_text('[tool.keylint]\nignore = ["KL101"]\n')
    assert run(["."], repo).exit_code == 0


def test_bad_config_exits_2(repo: Path) -> None:
    (repo / ".keylint.toml").write_text("select = [\n")
    result = run(["."], repo)
    assert result.exit_code == 2
    assert "invalid TOML" in result.output
    (repo / ".keylint.toml").write_text('selekt = ["KL1"]\n')
    result = run(["."], repo)
    assert result.exit_code == 2
    assert "unknown setting `selekt` (did you mean `select`?)" in result.output


def test_per_file_ignores(repo: Path) -> None:
    write(repo, "tests/test_x.py", KEY_LINE)
    write(repo, "app.py", KEY_LINE)
    (repo / ".keylint.toml").write_text('[per-file-ignores]\n"tests/**" = ["KL1"]\n')
    assert findings_of(run(["--format", "json", "."], repo).output) == [("app.py", 1, 26, "KL101")]


def test_inline_suppression(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE.rstrip("\n") + "  # keylint: ignore[KL101]\n")
    write(repo, "b.py", KEY_LINE.rstrip("\n") + "  # pragma: allowlist secret\n")
    write(repo, "c.py", "# pragma: allowlist nextline secret\n" + KEY_LINE)
    write(repo, "d.py", KEY_LINE.rstrip("\n") + "  # keylint: ignore[KL2]\n")
    assert findings_of(run(["--format", "json", "."], repo).output) == [("d.py", 1, 26, "KL101")]


def test_gitignore_respected_but_tracked_files_checked(repo: Path) -> None:
    (repo / ".gitignore").write_text("ignored/\nconfig.*\n")
    write(repo, "ignored/app.py", KEY_LINE)
    write(repo, "config.py", KEY_LINE)
    git(repo, "add", "-f", "config.py")
    assert findings_of(run(["--format", "json", "."], repo).output) == [
        ("config.py", 1, 26, "KL101")
    ]


def test_git_ignored_dotenv_is_read_but_key_is_not_a_leak(repo: Path) -> None:
    (repo / ".gitignore").write_text(".env\n")
    write(repo, ".env", "OPENAI_API_KEY={key:openai-project-key}\n")
    write(repo, "prod.env", "OPENAI_API_KEY={key:openai-project-key:1}\n")
    result = run(["--format", "json", "--select", "KL101", "."], repo)
    assert findings_of(result.output) == [("prod.env", 1, 16, "KL101")]


def test_default_excludes(repo: Path) -> None:
    write(repo, "node_modules/pkg/index.py", KEY_LINE)
    write(repo, ".venv/lib/x.py", KEY_LINE)
    assert run(["."], repo).exit_code == 0


def test_explicit_file_checked_unless_force_exclude(repo: Path) -> None:
    write(repo, "vendor/lib.py", KEY_LINE)
    (repo / ".keylint.toml").write_text('exclude = ["vendor/"]\n')
    assert run(["vendor/lib.py"], repo).exit_code == 1
    assert run(["--force-exclude", "vendor/lib.py"], repo).exit_code == 0


def test_statistics(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    write(repo, "b.py", KEY_LINE)
    result = run(["--statistics", "."], repo)
    assert result.output.splitlines()[0] == "2\tKL101\tprovider-key"


def test_quiet_prints_findings_only(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    result = run(["--quiet", "--output-format", "concise", "."], repo)
    assert len(result.output.splitlines()) == 1
    full = run(["--quiet", "."], repo).output.splitlines()
    assert full[0] == result.output.splitlines()[0] and len(full) == 5  # + the source lines


def test_color(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    assert "\x1b[" in run(["--color", "always", "."], repo).output
    assert "\x1b[" not in run(["--color", "never", "."], repo).output
    assert "\x1b[" not in run(["."], repo, env={"NO_COLOR": "1"}).output


def test_output_file(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    result = run(["--format", "json", "-o", "out.json", "a.py"], repo)
    assert result.output == ""
    assert findings_of((repo / "out.json").read_text()) == [("a.py", 1, 26, "KL101")]


def test_output_through_a_symlink_keeps_the_link(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    (repo / "reports").mkdir()
    (repo / "out.json").symlink_to("reports/latest.json")
    run(["--format", "json", "-o", "out.json", "a.py"], repo)
    assert (repo / "out.json").is_symlink()
    assert findings_of((repo / "reports" / "latest.json").read_text()) == [("a.py", 1, 26, "KL101")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_output_to_a_named_pipe_is_streamed_and_the_pipe_stays(repo: Path) -> None:
    import stat
    import threading

    write(repo, "a.py", KEY_LINE)
    fifo = repo / "report.pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = run(["--format", "json", "-o", "report.pipe", "a.py"], repo)
    reader.join(timeout=30)
    assert result.exit_code == 1
    assert findings_of(received[0]) == [("a.py", 1, 26, "KL101")]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not replaced by a regular file


def test_rules_and_rule_commands(repo: Path) -> None:
    listing = run(["rules"], repo)
    assert listing.exit_code == 0
    assert any(line.startswith("KL101  provider-key") for line in listing.output.splitlines())
    docs = run(["rule", "KL101"], repo)
    assert docs.exit_code == 0
    assert "## Why is this bad?" in docs.output
    assert run(["rule", "provider-key"], repo).exit_code == 0
    assert run(["rule", "KL999"], repo).exit_code == 2


def test_parallel_run_matches_serial(repo: Path) -> None:
    for i in range(250):
        write(repo, f"pkg/m{i}.py", "x = 1\n" if i % 50 else KEY_LINE)
    serial = run(["--format", "json", "--jobs", "1", "."], repo).output
    parallel = run(["--format", "json", "--jobs", "2", "."], repo).output
    assert findings_of(serial) == findings_of(parallel)
    assert len(findings_of(serial)) == 5


def test_module_entry_point(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    proc = subprocess.run(
        [sys.executable, "-m", "keylint", "--format", "json", "a.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert findings_of(proc.stdout) == [("a.py", 1, 26, "KL101")]


def test_default_excludes_apply_below_the_directory_asked_for(repo: Path) -> None:
    write(repo, "lib/site-packages/pkg/mod.py", KEY_LINE)
    assert run(["lib"], repo).exit_code == 0
    assert findings_of(run(["--format", "json", "lib/site-packages"], repo).output) == [
        ("lib/site-packages/pkg/mod.py", 1, 26, "KL101")
    ]


def test_github_actions_selects_annotations_only_for_the_log(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    env = {"GITHUB_ACTIONS": "true"}
    assert run(["."], repo, env=env).output.startswith("::error ")
    assert run(["--statistics", "."], repo, env=env).output.startswith("1\tKL101")
    run(["-o", "out.txt", "."], repo, env=env)
    assert (repo / "out.txt").read_text().startswith("a.py:1:26: KL101")


def test_paths_are_shown_relative_to_the_working_directory_inside_a_repository(
    tmp_path: Path,
) -> None:
    from conftest import git, render_source, run_isolated

    git(tmp_path, "init", "-q")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "app.py").write_text(
        render_source('OPENAI_API_KEY = "{key:openai-project-key}"\n'), encoding="utf-8"
    )
    (tmp_path / "top.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "svc" / "deep").mkdir()
    (tmp_path.parent / f"{tmp_path.name}-sibling").mkdir()
    shown = {}
    for cwd, target in (
        (tmp_path / "svc", "."),
        (tmp_path, "svc"),
        (tmp_path / "svc", ".."),
        (tmp_path / "svc" / "deep", "../.."),  # inside the tree, the file outside the cwd
        (tmp_path.parent, tmp_path.name),  # the tree below the cwd
        (tmp_path.parent / f"{tmp_path.name}-sibling", f"../{tmp_path.name}"),  # beside it
    ):
        result = run_isolated(cwd, "--format", "json", target)
        shown[(cwd.name, target)] = [f["path"] for f in json.loads(result.output)["findings"]]
    assert shown == {
        ("svc", "."): ["app.py"],
        (tmp_path.name, "svc"): ["svc/app.py"],
        ("svc", ".."): ["app.py"],
        ("deep", "../.."): ["../app.py"],
        (tmp_path.parent.name, tmp_path.name): [f"{tmp_path.name}/svc/app.py"],
        (f"{tmp_path.name}-sibling", f"../{tmp_path.name}"): [f"../{tmp_path.name}/svc/app.py"],
    }
