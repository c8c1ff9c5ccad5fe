"""outdated-endpoint (KL40x) and deprecated-model (KL45x): exact positions across file kinds,
code against prose, dates against the day of the run, and the shape of the data."""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import lint, positions
from keylint.checks import kl4_endpoints
from keylint.findings import Severity
from keylint.prefilter import literals_from
from keylint.providers import load

DB = load()


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch):
    def pin(year: int, month: int, day: int) -> None:
        monkeypatch.setattr(kl4_endpoints, "TODAY", datetime.date(year, month, day))

    return pin


def codes(path: str, source: str, prefix: str = "KL4") -> list[tuple[str, int, int]]:
    return [
        (f.rule, f.span.line, f.span.column)
        for f in lint(path, source)
        if f.rule.startswith(prefix)
    ]


def notebook(*cells: tuple[str, str, list[str]]) -> str:
    """A notebook with (cell_type, source, outputs-text) cells, one JSON line per source line."""
    out = []
    for kind, source, outputs in cells:
        cell: dict[str, object] = {
            "cell_type": kind,
            "metadata": {},
            "source": source.splitlines(keepends=True),
        }
        if kind == "code":
            cell["execution_count"] = 1
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": [t]} for t in outputs
            ]
        out.append(cell)
    return json.dumps({"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


# --- the data --------------------------------------------------------------------------


def test_every_endpoint_and_model_entry_is_well_formed_and_cites_a_source() -> None:
    kinds = {"removed", "misspelt-host", "version-path", "api-version"}
    for provider in DB.providers:
        for entry in provider.section("endpoints") or ():
            assert entry.get("source"), (provider.id, entry)
            kind = entry.get("kind", "removed")
            assert kind in kinds, (provider.id, entry)
            assert entry.get("status", "removed") in {"removed", "deprecated", "legacy"}
            if kind == "removed":
                assert entry.get("path") or entry.get("host"), entry
                assert entry.get("replacement"), entry
            if entry.get("since") is not None:
                assert kl4_endpoints.as_date(entry["since"]) is not None, entry
            if entry.get("path"):
                assert str(entry["path"]).startswith("/"), entry
        for entry in provider.section("models") or ():
            assert entry.get("source") and entry.get("replacement"), (provider.id, entry)
            dated = entry.get("shutdown", entry.get("deprecated"))  # deprecated: no shutdown
            assert kl4_endpoints.as_date(dated) is not None, entry


def test_model_names_are_unique() -> None:
    names = [str(m["name"]).lower() for p in DB.providers for m in (p.section("models") or ())]
    assert len(names) == len(set(names))


def test_prefilter_sees_the_hosts_paths_and_models() -> None:
    literals = literals_from(DB)
    for word in ("api-inference.huggingface.co", "/v1/engines", "text-davinci-003", "claude-2.1"):
        assert word in literals


# --- KL401 removed-endpoint --------------------------------------------------------------


def test_removed_endpoint_in_a_multiline_curl_command() -> None:
    source = (
        "#!/bin/sh\n"
        "# a comment about https://api.openai.com/v1/engines is not reported\n"
        "curl https://api.openai.com/v1/engines/davinci/completions \\\n"
        '  -H "Authorization: Bearer $OPENAI_API_KEY" \\\n'
        '  -d \'{"prompt": "hi"}\'\n'
    )
    assert positions(lint("smoke.sh", source), "KL401") == [(3, 6)]


def test_removed_endpoint_message_gives_date_and_replacement() -> None:
    (finding,) = [
        f
        for f in lint("a.py", 'URL = "https://api.openai.com/v1/fine-tunes/ft-1/events"\n')
        if f.rule == "KL401"
    ]
    assert (finding.span.line, finding.span.column) == (1, 8)
    assert "2024-01-04" in finding.message and "/v1/fine_tuning/jobs" in finding.message
    assert finding.provider == "openai" and finding.severity is Severity.ERROR


def test_removed_endpoint_in_python_fstring_below_a_base() -> None:
    source = (
        "import requests\n"
        'BASE = "https://api.openai.com/v1"\n'
        'url = BASE + "/answers"\n'
        'requests.post(f"{BASE}/engines/{engine}/completions", json={})\n'
        'requests.post(f"{BASE}/chat/completions", json={})\n'
    )
    assert positions(lint("client.py", source), "KL401") == [(3, 15), (4, 23)]


def test_host_less_paths_need_the_provider_in_the_file() -> None:
    assert positions(lint("routes.py", 'ROUTES = ["/v1/answers", "/v1/search"]\n'), "KL401") == []
    # /v1/engines belongs to OpenAI alone: reported without its host.
    assert positions(lint("routes.py", 'PATH = "/v1/engines"\n'), "KL401") == [(1, 9)]
    scoped = 'import openai\nPATH = "/v1/search"\n'
    assert positions(lint("client.py", scoped), "KL401") == [(2, 9)]


def test_complete_is_not_completions() -> None:
    source = (
        'A = "https://api.anthropic.com/v1/complete"\n'
        'B = "https://api.openai.com/v1/completions"\n'
        'C = "https://api.anthropic.com/v1/messages"\n'
    )
    findings = [f for f in lint("urls.py", source) if f.rule == "KL401"]
    assert [(f.span.line, f.span.column) for f in findings] == [(1, 6)]
    assert findings[0].severity is Severity.INFO  # legacy: still answers, no date


def test_removed_endpoint_in_js_yaml_json() -> None:
    js = (
        "const res = await fetch(\n"
        '  "https://api-inference.huggingface.co/models/gpt2",\n'
        "  { method: 'POST' },\n"
        ");\n"
    )
    assert positions(lint("client.js", js), "KL401") == [(2, 4)]
    yaml = "cohere:\n  url: https://api.cohere.com/v1/generate\n"
    assert positions(lint("config.yaml", yaml), "KL401") == [(2, 8)]
    jsonc = '{\n  "endpoint": "https://api.cohere.ai/v2/chat"\n}\n'
    assert positions(lint("config.json", jsonc), "KL401") == [(2, 16)]


def test_markdown_code_blocks_are_checked_and_prose_is_not() -> None:
    source = (
        "# Usage\n"
        "\n"
        "The old `https://api.openai.com/v1/engines` endpoint is gone.\n"
        "\n"
        "```bash\n"
        "curl https://api.openai.com/v1/edits -d @body.json\n"
        "```\n"
        "\n"
        "    curl https://api-inference.huggingface.co/models/gpt2\n"
    )
    assert positions(lint("docs/usage.md", source), "KL401") == [(6, 6), (9, 10)]


def test_notebook_code_is_checked_and_outputs_are_not() -> None:
    source = notebook(
        (
            "code",
            'URL = "https://api.openai.com/v1/engines"\n',
            ["https://api.openai.com/v1/edits"],
        ),
        ("markdown", "See https://api.openai.com/v1/search\n", []),
    )
    findings = [f for f in lint("explore.ipynb", source) if f.rule == "KL401"]
    assert len(findings) == 1
    assert "/v1/engines" in findings[0].message


def test_scheduled_endpoint_removal_is_info_until_the_day(on_day) -> None:
    source = 'URL = "https://api.openai.com/v1/prompts"\n'
    on_day(2026, 11, 25)
    (before,) = [f for f in lint("a.py", source) if f.rule == "KL401"]
    assert before.severity is Severity.INFO and "will be removed on 2026-11-30" in before.message
    on_day(2026, 11, 30)
    (after,) = [f for f in lint("a.py", source) if f.rule == "KL401"]
    assert after.severity is Severity.ERROR and "was removed on 2026-11-30" in after.message


def test_current_endpoints_are_quiet() -> None:
    source = (
        'A = "https://api.openai.com/v1/chat/completions"\n'
        'B = "https://api.anthropic.com/v1/messages"\n'
        'C = "https://router.huggingface.co/v1/chat/completions"\n'
        'D = "https://api.cohere.com/v2/chat"\n'
        'E = "https://example.com/v1/engines"\n'
    )
    assert codes("urls.py", source, "KL40") == []


# --- KL402 misspelt-provider-host, KL403 insecure-provider-url ---------------------------


def test_misspelt_hosts() -> None:
    source = (
        'A = "https://api.openai.org/v1"\n'
        'B = "https://api.anthropic.ai/v1/messages"\n'
        'C = "https://openai.com/v1/chat/completions"\n'
        'D = "https://openai.com/blog"\n'
        'E = "https://api.opeanai.com/v1"\n'
        'F = "https://api.deepseek.com"\n'
    )
    assert positions(lint("urls.py", source), "KL402") == [(1, 14), (2, 14), (3, 14), (5, 14)]


def test_misspelt_host_as_a_bare_value() -> None:
    source = "OPENAI_HOST=api.openai.org\n"
    (finding,) = [f for f in lint("deploy.sh", source) if f.rule == "KL402"]
    assert (finding.span.line, finding.span.column, finding.span.end_column) == (1, 13, 27)
    assert "api.openai.com" in finding.message


def test_http_to_a_provider() -> None:
    source = "llm:\n  base_url: http://api.openai.com/v1\n  local: http://localhost:8080/v1\n"
    assert positions(lint("settings.yaml", source), "KL403") == [(2, 13)]
    wildcard = 'AZURE = "http://my-res.openai.azure.com/openai/v1/"\n'
    assert positions(lint("a.py", wildcard), "KL403") == [(1, 10)]


# --- KL404 base-url-missing-version, KL405 retired-api-version ---------------------------


def test_base_url_missing_version() -> None:
    source = (
        "from openai import OpenAI\n"
        'a = OpenAI(base_url="https://api.openai.com")\n'
        'b = OpenAI(base_url="https://api.groq.com")\n'
        'c = OpenAI(base_url="https://api.groq.com/openai/v1")\n'
        'd = OpenAI(base_url="https://openrouter.ai/v1")\n'
    )
    assert positions(lint("clients.py", source), "KL404") == [(2, 22), (3, 22), (5, 22)]


def test_base_url_for_the_providers_own_sdk_is_quiet() -> None:
    source = (
        "from groq import Groq\n"
        "from anthropic import Anthropic\n"
        'g = Groq(base_url="https://api.groq.com")\n'
        'a = Anthropic(base_url="https://api.anthropic.com")\n'
    )
    assert positions(lint("clients.py", source), "KL404") == []


def test_base_url_in_env_and_js() -> None:
    assert positions(lint(".env", "OPENAI_API_BASE=https://api.openai.com/\n"), "KL404") == [
        (1, 17)
    ]
    js = 'const client = new OpenAI({\n  baseURL: "https://api.x.ai",\n});\n'
    assert positions(lint("client.js", js), "KL404") == [(2, 13)]


def test_retired_azure_api_versions() -> None:
    source = (
        "from openai import AzureOpenAI\n"
        'a = AzureOpenAI(api_version="2023-03-15-preview")\n'
        'b = AzureOpenAI(api_version="2024-10-21")\n'
        "URL = (\n"
        '    f"{endpoint}/openai/deployments/{d}/chat/completions"\n'
        '    "?api-version=2023-08-01-preview"\n'
        ")\n"
    )
    assert positions(lint("azure.py", source), "KL405") == [(2, 30), (6, 19)]
    env = (
        "AZURE_OPENAI_ENDPOINT=https://x.openai.azure.com\nOPENAI_API_VERSION=2023-09-01-preview\n"
    )
    assert positions(lint(".env", env), "KL405") == [(2, 20)]


# --- KL451 retired-model, KL452 model-shutdown-scheduled ---------------------------------


def test_retired_model_across_file_kinds() -> None:
    assert positions(
        lint("a.py", 'client.chat.completions.create(model="gpt-4-32k")\n'), "KL451"
    ) == [(1, 39)]
    assert positions(lint(".env", "OPENAI_MODEL=gpt-3.5-turbo-0301\n"), "KL451") == [(1, 14)]
    assert positions(lint("c.yaml", "llm:\n  model: 'claude-2.1'\n"), "KL451") == [(2, 11)]
    assert positions(lint("c.json", '{"model": "gemini-1.5-pro"}\n'), "KL451") == [(1, 12)]
    js = "const r = await client.messages.create({ model: 'claude-3-opus-20240229' });\n"
    assert positions(lint("a.ts", js), "KL451") == [(1, 50)]


def test_retired_model_message_follows_the_replacement_chain() -> None:
    (finding,) = [
        f
        for f in lint("a.py", 'llm = OpenAI(model_name="text-davinci-003")\n')
        if f.rule == "KL451"
    ]
    assert "2024-01-04" in finding.message
    assert "`gpt-5.6-terra`" in finding.message
    assert "gpt-3.5-turbo-instruct" in finding.message  # the announced one, itself retired
    assert finding.category.value == "deprecated-model" and finding.provider == "openai"


def test_ambiguous_names_need_a_model_slot() -> None:
    source = (
        'PAINTER = "davinci"\n'
        'ENGINE = "davinci"\n'
        'if model.startswith("gpt-4"):\n'
        '    model = "gpt-4"\n'
        'cmd = "command"\n'
        'co.chat(model="command-r", message=m)\n'
    )
    assert positions(lint("a.py", source), "KL451") == [(2, 11), (4, 14)]
    # command-r is deprecated with no shutdown date (Cohere): info, not "shut down"
    assert positions(lint("a.py", source), "KL452") == [(6, 16)]


def test_listed_model_names_are_low_confidence() -> None:
    # A list of names is a table, not a request: shown only with --min-confidence low.
    source = 'MODELS = ["gpt-4o", "text-davinci-003", "claude-instant-1.2"]\n'
    assert positions(lint("a.py", source), "KL451") == []
    low = [f for f in lint("a.py", source, min_confidence="low") if f.rule == "KL451"]
    assert [(f.span.line, f.span.column, f.confidence.value) for f in low] == [
        (1, 22, "low"),
        (1, 42, "low"),
    ]
    assert {f.confidence_reason for f in low} == {"listed in a table, type or collection, not sent"}


def test_routing_prefixes_and_json_bodies_and_gemini_paths() -> None:
    source = (
        'litellm.completion(model="openai/gpt-3.5-turbo-0613", messages=m)\n'
        'litellm.completion(model="models/gemini-pro", messages=m)\n'
        'URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.0-pro:generateContent"\n'
    )
    assert positions(lint("a.py", source), "KL451") == [(1, 34), (2, 34), (3, 64)]
    curl = (
        "curl https://api.deepseek.com/chat/completions \\\n"
        '  -H "Authorization: Bearer $DEEPSEEK_API_KEY" \\\n'
        '  -d \'{"model": "deepseek-chat", "messages": []}\'\n'
    )
    assert positions(lint("call.sh", curl), "KL451") == [(3, 18)]


def test_models_in_prose_comments_and_outputs_are_quiet() -> None:
    md = (
        "We moved from `text-davinci-003` to `gpt-5.6-terra`.\n\n"
        "```python\nmodel = 'gpt-5.6-sol'\n```\n"
    )
    assert positions(lint("README.md", md), "KL451") == []
    py = '# model = "text-davinci-003"\n"""Docs: model="claude-2.1"."""\nMODEL = "gpt-4o"\n'
    assert positions(lint("a.py", py), "KL451") == []
    nb = notebook(("code", 'model = "gpt-5.5"\n', ['{"model": "claude-2.1"}']))
    assert positions(lint("n.ipynb", nb), "KL451") == []


def test_current_models_are_quiet() -> None:
    source = (
        'a = client.responses.create(model="gpt-5.5")\n'
        'b = client.messages.create(model="claude-sonnet-4-6")\n'
        'c = client.models.generate_content(model="gemini-3.5-flash")\n'
        'd = client.chat.completions.create(model="deepseek-flash")\n'
    )
    assert codes("a.py", source, "KL45") == []


def test_announced_shutdown_is_info_then_an_error(on_day) -> None:
    source = 'client.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=m)\n'
    on_day(2026, 11, 25)
    findings = [f for f in lint("a.py", source) if f.rule.startswith("KL45")]
    assert [(f.rule, f.span.column, f.severity) for f in findings] == [("KL452", 31, Severity.INFO)]
    assert "2026-11-30" in findings[0].message and "claude-sonnet-5-5" in findings[0].message
    on_day(2026, 11, 30)
    findings = [f for f in lint("a.py", source) if f.rule.startswith("KL45")]
    assert [(f.rule, f.span.column, f.severity) for f in findings] == [
        ("KL451", 31, Severity.ERROR)
    ]


def test_model_in_a_markdown_python_block_and_notebook_code() -> None:
    md = "Example:\n\n```python\nclient.chat.completions.create(model='gpt-4-0314')\n```\n"
    assert positions(lint("docs/guide.md", md), "KL451") == [(4, 39)]
    nb = notebook(
        ("code", "import openai\nr = openai.Completion.create(engine='text-curie-001')\n", [])
    )
    findings = [f for f in lint("n.ipynb", nb) if f.rule == "KL451"]
    assert len(findings) == 1 and "text-curie-001" in findings[0].message


# --- false positives found on real code (litellm 1.110, openai 0.28.1) ------------------------


def test_code_that_tests_for_a_model_name_is_quiet() -> None:
    source = (
        'if model == "gpt-3.5-turbo-0301":\n'
        "    pass\n"
        'if "claude-2.1" in model or "o1" in model:\n'
        "    pass\n"
        'if model in ("gpt-4-32k", "gpt-4.5-preview"):\n'
        "    pass\n"
        'if model.startswith("text-davinci-003"):\n'
        "    pass\n"
        'if any(m in model for m in ["claude-instant-1.2", "x"]):\n'
        "    pass\n"
    )
    assert codes("a.py", source, "KL45") == []


def test_object_keys_and_ui_hints_are_quiet() -> None:
    js = 'const DEPRECATED = {"claude-1.3": "November 6th, 2024", "claude-2.0": "July 21st"};\n'
    assert codes("a.js", js, "KL45") == []
    json_ = '{"default_model_placeholder": "gpt-3.5-turbo", "help": "was text-davinci-003"}\n'
    assert codes("fields.json", json_, "KL45") == []


def test_host_less_paths_in_sentences_routes_and_other_apis_are_quiet() -> None:
    source = (
        "import openai\n"
        'HOST = "https://api.openai.com"\n'
        'log.debug("skipping the legacy /v1/fine-tunes suffix")\n'
        '@router.post("/v1/assistants")\n'
        "def create_assistant(): ...\n"
        '@router.get(\n    "/v1/threads/{thread_id}",\n)\n'
        "def get_thread(): ...\n"
        'url = f"{vector_store_id}/search"\n'
        'url = f"{api_base}/search"\n'
    )
    assert positions(lint("proxy.py", source), "KL401") == [(11, 19)]


def test_base_urls_of_libraries_that_append_the_version_are_quiet() -> None:
    source = (
        'api_base = "https://api.openai.com"\n'
        'url = f"{api_base}/v1/models"\n'
        'client = openai.OpenAI(base_url="https://api.openai.com")\n'
    )
    assert positions(lint("a.py", source), "KL404") == [(3, 34)]


def test_strings_standing_as_comments_are_prose() -> None:
    source = (
        "def cost(model):\n"
        '    """Docstring: model="claude-2.1"."""\n'
        "    key = model\n"
        '    """\n'
        '    Option 2. model = "openai/gpt-4" - looked up as provider/model\n'
        '    Endpoint was "https://api.openai.com/v1/engines" before.\n'
        '    """\n'
        "    return key\n"
    )
    assert codes("cost.py", source) == []


def test_quoted_models_finds_what_the_alternation_regex_found() -> None:
    """Index.quoted_models (an automaton) answers as the regex it replaced: every
    distinctive model name with a quote right before and right after, leftmost first."""
    import random
    import re

    from keylint.checks import kl4_endpoints
    from keylint.providers import load

    idx = kl4_endpoints.index(load())
    distinctive = sorted(
        (re.escape(m.name) for m in idx.models.values() if not m.named_only), key=len, reverse=True
    )
    regex = re.compile(r"(?<=[\"'])(?:" + "|".join(distinctive) + r")(?=[\"'])")
    names = [m.name for m in idx.models.values()]
    rng = random.Random(7)
    for _ in range(3000):
        pieces = [
            rng.choice(['"', "'", "", " ", "x"])
            + rng.choice(names)
            + rng.choice(['"', "'", "", " ", "-x", "\"'"])
            for _ in range(rng.randint(1, 5))
        ]
        raw = rng.choice(["", " ", "\udc80"]).join(pieces)
        assert list(idx.quoted_models(raw)) == [m.span() for m in regex.finditer(raw)]


def test_misspelt_host_lookup_by_length_finds_what_a_walk_of_the_hosts_finds() -> None:
    """KL402 compares a host only with provider hosts one letter longer or shorter or of
    its length; the answer is the first host a walk over all of them finds."""
    import random

    from keylint.checks import kl4_endpoints
    from keylint.checks.kl402_misspelt_provider_host import (
        _MIN_TYPO_LENGTH,
        MisspeltProviderHost,
        _domain,
    )
    from keylint.distance import osa_distance
    from keylint.providers import load

    db = load()
    idx = kl4_endpoints.index(db)

    class Ctx:
        pass

    ctx = Ctx()
    ctx.db = db  # type: ignore[attr-defined]

    def walk(host: str):
        for known, provider in idx.exact_hosts.items():
            if (
                len(known) >= _MIN_TYPO_LENGTH
                and _domain(known) != _domain(host)
                and osa_distance(host, known, 2) == 1
            ):
                return known, provider
        return None

    rng = random.Random(3)
    probes = []
    for known in idx.exact_hosts:
        for _ in range(6):
            i = rng.randrange(len(known))
            c = rng.choice("aeiostx.-")
            probes += [
                known[:i] + c + known[i:],
                known[:i] + known[i + 1 :],
                known[:i] + c + known[i + 1 :],
            ]
    rule = MisspeltProviderHost()
    found = 0
    for host in probes:
        if kl4_endpoints.provider_for_host(db, host) is not None:
            continue
        assert rule._near(ctx, idx, host) == walk(host), host  # type: ignore[arg-type]
        found += walk(host) is not None
    assert found > 100


def test_a_host_spelt_with_letters_that_fold_to_ascii_is_still_a_url() -> None:
    """`ı`, `İ`, `ſ` and the Kelvin sign fold to ASCII letters: URLs holding them are found
    (non-ASCII values are searched with IGNORECASE proper), and KL402 reports the host."""
    source = (
        "import openai\n"
        'c = openai.OpenAI(base_url="https://api.openaı.com/v1")\n'
        'd = openai.OpenAI(base_url="https://api.anthropİc.com/v1")\n'
        'e = openai.OpenAI(base_url="httpſ://api.opemai.com/v1")\n'
        'f = openai.OpenAI(base_url="https://api.\u212aroq.com/v1")\n'
    )
    found = positions(lint("app.py", source), "KL402")
    assert found == [(2, 37), (3, 37), (4, 37), (5, 37)]
