"""Every rule's documented examples run as tests (the Fixit/ruff habit)."""

from __future__ import annotations

import datetime

import pytest

from conftest import lint, positions, render_source
from keylint.checks import all_rules, kl4_endpoints
from keylint.checks.base import rule_sections_missing
from keylint.config import Settings
from keylint.engine import Engine
from keylint.selectors import codes_by_file_name

CASES = [
    pytest.param(rule, i, example, id=f"{rule.code}-{i}")
    for rule in all_rules()
    for i, example in enumerate(rule.examples)
]


# Examples are specs of a fixed day: shutdown dates in rules/ must not flip them.
PINNED_DAY = datetime.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kl4_endpoints, "TODAY", PINNED_DAY)


@pytest.mark.parametrize(("rule", "index", "example"), CASES)
def test_example(rule, index, example):
    """With every rule on (so precedence between rules shows) and with the rule alone (so
    a rule never depends on another being selected, as ruff's ``for_rule``)."""
    findings = lint(example.path, example.source, git_ignored=example.git_ignored)
    assert positions(findings, rule.code) == list(example.expect)
    alone = Engine(Settings(select=(rule.code,)))
    result = alone.lint_bytes(
        example.path, render_source(example.source).encode(), git_ignored=example.git_ignored
    )
    assert positions(alone.collect([result], 1).findings, rule.code) == list(example.expect)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_documented(rule):
    assert rule_sections_missing(rule) == []
    assert rule.summary.endswith(".")
    assert any(e.expect for e in rule.examples), "at least one invalid example"
    assert any(not e.expect for e in rule.examples), "at least one valid example"


def test_codes_are_unique_and_in_their_category_range():
    ranges = {
        "hardcoded-secret": "KL1",
        "placeholder-key": "KL20",
        "key-whitespace": "KL21",
        "malformed-key": "KL22",
        "env-var-name": "KL3",
        "outdated-endpoint": "KL40",
        "deprecated-model": "KL45",
        "auth-header": "KL5",
        "deprecated-sdk": "KL6",
        "dotenv-syntax": "KL7",
        "rate-limit": "KL8",
    }
    codes = [r.code for r in all_rules()]
    assert len(codes) == len(set(codes))
    for rule in all_rules():
        assert rule.code.startswith(ranges[rule.category.value]), rule.code


def test_every_rule_module_is_named_by_the_code_of_its_one_rule():
    """Selectors naming codes are checked from file names alone (selectors.is_known)."""
    by_module: dict[str, list[str]] = {}
    for rule in all_rules():
        by_module.setdefault(rule.__module__.rpartition(".")[2], []).append(rule.code)
    for module, codes in by_module.items():
        assert codes == [module.partition("_")[0].upper()], module
    assert sorted(codes_by_file_name()) == sorted(r.code for r in all_rules())


def test_deferred_modules_hold_rules_that_need_their_fact() -> None:
    """The engine imports a checks.DEFERRED group's modules only for a file that yields the
    fact its rules need: each of those rules says it needs exactly that, and none of them
    is a cross-file rule (those run over every file)."""
    import keylint.facts
    from keylint.checks import DEFERRED, rules_in
    from keylint.checks.base import ProjectRule

    for group, fact in DEFERRED.items():
        rules = rules_in(group)
        assert rules, f"the DEFERRED group {group} holds no rule"
        for rule in rules:
            assert rule.needs is getattr(keylint.facts, fact), rule.code
            assert not issubclass(rule, ProjectRule), rule.code
    for rule in rules_in(None):
        assert rule.needs is None or not issubclass(rule, ProjectRule), rule.code


def test_a_run_never_imports_deferred_rules_it_does_not_need(tmp_path) -> None:
    import subprocess
    import sys

    (tmp_path / "app.py").write_text('KEY = "sk-' + "a" * 40 + '"\n', encoding="utf-8")
    (tmp_path / "notes.md").write_text("```env\nOPENAI_API_KEY = x\n```\n", encoding="utf-8")
    probe = (
        "import sys\nfrom keylint.cli import main\nsys.argv = ['keylint', '--isolated', "
        "sys.argv[1]]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('keylint.checks.kl7', "
        "'keylint.checks.kl8'))))"
    )

    def loaded(name: str) -> str:
        run = [sys.executable, "-c", probe, name]
        out = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]

    assert loaded("app.py") == "[]"  # no dotenv entry, no loop
    assert "kl701_spaces_around_equals" in loaded("notes.md")  # a dotenv block loads them
    (tmp_path / "loop.py").write_text(
        "import openai\nclient = openai.OpenAI()\nfor i in range(3):\n    try:\n"
        '        client.chat.completions.create(model="gpt-4o", messages=[])\n'
        "    except openai.RateLimitError:\n        continue\n",
        encoding="utf-8",
    )
    assert "kl801_retries_disabled_in_loop" in loaded("loop.py")


def test_rule_modules_are_listed_as_the_import_system_lists_them() -> None:
    import pkgutil

    import keylint.checks
    from keylint.checks import rule_module_names

    listed = sorted(i.name for i in pkgutil.iter_modules(keylint.checks.__path__))
    assert list(rule_module_names()) == [name for name in listed if name.startswith("kl")]


def test_rule_modules_are_listed_from_a_zip_install_too(monkeypatch) -> None:
    from types import SimpleNamespace

    import keylint.checks
    from keylint.checks import rule_module_names

    from_directory = rule_module_names.__wrapped__()
    # As from a zipapp: the package's path is no directory (for keylint.checks only; the
    # import system's own listing still reads the real one).
    no_directory = SimpleNamespace(path=SimpleNamespace(isdir=lambda _path: False))
    monkeypatch.setattr(keylint.checks, "os", no_directory)
    assert rule_module_names.__wrapped__() == from_directory
    assert len(from_directory) > 50 and "kl101_provider_key" in from_directory
    assert keylint.checks.group_of("kl701_spaces_around_equals") == "kl7"
