"""The name predicates (keylint.names) and the word gate in front of them.

``secret_name_words`` in rules/common.yaml lets the predicates answer "no" for most names
without running their patterns. The gate is only sound if every name a pattern accepts
contains one of the words: these tests prove it from each pattern's parse tree, and check
the predicates' answers with and without the gate on real and tricky names.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from keylint import names
from keylint.providers import load

try:  # the parser behind re.compile: Python 3.11+ names it re._parser
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse  # type: ignore[no-redef]

DB = load()
WORDS = tuple(DB.common_data["secret_name_words"])
NAME_PATTERNS = ("key_slot_pattern", "secret_name_pattern", "password_name_pattern")


def _requires_word(items: Any) -> bool:
    """True when every match of the parsed sequence ``items`` contains one of ``WORDS``:
    a run of literals holds a word, or one item requires one (a branch: each alternative)."""
    run = ""
    for op, arg in items:
        if op is sre_parse.LITERAL:
            run += chr(arg).lower()
            if any(word in run for word in WORDS):
                return True
            continue
        run = ""
        if op is sre_parse.SUBPATTERN and _requires_word(arg[-1]):
            return True
        if op is sre_parse.BRANCH and all(_requires_word(alt) for alt in arg[1]):
            return True
        repeat = op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT)
        if repeat and arg[0] >= 1 and _requires_word(arg[2]):
            return True
    return False


@pytest.mark.parametrize("key", NAME_PATTERNS)
def test_every_name_a_pattern_accepts_holds_a_secret_name_word(key: str) -> None:
    parsed = sre_parse.parse(DB.common_data[key], re.IGNORECASE)
    assert _requires_word(list(parsed)), f"{key} accepts a name with no word of {WORDS}"


@pytest.mark.parametrize(
    ("source", "requires"),
    [
        ("(?:api[_-]?key|bearer)", False),  # `bearer` holds no word
        ("tok(?:en)?", False),  # `tok` alone matches
        ("x?(?:^|_)pass", True),
        ("(?:pass)+", True),
        ("(?:pass)*", False),
        ("p[ab]ss", False),  # a class breaks the run: the proof stays on the safe side
    ],
)
def test_the_proof_checks_what_it_claims(source: str, requires: bool) -> None:
    assert _requires_word(list(sre_parse.parse(source))) is requires


def test_authorization_headers_hold_a_word() -> None:
    from keylint.names import _HEADER_SLOTS

    assert _HEADER_SLOTS  # every header slot the name check consults passes the word gate
    assert all(any(word in header for word in WORDS) for header in _HEADER_SLOTS)


NAMES = [
    "OPENAI_API_KEY",
    "db_password",
    "adminPass",
    "user_auth",
    "Authorization",
    "proxy-authorization",
    "GITHUB_TOKEN",
    "client_secret",
    "contraseña",
    "CONTRASENA",
    "token_type",
    "public_key",
    "cfg.openai_api_key",
    "ALPHA_QUEUE_ALPHA_12",
    "SERVICE_HOST_URL",
    "ſecret",  # folds to "secret" under IGNORECASE: non-ASCII skips the gate
    "api_\u212aey",  # KELVIN SIGN folds to k
    "COHERE_API_KEY",
    "HF_TOKEN",
    "model",
    "",
]
PREDICATES = (
    names.is_key_slot,
    names.is_strong_key_slot,
    names.is_secret_name,
    names.is_password_name,
)


@pytest.mark.parametrize("name", NAMES)
def test_the_gate_changes_no_answer(name: str) -> None:
    """Each predicate answers as its patterns do without the gate."""
    ungated = {
        names.is_key_slot: names._is_key_slot,
        names.is_strong_key_slot: names._is_strong_key_slot,
        names.is_secret_name: names._is_secret_name,
        names.is_password_name: names._is_password_name,
    }
    for predicate in PREDICATES:
        expected = bool(name) and bool(ungated[predicate](name, DB))
        assert bool(predicate(name, DB)) is expected, (predicate.__name__, name)


def test_unicode_names_that_fold_to_secret_words_are_still_secret_names() -> None:
    assert names.is_secret_name("ſecret", DB)
    assert names.is_key_slot("api_\u212aey", DB)
    assert not names.is_secret_name("ALPHA_QUEUE_ALPHA_12", DB)


def test_one_search_finds_every_name_a_standalone_context_matches() -> None:
    """KL106 asks ``standalone_context`` before each format's context pattern."""
    import random

    pieces = [
        "SNYK",
        "snyk",
        "OKTA",
        "okta",
        "API",
        "OAUTH",
        "TOKEN",
        "KEY",
        "_",
        "-",
        ".",
        "ALIYUN",
        "Alibaba",
        "MAILGUN",
        "sumo",
        "BUNDLE",
        "GEMS",
        "ENTERPRISE",
        "__CONTRIBSYS__COM",
        "ALPHA",
        "x",
    ]
    rng = random.Random(5)
    samples = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(5000)]
    assert DB.standalone_formats
    hits = 0
    for name in samples:
        expected = any(f.context and f.context.search(name) for f in DB.standalone_formats)
        hits += expected
        assert bool(DB.standalone_context.search(name)) is expected, name
    assert hits > 500
