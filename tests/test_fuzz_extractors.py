"""Every extractor fuzzed (issue 8): no exception escapes ``extract()`` and every span of
every fact lies inside the file. A small budget per extractor, so CI runs it on every push;
``KEYLINT_FUZZ_EXAMPLES=5000`` runs a longer campaign locally.
"""

from __future__ import annotations

import dataclasses
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keylint.extract import extract
from keylint.facts import Span
from keylint.providers import load
from keylint.source import SourceFile, detect_kind

DB = load()
BUDGET = settings(
    max_examples=int(os.environ.get("KEYLINT_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # CI: the same examples every run, so a failure reproduces; a campaign: new ones.
    derandomize="KEYLINT_FUZZ_EXAMPLES" not in os.environ,
)

# Pieces that steer the generators into the grammar of each kind.
TOKENS = [
    "OPENAI_API_KEY",
    "api_key",
    "export ",
    "=",
    ":",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "'",
    '"',
    '"""',
    "`",
    "#",
    "\\",
    "${A}",
    "${{ secrets.X }}",
    "{",
    "}",
    "[",
    "]",
    ",",
    "-",
    "sk-proj-",
    "Bearer ",
    "os.environ[",
    "getenv(",
    "```python\n",
    "```\n",
    "- ",
    "\ufeff",
    "\u00a0",
    "\u2028",
    "é",
    "\x00",
    "\udcff",
]
texts = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)), max_size=40).map("".join)


def _spans(fact: object) -> list[Span]:
    out = []
    for field in dataclasses.fields(fact):  # type: ignore[arg-type]
        value = getattr(fact, field.name)
        if isinstance(value, Span):
            out.append(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.extend(_spans(value))
    return out


def check(path: str, text: str) -> None:
    file = SourceFile.from_text(path, text, kind=detect_kind(path))
    extracted = extract(file, DB)  # must not raise
    lines = len(file.line_starts)
    for fact in extracted.facts:
        for span in _spans(fact):
            assert 1 <= span.line <= span.end_line <= lines, (type(fact).__name__, span)
            assert span.column >= 1 and span.end_column >= 1, (type(fact).__name__, span)
            if span.line == span.end_line:
                assert span.column <= span.end_column, (type(fact).__name__, span)
            for line, column in ((span.line, span.column), (span.end_line, span.end_column)):
                width = len(file.line_text(line))
                assert column <= width + 2, (type(fact).__name__, span, width)  # +newline


@BUDGET
@given(texts)
def test_fuzz_dotenv(text: str) -> None:
    check(".env", text)


@BUDGET
@given(texts)
def test_fuzz_python(text: str) -> None:
    check("app.py", text)


@BUDGET
@given(texts)
def test_fuzz_python_valid_code(text: str) -> None:
    """Valid Python that reaches the visitor: strings built from fuzzed text."""
    check("app.py", f"import os\nK = {text!r}\nos.environ[{text[:8]!r}]\nx = f'{{K}}' + {text!r}\n")


@BUDGET
@given(texts)
def test_fuzz_yaml(text: str) -> None:
    check("config.yaml", text)


@BUDGET
@given(texts)
def test_fuzz_json(text: str) -> None:
    check("config.json", text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@BUDGET
@given(json_values)
def test_fuzz_json_documents(value: object) -> None:
    check("config.json", json.dumps({"api_key": value}, ensure_ascii=False))


@BUDGET
@given(texts)
def test_fuzz_toml(text: str) -> None:
    check("pyproject.toml", text)


@BUDGET
@given(texts, texts)
def test_fuzz_notebook(code: str, markdown: str) -> None:
    cells = [
        {"cell_type": "code", "source": code.splitlines(keepends=True)},
        {"cell_type": "markdown", "source": markdown},
    ]
    check("n.ipynb", json.dumps({"cells": cells, "nbformat": 4}, ensure_ascii=False))


@BUDGET
@given(texts)
def test_fuzz_notebook_raw(text: str) -> None:
    check("n.ipynb", text)


@BUDGET
@given(texts)
def test_fuzz_markdown(text: str) -> None:
    check("README.md", text)


@BUDGET
@given(texts)
def test_fuzz_text(text: str) -> None:
    check("deploy.sh", text)
    check("Dockerfile", text)
    check("app.js", text)
