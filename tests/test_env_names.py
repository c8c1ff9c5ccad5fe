"""env-var-name (KL3xx): the env data, near-miss matching, each rule across file kinds,
pins, pydantic-settings / python-decouple reads, and a whole project through the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import lint, render_source, run_isolated
from keylint.checks.envnames import env_data, is_typo, key_stem, tokens
from keylint.cli import cli
from keylint.config import Settings
from keylint.engine import Engine, defines_env
from keylint.extract import extract
from keylint.facts import EnvRead
from keylint.findings import Finding
from keylint.pins import detect, major_at_least
from keylint.prefilter import literals_from
from keylint.providers import DataError, load
from keylint.source import SourceFile

DB = load()
DATA = env_data(DB)
FIXTURE = Path(__file__).parent / "fixtures" / "envproject"


def kl3(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    """(path, line, column, code) of every env-var-name finding, in order."""
    return [
        (f.path, f.span.line, f.span.column, f.rule)
        for f in findings
        if f.category.value == "env-var-name"
    ]


def one(path: str, source: str) -> list[tuple[int, int, str]]:
    return [(line, col, code) for _, line, col, code in kl3(lint(path, source))]


def project(files: dict[str, str], pins: dict[str, str] | None = None) -> list[Finding]:
    """Lint several files as one run (cross-file rules see them all)."""
    engine = Engine(Settings(), pins=pins or {})
    results = [
        engine.lint_bytes(path, render_source(text).encode("utf-8")) for path, text in files.items()
    ]
    return engine.collect(results, len(results)).findings


# --- the data ----------------------------------------------------------------------------


def test_every_provider_has_an_env_section_with_a_source() -> None:
    # Providers that only bring key formats (rules/providers/gitlab.yaml, …) name no variable.
    for provider in DB.providers:
        if not provider.key_env and provider.section("env") is None:
            continue
        env = provider.section("env")
        assert isinstance(env, dict), provider.id
        assert env.get("source"), provider.id


def test_key_env_names_are_read_or_documented() -> None:
    for provider in DB.providers:
        for name in provider.key_env:
            assert name in DATA.reads or name in DATA.convention, (provider.id, name)


def test_env_entries_cite_sources_and_point_at_known_names() -> None:
    for legacy in DATA.legacy.values():
        assert legacy.replacement is None or legacy.replacement in DATA.reads
    for wrong in DATA.wrong.values():
        assert all(n in DATA.reads for n in wrong.intended), wrong.name
    for conflict in DATA.conflicts:
        assert all(n in DATA.reads for n in (*conflict.all, *conflict.any, *conflict.unless))
    # Wrong and legacy names are never also names an SDK reads.
    assert not (set(DATA.wrong) | set(DATA.legacy)) & set(DATA.reads)


def test_prefilter_sees_every_env_name() -> None:
    literals = literals_from(DB)
    for name in (*DATA.reads, *DATA.convention, *DATA.legacy, *DATA.wrong, *DATA.values):
        assert name.lower() in literals, name
    assert "claude" in literals  # aliases are keys too


def test_bad_env_data_is_a_clear_error(tmp_path: Path) -> None:
    from keylint.providers import data_dir, load_from

    (tmp_path / "providers").mkdir()
    (tmp_path / "common.yaml").write_text((data_dir() / "common.yaml").read_text())
    (tmp_path / "providers" / "acme.yaml").write_text(
        "id: acme\nname: Acme\nkey_env: [ACME_API_KEY]\nkeys: []\n"
        "env:\n  source: x\n  reads: [ACME_URL]\n"
    )
    with pytest.raises(DataError, match="neither in reads nor convention"):
        env_data(load_from(tmp_path))
    (tmp_path / "providers" / "acme.yaml").write_text(
        "id: acme\nname: Acme\nkeys: []\nenv:\n  source: x\n  legacy:\n"
        "    ACME_BASE:\n      ignored_by: acme 2\n      source: y\n"
    )
    with pytest.raises(DataError, match="package>=N"):
        env_data(load_from(tmp_path))


# --- near-miss matching ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("OPENAI_KEY", "OPENAI_API_KEY"),
        ("OPEN_AI_API_KEY", "OPENAI_API_KEY"),
        ("OPENAI_APIKEY", "OPENAI_API_KEY"),
        ("OPENAI_API_TOKEN", "OPENAI_API_KEY"),
        ("OPENAI_API_KYE", "OPENAI_API_KEY"),
        ("OPNEAI_API_KEY", "OPENAI_API_KEY"),
        ("ANTHROPIC_KEY", "ANTHROPIC_API_KEY"),
        ("CLAUDE_API_KEY", "ANTHROPIC_API_KEY"),
        ("CLAUDE_KEY", "ANTHROPIC_API_KEY"),
        ("GROK_API_KEY", "XAI_API_KEY"),
        ("HF_API_KEY", "HF_TOKEN"),
        ("HUGGINGFACE_API_KEY", "HF_TOKEN"),
        ("GEMINI_KEY", "GEMINI_API_KEY"),
        ("OPENAI_BASEURL", "OPENAI_BASE_URL"),
        ("AWS_SECRET_ACCES_KEY", "AWS_SECRET_ACCESS_KEY"),
        ("openai_key", "OPENAI_API_KEY"),
    ],
)
def test_near_misses(name: str, target: str) -> None:
    near = DATA.near_sdk(name)
    assert near is not None and near.target == target


@pytest.mark.parametrize(
    "name",
    [
        # A known prefix extended with its own meaning.
        "OPENAI_MODEL",
        "OPENAI_TIMEOUT",
        "OPENAI_MAX_TOKENS",
        "ANTHROPIC_MAX_TOKENS",
        "ANTHROPIC_MODEL",
        "OPENAI_API_KEY_2",
        "OPENAI_API_KEYS",
        "MY_OPENAI_API_KEY",
        "OPENAI_API_KEY_DEV",
        "OPENAI_EMBEDDING_MODEL",
        "AZURE_OPENAI_API_VERSION",
        "AZURE_OPENAI_DEPLOYMENT",
        "AZURE_API_KEY",  # litellm's name, not a slip of AZURE_OPENAI_API_KEY
        "OPENAI_SECRET_KEY",
        "OPENAI_ORG",
        "AWS_REGIONS",
        "ZAI_API_KEY",  # another provider, one letter from XAI_API_KEY
        "CLAUDE_CONFIG_DIR",  # Claude Code's own setting
        "CLAUDE_CODE_USE_BEDROCK",
        "TOGETHERAI_API_KEY",
        "PPLX_API_KEY",
        # Providers without an SDK reading the environment: no near-miss targets.
        "GITHUB_API_TOKEN",
        "GITHUB_PAT",
        "STRIPE_KEY",
        "SLACK_SIGNING_SECRET",
        "DEEPSEEK_KEY",
        # Known names are never near-misses of each other.
        "OPENAI_API_KEY",
        "GROQ_API_KEY",
        "GEMINI_API_KEY",
        "HUGGING_FACE_HUB_TOKEN",
        # Unrelated project names.
        "DATABASE_URL",
        "SECRET_KEY",
        "API_KEY",
        "TOKEN",
    ],
)
def test_not_near_misses(name: str) -> None:
    assert DATA.near_sdk(name) is None


@pytest.mark.parametrize(
    ("a", "b", "typo"),
    [
        ("DATABSE_URL", "DATABASE_URL", True),
        ("SENTRY_DNS", "SENTRY_DSN", True),
        ("REDIS_HSOT", "REDIS_HOST", True),
        ("API_URL", "APP_URL", False),
        ("REDIS_HOST", "REDIS_POST", False),
        ("LOG_LEVELS", "LOG_LEVEL", False),
        ("API_KEY_1", "API_KEY_2", False),
        ("AWS_REGION2", "AWS_REGION", False),
        ("MODEL_NAMES", "MODEL_NAME", False),
        ("XAI_API_KEY", "ZAI_API_KEY", False),
    ],
)
def test_typos(a: str, b: str, typo: bool) -> None:
    assert is_typo(a, b) is typo
    assert is_typo(b, a) is typo


def test_key_stems() -> None:
    assert key_stem(tokens("OPENAI_API_KEY")) == key_stem(tokens("OPENAI_TOKEN"))
    assert key_stem(tokens("OPENAI_MODEL")) is None
    assert key_stem(tokens("API_KEY")) is None


def test_classification_is_one_answer_per_name() -> None:
    assert DATA.classify("OPENAI_API_KEY ") is not None
    assert DATA.classify("OPENAI_API_KEY ").kind == "whitespace"  # type: ignore[union-attr]
    assert DATA.classify("openai_api_key").kind == "case"  # type: ignore[union-attr]
    assert DATA.classify("AZURE_OPENAI_KEY").kind == "wrong"  # type: ignore[union-attr]
    assert DATA.classify("OPENAI_API_BASE").kind == "legacy"  # type: ignore[union-attr]
    assert DATA.classify("OPENAI_KEY").kind == "near"  # type: ignore[union-attr]
    assert DATA.classify("OPENAI_API_KEY") is None
    assert DATA.classify("OPENAI_MODEL") is None


# --- KL301 near-miss ---------------------------------------------------------------------


def test_near_miss_in_every_file_kind() -> None:
    assert one(".env", "DEBUG=1\nOPENAI_KEY=x\nOPENAI_MODEL=gpt-4o\n") == [(2, 1, "KL301")]
    assert one("deploy.sh", "export ANTHROPIC_KEY=x\n") == [(1, 8, "KL301")]
    assert one("Dockerfile", "FROM python:3.12\nENV OPENAI_APIKEY=x\n") == [(2, 5, "KL301")]
    assert one(
        "docker-compose.yml",
        "services:\n  app:\n    environment:\n      - OPEN_AI_API_KEY=x\n      - PORT=80\n",
    ) == [(4, 9, "KL301")]
    assert one(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pytest\n        env:\n"
        "          CLAUDE_API_KEY: ${{ secrets.CLAUDE_API_KEY }}\n",
    ) == [(8, 11, "KL301")]
    assert one("app.py", 'import os\nkey = os.environ["OPENAI_KEY"]\n') == [(2, 19, "KL301")]
    assert one("web/client.js", "const k = process.env.ANTHROPIC_KEY;\n") == [(1, 23, "KL301")]


def test_near_miss_quiet_on_correct_and_own_names() -> None:
    assert one(".env", "OPENAI_API_KEY=x\nOPENAI_BASE_URL=https://a/v1\nOPENAI_TIMEOUT=3\n") == []
    # Defined and read: the project's own name, whatever it looks like.
    files = {".env": "OPENAI_KEY=x\n", "app.py": 'import os\nk = os.getenv("OPENAI_KEY")\n'}
    assert kl3(project(files)) == []
    # GitHub secret names are not environment variables.
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n"
        "      OPENAI_API_KEY: ${{ secrets.OPENAI_KEY }}\n    steps:\n      - run: pytest\n"
    )
    assert one(".github/workflows/ci.yml", workflow) == []
    # `${name}` in JS is a template placeholder, `$openai_key` in PHP a variable.
    assert one("web/a.js", "const s = `${OPENAI_KEY}`;\n") == []
    assert one("a.php", "<?php $openai_api_key = getenv('OPENAI_API_KEY');\n") == []


def test_extra_env_names_exempt_a_project_name() -> None:
    from keylint.checks.base import FileContext, ProjectContext
    from keylint.checks.kl301_env_name_near_miss import EnvNameNearMiss

    file = SourceFile.from_text(".env", "OPENAI_KEY=x\n")
    ctx = FileContext(file, extract(file, DB).facts, DB)
    plain = ProjectContext([ctx], DB)
    assert [f.rule for f in EnvNameNearMiss().check_project(plain)] == ["KL301"]
    exempt = ProjectContext([ctx], DB)
    exempt.extra_env_names = ("OPENAI_KEY",)  # type: ignore[attr-defined]
    assert list(EnvNameNearMiss().check_project(exempt)) == []


# --- KL302 legacy, with pins -------------------------------------------------------------

LEGACY_ENV = "OPENAI_API_BASE=https://gateway.example.com/v1\nOPENAI_ORGANIZATION=org-1\n"


def _pinned(tmp_path: Path, name: str, text: str) -> dict[str, str]:
    (tmp_path / ".git").mkdir(exist_ok=True)  # detect() stops at the repository root
    (tmp_path / name).write_text(text)
    return detect(tmp_path)


def _severities(findings: list[Finding]) -> list[tuple[int, str, str]]:
    return [(f.span.line, f.rule, f.severity.value) for f in findings if f.rule == "KL302"]


def test_legacy_with_requirements_pin_is_an_error(tmp_path: Path) -> None:
    pins = _pinned(tmp_path, "requirements.txt", "openai>=1.3\nrequests\n")
    findings = project({".env": LEGACY_ENV}, pins)
    assert _severities(findings) == [(1, "KL302", "error"), (2, "KL302", "error")]
    assert findings[0].message.startswith("openai>=1 never reads `OPENAI_API_BASE`")
    assert "`OPENAI_BASE_URL`" in findings[0].message


def test_legacy_with_pyproject_pin_is_an_error(tmp_path: Path) -> None:
    pins = _pinned(
        tmp_path, "pyproject.toml", '[project]\nname = "x"\ndependencies = ["openai~=1.40"]\n'
    )
    assert _severities(project({".env": LEGACY_ENV}, pins)) == [
        (1, "KL302", "error"),
        (2, "KL302", "error"),
    ]


def test_legacy_without_pin_is_a_warning() -> None:
    findings = project({".env": LEGACY_ENV})
    assert _severities(findings) == [(1, "KL302", "warning"), (2, "KL302", "warning")]
    assert "is ignored by openai>=1, which reads `OPENAI_BASE_URL`" in findings[0].message


def test_legacy_with_old_sdk_pinned_is_not_reported(tmp_path: Path) -> None:
    pins = _pinned(tmp_path, "requirements.txt", "openai==0.28\n")
    assert _severities(project({".env": LEGACY_ENV}, pins)) == []


def test_legacy_not_reported_when_langchain_reads_it(tmp_path: Path) -> None:
    pins = _pinned(tmp_path, "requirements.txt", "openai>=1\nlangchain-openai\n")
    assert _severities(project({".env": LEGACY_ENV}, pins)) == []


def test_legacy_in_other_kinds_and_exemptions() -> None:
    assert one("Dockerfile", "FROM x\nENV OPENAI_API_BASE=http://proxy/v1\n") == [(2, 5, "KL302")]
    assert one("deploy.sh", "export OPENAI_API_KEY_PATH=/run/key\n") == [(1, 8, "KL302")]
    # Old and new name side by side: both SDK generations configured.
    assert one(".env", "OPENAI_API_BASE=http://a/v1\nOPENAI_BASE_URL=http://a/v1\n") == []
    # Reads are never reported: the code reads the name itself.
    assert one("app.py", 'import os\nbase = os.getenv("OPENAI_API_BASE")\n') == []


# --- KL303 wrong names -------------------------------------------------------------------


def test_wrong_names() -> None:
    assert one(".env", "AZURE_OPENAI_KEY=x\nHF_AUTH_TOKEN=y\n") == [
        (1, 1, "KL303"),
        (2, 1, "KL303"),
    ]
    assert one("app.py", 'import os\nt = os.getenv("HUGGINGFACE_TOKEN")\n') == [(2, 16, "KL303")]
    assert one("Dockerfile", "FROM x\nENV GOOGLE_GEMINI_API_KEY=y\n") == [(2, 5, "KL303")]


def test_cohere_api_key_depends_on_the_pinned_version(tmp_path: Path) -> None:
    env = {".env": "COHERE_API_KEY=x\n"}
    (unpinned,) = [f for f in project(env) if f.rule == "KL303"]
    assert unpinned.severity.value == "info"
    assert "CO_API_KEY" in unpinned.message
    old = _pinned(tmp_path, "requirements.txt", "cohere==4.57\n")
    assert [f.severity.value for f in project(env, old) if f.rule == "KL303"] == ["warning"]
    assert [f for f in project(env, {"cohere": ">=5.0"}) if f.rule == "KL303"] == []


def test_x_api_key_next_to_twitter_credentials_is_quiet() -> None:
    assert one(".env", "X_API_KEY=a\n") == [(1, 1, "KL303")]
    assert one(".env", "X_API_KEY=a\nX_API_SECRET=b\n") == []


# --- KL304 case and whitespace -----------------------------------------------------------


def test_case_and_whitespace() -> None:
    assert one(".env", "openai_api_key=x\n") == [(1, 1, "KL304")]
    assert one(
        "docker-compose.yml",
        'services:\n  app:\n    environment:\n      "OPENAI_API_KEY ": ${OPENAI_API_KEY}\n',
    ) == [(4, 8, "KL304")]
    assert one(
        "docker-compose.yml",
        "services:\n  app:\n    environment:\n      - GROQ_API_KEY =x\n",
    ) == [(4, 9, "KL304")]
    assert one("app.py", 'import os\nos.environ.get("Openai_Api_Key")\n') == [(2, 17, "KL304")]
    assert one("app.py", 'import os\nos.getenv("HF_TOKEN\u200b")\n') == [(2, 12, "KL304")]


def test_lowercase_read_by_pydantic_settings_is_fine() -> None:
    files = {
        ".env": "openai_api_key=x\n",
        "settings.py": (
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    openai_api_key: str\n"
        ),
    }
    assert kl3(project(files)) == []


# --- KL305 values ------------------------------------------------------------------------


def test_values_and_pins(tmp_path: Path) -> None:
    env = {".env": "OPENAI_API_TYPE=azure_ad\n"}
    assert [(f.span.column, f.severity.value) for f in project(env) if f.rule == "KL305"] == [
        (17, "warning")
    ]
    new = _pinned(tmp_path, "requirements.txt", "openai>=1.3\n")
    assert [f.severity.value for f in project(env, new) if f.rule == "KL305"] == ["error"]
    # open_ai still lands on the plain OpenAI client it meant: a warning even when pinned.
    assert [
        f.severity.value
        for f in project({".env": "OPENAI_API_TYPE=open_ai\n"}, new)
        if f.rule == "KL305"
    ] == ["warning"]
    old = {"openai": "==0.28.1"}
    assert [f for f in project(env, old) if f.rule == "KL305"] == []
    assert [f.rule for f in project({".env": "OPENAI_API_TYPE=bogus\n"}, old)] == ["KL305"]
    assert one(".env", "OPENAI_API_TYPE=azure\n") == []
    assert one(".env", "OPENAI_API_TYPE=Azure\n") == [(1, 17, "KL305")]
    assert one("ci.sh", "export OPENAI_API_TYPE=$TYPE\n") == []


# --- KL306 conflicts ---------------------------------------------------------------------


def test_conflicts_by_scope() -> None:
    assert one(".env", "GOOGLE_API_KEY=a\nGEMINI_API_KEY=b\n") == [(2, 1, "KL306")]
    assert one(".env", "HUGGING_FACE_HUB_TOKEN=a\nHF_TOKEN=b\n") == [(1, 1, "KL306")]
    compose_same = (
        "services:\n  app:\n    environment:\n      GOOGLE_API_KEY: a\n      GEMINI_API_KEY: b\n"
    )
    assert one("docker-compose.yml", compose_same) == [(5, 7, "KL306")]
    workflow_split = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      ANTHROPIC_API_KEY: a\n"
        "    steps:\n      - run: t\n        env:\n          ANTHROPIC_AUTH_TOKEN: b\n"
    )
    assert one(".github/workflows/ci.yml", workflow_split) == []
    # Empty values in a template, or alternatives in docs: not both set.
    assert one(".env", "GOOGLE_API_KEY=\nGEMINI_API_KEY=b\n") == []


def test_openai_azure_conflict_needs_the_module_client() -> None:
    env = ".env", "OPENAI_API_KEY=a\nAZURE_OPENAI_ENDPOINT=https://x.openai.azure.com\n"
    explicit = "app.py", "from openai import OpenAI\nclient = OpenAI()\n"
    module = "app.py", 'import openai\nopenai.chat.completions.create(model="m", messages=[])\n'
    assert kl3(project(dict([env, explicit]))) == []
    assert kl3(project(dict([env, module]))) == [(".env", 2, 1, "KL306")]
    typed = ".env", env[1] + "OPENAI_API_TYPE=azure\n"
    assert kl3(project(dict([typed, module]))) == []
    in_code = "app.py", 'import openai\nopenai.api_type = "azure"\n' + module[1].split("\n", 1)[1]
    assert kl3(project(dict([env, in_code]))) == []


# --- KL307 cross-file --------------------------------------------------------------------


def test_mismatch_reported_once_at_the_definition_never_at_the_sdk_name() -> None:
    # The SDK's own name is read correctly: the typo is at the definition, once (spec §3).
    files = {
        ".env": "OPENAI_APIKEY=x\nDEBUG=1\n",
        "app.py": (
            'import os\nfrom openai import OpenAI\nOpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
            'other = os.getenv("OPENAI_API_KEY")\n'
        ),
    }
    findings = [f for f in project(files) if f.category.value == "env-var-name"]
    assert kl3(findings) == [(".env", 1, 1, "KL307")]
    assert "app.py:3 reads `OPENAI_API_KEY`" in findings[0].message
    assert "rename it to `OPENAI_API_KEY`" in findings[0].message


def test_mismatch_when_code_reads_a_near_miss_of_the_defined_sdk_name() -> None:
    files = {
        ".env": "OPENAI_API_KEY=x\n",
        "app.js": "const key = process.env.OPENAI_KEY; // openai\n",
    }
    findings = project(files)
    assert kl3(findings) == [(".env", 1, 1, "KL307"), ("app.js", 1, 25, "KL307")]
    assert "make the code read `OPENAI_API_KEY`" in findings[0].message


def test_mismatch_between_project_names() -> None:
    files = {
        ".env": "DATABSE_URL=sqlite://\nsentry_dsn=x\nAPP_URL=x\nREDIS_HOSTS=a\n",
        "settings.py": (
            "import os  # openai\n"
            'db = os.environ["DATABASE_URL"]\n'
            'dsn = os.getenv("SENTRY_DSN")\n'
            'api = os.getenv("API_URL")\n'
            'redis = os.getenv("REDIS_HOST")\n'
        ),
    }
    # Neither name is an SDK's: which end is wrong is the user's call; said once, at the
    # definition, which names the read.
    assert kl3(project(files)) == [(".env", 1, 1, "KL307"), (".env", 2, 1, "KL307")]


def test_example_files_document_names_but_set_nothing() -> None:
    files = {
        ".env": "OPENAI_APIKEY=x\n",
        ".env.example": "OPENAI_API_KEY=\n",
        "app.py": 'import os\nos.environ["OPENAI_API_KEY"]\n',
    }
    assert kl3(project(files)) == [(".env", 1, 1, "KL307")]
    files[".env"] = "OPENAI_API_KEY=x\n"
    assert kl3(project(files)) == []


@pytest.mark.parametrize(
    "definer",
    [
        ".env",
        ".env.local",
        "app.env",
        "Prod.ENV",  # an extension in any case: detect_kind's dotenv kind
        "config/x.Env",
        "docker-compose.yaml",
        "deploy/compose.prod.yml",
        ".github/workflows/ci.yml",
        "Dockerfile",
        "dockerfile.dev",
        "Dockerfile.yml",  # a Dockerfile first, whatever its extension
        "ci/Dockerfile.prod.yml",
    ],
)
def test_files_that_define_env_variables_for_the_code(definer: str) -> None:
    assert defines_env(definer)


@pytest.mark.parametrize(
    "other", ["app.py", "compose.json", "workflows/ci.yml", "config.yml", "envs.txt", "env"]
)
def test_files_that_define_no_env_variables(other: str) -> None:
    assert not defines_env(other)


@pytest.mark.parametrize(
    ("name", "text", "column"),
    [
        ("Prod.ENV", "DATABASE_URL=postgres://db/app\n", 1),
        ("Dockerfile.yml", "ENV DATABASE_URL=postgres://db/app\n", 5),
    ],
)
def test_a_definition_in_any_defining_file_lets_the_reads_be_paired(
    tmp_path: Path, name: str, text: str, column: int
) -> None:
    """The run's plan asks defines_env of every file: a file it missed left the prefilter
    believing nothing defines variables, and the code reading `DATABSE_URL` was skipped."""
    (tmp_path / "app.py").write_text('import os\nurl = os.environ["DATABSE_URL"]\n')
    (tmp_path / name).write_text(text)
    result = run_isolated(tmp_path, "--format", "json", ".")
    found = [
        (f["path"], f["line"], f["column"], f["rule"])
        for f in json.loads(result.output)["findings"]
    ]
    assert found == [(name, 1, column, "KL307")]


def test_separate_directory_trees_are_separate_projects() -> None:
    files = {
        "service-a/.env": "OPENAI_APIKEY=x\n",
        "service-b/app.py": 'import os\nos.environ["OPENAI_API_KEY"]\n',
        "service-a/app/main.py": 'import os\nos.environ["OPENAI_KEY"]\n',
    }
    assert kl3(project(files)) == [
        ("service-a/.env", 1, 1, "KL301"),
        ("service-a/app/main.py", 2, 13, "KL301"),
    ]
    files["docs/setup.md"] = "```bash\nexport OPENAI_APIKEY=x\n```\n"
    assert ("docs/setup.md", 2, 8, "KL307") in kl3(project(files))


def test_interpolations_are_fed_only_by_their_file_or_dotenv() -> None:
    compose = "services:\n  app:\n    environment:\n      A: ${HF_TOKEN}\n"
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: x\n    env:\n"
        "      HUGGINGFACEHUB_API_TOKEN: ${{ secrets.HF }}\n    steps:\n      - run: t\n"
    )
    files = {"docker-compose.yml": compose, ".github/workflows/ci.yml": workflow}
    # The workflow's env never reaches compose: no mismatch, only the wrong name.
    assert kl3(project(files)) == [(".github/workflows/ci.yml", 6, 7, "KL303")]
    files[".env"] = "HUGGINGFACEHUB_API_TOKEN=x\n"
    assert kl3(project(files)) == [
        (".env", 1, 1, "KL307"),
        (".github/workflows/ci.yml", 6, 7, "KL303"),
    ]


# --- extraction: pydantic-settings and python-decouple -----------------------------------


def reads(path: str, source: str) -> list[tuple[str, int, int, str]]:
    file = SourceFile.from_text(path, source)
    return [
        (f.name, f.span.line, f.span.column, f.how)
        for f in extract(file, DB).facts
        if isinstance(f, EnvRead)
    ]


def test_pydantic_settings_fields_are_reads() -> None:
    source = (
        "from typing import ClassVar\n"
        "from pydantic import Field, AliasChoices\n"
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
        "\n"
        "class Settings(BaseSettings):\n"
        '    model_config = SettingsConfigDict(env_prefix="APP_")\n'
        "    openai_key: str\n"
        '    base: str = Field("x", validation_alias="OPENAI_BASE_URL")\n'
        '    token: str = Field(validation_alias=AliasChoices("HF_TOKEN", "hf_api_key"))\n'
        "    cache: ClassVar[dict] = {}\n"
        "    _private: int = 0\n"
        "\n"
        "class Child(Settings):\n"
        "    timeout: int = 3\n"
    )
    ci = "pydantic-settings"
    assert reads("settings.py", source) == [
        ("APP_OPENAI_KEY", 7, 5, ci),
        ("OPENAI_BASE_URL", 8, 46, ci),
        ("HF_TOKEN", 9, 55, ci),
        ("HF_API_KEY", 9, 67, ci),
        ("APP_TIMEOUT", 14, 5, ci),
    ]


def test_pydantic_v1_config_and_case_sensitive() -> None:
    source = (
        "import pydantic\n"
        "class S(pydantic.BaseSettings):\n"
        '    key: str = pydantic.Field(..., env="ANTHROPIC_API_KEY")\n'
        "    region: str\n"
        "    class Config:\n"
        '        env_prefix = "aws_"\n'
        "        case_sensitive = True\n"
    )
    assert reads("s.py", source) == [
        ("ANTHROPIC_API_KEY", 3, 41, "pydantic-settings(case)"),
        ("aws_region", 4, 5, "pydantic-settings(case)"),
    ]


def test_plain_pydantic_models_are_not_settings() -> None:
    source = "from pydantic import BaseModel\nclass M(BaseModel):\n    openai_key: str\n"
    assert reads("m.py", source) == []


def test_decouple_config_is_a_read() -> None:
    source = (
        "from decouple import config\n"
        'KEY = config("OPENAI_API_KEY")\n'
        'DEBUG = config("DEBUG", default=False, cast=bool)\n'
    )
    assert reads("settings.py", source) == [
        ("OPENAI_API_KEY", 2, 15, "decouple"),
        ("DEBUG", 3, 17, "decouple"),
    ]


def test_pydantic_near_miss_field_is_reported_on_the_field() -> None:
    source = (
        "from pydantic_settings import BaseSettings\n"
        "class Settings(BaseSettings):\n"
        "    openai_key: str\n"
        "    openai_model: str = 'gpt-4o'\n"
    )
    assert one("settings.py", source) == [(3, 5, "KL301")]


# --- pins --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=1.3", True),
        ("==1.2.0", True),
        ("~=1.2", True),
        (">1", True),
        ("==1.*", True),
        (">=1,<2", True),
        ("==0.28", False),
        ("<1", False),
        ("<1.0.0", False),
        ("~=0.28", False),
        ("~=0.28.1", False),
        ("<=0.28.1", False),
        (">=0.27,<1", False),
        (">=0.28,<0.29", False),
        (">=0.28", None),
        (">0.28", None),
        ("!=0.28", None),
        ("<2", None),
        ("", None),
        (None, None),
    ],
)
def test_major_at_least(spec: str | None, expected: bool | None) -> None:
    assert major_at_least(spec, 1) is expected


def test_detect_reads_the_usual_files(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "# pins\n-r base.txt\nopenai[datalib]==1.3.0 --hash=sha256:abc\n"
        "anthropic>=0.30 ; python_version >= '3.8'\nrequests\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["openai>=0.1"]\n'
        '[dependency-groups]\ndev = ["groq>=0.9"]\n'
        '[tool.poetry.dependencies]\ncohere = "^4.57"\n'
        '[tool.poetry.group.ml.dependencies]\ntogether = { version = "~1.2" }\n'
    )
    (tmp_path / "setup.py").write_text(
        'from setuptools import setup\nsetup(install_requires=["mistralai<1"])\n'
    )
    sub = tmp_path / "service"
    sub.mkdir()
    (sub / "requirements.txt").write_text("huggingface_hub==0.36.2\n")
    pins = detect(sub)
    assert pins["openai"] == "==1.3.0"  # requirements.txt before pyproject, one directory up
    assert pins["anthropic"] == ">=0.30"
    assert pins["requests"] == ""
    assert pins["groq"] == ">=0.9"
    assert pins["cohere"] == ">=4.57,<5"
    assert pins["together"] == ">=1.2,<1.3"
    assert pins["mistralai"] == "<1"
    assert pins["huggingface-hub"] == "==0.36.2"  # the closest file wins, names normalised


def test_detect_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("openai==0.28\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert detect(repo) == {}


# --- a whole project through the CLI -----------------------------------------------------

EXPECTED = {
    (".env", 3, 1, "KL301"),  # OPENAI_KEY: nothing reads it, the SDK reads OPENAI_API_KEY
    (".env", 5, 1, "KL302"),  # OPENAI_API_BASE with openai>=1.3 pinned: error
    (".env", 6, 1, "KL303"),  # AZURE_OPENAI_KEY
    (".env", 7, 17, "KL305"),  # OPENAI_API_TYPE=azure_ad
    (".env", 9, 1, "KL306"),  # GEMINI_API_KEY next to GOOGLE_API_KEY
    (".env", 11, 1, "KL307"),  # DATABSE_URL defined, app reads DATABASE_URL ...
    (".env.example", 4, 1, "KL307"),  # ANTHROPIC_API_KEY documented, the app reads ...
    ("app/main.py", 16, 25, "KL307"),  # ... os.getenv("anthropic_api_key")
    ("docker-compose.yml", 8, 8, "KL304"),  # "HF_TOKEN " with a trailing space
    ("docker-compose.yml", 9, 7, "KL301"),  # CLAUDE_API_KEY: ${CLAUDE_API_KEY} passed through
    (".github/workflows/ci.yml", 9, 7, "KL304"),  # groq_api_key
    (".github/workflows/ci.yml", 14, 11, "KL303"),  # HUGGINGFACEHUB_API_TOKEN
    ("README.md", 16, 8, "KL302"),  # export OPENAI_ORGANIZATION in a code block
}


def _run_cli(*args: str) -> dict[str, object]:
    runner = CliRunner()
    cwd = os.getcwd()
    try:
        os.chdir(FIXTURE)
        result = runner.invoke(cli, ["--format", "json", "--isolated", *args, "."])
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_envproject_end_to_end() -> None:
    report = _run_cli()
    found = {
        (f["path"], f["line"], f["column"], f["rule"])
        for f in report["findings"]  # type: ignore[attr-defined]
        if f["category"] == "env-var-name"
    }
    assert found == EXPECTED
    kl302 = [f for f in report["findings"] if f["rule"] == "KL302"]  # type: ignore[attr-defined]
    assert {f["severity"] for f in kl302} == {"error"}  # the fixture pins openai>=1.3
    assert kl302[0]["message"].startswith("openai>=1 never reads `OPENAI_API_BASE`")


def test_envproject_correct_lines_are_quiet() -> None:
    """Every line of the fixture not in EXPECTED is correct: no env-var-name finding there."""
    report = _run_cli("--select", "KL3")
    lines = {(f["path"], f["line"]) for f in report["findings"]}  # type: ignore[attr-defined]
    assert lines == {(path, line) for path, line, _, _ in EXPECTED}


def test_mismatch_pairing_is_not_reads_times_definitions(monkeypatch) -> None:
    # issue 8: a 2 MB .env of clean lines took 15 s (22 M comparisons of every read with
    # every definition). Candidates now come from lookups: the comparisons stay near the
    # number of real candidates, and the typo is still found.
    from keylint.checks import envnames

    calls = 0
    real = envnames.EnvData.near_pair

    def counting(self, a: str, b: str) -> bool:
        nonlocal calls
        calls += 1
        return real(self, a, b)

    monkeypatch.setattr(envnames.EnvData, "near_pair", counting)
    names = [f"SERVICE_{i:05d}_ENDPOINT" for i in range(5000)]
    files = {
        ".env": "".join(f"{n}=v\n" for n in names) + "DATABSE_URL=x\n",
        "app.py": "import os\n"
        + "".join(f'os.getenv("READ_{i}_ONLY")\n' for i in range(20))
        + 'os.getenv("DATABASE_URL")\n',
    }
    findings = project(files)
    assert [(f.path, f.span.line, f.rule) for f in findings if f.rule == "KL307"] == [
        (".env", 5001, "KL307")
    ]
    assert calls < 2000  # 21 reads x 5,001 definitions = 105,021 before


def test_names_provider_is_the_first_provider_in_data_order() -> None:
    """names_provider asks one automaton, not every provider in turn: same answer as the
    loop over the data, on names holding the words of two providers at once."""
    from keylint import names
    from keylint.providers import load

    db = load()

    def loop(name: str):
        lowered = names.NOT_ALNUM.sub("", name.lower())
        for provider in db.providers:
            for word in (provider.id.replace("-", ""), provider.name.lower().replace(" ", "")):
                if len(word) >= 4 and word in lowered:
                    return provider
        return None

    probes = [f"{a.name}_{b.id}_TOKEN".upper() for a in db.providers for b in db.providers[:20]]
    probes += ["HF_HUGGING_FACE_TOKEN", "APP_NAME", "my-azure-openai-key", ""]
    assert [names.names_provider(n, db) for n in probes] == [loop(n) for n in probes]
    assert names.names_provider("SERVICE_HOST_URL", db) is None


def _walk_for_typo(upper: str) -> str | None:
    """The reference near_sdk's typo test stands for: every SDK-read name of 10+ letters
    within one of the length, those sharing the first letter first, in data order."""
    for length in (len(upper) - 1, len(upper), len(upper) + 1):
        names = [n for n in DATA.reads if len(n) == length and len(n) >= 10]
        for name in sorted(names, key=lambda n: n[0] != upper[0]):
            if is_typo(upper, name):
                return name
    return None


def _one_letter_slips(name: str) -> list[str]:
    letters = "AEKOTZ_"
    out = []
    for i in range(len(name) + 1):
        out += [name[:i] + c + name[i:] for c in letters]
        if i < len(name):
            out.append(name[:i] + name[i + 1 :])
            out += [name[:i] + c + name[i + 1 :] for c in letters]
        if i + 1 < len(name):
            out.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
    return out


def test_near_sdk_finds_each_typo_a_walk_of_the_data_finds() -> None:
    """near_sdk looks typos up by length and first or last four letters: the same answers
    as comparing with every SDK name, on every one-letter slip of every SDK name."""
    probes = [slip for name in DATA.reads for slip in _one_letter_slips(name)]
    probes += ["SERVICE_HOST_URL_12", "ALPHA_TOKEN_REGION_9", "OPENAI_API_KEYS"]
    found = 0
    for probe in probes:
        if probe in DATA.known:
            continue  # a name the data knows is never a near-miss
        near = DATA.near_sdk(probe)
        if near is not None and near.how != "typo":
            continue  # a spelling, nickname or key-name match comes before the typo test
        assert (near.target if near else None) == _walk_for_typo(probe), probe
        found += near is not None
    assert found > 1000


def test_pair_index_misses_no_pair_a_comparison_of_every_pair_finds() -> None:
    """ProjectIndex pairs reads with definitions through _PairIndex: every pair that
    near_pair accepts must be among its candidates (it may offer more)."""
    import random

    from keylint.checks.envnames import _PairIndex

    rng = random.Random(5)
    base = [*DATA.reads, *DATA.wrong, *DATA.legacy, "SERVICE_HOST_URL", "openai_api_key"]

    def variant(name: str) -> str:
        i, c = rng.randrange(len(name)), rng.choice("AEKOTZ_")
        slips = [name[:i] + c + name[i:], name[:i] + name[i + 1 :], name[:i] + c + name[i + 1 :]]
        return rng.choice([*slips, name.lower(), name.replace("_", "-"), name])

    paired = 0
    for _ in range(150):
        defs = sorted({variant(rng.choice(base)) for _ in range(40)})
        reads = sorted({variant(rng.choice(base)) for _ in range(10)})
        index = _PairIndex(DATA, defs, reads)
        for read in reads:
            expected = {d for d in defs if DATA.near_pair(read, d)}
            assert expected <= index.of(read), read
            paired += len(expected)
    assert paired > 100
