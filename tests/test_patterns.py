"""The compiled-on-first-use patterns answer exactly as ``re`` does: CaselessPattern as
re.IGNORECASE, for every data pattern; LazyPattern as re.compile; AnyPattern as any() of
its members."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.patterns import CaselessPattern
from keylint.providers import load

COMMON = load().common
PATTERNS = [pattern.source for _, pattern in COMMON.caseless()]
NAMES = ["OPENAI_API_KEY", "db_Password", "NextContinuationToken", "ŞİFRE_token", "apiKey", "x"]


@pytest.mark.parametrize("source", PATTERNS)
@pytest.mark.parametrize("text", [*NAMES, "YOUR_API_KEY", "<your-key-here>", "sk-xxxx", "ＫＥＹ"])
def test_data_patterns_answer_as_ignorecase(source: str, text: str) -> None:
    folded = re.compile(source, re.IGNORECASE)
    assert CaselessPattern(source).search(text) == (folded.search(text) is not None)
    assert CaselessPattern(source).match(text) == (folded.match(text) is not None)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERNS), st.text(alphabet="aAzZ_-.09 ıİKkſ\u212a<>{}$xXyY", max_size=24))
def test_any_text_answers_as_ignorecase(source: str, text: str) -> None:
    folded = re.compile(source, re.IGNORECASE)
    assert CaselessPattern(source).search(text) == (folded.search(text) is not None)


def test_a_pattern_spelling_upper_case_is_searched_folded() -> None:
    # [A-Z] under IGNORECASE matches 'q'; the lower-cased text would fail a case-sensitive
    # copy that spells upper-case letters, so that copy is never used.
    pattern = CaselessPattern(r"^[A-Z]+_KEY$")
    assert pattern.search("my_key") and pattern.search("MY_KEY")
    assert CaselessPattern(r"\Sx").search("ax")  # an escape is not an upper-case letter


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("(?-i:example)$", "EXAMPLE"),  # the inline flag keeps this part case-sensitive
        ("(?-i:EXAMPLE(?:KEY)?)$", "examplekey"),
        ("ſecret", "SECRET"),  # U+017F folds to s under IGNORECASE
        ("Key", "key"),  # the Kelvin sign folds to k
        ("clé", "CLÉ"),
        (r"\x41", "a"),  # an escape that stands for a letter
        (r"[@-_]x", "AX"),  # a range reaching into A-Z
        (r"ı_key", "I_KEY"),  # dotless i folds to I
        ("contraseña|key", "MY_KEY"),  # other non-ASCII letters leave ASCII text alone
        ("[Ā-Ȁ]ecret", "secret"),  # a range over U+017F (folds to s)
        ("[℀-∀]ey", "key"),  # a range over the Kelvin sign (folds to k)
        ("[α-ω]ey", "key"),  # a range over none of the four: never ASCII
    ],
)
def test_what_lower_casing_cannot_answer_is_searched_folded(source: str, text: str) -> None:
    folded = re.compile(source, re.IGNORECASE)
    assert CaselessPattern(source).search(text) == (folded.search(text) is not None)


def test_compiled_only_on_first_use() -> None:
    pattern = CaselessPattern("(")  # a broken pattern costs nothing until it is searched
    with pytest.raises(re.error):
        pattern.search("text")


def test_lazy_pattern_compiles_on_first_use_and_answers_as_re() -> None:
    from keylint.patterns import LazyPattern

    broken = LazyPattern("(")  # nothing is compiled at definition
    with pytest.raises(re.error):
        broken.search("x")
    pattern = LazyPattern(r"^k(\d)", re.M)
    text = "a\nk1\nk2"
    assert [m.group(1) for m in pattern.finditer(text)] == ["1", "2"]
    assert pattern.search(text) is not None and pattern.match(text) is None


# --- AnyPattern: one search of the alternation, the answer of any() ------------------------

DATA = load().common_data
PLACEHOLDERS = [str(p) for p in DATA["placeholder_patterns"]]
LOOKUPS = [str(p) for p in DATA["lookup_patterns"]]
VALUES = [
    "YOUR_API_KEY",
    "sk-xxxx",
    "AIza***",
    "aiza***",
    "xxxxxxxx",
    "aaaaaa",
    "<your-key>",
    "{{ API_KEY }}",
    "%(openai_key)s",
    "AKIAIOSFODNN7EXAMPLE",
    "akiaiosfodnn7example",
    "此处填API密钥",
    "你的API密钥",
    "tu_clave_api",
    "votre-clé",
    "${OPENAI_API_KEY}",
    "${{ secrets.OPENAI }}",
    "$KEY",
    "op://vault/item",
    "process.env.KEY",
    "value123",
    "sk-proj-abc",
    "ſk-xxxx",
    "\u212aEY_here",
    "",
]


@pytest.mark.parametrize("sources", [PLACEHOLDERS, LOOKUPS], ids=["placeholder", "lookup"])
def test_any_pattern_answers_as_each_pattern_does(sources: list[str]) -> None:
    from keylint.patterns import AnyPattern

    caseless = sources is PLACEHOLDERS
    joined = AnyPattern(sources, caseless=caseless)
    flags = re.IGNORECASE if caseless else 0
    each = [re.compile(s, flags) for s in sources]
    matched = 0
    for text in VALUES:
        expected = any(p.search(text) for p in each)
        matched += expected
        assert joined.search(text) is expected, text
    assert 5 < matched < len(VALUES)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aAxX*._-<>{}$%()sSkK ıİſ\u212a密钥你的EXAMPLEyour_key0", max_size=30))
def test_any_placeholder_answers_as_each_pattern_on_any_text(text: str) -> None:
    from keylint.patterns import AnyPattern

    each = [re.compile(s, re.IGNORECASE) for s in PLACEHOLDERS]
    expected = any(p.search(text) for p in each)
    assert AnyPattern(PLACEHOLDERS, caseless=True).search(text) is expected


# Context patterns as extend-data providers may write them (KL106's standalone_context):
# leading global flags, named groups that would clash, a conditional on a group number,
# a back-reference. Joined naively, the first two fail to compile and the last two change
# meaning.
CONTEXTS = [
    "(?i)okta",
    "(?i)acme_(?P<kind>token|key)",
    "(?i)acmeother_(?P<kind>token|key)",
    "(?i)zzz(q)",
    "(?i)(beta)?(?(1)_token|nope)",
    r"^(.)\1_secret",
    "(?m)^sumo",
    "snyk[_.-]?(?:api[_.-]?)?(?:key|token)",
]
CONTEXT_NAMES = [
    "OKTA_API_TOKEN",
    "acme_TOKEN",
    "ACMEOTHER_KEY",
    "zzzq",
    "BETA_TOKEN",
    "nope",
    "aa_secret",
    "ab_secret",
    "sumo_key",
    "x\nsumo",
    "SNYK_TOKEN",
    "snyk_token",
    "ALPHA_TOKEN",
    "",
]


@pytest.mark.parametrize("name", CONTEXT_NAMES)
def test_any_pattern_joins_only_what_keeps_its_meaning(name: str) -> None:
    from keylint.patterns import AnyPattern

    expected = any(re.search(source, name) for source in CONTEXTS)
    assert AnyPattern(CONTEXTS, caseless=False).search(name) is expected


def test_any_pattern_scopes_leading_flags_and_keeps_the_rest_apart() -> None:
    from keylint.patterns import AnyPattern

    joined = AnyPattern(CONTEXTS, caseless=False)
    joined.search("x")
    sources = [search.source for search in joined._searches or []]
    joined_source = (
        "(?:(?i:okta))|(?:(?i:zzz(q)))|(?:(?m:^sumo))|(?:snyk[_.-]?(?:api[_.-]?)?(?:key|token))"
    )
    assert sources == [
        "(?i)acme_(?P<kind>token|key)",  # alone: each its own search, as written
        "(?i)acmeother_(?P<kind>token|key)",
        "(?i)(beta)?(?(1)_token|nope)",
        r"^(.)\1_secret",
        joined_source,
    ]


def test_only_a_leading_flag_is_scoped_one_further_in_keeps_its_own_search() -> None:
    from keylint.patterns import AnyPattern

    # A global flag further in is an error from Python 3.11 and, on 3.10, applies to the
    # whole pattern: never joined, so it can never fold the others' case.
    joined = AnyPattern(["foo(?i)bar", "(?i)okta", "baz"], caseless=False)
    assert joined._groups == [["foo(?i)bar"], ["(?i:okta)", "baz"]]


def test_an_alternation_that_does_not_compile_is_searched_member_by_member(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from keylint import patterns

    monkeypatch.setattr(patterns, "UNJOINABLE", re.compile("(?!)"))  # named groups let through
    joined = patterns.AnyPattern(CONTEXTS[1:3], caseless=False)
    assert joined.search("ACMEOTHER_KEY") and not joined.search("ALPHA_TOKEN")
    assert len(joined._searches or []) == 2
