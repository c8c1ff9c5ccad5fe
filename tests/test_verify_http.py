"""--verify over real HTTP against a local server that answers like each provider.

Every row of every ``rules/verify/<provider>.yaml`` classification table is exercised with
an answer built to meet it (so a row shadowed by an earlier one fails here), plus the
verbatim answers the providers give (their error docs and issue threads) and the
transport cases: retries
with backoff and Retry-After, timeouts, connection refused, a TLS failure, bounded
concurrency, one request per key, no host taken from the scanned files.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from verify_server import AUTH_HEADERS, Answer, ProviderServer

from conftest import fake_key
from keylint.findings import Verification
from keylint.providers import load
from keylint.verify import VerifyOptions, verify_candidates
from keylint.verify.collect import Candidate, Collector, Place
from keylint.verify.spec import Row, load_checks

# One key format per provider (the first request of each file serves it); admin formats too.
FORMATS = {
    "openai": "openai-project-key",
    "azure-openai": "azure-openai-key",
    "anthropic": "anthropic-api-key",
    "google": "google-api-key",
    "groq": "groq-api-key",
    "xai": "xai-api-key",
    "mistral": "mistral-api-key",
    "cohere": "cohere-api-key",
    "deepseek": "deepseek-api-key",
    "openrouter": "openrouter-api-key",
    "together": "together-api-key",
    "huggingface": "huggingface-token",
    "github": "github-token",
    "stripe": "stripe-secret-key",
    "slack": "slack-bot-token",
}
# The files' own rows: live, invalid and rate-limited are sourced for each of these.
SPEC_LISTED = sorted(FORMATS)


def _served_format(provider: str) -> str:
    """The first key format of ``provider`` that its first request serves."""
    check = load_checks()[provider]
    first = check.requests[0]
    for fmt in load().key_formats:
        if fmt.provider == provider and check.request_for(fmt.id) is first:
            return fmt.id
    raise AssertionError(f"{provider}: no key format for its first request")


# Every provider with a request is exercised, the coverage providers too (their formats are
# picked from the data, so a new rules/verify file is tested without editing this list).
for _provider, _check in load_checks().items():
    if _check.requests and _provider not in FORMATS:
        FORMATS[_provider] = _served_format(_provider)
LISTED = sorted(FORMATS)


@pytest.fixture
def server(
    shared_server: ProviderServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> ProviderServer:
    srv = shared_server
    srv.reset()
    for var in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    for provider in load_checks():
        name = "KEYLINT_VERIFY_ENDPOINT_" + provider.upper().replace("-", "_")
        monkeypatch.setenv(name, srv.url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return srv


def options(**kw: Any) -> VerifyOptions:
    base: dict[str, Any] = {
        "use_cache": False,
        "backoff": 0.01,
        "timeout": 2.0,
        "echo": lambda _line: None,
    }
    base.update(kw)
    return VerifyOptions(**base)


def candidate(format_id: str, n: int = 0, text: str = "") -> Candidate:
    raw = fake_key(format_id, n)
    db = load()
    provider = next(f.provider for f in db.key_formats if f.id == format_id)
    collector = Collector(db, load_checks(), {"OPENAI_ORG_ID", "OPENAI_PROJECT_ID"})
    cand = collector.add_raw(raw, provider, Place("app.py", 1, 1), text)
    assert cand is not None, format_id
    return cand


def verify_one(cand: Candidate, **kw: Any) -> Verification:
    return verify_candidates([cand], options(**kw))[cand.fingerprint]


def body_for(row: Row) -> Any:
    """An answer body that meets every condition of ``row``."""
    doc: dict[str, Any] = {}
    for path, want in row.json:
        node = doc
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = want
    if row.codes:
        doc["error"] = {"code": row.codes[0], "message": row.body or "error"}
    elif row.body:
        doc["error"] = {"message": row.body}
    return doc


ROWS = [
    pytest.param(provider, i, id=f"{provider}-{i}-{row.result}")
    for provider in LISTED
    for i, row in enumerate(load_checks()[provider].rows)
]


@pytest.mark.parametrize(("provider", "index"), ROWS)
def test_every_classification_row(server: ProviderServer, provider: str, index: int) -> None:
    row = load_checks()[provider].rows[index]
    cand = candidate(FORMATS[provider], text="AZURE_OPENAI_ENDPOINT=https://res.openai.azure.com")
    server.script(cand.raw, Answer(row.statuses[0], body_for(row)))
    v = verify_one(cand, retries=0)
    assert (v.result, v.reason) == (row.result, row.reason)
    assert v.provider == provider
    assert v.status == row.statuses[0]


@pytest.mark.parametrize("provider", LISTED)
def test_every_result_class_for_every_provider(server: ProviderServer, provider: str) -> None:
    """live, invalid and rate-limited from the data; error for an answer nobody expects;
    unreachable when nothing listens; unsupported when there is no endpoint to ask."""
    check = load_checks()[provider]
    results = {row.result for row in check.rows}
    assert {"live", "invalid"} <= results, provider
    if provider in SPEC_LISTED:
        assert "rate-limited" in results, provider
    cand = candidate(FORMATS[provider], text="AZURE_OPENAI_ENDPOINT=https://res.openai.azure.com")
    server.script(cand.raw, Answer(418, {"error": {"message": "teapot"}}))
    v = verify_one(cand)
    assert (v.result, v.status) == ("error", 418)
    assert "418" in v.detail


@pytest.mark.parametrize(
    ("provider", "status", "body", "result", "reason"),
    [
        # the providers' answers, verbatim shapes
        (
            "openai",
            401,
            {
                "error": {
                    "message": "Incorrect API key provided: sk-proj-***…wjh3.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            },
            "invalid",
            None,
        ),
        (
            "openai",
            401,
            {
                "error": {
                    "message": "OpenAI-Organization header should match organization for API key",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "mismatched_organization",
                }
            },
            "restricted",
            "mismatched-organization",
        ),
        (
            "openai",
            401,
            {
                "error": {
                    "message": "You have insufficient permissions for this operation. Missing scopes: api.model.read.",  # noqa: E501
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
            "restricted",
            "missing-scope",
        ),
        (
            "openai",
            429,
            {
                "error": {
                    "message": "You exceeded your current quota, please check your plan and billing details.",  # noqa: E501
                    "type": "insufficient_quota",
                    "param": None,
                    "code": "insufficient_quota",
                }
            },
            "quota-exhausted",
            None,
        ),
        (
            "openai",
            429,
            {
                "error": {
                    "message": "You exceeded your current quota, please check your plan and billing details.",  # noqa: E501
                    "type": "insufficient_quota",
                    "param": None,
                    "code": None,
                }
            },
            "quota-exhausted",
            None,
        ),
        (
            "openai",
            429,
            {
                "error": {
                    "message": "Rate limit reached for default-gpt-3.5-turbo in organization org-x on requests per min.",  # noqa: E501
                    "type": "requests",
                    "code": "rate_limit_exceeded",
                }
            },
            "rate-limited",
            None,
        ),
        (
            "anthropic",
            400,
            {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",  # noqa: E501
                },
            },
            "quota-exhausted",
            None,
        ),
        (
            "anthropic",
            401,
            {
                "type": "error",
                "error": {"type": "authentication_error", "message": "invalid x-api-key"},
            },
            "invalid",
            None,
        ),
        (
            "anthropic",
            404,
            {"type": "error", "error": {"type": "not_found_error", "message": "Not found"}},
            "invalid",
            "disabled-or-not-found",
        ),
        (
            "anthropic",
            403,
            {
                "type": "error",
                "error": {
                    "type": "permission_error",
                    "message": "Your API key does not have permission to use the specified resource.",  # noqa: E501
                },
            },
            "restricted",
            None,
        ),
        (
            "google",
            400,
            {
                "error": {
                    "code": 400,
                    "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "API_KEY_INVALID",
                            "domain": "googleapis.com",
                        }
                    ],
                }
            },
            "invalid",
            None,
        ),
        (
            "google",
            403,
            {
                "error": {
                    "code": 403,
                    "message": "Generative Language API has not been used in project 1 before or it is disabled.",  # noqa: E501
                    "status": "PERMISSION_DENIED",
                }
            },
            "restricted",
            "api-not-enabled",
        ),
        (
            "groq",
            401,
            {
                "error": {
                    "message": "Invalid API Key",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
            "invalid",
            None,
        ),
        (
            "xai",
            400,
            "Incorrect API key provided: xa***rX. You can obtain an API key from https://console.x.ai.",
            "invalid",
            None,
        ),
        (
            "xai",
            200,
            {
                "name": "k",
                "acls": ["api-key:model:*"],
                "api_key_blocked": False,
                "api_key_disabled": False,
                "team_blocked": False,
            },
            "live",
            None,
        ),
        ("mistral", 401, {"message": "Unauthorized", "request_id": "abc"}, "invalid", None),
        (
            "deepseek",
            402,
            {"error": {"message": "Insufficient Balance", "type": "unknown_error"}},
            "quota-exhausted",
            None,
        ),
        ("deepseek", 200, {"is_available": True, "balance_infos": []}, "live", None),
        (
            "openrouter",
            402,
            {"error": {"code": 402, "message": "Insufficient credits"}},
            "quota-exhausted",
            None,
        ),
        (
            "openrouter",
            200,
            {"data": {"label": "k", "limit": 10, "usage": 1, "limit_remaining": 9}},
            "live",
            None,
        ),
        (
            "cohere",
            200,
            {"valid": False, "organization_id": None, "owner_id": None},
            "invalid",
            None,
        ),
        ("cohere", 498, {"message": "invalid api token"}, "invalid", None),
        (
            "stripe",
            403,
            {
                "error": {
                    "type": "invalid_request_error",
                    "message": "The provided key 'rk_live_***' does not have the required permissions for this endpoint.",  # noqa: E501
                }
            },
            "restricted",
            None,
        ),
        ("slack", 200, {"ok": False, "error": "invalid_auth"}, "invalid", None),
        ("slack", 200, {"ok": False, "error": "token_revoked"}, "invalid", None),
        ("slack", 200, {"ok": True, "url": "https://x.slack.com/", "team": "x"}, "live", None),
        (
            "github",
            401,
            {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
            "invalid",
            None,
        ),
        (
            "github",
            403,
            {"message": "API rate limit exceeded for user ID 1."},
            "rate-limited",
            None,
        ),
        (
            "azure-openai",
            401,
            {
                "error": {
                    "code": "401",
                    "message": "Access denied due to invalid subscription key or wrong API endpoint.",  # noqa: E501
                }
            },
            "invalid",
            None,
        ),
        (
            "huggingface",
            401,
            {"error": "Invalid credentials in Authorization header"},
            "invalid",
            None,
        ),
        ("together", 402, {"error": {"message": "Credit limit exceeded"}}, "quota-exhausted", None),
        # Dropbox AuthError bodies: {"error_summary": "<tag>/…", "error": {".tag": "<tag>"}}
        (
            "dropbox",
            401,
            {"error_summary": "expired_access_token/", "error": {".tag": "expired_access_token"}},
            "invalid",
            "expired",
        ),
        (
            "dropbox",
            401,
            {"error_summary": "invalid_access_token/..", "error": {".tag": "invalid_access_token"}},
            "invalid",
            None,
        ),
        (
            "dropbox",
            401,
            {
                "error_summary": "missing_scope/.",
                "error": {".tag": "missing_scope", "required_scope": "account_info.read"},
            },
            "restricted",
            "missing-scope",
        ),
        # an unknown AuthError tag is not guessed to be "invalid"
        ("dropbox", 401, {"error": {".tag": "other"}}, "error", None),
        # Fly.io: a valid token without org_slug is refused with 400 (trufflehog flyio.go)
        ("flyio", 400, {"error": "org_slug is required"}, "live", None),
        ("flyio", 401, {"error": "unauthorized"}, "invalid", None),
    ],
)
def test_research_answers(
    server: ProviderServer, provider: str, status: int, body: Any, result: str, reason: str | None
) -> None:
    cand = candidate(FORMATS[provider], text="AZURE_OPENAI_ENDPOINT=https://res.openai.azure.com")
    server.script(cand.raw, Answer(status, body))
    v = verify_one(cand, retries=0)
    assert (v.result, v.reason) == (result, reason)


def test_openai_org_and_project_headers_sent_when_defined_with_the_key(
    server: ProviderServer,
) -> None:
    cand = candidate(
        "openai-project-key",
        text='OPENAI_ORG_ID="org-AbC123"\nOPENAI_PROJECT_ID=proj_Xy9\nOTHER="x\r\nEvil: 1"\n',
    )
    server.script(cand.raw, Answer(200, {"data": []}))
    assert verify_one(cand).result == "live"
    (seen,) = server.requests
    assert seen.headers["openai-organization"] == "org-AbC123"
    assert seen.headers["openai-project"] == "proj_Xy9"
    assert seen.path == "/v1/models"


def test_org_header_value_that_is_not_an_org_id_is_not_sent(server: ProviderServer) -> None:
    cand = candidate("openai-project-key", text="OPENAI_ORG_ID=Personal\n")
    verify_one(cand)
    assert "openai-organization" not in server.requests[0].headers


def test_admin_keys_use_their_own_endpoint(server: ProviderServer) -> None:
    cand = candidate("openai-admin-key")
    verify_one(cand)
    assert server.requests[0].path == "/v1/organization/admin_api_keys?limit=1"


def test_auth_header_and_extra_headers(server: ProviderServer) -> None:
    cand = candidate("anthropic-api-key")
    verify_one(cand)
    (seen,) = server.requests
    assert seen.key_fingerprint == cand.fingerprint
    assert seen.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in seen.headers
    slack = candidate("slack-bot-token")
    verify_one(slack)
    assert server.requests[1].method == "POST"


def _requests_with_a_format() -> list[Any]:
    db = load()
    params = []
    for provider, check in sorted(load_checks().items()):
        for i, request in enumerate(check.requests):
            fmt = next(
                f.id
                for f in db.key_formats
                if f.provider == provider and check.request_for(f.id) is request
            )
            params.append(pytest.param(provider, i, fmt, id=f"{provider}-{i}-{fmt}"))
    return params


@pytest.mark.parametrize(("provider", "index", "format_id"), _requests_with_a_format())
def test_every_request_is_sent_as_the_data_says(
    server: ProviderServer, provider: str, index: int, format_id: str
) -> None:
    """Method, path, the key in its auth header, and the fixed headers, for every request."""
    request = load_checks()[provider].requests[index]
    cand = candidate(format_id, text="AZURE_OPENAI_ENDPOINT=https://res.openai.azure.com")
    v = verify_one(cand, retries=0)
    assert v.provider == provider
    (seen,) = server.requests
    assert seen.method == request.method
    assert seen.path.split("?")[0].endswith(request.path.split("?")[0])
    assert seen.key_fingerprint == cand.fingerprint
    assert request.auth_header.lower() in seen.headers
    for name, value in request.headers:
        assert seen.headers[name.lower()] == value


def test_the_fake_server_knows_every_auth_header() -> None:
    for check in load_checks().values():
        for request in check.requests:
            assert request.auth_header.lower() in AUTH_HEADERS, check.provider


# --- transport ---------------------------------------------------------------------------


def test_retries_429_with_backoff_then_succeeds(server: ProviderServer) -> None:
    cand = candidate("groq-api-key")
    server.script(cand.raw, Answer(429, {}), Answer(503, {}), Answer(200, {"data": []}))
    start = time.monotonic()
    v = verify_one(cand, backoff=0.05)
    assert v.result == "live"
    assert len(server.requests) == 3
    # base 0.05 · [0.5, 1) then 0.1 · [0.5, 1): at least 0.075 s in all
    assert time.monotonic() - start >= 0.07


def test_gives_up_after_the_retries(server: ProviderServer) -> None:
    cand = candidate("groq-api-key")
    server.script(cand.raw, Answer(429, {}))
    v = verify_one(cand, retries=2)
    assert (v.result, v.status) == ("rate-limited", 429)
    assert len(server.requests) == 3


def test_server_errors_are_retried_and_reported_with_status(server: ProviderServer) -> None:
    cand = candidate("mistral-api-key")
    server.script(cand.raw, Answer(502, "bad gateway"))
    v = verify_one(cand, retries=1)
    assert (v.result, v.status) == ("error", 502)
    assert len(server.requests) == 2


def test_quota_is_not_retried(server: ProviderServer) -> None:
    cand = candidate("openai-project-key")
    server.script(cand.raw, Answer(429, {"error": {"code": "insufficient_quota"}}))
    assert verify_one(cand).result == "quota-exhausted"
    assert len(server.requests) == 1


def test_retry_after_is_honoured(server: ProviderServer) -> None:
    cand = candidate("groq-api-key")
    server.script(cand.raw, Answer(429, {}, {"Retry-After": "1"}), Answer(200, {"data": []}))
    start = time.monotonic()
    v = verify_one(cand, backoff=0.001)
    assert v.result == "live"
    assert time.monotonic() - start >= 0.95


def test_retry_after_beyond_the_bound_is_not_waited_for(server: ProviderServer) -> None:
    cand = candidate("groq-api-key")
    server.script(cand.raw, Answer(429, {}, {"Retry-After": "3600"}))
    start = time.monotonic()
    v = verify_one(cand, max_wait=5)
    assert v.result == "rate-limited"
    assert "3600" in v.detail
    assert len(server.requests) == 1
    assert time.monotonic() - start < 1


def test_timeout_is_unreachable_not_invalid(server: ProviderServer) -> None:
    cand = candidate("groq-api-key")
    server.script(cand.raw, Answer(200, {}, delay=0.6))
    v = verify_one(cand, timeout=0.2)
    assert (v.result, v.reason) == ("unreachable", "timeout")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYLINT_VERIFY_ENDPOINT_GROQ", f"http://127.0.0.1:{_closed_port()}")
    v = verify_one(candidate("groq-api-key"))
    assert (v.result, v.reason) == ("unreachable", "connect")
    assert "nothing is known about the key" in v.detail


def test_tls_failure_is_unreachable(
    server: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HTTPS to a plain-HTTP server: the handshake fails.
    monkeypatch.setenv("KEYLINT_VERIFY_ENDPOINT_GROQ", f"https://127.0.0.1:{server.port}")
    v = verify_one(candidate("groq-api-key"))
    assert (v.result, v.reason) == ("unreachable", "tls")


def test_dns_failure_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*_args: Any, **_kw: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.delenv("KEYLINT_VERIFY_ENDPOINT_GROQ", raising=False)
    v = verify_one(candidate("groq-api-key"))
    assert (v.result, v.reason) == ("unreachable", "dns")


def test_proxy_failure_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEYLINT_VERIFY_ENDPOINT_GROQ", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{_closed_port()}")
    v = verify_one(candidate("groq-api-key"))
    assert (v.result, v.reason) == ("unreachable", "proxy")


def test_concurrency_is_bounded(server: ProviderServer) -> None:
    cands = [candidate("groq-api-key", n) for n in range(8)]
    for c in cands:
        server.script(c.raw, Answer(200, {"data": []}, delay=0.15))
    results = verify_candidates(cands, options(concurrency=3))
    assert {v.result for v in results.values()} == {"live"}
    assert len(server.requests) == 8
    assert server.max_in_flight == 3


def test_unsupported_providers_send_nothing(server: ProviderServer) -> None:
    for fmt in (
        "perplexity-api-key",
        "aws-access-key-id",
        "slack-webhook",
        # a provider with requests, but none for this format (a partial macaroon; no
        # source for what /v3/me answers a SCIM token)
        "flyio-macaroon-token",
        "doppler-scim-token",
        "cloudflare-origin-ca-key",
        "facebook-access-token",
        "nvidia-api-key",
    ):
        v = verify_one(candidate(fmt))
        assert v.result == "unsupported", fmt
        assert v.detail
    assert server.requests == []


def test_azure_without_endpoint_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEYLINT_VERIFY_ENDPOINT_AZURE_OPENAI", raising=False)
    v = verify_one(candidate("azure-openai-key", text="AZURE_OPENAI_API_KEY=…\n"))
    assert (v.result, v.reason) == ("unsupported", "no-endpoint")
    assert "no endpoint found" in v.detail


def test_azure_endpoint_must_be_an_azure_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from keylint.verify.plan import plan

    check = load_checks()["azure-openai"]
    cand = candidate(
        "azure-openai-key",
        text="AZURE_OPENAI_ENDPOINT=https://evil.example.com\n"
        "X=https://a.openai.azure.com.evil.example\nY=https://my-res.openai.azure.com/\n",
    )
    p = plan(cand, check, environ={})
    assert p.url == "https://my-res.openai.azure.com/openai/models?api-version=2024-10-21"
    only_evil = candidate("azure-openai-key", 1, text="E=https://evil.example.com\n")
    assert plan(only_evil, check, environ={}).unsupported


def test_hosts_come_from_the_data_never_from_the_scanned_text() -> None:
    from keylint.verify.plan import plan

    text = "OPENAI_BASE_URL=https://evil.example.com/v1\nurl = 'https://attacker.test'\n"
    for provider in LISTED:
        if provider == "azure-openai":
            continue
        cand = candidate(FORMATS[provider], text=text)
        p = plan(cand, load_checks()[provider], environ={})
        assert p.url.startswith("https://"), provider
        assert "evil" not in p.url and "attacker" not in p.url, provider
        assert p.request is not None and p.request.host is not None
        assert p.url.startswith(f"https://{p.request.host}/")


@pytest.mark.parametrize(
    "value",
    ["http://example.com", "ftp://127.0.0.1", "https://h/path", "https://h?x=1", "http://10.0.0.1"],
)
def test_bad_endpoint_override_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from keylint.verify.plan import VerifyConfigError, endpoint_override

    with pytest.raises(VerifyConfigError):
        endpoint_override("openai", {"KEYLINT_VERIFY_ENDPOINT_OPENAI": value})


def test_endpoint_override_keeps_the_path() -> None:
    from keylint.verify.plan import endpoint_override, plan

    assert endpoint_override(
        "azure-openai", {"KEYLINT_VERIFY_ENDPOINT_AZURE_OPENAI": "https://gw.corp:8443"}
    ) == ("https", "gw.corp:8443")
    p = plan(
        candidate("groq-api-key"),
        load_checks()["groq"],
        environ={"KEYLINT_VERIFY_ENDPOINT_GROQ": "http://[::1]:9"},
    )
    assert p.url == "http://[::1]:9/openai/v1/models"


def test_no_redirects_are_followed(server: ProviderServer) -> None:
    cand = candidate("groq-api-key")
    server.script(cand.raw, Answer(302, {}, {"Location": "https://elsewhere.example/"}))
    v = verify_one(cand)
    assert (v.result, v.status) == ("error", 302)
    assert len(server.requests) == 1


def test_http_proxy_from_the_environment_is_used(
    server: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The local server plays the proxy: it receives the request in absolute form.
    monkeypatch.setenv("KEYLINT_VERIFY_ENDPOINT_GROQ", "http://127.0.0.2:9")
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    cand = candidate("groq-api-key")
    assert verify_one(cand).result == "live"
    assert [r.path for r in server.requests] == ["http://127.0.0.2:9/openai/v1/models"]


def test_no_proxy_is_honoured(server: ProviderServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    cand = candidate("groq-api-key")
    assert verify_one(cand).result == "live"
    assert [r.path for r in server.requests] == ["/openai/v1/models"]
