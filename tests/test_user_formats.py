"""A project's own key formats ([tool.keylint] key-formats): found like bundled ones,
validated like the bundled data, additive."""

from __future__ import annotations

import json
import os
import random
import string
from pathlib import Path

from click.testing import CliRunner

from keylint.cli import cli

CONFIG = """[tool.keylint]
[[tool.keylint.key-formats]]
id = "acme-gateway-token"
label = "ACME gateway token"
prefix = "acmegw_"
charset = "A-Za-z0-9"
length = 32
env = ["ACME_GATEWAY_TOKEN"]
severity = "warning"
"""


def token(n: int = 32) -> str:
    rng = random.Random(f"acme{n}")  # built at run time: no key-shaped literal committed
    return "acmegw_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def run(tmp_path: Path, *args: str):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(
            cli, ["check", "--format", "json", *args, "."], catch_exceptions=False
        )
    finally:
        os.chdir(old)


def findings(tmp_path: Path) -> list[tuple[str, int, int, str, str | None]]:
    result = run(tmp_path)
    assert result.exit_code in (0, 1), result.output
    return [
        (f["rule"], f["line"], f["column"], f["severity"], f.get("provider"))
        for f in json.loads(result.output)["findings"]
    ]


def test_a_project_format_is_found_with_its_severity(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "gateway.py").write_text(f'GATEWAY = "{token()}"\n')
    assert findings(tmp_path) == [("KL101", 1, 12, "warning", "project")]
    # its env name is a key slot: a truncated token there is a malformed key
    (tmp_path / "gateway.py").write_text(f'ACME_GATEWAY_TOKEN = "{token(20)}"\n')
    assert ("KL221", 1, 23) in [(r, line, col) for r, line, col, _, _ in findings(tmp_path)]


def test_without_the_config_nothing_changes(tmp_path: Path) -> None:
    (tmp_path / "gateway.py").write_text(f'GATEWAY = "{token()}"\n')
    assert [f for f in findings(tmp_path) if f[0] == "KL101"] == []


def test_bad_formats_are_config_errors(tmp_path: Path) -> None:
    cases = {
        'prefix = "ab"': "prefix",
        'regex = "zz[a-z]+"': "must start with the prefix",
        'regex = "acmegw_(["': "bad regex",
        'severity = "fatal"': "severity",
        'id = "openai-project-key"': "already taken",
        'colour = "red"': "unknown field",
    }
    for line, message in cases.items():
        key = line.split(" = ")[0]
        lines = [x for x in CONFIG.splitlines() if not x.startswith(f"{key} =")]
        (tmp_path / "pyproject.toml").write_text("\n".join([*lines, line]) + "\n")
        result = run(tmp_path)
        assert result.exit_code == 2, line
        assert message in result.output and "Traceback" not in result.output, result.output
