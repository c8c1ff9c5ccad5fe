"""The false-positive classes measured on real repositories (README "Right when it speaks"):
each synthetic example gives no finding at the default confidence, next to the true case
that still fires at its exact position.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import lint
from keylint.cli import cli


def found(path: str, source: str, code: str, **kw: object) -> list[tuple[int, int, str]]:
    return [
        (f.span.line, f.span.column, f.confidence.value)
        for f in lint(path, source, **kw)  # type: ignore[arg-type]
        if f.rule == code
    ]


SENT = 'client.completions.create(model="text-davinci-003", prompt=p)\n'


def test_true_case_a_retired_model_sent_to_the_api() -> None:
    assert found("app.py", SENT, "KL451") == [(1, 34, "high")]


@pytest.mark.parametrize(
    "source",
    [
        # 1. tables, type lists and lookups
        'from typing import Literal\nChatModel = Literal["text-davinci-003", "gpt-5.5"]\n',
        'CONTEXT = {"text-davinci-003": 4097, "gpt-5.5": 400000}\n',
        'PRICES = [("text-davinci-003", 0.02)]\n',
        'if model.startswith("text-davinci-003"):\n    pass\n',
        'if model in ("text-davinci-003", "claude-2.1"):\n    pass\n',
        'limit = CONTEXT["text-davinci-003"]\n',
        # 4. used only locally: tokenizers and token counting
        'import tiktoken\nenc = tiktoken.encoding_for_model("text-davinci-003")\n',
        'def count_tokens(text, model="text-davinci-003"):\n    return len(text)\n',
        # an Azure deployment name is the user's own label
        'client = AzureOpenAI(azure_deployment="text-davinci-003")\n',
        # a label passed where a service is picked, not the model sent
        'settings = PromptExecutionSettings(service_id="text-davinci-003")\n',
    ],
)
def test_model_names_that_are_not_sent_are_hidden(source: str) -> None:
    assert found("app.py", source, "KL451") == []


def test_listed_models_are_still_there_at_low_confidence() -> None:
    # A value under a name that is not a model setting may still reach a call: medium.
    source = 'ALIASES = {"fast": "text-davinci-003"}\nMODELS = ["claude-2.1"]\n'
    assert found("app.py", source, "KL451", min_confidence="low") == [
        (1, 21, "medium"),
        (2, 12, "low"),
    ]


def test_model_names_in_tests_are_low_confidence() -> None:
    # 2. a test with a mocked transport sends nothing
    assert found("tests/test_client.py", SENT, "KL451") == []
    assert found("tests/test_client.py", SENT, "KL451", min_confidence="low") == [(1, 34, "low")]


def test_model_names_in_generated_sdk_types_are_hidden() -> None:
    source = (
        "# File generated from our OpenAPI spec by Stainless.\n"
        "from typing import Literal\n"
        'Model = Literal["text-davinci-003"]\n'
        'DEFAULT = "text-davinci-003"\n'
    )
    assert found("src/sdk/types/model.py", source, "KL451") == []


def test_sentences_are_not_keys() -> None:
    # 3. natural language in a key slot: an i18n catalogue, a UI string
    i18n = '{"missing_api_key": "API キーがありません", "api_key": "Set this to your API key"}\n'
    assert lint("locales/ja.json", i18n) == []
    assert lint("app/config.json", i18n) == []
    assert found("app.ts", "const apiKey = process.env.OPENAI_API_KEY as string;\n", "KL212") == []


def test_true_case_a_key_broken_by_a_space() -> None:
    # A key wrapped when copied: its halves keep digits and symbols on both sides.
    source = "llm:\n  api_key: 'Ab12Cd34 Ef56Gh78Ij90Kl12'\n"
    assert found("config.yaml", source, "KL212") == [(2, 21, "high")]


def test_dotenv_names_in_templates_are_low_confidence() -> None:
    # 5. `AZURE-OPENAI-ENDPOINT=` mirrors Key Vault names; python-dotenv reads it as written
    template = "AZURE-OPENAI-ENDPOINT=\nAZURE-OPENAI-KEY=\n"
    assert found(".env.template", template, "KL706") == []
    assert found(".env", template, "KL706") == [(1, 1, "high"), (2, 1, "high")]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        # 6. files meant to be filled in
        ("config_template.yaml", "openai:\n  api_key: YOUR_API_KEY\n"),
        ("settings.example.py", 'OPENAI_API_KEY = "your-key-here"\n'),
        ("examples/chat.py", 'client = OpenAI(api_key="...")\n'),
        (
            "config.py",
            '"""Priority: environment > config_private.py > config.py"""\n'
            'API_KEY = "YOUR_API_KEY"\n',
        ),
        # a guard against the placeholder is not a use of it
        ("app.py", 'if api_key == "YOUR_API_KEY":\n    raise SystemExit("set it")\n'),
        # a deliberate dummy for a local server that needs no key
        ("app.py", 'client = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")\n'),
    ],
)
def test_placeholders_meant_to_be_replaced_are_hidden(path: str, source: str) -> None:
    assert found(path, source, "KL201") == []


def test_true_case_a_placeholder_in_running_code() -> None:
    assert found("app/main.py", 'client = OpenAI(api_key="YOUR_API_KEY")\n', "KL201") == [
        (1, 26, "high")
    ]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        # 8. dummy credentials in tests, CI and docs
        ("tests/test_db.py", 'db.connect(password="Xq9#vR2mLp4z")\n'),
        (
            ".github/workflows/ci.yml",
            "jobs:\n  t:\n    services:\n      pg:\n        env:\n"
            "          POSTGRES_PASSWORD: s3cr3t-Pa55w0rd\n",
        ),
        ("docs/setup.md", "```python\ndb.connect(password='Xq9#vR2mLp4z')\n```\n"),
        # a label, not a secret
        ("app/names.py", 'SECRETS = {"OPENAI_API_KEY": "OpenAI"}\nsecret_label = "Schlüssel"\n'),
    ],
)
def test_dummy_credentials_are_hidden(path: str, source: str) -> None:
    assert found(path, source, "KL102") == []


def test_true_case_a_password_in_application_code() -> None:
    assert found("app/db.py", 'db.connect(password="Xq9#vR2mLp4z")\n', "KL102") == [
        (1, 22, "medium")
    ]


def test_aligned_padding_is_deliberate_but_one_sided_padding_is_not() -> None:
    # 10. compose values padded on both sides to align columns
    aligned = "services:\n  app:\n    environment:\n      API_KEY: '  {key:openai-project-key}  '\n"
    assert found("docker-compose.yml", aligned, "KL211") == []
    pasted = "services:\n  app:\n    environment:\n      API_KEY: '{key:openai-project-key} '\n"
    assert [(line, conf) for line, _, conf in found("docker-compose.yml", pasted, "KL211")] == [
        (4, "high")
    ]


def run(tmp_path: Path, files: dict[str, str], *args: str) -> list[tuple[str, int, int, str]]:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["check", "--isolated", "--format", "json", *args, str(tmp_path)]
    )
    assert result.exit_code in (0, 1), result.output[-400:]
    return [
        (Path(f["path"]).name, f["line"], f["column"], f["rule"])
        for f in json.loads(result.stdout)["findings"]
    ]


def test_env_names_set_by_a_loader_keylint_cannot_see_are_low(tmp_path: Path) -> None:
    # 7. a loader copies every key of a config file into os.environ
    files = {
        ".env": "DATABSE_URL=sqlite://\n",
        "app/settings.py": 'import os\ndb = os.environ["DATABASE_URL"]\n',
    }
    assert run(tmp_path, files) == [(".env", 1, 1, "KL307")]
    files["app/loader.py"] = (
        "import json, os\nfor k, v in json.load(open('c.json')).items():\n"
        "    os.environ[k.upper()] = v\n"
    )
    assert run(tmp_path, files) == []
    assert run(tmp_path, files, "--min-confidence", "low") == [(".env", 1, 1, "KL307")]


def test_shell_locals_are_not_env_vars(tmp_path: Path) -> None:
    # 9. `pr_number` is the run script's own variable
    workflow = (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - env:\n          PR_NUMBER: ${{ github.event.number }}\n"
        '        run: |\n          pr_number=$1\n          echo "$pr_number"\n'
    )
    assert run(tmp_path, {".github/workflows/w.yml": workflow}) == []


def test_dotnet_configuration_keys_are_not_sdk_names(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n"
        "      AzureOpenAI__ApiKey: ${{ secrets.AZUREOPENAI__APIKEY }}\n"
        "      OPENAI_KEY: ${{ secrets.OPENAI }}\n"
    )
    assert run(tmp_path, {".github/workflows/w.yml": workflow}) == [("w.yml", 7, 7, "KL301")]


@pytest.mark.parametrize(
    "path",
    ["docs/blog/2023-11-12-assistants/index.md", "docs/decisions/0032-agents.md", "CHANGELOG.md"],
)
def test_dated_records_are_not_asked_to_change(path: str) -> None:
    # A 2023 blog post or a decision record tells what was used then: nobody updates it.
    source = "```python\n" + SENT + "```\n"
    assert found(path, source, "KL451") == []
    assert found("docs/guide.md", source, "KL451") == [(2, 34, "medium")]


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (".github/workflows/ci.yml", "ci"),
        ("ci.yml", "app"),
        ("db.yml", "app"),
        ("src/en.json", "i18n"),
        ("locales/en.yml", "i18n"),
        ("tests/test_a.py", "test"),
        ("dotnet/src/IntegrationTests/testsettings.json", "test"),
        ("src/latest/app.py", "app"),
        ("examples/chat.py", "example"),
        ("docs/blog/2023/post.md", "history"),
    ],
)
def test_file_roles(path: str, role: str) -> None:
    from keylint.analysis import file_role

    assert file_role(path).value == role


def test_an_installer_record_is_not_read() -> None:
    """A wheel's RECORD lists installed files and their hashes: never a key, even when a line
    looks like one (here the same line fires in any other text file)."""
    line = 'OPENAI_API_KEY="{key:openai-project-key}"\n'
    assert found("notes.txt", line, "KL101", min_confidence="low") == [(1, 17, "high")]
    for path in ("openai-1.0.dist-info/RECORD", "lib/site/x_y-2.dist-info/RECORD"):
        assert lint(path, line, min_confidence="low") == []
    assert found("openai-1.0.dist-info/RECORDS", line, "KL101") == [(1, 17, "high")]


def test_an_installer_record_is_not_read_from_inside_its_directory(tmp_path: Path) -> None:
    """Where the file is decides, not how the run names it (`RECORD`, `../RECORD`)."""
    from conftest import render_source, run_isolated

    record = tmp_path / "site" / "openai-1.0.dist-info"
    (record / "licenses").mkdir(parents=True)
    (record / "RECORD").write_text(render_source('OPENAI_API_KEY="{key:openai-project-key}"\n'))
    (record / "NOTES.txt").write_text((record / "RECORD").read_text())
    notes = "openai-1.0.dist-info/NOTES.txt"
    cases = [
        (tmp_path, "site", ["site/" + notes]),
        (record, ".", ["NOTES.txt"]),
        (record, "RECORD", []),
        (record / "licenses", "..", ["../NOTES.txt"]),
    ]
    for cwd, target, shown in cases:
        result = run_isolated(cwd, "--format", "json", target)
        paths = [f["path"] for f in json.loads(result.output)["findings"]]
        assert paths == shown, (cwd, target)


def test_an_installer_record_is_never_opened(tmp_path: Path) -> None:
    """Judged before the read: no size note for a big one, no error for an unreadable one."""
    from keylint.config import Settings
    from keylint.discovery import Target
    from keylint.engine import Engine, FileResult

    record = tmp_path / "pkg-1.0.dist-info" / "RECORD"
    record.parent.mkdir()
    record.write_text("pkg/__init__.py,sha256=abc,12\n" * 100)
    result = Engine(Settings(max_file_size=10)).read(Target(record, "pkg-1.0.dist-info/RECORD"))
    assert isinstance(result, FileResult)
    assert (result.checked, result.note, result.error) == (True, None, None)
