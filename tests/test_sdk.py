"""deprecated-sdk (KL6xx): import-aware uses of removed SDK APIs, removed keyword arguments
and wrong exception remaps, with exact positions, one finding per use site, and messages
that say what the project pins."""

from __future__ import annotations

import json

import pytest

from conftest import lint, render_source
from keylint.config import Settings
from keylint.engine import Engine
from keylint.findings import Finding


def sdk(path: str, source: str) -> list[tuple[str, int, int]]:
    return [(f.rule, f.span.line, f.span.column) for f in lint(path, source) if f.rule[:3] == "KL6"]


def lint_pinned(path: str, source: str, pins: dict[str, str]) -> list[Finding]:
    engine = Engine(Settings(select=("KL6",)), pins=pins)
    result = engine.lint_bytes(path, render_source(source).encode())
    return engine.collect([result], 1).findings


# --- KL601 removed-sdk-api ----------------------------------------------------------------


def test_openai_v0_calls_through_every_import_form() -> None:
    source = (
        "import openai\n"
        "import openai as oa\n"
        "from openai import ChatCompletion, Embedding as Emb\n"
        "\n"
        "a = openai.ChatCompletion.create(model=m, messages=msgs)\n"
        "b = oa.Completion.create(model=m, prompt=p)\n"
        "c = ChatCompletion.create(model=m, messages=msgs)\n"
        "d = Emb.create(model=m, input=x)\n"
        "e = await openai.ChatCompletion.acreate(model=m, messages=msgs)\n"
        "f = openai.Image.create(prompt=p)\n"
    )
    assert sdk("app.py", source) == [
        ("KL601", 5, 5),
        ("KL601", 6, 5),
        ("KL601", 7, 5),
        ("KL601", 8, 5),
        ("KL601", 9, 11),
        ("KL601", 10, 5),
    ]


def test_messages_name_the_replacement() -> None:
    source = (
        "import openai\n"
        "r = await openai.ChatCompletion.acreate(model=m, messages=msgs)\n"
        "i = openai.Image.create(prompt=p)\n"
    )
    acreate, image = [f for f in lint("app.py", source) if f.rule == "KL601"]
    assert "AsyncOpenAI" in acreate.message and "openai 1.0.0" in acreate.message
    assert "images.generate" in image.message
    assert acreate.category.value == "deprecated-sdk" and acreate.provider == "openai"


def test_one_finding_per_use_site() -> None:
    source = "import openai\nopenai.ChatCompletion.create(model=m, messages=[])\n"
    assert sdk("app.py", source) == [("KL601", 2, 1)]


def test_error_module_reported_at_the_import_not_at_every_use() -> None:
    source = (
        "from openai.error import RateLimitError, APIError\n"
        "from openai import error\n"
        "\n"
        "try:\n"
        "    call()\n"
        "except RateLimitError:\n"
        "    pass\n"
        "except error.Timeout:\n"
        "    pass\n"
    )
    assert sdk("app.py", source) == [("KL601", 1, 6), ("KL601", 2, 20)]


def test_module_import_and_its_uses_are_each_reported() -> None:
    source = (
        "import openai.error\n"
        "\n"
        "try:\n"
        "    call()\n"
        "except (openai.error.RateLimitError, openai.error.InvalidRequestError):\n"
        "    pass\n"
    )
    findings = [f for f in lint("app.py", source) if f.rule == "KL601"]
    assert [(f.span.line, f.span.column) for f in findings] == [(1, 8), (5, 9), (5, 38)]
    assert "`openai.RateLimitError`" in findings[1].message
    assert "openai.BadRequestError" in findings[2].message


def test_removed_module_attributes() -> None:
    source = (
        "import openai\n"
        'openai.api_key = os.environ["OPENAI_API_KEY"]\n'
        'openai.api_base = "https://example.openai.azure.com/"\n'
        'openai.api_type = "azure"  # still read by the module client of openai>=1\n'
        "print(openai.api_version)\n"
        'openai.proxy = {"https": proxy}\n'
        "openai.verify_ssl_certs = False\n"
    )
    assert sdk("app.py", source) == [("KL601", 3, 1), ("KL601", 6, 1), ("KL601", 7, 1)]


def test_anthropic_legacy_completions_through_a_client_variable() -> None:
    source = (
        "import anthropic\n"
        "from anthropic import HUMAN_PROMPT, AI_PROMPT\n"
        "\n"
        "client = anthropic.Anthropic()\n"
        "r = client.completions.create(\n"
        '    model="claude-2.1", prompt=f"{HUMAN_PROMPT} hi{AI_PROMPT}", max_tokens_to_sample=9\n'
        ")\n"
        "m = client.messages.create(model=m, max_tokens=9, messages=[])\n"
    )
    assert sdk("bot.py", source) == [("KL601", 2, 23), ("KL601", 2, 37), ("KL601", 5, 5)]


def test_google_generativeai_import_in_both_forms() -> None:
    source = "import google.generativeai as genai\nfrom google import generativeai\n"
    findings = [f for f in lint("app.py", source) if f.rule == "KL601"]
    assert [(f.span.line, f.span.column) for f in findings] == [(1, 8), (2, 20)]
    assert "2025-11-30" in findings[0].message and "google-genai" in findings[0].message
    quiet = "from google import genai\nclient = genai.Client()\n"
    assert sdk("app.py", quiet) == []


def test_mistral_and_cohere() -> None:
    source = (
        "from mistralai.client import MistralClient\n"
        "import cohere\n"
        "co = cohere.Client(key)\n"
        "r = co.generate(prompt=p)\n"
    )
    findings = [f for f in lint("app.py", source) if f.rule == "KL601"]
    assert [(f.span.line, f.span.column, f.severity.value) for f in findings] == [
        (1, 30, "error"),
        (4, 5, "warning"),
    ]


def test_current_sdk_code_is_quiet() -> None:
    source = (
        "import openai\n"
        "from openai import OpenAI, AsyncOpenAI\n"
        "client = OpenAI()\n"
        "a = openai.OpenAI().chat.completions.create(model=m, messages=msgs)\n"
        "b = client.chat.completions.create(model=m, messages=msgs)\n"
        "c = client.images.generate(prompt=p)\n"
        "d = openai.models.list()\n"
        'openai.api_key = "x"\n'
        "try:\n"
        "    pass\n"
        "except (openai.RateLimitError, openai.APITimeoutError, openai.BadRequestError):\n"
        "    pass\n"
    )
    assert sdk("app.py", source) == []


def test_markdown_python_block_is_checked_and_prose_is_not() -> None:
    source = (
        "Before 1.0 you wrote `openai.ChatCompletion.create(...)`.\n"
        "\n"
        "```python\n"
        "import openai\n"
        "reply = openai.ChatCompletion.create(model=m, messages=msgs)\n"
        "```\n"
    )
    assert sdk("docs/migrate.md", source) == [("KL601", 5, 9)]


def test_notebook_cells() -> None:
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "source": ["import openai\n", "openai.Completion.create(engine='davinci-002')\n"],
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["openai.Edit\n"]}],
        }
    ]
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    found = sdk("n.ipynb", nb)
    assert [code for code, _l, _c in found] == ["KL601", "KL602"]


# --- pins in the message -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pins", "expected"),
    [
        ({}, None),
        ({"openai": "==0.28.1"}, "pins openai==0.28.1, an old SDK past its end of life"),
        ({"openai": "<1"}, "pins openai<1"),
        ({"openai": ">=1.40"}, "pins openai>=1.40, where this fails at run time"),
        ({"openai": ">=0.27"}, None),
    ],
)
def test_message_says_what_the_project_pins(pins: dict[str, str], expected: str | None) -> None:
    source = "import openai\nopenai.ChatCompletion.create(model=m, messages=msgs)\n"
    (finding,) = [f for f in lint_pinned("app.py", source, pins) if f.rule == "KL601"]
    if expected is None:
        assert "pins" not in finding.message
    else:
        assert expected in finding.message


def test_removed_api_is_reported_whatever_the_pins() -> None:
    source = "import anthropic\nx = anthropic.HUMAN_PROMPT\n"
    for pins in ({}, {"anthropic": "==0.40.0"}, {"anthropic": ">=2"}):
        assert [f.rule for f in lint_pinned("a.py", source, pins)] == ["KL601"]


# --- KL602 removed-sdk-kwarg ---------------------------------------------------------------


def test_removed_keyword_arguments() -> None:
    source = (
        "import openai\n"
        "from transformers import AutoTokenizer\n"
        "from huggingface_hub import hf_hub_download\n"
        'openai.Completion.create(engine="davinci-002", prompt=p)\n'
        'tok = AutoTokenizer.from_pretrained("org/m", use_auth_token=True)\n'
        'path = hf_hub_download("org/m", "config.json", use_auth_token=token)\n'
        'tok = AutoTokenizer.from_pretrained("org/m", token=True)\n'
    )
    assert sdk("app.py", source) == [
        ("KL601", 4, 1),
        ("KL602", 4, 26),
        ("KL602", 5, 46),
        ("KL602", 6, 48),
    ]
    kwarg = [f for f in lint("app.py", source) if f.rule == "KL602"]
    assert "`model=`" in kwarg[0].message and "`token=`" in kwarg[1].message


def test_same_keyword_elsewhere_is_quiet() -> None:
    source = (
        "from sqlalchemy import create_engine\n"
        'engine = create_engine("sqlite://", engine="x")\n'
        "load(use_auth_token=True)\n"
    )
    assert sdk("app.py", source) == []


# --- KL603 wrong-exception-remap -------------------------------------------------------------


def test_wrong_remaps() -> None:
    source = (
        "import openai\n"
        "from openai import InvalidRequestError\n"
        "\n"
        "try:\n"
        "    call()\n"
        "except InvalidRequestError:\n"
        "    pass\n"
        "except openai.ServiceUnavailableError:\n"
        "    pass\n"
        "except openai.Timeout:\n"
        "    pass\n"
    )
    assert sdk("app.py", source) == [("KL603", 2, 20), ("KL603", 8, 8), ("KL603", 10, 8)]
    timeout = [f for f in lint("app.py", source) if f.rule == "KL603"][-1]
    assert "catches nothing" in timeout.message and "APITimeoutError" in timeout.message


def test_timeout_as_configuration_is_fine() -> None:
    source = "import openai\nclient = openai.OpenAI(timeout=openai.Timeout(20.0, connect=5.0))\n"
    assert sdk("app.py", source) == []


def test_remap_message_under_an_old_pin() -> None:
    source = "import openai\ntry:\n    f()\nexcept openai.InvalidRequestError:\n    pass\n"
    (finding,) = [
        f for f in lint_pinned("a.py", source, {"openai": "==0.28.1"}) if f.rule == "KL603"
    ]
    assert "0.x the project pins" in finding.message and "BadRequestError" in finding.message


# --- found on real code (openai 0.28.1) --------------------------------------------------------


def test_call_inside_an_attribute_chain_keeps_its_arguments() -> None:
    source = (
        "import openai\n"
        'text = openai.Completion.create(engine="text-ada-001", prompt=p).choices[0].text\n'
        "data = openai.File.download(id=file_id).decode()\n"
    )
    found = [(f.rule, f.span.line, f.span.column) for f in lint("app.py", source)]
    assert [x for x in found if x[0][:3] in ("KL6", "KL4")] == [
        ("KL601", 2, 8),
        ("KL602", 2, 33),
        ("KL451", 2, 41),
        ("KL601", 3, 8),
    ]
    download = [f for f in lint("app.py", source) if f.rule == "KL601"][-1]
    assert download.message.startswith("`openai.File.download` was removed")
