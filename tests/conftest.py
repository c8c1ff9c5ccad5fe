"""Shared test helpers.

Fake keys are built at run time from the ``sample`` templates in rules/ (never committed
as literals): ``{key:FORMAT_ID}`` / ``{key:FORMAT_ID:N}`` in a test source becomes a fake
key of that format. Assertion messages must never show a raw key: compare findings by
position and code, and use :func:`scrub` on any text shown on failure.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from verify_server import ProviderServer

from keylint.cli import cli
from keylint.config import Settings
from keylint.engine import Engine
from keylint.findings import Confidence, Finding
from keylint.providers import load

# Spec §7's provider ids: each has provider data and a verification file.
SPEC_PROVIDER_IDS = (
    "openai",
    "azure-openai",
    "anthropic",
    "google",
    "groq",
    "xai",
    "mistral",
    "cohere",
    "deepseek",
    "openrouter",
    "together",
    "perplexity",
    "huggingface",
    "aws",
    "github",
    "stripe",
    "slack",
)

_KEY_MARK = re.compile(r"\{key:([a-z0-9-]+)(?::(\d+))?\}")


def fake_key(format_id: str, n: int = 0) -> str:
    db = load()
    for fmt in db.key_formats:
        if fmt.id == format_id:
            return fmt.fake(n)
    raise KeyError(format_id)


def render_source(source: str) -> str:
    return _KEY_MARK.sub(lambda m: fake_key(m.group(1), int(m.group(2) or 0)), source)


def fake_keys_in(source: str) -> list[str]:
    return [fake_key(m.group(1), int(m.group(2) or 0)) for m in _KEY_MARK.finditer(source)]


_ENGINES: dict[str, Engine] = {}


def engine(min_confidence: str = "medium") -> Engine:
    if min_confidence not in _ENGINES:
        _ENGINES[min_confidence] = Engine(Settings(min_confidence=Confidence(min_confidence)))
    return _ENGINES[min_confidence]


def lint(
    path: str, source: str, *, git_ignored: bool = False, min_confidence: str = "medium"
) -> list[Finding]:
    """Lint one file given as test source (with ``{key:…}`` marks) through the engine, with
    the default confidence floor unless told otherwise."""
    e = engine(min_confidence)
    result = e.lint_bytes(path, render_source(source).encode("utf-8"), git_ignored=git_ignored)
    return e.collect([result], 1).findings


def run_isolated(cwd: Path, *args: str) -> Result:
    """keylint's CLI run in ``cwd`` with no config file, as a user would run it there."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["--isolated", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    """Run git in ``cwd`` as a fixed test author, optionally at a fixed commit date."""
    env = dict(os.environ)
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    out = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return out.stdout.strip()


def positions(findings: Iterable[Finding], code: str | None = None) -> list[tuple[int, int]]:
    return [(f.span.line, f.span.column) for f in findings if code is None or f.rule == code]


def scrub(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        text = text.replace(s, "<KEY>")
    return text


@pytest.fixture
def lint_file():
    return lint


# --- the local provider server of the --verify tests ----------------------------------------


@pytest.fixture(scope="module")
def shared_server() -> Iterator[ProviderServer]:
    """One local HTTPS provider server per test module (tests/verify_server.py)."""
    srv = ProviderServer()
    yield srv
    srv.close()


@pytest.fixture
def server(shared_server: ProviderServer) -> ProviderServer:
    """The module's server, with no answers or requests left from the test before."""
    shared_server.reset()
    return shared_server
