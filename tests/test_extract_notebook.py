"""Notebook extraction: facts of code cells at their physical line and column in the .ipynb."""

from __future__ import annotations

import json

import pytest

from conftest import engine, fake_key, lint, positions, render_source
from keylint.extract import ParseError, notebook
from keylint.facts import Context, EnvDef, EnvRead, Fact, Header, Origin, Span, Value
from keylint.providers import load
from keylint.source import SourceFile

# nbformat 4 as Jupyter writes it: one JSON string per source line.
NOTEBOOK = r"""{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\n",
    "model = \"gpt-4o\"\n"
   ]
  },
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["Prose with `api_key = \"prose\"`\n"]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": ["printed {key:groq-api-key}\n"]
    }
   ],
   "source": [
    "from openai import OpenAI\n",
    "client = OpenAI(api_key=\"{key:openai-project-key}\")\n",
    "key = os.environ[\"OPENAI_API_KEY\"]"
   ]
  }
 ],
 "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"""


def extract(source: str, path: str = "nb.ipynb") -> list[Fact]:
    return notebook.extract(SourceFile.from_text(path, render_source(source)), load())


def _t(span: Span) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def locate(text: str, needle: str, nth: int = 0) -> tuple[int, int, int, int]:
    """Where ``needle`` is in ``text`` (one line), found by plain search."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return (line, column, line, column + len(needle))


def cell(*lines: str, cell_type: str = "code") -> dict[str, object]:
    return {"cell_type": cell_type, "metadata": {}, "outputs": [], "source": list(lines)}


def notebook_text(*cells: dict[str, object], language: str = "python") -> str:
    doc = {"cells": list(cells), "metadata": {"kernelspec": {"language": language}}}
    return json.dumps(doc, indent=1, ensure_ascii=False)


def test_key_in_second_line_of_second_code_cell_maps_to_the_ipynb_position() -> None:
    facts = extract(NOTEBOOK)
    key_length = len(fake_key("openai-project-key"))
    values = [f for f in facts if isinstance(f, Value) and f.name == "api_key"]
    assert [(_t(v.span), v.origin, v.context) for v in values] == [
        ((31, 32, 31, 32 + key_length), Origin.KWARG, Context.CODE)
    ]
    assert _t(values[0].name_span) == (31, 22, 31, 29)  # type: ignore[arg-type]
    assert values[0].value == fake_key("openai-project-key")
    reads = [(r.name, _t(r.span)) for r in facts if isinstance(r, EnvRead)]
    assert reads == [("OPENAI_API_KEY", (32, 25, 32, 39))]
    model = [f for f in facts if isinstance(f, Value) and f.name == "model"]
    assert [_t(v.span) for v in model] == [(10, 16, 10, 22)]


def test_prose_and_outputs_give_no_facts_but_kl101_sees_both() -> None:
    facts = extract(NOTEBOOK)
    assert not any(isinstance(f, Value) and f.value == "prose" for f in facts)
    assert not any(f.span.line == 26 for f in facts if isinstance(f, Value))
    assert positions(lint("nb.ipynb", NOTEBOOK), "KL101") == [(26, 24), (31, 32)]


def test_escapes_in_the_json_string_are_accounted_for() -> None:
    text = notebook_text(cell('x = {"é": "a\\\\b", "tab": "\t😀"}\n'))
    assert '"x = {\\"é\\": \\"a\\\\\\\\b\\", \\"tab\\": \\"\\t😀\\"}\\n"' in text
    spans = {f.name: _t(f.span) for f in extract(text) if isinstance(f, Value)}
    # Each span covers the JSON text of the Python string's content.
    assert spans["é"] == locate(text, "a\\\\\\\\b")
    assert spans["tab"] == locate(text, "\\t😀")


def test_unicode_escapes_and_surrogate_pairs() -> None:
    text = '{"cells": [{"cell_type": "code", "source": ["s = \\"\\u00e9\\ud83d\\ude00x\\"\\n"]}]}'
    [value] = [f for f in extract(text) if isinstance(f, Value)]
    assert value.value == "é😀x"
    assert _t(value.span) == (1, 52, 1, 71)
    assert text[51:70] == "\\u00e9\\ud83d\\ude00x"


def test_source_as_one_string() -> None:
    text = '{"cells": [{"cell_type": "code", "source": "a = 1\\nkey = \\"value\\"\\n"}]}'
    [value] = [f for f in extract(text) if isinstance(f, Value)]
    assert (value.name, value.value, _t(value.span)) == ("key", "value", locate(text, "value"))


def test_magics_are_blanked_and_shell_lines_scanned() -> None:
    text = notebook_text(
        cell(
            "%pip install openai\n",
            "%env OPENAI_API_KEY=abc\n",
            "!curl -H 'Authorization: Bearer $OPENAI_API_KEY' https://api.openai.com/v1/models\n",
            "files = !ls\n",
            'token = "t"\n',
        )
    )
    facts = extract(text)
    [env] = [f for f in facts if isinstance(f, EnvDef)]
    assert (env.name, _t(env.span), env.how) == ("OPENAI_API_KEY", (9, 11, 9, 25), "%env")
    assert env.value is not None and _t(env.value.span) == (9, 26, 9, 29)
    [header] = [f for f in facts if isinstance(f, Header)]
    assert (_t(header.name_span), header.how, header.template) == (
        locate(text, "Authorization"),
        "curl",
        "shell-single-quotes",
    )
    token = [f for f in facts if isinstance(f, Value) and f.name == "token"]
    assert [_t(v.span) for v in token] == [(12, 16, 12, 17)]
    # `%pip` and `files = !ls` are not Python: blanked, and the cell still parses.
    assert not any(isinstance(f, Value) and f.value == "ls" for f in facts)


def test_bash_cell_magic_goes_to_the_text_scanner() -> None:
    text = notebook_text(cell("%%bash\n", "export GROQ_API_KEY=value\n"))
    [env] = [f for f in extract(text) if isinstance(f, EnvDef)]
    assert (env.name, _t(env.span), env.how, env.context) == (
        "GROQ_API_KEY",
        locate(text, "GROQ_API_KEY"),
        "export",
        Context.CODE,
    )


def test_a_cell_with_a_syntax_error_does_not_hide_the_others() -> None:
    text = notebook_text(
        cell("def broken(:\n", 'api_key = "in-broken-cell"\n'),
        cell('good = "kept"\n'),
    )
    facts = extract(text)
    values = {(f.name, f.value, _t(f.span)) for f in facts if isinstance(f, Value)}
    assert ("good", "kept", locate(text, "kept")) in values
    # The broken cell gets the text scanner, like a broken .py file.
    assert ("api_key", "in-broken-cell", locate(text, "in-broken-cell")) in values


def test_markdown_cell_code_blocks_are_code() -> None:
    text = notebook_text(
        cell("Text `x=1`\n", "```bash\n", "export OPENAI_KEY=v\n", "```\n", cell_type="markdown")
    )
    [env] = [f for f in extract(text) if isinstance(f, EnvDef)]
    assert (env.name, _t(env.span)) == ("OPENAI_KEY", locate(text, "OPENAI_KEY"))


def test_non_python_kernel_gets_the_text_scanner() -> None:
    text = notebook_text(cell('Sys.setenv(OPENAI_API_KEY = "v")\n'), language="R")
    values = [(f.value, _t(f.span)) for f in extract(text) if isinstance(f, Value)]
    line, column, _, _ = locate(text, '\\"v\\"')
    assert ("v", (line, column + 2, line, column + 3)) in values


def test_nbformat_3_worksheets() -> None:
    text = '{"worksheets": [{"cells": [{"cell_type": "code", "input": ["k = \\"v\\"\\n"]}]}]}'
    [value] = [f for f in extract(text) if isinstance(f, Value)]
    assert (value.name, _t(value.span)) == ("k", locate(text, "v"))


def test_not_json_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        extract("not json {")


def test_json_without_cells_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        extract('{"a": 1}')
    assert "notebook" in str(info.value)


def test_broken_notebook_reports_an_error_and_keeps_kl101() -> None:
    source = '{\n "cells": [\n  "{key:openai-project-key}"\n  oops\n'
    result = engine().lint_bytes("nb.ipynb", render_source(source).encode())
    assert result.error is not None and result.error[1].startswith("JSON error: ")
    assert positions(lint("nb.ipynb", source), "KL101") == [(3, 4)]
