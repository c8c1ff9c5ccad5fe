"""`keylint doctor --verify`: the key the app uses and the ones it shadows, asked about through
keylint.verify against a local server that answers like OpenAI (KEYLINT_VERIFY_ENDPOINT_OPENAI
on 127.0.0.1). No key is ever printed in full: every run checks its output."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from no_network import run_without_sockets
from verify_server import Answer, ProviderServer

from conftest import fake_key
from keylint.cli import cli
from keylint.findings import fingerprint, redact

pytest.importorskip("httpx")

KEY_A = fake_key("openai-project-key", 1)
KEY_B = fake_key("openai-project-key", 2)
PREFIX = "sk-proj-"
A, B = redact(KEY_A, PREFIX), redact(KEY_B, PREFIX)
APP = (
    "from dotenv import load_dotenv\nfrom openai import OpenAI\n\nload_dotenv()\n"
    "client = OpenAI()\n"
)
REVOKED = Answer(
    401, {"error": {"code": "invalid_api_key", "message": "Incorrect API key provided: sk-…"}}
)
# Variables of the machine running the tests that would change the diagnosis or the requests.
_CLEAR = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "VIRTUAL_ENV",
    "PYTHON_DOTENV_DISABLED",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "GITHUB_ACTIONS",
)


def project(tmp_path: Path, dotenv_key: str = KEY_B) -> Path:
    """The app in tmp_path/app; tmp_path/cache is its verify cache (one per test)."""
    root = tmp_path / "app"
    root.mkdir(exist_ok=True)
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / ".env").write_text(f"OPENAI_API_KEY={dotenv_key}\n", encoding="utf-8")
    return root


def run(root: Path, endpoint: str, env: Mapping[str, str], *args: str) -> Result:
    full: dict[str, str | None] = dict.fromkeys(_CLEAR)
    full.update(
        KEYLINT_VERIFY_ENDPOINT_OPENAI=endpoint,
        KEYLINT_VERIFY_BACKOFF="0.01",
        XDG_CACHE_HOME=str(root.parent / "cache"),
    )
    full.update(env)
    result = CliRunner().invoke(cli, ["doctor", str(root), *args], env=full)
    for raw in (KEY_A, KEY_B):
        assert raw not in result.output, "a key was printed in full"
        assert raw not in result.stderr, "a key was printed in full"
    return result


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_shell_key_revoked_and_dotenv_key_live(tmp_path: Path, server: ProviderServer) -> None:
    server.script(KEY_A, REVOKED)
    result = run(project(tmp_path), server.url, {"OPENAI_API_KEY": KEY_A}, "--verify")
    assert result.exit_code == 1, result.output
    assert (
        f" 1. error   OPENAI_API_KEY: the key your app uses ({A}, your shell) is invalid "
        f"(HTTP 401); the one in .env ({B}) is live\n"
        "            fix: unset OPENAI_API_KEY in your shell, or call load_dotenv(override=True)\n"
    ) in result.output
    # The shadowing warning stays: it is the cause.
    assert f" 2. warning OPENAI_API_KEY: your shell exports {A}, .env holds {B}" in result.output
    assert (
        "Verification:\n"
        f"  OPENAI_API_KEY from your shell {A} (used): invalid (HTTP 401)\n"
        f"  OPENAI_API_KEY from .env {B}: live\n"
    ) in result.output
    # One request per distinct key, to the data's path, with the key in the data's header.
    assert sorted(r.key_fingerprint or "" for r in server.requests) == sorted(
        [fingerprint(KEY_A), fingerprint(KEY_B)]
    )
    assert {(r.method, r.path) for r in server.requests} == {("GET", "/v1/models")}


def test_both_keys_live_is_no_problem(tmp_path: Path, server: ProviderServer) -> None:
    result = run(
        project(tmp_path), server.url, {"OPENAI_API_KEY": KEY_A}, "--verify", "--no-verify-cache"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("keylint doctor: no problem found")
    # Which key is used is still said, as a note.
    assert (
        f"note    OPENAI_API_KEY: your shell exports {A}, .env holds {B}; the app uses your "
        "shell's, because load_dotenv() at app.py:4 does not override a variable that is "
        "already set; the provider accepts each of these keys (--verify)"
    ) in result.output
    assert len(server.requests) == 2


def test_the_dotenv_key_revoked_when_it_is_the_one_used(
    tmp_path: Path, server: ProviderServer
) -> None:
    server.script(KEY_B, REVOKED)
    result = run(project(tmp_path), server.url, {}, "--verify", "--no-verify-cache")
    assert result.exit_code == 1
    assert (
        f"error   OPENAI_API_KEY: the key your app uses ({B}, .env) is invalid (HTTP 401)\n"
        "            fix: OpenAI rejected this key (401): it is revoked, deleted or mistyped."
    ) in result.output


def test_unreachable_names_the_hop_and_never_says_invalid(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{_closed_port()}"
    result = run(
        project(tmp_path), closed, {"OPENAI_API_KEY": KEY_A}, "--verify", "--no-verify-cache"
    )
    assert result.exit_code == 1
    assert (
        f"warning OPENAI_API_KEY: the key your app uses ({A}, your shell) could not be "
        "verified: unreachable (connect): could not reach 127.0.0.1: the connection failed; "
        "nothing is known about the key"
    ) in result.output
    assert f"  OPENAI_API_KEY from .env {B}: unreachable (connect)\n" in result.output
    assert "invalid" not in result.output
    data = json.loads(
        run(
            project(tmp_path),
            closed,
            {"OPENAI_API_KEY": KEY_A},
            "--verify",
            "--no-verify-cache",
            "--format",
            "json",
        ).output
    )
    assert {(v["result"], v["reason"]) for v in data["verifications"]} == {
        ("unreachable", "connect")
    }
    assert [p["code"] for p in data["problems"] if p["level"] != "note"] == [
        "shadowed",
        "verify-unknown",
    ]


def test_json_verifications(tmp_path: Path, server: ProviderServer) -> None:
    server.script(KEY_A, REVOKED)
    result = run(
        project(tmp_path),
        server.url,
        {"OPENAI_API_KEY": KEY_A},
        "--verify",
        "--no-verify-cache",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False
    assert set(data["verifications"][0]) == {
        "variable",
        "source",
        "redacted",
        "fingerprint",
        "effective",
        "result",
        "reason",
        "status",
        "detail",
        "cached",
    }
    shown = [
        {k: v[k] for k in ("variable", "source", "redacted", "fingerprint", "effective")}
        | {"result": v["result"], "reason": v["reason"], "status": v["status"]}
        for v in data["verifications"]
    ]
    assert shown == [
        {
            "variable": "OPENAI_API_KEY",
            "source": "your shell",
            "redacted": A,
            "fingerprint": fingerprint(KEY_A),
            "effective": True,
            "result": "invalid",
            "reason": None,
            "status": 401,
        },
        {
            "variable": "OPENAI_API_KEY",
            "source": ".env",
            "redacted": B,
            "fingerprint": fingerprint(KEY_B),
            "effective": False,
            "result": "live",
            "reason": None,
            "status": 200,
        },
    ]
    verify = next(p for p in data["problems"] if p["code"] == "verify")
    assert verify["level"] == "error"
    assert verify["variable"] == "OPENAI_API_KEY"
    assert verify["hint"] == (
        "unset OPENAI_API_KEY in your shell, or call load_dotenv(override=True)"
    )


def test_the_same_key_in_two_places_is_asked_once(tmp_path: Path, server: ProviderServer) -> None:
    result = run(
        project(tmp_path, KEY_A),
        server.url,
        {"OPENAI_API_KEY": KEY_A},
        "--verify",
        "--no-verify-cache",
    )
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 1
    assert f"  OPENAI_API_KEY from your shell {A} (used): live\n" in result.output


def test_answers_are_cached(tmp_path: Path, server: ProviderServer) -> None:
    root = project(tmp_path)
    first = run(root, server.url, {"OPENAI_API_KEY": KEY_A}, "--verify")
    assert first.exit_code == 0
    assert len(server.requests) == 2
    again = run(root, server.url, {"OPENAI_API_KEY": KEY_A}, "--verify")
    assert len(server.requests) == 2  # nothing sent the second time
    assert f"  OPENAI_API_KEY from your shell {A} (used): live (from the cache)\n" in again.output
    cache = (tmp_path / "cache" / "keylint" / "verify-cache.json").read_text()
    assert KEY_A not in cache and KEY_B not in cache


def test_dry_run_sends_nothing_and_says_what_would_be_sent(
    tmp_path: Path, server: ProviderServer
) -> None:
    result = run(project(tmp_path), server.url, {"OPENAI_API_KEY": KEY_A}, "--verify-dry-run")
    assert server.requests == []
    assert result.exit_code == 1  # the shadowing warning, as without --verify
    assert (
        f"  OPENAI_API_KEY from your shell {A} (used): not sent (dry run): "
        f"GET {server.url}/v1/models  [Authorization: Bearer {A}; User-Agent: keylint/"
    ) in result.output
    assert f"  OPENAI_API_KEY from .env {B}: not sent (dry run): GET " in result.output


def test_a_value_that_is_not_a_key_is_not_sent(tmp_path: Path, server: ProviderServer) -> None:
    result = run(
        project(tmp_path),
        server.url,
        {"OPENAI_API_KEY": "changeme-please"},
        "--verify",
        "--no-verify-cache",
    )
    assert [r.key_fingerprint for r in server.requests] == [fingerprint(KEY_B)]
    assert result.exit_code == 1
    assert (
        f"note    OPENAI_API_KEY: the key your app uses ({redact('changeme-please')}, your "
        "shell) could not be verified: "
        "unsupported (not-a-key): not sent: the value matches none of OpenAI's key formats"
    ) in result.output


def test_bad_endpoint_override_is_a_usage_error(tmp_path: Path) -> None:
    result = run(project(tmp_path), "ftp://example.com", {}, "--verify")
    assert result.exit_code == 2
    assert "KEYLINT_VERIFY_ENDPOINT_OPENAI must be https://host[:port]" in result.output


@pytest.mark.parametrize("extra", [[], ["--format", "json"], ["--verify-dry-run"]])
def test_doctor_opens_no_socket_without_verify(tmp_path: Path, extra: list[str]) -> None:
    root = project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in _CLEAR}
    env.update(OPENAI_API_KEY=KEY_A, XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = run_without_sockets(
        ["doctor", str(root), *extra],
        env=env,
    )
    assert done.returncode == 1, done.stderr[-500:]
    assert "a socket was opened" not in done.stderr
    assert "internal error" not in done.stderr
    assert done.stderr.rstrip().endswith("no httpx")
    assert KEY_A not in done.stdout + done.stderr
    assert KEY_B not in done.stdout + done.stderr
    if extra == ["--verify-dry-run"]:
        assert "not sent (dry run): GET https://api.openai.com/v1/models" in done.stdout
