"""The prefilter only saves time: it never hides a finding that reading every file gives.

Checked on every rule example and on the bundled projects (demo/ and the env fixture),
with the prefilter as shipped against one that lets every file through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import render_source
from keylint.checks import all_rules
from keylint.config import Settings
from keylint.discovery import discover
from keylint.engine import Engine
from keylint.findings import Confidence, Finding

ROOT = Path(__file__).resolve().parent.parent


def _open(engine: Engine) -> Engine:
    engine.prefilter.interesting = lambda data, code=False: True  # type: ignore[method-assign]
    return engine


def _keys(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.span.line, f.span.column, f.rule) for f in findings]


SHIPPED = Engine(Settings(min_confidence=Confidence.LOW))
OPEN = _open(Engine(Settings(min_confidence=Confidence.LOW)))

EXAMPLES = [
    pytest.param(example, id=f"{rule.code}-{i}")
    for rule in all_rules()
    for i, example in enumerate(rule.examples)
]


@pytest.mark.parametrize("example", EXAMPLES)
def test_rule_examples_same_with_and_without_prefilter(example) -> None:
    data = render_source(example.source).encode("utf-8")
    results = []
    for engine in (SHIPPED, OPEN):
        result = engine.lint_bytes(example.path, data, git_ignored=example.git_ignored)
        results.append(_keys(engine.collect([result], 1).findings))
    assert results[0] == results[1]


@pytest.mark.parametrize("project", ["demo", "tests/fixtures/envproject"])
def test_projects_same_with_and_without_prefilter(project: str, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    targets = discover([project], ROOT).targets
    shipped = Engine(Settings(min_confidence=SHIPPED.settings.min_confidence)).run(targets, jobs=1)
    opened = _open(Engine(Settings(min_confidence=SHIPPED.settings.min_confidence))).run(
        targets, jobs=1
    )
    assert shipped.findings and _keys(shipped.findings) == _keys(opened.findings)


def test_a_file_found_only_by_a_format_trigger_passes_the_prefilter() -> None:
    # The design review's reproductions: a SendGrid key under a neutral name and a password
    # in a URL, in files that name nothing else keylint knows.
    sendgrid = "MAIL = 'SG." + "a1B2c3D4e5F6g7H8i9J0kL" + "." + "m" * 43 + "'\n"
    url = 'url: "mysql://app:' + "Xq9vR2mLp4zW" + '@db.internal/app"\n'
    assert SHIPPED.prefilter.interesting(sendgrid.encode(), code=True)
    assert SHIPPED.prefilter.interesting(url.encode())
    assert not SHIPPED.prefilter.interesting(b'url: "https://example.org/app"\n')


def test_the_dfa_built_after_enough_bytes_answers_as_the_nfa(monkeypatch) -> None:
    """The prefilter starts on the automaton that is quick to build and switches to the one
    that is quick to scan: every answer on the bundled files is the same either side."""
    from keylint import prefilter

    files = [
        p
        for folder in (ROOT / "tests", ROOT / "demo")
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.stat().st_size < 200_000
    ]
    assert len(files) > 50  # the repository's own sources, whatever was compiled
    inputs = [(p.read_bytes(), p.suffix in (".py", ".ipynb")) for p in files]
    # The threshold is read at each scan: the NFA answers with it out of reach, the DFA
    # with it at one byte.
    monkeypatch.setattr(prefilter, "_DFA_AFTER_BYTES", 10**12)
    nfa = Engine(Settings()).prefilter
    expected = [nfa.interesting(data, code) for data, code in inputs]
    assert nfa._scanned == sum(len(data) for data, _ in inputs)  # all of it on the NFA
    monkeypatch.setattr(prefilter, "_DFA_AFTER_BYTES", 1)
    dfa = Engine(Settings()).prefilter
    initial = dfa._automaton  # the NFA every prefilter starts with
    dfa.interesting(b"x", False)  # one byte reaches the threshold: the DFA is built
    built = dfa._automaton
    assert built is not initial
    assert [dfa.interesting(data, code) for data, code in inputs] == expected
    assert dfa._automaton is built
    for data, _code in inputs:  # and every hit of every word, not only the answers
        lowered = data.lower()
        hits = sorted(built.find_matches_as_indexes(lowered, overlapping=True))
        assert hits == sorted(nfa._automaton.find_matches_as_indexes(lowered, overlapping=True))
