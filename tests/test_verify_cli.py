"""`keylint check --verify` and `keylint keys` through the command line, against a local
server that answers like the providers (KEYLINT_VERIFY_ENDPOINT_<ID>)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from no_network import run_without_sockets
from verify_server import Answer, ProviderServer

from conftest import fake_key, git, render_source
from keylint.cli import cli
from keylint.verify.spec import load_checks

KEY_LINE = 'client = OpenAI(api_key="{key:openai-project-key}")\n'
DATE_1 = "2024-01-02T03:04:05+00:00"


def env_for(server: ProviderServer | None, cache: Path, **extra: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "XDG_CACHE_HOME": str(cache),
        "KEYLINT_VERIFY_BACKOFF": "0.01",
        "HTTPS_PROXY": None,
        "HTTP_PROXY": None,
        "ALL_PROXY": None,
        "GITHUB_ACTIONS": None,
    }
    for provider in load_checks():
        name = "KEYLINT_VERIFY_ENDPOINT_" + provider.upper().replace("-", "_")
        env[name] = server.url if server else None
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, env: dict[str, Any]) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root, ".gitignore", ".env\n")
    return root


def assert_no_raw_keys(text: str, *format_ids: str) -> None:
    for fmt in format_ids:
        for n in range(3):
            assert fake_key(fmt, n) not in text, f"a raw {fmt} key was printed"


# --- no network without --verify ----------------------------------------------------------


@pytest.mark.parametrize("extra", [[], ["--format", "json"], ["--verify-dry-run"]])
def test_no_socket_and_no_httpx_without_verify(repo: Path, extra: list[str]) -> None:
    write(repo, "app.py", KEY_LINE)
    write(repo, ".env", "GROQ_API_KEY={key:groq-api-key}\n")
    done = run_without_sockets(
        ["check", ".", *extra],
        cwd=repo,
        env={**os.environ, "XDG_CACHE_HOME": str(repo.parent / "cache")},
    )
    assert done.returncode == 1, done.stderr[-500:]
    assert "a socket was opened" not in done.stderr
    assert "internal error" not in done.stderr
    assert done.stderr.rstrip().endswith("no httpx")
    if extra == ["--verify-dry-run"]:
        assert "dry run, not sent): GET https://api.openai.com/v1/models" in done.stderr
        assert "GET https://api.groq.com/openai/v1/models" in done.stderr
        assert_no_raw_keys(done.stdout + done.stderr, "openai-project-key", "groq-api-key")


def test_keys_without_verify_opens_no_socket(repo: Path) -> None:
    write(repo, "app.py", KEY_LINE)
    done = run_without_sockets(
        ["keys", "."],
        cwd=repo,
        env={**os.environ, "XDG_CACHE_HOME": str(repo.parent / "cache")},
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stderr.rstrip().endswith("no httpx")


# --- check --verify --------------------------------------------------------------------


def test_live_key_in_committed_code_is_an_error_everywhere(
    repo: Path, server: ProviderServer
) -> None:
    write(repo, "app.py", "import os\n" + KEY_LINE)
    server.script(fake_key("openai-project-key"), Answer(200, {"data": []}))
    env = env_for(server, repo.parent / "cache")
    result = run(["--verify", "--format", "json"], repo, env)
    assert result.exit_code == 1
    (f,) = json.loads(result.stdout)["findings"]
    assert (f["path"], f["line"], f["column"], f["rule"]) == ("app.py", 2, 26, "KL101")
    assert f["severity"] == "error"
    assert f["verification"] == {
        "result": "live",
        "provider": "openai",
        "status": 200,
        "detail": f["verification"]["detail"],
        "cached": False,
    }
    assert f["message"].startswith("LIVE: OpenAI project API key")
    assert "Revoke it at https://platform.openai.com/api-keys" in f["message"]
    assert "keylint: verified 1 key(s): 1 live" in result.stderr
    assert_no_raw_keys(result.stdout + result.stderr, "openai-project-key")

    text = run(["--verify", "--no-verify-cache"], repo, env)
    assert "[verified: live]" in text.stdout
    assert text.stdout.splitlines()[0].startswith("app.py:2:26: KL101 LIVE: OpenAI")
    sarif = json.loads(run(["--verify", "--format", "sarif"], repo, env).stdout)
    props = sarif["runs"][0]["results"][0]["properties"]
    assert props["verification"]["result"] == "live"
    schema = json.loads(
        (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(sarif)
    assert_no_raw_keys(text.stdout + json.dumps(sarif), "openai-project-key")


def test_invalid_key_in_ignored_dotenv_says_what_to_do(repo: Path, server: ProviderServer) -> None:
    write(repo, ".env", "OPENAI_API_KEY={key:openai-project-key}\n")
    server.script(
        fake_key("openai-project-key"),
        Answer(401, {"error": {"code": "invalid_api_key", "type": "invalid_request_error"}}),
    )
    result = run(["--verify", "--format", "json"], repo, env_for(server, repo.parent / "cache"))
    assert result.exit_code == 0  # a key in an ignored .env is not a finding
    doc = json.loads(result.stdout)
    assert doc["findings"] == []
    (row,) = doc["verification"]["git_ignored"]
    assert (row["path"], row["line"], row["column"]) == (".env", 1, 16)
    assert row["verification"]["result"] == "invalid"
    assert doc["verification"]["by_result"] == {"invalid": 1}
    note = next(line for line in result.stderr.splitlines() if ".env:1:16" in line)
    assert "OpenAI rejected this key (401): it is revoked, deleted or mistyped" in note
    assert "Create a new key at https://platform.openai.com/api-keys" in note
    assert_no_raw_keys(result.stdout + result.stderr, "openai-project-key")


def test_mismatched_organization_is_reported_as_such(repo: Path, server: ProviderServer) -> None:
    write(repo, "settings.py", KEY_LINE + 'OPENAI_ORG_ID = "org-Wrong1"\n')
    server.script(
        fake_key("openai-project-key"),
        Answer(401, {"error": {"code": "mismatched_organization", "message": "…"}}),
    )
    result = run(["--verify", "--format", "json"], repo, env_for(server, repo.parent / "cache"))
    (f,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "KL101"]
    assert f["verification"]["result"] == "restricted"
    assert f["verification"]["reason"] == "mismatched-organization"
    assert "OPENAI_ORG_ID names an organization it does not belong to" in f["message"]
    assert server.requests[0].headers["openai-organization"] == "org-Wrong1"


def test_each_key_is_sent_once(repo: Path, server: ProviderServer) -> None:
    for name in ("a.py", "b.py", "c/d.py"):
        write(repo, name, KEY_LINE)
    write(repo, ".env", "OPENAI_API_KEY={key:openai-project-key}\n")
    write(repo, "e.py", 'k = "{key:groq-api-key}"\n')
    result = run(["--verify", "--format", "json"], repo, env_for(server, repo.parent / "cache"))
    findings = json.loads(result.stdout)["findings"]
    assert len([f for f in findings if f.get("verification")]) == 4
    assert len(server.requests) == 2
    assert {r.key_fingerprint for r in server.requests} == {
        f["secret"]["fingerprint"] for f in findings
    }


def test_no_request_to_a_host_named_in_the_scanned_files(
    repo: Path, server: ProviderServer
) -> None:
    other = ProviderServer()
    try:
        write(
            repo,
            "app.py",
            f'OPENAI_BASE_URL = "{other.url}/v1"\n'
            f'client = OpenAI(base_url="{other.url}", api_key="{{key:openai-project-key}}")\n',
        )
        write(repo, ".env", f"OPENAI_BASE_URL={other.url}\nAZURE_OPENAI_ENDPOINT={other.url}\n")
        write(repo, "pyproject.toml", f'[tool.keylint]\nverify-endpoint = "{other.url}"\n')
        result = run(["--verify", "--isolated"], repo, env_for(server, repo.parent / "cache"))
        assert "[verified: live]" in result.stdout
        assert len(server.requests) == 1
        assert other.requests == []
    finally:
        other.close()


def test_verify_only_filters_findings(repo: Path, server: ProviderServer) -> None:
    write(repo, "a.py", KEY_LINE)
    write(repo, "b.py", 'k = "{key:groq-api-key}"\n')
    server.script(fake_key("groq-api-key"), Answer(401, {}))
    env = env_for(server, repo.parent / "cache")
    result = run(["--verify-only", "invalid", "--format", "json"], repo, env)
    rules = [
        (f["path"], f["verification"]["result"]) for f in json.loads(result.stdout)["findings"]
    ]
    assert rules == [("b.py", "invalid")]
    result = run(["--verify-only", "live,invalid", "--format", "json"], repo, env)
    assert len(json.loads(result.stdout)["findings"]) == 2
    bad = run(["--verify-only", "dead"], repo, env)
    assert bad.exit_code == 2
    assert "unknown result 'dead'" in bad.stderr


def test_dry_run_sends_nothing(repo: Path, server: ProviderServer) -> None:
    write(repo, "a.py", KEY_LINE + 'OPENAI_ORG_ID = "org-Abc"\n')
    result = run(["--verify-dry-run"], repo, env_for(server, repo.parent / "cache"))
    assert server.requests == []
    line = next(x for x in result.stderr.splitlines() if "dry run" in x)
    assert f"GET {server.url}/v1/models" in line
    assert "Authorization: Bearer sk-proj-" in line
    assert "OpenAI-Organization: org-Abc" in line
    assert_no_raw_keys(result.stdout + result.stderr, "openai-project-key")
    assert "[verified" not in result.stdout


def test_bad_endpoint_override_is_a_usage_error(repo: Path) -> None:
    write(repo, "a.py", KEY_LINE)
    env = env_for(None, repo.parent / "cache", KEYLINT_VERIFY_ENDPOINT_OPENAI="http://example.com")
    result = run(["--verify"], repo, env)
    assert result.exit_code == 2
    assert "plain http is accepted only for a loopback host" in result.stderr


# --- the cache --------------------------------------------------------------------------


def test_cache_reuses_answers_and_never_holds_the_key(repo: Path, server: ProviderServer) -> None:
    write(repo, "a.py", KEY_LINE)
    write(repo, "b.py", 'k = "{key:groq-api-key}"\n')
    server.script(fake_key("groq-api-key"), Answer(429, {}))  # not cached: says nothing
    cache = repo.parent / "cache"
    env = env_for(server, cache)
    run(["--verify"], repo, env)
    assert len(server.requests) == 2 + 3  # groq: first try and 3 retries
    path = cache / "keylint" / "verify-cache.json"
    data = path.read_text(encoding="utf-8")
    assert_no_raw_keys(data, "openai-project-key", "groq-api-key")
    assert "sk-proj-" not in data and "gsk_" not in data  # not even the redacted form
    entries = json.loads(data)["entries"]
    assert [e["result"] for e in entries.values()] == ["live"]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    server.reset()
    server.script(fake_key("groq-api-key"), Answer(429, {}))
    second = run(["--verify", "--format", "json"], repo, env)
    assert [r.path for r in server.requests] == ["/openai/v1/models"] * 4  # groq only
    live = next(f for f in json.loads(second.stdout)["findings"] if f["path"] == "a.py")
    assert live["verification"]["cached"] is True
    assert "1 from the cache" in second.stderr

    server.reset()
    server.script(fake_key("groq-api-key"), Answer(401, {}))
    run(["--verify", "--no-verify-cache"], repo, env)
    assert {r.path for r in server.requests} == {"/v1/models", "/openai/v1/models"}
    server.reset()
    run(["--verify", "--verify-cache-ttl", "0"], repo, env)
    assert "/v1/models" in {r.path for r in server.requests}


# --- keylint keys --------------------------------------------------------------------------


def test_keys_lists_each_key_once_with_every_place(repo: Path, server: ProviderServer) -> None:
    write(repo, "src/app.py", "import os\n" + KEY_LINE)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first", date=DATE_1)
    write(
        repo, ".env", "OPENAI_API_KEY={key:openai-project-key}\nGROQ_API_KEY={key:groq-api-key}\n"
    )
    env = env_for(server, repo.parent / "cache")
    result = run(["keys", "--format", "json", "--history"], repo, env)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    openai, groq = doc["keys"]
    assert openai["provider"] == "openai"
    assert openai["secret"]["redacted"].startswith("sk-proj-")
    assert openai["places"] == [
        {"path": ".env", "line": 1, "column": 16, "git_ignored": True},
        {"path": "src/app.py", "line": 2, "column": 26, "git_ignored": False},
    ]
    first = openai["first_added"]
    assert first["date"] == DATE_1
    assert (first["path"], first["line"], first["in_head"]) == ("src/app.py", 2, True)
    assert first["age_days"] > 300
    assert groq["places"] == [{"path": ".env", "line": 2, "column": 14, "git_ignored": True}]
    assert "first_added" not in groq
    assert server.requests == []
    assert_no_raw_keys(result.stdout + result.stderr, "openai-project-key", "groq-api-key")

    text = run(["keys", "--history"], repo, env).stdout
    lines = text.splitlines()
    assert lines[0].startswith("openai  sk-proj-")
    assert lines[1] == "    .env:1:16  (git-ignored)"
    assert lines[2] == "    src/app.py:2:26"
    assert lines[3].startswith("    first committed in ")
    assert "(2024-01-02, src/app.py:2)" in lines[3]
    assert lines[3].endswith("still in HEAD: rotate it")
    assert lines[-1] == "2 distinct keys"
    assert_no_raw_keys(text, "openai-project-key", "groq-api-key")


def test_keys_history_only_key_and_verify(repo: Path, server: ProviderServer) -> None:
    write(repo, "old.py", 'k = "{key:groq-api-key}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "leak", date=DATE_1)
    (repo / "old.py").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "remove")
    server.script(fake_key("groq-api-key"), Answer(200, {"data": []}))
    env = env_for(server, repo.parent / "cache")
    result = run(["keys", "--history", "--verify", "--format", "json"], repo, env)
    (row,) = json.loads(result.stdout)["keys"]
    assert row["places"] == []
    assert row["first_added"]["in_head"] is False
    assert row["verification"]["result"] == "live"
    assert len(server.requests) == 1
    assert "keylint: verified 1 key(s): 1 live" in result.stderr
    text = run(["keys", "--history", "--verify"], repo, env).stdout
    assert "gone from HEAD, still in the history: rotate it" in text
    assert "verified: live — Groq accepted this key just now" in text
    assert_no_raw_keys(result.stdout + text, "groq-api-key")


def test_check_history_verify_reads_the_key_from_its_commit(
    repo: Path, server: ProviderServer
) -> None:
    write(repo, "old.py", 'k = "{key:groq-api-key}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "leak")
    (repo / "old.py").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "remove")
    server.script(fake_key("groq-api-key"), Answer(401, {}))
    result = run(
        ["--history", "--verify", "--format", "json"], repo, env_for(server, repo.parent / "c")
    )
    (f,) = json.loads(result.stdout)["findings"]
    assert f["verification"]["result"] == "invalid"
    assert len(server.requests) == 1


def test_working_key_in_ignored_dotenv_is_said_to_work(repo: Path, server: ProviderServer) -> None:
    write(repo, ".env", "GROQ_API_KEY={key:groq-api-key}\n")
    result = run(["--verify"], repo, env_for(server, repo.parent / "cache"))
    assert result.exit_code == 0
    note = next(line for line in result.stderr.splitlines() if ".env:1:14" in line)
    assert note.endswith(
        "live: Groq accepted this key just now: it works (and git ignores where it is)"
    )


def test_invalid_key_in_committed_dotenv_gets_the_advice_in_the_finding(
    repo: Path, server: ProviderServer
) -> None:
    (repo / ".gitignore").unlink()
    write(repo, ".env", "OPENAI_API_KEY={key:openai-project-key}\n")
    server.script(
        fake_key("openai-project-key"), Answer(401, {"error": {"code": "invalid_api_key"}})
    )
    result = run(["--verify"], repo, env_for(server, repo.parent / "cache"))
    first = result.stdout.splitlines()[0]
    assert first.startswith(".env:1:16: KL101 OpenAI project API key `sk-proj-")
    assert "— verified invalid: OpenAI rejected this key (401): it is revoked, deleted or " in first
    assert first.endswith("[verified: invalid]")
    assert "LIVE" not in first


def test_verify_without_httpx_is_a_clear_error(
    repo: Path, server: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo, "a.py", KEY_LINE)
    import keylint.verify

    monkeypatch.delitem(sys.modules, "keylint.verify.client", raising=False)
    monkeypatch.delattr(keylint.verify, "client", raising=False)
    monkeypatch.setitem(sys.modules, "httpx", None)  # `import httpx` raises ImportError
    result = run(["--verify"], repo, env_for(server, repo.parent / "cache"))
    assert result.exit_code == 2
    assert "--verify needs httpx: pip install 'keylint[verify]'" in result.stderr
    assert server.requests == []


def test_a_corrupt_cache_file_is_ignored(repo: Path, server: ProviderServer) -> None:
    write(repo, "a.py", KEY_LINE)
    cache = repo.parent / "cache"
    (cache / "keylint").mkdir(parents=True)
    (cache / "keylint" / "verify-cache.json").write_text("{not json", encoding="utf-8")
    result = run(["--verify", "--format", "json"], repo, env_for(server, cache))
    (f,) = json.loads(result.stdout)["findings"]
    assert f["verification"]["result"] == "live"
    entries = json.loads((cache / "keylint" / "verify-cache.json").read_text())["entries"]
    assert list(entries) == [f["secret"]["fingerprint"]]


def test_keys_dry_run_sends_nothing(repo: Path, server: ProviderServer) -> None:
    write(repo, "a.py", KEY_LINE)
    result = run(["keys", "--verify-dry-run"], repo, env_for(server, repo.parent / "cache"))
    assert result.exit_code == 0
    assert server.requests == []
    assert f"GET {server.url}/v1/models" in result.stderr
    assert "verified:" not in result.stdout
    assert_no_raw_keys(result.stdout + result.stderr, "openai-project-key")


def test_staged_verify_sends_the_staged_key(repo: Path, server: ProviderServer) -> None:
    write(repo, "a.py", 'k = "{key:groq-api-key:1}"\n')
    git(repo, "add", "a.py")
    write(repo, "a.py", 'k = "{key:groq-api-key:2}"\n')  # the working tree differs
    result = run(
        ["--staged", "--verify", "--format", "json"], repo, env_for(server, repo.parent / "c")
    )
    (f,) = json.loads(result.stdout)["findings"]
    assert f["verification"]["result"] == "live"
    assert [r.key_fingerprint for r in server.requests] == [f["secret"]["fingerprint"]]
    from keylint.findings import fingerprint

    assert f["secret"]["fingerprint"] == fingerprint(fake_key("groq-api-key", 1))


def test_a_live_key_is_certain_whatever_the_file_role() -> None:
    from keylint.facts import Span
    from keylint.findings import Category, Confidence, Finding, Severity, Verification
    from keylint.verify.attach import annotate

    f = Finding(
        "KL221",
        "malformed-key",
        Category.MALFORMED_KEY,
        Severity.WARNING,
        "docs/x.md",
        Span(1, 1, 1, 5),
        "m",
        confidence=Confidence.LOW,
        confidence_reason="documentation",
    )
    live = annotate(f, Verification("live", "openai", detail="d"), in_ignored_file=False)
    assert (live.severity, live.confidence, live.confidence_reason) == (
        Severity.ERROR,
        Confidence.HIGH,
        None,
    )
    assert live.message == "LIVE: m — verified live: d"
    dead = annotate(f, Verification("invalid", "openai", detail="d"), in_ignored_file=False)
    assert (dead.severity, dead.confidence) == (Severity.WARNING, Confidence.LOW)
    local = annotate(f, Verification("live", "openai", detail="d"), in_ignored_file=True)
    assert local.severity is Severity.WARNING
