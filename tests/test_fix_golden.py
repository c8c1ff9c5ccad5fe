"""Before/after golden tests for every fix, through the CLI: the exact text after --fix, the
fixed findings gone on a re-lint with nothing new, and a second --fix that changes nothing."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import render_source
from conftest import run_isolated as run
from keylint.cli import cli


def findings(cwd: Path, *args: str) -> list[tuple[str, int, int, str]]:
    result = run(cwd, "--format", "json", *args, ".")
    return [
        (f["path"], f["line"], f["column"], f["rule"])
        for f in json.loads(result.output)["findings"]
    ]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def git_repo(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


# (rule, path, before, after, unsafe?) — keys as {key:FORMAT} templates
CASES = [
    (
        "KL211",
        "app.py",
        'client = OpenAI(api_key="{key:openai-project-key} ")\n',
        'client = OpenAI(api_key="{key:openai-project-key}")\n',
        False,
    ),
    (
        "KL211",
        "config.json",
        '{"api_key": "{key:google-api-key}\\n", "x": 1}\n',
        '{"api_key": "{key:google-api-key}", "x": 1}\n',
        False,
    ),
    (
        "KL213",
        "settings.yaml",
        '# keep me\nllm:\n  api_key: "{key:groq-api-key}\u200b"  # and me\n',
        '# keep me\nllm:\n  api_key: "{key:groq-api-key}"  # and me\n',
        False,
    ),
    (
        "KL214",
        "app.py",
        "client = OpenAI(api_key='\u201c{key:openai-project-key}\u201d')\n",
        "client = OpenAI(api_key='{key:openai-project-key}')\n",
        False,
    ),
    (
        "KL222",
        "app.py",
        'client = OpenAI(api_key="sk-{key:openai-project-key}")\n',
        'client = OpenAI(api_key="{key:openai-project-key}")\n',
        False,
    ),
    (
        "KL223",
        "app.py",
        'client = Anthropic(api_key="Bearer {key:anthropic-api-key}")\n',
        'client = Anthropic(api_key="{key:anthropic-api-key}")\n',
        False,
    ),
    (
        "KL403",
        "settings.toml",
        '# base\n[llm]\nbase_url = "http://api.openai.com/v1"  # gateway\n',
        '# base\n[llm]\nbase_url = "https://api.openai.com/v1"  # gateway\n',
        False,
    ),
    (
        "KL503",
        "client.py",
        'headers = {"Authorization": "Bearer" + key}\n',
        'headers = {"Authorization": "Bearer " + key}\n',
        False,
    ),
    (
        "KL503",
        "call.sh",
        'curl https://api.x.ai/v1/models -H "Authorization: Bearer: $XAI_API_KEY"\n',
        'curl https://api.x.ai/v1/models -H "Authorization: Bearer $XAI_API_KEY"\n',
        False,
    ),
    (
        "KL503",
        "client.py",
        'headers = {"Authorization": f"Bearer:{key}"}\n',
        'headers = {"Authorization": f"Bearer {key}"}\n',
        False,
    ),
    (
        "KL505",
        "client.py",
        'def call(key):\n    headers = {"Authorization": "Bearer {key}"}\n',
        'def call(key):\n    headers = {"Authorization": f"Bearer {key}"}\n',
        False,
    ),
    (  # `key` is not bound there: the f-string would raise NameError, so only unsafe
        "KL505",
        "client.py",
        'def call(k):\n    headers = {"Authorization": "Bearer {key}"}\n',
        'def call(k):\n    headers = {"Authorization": f"Bearer {key}"}\n',
        True,
    ),
    (
        "KL505",
        "call.sh",
        "curl https://api.openai.com/v1/models -H 'Authorization: Bearer $OPENAI_API_KEY'\n",
        'curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY"\n',
        False,
    ),
    (
        "KL701",
        ".env",
        "# app\nAPP_NAME = 'demo'  # name\nB=2\n",
        "# app\nAPP_NAME='demo'  # name\nB=2\n",
        False,
    ),
    (
        "KL451",
        "app.py",
        'client.completions.create(model="text-davinci-003", prompt=p)\n',
        None,  # the data's replacement: checked below
        True,
    ),
    (
        "KL602",
        "app.py",
        'from transformers import AutoModel\n\nm = AutoModel.from_pretrained("o/m", '
        "use_auth_token=True)\n",
        'from transformers import AutoModel\n\nm = AutoModel.from_pretrained("o/m", token=True)\n',
        True,
    ),
    (
        "KL603",
        "app.py",
        "import openai\n\ntry:\n    call()\nexcept openai.InvalidRequestError:\n    pass\n",
        "import openai\n\ntry:\n    call()\nexcept openai.BadRequestError:\n    pass\n",
        True,
    ),
    (
        "KL603",
        "app.py",
        "import openai\n\ntry:\n    call()\nexcept (openai.Timeout, KeyError):\n    pass\n",
        "import openai\n\ntry:\n    call()\nexcept (openai.APITimeoutError, KeyError):\n    pass\n",
        True,
    ),
]


@pytest.mark.parametrize(("rule", "path", "before", "after", "unsafe"), CASES)
def test_fix_golden(
    tmp_path: Path, rule: str, path: str, before: str, after: str | None, unsafe: bool
) -> None:
    repo = git_repo(tmp_path)
    (repo / ".gitignore").write_text("")
    source = render_source(before)
    (repo / path).write_text(source)
    select = ("--select", rule)
    flags = ("--fix", "--unsafe-fixes") if unsafe else ("--fix",)
    found = findings(repo, *select)
    assert found, "the rule must report before the fix"
    all_before = findings(repo)
    if unsafe:  # an unsafe fix is not applied by a plain --fix
        run(repo, *select, "--fix", ".")
        assert (repo / path).read_text() == source
    result = run(repo, "--format", "json", *select, *flags, ".")
    doc = json.loads(result.output)
    assert doc["findings"] == []
    assert doc["summary"]["fixed"] == len(found)
    fixed = (repo / path).read_text()
    if after is not None:
        assert fixed == render_source(after)
    else:
        assert fixed != source
    # re-lint with every rule: the fixed findings gone, nothing new
    remaining = findings(repo)
    assert not Counter((f[0], f[3]) for f in remaining) - Counter(
        (f[0], f[3]) for f in all_before
    )  # positions move with the edit; rules and files must not be new
    assert not [f for f in remaining if f[3] == rule]
    # a second --fix changes nothing
    again = snapshot(repo)
    run(repo, *select, *flags, ".")
    assert snapshot(repo) == again


def test_retired_model_is_replaced_by_the_datas_replacement(tmp_path: Path) -> None:
    from keylint.checks.kl4_endpoints import index, replacement_chain, today
    from keylint.providers import load

    idx = index(load())
    model = idx.models["text-davinci-003"]
    replacement, _ = replacement_chain(idx, model, today())
    (tmp_path / "app.py").write_text('create(model="text-davinci-003", prompt=p)\n')
    run(tmp_path, "--select", "KL451", "--fix", "--unsafe-fixes", ".")
    assert (tmp_path / "app.py").read_text() == f'create(model="{replacement}", prompt=p)\n'


def test_renamed_env_var_everywhere_in_one_run(tmp_path: Path) -> None:
    repo = git_repo(tmp_path)
    (repo / "requirements.txt").write_text("openai>=1.3\n")
    (repo / ".env").write_text("# gateway\nOPENAI_API_BASE=https://gw.example.com/v1\n")
    compose = (
        "services:\n  app:\n    environment:\n"
        "      OPENAI_API_BASE: ${OPENAI_API_BASE}\n      OPENAI_ORGANIZATION: org-1\n"
    )
    (repo / "docker-compose.yml").write_text(compose)
    (repo / "app.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    before = findings(repo, "--select", "KL302")
    assert {f[0] for f in before} == {".env", "docker-compose.yml"}
    result = run(repo, "--select", "KL302", "--fix", ".")
    assert result.exit_code == 0, result.output
    assert (repo / ".env").read_text() == "# gateway\nOPENAI_BASE_URL=https://gw.example.com/v1\n"
    assert (repo / "docker-compose.yml").read_text() == (
        "services:\n  app:\n    environment:\n"
        "      OPENAI_BASE_URL: ${OPENAI_BASE_URL}\n      OPENAI_ORG_ID: org-1\n"
    )
    assert findings(repo, "--select", "KL3") == []


def test_typographic_dash_is_an_unsafe_fix(tmp_path: Path) -> None:
    key = render_source("{key:openai-project-key}")
    broken = key[:2] + "\u2013" + key[3:]  # sk-proj- → sk–proj-
    (tmp_path / "app.py").write_text(f'client = OpenAI(api_key="{broken}")\n')
    run(tmp_path, "--select", "KL214", "--fix", ".")
    assert (tmp_path / "app.py").read_text() == f'client = OpenAI(api_key="{broken}")\n'
    run(tmp_path, "--select", "KL214", "--fix", "--unsafe-fixes", ".")
    assert (tmp_path / "app.py").read_text() == f'client = OpenAI(api_key="{key}")\n'


def test_diff_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    key = render_source("{key:groq-api-key}")
    (tmp_path / "prod.env").write_text(f"GROQ_API_KEY={key} \nA = 1\n")
    before = snapshot(tmp_path)
    result = run(tmp_path, "--diff", ".")
    assert result.exit_code == 1
    assert snapshot(tmp_path) == before
    assert "--- a/prod.env\n+++ b/prod.env\n" in result.output
    assert "\n-A = 1\n" in result.output
    assert "\n+A=1\n" in result.output
    assert key not in result.output  # the key line is shown redacted
    assert key[:8] in result.output
    run(tmp_path, "--fix", ".")
    clean = run(tmp_path, "--diff", ".")
    assert clean.exit_code == 0
    assert clean.output.startswith("Would fix 0")


def test_show_fixes_lists_what_was_fixed(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("APP_NAME = demo\n")
    result = run(tmp_path, "--fix", "--show-fixes", ".")
    assert "Fixed (1):\n  .env:1:10 KL701 remove the blanks around `=` (safe)" in (result.output)


def test_rules_show_fixability() -> None:
    def run_cmd(*args: str) -> str:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False).output

    listing = run_cmd("rules").splitlines()
    row = next(line for line in listing if line.startswith("KL701"))
    assert "[*]" in row
    row = next(line for line in listing if line.startswith("KL601"))
    assert "(*)" in row
    row = next(line for line in listing if line.startswith("KL104"))
    assert "[*]" not in row and "(*)" not in row
    assert "Fix: sometimes available (unsafe)" in run_cmd("rule", "KL601")
    assert "Fix: not fixable" in run_cmd("rule", "KL104")
    doc = json.loads(run_cmd("rules", "--format", "json"))
    assert {r["code"]: r["fix_applicability"] for r in doc}["KL503"] == "safe"


def test_diff_of_a_split_key_shows_no_piece_of_it(tmp_path: Path) -> None:
    key = render_source("{key:openai-project-key}")
    split = key[:40] + " " + key[40:]
    (tmp_path / "app.py").write_text(f'client = OpenAI(api_key="{split}")\n')
    result = run(tmp_path, "--diff", "--unsafe-fixes", ".")
    assert result.exit_code == 1
    assert "+client = OpenAI(api_key=" in result.output
    longest = max(
        (
            j - i
            for i in range(len(key))
            for j in range(i + 1, len(key) + 1)
            if key[i:j] in result.output
        ),
        default=0,
    )
    assert longest <= len("sk-proj-") + 4  # the redacted form: prefix and four characters


def test_show_fixes_without_fix_lists_what_is_available(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("APP_NAME = demo\n")
    result = run(tmp_path, "--show-fixes", ".")
    assert "Fixes available (1):\n  .env:1:10 KL701" in result.output
    assert (tmp_path / ".env").read_text() == "APP_NAME = demo\n"


def test_a_safe_fix_of_a_low_confidence_finding_needs_unsafe_fixes(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    source = render_source('client = Groq(api_key="{key:groq-api-key} ")\n')
    (tmp_path / "tests" / "test_app.py").write_text(source)  # a test file: low confidence
    shown = ("--select", "KL211", "--min-confidence", "low")
    doc = json.loads(run(tmp_path, "--format", "json", *shown, ".").output)
    assert [(f["confidence"], f["fix"]["applicability"]) for f in doc["findings"]] == [
        ("low", "unsafe")
    ]
    run(tmp_path, *shown, "--fix", ".")
    assert (tmp_path / "tests" / "test_app.py").read_text() == source
    run(tmp_path, *shown, "--fix", "--unsafe-fixes", ".")
    assert (tmp_path / "tests" / "test_app.py").read_text() == source.replace(' "', '"')


def test_every_invisible_character_of_a_key_goes_in_one_fix(tmp_path: Path) -> None:
    key = render_source("{key:groq-api-key}")
    dirty = key[:10] + "\u200b" + key[10:20] + "\ufeff" + key[20:] + "\u200d"
    (tmp_path / "prod.env").write_text(f"GROQ_API_KEY={dirty}\n")
    result = run(tmp_path, "--select", "KL213", "--fix", ".")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "prod.env").read_text() == f"GROQ_API_KEY={key}\n"
