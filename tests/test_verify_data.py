"""rules/verify/*.yaml: complete, consistent with rules/providers, and loaded strictly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import SPEC_PROVIDER_IDS
from keylint.providers import DataError, load
from keylint.verify.spec import load_checks, parse_check, verify_dir

# Spec §7's provider ids: each has a verification file (requests, or why it has none).
SPEC_IDS = list(SPEC_PROVIDER_IDS)
# Key formats with no request, on purpose (the file says why for unsupported providers).
NOT_CHECKED = {
    "slack-webhook",
    # Slack token kinds added by the coverage work: no reviewed request yet (auth.test
    # takes some of them; app-level and configuration tokens need other methods)
    "slack-legacy-bot-token",
    "slack-legacy-token",
    "slack-legacy-workspace-token",
    "slack-app-token",
    "slack-config-access-token",
    "slack-config-refresh-token",
    # GitLab: only personal access tokens call the REST API as a user; deploy, runner,
    # trigger, feed, agent and registration tokens and OAuth app secrets do not
    # (docs.gitlab.com api/rest/authentication: "Deploy tokens can't be used with the
    # GitLab public API")
    "gitlab-deploy-token",
    "gitlab-runner-token",
    "gitlab-pipeline-trigger-token",
    "gitlab-feed-token",
    "gitlab-oauth-app-secret",
    "gitlab-agent-token",
    "gitlab-runner-registration-token",
    # a refresh token is exchanged for an access token (a POST that issues one), not used
    "digitalocean-refresh-token",
    # an OAuth application secret, not an access token
    "square-oauth-secret",
    # Doppler: GET /v3/me is sourced for the tokens the CLI uses (personal, CLI, service,
    # service account); no source says what it answers SCIM or audit tokens
    "doppler-scim-token",
    "doppler-audit-token",
    # Fly.io macaroon tokens go as `Authorization: FlyV1 <token>`, and one token may be
    # several comma-separated macaroons of which these formats capture one: sent alone,
    # a live token could be refused (trufflehog flyio.go matches the whole FlyV1 list)
    "flyio-macaroon-token",
    "flyio-macaroon-token-v1",
}


def test_every_spec_provider_has_a_file() -> None:
    checks = load_checks()
    assert set(SPEC_IDS) <= set(checks)


def test_every_provider_has_a_verify_file() -> None:
    """A provider added to rules/providers needs a request or a reason in rules/verify."""
    provider_ids = set(load().by_id)
    assert len(provider_ids) >= 74
    missing = sorted(provider_ids - set(load_checks()))
    assert missing == [], f"rules/verify/ has no file for: {missing}"
    assert sorted(load_checks()) == sorted(provider_ids)


def test_unsupported_providers_say_why() -> None:
    for check in load_checks().values():
        if check.unsupported:
            assert not check.requests and len(check.unsupported) > 20, check.provider
            assert len(check.source) > 10, check.provider


def test_providers_exist_and_hosts_are_their_own() -> None:
    db = load()
    for check in load_checks().values():
        provider = db.by_id[check.provider]
        for request in check.requests:
            if request.host is not None:
                assert provider.matches_host(request.host), (check.provider, request.host)
            for pattern in request.host_patterns:
                assert pattern in provider.hosts, (check.provider, pattern)
            assert request.path.startswith("/")


def test_every_key_format_has_a_request_or_a_reason() -> None:
    db = load()
    checks = load_checks()
    for fmt in db.key_formats:
        check = checks[fmt.provider]  # every provider has a file (test above)
        if check.unsupported or fmt.id in NOT_CHECKED:
            continue
        assert check.request_for(fmt.id) is not None, fmt.id
    for check in checks.values():
        ids = {f.id for f in db.key_formats if f.provider == check.provider}
        for request in check.requests:
            assert set(request.formats) <= ids, (check.provider, request.formats)


def test_every_row_cites_a_source() -> None:
    for check in load_checks().values():
        for row in check.rows:
            assert len(row.source) > 10, (check.provider, row)
        for request in check.requests:
            assert request.source


def test_the_files_are_those_loaded() -> None:
    names = sorted(p.stem for p in Path(verify_dir()).glob("*.yaml"))
    assert names == sorted(load_checks())


GOOD: dict[str, Any] = {
    "provider": "groq",
    "label": "Groq",
    "console": "https://console.groq.com/keys",
    "requests": [
        {
            "method": "GET",
            "host": "api.groq.com",
            "path": "/openai/v1/models",
            "auth": {"header": "Authorization", "scheme": "Bearer"},
            "source": "s",
        }
    ],
    "classify": [{"status": 200, "result": "live", "source": "s"}],
}


def variant(path: str, value: Any) -> dict[str, Any]:
    import copy

    data = copy.deepcopy(GOOD)
    node: Any = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()


def test_the_good_example_loads() -> None:
    check = parse_check(GOOD, "rules/verify/groq.yaml")
    assert check.requests[0].host == "api.groq.com"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("clasify", [], "unknown field 'clasify'"),
        ("classify.0.result", "alive", "classify[0]: result: 'alive'"),
        ("classify.0.status", "200", "classify[0]: status: '200'"),
        ("classify.0.status", 99, "classify[0]: status: '99'"),
        ("classify.0.source", _DELETE, "classify[0]: source: missing"),
        ("classify.0.reson", "x", "classify[0]: unknown field 'reson'"),
        ("classify.0.reason", "Mismatched Org", "classify[0]: reason:"),
        ("requests.0.method", "DELETE", "requests[0]: method: 'DELETE'"),
        ("requests.0.method", "POST", "requests[0]: read_only: a POST request"),
        ("requests.0.host", "https://api.groq.com", "requests[0]: host:"),
        ("requests.0.path", "openai/v1/models", "requests[0]: path:"),
        (
            "requests.0.auth",
            {"header": "Authorization", "sheme": "Bearer"},
            "unknown field 'sheme'",
        ),
        ("requests.0.headers", {"X-A": "a\r\nb"}, "headers: X-A"),
        ("requests.0.host_patterns", ["*.groq.com"], "exactly one of `host` and `host_patterns`"),
        ("requests.0.context", [{"header": "H", "name": "lower", "value": "x"}], "name: 'lower'"),
        ("requests.0.context", [{"header": "H", "name": "A", "value": "("}], "bad regex"),
        ("requests", [], "needs `requests` and `classify`"),
    ],
)
def test_typos_fail_loudly_with_file_and_field(path: str, value: Any, message: str) -> None:
    with pytest.raises(DataError) as info:
        parse_check(variant(path, value), "rules/verify/groq.yaml")
    assert str(info.value).startswith("rules/verify/groq.yaml: ")
    assert message in str(info.value)


def test_a_file_must_be_named_after_its_provider(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "grok.yaml").write_text(yaml.safe_dump(GOOD), encoding="utf-8")
    with pytest.raises(DataError, match=r"grok.yaml: provider: 'groq' must match the file name"):
        load_checks(tmp_path)


def test_a_broken_file_is_a_clear_cli_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from keylint.cli import cli
    from keylint.verify import spec

    (tmp_path / "groq.yaml").write_text("provider: groq\nlabel: [\n", encoding="utf-8")
    monkeypatch.setattr(spec, "verify_dir", lambda: tmp_path)
    spec.load_checks.cache_clear()
    try:
        (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(cli, ["--verify-dry-run", "app.py"])
    finally:
        spec.load_checks.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.startswith("keylint: error: rules/verify/groq.yaml: cannot read:")
    assert "Traceback" not in result.output
