"""The text formats as ruff has them: `text` (source line, caret, severity) and `concise`;
secrets redacted in the shown line; notebooks by cell."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from conftest import fake_key, render_source
from keylint.cli import cli


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, ["--isolated", *args], env={}, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def write(root: Path, rel: str, source: str) -> None:
    (root / rel).write_text(render_source(source), encoding="utf-8")


def test_text_shows_the_line_with_a_caret_under_the_span_and_the_severity(
    tmp_path: Path,
) -> None:
    write(tmp_path, "app.py", 'import openai\nr = openai.Completion.create(engine="davinci")\n')
    code, out, _ = run(["--select", "KL451", "app.py"], tmp_path)
    assert code == 1
    assert out.splitlines()[1:5] == [
        "  |",
        '2 | r = openai.Completion.create(engine="davinci")',
        "  | " + " " * 37 + "^^^^^^^ error",
        "  |",
    ]
    assert out.splitlines()[0].startswith("app.py:2:38: KL451 `davinci` was shut down")
    assert out.splitlines()[-1] == "Found 1 problem (1 error) in 1 file."


def test_concise_is_one_line_per_finding_and_output_format_is_an_alias(tmp_path: Path) -> None:
    write(tmp_path, "app.py", 'import openai\nr = openai.Completion.create(engine="davinci")\n')
    _, concise, _ = run(["--select", "KL451", "--output-format", "concise", "app.py"], tmp_path)
    _, same, _ = run(["--select", "KL451", "--format", "concise", "app.py"], tmp_path)
    assert concise == same
    lines = concise.splitlines()
    assert len(lines) == 3 and lines[1] == ""
    assert lines[0].startswith("app.py:2:38: KL451 ")


def test_the_shown_line_never_holds_a_secret(tmp_path: Path) -> None:
    # KL101 is not selected: the key on the model's line is reported by nothing, and is
    # still redacted; so is a random token no provider format claims.
    token = "Q7vX2mL9pR4tK8wZ3nB6yH1cF5jD0sGa"
    write(
        tmp_path,
        "app.py",
        "import openai\n"
        f'c = openai.OpenAI(api_key="{{key:openai-project-key}}"); s = "{token}"; '
        'm = "gpt-4-32k"\n',
    )
    key = fake_key("openai-project-key")
    code, out, _ = run(["--select", "KL451", "app.py"], tmp_path)
    assert code == 1
    assert key not in out and token not in out
    assert key[12:40] not in out and token[8:24] not in out
    shown = out.splitlines()[2]
    assert shown.startswith('2 | c = openai.OpenAI(api_key="sk-proj-') and "…" in shown
    # the caret follows the redacted text: it sits under "gpt-4-32k"
    caret = out.splitlines()[3]
    assert shown[caret.index("^") : caret.index("^") + 9] == "gpt-4-32k"
    assert caret.rstrip().endswith("^^^^^^^^^ error")


def test_a_reported_key_is_shown_redacted_under_its_caret(tmp_path: Path) -> None:
    write(tmp_path, ".env", "OPENAI_API_KEY={key:openai-project-key}\n")
    _, out, _ = run(["--select", "KL101", ".env"], tmp_path)
    key = fake_key("openai-project-key")
    lines = out.splitlines()
    assert key not in out
    assert lines[2] == f"1 | OPENAI_API_KEY={key[:12]}…{key[-4:]}"
    assert lines[3] == "  |                " + "^" * 17 + " error"


def test_tabs_keep_the_caret_aligned(tmp_path: Path) -> None:
    write(
        tmp_path, "app.py", 'import openai\nif x:\n\tr = openai.Completion.create(engine="ada")\n'
    )
    _, out, _ = run(["--select", "KL451", "app.py"], tmp_path)
    lines = out.splitlines()
    assert lines[2] == '3 | \tr = openai.Completion.create(engine="ada")'
    assert lines[3] == "  | \t" + " " * 37 + "^^^ error"


def notebook(cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "execution_count": 1,
                    "outputs": [],
                    "source": source.splitlines(keepends=True),
                }
                for source in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_notebook_findings_name_the_cell_in_text_and_the_physical_line_elsewhere(
    tmp_path: Path,
) -> None:
    (tmp_path / "nb.ipynb").write_text(
        notebook(["import openai\n", "x = 1\nr = openai.Completion.create(engine='davinci')\n"]),
        encoding="utf-8",
    )
    _, out, _ = run(["--select", "KL451", "--output-format", "concise", "nb.ipynb"], tmp_path)
    assert out.startswith("nb.ipynb:cell 2, line 2:43: KL451 `davinci` was shut down")
    _, full, _ = run(["--select", "KL451", "nb.ipynb"], tmp_path)
    assert full.startswith("nb.ipynb:cell 2, line 2:43: KL451 ")
    _, data, _ = run(["--select", "KL451", "--format", "json", "nb.ipynb"], tmp_path)
    (finding,) = json.loads(data)["findings"]
    assert (finding["line"], finding["column"]) == (19, 43)  # the .ipynb file's own line
