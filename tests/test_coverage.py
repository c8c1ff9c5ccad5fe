"""Coverage beyond intact provider keys: published and hand-typed keys are not leaks
(KL101 stays quiet), and a damaged key is still one (KL105)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from conftest import fake_key, lint, positions
from keylint.checks import keyquality
from keylint.providers import load


def test_public_keys_data_is_well_formed() -> None:
    entries = keyquality.public_keys()
    assert len(entries) >= 10
    assert {e.provider for e in entries.values()} <= {p.id for p in load().providers}


def test_a_published_key_is_not_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    key = fake_key("google-api-key")
    source = f'GOOGLE_MAPS = "{key}"\n'
    assert positions(lint("app.py", source), "KL101") == [(1, 16)]
    digest = hashlib.sha256(key.encode()).hexdigest()
    entry = keyquality.PublicKey("google", digest, "a test", "this test")
    monkeypatch.setattr(keyquality, "public_keys", lambda: {digest: entry})
    assert positions(lint("app.py", source), "KL101") == []


@pytest.mark.parametrize(
    "body",
    [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg",  # an alphabet
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  # one character
        "A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A",  # too few distinct characters
        "Xq9" + "0123456789" + "Zr7kP2mW4vN8sT6yL3jH",  # a counted run inside
    ],
)
def test_a_hand_typed_body_is_not_a_key(body: str) -> None:
    key = "AIzaSy" + body  # built at run time
    assert len(key) == 39
    assert positions(lint("app.py", f'KEY = "{key}"\n'), "KL101") == []


def test_random_bodies_are_not_taken_for_typed_ones() -> None:
    db = load()
    for fmt in db.prefixed_formats:
        for seed in range(20):
            assert not keyquality.made_up(fmt.fake(seed), fmt), (fmt.id, seed)


def test_damaged_key_is_reported_as_leaked_with_its_span() -> None:
    key = fake_key("github-token")
    short = key[:-1]
    findings = lint("deploy.py", f'TOKEN = "{short}"\n')
    (kl105,) = [f for f in findings if f.rule == "KL105"]
    assert (kl105.span.line, kl105.span.column, kl105.span.end_column) == (1, 10, 10 + len(short))
    assert kl105.provider == "github"
    assert short not in kl105.message and key not in kl105.message
    assert "39 characters where the format has 40" in kl105.message
    assert "KL221" in {f.rule for f in findings}  # the damage is reported too


def test_key_with_a_space_inside_is_reported_as_leaked() -> None:
    key = fake_key("groq-api-key")
    spaced = key[:20] + " " + key[20:]
    findings = lint("app.py", f'client = Groq(api_key="{spaced}")\n')
    assert positions(findings, "KL105") == [(1, 24)]
    assert positions(findings, "KL101") == []
    (kl105,) = [f for f in findings if f.rule == "KL105"]
    assert kl105.secret is not None
    # the fingerprint is the key's, as if it were intact: a baseline entry matches both
    intact = [f for f in lint("app.py", f'client = Groq(api_key="{key}")\n') if f.rule == "KL101"]
    assert intact[0].secret is not None
    assert kl105.secret.fingerprint == intact[0].secret.fingerprint


def test_far_from_the_format_is_not_a_damaged_key() -> None:
    key = fake_key("github-token")
    assert positions(lint("app.py", f'TOKEN = "{key[:20]}"\n'), "KL105") == []
    assert (
        positions(lint("app.py", 'TOKEN = "ghp_is_the_prefix_of_github_tokens"\n'), "KL105") == []
    )


# --- KL107 credential files and XML -----------------------------------------------------------

PW = "Rq7" + "vK2mXw9Tz4"  # built at run time: no credential-shaped literal
AUTH = base64.b64encode(f"deploy:{PW}".encode()).decode()


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (".pgpass", f"db.corp.io:5432:app:deploy:{PW}\n", [(1, 28, 28 + len(PW))]),
        (".pgpass", f"localhost:5432:app:deploy:{PW}\n", []),
        (".pgpass", f"db.corp.io:5432:app:deploy:a\\:b{PW}\n", [(1, 28, 32 + len(PW))]),
        (".pypirc", f"[corp]\nusername = deploy\npassword = {PW}\n", [(3, 12, 12 + len(PW))]),
        (
            ".netrc",
            f"machine a.corp.io\n  login deploy\n  password {PW}\n",
            [(3, 12, 12 + len(PW))],
        ),
        (
            "deploy/config.json",
            '{"auths": {"r.corp.io": {"auth": "' + AUTH + '"}}}',
            [(1, 35, 35 + len(AUTH))],
        ),
        (
            "idea/dataSources.xml",
            f'<project><data-source name="db" password="{PW}" user="u"/></project>\n',
            [(1, 43, 43 + len(PW))],
        ),
        (
            "app.config",
            '<configuration><add key="Password" value="$(DbPassword)"/></configuration>\n',
            [],
        ),
    ],
)
def test_credentials_in_their_files(path: str, source: str, expected) -> None:
    found = [
        (f.span.line, f.span.column, f.span.end_column)
        for f in lint(path, source)
        if f.rule == "KL107"
    ]
    assert found == expected


def test_broken_or_hostile_xml_is_no_traceback() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x password="&a;"/>\n'
    assert positions(lint("evil.xml", bomb), "KL107") == []
    assert positions(lint("broken.config", '<a password="unclosed\n'), "KL107") == []


def test_a_credential_file_is_parsed_without_any_trigger_word() -> None:
    # `.netrc` lines have no `password=`: the prefilter would skip the file by its words
    assert positions(lint(".netrc", f"machine a.corp.io login u password {PW}\n"), "KL107") == [
        (1, 36)
    ]
