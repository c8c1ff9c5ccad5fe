"""The dotenv lexer (extract/dotenv.py) and the dotenv-syntax rules (KL7xx).

Lexer facts are checked exactly (spans, raw text, loaded value, flags) for every line of
a matrix of dotenv loaders (python-dotenv, node dotenv, docker, compose, bash) and for the
awkward cases; the rules through ``lint``.
Values are compared without ever being shown, so a failure cannot print a key.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from conftest import fake_key, lint, positions
from keylint.checks import kl7_common
from keylint.extract import dotenv
from keylint.facts import DotenvEntry, EnvDef, EnvRead, Fact, Span, Value
from keylint.findings import Severity
from keylint.providers import load
from keylint.source import FileKind, SourceFile

DB = load()


def facts(text: str) -> list[Fact]:
    return dotenv.extract(SourceFile.from_text(".env", text, kind=FileKind.DOTENV), DB)


def entries(text: str) -> list[DotenvEntry]:
    return [f for f in facts(text) if isinstance(f, DotenvEntry)]


def only(text: str) -> DotenvEntry:
    found = entries(text)
    assert len(found) == 1, [e.key for e in found]
    return found[0]


def span(line: int, col: int, end_col: int, end_line: int | None = None) -> Span:
    return Span(line, col, end_line or line, end_col)


# --- every row of dotenv-matrix.tsv ---------------------------------------------------------
# (case, line, key, key columns, value columns, raw, python-dotenv's value before
#  interpolation, quote). A `None` value columns means the line has no '='.
MATRIX = [
    ("A1", "PLAIN=value", "PLAIN", (1, 6), (7, 12), "value", "value", ""),
    ("A2", 'DQ="double quoted"', "DQ", (1, 3), (5, 18), "double quoted", "double quoted", '"'),
    ("A3", "SQ='single quoted'", "SQ", (1, 3), (5, 18), "single quoted", "single quoted", "'"),
    ("A4", "export EXP=exported", "EXP", (8, 11), (12, 20), "exported", "exported", ""),
    ("A5", "SP_AROUND = spaced", "SP_AROUND", (1, 10), (13, 19), "spaced", "spaced", ""),
    ("A6", "INLINE=value # comment", "INLINE", (1, 7), (8, 13), "value", "value", ""),
    ("A7", "NOSPACE_HASH=val#ue", "NOSPACE_HASH", (1, 13), (14, 20), "val#ue", "val#ue", ""),
    (
        "A8",
        'DQ_HASH="val # not comment"',
        "DQ_HASH",
        (1, 8),
        (10, 27),
        "val # not comment",
        "val # not comment",
        '"',
    ),
    ("A9", "TRAIL=trailing   ", "TRAIL", (1, 6), (7, 18), "trailing   ", "trailing", ""),
    ("A10", "REF=${PLAIN}", "REF", (1, 4), (5, 13), "${PLAIN}", "${PLAIN}", ""),
    ("A11", "REF_BARE=$PLAIN", "REF_BARE", (1, 9), (10, 16), "$PLAIN", "$PLAIN", ""),
    ("A12", "REF_SQ='${PLAIN}'", "REF_SQ", (1, 7), (9, 17), "${PLAIN}", "${PLAIN}", "'"),
    (
        "A13",
        "REF_DEF=${MISSING:-dflt}",
        "REF_DEF",
        (1, 8),
        (9, 25),
        "${MISSING:-dflt}",
        "${MISSING:-dflt}",
        "",
    ),
    ("A14", 'ESC_DQ="a\\nb"', "ESC_DQ", (1, 7), (9, 13), "a\\nb", "a\nb", '"'),
    ("A15", "ESC_SQ='a\\nb'", "ESC_SQ", (1, 7), (9, 13), "a\\nb", "a\\nb", "'"),
    ("A16", "BACKTICK=`bt value`", "BACKTICK", (1, 9), (10, 20), "`bt value`", "`bt value`", ""),
    ("A17", "EMPTY=", "EMPTY", (1, 6), (7, 7), "", "", ""),
    ("A18", "NOVAL", "NOVAL", (1, 6), None, "", None, ""),
    ("A20", "COLON: yamlish", "COLON", (1, 6), (8, 15), "yamlish", "yamlish", ""),
    ("A21", "lower_key=x", "lower_key", (1, 10), (11, 12), "x", "x", ""),
    ("A22", "DASH-KEY=x", "DASH-KEY", (1, 9), (10, 11), "x", "x", ""),
]


@pytest.mark.parametrize(
    ("line", "key", "key_cols", "value_cols", "raw", "loaded", "quote"),
    [pytest.param(*row[1:], id=row[0]) for row in MATRIX],
)
def test_matrix_row(
    line: str,
    key: str,
    key_cols: tuple[int, int],
    value_cols: tuple[int, int] | None,
    raw: str,
    loaded: str | None,
    quote: str,
) -> None:
    found = facts(line + "\n")
    entry = next(f for f in found if isinstance(f, DotenvEntry))
    definition = next(f for f in found if isinstance(f, EnvDef))
    assert entry.key == key == definition.name
    assert entry.key_span == span(1, *key_cols) == definition.span
    assert entry.line_span == span(1, 1, len(line) + 1)
    assert definition.how == "dotenv"
    if value_cols is None:
        assert entry.value is None and definition.value is None
        assert not any(isinstance(f, Value) for f in found)
        return
    value = entry.value
    assert value is not None
    assert value is definition.value or value == definition.value
    assert value in found  # also a fact of its own
    assert value.span == span(1, *value_cols)
    assert (value.raw, value.value, value.quote) == (raw, loaded, quote)
    assert (value.name, value.name_span) == (key, entry.key_span)
    assert value.origin.value == "dotenv" and value.context.value == "config"


def test_matrix_flags() -> None:
    text = "\n".join(row[1] for row in MATRIX) + "\n"
    by_key = {e.key: e for e in entries(text)}
    assert [k for k, e in by_key.items() if e.export] == ["EXP"]
    assert by_key["SP_AROUND"].space_before_eq and by_key["SP_AROUND"].space_after_eq
    assert [k for k, e in by_key.items() if e.inline_comment] == ["INLINE"]
    assert [k for k, e in by_key.items() if e.separator != "="] == ["COLON"]
    assert not any(e.unterminated_quote or e.multiline or e.notes for e in by_key.values())
    # python-dotenv interpolates ${…} (even in single quotes), never $NAME
    dynamic = [k for k, e in by_key.items() if e.value is not None and e.value.dynamic]
    assert dynamic == ["REF", "REF_SQ", "REF_DEF"]


def test_matrix_multiline_row() -> None:  # A19: a real line break inside double quotes
    entry = only('ML="line1\nline2"\n')
    assert entry.multiline and entry.value is not None
    assert entry.value.span == span(1, 5, 6, end_line=2)
    assert (entry.value.raw, entry.value.value) == ("line1\nline2", "line1\nline2")
    assert entry.line_span == span(1, 1, 7, end_line=2)


def test_interpolated_names_are_env_reads() -> None:
    reads = [
        f for f in facts("A=${PLAIN}\nB='x${MISSING:-d}'\nC=$BARE\n") if isinstance(f, EnvRead)
    ]
    assert [(r.name, r.span, r.has_default, r.how) for r in reads] == [
        ("PLAIN", span(1, 5, 10), False, "${X}"),
        ("MISSING", span(2, 7, 14), True, "${X}"),
    ]


# --- awkward cases ----------------------------------------------------------------------------


def test_crlf_and_lone_cr_line_endings() -> None:
    found = entries("A=1\r\nB='two' # c\r\nC=\"x\r\ny\"\r\nD=4\rE\r\n")
    assert [e.key for e in found] == ["A", "B", "C", "D", "E"]
    a, b, c, d, e = found
    assert a.value is not None and (a.value.span, a.value.raw) == (span(1, 3, 4), "1")
    assert b.value is not None and b.value.span == span(2, 4, 7) and b.inline_comment
    assert c.value is not None and c.multiline
    assert c.value.span == span(3, 4, 2, end_line=4)
    # raw keeps the file's CRLF; the value is what a text-mode read gives python-dotenv
    assert (c.value.raw, c.value.value) == ("x\r\ny", "x\ny")
    assert d.key_span == span(5, 1, 2) and e.key_span == span(6, 1, 2) and e.value is None


def test_unterminated_quote_recovers_at_end_of_line() -> None:
    found = entries('U="abc  \nN=1\n')
    assert [e.key for e in found] == ["U", "N"]
    u = found[0]
    assert u.unterminated_quote and u.value is not None
    assert (u.value.span, u.value.raw, u.value.value, u.value.quote) == (
        span(1, 4, 9),
        "abc  ",
        "abc",
        '"',
    )
    assert u.line_span == span(1, 1, 9)
    assert found[1].value is not None and found[1].value.value == "1"


def test_quote_closed_lines_later_is_unterminated_and_notes_the_lost_lines() -> None:
    # python-dotenv pairs the quote of line 1 with the first quote of line 3 and fails on
    # the text after it: lines 1-3 are lost to it. keylint goes on at line 2.
    found = entries('A="one\nB=2\nC="three"\nD=4\n')
    assert [e.key for e in found] == ["A", "B", "C", "D"]
    assert found[0].unterminated_quote and found[0].notes == ("skips-to-line:3",)
    assert not found[2].unterminated_quote
    assert found[2].value is not None and found[2].value.value == "three"


def test_key_alone_empty_value_and_comment_after_equals() -> None:
    key_alone, empty, spaced, hashed, commented, quoted = entries(
        'NOVAL  # later\nEMPTY=\nBLANK=   \nK= # c\nH=#c\nQ="" # c\n'
    )
    assert key_alone.value is None and key_alone.inline_comment
    assert key_alone.line_span == span(1, 1, 15)
    assert empty.value is not None and (empty.value.span, empty.value.value) == (
        span(2, 7, 7),
        "",
    )
    assert spaced.value is not None and spaced.value.span == span(3, 10, 10)
    assert spaced.space_after_eq
    # python-dotenv >= 1.2.4: blanks after '=' then '#' is an empty value and a comment
    assert hashed.value is not None
    assert (hashed.value.span, hashed.value.value, hashed.inline_comment) == (
        span(4, 4, 4),
        "",
        True,
    )
    assert commented.value is not None and commented.value.value == "#c"
    assert quoted.value is not None and quoted.value.span == span(6, 4, 4)
    assert quoted.value.value == "" and quoted.inline_comment


def test_escapes() -> None:
    double = only('D="t\\t n\\n q\\" s\\\' b\\\\ u\\u x\\$"\n')
    assert double.value is not None
    assert double.value.value == "t\t n\n q\" s' b\\ u\\u x\\$"
    single = only("S='it\\'s \\\\ \\n'\n")
    assert single.value is not None and single.value.value == "it's \\ \\n"


def test_keys_that_are_not_shell_names() -> None:
    dash, spaced, quoted, unclosed = entries("DASH-KEY=x\nlower key = y\n'Q'=v\n'R=w\n")
    assert dash.notes == () and dash.key_span == span(1, 1, 9)
    assert (spaced.key, spaced.key_span, spaced.notes) == (
        "lower key",
        span(2, 1, 10),
        ("key-error",),
    )
    assert spaced.space_before_eq and spaced.value is not None and spaced.value.value == "y"
    assert (quoted.key, quoted.key_span, quoted.notes) == ("Q", span(3, 2, 3), ("quoted-key",))
    assert (unclosed.key, unclosed.notes) == ("'R", ("key-error",))


def test_colon_separator() -> None:
    spaced, tight, bare = entries("A: one\nB:two\nC:\n")
    assert [e.separator for e in (spaced, tight, bare)] == [":", ":", ":"]
    assert spaced.value is not None and spaced.value.span == span(1, 4, 7)
    assert spaced.space_after_eq
    assert tight.value is not None and tight.value.span == span(2, 3, 6)
    assert bare.value is not None and bare.value.value == ""
    url = only("URL=http://host:80\n")
    assert url.separator == "=" and url.key == "URL"


def test_lines_python_dotenv_cannot_parse() -> None:
    junk, no_key, dangling, after = entries('A="x" junk\n=v\nexport \nB=2\n')
    assert junk.notes == ("text-after-quote",)
    assert junk.value is not None and junk.value.span == span(1, 4, 5)
    assert (no_key.key, no_key.key_span, no_key.value, no_key.notes) == (
        "",
        span(2, 1, 1),
        None,
        ("no-key",),
    )
    assert (dangling.key, dangling.notes) == ("export", ("key-error",))
    assert after.key == "B"
    assert not [f for f in facts("=v\n") if isinstance(f, (EnvDef, Value))]


def test_comments_blank_lines_indentation_and_export_forms() -> None:
    found = entries("# A=1\n\n   \n  B=2\n\texport\tC=3\nexport # c\nexport=4\n")
    assert [(e.key, e.export) for e in found] == [("B", False), ("C", True), ("export", False)]
    assert found[0].key_span == span(4, 3, 4) and found[0].line_span == span(4, 3, 6)
    assert found[1].key_span == span(5, 9, 10) and found[1].line_span.column == 2


def test_byte_order_mark() -> None:
    assert only("\ufeffA=1\n").key_span == span(1, 2, 3)  # a BOM the engine did not strip
    found = lint(".env", "\ufeffAPP_NAME=demo\n")  # the engine strips it
    assert [f.rule for f in found if f.rule.startswith("KL7")] == []


def test_columns_count_code_points() -> None:
    entry = only('NAME="héllo wörld" # ü\n')
    assert entry.value is not None and entry.value.span == span(1, 7, 18)
    assert entry.value.value == "héllo wörld"


def test_unquoted_value_stops_before_the_blanks_of_an_inline_comment() -> None:
    entry = only("K=value \t # note\n")
    assert entry.value is not None
    assert (entry.value.span, entry.value.raw, entry.value.value) == (
        span(1, 3, 8),
        "value",
        "value",
    )


def test_a_key_value_is_read_exactly() -> None:
    key = fake_key("openai-project-key")
    entry = only(f'OPENAI_API_KEY="{key}"\n')
    assert entry.value is not None
    same = entry.value.value == key and entry.value.raw == key
    assert same, "the value differs from the key written"
    assert entry.value.span == span(1, 17, 17 + len(key))


def test_note_strings_agree_with_the_rules() -> None:
    for name in ("NOTE_KEY_ERROR", "NOTE_QUOTED_KEY", "NOTE_TEXT_AFTER_QUOTE", "NOTE_NO_KEY"):
        assert getattr(dotenv, name) == getattr(kl7_common, name)
    assert dotenv.NOTE_SKIPS_TO == kl7_common.NOTE_SKIPS_TO


_PIECES: Sequence[str] = (
    *"Ab_-= \t#'\"`\\n$\u00a0{}:.é",
    "\n",
    "\r\n",
    "\r",
    "export ",
    "KEY=",
    "K = ",
    "# c",
)


def test_random_input_never_raises_and_spans_match_the_text() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30)))
        file = SourceFile.from_text(".env", text, kind=FileKind.DOTENV)
        for fact in dotenv.extract(file, DB):
            if isinstance(fact, DotenvEntry) and fact.key:
                start = file.offset(fact.key_span.line, fact.key_span.column)
                end = file.offset(fact.key_span.end_line, fact.key_span.end_column)
                assert file.text[start:end] == fact.key, repr(text)
            if isinstance(fact, Value):
                start = file.offset(fact.span.line, fact.span.column)
                end = file.offset(fact.span.end_line, fact.span.end_column)
                assert file.text[start:end] == fact.raw, repr(text)


def test_differential_against_python_dotenv() -> None:
    """Where python-dotenv loads a line, keylint's value is the one it loads."""
    parser = pytest.importorskip("dotenv.parser")
    import io

    corpus = [row[1] for row in MATRIX] + [
        "K= # c",
        "K=#c",
        "K=a \t#c",
        "K='a\\'b'",
        'K="a\\tb\\\\n\\$"',
        "K  =  v  ",
        "'Q'=v",
        'ML="a\nb"',
        "E=",
        "K=`a b` #c",
        "K=\u00a0#c",
    ]
    for line in corpus:
        theirs = {
            b.key: b.value
            for b in parser.parse_stream(io.StringIO(line + "\n"))
            if b.key is not None and not b.error
        }
        ours = {
            e.key: None if e.value is None else e.value.value
            for e in entries(line + "\n")
            if not kl7_common.python_dotenv_skips(e)
        }
        assert ours == theirs, line


# --- the rules, through lint() ----------------------------------------------------------------

RULE_CASES = [
    # (source, code, [(line, column)], severity of the first finding, loaders named)
    ("APP = demo\n", "KL701", [(1, 5)], "warning", ("bash", "docker --env-file")),
    ("APP= demo\n", "KL701", [(1, 4)], "warning", ("bash", "docker --env-file")),
    ('APP="demo\nB=1\n', "KL702", [(1, 5)], "error", ("python-dotenv", "compose", "bash")),
    ("A=1\nB=2\nA=3\nA=3\n", "KL703", [(3, 1)], "warning", ("line 1",)),
    ("LOG_LEVEL\n", "KL704", [(1, 1)], "warning", ("python-dotenv", "node dotenv", "bash")),
    ("export APP=demo\n", "KL705", [(1, 1)], "warning", ("docker --env-file",)),
    ("DASH-KEY=x\n", "KL706", [(1, 1)], "warning", ("bash",)),
    ("lower key=x\n", "KL706", [(1, 1)], "error", ("python-dotenv", "docker", "bash")),
    ("PASS=val#ue\n", "KL707", [(1, 9)], "warning", ("node dotenv", "python-dotenv")),
    ("APP= # later\n", "KL707", [(1, 6)], "warning", ("python-dotenv", "node dotenv", "bash")),
    ("APP: demo\n", "KL708", [(1, 4)], "error", ("python-dotenv", "node dotenv", "bash")),
    ('APP="demo" x\n', "KL709", [(1, 12)], "error", ("python-dotenv",)),
    ("APP=`demo`\n", "KL710", [(1, 5)], "error", ("python-dotenv", "node dotenv", "bash")),
    ("APP=My App\n", "KL711", [(1, 7)], "warning", ("bash",)),
    ("PASS=pa$word\n", "KL712", [(1, 8)], "warning", ("compose", "python-dotenv")),
]


@pytest.mark.parametrize(("source", "code", "where", "severity", "loaders"), RULE_CASES)
def test_rule(
    source: str, code: str, where: list[tuple[int, int]], severity: str, loaders: tuple[str, ...]
) -> None:
    found = [f for f in lint(".env", source) if f.rule == code]
    assert positions(found) == where
    assert found[0].severity is Severity(severity)
    assert found[0].category.value == "dotenv-syntax"
    for loader in loaders:
        assert loader in found[0].message


def test_a_clean_file_has_no_dotenv_syntax_findings() -> None:
    source = (
        "# settings\n"
        "APP_NAME=demo\n"
        'APP_TITLE="My App"  # shown in the header\n'
        "DB_PASSWORD='pa$word#1'\n"
        "REF=${APP_NAME}\n"
        'CERT="-----BEGIN-----\nabc\n-----END-----"\n'
        "EMPTY=\n"
        "lower_case=ok\n"
    )
    assert [f.rule for f in lint(".env", source) if f.rule.startswith("KL7")] == []


def test_unterminated_quote_keeps_checking_the_following_lines() -> None:
    found = lint(".env", 'APP="demo\nexport LOG=1\nLOG=2\n')
    assert [(f.rule, f.span.line) for f in found if f.rule.startswith("KL7")] == [
        ("KL702", 1),
        ("KL705", 2),
        ("KL703", 3),
    ]


def test_dotenv_findings_never_show_the_value() -> None:
    key = fake_key("openai-project-key")
    source = (
        "OPENAI_API_KEY = {key:openai-project-key}\n"
        "OPENAI_API_KEY:{key:openai-project-key}\n"
        "OPENAI_API_KEY=`{key:openai-project-key}`\n"
        "OPENAI_API_KEY=ab#{key:openai-project-key}\n"
    )
    messages = [f.message for f in lint(".env", source, git_ignored=True)]
    assert messages, "expected findings"
    assert not any(key in m or key[:12] in m for m in messages), "a message shows the key"


def test_a_key_in_a_committed_dotenv_file_is_reported_at_the_value() -> None:
    assert positions(lint(".env", "OPENAI_API_KEY={key:openai-project-key}\n"), "KL101") == [
        (1, 16)
    ]


def test_the_fast_paths_give_the_general_facts(monkeypatch) -> None:
    """`KEY=value` lines skip the general lexer (dotenv._SIMPLE) and one-line statements
    compute their spans on the line (dotenv._Spans): every fact is the same with both
    turned off, on the matrix, the fixtures and random lines."""
    import re
    from pathlib import Path

    texts = [row[1] for row in MATRIX]
    texts += [p.read_text("utf-8") for p in Path(__file__).parent.rglob("*.env*") if p.is_file()]
    texts += ["A=1", "A=1\r\nB=2\rC=", "export=1\nA=b=c\n_X9=\n", "K=v\\", "K=$X", "K=`a`"]
    rng = random.Random(11)
    simple = ("A=1", "KEY=value", "B_2=x.y/z", "E=", "=x", "K=a b", "K='q'", "K=v#c")
    for _ in range(2000):
        pieces = [rng.choice(simple + _PIECES) for _ in range(rng.randint(1, 12))]
        texts.append("".join(p + rng.choice(["\n", "\r\n", "\r", "", " "]) for p in pieces))

    def facts(text: str) -> list[Fact]:
        return dotenv.extract(SourceFile.from_text(".env", text, kind=FileKind.DOTENV), DB)

    assert dotenv._SIMPLE.match("KEY=value\n")  # the path under test is taken
    fast = [facts(text) for text in texts]
    monkeypatch.setattr(dotenv, "_SIMPLE", re.compile(r"(?!)"))
    for text, expected in zip(texts, fast, strict=True):
        assert facts(text) == expected, repr(text)
    # and the spans of one-line statements, computed on the line, are the file's own
    monkeypatch.setattr(dotenv._Spans, "__call__", lambda self, a, b: self.file.span(a, b))
    for text, expected in zip(texts, fast, strict=True):
        assert facts(text) == expected, repr(text)
