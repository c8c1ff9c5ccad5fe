"""Keyed fingerprints: with a key, JSON/SARIF fingerprints and the baseline are HMAC-SHA-256,
so a shared report cannot be brute-forced back to the secret; without one, plain SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

from click.testing import CliRunner

from conftest import fake_key
from keylint.cli import cli

PW = "Rq7" + "vK2mXw9Tz4"  # built at run time


def run(args: list[str], cwd: Path, env: dict[str, str | None] | None = None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        # KEYLINT_HMAC_KEY in env: click restores it afterwards, whatever the CLI set
        full_env = {"KEYLINT_HMAC_KEY": None, "CORP_FP_KEY": None, **(env or {})}
        return CliRunner().invoke(cli, args, env=full_env, catch_exceptions=False)
    finally:
        os.chdir(old)


def fingerprints(tmp_path: Path, *args: str, env: dict[str, str | None] | None = None) -> list[str]:
    result = run(
        ["check", "--isolated", "--format", "json", "--exit-zero", *args, "."], tmp_path, env
    )
    assert result.exit_code == 0, result.output
    return [
        f["secret"]["fingerprint"] for f in json.loads(result.output)["findings"] if f.get("secret")
    ]


def test_plain_and_keyed_fingerprints(tmp_path: Path) -> None:
    key = fake_key("groq-api-key")
    (tmp_path / "app.py").write_text(f'client = Groq(api_key="{key}")\n')
    plain = fingerprints(tmp_path)
    assert plain == ["sha256:" + hashlib.sha256(key.encode()).hexdigest()]
    keyed = fingerprints(tmp_path, "--hmac-key", "team-secret")
    expected = hmac.new(b"team-secret", key.encode(), hashlib.sha256).hexdigest()
    assert keyed == ["hmac-sha256:" + expected]
    assert fingerprints(tmp_path, env={"KEYLINT_HMAC_KEY": "team-secret"}) == keyed
    assert fingerprints(tmp_path, "--hmac-key", "other") != keyed
    assert os.environ.get("KEYLINT_HMAC_KEY") is None  # nothing leaks out of a run


def test_config_names_the_variable_holding_the_key(tmp_path: Path) -> None:
    key = fake_key("groq-api-key")
    (tmp_path / "app.py").write_text(f'client = Groq(api_key="{key}")\n')
    (tmp_path / "pyproject.toml").write_text('[tool.keylint]\nhmac-key-env = "CORP_FP_KEY"\n')
    args = ["check", "--format", "json", "--exit-zero", "."]
    result = run(args, tmp_path, {"CORP_FP_KEY": "team-secret"})
    (finding,) = json.loads(result.output)["findings"]
    assert finding["secret"]["fingerprint"].startswith("hmac-sha256:")
    missing = run(args, tmp_path)
    assert missing.exit_code == 2
    assert "CORP_FP_KEY" in missing.output and "Traceback" not in missing.output


def test_keyed_baseline_round_trip(tmp_path: Path) -> None:
    (tmp_path / ".netrc").write_text(f"machine a.corp.io login u password {PW}\n")
    base = ["check", "--isolated", "--baseline", "keylint-baseline.json"]
    env = {"KEYLINT_HMAC_KEY": "team-secret"}
    assert run([*base, "--update-baseline", "."], tmp_path, env).exit_code == 0
    stored = (tmp_path / "keylint-baseline.json").read_text()
    assert (
        "hmac-sha256:" in stored
        and "sha256:" + hashlib.sha256(PW.encode()).hexdigest() not in stored
    )
    assert run([*base, "."], tmp_path, env).exit_code == 0  # known: nothing new
    assert run([*base, "."], tmp_path).exit_code == 1  # without the key it matches nothing
