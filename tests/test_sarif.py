"""``--format sarif``: valid SARIF 2.1.0 that GitHub code scanning accepts.

Checked here: the OASIS schema (vendored, tests/data/README.md), one unique ``rules[]`` entry
per rule used with consistent ``ruleIndex``, UTF-16 columns, GitHub's line-hash fingerprint,
paths relative to the repository root, and no raw key anywhere. The Microsoft
SARIF Multitool runs on the same project in CI (tests/sarif_multitool.py).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import fake_key, fake_keys_in, render_source
from keylint.checks import all_rules
from keylint.cli import cli
from keylint.facts import Span
from keylint.findings import Category, Finding, Severity
from keylint.report import Report
from keylint.report.sarif import build, line_hashes, render, rule_descriptor, utf16_column

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
GOLDEN = DATA / "demo.sarif"
KEY_LINE = 'client = OpenAI(api_key="{key:openai-project-key}")\n'


# --------------------------------------------------------------------------------------------
# Helpers (tests/sarif_multitool.py uses write_rule_project too).


def write(root: Path, rel: str, source: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")
    return path


def git_init(root: Path) -> None:
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True, capture_output=True)


def write_rule_project(root: Path) -> list[str]:
    """Every example of every rule as a file under ``root``; returns the fake keys written.

    Each example gets its own directory (``kl101-0/app.py``) so file names, which decide the
    file kind, are kept. Examples that need git to ignore the file are left out. A file with
    an emoji before a key, and a broken YAML file (an entry in ``errors``) complete it.
    """
    sources: list[str] = []
    for rule in all_rules():
        for n, example in enumerate(rule.examples):
            if example.git_ignored:
                continue
            write(root, f"{rule.code.lower()}-{n}/{example.path}", example.source)
            sources.append(example.source)
    extra = {
        "unicode/emoji.py": 'x = "😀"; key = "{key:openai-project-key:1}"\n',
        "unicode/broken.yaml": "a: [1, 2\nkey: {key:groq-api-key:1}\n",
    }
    for rel, source in extra.items():
        write(root, rel, source)
        sources.append(source)
    return [key for source in sources for key in fake_keys_in(source)]


def run_cli(cwd: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


def sarif_of(cwd: Path, *paths: str) -> tuple[str, dict[str, Any]]:
    code, out = run_cli(cwd, "--format", "sarif", *paths, env={"GITHUB_ACTIONS": None})
    assert code in (0, 1)
    return out, json.loads(out)


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """A SARIF log with what differs between machines and releases replaced by placeholders.

    For golden files: the keylint version and the absolute repository root (in
    ``originalUriBaseIds`` and in any absolute ``file://`` URI that starts with it).
    """
    doc = copy.deepcopy(doc)
    for run in doc["runs"]:
        driver = run["tool"]["driver"]
        for key in ("version", "semanticVersion"):
            if key in driver:
                driver[key] = "<version>"
        bases = run.get("originalUriBaseIds", {})
        roots = [base["uri"] for base in bases.values()]
        for base in bases.values():
            base["uri"] = "file:///<root>/"
        for result in run.get("results", []):
            for location in result.get("locations", []):
                artifact = location["physicalLocation"]["artifactLocation"]
                for root in roots:
                    if artifact["uri"].startswith(root):
                        artifact["uri"] = "file:///<root>/" + artifact["uri"][len(root) :]
    return doc


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def schema_errors(validator: jsonschema.Draft4Validator, doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def the_run(doc: dict[str, Any]) -> dict[str, Any]:
    (run,) = doc["runs"]
    return run


# --------------------------------------------------------------------------------------------
# A project exercising every rule.


@pytest.fixture(scope="module")
def rule_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("rules")
    git_init(root)
    return root, write_rule_project(root)


@pytest.fixture(scope="module")
def rule_sarif(rule_project: tuple[Path, list[str]]) -> tuple[str, dict[str, Any]]:
    return sarif_of(rule_project[0], ".")


def test_every_rule_project_validates_against_the_schema(
    validator: jsonschema.Draft4Validator, rule_sarif: tuple[str, dict[str, Any]]
) -> None:
    _, doc = rule_sarif
    assert schema_errors(validator, doc) == []
    assert doc["version"] == "2.1.0"
    run = the_run(doc)
    assert run["automationDetails"] == {"id": "keylint/"}
    assert run["columnKind"] == "utf16CodeUnits"
    driver = run["tool"]["driver"]
    assert driver["name"] == "keylint"
    assert driver["version"] and driver["semanticVersion"]
    # no project URL is declared: no link to a page that may not exist
    assert "informationUri" not in driver


def test_every_rule_with_a_finding_example_is_exercised(
    rule_sarif: tuple[str, dict[str, Any]],
) -> None:
    expected = {r.code for r in all_rules() if any(e.expect for e in r.examples)}
    reported = {r["ruleId"] for r in the_run(rule_sarif[1])["results"]}
    assert expected <= reported


def test_rules_are_unique_and_rule_index_matches(rule_sarif: tuple[str, dict[str, Any]]) -> None:
    run = the_run(rule_sarif[1])
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    results = run["results"]
    assert set(ids) == {r["ruleId"] for r in results}  # only the rules used
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_results_carry_everything_github_reads(rule_sarif: tuple[str, dict[str, Any]]) -> None:
    results = the_run(rule_sarif[1])["results"]
    assert results
    for result in results:
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not physical["artifactLocation"]["uri"].startswith(("/", "file:"))
        region = physical["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        assert result["properties"]["category"] in {c.value for c in Category}
        assert "secret" not in result
        assert "fixes" not in result


def test_unreadable_or_broken_files_are_notifications(
    rule_sarif: tuple[str, dict[str, Any]],
) -> None:
    (invocation,) = the_run(rule_sarif[1])["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    broken = [n for n in notes if n["message"]["text"].startswith("unicode/broken.yaml: ")]
    assert len(broken) == 1
    assert broken[0]["level"] == "warning"
    location = broken[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "unicode/broken.yaml", "uriBaseId": "%SRCROOT%"}


def test_no_raw_key_in_sarif(
    rule_project: tuple[Path, list[str]], rule_sarif: tuple[str, dict[str, Any]]
) -> None:
    text, _ = rule_sarif
    keys = rule_project[1]
    assert keys
    leaked = [k[:6] for k in keys if k in text]
    assert leaked == [], f"raw keys (first 6 chars shown) in SARIF: {leaked}"
    assert "sha256:" not in text  # not even the secret's fingerprint


# --------------------------------------------------------------------------------------------
# Rule descriptors.


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_descriptor(rule: Any) -> None:
    d = rule_descriptor(rule)
    assert d["id"] == rule.code
    assert d["name"] == rule.name
    assert d["shortDescription"]["text"] == rule.summary
    assert 0 < len(d["fullDescription"]["text"]) <= 1024
    assert d["help"]["text"] and d["help"]["markdown"] == rule.docs()
    assert "```" not in d["help"]["text"]
    assert "helpUri" not in d  # no documentation URL configured: the help is inline
    level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value]
    assert d["defaultConfiguration"]["level"] == level
    props = d["properties"]
    assert props["precision"] == rule.precision
    assert len(props["tags"]) <= 20
    if rule.cwe:
        assert f"external/cwe/{rule.cwe.lower()}" in props["tags"]
        assert "security" in props["tags"]
    if "security" in props["tags"]:
        score = props["security-severity"]
        assert isinstance(score, str)
        assert 0.1 <= float(score) <= 10.0


def test_kl101_is_a_security_rule() -> None:
    (rule,) = [r for r in all_rules() if r.code == "KL101"]
    props = rule_descriptor(rule)["properties"]
    assert props["tags"][:1] == ["security"]
    assert "external/cwe/cwe-798" in props["tags"]
    assert props["security-severity"] == "8.0"
    assert props["precision"] == "very-high"


def test_a_code_without_a_registered_rule_still_gets_a_descriptor(tmp_path: Path) -> None:
    finding = Finding(
        "KL999", "made-up", Category.DOTENV_SYNTAX, Severity.INFO, "a.env", Span(1, 1, 1, 2), "m"
    )
    doc = json.loads(render(Report([finding]), cwd=tmp_path))
    (rule,) = the_run(doc)["tool"]["driver"]["rules"]
    assert rule["id"] == "KL999"
    assert rule["shortDescription"]["text"]
    assert the_run(doc)["results"][0]["level"] == "note"
    assert "partialFingerprints" not in the_run(doc)["results"][0]  # the file does not exist


# --------------------------------------------------------------------------------------------
# Columns in UTF-16 code units.


def test_utf16_columns_with_an_emoji_before_the_key(tmp_path: Path) -> None:
    write(tmp_path, "app.py", 'x = "😀"; key = "{key:openai-project-key}"\n' + KEY_LINE)
    _, doc = sarif_of(tmp_path, ".")
    results = the_run(doc)["results"]
    first, second = (r["locations"][0]["physicalLocation"]["region"] for r in results)
    key_len = len(fake_key("openai-project-key"))
    # keylint's column is 17 (code points); the emoji is two UTF-16 code units
    assert first == {"startLine": 1, "startColumn": 18, "endLine": 1, "endColumn": 18 + key_len}
    assert second == {"startLine": 2, "startColumn": 26, "endLine": 2, "endColumn": 26 + key_len}


def test_utf16_column_conversion() -> None:
    assert utf16_column("a😀b𝔘c", 1) == 1
    assert utf16_column("a😀b𝔘c", 3) == 4  # after 😀
    assert utf16_column("a😀b𝔘c", 6) == 8  # after 😀 and 𝔘
    assert utf16_column("éé€", 4) == 4  # BMP characters are one unit
    assert utf16_column("😀", 5) == 6  # past the end of the line
    assert utf16_column(None, 7) == 7  # file no longer readable


# --------------------------------------------------------------------------------------------
# primaryLocationLineHash, as github/codeql-action src/fingerprints.ts computes it.

# Vectors from codeql-action's src/fingerprints.test.ts.
CODEQL_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    *(
        (
            text,
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                "c129715d7a2bc9a3:1",
            ],
        )
        for text in (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        )
    ),
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)]
        + [
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
    # Computed by codeql-action's own lib/fingerprints.js ``hash()`` under Node 20 (reading
    # the file with fs.createReadStream(…, "utf8")): a BOM is a character there, an astral
    # character is two UTF-16 code units, invalid UTF-8 is U+FFFD.
    ("\ufeffab\n", ["902be7e1380985e3:1", "c129715d7a2bc9a3:1"]),
    ("key = '😀'\nx\n", ["4281528bbbffa0d8:1", "828973aa50c68d6d:1", "c129715d7a2bc9a3:1"]),
    ("caf\ufffd = 1\r\n\tb\n", ["507bad862264283a:1", "ade70578248be16f:1", "c129715d7a2bc9a3:1"]),
]


@pytest.mark.parametrize(("text", "expected"), CODEQL_VECTORS)
def test_line_hashes_match_codeql_action(text: str, expected: list[str]) -> None:
    hashes = line_hashes(text)
    assert [hashes[n] for n in sorted(hashes)] == expected
    assert sorted(hashes) == list(range(1, len(expected) + 1))


def test_line_hashes_can_stop_early() -> None:
    text, expected = CODEQL_VECTORS[-4]
    assert line_hashes(text, until=2)[2] == expected[1]


def test_sarif_fingerprints_are_github_line_hashes(tmp_path: Path) -> None:
    # The key line is longer than the 100-character window, so the two copies hash the same
    # and only the occurrence count tells them apart.
    path = write(tmp_path, "app.py", KEY_LINE + KEY_LINE)
    _, doc = sarif_of(tmp_path, ".")
    hashes = line_hashes(path.read_text(encoding="utf-8"))
    got = [r["partialFingerprints"]["primaryLocationLineHash"] for r in the_run(doc)["results"]]
    assert got == [hashes[1], hashes[2]]
    assert got[0].endswith(":1") and got[1].endswith(":2")
    assert got[0].split(":")[0] == got[1].split(":")[0]


# --------------------------------------------------------------------------------------------
# Paths relative to the repository root.


def _uris(doc: dict[str, Any]) -> list[str]:
    return [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in the_run(doc)["results"]
    ]


def test_uris_are_relative_to_the_git_root_from_a_subdirectory(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(tmp_path, "pkg/app.py", KEY_LINE)
    write(tmp_path, "other/my file.py", KEY_LINE)
    _, doc = sarif_of(tmp_path / "pkg", ".")
    assert _uris(doc) == ["pkg/app.py"]
    _, doc = sarif_of(tmp_path / "pkg", "..")
    assert _uris(doc) == ["other/my%20file.py", "pkg/app.py"]
    base = the_run(doc)["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == tmp_path.resolve().as_uri() + "/"


def test_without_git_uris_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    write(tmp_path, "sub/app.py", KEY_LINE)
    write(tmp_path, "elsewhere/x.py", KEY_LINE)
    _, doc = sarif_of(tmp_path / "sub", ".", "../elsewhere/x.py")
    locations = [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in the_run(doc)["results"]
    ]
    # Findings come sorted by their path from the working directory: ../elsewhere first.
    # Outside the root: an absolute file URI (valid SARIF; GitHub cannot place it anyway).
    assert locations == [
        {"uri": (tmp_path / "elsewhere" / "x.py").resolve().as_uri()},
        {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
    ]


# --------------------------------------------------------------------------------------------
# Golden file for demo/, the bundled broken project.


def examples_sarif() -> dict[str, Any]:
    _, doc = sarif_of(REPO, "demo")
    return normalise(doc)


def test_examples_golden() -> None:
    if os.environ.get("KEYLINT_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(examples_sarif(), indent=2, ensure_ascii=False) + "\n")
    if not GOLDEN.exists():
        pytest.skip("no tests/data/demo.sarif yet (KEYLINT_UPDATE_GOLDEN=1 writes it)")
    assert examples_sarif() == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_normalise_hides_version_and_root(tmp_path: Path) -> None:
    write(tmp_path, "app.py", KEY_LINE)
    _, doc = sarif_of(tmp_path, ".")
    normal = normalise(doc)
    run = the_run(normal)
    assert run["tool"]["driver"]["version"] == "<version>"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///<root>/"
    assert str(tmp_path.resolve()) not in json.dumps(normal)
    assert the_run(doc)["tool"]["driver"]["version"] != "<version>"  # the input is untouched


# --------------------------------------------------------------------------------------------
# Text that is not the file on disk: --staged (the caller passes it) and --history.


def _key_finding(path: str, span: Span, extra: tuple[tuple[str, str], ...] = ()) -> Finding:
    return Finding(
        "KL101", "provider-key", Category.HARDCODED_SECRET, Severity.ERROR, path, span, "m",
        extra=extra,
    )  # fmt: skip


def test_source_text_replaces_the_disk(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("nothing here\n", encoding="utf-8")
    staged = 'x = "😀"; key = "abc"\n'
    doc = build(
        Report([_key_finding("app.py", Span(1, 17, 1, 20))]), tmp_path, {"app.py": staged}.get
    )
    (result,) = the_run(doc)["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (18, 21)
    assert result["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(staged)[1]


def test_history_findings_get_no_disk_based_columns_or_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text('x = "😀"; key = "abc"\n', encoding="utf-8")
    f = _key_finding("app.py", Span(1, 17, 1, 20), extra=(("commit", "0" * 40),))
    (result,) = the_run(build(Report([f]), tmp_path))["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startColumn"], region["endColumn"]) == (17, 20)
    assert "partialFingerprints" not in result
    assert result["properties"]["commit"] == "0" * 40


def test_help_uri_only_when_a_documentation_url_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from keylint.report import sarif

    rule = all_rules()[0]
    monkeypatch.setattr(sarif, "_project_urls", lambda: (None, None))
    assert "helpUri" not in rule_descriptor(rule)
    docs = "https://docs.example.org/keylint/"
    monkeypatch.setattr(sarif, "_project_urls", lambda: ("https://example.org/keylint", docs))
    assert rule_descriptor(rule)["helpUri"] == f"https://docs.example.org/keylint/rules/{rule.code}"
    assert sarif._driver([])["informationUri"] == "https://example.org/keylint"
