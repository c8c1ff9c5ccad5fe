"""The command line as a ruff user expects it: excludes on the command line, Ctrl-C, missing
paths, files skipped for size, and Python newer than the interpreter."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import render_source
from keylint.cli import cli

KEY_LINE = 'client = OpenAI(api_key="{key:openai-project-key}")\n'


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args, env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")


def paths_of(out: str) -> list[str]:
    return [line.split(":", 1)[0] for line in out.splitlines() if ": KL" in line]


# --- --exclude / --extend-exclude ----------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / ".keylint.toml").write_text('exclude = ["vendor/"]\n')
    for rel in ("src/app.py", "vendor/lib.py", "gen/gen.py"):
        write(tmp_path, rel, KEY_LINE)
    return tmp_path


def test_exclude_on_the_command_line_replaces_the_configured_patterns(tree: Path) -> None:
    args = ["--output-format", "concise"]
    assert paths_of(run([*args, "."], tree)[1]) == ["gen/gen.py", "src/app.py"]
    # --exclude replaces `exclude = ["vendor/"]`: vendor/ is checked again
    out = run([*args, "--exclude", "gen/", "."], tree)[1]
    assert paths_of(out) == ["src/app.py", "vendor/lib.py"]
    # --extend-exclude adds to it; comma-separated and repeated both work
    out = run([*args, "--extend-exclude", "gen/,src/app.py", "."], tree)[1]
    assert paths_of(out) == []
    out = run([*args, "--extend-exclude", "gen/", "--extend-exclude", "nothing", "."], tree)[1]
    assert paths_of(out) == ["src/app.py"]


def test_cli_excludes_apply_to_explicit_paths_only_with_force_exclude(tree: Path) -> None:
    args = ["--output-format", "concise", "--extend-exclude", "gen/", "gen/gen.py"]
    assert paths_of(run(args, tree)[1]) == ["gen/gen.py"]
    assert paths_of(run([*args, "--force-exclude"], tree)[1]) == []


# --- missing paths -------------------------------------------------------------------------


def test_a_missing_path_is_an_error_with_no_no_problems_line(tmp_path: Path) -> None:
    write(tmp_path, "clean.py", "x = 1\n")
    code, out, err = run(["nowhere.py"], tmp_path)
    assert (code, out) == (2, "")
    assert err == "keylint: nowhere.py: no such file or directory\n"
    code, out, err = run(["clean.py", "nowhere.py"], tmp_path)
    assert code == 2 and "no problems" not in out
    assert "keylint: nowhere.py: no such file or directory" in err


# --- Ctrl-C --------------------------------------------------------------------------------


def test_ctrl_c_clears_the_progress_line_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from keylint import run as run_module
    from keylint.cli import main
    from keylint.progress import Progress

    def interrupted(_options: object) -> None:
        bar = Progress(10, min_seconds=0)
        bar(3, 10)
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "execute", interrupted)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["--isolated", "."])
    assert exit_info.value.code == 130
    err = capfd.readouterr().err
    assert err.endswith("3/10 files\r\x1b[2Kkeylint: interrupted\n")
    assert "Aborted" not in err and "Traceback" not in err


def test_ctrl_c_on_a_real_run_stops_at_once(tmp_path: Path) -> None:
    body = "import openai\nopenai.api_key = 'x'\n" * 60
    for i in range(1500):
        (tmp_path / f"f{i}.py").write_text(body)
    # A terminal's Ctrl-C: Python's own handler, whatever disposition the test process has
    # (a child inherits an ignored SIGINT, and Python then never raises it). Set in the
    # child, not with preexec_fn, which can deadlock between fork and exec in a threaded
    # parent such as this test process.
    start = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv = ['keylint', '--isolated', '--jobs', '2', '.']; "
        "runpy.run_module('keylint', run_name='__main__')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", start],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.0)
    if proc.poll() is not None:
        pytest.skip("the run finished before the interrupt")
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert time.monotonic() - sent < 20  # not after every queued batch (a minute here)
    assert err.endswith("keylint: interrupted\n") and "Traceback" not in err, err[-2000:]
    assert out == ""


# --- --max-file-size -----------------------------------------------------------------------


def test_files_skipped_for_their_size_are_counted(tmp_path: Path) -> None:
    write(tmp_path, "big.py", "x = 1\n" * 100)
    write(tmp_path, "big2.py", "y = 2\n" * 100)
    write(tmp_path, "small.py", "z = 3\n")
    code, out, err = run(["--isolated", "--max-file-size", "100", "."], tmp_path)
    assert code == 0
    assert "keylint: note: big.py: skipped: 600 bytes is over the size limit (100" in err
    assert err.splitlines()[-1] == (
        "keylint: note: 2 files were not checked: over the size limit of 100 bytes "
        "(--max-file-size, or max-file-size in the config)"
    )
    assert out.strip() == "All checked: no problems in 1 file(s)."


# --- Python newer than the interpreter -----------------------------------------------------


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 parses a type statement")
def test_newer_python_syntax_is_said_so_and_text_checks_still_run(tmp_path: Path) -> None:
    write(tmp_path, "new.py", "import openai\ntype Ids = list[int]\n" + KEY_LINE)
    write(tmp_path, "broken.py", "import openai\nx = (\n")
    code, out, err = run(["--isolated", "--output-format", "concise", "."], tmp_path)
    assert code == 1
    assert out.startswith("new.py:3:26: KL101 ")  # the text-level key check ran
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert (
        f"keylint: new.py: Python 3.12 syntax (a `type` statement) that the Python {running} "
        "running keylint cannot parse" in err
    )
    assert "new.py: Python syntax error" not in err
    assert "keylint: broken.py: Python syntax error: '(' was never closed" in err


# --- unknown settings and rule selectors ---------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('selcet = ["KL1"]\n', "unknown setting `selcet` (did you mean `select`?)"),
        ('ignore = ["KL1O1"]\n', "unknown rule selector `KL1O1` (did you mean `KL101`?)"),
        (
            '[per-file-ignores]\n"a.py" = ["provider-kye"]\n',
            "unknown rule selector `provider-kye` (did you mean `provider-key`?)",
        ),
        ('[severity]\nKL1022 = "info"\n', "unknown rule selector `KL1022` (did you mean `KL102`?)"),
    ],
)
def test_unknown_settings_and_selectors_in_config_are_errors_with_a_suggestion(
    tmp_path: Path, config: str, message: str
) -> None:
    (tmp_path / ".keylint.toml").write_text(config)
    write(tmp_path, "a.py", "x = 1\n")
    code, out, err = run(["a.py"], tmp_path)
    assert (code, out) == (2, "")
    assert err == f"keylint: error: {tmp_path / '.keylint.toml'}: {message}\n"


def test_unknown_selector_on_the_command_line_does_not_blame_the_config(tmp_path: Path) -> None:
    (tmp_path / ".keylint.toml").write_text('ignore = ["KL2"]\n')
    write(tmp_path, "a.py", "x = 1\n")
    code, _, err = run(["--select", "provider-keys", "a.py"], tmp_path)
    assert code == 2
    assert (
        err
        == "keylint: error: unknown rule selector `provider-keys` (did you mean `provider-key`?)\n"
    )


def test_a_typo_in_an_inline_ignore_is_reported_and_suppresses_nothing(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "import os\n" + KEY_LINE.rstrip("\n") + "  # keylint: ignore[KL1O1]\n")
    code, out, err = run(["--isolated", "--output-format", "concise", "a.py"], tmp_path)
    assert code == 1 and out.startswith("a.py:2:26: KL101 ")
    assert err == (
        "keylint: a.py: line 2: unknown rule selector `KL1O1` (did you mean `KL101`?) "
        "in `keylint: ignore[...]`\n"
    )


# --- the project's pins ----------------------------------------------------------------------

LEGACY_ENV = "OPENAI_API_BASE=https://proxy.example/v1\n"


def kl302(tmp_path: Path, files: dict[str, str]) -> list[str]:
    import json as _json

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, ".env", LEGACY_ENV)
    for rel, text in files.items():
        write(tmp_path, rel, text)
    _, out, _ = run(["--isolated", "--format", "json", "--select", "KL302", "."], tmp_path)
    return [f["severity"] for f in _json.loads(out)["findings"]]


@pytest.mark.parametrize(
    ("files", "severities"),
    [
        ({}, ["warning"]),  # nothing pinned: "ignored by openai>=1"
        ({"requirements.txt": "openai (>=1.0)\n"}, ["error"]),  # PEP 508 with parentheses
        ({"requirements.txt": "openai[datalib] >=1.2 ; python_version >= '3.8'\n"}, ["error"]),
        (
            {
                "requirements.txt": "-r requirements/base.txt\n",
                "requirements/base.txt": "openai==0.28.1\n",
            },
            [],
        ),
        (
            {
                "requirements-dev.txt": "--requirement=../x.txt\n-c constraints.txt\n",
                "constraints.txt": "openai>=1.40\n",
            },
            ["error"],
        ),
        (
            {
                "pyproject.toml": '[tool.poetry.dependencies]\nopenai = "*"\n',
                "poetry.lock": '[[package]]\nname = "openai"\nversion = "1.52.0"\n',
            },
            ["error"],
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\ndependencies = ["openai>=0.27"]\n',
                "uv.lock": 'version = 1\n[[package]]\nname = "openai"\nversion = "0.28.1"\n',
            },
            [],  # the lock file's exact version wins over the range
        ),
    ],
)
def test_pins_from_requirements_includes_and_lock_files(
    tmp_path: Path, files: dict[str, str], severities: list[str]
) -> None:
    assert kl302(tmp_path, files) == severities


# --- --history on a shallow or incomplete clone ----------------------------------------------


def git_out(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def history_repo(root: Path) -> Path:
    repo = root / "origin"
    repo.mkdir()
    git_out(repo, "init", "-q")
    write(repo, "settings.py", 'TOKEN = "{key:openai-project-key}"\n')
    git_out(repo, "add", "-A")
    git_out(repo, "commit", "-qm", "key")
    write(repo, "settings.py", 'import os\nTOKEN = os.environ["OPENAI_API_KEY"]\n')
    git_out(repo, "add", "-A")
    git_out(repo, "commit", "-qm", "no key")
    return repo


def test_history_on_a_shallow_clone_says_what_it_could_not_see(tmp_path: Path) -> None:
    origin = history_repo(tmp_path)
    full = run(["--isolated", "--history"], origin)
    assert full[0] == 1 and "settings.py:1:10: KL101" in full[1] and "shallow" not in full[2]
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(tmp_path / "ci")],
        check=True,
    )
    code, out, err = run(["--isolated", "--history"], tmp_path / "ci")
    assert code == 0 and "KL101" not in out  # the key's commit is not in the clone...
    assert err == (  # ...and the user is told so
        "keylint: note: --history: this is a shallow clone: commits before its oldest were "
        "not checked; fetch them with `git fetch --unshallow` (in GitHub Actions: "
        "actions/checkout with `fetch-depth: 0`)\n"
    )


def test_history_with_missing_objects_says_how_many(tmp_path: Path) -> None:
    origin = history_repo(tmp_path)
    old_blob = git_out(origin, "rev-parse", "HEAD~1:settings.py")
    (origin / ".git" / "objects" / old_blob[:2] / old_blob[2:]).unlink()
    code, out, err = run(["--isolated", "--history"], origin)
    assert code == 0 and "KL101" not in out
    assert err == (
        "keylint: note: --history: 1 blob(s) are missing from the git object store (a partial "
        "clone or pruned objects) and were not checked\n"
    )


# --- the nearest config above each file ----------------------------------------------------

MODEL_LINE = 'import openai\nopenai.Completion.create(engine="davinci")\n'


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "pyproject.toml").write_text('[tool.keylint]\nignore = ["KL6"]\n')
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".keylint.toml").write_text('select = ["KL451"]\n')
    (tmp_path / "svc" / "api").mkdir()
    (tmp_path / "svc" / "api" / "pyproject.toml").write_text(
        '[tool.keylint]\nextend = "../../pyproject.toml"\nextend-select = ["KL602"]\n'
    )
    for rel in ("lib/a.py", "svc/b.py", "svc/api/c.py"):
        write(tmp_path, rel, MODEL_LINE)
    return tmp_path


def codes_by_path(out: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in out.splitlines():
        if ": KL" in line:
            path, rest = line.split(":", 1)
            found.setdefault(path, []).append(rest.split()[1])
    return found


def test_the_nearest_config_applies_to_each_file(monorepo: Path) -> None:
    code, out, err = run(["--output-format", "concise", "."], monorepo)
    assert (code, err) == (1, "")
    assert codes_by_path(out) == {
        "lib/a.py": ["KL451"],  # the root: KL6 ignored
        "svc/b.py": ["KL451"],  # svc/.keylint.toml: KL451 only
        # svc/api extends the root (KL6 ignored) and selects KL602 on top: ignore wins
        "svc/api/c.py": ["KL451"],
    }
    # from inside svc/, the root's file still governs ../lib
    _, out, _ = run(["--output-format", "concise", ".."], monorepo / "svc")
    assert codes_by_path(out) == {
        "../lib/a.py": ["KL451"],
        "b.py": ["KL451"],
        "api/c.py": ["KL451"],
    }


def test_extend_inherits_and_overrides(monorepo: Path) -> None:
    (monorepo / "svc" / "api" / "pyproject.toml").write_text(
        '[tool.keylint]\nextend = "../../pyproject.toml"\nignore = ["KL451"]\n'
    )
    _, out, _ = run(["--output-format", "concise", "."], monorepo)
    # its own `ignore` replaces the root's: KL6 is back, KL451 is gone
    assert codes_by_path(out)["svc/api/c.py"] == ["KL601", "KL602"]


def test_command_line_options_apply_over_every_config(monorepo: Path) -> None:
    _, out, _ = run(["--output-format", "concise", "--ignore", "KL451", "."], monorepo)
    assert codes_by_path(out) == {}


def test_config_option_and_isolated_use_one_config_for_all(monorepo: Path) -> None:
    _, out, _ = run(["--output-format", "concise", "--isolated", "--select", "KL45", "."], monorepo)
    assert set(codes_by_path(out)) == {"lib/a.py", "svc/b.py", "svc/api/c.py"}
    _, out, _ = run(["--output-format", "concise", "--config", "svc/.keylint.toml", "."], monorepo)
    assert codes_by_path(out) == {p: ["KL451"] for p in ("lib/a.py", "svc/b.py", "svc/api/c.py")}


@pytest.mark.parametrize(
    ("extend", "message"),
    [
        ('"../nowhere.toml"', "'extend': no such file ../nowhere.toml"),
        ('"pyproject.toml"', "'extend' makes a loop (pyproject.toml)"),
        ("3", "'extend' must be the path of another config file"),
    ],
)
def test_a_bad_extend_is_a_config_error(monorepo: Path, extend: str, message: str) -> None:
    config = monorepo / "svc" / "api" / "pyproject.toml"
    config.write_text(f"[tool.keylint]\nextend = {extend}\n")
    code, _, err = run(["."], monorepo)
    assert code == 2 and err == f"keylint: error: {config}: {message}\n"


def test_staged_runs_apply_the_nearest_config_too(monorepo: Path) -> None:
    """pre-commit runs `keylint --staged`: nested configs must hold there as well."""
    subprocess.run(["git", "add", "-A"], cwd=monorepo, check=True)
    write(monorepo, "svc/b.py", "x = 1\n")  # the index still holds the model line
    code, out, _ = run(["--output-format", "concise", "--staged"], monorepo)
    assert code == 1
    assert codes_by_path(out) == {
        "lib/a.py": ["KL451"],
        "svc/b.py": ["KL451"],
        "svc/api/c.py": ["KL451"],
    }
    _, out, _ = run(["--output-format", "concise", "--staged", "--select", "KL6"], monorepo)
    # the options apply over every config: the root ignores KL6, svc/ selects only KL451
    # (the options' --select replaces it), svc/api extends the root
    assert codes_by_path(out) == {"svc/b.py": ["KL601", "KL602"]}


def test_rule_docs_for_a_mistyped_code_suggest_the_real_one(tmp_path: Path) -> None:
    code, _, err = run(["rule", "KL1O1"], tmp_path)
    assert code == 2 and err == "keylint: error: no rule 'KL1O1' (did you mean `KL101`?)\n"
