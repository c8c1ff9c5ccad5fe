"""keylint doctor: the effective configuration on this machine, through the CLI.

Each scenario builds a project in tmp_path (code, dotenv files, a virtualenv with a real
dist-info folder) and runs `keylint doctor` with a controlled environment. No key is ever
printed in full: every test checks the output against the raw values it planted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from conftest import fake_key
from keylint.cli import cli
from keylint.doctor import diagnose
from keylint.findings import redact

KEY_A = fake_key("openai-project-key", 1)
KEY_B = fake_key("openai-project-key", 2)
PREFIX = "sk-proj-"
# Variables of the machine running the tests that would change the diagnosis.
_CLEAR = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "VIRTUAL_ENV",
    "PYTHON_DOTENV_DISABLED",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def run(root: Path, env: Mapping[str, str], *args: str) -> Result:
    full: dict[str, str | None] = dict.fromkeys(_CLEAR)
    full.update(env)
    result = CliRunner().invoke(cli, ["doctor", str(root), *args], env=full)
    for raw in (KEY_A, KEY_B, KEY_A + " "):
        assert raw not in result.output, "a key was printed in full"
    return result


def codes(data: Mapping[str, object]) -> list[object]:
    """Problem codes, without the notes about this machine's own Python (no openai here)."""
    problems = data["problems"]
    assert isinstance(problems, list)
    return [p["code"] for p in problems if p["code"] != "sdk-missing"]


def write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def venv_with(root: Path, name: str, version: str) -> None:
    """A project virtualenv holding a real dist-info folder of ``name``."""
    (root / ".venv").mkdir()
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    dist = root / ".venv/lib/python3.11/site-packages" / f"{name}-{version}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")


APP = (
    "from dotenv import load_dotenv\nfrom openai import OpenAI\n\nload_dotenv()\n"
    "client = OpenAI()\n"
)


def test_shell_variable_shadows_the_dotenv_value(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP, ".env": f"OPENAI_API_KEY={KEY_B}\n"})
    result = run(tmp_path, {"OPENAI_API_KEY": KEY_A})
    assert result.exit_code == 1
    a, b = redact(KEY_A, PREFIX), redact(KEY_B, PREFIX)
    assert (
        f" 1. warning OPENAI_API_KEY: your shell exports {a}, .env holds {b}; the app uses "
        "your shell's, because load_dotenv() at app.py:4 does not override a variable that "
        "is already set\n"
    ) in result.output
    assert "fix: unset OPENAI_API_KEY in your shell, or call load_dotenv(override=True)" in (
        result.output
    )
    assert f"your shell  {a}  sha256:" in result.output
    assert "<- used" in result.output.split(f"your shell  {a}")[1].splitlines()[0]

    as_json = run(tmp_path, {"OPENAI_API_KEY": KEY_A}, "--format", "json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.output)
    assert codes(data) == ["shadowed"]
    variable = next(v for v in data["variables"] if v["name"] == "OPENAI_API_KEY")
    assert [s["source"] for s in variable["sources"]] == ["your shell", ".env"]
    assert variable["effective"]["source"] == "your shell"
    assert variable["effective"]["redacted"] == a
    assert variable["sources"][1]["fingerprint"].startswith("sha256:")


def test_override_true_makes_the_dotenv_value_win(tmp_path: Path) -> None:
    app = APP.replace("load_dotenv()", "load_dotenv(override=True)")
    write(tmp_path, {"app.py": app, ".env": f"OPENAI_API_KEY={KEY_B}\n"})
    result = run(tmp_path, {"OPENAI_API_KEY": KEY_A}, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert codes(data) == ["overridden"]
    assert data["problems"][0]["level"] == "note"
    variable = next(v for v in data["variables"] if v["name"] == "OPENAI_API_KEY")
    assert variable["effective"]["source"] == ".env"


def test_the_same_value_twice_is_no_problem(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP, ".env": f"OPENAI_API_KEY={KEY_A}\n"})
    result = run(tmp_path, {"OPENAI_API_KEY": KEY_A})
    assert result.exit_code == 0
    assert result.output.startswith("keylint doctor: no problem found")


def test_two_dotenv_files_disagree(tmp_path: Path) -> None:
    app = (
        "from dotenv import load_dotenv\nimport openai\n\n"
        'load_dotenv(".env.local")\nload_dotenv()\nopenai.OpenAI()\n'
    )
    write(
        tmp_path,
        {
            "app.py": app,
            ".env.local": f"OPENAI_API_KEY={KEY_A}\n",
            ".env": f"OPENAI_API_KEY={KEY_B}\n",
        },
    )
    result = run(tmp_path, {})
    assert result.exit_code == 1
    a, b = redact(KEY_A, PREFIX), redact(KEY_B, PREFIX)
    assert (
        f"warning OPENAI_API_KEY: .env.local ({a}) and .env ({b}) disagree; the app uses "
        "the value in .env.local, which loads first (load_dotenv() at app.py:5 does not "
        "override it)"
    ) in result.output
    data = json.loads(run(tmp_path, {}, "--format", "json").output)
    assert codes(data) == ["dotenv-conflict"]
    steps = [s["source"] for s in data["plans"][0]["steps"]]
    assert steps == ["your shell", ".env.local", ".env"]


def test_empty_shell_variable_hides_the_dotenv_value(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP, ".env": f"OPENAI_API_KEY={KEY_B}\n"})
    result = run(tmp_path, {"OPENAI_API_KEY": ""})
    assert result.exit_code == 1
    assert (
        "error   OPENAI_API_KEY: your shell sets it to an empty string, which hides the value "
        f"in .env ({redact(KEY_B, PREFIX)}): load_dotenv() at app.py:4 does not override a "
        "variable that is already set, even when it is empty"
    ) in result.output
    data = json.loads(run(tmp_path, {"OPENAI_API_KEY": ""}, "--format", "json").output)
    assert codes(data) == ["empty-shadows"]


def test_whitespace_in_the_environment_value(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP})
    result = run(tmp_path, {"OPENAI_API_KEY": KEY_A + " "})
    assert result.exit_code == 1
    assert (
        "error   OPENAI_API_KEY: your shell's value (no file keylint scans holds it) has "
        "trailing whitespace; it is sent as is"
    ) in result.output
    zero_width = run(tmp_path, {"OPENAI_API_KEY": KEY_A[:20] + "\u200b" + KEY_A[20:]})
    assert "an invisible character U+200B" in zero_width.output
    assert KEY_A[:20] + "\u200b" not in zero_width.output


def test_ignored_variable_name_with_the_new_sdk_installed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": APP,
            ".env": f"OPENAI_API_KEY={KEY_A}\nOPENAI_API_BASE=https://llm.example.com/v1\n",
        },
    )
    venv_with(tmp_path, "openai", "1.52.0")
    result = run(tmp_path, {})
    assert result.exit_code == 1
    assert (
        "warning OPENAI_API_BASE is set (.env) but openai 1.52.0 ignores it; it reads "
        "OPENAI_BASE_URL, which is not set"
    ) in result.output
    assert "fix: rename OPENAI_API_BASE to OPENAI_BASE_URL" in result.output
    data = json.loads(run(tmp_path, {}, "--format", "json").output)
    assert codes(data) == ["ignored-name"]
    assert data["packages"] == [
        {"name": "openai", "installed": "1.52.0", "pinned": None, "environment": ".venv"}
    ]
    # Set the name the SDK reads, and nothing is wrong.
    fixed = run(tmp_path, {"OPENAI_BASE_URL": "https://llm.example.com/v1"})
    assert fixed.exit_code == 0
    assert "OPENAI_BASE_URL: requests go to https://llm.example.com, not to api.openai.com" in (
        fixed.output
    )


def test_old_sdk_calls_with_the_new_sdk_installed(tmp_path: Path) -> None:
    app = "import openai\n\nreply = openai.ChatCompletion.create(model=m, messages=msgs)\n"
    write(tmp_path, {"app.py": app})
    venv_with(tmp_path, "openai", "1.52.0")
    result = run(tmp_path, {"OPENAI_API_KEY": KEY_A})
    assert result.exit_code == 1
    assert (
        "error   openai 1.52.0 is installed (.venv), but the code calls the API removed in "
        "openai 1: `openai.ChatCompletion.create` at app.py:3; the first call raises "
        "APIRemovedInV1"
    ) in result.output
    data = json.loads(run(tmp_path, {"OPENAI_API_KEY": KEY_A}, "--format", "json").output)
    assert codes(data) == ["sdk-removed-api"]


def test_new_sdk_calls_with_the_old_sdk_installed_and_a_pin_that_disagrees(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP, "requirements.txt": "openai>=1.40\n"})
    venv_with(tmp_path, "openai", "0.28.1")
    data = json.loads(run(tmp_path, {"OPENAI_API_KEY": KEY_A}, "--format", "json").output)
    by_code = {p["code"]: p["message"] for p in data["problems"] if p["level"] != "note"}
    assert set(by_code) == {"sdk-too-old", "pin-mismatch"}
    assert by_code["sdk-too-old"] == (
        "openai 0.28.1 is installed (.venv), but the code uses names added in openai 1: "
        "`openai.OpenAI` at app.py:2; the import fails"
    )
    assert by_code["pin-mismatch"] == (
        "the project pins openai>=1.40, but openai 0.28.1 is installed (.venv)"
    )


def test_find_dotenv_searches_up_from_the_calling_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/app/main.py": APP,
            "src/app/.env": f"OPENAI_API_KEY={KEY_A}\n",
            ".env": f"OPENAI_API_KEY={KEY_B}\n",
        },
    )
    data = json.loads(run(tmp_path, {}, "--format", "json").output)
    assert [s["source"] for s in data["plans"][0]["steps"]] == ["your shell", "src/app/.env"]
    assert data["plans"][0]["steps"][1]["how"] == "searched up from src/app/ for .env"
    assert data["ok"] is True


def test_unset_key_read_by_code_and_a_missing_dotenv_file(tmp_path: Path) -> None:
    app = (
        "import os\nfrom dotenv import load_dotenv\n\n"
        'load_dotenv("config/.env")\nkey = os.environ["OPENAI_API_KEY"]\n'
    )
    write(tmp_path, {"app.py": app})
    result = run(tmp_path, {})
    assert result.exit_code == 1
    assert (
        "error   OPENAI_API_KEY is read at app.py:5, which raises when it is unset, but nothing "
        "sets it (not your shell, not a dotenv file the app loads)"
    ) in result.output
    assert "load_dotenv() at app.py:4: config/.env does not exist" in result.output


def test_malformed_proxy_and_missing_ca_bundle(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP})
    env = {
        "OPENAI_API_KEY": KEY_A,
        "HTTPS_PROXY": "http://user:secret@proxy.corp:80a",
        "REQUESTS_CA_BUNDLE": str(tmp_path / "nope.pem"),
    }
    result = run(tmp_path, env)
    assert result.exit_code == 1
    assert "HTTPS_PROXY is malformed" in result.output
    assert "REQUESTS_CA_BUNDLE names a file that does not exist" in result.output
    assert "secret" not in result.output


def test_verification_step_labels_the_effective_and_shadowed_keys(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": APP, ".env": f"OPENAI_API_KEY={KEY_B}\n"})
    verdicts = {KEY_A: "revoked", KEY_B: "valid"}
    asked: list[tuple[str, str]] = []

    def verify(provider: str, key: str) -> str:
        asked.append((provider, key))
        return verdicts[key]

    diagnosis = diagnose(tmp_path, {"OPENAI_API_KEY": KEY_A}, verify=verify)
    assert asked == [("openai", KEY_A), ("openai", KEY_B)]
    assert [(v["source"], v["effective"], v["result"]) for v in diagnosis.verifications] == [
        ("your shell", True, "revoked"),
        (".env", False, "valid"),
    ]
    messages = [p.message for p in diagnosis.problems if p.code == "verify"]
    assert messages == [
        f"OPENAI_API_KEY: the key your app uses ({redact(KEY_A, PREFIX)}, your shell) is "
        f"revoked; the one in .env ({redact(KEY_B, PREFIX)}) is valid"
    ]


def test_not_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path / "missing", {})
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_paths_built_from_the_file_location(tmp_path: Path) -> None:
    app = (
        "import os\nfrom pathlib import Path\nfrom dotenv import load_dotenv\nimport openai\n\n"
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        'load_dotenv(BASE_DIR / "config" / ".env")\n'
        'load_dotenv(os.path.join(os.path.dirname(__file__), ".env.local"), override=True)\n'
        "openai.OpenAI()\n"
    )
    write(
        tmp_path,
        {
            "src/app.py": app,
            "config/.env": f"OPENAI_API_KEY={KEY_A}\n",
            "src/.env.local": f"OPENAI_API_KEY={KEY_B}\n",
        },
    )
    data = json.loads(run(tmp_path, {}, "--format", "json").output)
    steps = data["plans"][0]["steps"]
    assert [(s["source"], s["override"]) for s in steps] == [
        ("your shell", False),
        ("config/.env", False),
        ("src/.env.local", True),
    ]
    assert codes(data) == ["dotenv-conflict"]
    assert data["problems"][0]["message"] == (
        f"OPENAI_API_KEY: config/.env ({redact(KEY_A, PREFIX)}) and src/.env.local "
        f"({redact(KEY_B, PREFIX)}) disagree; the app uses the value in src/.env.local, which "
        "loads later and overrides"
    )


def test_compose_service_does_not_inherit_the_shell(tmp_path: Path) -> None:
    compose = (
        "services:\n  api:\n    env_file: [.env, prod.env]\n"
        "    environment:\n      - OPENAI_ORG_ID=org-demo\n"
    )
    write(
        tmp_path,
        {
            "app.py": "import openai\nopenai.OpenAI()\n",
            "compose.yaml": compose,
            ".env": f"OPENAI_API_KEY={KEY_A}\n",
            "prod.env": f"OPENAI_API_KEY={KEY_B}\n",
        },
    )
    result = run(tmp_path, {"OPENAI_API_KEY": KEY_A})
    assert (
        "warning with docker compose (service api): OPENAI_API_KEY: "
        f".env ({redact(KEY_A, PREFIX)}) and prod.env ({redact(KEY_B, PREFIX)}) disagree; "
        "the app uses the value in prod.env, "
        "which loads later and overrides"
    ) in result.output
    assert (
        "Where the values come from (docker compose (service api): .env -> prod.env -> "
        "environment: of api):"
    ) in result.output


def test_a_key_the_sdk_reads_that_nothing_sets(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "import openai\n\nclient = openai.OpenAI()\n"})
    data = json.loads(run(tmp_path, {}, "--format", "json").output)
    assert codes(data) == ["unset"]
    assert data["problems"][0]["message"] == (
        "OPENAI_API_KEY is not set: the openai SDK reads it when no api_key= is given, and "
        "nothing sets it (not your shell, not a dotenv file the app loads)"
    )
    # A key passed explicitly comes from elsewhere: nothing to say.
    write(tmp_path, {"app.py": "import openai\n\nclient = openai.OpenAI(api_key=load())\n"})
    data = json.loads(run(tmp_path, {}, "--format", "json").output)
    assert codes(data) == []


def test_bad_input_gives_a_diagnosis_not_a_traceback(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"app.py": "from dotenv import load_dotenv\nload_dotenv(\n", "b.py": "x = (" * 200},
    )
    (tmp_path / ".env").write_bytes(b"OPENAI_API_KEY=\xff\xfe\x00broken\n")
    result = run(tmp_path, {})
    assert result.exit_code in (0, 1)
    assert "internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


SETTINGS = """\
from openai import OpenAI
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    openai_api_key: str


settings = Settings()
client = OpenAI()
"""


def test_pydantic_settings_env_file_is_not_the_environment(tmp_path: Path) -> None:
    write(tmp_path, {"config.py": SETTINGS, ".env": f"OPENAI_API_KEY={KEY_B}\n"})
    result = run(tmp_path, {})
    assert result.exit_code == 1
    assert (
        f"warning OPENAI_API_KEY: .env holds it ({redact(KEY_B, PREFIX)}), but only as the "
        "env_file of Settings at config.py:5 (pydantic-settings reads it into the class's "
        "fields, not into the environment); the openai SDK reads the environment, where nothing "
        "sets it (not your shell, not a dotenv file the app loads)"
    ) in result.output
    # Passing the field to the client is the fix.
    fixed = SETTINGS.replace("OpenAI()", "OpenAI(api_key=settings.openai_api_key)")
    write(tmp_path, {"config.py": fixed})
    assert codes(json.loads(run(tmp_path, {}, "--format", "json").output)) == []


def test_pydantic_settings_prefers_the_shell_over_its_env_file(tmp_path: Path) -> None:
    fixed = SETTINGS.replace("OpenAI()", "OpenAI(api_key=settings.openai_api_key)")
    write(tmp_path, {"config.py": fixed, ".env": f"OPENAI_API_KEY={KEY_B}\n"})
    data = json.loads(run(tmp_path, {"OPENAI_API_KEY": KEY_A}, "--format", "json").output)
    assert codes(data) == ["shadowed"]
    assert data["problems"][0]["message"] == (
        "with pydantic-settings (Settings at config.py:5): OPENAI_API_KEY: your shell exports "
        f"{redact(KEY_A, PREFIX)}, .env holds {redact(KEY_B, PREFIX)}; Settings "
        "(pydantic-settings) uses your shell's, because pydantic-settings gives environment "
        "variables priority over env_file"
    )
