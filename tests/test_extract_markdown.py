"""Markdown extraction: code blocks are code, prose and inline code spans give no facts."""

from __future__ import annotations

from conftest import lint, positions, render_source
from keylint.extract import markdown
from keylint.facts import Context, EnvDef, EnvRead, Fact, Header, Span, Value
from keylint.providers import load
from keylint.source import SourceFile


def extract(source: str, path: str = "README.md") -> list[Fact]:
    return markdown.extract(SourceFile.from_text(path, render_source(source)), load())


def _t(span: Span) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def values(facts: list[Fact]) -> list[tuple[str | None, str, tuple[int, int, int, int]]]:
    return [(f.name, f.value, _t(f.span)) for f in facts if isinstance(f, Value)]


def test_prose_and_inline_code_give_no_facts() -> None:
    source = (
        "# Setup\n\n"
        'Set `OPENAI_API_KEY=sk-...` and `api_key = "x"` in prose.\n'
        "Authorization: Bearer token in a sentence.\n"
        "curl -H 'Authorization: Bearer $KEY' said in text\n"
    )
    assert extract(source) == []


def test_python_block_goes_through_the_python_extractor() -> None:
    source = (
        "Intro.\n\n"
        "```python\n"
        "import os\n"
        'client = OpenAI(api_key="abc", base_url=os.environ["BASE"])\n'
        "```\n"
    )
    facts = extract(source)
    assert values(facts) == [("api_key", "abc", (5, 26, 5, 29))]
    [read] = [f for f in facts if isinstance(f, EnvRead)]
    assert (read.name, _t(read.span), read.how) == ("BASE", (5, 53, 5, 57), "os.environ[]")
    assert all(f.context is Context.CODE for f in facts if isinstance(f, Value))


def test_tilde_fence_with_attributes_and_unicode_columns() -> None:
    source = '~~~ py title="é"\nx = "😀"; key = "val"\n~~~\n'
    assert values(extract(source)) == [("x", "😀", (2, 6, 2, 7)), ("key", "val", (2, 17, 2, 20))]


def test_python_block_indented_in_a_list_keeps_file_columns() -> None:
    source = "1. Configure:\n   ```python\n   if True:\n       token = 'abc'\n   ```\n"
    assert values(extract(source)) == [("token", "abc", (4, 17, 4, 20))]


def test_python_block_with_a_syntax_error_falls_back_to_text() -> None:
    source = "```python\napi_key = 'abc'\nthis is not python\n```\n"
    assert values(extract(source)) == [("api_key", "abc", (2, 12, 2, 15))]


def test_pycon_session_prompts_are_removed() -> None:
    source = "```pycon\n>>> key = 'abc'\n>>> key\n'abc'\n```\n"
    assert values(extract(source)) == [("key", "abc", (2, 12, 2, 15))]


def test_shell_block_goes_through_the_text_scanner() -> None:
    source = (
        "Run:\n\n"
        "```bash\n"
        "export OPENAI_API_KEY=abc\n"
        "curl https://api.openai.com/v1/models \\\n"
        "  -H 'Authorization: Bearer $OPENAI_API_KEY'\n"
        "```\n"
    )
    facts = extract(source)
    [env] = [f for f in facts if isinstance(f, EnvDef)]
    assert (env.name, _t(env.span), env.how, env.context) == (
        "OPENAI_API_KEY",
        (4, 8, 4, 22),
        "export",
        Context.CODE,
    )
    [header] = [f for f in facts if isinstance(f, Header)]
    assert (header.name, _t(header.name_span), _t(header.value_span)) == (
        "Authorization",
        (6, 7, 6, 20),
        (6, 22, 6, 44),
    )
    assert header.template == "shell-single-quotes"
    assert [(r.name, _t(r.span)) for r in facts if isinstance(r, EnvRead)] == [
        ("OPENAI_API_KEY", (6, 30, 6, 44))
    ]


def test_block_without_info_string_and_unclosed_fence() -> None:
    source = "```\nTOKEN=one\n```\n\ntext\n\n````yaml\napi_key: two\n"
    assert values(extract(source)) == [
        ("TOKEN", "one", (2, 7, 2, 10)),
        ("api_key", "two", (8, 10, 8, 13)),
    ]


def test_indented_code_block_but_not_list_continuation() -> None:
    source = (
        "Paragraph.\n\n    export GROQ_API_KEY=one\n\n- item\n\n    continuation_key=not_code\n"
    )
    facts = extract(source)
    assert values(facts) == [("GROQ_API_KEY", "one", (3, 25, 3, 28))]


def test_crlf_lines() -> None:
    source = "Text\r\n\r\n```python\r\nkey = 'abc'\r\n```\r\n"
    assert values(extract(source)) == [("key", "abc", (4, 8, 4, 11))]


def test_kl101_still_scans_prose() -> None:
    source = (
        "Old key in prose: {key:openai-project-key}\n\n```bash\nexport K={key:groq-api-key}\n```\n"
    )
    assert positions(lint("README.md", source), "KL101") == [(1, 19), (4, 10)]


def test_console_session_commands_without_prompts_output_ignored() -> None:
    source = "```console\n$ export OPENAI_API_KEY=abc\nTOKEN=printed-output\n```\n"
    facts = extract(source)
    [env] = [f for f in facts if isinstance(f, EnvDef)]
    assert (env.name, _t(env.span), env.how) == ("OPENAI_API_KEY", (2, 10, 2, 24), "export")
    assert values(facts) == [("OPENAI_API_KEY", "abc", (2, 25, 2, 28))]
