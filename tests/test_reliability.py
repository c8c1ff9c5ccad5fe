"""One bad file never costs the run (issue 8).

Each bad input of the audit (D1-D6, D10-D13, same reproductions) sits next to a sibling file
with a key. Through the CLI: exit 0 or 1 (never 2), the sibling's finding at its exact
position, bounded time, valid JSON and SARIF, and no full key in any output. Then a data test
runs every regex in rules/ against adversarial 10 KB inputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import fake_key, render_source
from keylint.cli import cli
from keylint.extract.dotenv import extract as dotenv_extract
from keylint.facts import DotenvEntry, EnvDef
from keylint.providers import load
from keylint.source import SourceFile

KEY_LINE = 'client = OpenAI(api_key="{key:openai-project-key}")\n'
SIBLING = ("good.py", 1, 26, "KL101")
# Generous for a loaded CI machine; before the fixes these inputs took 60-250 s or forever.
TIME_BUDGET = 30.0


def _key(n: int = 0) -> str:
    return fake_key("openai-project-key", n)


def run(cwd: Path, *args: str) -> tuple[int, str, str, float]:
    old = os.getcwd()
    os.chdir(cwd)
    start = time.perf_counter()
    try:
        result = CliRunner().invoke(cli, list(args), env={}, catch_exceptions=False)
    finally:
        os.chdir(old)
    took = time.perf_counter() - start
    stderr = result.stderr if result.stderr_bytes is not None else ""
    return result.exit_code, result.stdout, stderr, took


def _assert_no_key(*texts: str) -> None:
    for key in (_key(0), _key(1), _key(2)):
        for text in texts:
            assert key not in text, "a full key was printed"


def _json_findings(stdout: str) -> list[tuple[str, int, int, str]]:
    doc = json.loads(stdout)
    return [(f["path"], f["line"], f["column"], f["rule"]) for f in doc["findings"]]


def check_tree(root: Path, *paths: str) -> tuple[list[tuple[str, int, int, str]], dict]:
    """Run JSON and SARIF over ``root``; assert the invariants; return findings and JSON."""
    (root / "good.py").write_text(render_source(KEY_LINE))
    targets = paths or (".",)
    code, out, err, took = run(root, "--format", "json", *targets)
    assert code in (0, 1), err
    assert took < TIME_BUDGET
    out.encode("utf-8")  # valid Unicode, encodable as UTF-8
    findings = _json_findings(out)
    assert SIBLING in findings
    _assert_no_key(out, err)
    code, sarif, err, _ = run(root, "--format", "sarif", *targets)
    assert code in (0, 1), err
    log = json.loads(sarif)
    assert log["version"] == "2.1.0"
    _assert_no_key(sarif, err)
    return findings, json.loads(out)


def _errors(doc: dict) -> dict[str, str]:
    return {e["path"]: e["message"] for e in doc["errors"]}


# --- D1: RecursionError in the Python AST visitor -----------------------------------------

# Deep enough for the visitor's recursion (one frame per level), still valid for ast.parse.
DEEP_PYTHON = {
    "binop": "x = " + "+".join(["y"] * 1500),
    "attribute": "x = " + "a" + ".b" * 1500,
    "unary": "x = " + "-" * 1500 + "1",
    "lambda": "x = " + "lambda: " * 1500 + "1",
}


@pytest.mark.parametrize("shape", sorted(DEEP_PYTHON))
def test_deep_python_is_one_files_error_and_still_checked_as_text(
    tmp_path: Path, shape: str
) -> None:
    source = f'import os\nK = "{_key(1)}"\n{DEEP_PYTHON[shape]}\n'
    (tmp_path / "t.py").write_text(source)
    findings, doc = check_tree(tmp_path)
    assert ("t.py", 2, 6, "KL101") in findings  # the text-level check still ran
    assert "nested too deeply" in _errors(doc)["t.py"]


def _notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                for kind, source in cells
            ],
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_deep_notebook_cell_keeps_the_other_cells_analysis(tmp_path: Path) -> None:
    notebook = _notebook(
        ("code", f'client = OpenAI(api_key="{_key(1)}")\n'),
        ("code", DEEP_PYTHON["binop"] + "\n"),
    )
    (tmp_path / "n.ipynb").write_text(notebook)
    findings, doc = check_tree(tmp_path)
    line = notebook.splitlines().index(
        next(ln for ln in notebook.splitlines() if "OpenAI(api_key" in ln)
    )
    assert next(f for f in findings if f[0] == "n.ipynb" and f[3] == "KL101")[1] == line + 1
    assert "code cell" in _errors(doc)["n.ipynb"]


def test_deep_markdown_python_fence(tmp_path: Path) -> None:
    text = f"# Setup\n\n```python\n{DEEP_PYTHON['unary']}\n```\n\nKey: `{_key(1)}`\n"
    (tmp_path / "README.md").write_text(text)
    findings, doc = check_tree(tmp_path)
    assert any(f[:2] == ("README.md", 7) for f in findings)
    assert "code block at line 3" in _errors(doc)["README.md"]


# --- D2: tomllib / JSON / YAML recursion ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("arrays.toml", 'api_key = "v"\nx = ' + "[" * 500 + "]" * 500),
        ("tables.toml", 'api_key = "v"\nx = ' + "{a = " * 400 + "1" + "}" * 400),
        ("deep.json", '{"api_key": "v", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("deep.yaml", "api_key: v\nx: " + "[" * 100_000 + "]" * 100_000),
    ],
)
def test_deep_structured_files(tmp_path: Path, name: str, body: str) -> None:
    (tmp_path / name).write_text(body + "\n")
    findings, doc = check_tree(tmp_path)
    assert [f for f in findings if f[0] != "good.py"] == []
    if name.endswith(".toml"):
        assert "nested too deeply" in _errors(doc)[name]


# --- D3: super-linear placeholder regex; D10: quadratic nested-JSON walk -------------------


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (".env", "OPENAI_API_KEY=your" + "a" * 500),
        ("settings.py", 'OPENAI_API_KEY = "your' + "a" * 500 + '"'),
        ("config.yaml", "openai_api_key: your" + "a" * 500),
        (".env", "OPENAI_API_KEY=your" + "_a" * 5000),
    ],
)
def test_long_placeholder_like_value_is_fast(tmp_path: Path, name: str, line: str) -> None:
    (tmp_path / name).write_text(line + "\n")
    check_tree(tmp_path)


def test_deeply_nested_json_mappings_walk_in_linear_time(tmp_path: Path) -> None:
    n = 270_000  # 1.9 MB, under the default size limit: 62-113 s before the fix
    text = '{"api_key": "v", "a": ' + '{"a": ' * n + "1" + "}" * n + "}"
    (tmp_path / "d.json").write_text(text)
    check_tree(tmp_path)


# --- D4: FIFOs and devices; D11: unreadable directories ------------------------------------


def _subprocess_keylint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keylint", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,  # a FIFO that is opened blocks forever
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_in_a_walked_directory_is_never_opened(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(render_source(KEY_LINE))
    os.mkfifo(tmp_path / "p.env")
    proc = _subprocess_keylint(tmp_path, ".")
    assert proc.returncode == 1, proc.stderr
    assert _json_findings(proc.stdout) == [SIBLING]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_named_fifo_and_device_get_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(render_source(KEY_LINE))
    os.mkfifo(tmp_path / "p.env")
    targets = ["good.py", "p.env"] + (["/dev/zero"] if os.path.exists("/dev/zero") else [])
    proc = _subprocess_keylint(tmp_path, *targets)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert _json_findings(proc.stdout) == [SIBLING]
    errors = _errors(doc)
    assert errors["p.env"] == "not checked: a named pipe (FIFO)"
    if "/dev/zero" in targets:
        assert errors["/dev/zero"] == "not checked: a device"
    assert "Traceback" not in proc.stderr


def test_unreadable_directory_is_reported(tmp_path: Path, monkeypatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.py").write_text(render_source(KEY_LINE))
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # what chmod 000 does for a non-root user
        if Path(os.fsdecode(path)).name == "locked":  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", os.fsdecode(path))  # type: ignore[arg-type]
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    findings, doc = check_tree(tmp_path)
    assert findings == [SIBLING]
    assert _errors(doc)["locked"] == "cannot read directory: Permission denied"


# --- D5: file names that are not UTF-8 -----------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system of bytes")
def test_non_utf8_file_name_in_every_format(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xff.py")
    (tmp_path / name).write_text(render_source(KEY_LINE))
    findings, _ = check_tree(tmp_path)
    assert ("bad\\xff.py", 1, 26, "KL101") in findings
    code, sarif, _, _ = run(tmp_path, "--format", "sarif", ".")
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(sarif)["runs"][0]["results"]
    ]
    assert "bad%FF.py" in uris
    for fmt in ("text", "github"):
        code, out, err, _ = run(tmp_path, "--format", fmt, ".")
        assert code == 1, err
        assert "bad\\xff.py:1:26: KL101" in out
        out.encode("utf-8")


# --- D6: UTF-16 and UTF-32 with a BOM ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "source", "where"),
    [
        (".env", "utf-16-le", "\ufeffOPENAI_API_KEY={key}\r\n", (1, 16)),
        ("a.py", "utf-16-be", '\ufeffclient = OpenAI(api_key="{key}")\n', (1, 26)),
        ("b.py", "utf-32", 'client = OpenAI(api_key="{key}")\n', (1, 26)),
        ("c.py", "utf-16", 'x = 1\nclient = OpenAI(api_key="{key}")\n', (2, 26)),
    ],
)
def test_utf16_and_utf32_files_are_decoded_and_checked(
    tmp_path: Path, name: str, encoding: str, source: str, where: tuple[int, int]
) -> None:
    (tmp_path / name).write_bytes(source.format(key=_key(1)).encode(encoding))
    findings, doc = check_tree(tmp_path)
    assert (name, *where, "KL101") in findings
    assert name not in _errors(doc)


# --- D12: nothing from config or the command line is echoed in full -----------------------


def _no_key_anywhere(cwd: Path, *args: str) -> tuple[int, str]:
    code, out, err, _ = run(cwd, *args)
    _assert_no_key(out, err)
    return code, out + err


def test_config_and_arguments_are_echoed_redacted(tmp_path: Path) -> None:
    key = _key(1)
    (tmp_path / "pyproject.toml").write_text(f'[tool.keylint]\n"{key}" = 1\n')
    code, text = _no_key_anywhere(tmp_path, ".")
    assert code == 2 and "unknown setting `sk-proj-" in text
    (tmp_path / "pyproject.toml").write_text(f'[tool.keylint]\nselect = ["{key}"]\n')
    code, text = _no_key_anywhere(tmp_path, ".")
    assert code == 2 and "unknown rule selector `sk-proj-" in text
    (tmp_path / "pyproject.toml").unlink()
    code, text = _no_key_anywhere(tmp_path, "--select", key, ".")
    assert code == 2 and "unknown rule selector" in text
    code, text = _no_key_anywhere(tmp_path, "--select", f"{key}x,KL101", ".")  # not a format
    assert code == 2 and "unknown rule selector" in text
    code, text = _no_key_anywhere(tmp_path, key)
    assert "no such file or directory" in text
    code, text = _no_key_anywhere(tmp_path, "--format", key, ".")  # click's own message
    assert code == 2 and "is not one of" in text
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    code, text = _no_key_anywhere(tmp_path, "--history", f"{key}..HEAD")
    assert code == 2 and "git:" in text


# --- D13: lines python-dotenv swallows -----------------------------------------------------


def _dotenv(text: str) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
    facts = dotenv_extract(SourceFile.from_text(".env", text), load())
    defined = [f.name for f in facts if isinstance(f, EnvDef)]
    notes = [(f.key, f.notes) for f in facts if isinstance(f, DotenvEntry)]
    return defined, notes


def test_dotenv_c2_quoted_key_across_lines(tmp_path: Path) -> None:
    text = "'OPENAI_API_KEY=abc\nHF_TOKEN=hf_abc\nMODEL='gpt-4o'\nDEBUG=1\n"
    defined, notes = _dotenv(text)
    # python-dotenv 1.2.4 loads {'DEBUG': '1'}: HF_TOKEN and MODEL are not defined
    assert "HF_TOKEN" not in defined and "MODEL" not in defined and "DEBUG" in defined
    assert notes[0][1] == ("key-error", "skips-to-line:3")
    (tmp_path / ".env").write_text(text)
    code, out, _, _ = run(tmp_path, "--format", "json", "--select", "KL706", ".env")
    assert code == 1
    doc = json.loads(out)
    messages = [(f["line"], f["column"], f["message"]) for f in doc["findings"]]
    assert messages[0][:2] == (1, 1)
    assert "closes on line 3" in messages[0][2] and "lines 1–3" in messages[0][2]


def test_dotenv_c3_resynchronises_where_python_dotenv_does() -> None:
    defined, notes = _dotenv('A="x\nB="y\nOPENAI_API_KEY=abc"\n')
    # python-dotenv 1.2.4 loads {'OPENAI_API_KEY': 'abc"'}
    assert "OPENAI_API_KEY" in defined and "B" not in defined
    assert notes[1] == ("B", ("swallowed",))


# --- D3 (data): no regex in rules/ backtracks super-linearly -------------------------------


def test_every_regex_in_rules_is_linear_on_adversarial_inputs() -> None:
    """tests/regex_budget.py in a child process: a pattern that backtracks for hours is
    killed by the timeout and named, instead of hanging the suite."""
    root = Path(__file__).resolve().parent.parent / "rules"
    script = Path(__file__).resolve().parent / "regex_budget.py"
    try:
        proc = subprocess.run(
            [sys.executable, str(script), str(root), "4000"],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        lines = proc.stdout.splitlines()
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        lines = out.splitlines()
        pytest.fail(f"a pattern did not finish: {json.loads(lines[-1]) if lines else '?'}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    done = [json.loads(line) for line in lines if '"done"' in line]
    assert len(done) >= 60  # every pattern was run
    slow = [
        (d["done"], round(d["small"], 4), round(d["large"], 4))
        for d in done
        # 4x the input: linear ~4x the time, quadratic ~16x
        if d["large"] > 0.5 or (d["large"] > 0.05 and d["large"] > 10 * d["small"])
    ]
    assert slow == []


def test_lone_surrogate_escapes_in_python_cost_no_rule(tmp_path: Path) -> None:
    # `"\udc80"` is valid Python (the stdlib's email tests have it) but has no UTF-8 form: the
    # key scanner's automaton encodes text to UTF-8, and once raised in KL211-214.
    source = render_source(
        'BAD = "\\udc80 x"\nOPENAI_API_KEY = " {key:openai-project-key}"\nODD = "\\udc80"\n'
    )
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--isolated", "--format", "json", "--min-confidence", "low", str(tmp_path)]
    )
    doc = json.loads(result.output)
    assert doc["errors"] == []
    assert {(f["rule"], f["line"]) for f in doc["findings"]} >= {("KL101", 2), ("KL211", 2)}
