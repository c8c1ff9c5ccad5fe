"""The README's CI and pre-commit snippets (tests/data/readme-snippets.md), run as written.

The pre-commit snippet is installed by the real pre-commit in tests/test_precommit.py, and the
install snippet is pip-installed there too (both need PyPI); this module checks the rest
without the network: the workflow's keylint command, run exactly as the workflow runs it,
writes SARIF that validates against the 2.1.0 schema, and the snippets hold no placeholder
but the repository URL and the commit.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner
from snippets import filled, snippet

from conftest import render_source
from keylint.cli import cli

DATA = Path(__file__).resolve().parent / "data"


def workflow_steps() -> list[dict[str, object]]:
    workflow = yaml.safe_load(filled("ci", "https://example.org/keylint.git", "0" * 40))
    (job,) = workflow["jobs"].values()
    return list(job["steps"])


def test_ci_snippet_is_a_workflow_that_uploads_keylints_sarif() -> None:
    steps = workflow_steps()
    runs = [str(s["run"]) for s in steps if "run" in s]
    assert runs[0] == 'pip install "keylint @ git+https://example.org/keylint.git@' + "0" * 40 + '"'
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/")]
    (step,) = upload
    assert step["uses"] == "github/codeql-action/upload-sarif@v3"
    command = shlex.split(runs[1])
    assert command[0] == "keylint"
    assert step["with"]["sarif_file"] == command[command.index("-o") + 1]  # type: ignore[index]


def test_ci_snippets_keylint_command_writes_valid_sarif(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "app.py").write_text(
        render_source('client = OpenAI(api_key="{key:openai-project-key}")\n'), encoding="utf-8"
    )
    (command,) = [
        str(s["run"]) for s in workflow_steps() if str(s.get("run", "")).startswith("keylint")
    ]
    args = shlex.split(command)[1:]
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        # GITHUB_ACTIONS as on the runner: the snippet's --format must win over annotations
        result = CliRunner().invoke(cli, args, env={"GITHUB_ACTIONS": "true"})
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output  # --exit-zero: the upload step must run
    doc = json.loads((tmp_path / "keylint.sarif").read_text(encoding="utf-8"))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(doc)) == []
    (run,) = doc["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["KL101"]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 1 and location["region"]["startColumn"] == 26


def test_snippets_have_no_other_placeholders() -> None:
    for name in ("install", "install-clone", "pre-commit", "ci"):
        text = filled(name, "https://example.org/keylint.git", "0" * 40)
        assert "<" not in text and "example.org" in text, name
    pre_commit = yaml.safe_load(snippet("pre-commit"))
    (repo,) = pre_commit["repos"]
    assert repo["rev"] == "<commit-sha>" and repo["hooks"] == [{"id": "keylint"}]
