"""Requirement lines: the plain forms are read without importing packaging, and read exactly
as packaging reads them; everything else is packaging's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import packaging.requirements
import pytest
from packaging.requirements import InvalidRequirement, Requirement

from keylint.pins import _PLAIN_REQUIREMENT, _pep508, detect

PLAIN = [
    "openai",
    "openai>=1.40",
    "openai >= 1.40",
    "openai>=1.0,<2",
    "openai >=1.0 , <2.0",
    "openai<2,>=1.0",
    "openai==0.28.1",
    "openai==0.28.*",
    "openai!=1.2.*",
    "openai~=1.4",
    "openai~=1.4.2",
    "openai>1",
    "openai<=2.0",
    "openai==01.0",
    "Open_AI.sdk-x>=1",
    "a",
    "a1.0",
]
NOT_PLAIN = [
    "openai[datalib]>=1.0",
    "openai (>=1.0)",
    "openai>=1.0; python_version >= '3.8'",
    "openai @ https://example.com/openai-1.0.tar.gz",
    "openai>=1.0rc1",
    "openai==1.0.post1",
    "openai===1.0",
    "openai~=1",
    "openai>=1.0.*",
    "openai>=1.0,",
    "openai> =1.0",
    "openai>=",
    "-openai",
    "openai.>=1",
    # packaging takes only ASCII spaces and digits
    "openai\xa0>=1",
    "openai\x0c>=1",
    "openai>=\u0661",
    "openai>=1\u2003,<2",
]
# Plain in form, but packaging's answer depends on its version (up to 26.0 two clauses
# equal in canonical form are one): left to packaging.
SHARED_OPERATOR = ["openai>=1.0,>=1.0", "openai>=1.0,>=1", "openai==1,==1.0.0", "openai!=1.0,!=1"]


@pytest.fixture
def packaging_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts keylint hands to packaging's Requirement."""
    calls: list[str] = []

    def recording(text: str) -> Requirement:
        calls.append(text)
        return Requirement(text)

    monkeypatch.setattr(packaging.requirements, "Requirement", recording)
    return calls


def _packaging(text: str) -> tuple[str, str] | None:
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    return requirement.name, ",".join(sorted(str(s) for s in requirement.specifier))


@pytest.mark.parametrize("text", PLAIN)
def test_plain_lines_are_read_as_packaging_reads_them(
    text: str, packaging_calls: list[str]
) -> None:
    assert _pep508(text) == _packaging(text)
    assert packaging_calls == []


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_lines_go_to_packaging(text: str, packaging_calls: list[str]) -> None:
    assert not _PLAIN_REQUIREMENT.fullmatch(text)
    assert _pep508(text) == _packaging(text)
    assert packaging_calls == [text]


@pytest.mark.parametrize("text", SHARED_OPERATOR)
def test_two_clauses_with_one_operator_go_to_packaging(
    text: str, packaging_calls: list[str]
) -> None:
    assert _PLAIN_REQUIREMENT.fullmatch(text)
    assert _pep508(text) == _packaging(text)
    assert packaging_calls == [text]


def test_comments_and_options_around_a_plain_line() -> None:
    assert _pep508("openai>=1.40  # the v1 client") == ("openai", ">=1.40")
    assert _pep508("openai==1.40.0 --hash=sha256:abc") == ("openai", "==1.40.0")


def test_a_plain_requirements_file_does_not_import_packaging(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the search for requirement files stops here
    (tmp_path / "requirements.txt").write_text("openai>=1.40\nanthropic>=0.30\nrequests\n")
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from keylint.pins import detect\n"
        f"pins = detect(Path({str(tmp_path)!r}))\n"
        "print(pins['openai'], 'packaging' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == [">=1.40", "False"]
    assert detect(tmp_path)["anthropic"] == ">=0.30"
