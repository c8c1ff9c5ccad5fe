"""Key hygiene: generic secrets (KL102-KL104), placeholders (KL20x), whitespace (KL21x) and
malformed keys (KL22x), with exact positions across file kinds.

Fake keys come from ``{key:FORMAT_ID}`` marks (tests/conftest.py); no test source holds a
key-shaped literal. Failure messages show positions and codes, never a key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import fake_key, fake_keys_in, lint, render_source, scrub
from keylint.cli import cli
from keylint.findings import Category
from keylint.providers import load

OURS = ("KL102", "KL103", "KL104", "KL2")


def found(path: str, source: str, *, git_ignored: bool = False, prefix: tuple[str, ...] = OURS):
    """(code, line, column) of the key-hygiene findings, in order."""
    findings = lint(path, source, git_ignored=git_ignored)
    for f in findings:  # no message may carry a full key
        for key in fake_keys_in(source):
            assert key not in f.message, scrub(f.message, fake_keys_in(source))
    return [(f.rule, f.span.line, f.span.column) for f in findings if f.rule.startswith(prefix)]


def category_of(path: str, source: str, *, git_ignored: bool = False) -> list[str]:
    return [f.category.value for f in lint(path, source, git_ignored=git_ignored)]


# --- KL102 generic-secret (detect-secrets) --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("settings.py", 'DB_PASSWORD = "hunter2-staging"\n', [(1, 16)]),
        ("app.py", 'connect(host="db", password="Xq9#vR2mLp4z")\n', [(1, 30)]),
        ("app.py", 'AZURE_OPENAI_API_KEY = "{key:azure-openai-key}"\n', [(1, 25)]),
        (".env", "SMTP_PASSWORD=s3cr3t-Pa55w0rd  # mail\n", [(1, 15)]),
        (".env", 'STRIPE_WEBHOOK_SECRET="{key:cohere-api-key}"\n', [(1, 24)]),
        ("config.yaml", "db:\n  password: s3cr3t-Pa55w0rd\n", [(2, 13)]),
        ("config.yaml", "auth:\n  client_secret: '{key:aws-secret-access-key}'\n", [(2, 19)]),
        ("config.json", '{\n  "api_token": "{key:aws-secret-access-key}"\n}\n', [(2, 17)]),
        ("deploy.sh", "export DB_PASSWORD=s3cr3t-Pa55w0rd\n", [(1, 20)]),
        ("deploy.sh", 'curl -H "Authorization: Bearer {key:aws-secret-access-key}" x\n', [(1, 32)]),
    ],
)
def test_generic_secret_found_by_detect_secrets(path, source, expected):
    assert [(line, col) for code, line, col in found(path, source) if code == "KL102"] == expected


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("settings.py", 'DB_PASSWORD = os.environ["DB_PASSWORD"]\n'),
        ("settings.py", 'DB_PASSWORD = os.getenv("DB_PASSWORD", "")\n'),
        ("settings.py", 'DB_PASSWORD = "changeme"\nAPI_KEY = "<your-api-key>"\n'),
        ("settings.py", 'PASSWORD_FIELD = "password"\ntoken_type = "bearer"\n'),
        ("settings.py", 'API_KEY_ENV = "OPENAI_API_KEY"\nsecret = "OPENAI_API_KEY"\n'),
        ("settings.py", 'password_prompt = "Password: "\nsecret = "Enter the secret"\n'),
        ("settings.py", 'secret_file = "/run/secrets/db"\ntoken = "./token.txt"\n'),
        ("config.yaml", "db:\n  password: ${DB_PASSWORD}\n  token: ${{ secrets.TOKEN }}\n"),
        (".env", "DB_PASSWORD=$DB_PASSWORD_FROM_VAULT\n"),
        # hashes, UUIDs and ids with no secret name: never asked about
        ("lock.py", 'digest = "{key:azure-openai-key}"\nsha = "{key:cohere-api-key}"\n'),
        ("ids.py", 'request_id = "123e4567-e89b-12d3-a456-426614174000"\n'),
        ("ids.yaml", "uuid: 123e4567-e89b-12d3-a456-426614174000\n"),
        # detect-secrets' own filters: a UUID and a sequential string under a secret name
        ("app.py", 'api_key = "123e4567-e89b-12d3-a456-426614174000"\n'),
        ("app.py", 'secret = "abcdefghijklmnopqrstuvwxyz"\n'),
        # a provider key is KL101's, not KL102's
        ("app.py", 'api_key = "{key:groq-api-key}"\n'),
    ],
)
def test_generic_secret_not_reported(path, source):
    assert [c for c in found(path, source) if c[0] == "KL102"] == []


def test_git_ignored_dotenv_has_no_hardcoded_secret_but_keeps_hygiene():
    source = "DB_PASSWORD=s3cr3t-Pa55w0rd\nOPENAI_API_KEY={key:openai-project-key}  \n"
    ignored = lint(".env", source, git_ignored=True)
    assert [f.category for f in ignored if f.category is Category.HARDCODED_SECRET] == []
    assert [(f.rule, f.span.line, f.span.column) for f in ignored if f.rule.startswith("KL2")] == [
        ("KL211", 2, 180)
    ]
    committed = found(".env", source, prefix=("KL1", "KL2"))
    assert committed == [("KL102", 1, 13), ("KL101", 2, 16), ("KL211", 2, 180)]


def test_generic_secret_message_names_the_detect_secrets_type_and_redacts():
    key = fake_key("azure-openai-key")
    [finding] = [f for f in lint("app.py", f'AZURE_OPENAI_KEY = "{key}"\n') if f.rule == "KL102"]
    assert "Hex High Entropy String" in finding.message or "Secret Keyword" in finding.message
    assert finding.provider == "azure-openai"
    assert finding.secret is not None and key not in finding.message
    assert finding.secret.redacted in finding.message


def test_detect_secrets_is_imported_only_when_a_candidate_needs_it(tmp_path: Path):
    script = (
        "import sys\n"
        "from keylint.engine import lint_text\n"
        "lint_text('a.py', 'import os\\napi_key = os.environ[\"OPENAI_API_KEY\"]\\n')\n"
        "lint_text('.env', 'OPENAI_API_KEY=your-key-here\\n')\n"
        "assert 'detect_secrets' not in sys.modules, 'imported too early'\n"
        "lint_text('a.py', 'password = \"hunter2-staging\"\\n')\n"
        "assert 'detect_secrets' in sys.modules\n"
        "from detect_secrets.settings import get_settings\n"
        "assert not any('verification' in f for f in get_settings().filters)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)


# --- KL103 service tokens, KL104 private keys -----------------------------------------------


def test_service_token_and_private_key_positions():
    from keylint.checks.kl103_service_token import _GITLAB, _JWT
    from keylint.checks.kl104_private_key import _RSA

    # GitLab tokens are provider data now (rules/providers/gitlab.yaml): KL101, not KL103
    assert found("ci.sh", f"export GITLAB_TOKEN={_GITLAB}\n", prefix=("KL1",)) == [("KL101", 1, 21)]
    jwt_findings = [f for f in lint("auth.py", f"# bearer {_JWT}\n") if f.rule == "KL103"]
    assert [(f.span.line, f.span.column, f.span.end_column) for f in jwt_findings] == [
        (1, 10, 10 + len(_JWT))  # the whole token, signature included
    ]
    password = "Xq9vR2" + "mLp4z"  # built at run time: no credential-shaped literal
    assert found(".env", f"DATABASE_URL=mysql://app:{password}@db.prod:3306/app\n") == [
        ("KL103", 1, 26)
    ]
    assert found("certs/server.key", "# key\n" + _RSA) == [("KL104", 2, 1)]
    assert found(".env", f"GITLAB_TOKEN={_GITLAB}\n", git_ignored=True) == []
    # the header alone (docs, code that looks for keys) is not a key
    assert found("docs/keys.md", "-----BEGIN PRIVATE KEY-----\n...\n") == []


# --- KL201/KL202 placeholder-key ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("app.py", 'client = OpenAI(api_key="YOUR_API_KEY")\n', [("KL201", 1, 26)]),
        ("app.py", "import openai\nopenai.api_key = 'sk-...'\n", [("KL201", 2, 19)]),
        ("app.py", 'OpenAI(api_key="<your-key>")\n', [("KL201", 1, 17)]),
        ("app.py", 'Groq(api_key="gsk_xxxxxxxxxxxxxxxx")\n', [("KL201", 1, 15)]),
        ("app.py", 'OpenAI(api_key="changeme")\n', [("KL201", 1, 17)]),
        ("app.py", 'OpenAI(api_key="xxxxxxxxxxxx")\n', [("KL201", 1, 17)]),
        ("app.py", 'OpenAI(api_key="{{ API_KEY }}")\n', [("KL201", 1, 17)]),
        ("app.py", 'OpenAI(api_key="%(openai_key)s")\n', [("KL201", 1, 17)]),
        ("app.py", 'OpenAI(api_key="${OPENAI_API_KEY}")\n', [("KL201", 1, 17)]),
        ("app.py", 'OpenAI(api_key="<…>")\n', [("KL201", 1, 17)]),
        ("app.py", 'DeepSeek(api_key="此处填API密钥")\n', [("KL201", 1, 19)]),
        ("app.py", 'h = {"Authorization": "Bearer YOUR_API_KEY"}\n', [("KL201", 1, 31)]),
        ("app.py", 'h = {"x-api-key": "<ANTHROPIC_API_KEY>"}\n', [("KL201", 1, 20)]),
        (".env", "OPENAI_API_KEY=your-key-here\n", [("KL201", 1, 16)]),
        (".env", 'ANTHROPIC_API_KEY="sk-ant-..."\n', [("KL201", 1, 20)]),
        (".env", "OPENAI_API_KEY=Bearer YOUR_API_KEY\n", [("KL201", 1, 23)]),
        (".env.local", "GROQ_API_KEY=gsk_xxxxxxxx\n", [("KL201", 1, 14)]),
        ("config.yaml", "openai:\n  api_key: YOUR_OPENAI_API_KEY\n", [("KL201", 2, 12)]),
        ("config.yaml", "key: <your-api-key>\n", [("KL201", 1, 6)]),
        ("call.sh", "export OPENAI_API_KEY=sk-xxxx\n", [("KL201", 1, 23)]),
        (
            "call.sh",
            "curl -H 'Authorization: Bearer <token>' https://api.x.ai\n",
            [("KL201", 1, 32)],
        ),
    ],
)
def test_placeholder_key(path, source, expected):
    assert found(path, source, prefix=("KL20",)) == expected
    assert "placeholder-key" in category_of(path, source)


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("README.md", '```python\nclient = OpenAI(api_key="YOUR_API_KEY")\n```\n'),
        ("docs/setup.md", "```shell\nexport OPENAI_API_KEY=sk-...\n```\n"),
        (".env.example", "OPENAI_API_KEY=your-key-here\nGROQ_API_KEY=\n"),
        (".env.sample", "OPENAI_API_KEY=<your-key>\n"),
        ("config.example.yaml", "api_key: YOUR_API_KEY\n"),
        ("tests/test_client.py", 'OpenAI(api_key="test")\nOpenAI(api_key="")\n'),
        ("app.py", 'key = os.getenv("OPENAI_API_KEY", "")\n'),
        ("app.py", 'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'),
        ("ci.yml", "env:\n  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"),
        ("config.yaml", "api_key: ${OPENAI_API_KEY}\ntoken: '{{ env.HF_TOKEN }}'\n"),
        ("config.yaml", 'openai:\n  api_key: ""\n'),
        ("app.py", 'tok.pad_token = "<pad>"\nfield = {"key": "example"}\n'),
        ("app.py", 'chain = LLMChain(output_key="answer", memory_key="history")\n'),
        ("app.py", "# OPENAI_API_KEY=your-key-here (comments are prose)\n"),
    ],
)
def test_placeholder_not_reported(path, source):
    assert found(path, source, prefix=("KL20",)) == []


def test_a_name_in_quotes_is_a_placeholder_only_when_passed():
    assert found("app.py", 'OpenAI(api_key="OPENAI_API_KEY")\nGroq(api_key="api_key")\n') == [
        ("KL201", 1, 17),
        ("KL201", 2, 15),
    ]
    # constants naming an environment variable, enum members naming themselves
    source = 'ACCESS_KEY = "AWS_ACCESS_KEY_ID"\nclass K(Enum):\n    TOKEN = "token"\n'
    assert found("credentials.py", source) == []


@pytest.mark.parametrize(
    ("path", "source"),
    [
        # seen on this machine's lib tree (bench/data/lib): none of these is a credential
        ("schema.py", 'graph = {"key": "$ref"}\nroute_key = "$connect"\n'),
        ("lexer.py", 'problematic_token = "<EOF>"\nstart_token = "<s>"\n'),
        ("tags.json", '{"Tags": [{"Key": "mydbkey", "Value": "x"}]}\n'),
        ("config-vars.rst", "   aws_secret_access_key=bar\n   api_key = YOUR_KEY\n"),
        ("pkg.dist-info/METADATA", "    aws_secret_access_key = <default secret key>\n"),
        ("providers.py", 'CACHE = {"AWS::ApiGateway::ApiKey": "{key:azure-openai-key}"}\n'),
        (
            "policies.json",
            '{"IAMUserChangePassword": "arn:aws:iam::aws:policy/IAMUserChangePassword"}\n',
        ),
        ("users.json", '{"PasswordLastUsed": "2014-10-10T14:37:51Z"}\n'),
        ("model.py", 'PROP_API_KEY_SOURCE = "apiKeySource"\n'),
        (
            "ec2.rst",
            "arn:aws:ec2::123456789012:ipam-resource-discovery-association/ipam-res-disco-assoc-0805\n",
        ),
        ("script.stp", '    last_token = token = tokenize(path, "/");\n'),
        ("sts.json", '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}\n'),
        ("tokenize.py", "if token != '...' and initial == '.':\n    pass\n"),
        ("s3.json", '{"NextContinuationToken": "{key:aws-secret-access-key}"}\n'),
        ("cloudfront.rst", "    private_key = serialization.load_pem_private_key(data)\n"),
    ],
)
def test_noise_from_a_real_tree_is_not_reported(path, source):
    assert found(path, source) == []


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("app.py", 'import openai\nopenai.api_key = ""\n', [(2, 18)]),
        ("app.py", 'client = OpenAI(api_key="")\n', [(1, 25)]),
        ("app.py", 'os.environ["OPENAI_API_KEY"] = ""\n', [(1, 32)]),
        (".env", "OPENAI_API_KEY=\n", [(1, 1)]),
        (".env", 'GROQ_API_KEY=""\n', [(1, 14)]),
        ("run.sh", "export ANTHROPIC_API_KEY=''\n", [(1, 26)]),
        ("app.py", 'headers = {"Authorization": "Bearer "}\n', [(1, 30)]),
    ],
)
def test_empty_key(path, source, expected):
    assert [(line, col) for code, line, col in found(path, source) if code == "KL202"] == expected


def test_empty_key_in_ignored_dotenv_is_still_the_users_bug():
    assert found(".env", "OPENAI_API_KEY=\n", git_ignored=True) == [("KL202", 1, 1)]


# --- KL21x key-whitespace -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        # trailing space inside quotes (164-character key at column 26)
        ("app.py", 'client = OpenAI(api_key="{key:openai-project-key} ")\n', [("KL211", 1, 190)]),
        # leading space; a `\n` escape at the end
        ("app.py", 'Groq(api_key=" {key:groq-api-key}")\n', [("KL211", 1, 15)]),
        ("app.py", 'Groq(api_key="{key:groq-api-key}\\n")\n', [("KL211", 1, 71)]),
        # dotenv: unquoted trailing spaces (docker keeps them), quoted leading tab
        (".env", "XAI_API_KEY={key:xai-api-key}   \n", [("KL211", 1, 97)]),
        (".env", 'GROQ_API_KEY="\t{key:groq-api-key}"\n', [("KL211", 1, 15)]),
        # YAML block scalar keeps its line break; JSON escape
        ("c.yaml", "k:\n  api_key: |\n    {key:groq-api-key}\n", [("KL211", 3, 61)]),
        ("c.json", '{"api_key": "{key:groq-api-key}\\r\\n"}\n', [("KL211", 1, 70)]),
        ("run.sh", 'export GROQ_API_KEY="{key:groq-api-key} "\n', [("KL211", 1, 78)]),
        # embedded: a literal \n in single quotes, a space, a line break
        (".env", "GROQ_API_KEY='{key:groq-api-key}\\n'\n", [("KL212", 1, 71)]),
        ("c.yaml", "api_key: 'Ab12Cd34 Ef56Gh78Ij90Kl12'\n", [("KL212", 1, 19)]),
        ("app.py", 'OpenAI(api_key="sk-proj-Ab12Cd34\\nEf56Gh78Ij90Kl12")\n', [("KL212", 1, 33)]),
        # invisible characters, literal and escaped
        (".env", "OPENAI_API_KEY={key:openai-project-key}\u200b\n", [("KL213", 1, 180)]),
        ("app.py", 'Groq(api_key="\ufeff{key:groq-api-key}")\n', [("KL213", 1, 15)]),
        ("c.json", '{"api_key": "{key:groq-api-key}\\u2060"}\n', [("KL213", 1, 70)]),
        ("c.yaml", "api_key: {key:groq-api-key}\u00a0\n", [("KL213", 1, 66)]),
        ("app.py", 'Groq(api_key="gsk_\u00ad{key:groq-api-key}")\n', [("KL213", 1, 19)]),
        # typographic quotes, dashes, ellipsis
        (".env", "GROQ_API_KEY=\u201c{key:groq-api-key}\u201d\n", [("KL214", 1, 14)]),
        ("c.yaml", "api_key: \u2018{key:groq-api-key}\u2019\n", [("KL214", 1, 10)]),
        ("app.py", 'OpenAI(api_key="sk-proj-Ab12Cd34\u2026Wx9yZz01")\n', [("KL214", 1, 33)]),
        (
            ".env",
            "ANTHROPIC_API_KEY=sk\u2013ant\u2013api03\u2013Ab12Cd34Ef56\n",
            [("KL214", 1, 21)],
        ),
    ],
)
def test_key_whitespace(path, source, expected):
    assert found(path, source, git_ignored=path.startswith(".env"), prefix=("KL21",)) == expected


@pytest.mark.parametrize(
    ("path", "source"),
    [
        # loaders strip it: YAML plain scalars, shell words, dotenv before an inline comment
        ("c.yaml", "api_key:   {key:groq-api-key}   \n"),
        ("run.sh", "export GROQ_API_KEY={key:groq-api-key}   \n"),
        (".env", "GROQ_API_KEY={key:groq-api-key}   # prod\n"),
        # not keys: prose, placeholders with whitespace, a key-less name
        ("app.py", 'greeting = " hello world "\nprompt_key = "tell me a joke"\n'),
        (
            "app.py",
            'OpenAI(api_key=" YOUR_API_KEY ")\nOpenAI(api_key="\u201cYOUR_API_KEY\u201d")\n',
        ),
        ("app.py", 'OpenAI(api_key="sk-proj-\u2026")\n'),
        ("app.py", 'label = "\u201cquoted\u201d"\nnbsp = "a\u00a0b"\n'),
        # an f-string is built at run time
        ("app.py", 'OpenAI(api_key=f"{key} ")\n'),
    ],
)
def test_key_whitespace_not_reported(path, source):
    assert found(path, source, git_ignored=True, prefix=("KL21",)) == []


def _only(path: str, source: str, code: str, *, git_ignored: bool = True):
    [finding] = [f for f in lint(path, source, git_ignored=git_ignored) if f.rule == code]
    return finding


def test_whitespace_messages_cite_the_http_behaviour():
    trailing = _only("app.py", 'Groq(api_key="{key:groq-api-key}\\n")\n', "KL211")
    assert "Illegal header value" in trailing.message
    docker = _only(".env", "GROQ_API_KEY={key:groq-api-key} \n", "KL211")
    assert "docker" in docker.message and "python-dotenv" in docker.message
    assert docker.severity.value == "warning"
    assert docker.fix is not None and docker.fix.replacement == ""
    invisible = _only(".env", "GROQ_API_KEY={key:groq-api-key}\u200b\n", "KL213")
    assert "UnicodeEncodeError" in invisible.message and "U+200B" in invisible.message


# --- KL22x malformed-key --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        # truncated / wrong length / bad character, for strict prefixes only
        (".env", "GROQ_API_KEY=gsk_Ab12Cd34Ef56Gh78Ij90\n", [("KL221", 1, 14)]),
        (
            "app.py",
            'Groq(api_key="gsk_Ab12Cd34!f56Gh78Ij90Kl12Mn34Op56Qr78St90Uv12Wx34Yz56")\n',
            [("KL221", 1, 27)],
        ),
        ("c.yaml", "xai:\n  api_key: {key:xai-api-key}0\n", [("KL221", 2, 12)]),
        # doubled prefix
        (".env", "OPENAI_API_KEY=sk-{key:openai-project-key}\n", [("KL222", 1, 16)]),
        ("app.py", 'Groq(api_key="gsk_{key:groq-api-key}")\n', [("KL222", 1, 15)]),
        # a scheme stored in the key
        (".env", "OPENAI_API_KEY=Bearer {key:openai-project-key}\n", [("KL223", 1, 16)]),
        ("c.yaml", "anthropic:\n  api_key: Bearer {key:anthropic-api-key}\n", [("KL223", 2, 12)]),
        # another provider's key
        (".env", "OPENAI_API_KEY={key:anthropic-api-key}\n", [("KL224", 1, 16)]),
        (".env", "XAI_API_KEY={key:groq-api-key}\n", [("KL224", 1, 13)]),
        ("run.sh", "export ANTHROPIC_API_KEY={key:openai-project-key}\n", [("KL224", 1, 26)]),
        ("app.py", "import openai\nopenai.api_key = '{key:groq-api-key}'\n", [("KL224", 2, 19)]),
        # a URL pasted as the key
        (".env", "OPENAI_API_KEY=https://api.openai.com/v1\n", [("KL225", 1, 16)]),
        ("app.py", 'Anthropic(api_key="https://api.anthropic.com")\n', [("KL225", 1, 20)]),
    ],
)
def test_malformed_key(path, source, expected):
    assert found(path, source, git_ignored=True, prefix=("KL22",)) == expected


@pytest.mark.parametrize(
    ("path", "source"),
    [
        # `sk-` alone is shared with DeepSeek and OpenAI-compatible gateways
        (".env", "OPENAI_API_KEY=sk-1234\nDEEPSEEK_API_KEY=sk-{key:azure-openai-key}\n"),
        # a gateway: the base URL points elsewhere
        (
            ".env",
            "OPENAI_API_KEY={key:groq-api-key}\nOPENAI_BASE_URL=https://api.groq.com/openai/v1\n",
        ),
        ("app.py", 'c = openai.OpenAI(api_key="{key:groq-api-key}", base_url=url)\n'),
        # valid keys, placeholders (placeholder-key wins), docs and tests
        (".env", "GROQ_API_KEY={key:groq-api-key}\nOPENAI_API_KEY={key:openai-project-key}\n"),
        (".env", "GROQ_API_KEY=gsk_xxxxxxxx\nOPENAI_API_KEY=sk-proj-YOUR_API_KEY_HERE\n"),
        ("README.md", "```shell\nexport GROQ_API_KEY=gsk_Ab12Cd34\n```\n"),
        ("tests/test_app.py", 'Groq(api_key="gsk_fake")\n'),
        ("c.yaml", "api:\n  base_url: https://api.openai.com/v1\n  key_url: https://x.invalid\n"),
    ],
)
def test_malformed_key_not_reported(path, source):
    assert found(path, source, git_ignored=True, prefix=("KL22",)) == []


def test_placeholder_wins_over_malformed_and_whitespace():
    source = "GROQ_API_KEY=gsk_xxxxxxxx\nXAI_API_KEY=\u201cYOUR_XAI_KEY\u201d\n"
    assert found(".env", source, git_ignored=True, prefix=("KL2",)) == [
        ("KL201", 1, 14),
        ("KL201", 2, 13),
    ]


def test_damaged_real_key_is_reported_as_secret_and_damage():
    source = 'GROQ_API_KEY="{key:groq-api-key} "\n'
    assert found(".env", source, prefix=("KL1", "KL2")) == [("KL101", 1, 15), ("KL211", 1, 71)]


# --- redaction through the CLI --------------------------------------------------------------


def _variants(key: str, prefix: str) -> dict[str, str]:
    """The key and the damaged forms the rules report (each must stay redacted)."""
    return {
        "plain": key,
        "trailing": key + " ",
        "invisible": key + "\u200b",
        "doubled": prefix + key if prefix else key,
        "bearer": "Bearer " + key,
        "truncated": key[:-5],
    }


def test_cli_output_never_contains_a_full_fake_key(tmp_path: Path):
    db = load()
    keys_written: list[str] = []
    py, env, yaml = [], [], []
    for i, fmt in enumerate(db.key_formats):
        key = fmt.fake(7)
        keys_written.append(key)
        for kind, value in _variants(key, fmt.prefix).items():
            name = f"{fmt.id.upper().replace('-', '_')}_{kind.upper()}_API_KEY"
            py.append(f'{name.lower()} = "{value}"')
            env.append(f'{name}="{value}"')
            yaml.append(f'  {name.lower()}: "{value}"')
        env.append(f"OPENAI_API_KEY={key}")
        py.append(f'client_{i} = OpenAI(api_key="{key}")')
    (tmp_path / "app.py").write_text("\n".join(py) + "\n", encoding="utf-8")
    (tmp_path / ".env").write_text("\n".join(env) + "\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("keys:\n" + "\n".join(yaml) + "\n", encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        outputs = []
        for fmt_args in (["--format", "json"], ["--format", "text"], []):
            result = CliRunner().invoke(cli, [*fmt_args, "."], catch_exceptions=False)
            outputs.append(result.stdout + result.stderr)
    finally:
        os.chdir(old)
    report = json.loads(_json_part(outputs[0]))
    assert len(report["findings"]) > 3 * len(keys_written)  # the rules did run on them
    for output in outputs:
        for key in keys_written:
            third = len(key) // 3
            middle = key[third : 2 * third]
            assert key not in output, f"a full key leaked ({len(key)} chars)"
            assert middle not in output, f"the middle third of a key leaked ({len(key)} chars)"


def _json_part(output: str) -> str:
    start = output.index("{")
    end = output.rindex("}")
    return output[start : end + 1]


def test_render_source_builds_fake_keys_only_at_run_time():
    # the marks above are replaced here, never committed as literals
    assert "{key:" not in render_source("{key:groq-api-key}")


def test_engine_redacts_a_key_quoted_in_any_message() -> None:
    """The guard behind every rule: a message that quotes a key never shows it whole."""
    from conftest import engine, fake_key

    key = fake_key("groq-api-key")
    scrubbed = engine().scrub(f"value `{key}` is wrong")
    assert key not in scrubbed
    assert scrubbed.startswith("value `gsk_") and "…" in scrubbed
