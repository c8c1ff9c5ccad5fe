"""The provider data in rules/ is well-formed, and every key format it declares is found.

Adding a provider is a data change: this test makes that change carry its own proof.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SPEC_PROVIDER_IDS, lint, positions
from keylint.providers import DataError, data_dir, load, load_from

DB = load()
PREFIXED = DB.prefixed_formats
CONTEXTUAL = [k for k in DB.key_formats if k.context is not None]

SPEC_PROVIDERS = set(SPEC_PROVIDER_IDS)


def test_every_provider_of_the_contract_has_a_file() -> None:
    assert {p.id for p in DB.providers} >= SPEC_PROVIDERS


def test_file_names_match_ids_and_key_ids_are_unique() -> None:
    ids = [k.id for k in DB.key_formats]
    assert len(ids) == len(set(ids))
    for path in (data_dir() / "providers").glob("*.yaml"):
        assert path.stem in DB.by_id


NEGATIVES = [(k, i) for k in DB.key_formats for i in range(len(k.negatives))]


def test_the_data_covers_sixty_providers() -> None:
    assert len(DB.providers) >= 60


@pytest.mark.parametrize("fmt", DB.key_formats, ids=lambda k: k.id)
def test_sample_matches_its_own_regex(fmt) -> None:
    fake = fmt.fake()
    assert fmt.regex.fullmatch(fake), f"{fmt.id}: sample does not match regex"
    assert fake.startswith(fmt.prefix) or fmt.id == "aws-access-key-id"
    if fmt.lengths:
        assert len(fake) in fmt.lengths


@pytest.mark.parametrize("fmt", PREFIXED, ids=lambda k: k.id)
def test_prefixed_format_is_reported_where_it_starts(fmt) -> None:
    source = 'settings = {"token": "{key:' + fmt.id + '}"}\n'
    findings = lint("app.py", source)
    if fmt.role == "id":  # an identifier alone is no leak; with its secret it is (KL111)
        assert positions(findings, "KL101") == []
        paired = source + 'settings["secret"] = "{key:' + str(fmt.pair) + '}"\n'
        assert positions(lint("app.py", paired), "KL111") == [(1, 23)]
        return
    assert positions(findings, "KL101") == [(1, 23)]
    (finding,) = [f for f in findings if f.rule == "KL101"]
    assert finding.provider == fmt.provider


@pytest.mark.parametrize("fmt", PREFIXED, ids=lambda k: k.id)
def test_truncated_key_is_not_a_provider_key(fmt) -> None:
    fake = fmt.fake()
    cut = fake[: max(len(fmt.prefix) + 4, len(fake) // 2)]
    source = 'settings = {"token": "' + cut + '"}\n'
    assert positions(lint("app.py", source), "KL101") == []


@pytest.mark.parametrize(("fmt", "n"), NEGATIVES, ids=lambda v: getattr(v, "id", str(v)))
def test_negative_sample_is_not_taken_for_the_format(fmt, n: int) -> None:
    """The near misses the data file lists (too short, wrong marker) are not this key."""
    text = fmt.fake(template=fmt.negatives[n])
    assert not fmt.regex.fullmatch(text), f"{fmt.id}: negative {n} matches the regex"
    findings = lint("app.py", 'settings = {"token": "' + text + '"}\n')
    reported = [f.provider for f in findings if f.rule == "KL101"]
    assert fmt.provider not in reported, f"{fmt.id}: negative {n} reported as a provider key"


@pytest.mark.parametrize("fmt", [k for k in PREFIXED if k.marker], ids=lambda k: k.id)
def test_marker_format_is_found_inside_prose(fmt) -> None:
    """A format recognised by a marker inside it (Azure `…Q~…`) is found mid-line too;
    one whose marker is too common for the prefilter needs its provider's word."""
    word = "" if fmt.prefilter_marker else DB.by_id[fmt.provider].raw["prefilter"][0]
    source = f"# {word}\nnote: the secret {{key:{fmt.id}}} was rotated\n"
    assert positions(lint("NOTES.md", source), "KL101") == [(2, 18)]


@pytest.mark.parametrize("fmt", DB.standalone_formats, ids=lambda k: k.id)
def test_standalone_format_is_reported_under_its_name(fmt) -> None:
    """Name and shape together are a key (KL106); the shape under another name is not."""
    provider = DB.by_id[fmt.provider]
    stem = provider.id.upper().replace("-", "_")
    names = [*provider.key_env, f"{stem}_API_TOKEN", f"{stem}_ACCESS_KEY"]
    names.append("BUNDLE_ENTERPRISE__CONTRIBSYS__COM")
    name = next(n for n in names if fmt.context.search(n))
    key = fmt.fake(5)
    assert positions(lint("settings.py", f'{name} = "{key}"\n'), "KL106") == [(1, len(name) + 5)]
    assert positions(lint("settings.py", f'REQUEST_ID = "{key}"\n'), "KL106") == []


def test_schema_errors_are_clear(tmp_path: Path) -> None:
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "acme.yaml").write_text("id: other\nname: Acme\nkeys: []\n")
    (tmp_path / "common.yaml").write_text((data_dir() / "common.yaml").read_text())
    with pytest.raises(DataError, match="must match the file name"):
        load_from(tmp_path)
    (tmp_path / "providers" / "acme.yaml").write_text(
        "id: acme\nname: Acme\nkeys:\n  - id: k\n    label: K\n    regex: '('\n"
        "    charset: a-z\n    sample: '{3}'\n"
    )
    with pytest.raises(DataError, match="bad regex"):
        load_from(tmp_path)
    (tmp_path / "providers" / "acme.yaml").write_text(
        "id: acme\nname: Acme\nkeys:\n  - id: k\n    label: K\n    regex: 'a~[a-z]{3}'\n"
        "    charset: a-z\n    sample: '{3}'\n    marker: 'a~'\n"
    )
    with pytest.raises(DataError, match="must contain the marker"):
        load_from(tmp_path)
    (tmp_path / "providers" / "acme.yaml").write_text(
        "id: acme\nname: Acme\nkeys:\n  - id: k\n    label: K\n    regex: 'ak_[a-z]{3}'\n"
        "    prefix: ak_\n    charset: a-z\n    sample: 'ak_{3}'\n    role: id\n"
    )
    with pytest.raises(DataError, match="needs 'pair'"):
        load_from(tmp_path)


def test_every_fact_cites_a_source() -> None:
    for fmt_provider in DB.providers:
        for key in fmt_provider.raw["keys"]:
            assert key.get("source"), f"{fmt_provider.id}/{key['id']} has no source"


def test_a_misspelt_endpoint_kind_fails_loudly(tmp_path: Path) -> None:
    # The design review's reproduction: `kind: removd` was dropped without a word.
    (tmp_path / "providers").mkdir()
    (tmp_path / "common.yaml").write_text((data_dir() / "common.yaml").read_text())
    acme = "id: acme\nname: Acme\nkeys: []\nendpoints:\n  - {kind: removd, path: /v1/old}\n"
    (tmp_path / "providers" / "acme.yaml").write_text(acme)
    with pytest.raises(DataError, match=r"acme.yaml endpoints\[0\]: unknown kind 'removd'"):
        load_from(tmp_path)
    (tmp_path / "providers" / "acme.yaml").write_text(acme.replace("removd", "misspelt-host"))
    with pytest.raises(DataError, match="kind 'misspelt-host' needs host"):
        load_from(tmp_path)


@pytest.mark.parametrize("fmt", DB.prefixed_formats, ids=lambda f: f.id)
def test_has_key_agrees_with_find_keys_when_a_rejected_match_overlaps_a_key(fmt) -> None:
    # "a<key>-<key>": the first match starts inside a word and is rejected; the second key
    # starts after "-" inside that match's span. A non-overlapping scan missed it (8 formats).
    key = fmt.fake()
    text = "a" + key + "-" + key
    found = DB.find_keys(text)
    assert [(start, fmt_.id) for start, _end, fmt_ in found][-1:] == [(len(key) + 2, fmt.id)]
    assert DB.has_key(text)


def test_a_bad_common_pattern_fails_at_load_not_at_first_use(tmp_path: Path) -> None:
    """common.yaml's case-insensitive patterns compile on first use (patterns.py); the load
    of data not yet validated still compiles each one."""
    (tmp_path / "providers").mkdir()
    text = (data_dir() / "common.yaml").read_text()
    broken = text.replace("key_slot_pattern: ", "key_slot_pattern: '(' #", 1)
    assert broken != text
    (tmp_path / "common.yaml").write_text(broken)
    with pytest.raises(DataError, match=r"common\.yaml: key_slot_pattern: bad regex"):
        load_from(tmp_path)


def test_the_data_is_one_object_however_it_is_asked_for() -> None:
    """`load()` (redaction) and `load(settings.extend_data)` (the engine) are one object:
    every index built over the data (automata, name answers) is built once per run."""
    assert load() is load(()) is load(tuple())
