"""auth-header (KL5xx): malformed Authorization and key headers in Python, JS/TS, shell curl,
HTTP files, YAML/JSON and Markdown code blocks, and the host each header goes to."""

from __future__ import annotations

import pytest

from conftest import lint, positions, render_source
from keylint.extract import extract
from keylint.facts import Header
from keylint.providers import load
from keylint.source import SourceFile

DB = load()


def headers_of(
    path: str, source: str
) -> list[tuple[str, int, int, tuple[str | None, ...], str | None]]:
    file = SourceFile.from_text(path, render_source(source))
    return [
        (f.name, f.name_span.line, f.name_span.column, f.parts, f.host)
        for f in extract(file, DB).facts
        if isinstance(f, Header)
    ]


def auth(path: str, source: str) -> list[tuple[str, int, int]]:
    return [(f.rule, f.span.line, f.span.column) for f in lint(path, source) if f.rule[:3] == "KL5"]


# --- where headers go ------------------------------------------------------------------------


def test_python_headers_learn_their_host_from_the_call() -> None:
    source = (
        "import requests\n"
        "def ask(key):\n"
        '    headers = {"Authorization": "Bearer " + key}\n'
        '    url = "https://api.groq.com/openai/v1/chat/completions"\n'
        "    requests.post(url, headers=headers)\n"
        "    h = {}\n"
        '    h["x-api-key"] = key\n'
        '    httpx.post(f"{BASE}/v1/messages", headers=h)\n'
        'BASE = "https://api.anthropic.com"\n'
        'requests.get("https://api.x.ai/v1/models", headers={"Authorization": f"Bearer {k}"})\n'
    )
    assert headers_of("a.py", source) == [
        ("Authorization", 3, 16, ("Bearer ", None), "api.groq.com"),
        ("x-api-key", 7, 7, (None,), None),
        ("Authorization", 10, 53, ("Bearer ", None), "api.x.ai"),
    ]


def test_curl_fetch_and_http_file_headers_learn_their_host() -> None:
    curl = (
        "curl -s \\\n"
        '  -H "Authorization: Bearer $OPENAI_API_KEY" \\\n'
        "  https://api.openai.com/v1/models\n"
        'curl https://api.groq.com/openai/v1/models -H "Authorization: Bearer $GROQ_API_KEY"\n'
    )
    assert headers_of("a.sh", curl) == [
        ("Authorization", 2, 7, ("Bearer ", None), "api.openai.com"),
        ("Authorization", 4, 48, ("Bearer ", None), "api.groq.com"),
    ]
    js = (
        'const r = await fetch("https://api.anthropic.com/v1/messages", {\n'
        "  headers: {\n"
        '    "x-api-key": process.env.ANTHROPIC_API_KEY,\n'
        "    Authorization: `Bearer ${key}`,\n"
        "  },\n"
        "});\n"
    )
    assert headers_of("a.js", js) == [
        ("x-api-key", 3, 6, (None,), "api.anthropic.com"),
        ("Authorization", 4, 5, ("Bearer ", None), "api.anthropic.com"),
    ]
    http = "GET https://api.mistral.ai/v1/models\nAuthorization: Bearer {{key}}\n\n"
    assert headers_of("models.http", http) == [
        ("Authorization", 2, 1, ("Bearer ", None), "api.mistral.ai"),
    ]


# --- KL501 auth-scheme-missing ---------------------------------------------------------------


def test_key_without_scheme() -> None:
    source = (
        "import os, requests\n"
        'a = {"Authorization": "{key:openai-project-key}"}\n'
        'b = {"Authorization": os.environ["OPENAI_API_KEY"]}\n'
        'requests.get("https://api.mistral.ai/v1/models", headers={"Authorization": api_key})\n'
        'c = {"Authorization": token}\n'
        'd = {"Authorization": f"Bearer {key}"}\n'
    )
    assert positions(lint("a.py", source), "KL501") == [(2, 24), (3, 23), (4, 76)]


def test_key_without_scheme_in_shell_yaml_and_docs() -> None:
    sh = 'curl https://api.groq.com/openai/v1/models -H "Authorization: ${GROQ_API_KEY}"\n'
    assert positions(lint("a.sh", sh), "KL501") == [(1, 63)]
    yaml = "headers:\n  Authorization: ${OPENAI_API_KEY}\n"
    assert positions(lint("c.yaml", yaml), "KL501") == [(2, 18)]
    md = (
        "Set `Authorization: $OPENAI_API_KEY` and you are done (wrong, but prose).\n\n"
        "```sh\ncurl https://api.openai.com/v1/models -H 'Authorization: $OPENAI_API_KEY'\n```\n"
    )
    findings = [(f.rule, f.span.line, f.span.column) for f in lint("README.md", md)]
    assert ("KL501", 4, 58) in findings and all(line == 4 for _r, line, _c in findings)


def test_azure_key_in_authorization_is_a_wrong_header_not_a_missing_scheme() -> None:
    source = (
        'requests.post("https://res.openai.azure.com/openai/v1/responses", '
        'headers={"Authorization": os.environ["AZURE_OPENAI_API_KEY"]})\n'
    )
    assert auth("a.py", source) == [("KL507", 1, 93)]


# --- KL502 auth-scheme-wrong -----------------------------------------------------------------


def test_wrong_schemes() -> None:
    source = (
        'a = {"Authorization": "Token {key:groq-api-key}"}\n'
        'b = {"Authorization": "Basic " + os.environ["OPENAI_API_KEY"]}\n'
        'c = {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}\n'
        'd = {"x-goog-api-key": "Bearer " + os.environ["GEMINI_API_KEY"]}\n'
        'e = {"Authorization": "Token " + token}\n'
    )
    assert positions(lint("a.py", source), "KL502") == [(1, 24), (2, 24), (4, 25)]


def test_github_token_scheme_is_accepted() -> None:
    source = 'curl -H "Authorization: token $GITHUB_TOKEN" https://api.github.com/user\n'
    assert auth("a.sh", source) == []


# --- KL503 bearer-malformed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ('h = {"Authorization": "Bearer" + key}\n', 24),
        ('h = {"Authorization": "Bearer: " + key}\n', 24),
        ('h = {"Authorization": f"Bearer Bearer {key}"}\n', 25),
        ('h = {"Authorization": "Bearer  {}".format(key)}\n', 24),
        ('h = {"Authorization": "Bearer{key:openai-project-key}"}\n', 24),
    ],
)
def test_bearer_malformed(source: str, column: int) -> None:
    assert positions(lint("a.py", source), "KL503") == [(1, column)]


def test_bearer_malformed_in_js_and_http() -> None:
    js = "fetch(url, { headers: { 'Authorization': 'Bearer:' + apiKey } });\n"
    assert positions(lint("a.ts", js), "KL503") == [(1, 43)]
    http = "POST https://api.openai.com/v1/responses\nAuthorization: Bearer:{{key}}\n"
    assert positions(lint("call.http", http), "KL503") == [(2, 16)]


def test_well_formed_bearer_is_quiet() -> None:
    source = (
        'a = {"Authorization": f"Bearer {key}"}\n'
        'b = {"Authorization": "Bearer " + key}\n'
        'c = {"Authorization": "Bearer %s" % key}\n'
        'd = {"Authorization": "bearer {}".format(key)}\n'
    )
    assert auth("a.py", source) == []


# --- KL504 quoted-auth-value -----------------------------------------------------------------


def test_quotes_inside_the_value() -> None:
    sh = "curl https://api.openai.com/v1/models -H \"Authorization: Bearer '$OPENAI_API_KEY'\"\n"
    assert positions(lint("a.sh", sh), "KL504") == [(1, 58)]
    py = 'h = {"Authorization": f\'Bearer "{key}"\'}\n'
    assert positions(lint("a.py", py), "KL504") == [(1, 25)]
    http = 'GET https://api.openai.com/v1/models\nAuthorization: "Bearer {{key}}"\n'
    assert positions(lint("a.http", http), "KL504") == []  # a quoted value in a header line


# --- KL505 unformatted-auth-template ---------------------------------------------------------


def test_unformatted_templates() -> None:
    py = (
        'a = {"Authorization": "Bearer {api_key}"}\n'
        'b = {"Authorization": "Bearer %s"}\n'
        'c = {"Authorization": "Bearer {}".format(api_key)}\n'
        'd = {"Authorization": "Bearer {api_key}".format(api_key=k)}\n'
    )
    assert positions(lint("a.py", py), "KL505") == [(1, 24), (2, 24)]
    js = 'const h = { "x-api-key": "${process.env.ANTHROPIC_API_KEY}" };\n'
    assert positions(lint("a.mjs", js), "KL505") == [(1, 27)]
    sh = "curl https://api.anthropic.com/v1/models -H 'x-api-key: $ANTHROPIC_API_KEY'\n"
    assert positions(lint("a.sh", sh), "KL505") == [(1, 57)]
    quiet_sh = 'curl https://api.anthropic.com/v1/models -H "x-api-key: $ANTHROPIC_API_KEY"\n'
    assert positions(lint("a.sh", quiet_sh), "KL505") == []


# --- KL506 misspelt-auth-header ----------------------------------------------------------------


def test_misspelt_header_names() -> None:
    py = (
        'a = {"Authorisation": f"Bearer {key}"}\n'
        'b = {"Authorizaton": f"Bearer {key}"}\n'
        'c = {"authorization": f"Bearer {key}"}\n'
        'd = {"x_api_key": key}\n'
    )
    assert positions(lint("a.py", py), "KL506") == [(1, 7), (2, 7)]
    sh = (
        "curl https://api.anthropic.com/v1/messages \\\n"
        '  -H "x_api_key: $ANTHROPIC_API_KEY" \\\n'
        '  -H "anthropic_version: 2023-06-01"\n'
    )
    assert positions(lint("a.sh", sh), "KL506") == [(2, 7), (3, 7)]
    yaml = "headers:\n  Authorizaton: Bearer ${TOKEN}\n"
    assert positions(lint("c.yaml", yaml), "KL506") == [(2, 3)]


# --- KL507 wrong-auth-header ---------------------------------------------------------------------


def test_wrong_header_for_the_provider() -> None:
    sh = (
        'curl https://api.openai.com/v1/models -H "x-api-key: $OPENAI_API_KEY"\n'
        'curl https://api.anthropic.com/v1/models -H "api-key: $ANTHROPIC_API_KEY" '
        '-H "anthropic-version: 2023-06-01"\n'
        'curl https://api.anthropic.com/v1/models -H "Authorization: Bearer $ANTHROPIC_API_KEY" '
        '-H "anthropic-version: 2023-06-01"\n'
        'curl "https://res.openai.azure.com/openai/v1/models" -H "api-key: $AZURE_OPENAI_API_KEY"\n'
    )
    assert positions(lint("a.sh", sh), "KL507") == [(1, 54), (2, 55)]


def test_bearer_to_gemini_and_azure_with_an_api_key() -> None:
    js = (
        "await fetch(\n"
        '  "https://generativelanguage.googleapis.com/v1beta/models/x:generateContent", {\n'
        "  headers: { Authorization: `Bearer ${process.env.GEMINI_API_KEY}` },\n"
        "});\n"
    )
    assert positions(lint("a.js", js), "KL507") == [(3, 30)]
    token = (
        "await fetch(\n"
        '  "https://generativelanguage.googleapis.com/v1beta/models/x:generateContent", {\n'
        "  headers: { Authorization: `Bearer ${accessToken}` },\n"
        "});\n"
    )
    assert positions(lint("a.js", token), "KL507") == []


# --- KL508 required-headers-missing ---------------------------------------------------------


def test_raw_anthropic_call_without_version_or_key_header() -> None:
    py = (
        "import requests\n"
        "r = requests.post(\n"
        '    "https://api.anthropic.com/v1/messages",\n'
        '    headers={"content-type": "application/json"},\n'
        "    json=body,\n"
        ")\n"
    )
    (finding,) = [f for f in lint("a.py", py) if f.rule == "KL508"]
    assert (finding.span.line, finding.span.column) == (3, 6)
    assert "anthropic-version" in finding.message and "x-api-key" in finding.message


def test_sdk_base_urls_and_complete_requests_are_quiet() -> None:
    py = (
        'client = Anthropic(base_url="https://api.anthropic.com/v1/")\n'
        "r = requests.post(\n"
        '    "https://api.anthropic.com/v1/messages",\n'
        '    headers={"x-api-key": key, "anthropic-version": "2023-06-01"},\n'
        ")\n"
    )
    assert positions(lint("a.py", py), "KL508") == []


def test_prose_and_comments_are_quiet() -> None:
    md = "Send `Authorisation: Bearer: sk-…` and see it fail.\n\n<!-- Authorization: Token x -->\n"
    assert auth("README.md", md) == []
    sh = '# curl -H "Authorization: Bearer: $OPENAI_API_KEY" https://api.openai.com/v1/models\n'
    assert auth("a.sh", sh) == []


# --- false positives found on real code (litellm 1.110) ------------------------------------------


def test_auth_params_keep_their_quotes() -> None:
    source = 'h = {"Authorization": f\'Token token="{token}"\'}\n'
    assert auth("a.py", source) == []


def test_curl_snippet_in_a_js_template_literal() -> None:
    js = (
        "const snippet = `curl https://proxy.example/v1/models \\\\\n"
        "  -H 'Authorization: Bearer ${apiKey}'`;\n"
    )
    assert positions(lint("ui.js", js), "KL505") == []
    sh = "curl https://proxy.example/v1/models -H 'Authorization: Bearer ${API_KEY}'\n"
    assert positions(lint("a.sh", sh), "KL505") == [(1, 57)]


def test_url_constant_for_a_request_made_elsewhere_is_quiet() -> None:
    source = 'PROVIDER_URL = "https://api.anthropic.com/v1/messages"\n'
    assert positions(lint("a.py", source), "KL508") == []
