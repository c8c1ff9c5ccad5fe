"""YAML, JSON and TOML extraction: exact spans, values, names and the error path."""

from __future__ import annotations

import json

import pytest

from conftest import engine, fake_key, lint, positions, render_source
from keylint.extract import ParseError, structured
from keylint.facts import Context, EnvDef, EnvRead, Fact, Header, Origin, Span, Value
from keylint.providers import load
from keylint.source import SourceFile


def extract(path: str, source: str) -> list[Fact]:
    return structured.extract(SourceFile.from_text(path, render_source(source)), load())


def values(facts: list[Fact]) -> list[tuple[str | None, str, tuple[int, int, int, int]]]:
    return [(f.name, f.value, _t(f.span)) for f in facts if isinstance(f, Value)]


def _t(span: Span) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def only(facts: list[Fact], kind: type) -> list:
    return [f for f in facts if isinstance(f, kind)]


# --- YAML --------------------------------------------------------------------------------


def test_yaml_scalar_styles_spans_and_qualname() -> None:
    facts = extract(
        "config.yaml",
        "openai:\n  plain: abc def\n  single: 'it''s'\n  double: \"a\\tb\"\n",
    )
    vals = only(facts, Value)
    assert values(facts) == [
        ("plain", "abc def", (2, 10, 2, 17)),
        ("single", "it's", (3, 12, 3, 17)),
        ("double", "a\tb", (4, 12, 4, 16)),
    ]
    assert [(v.raw, v.quote, v.qualname) for v in vals] == [
        ("abc def", "", "openai.plain"),
        ("it''s", "'", "openai.single"),
        ("a\\tb", '"', "openai.double"),
    ]
    assert all(v.origin is Origin.MAPPING and v.context is Context.CONFIG for v in vals)
    assert _t(vals[0].name_span) == (2, 3, 2, 8)


def test_yaml_columns_are_code_points_after_unicode() -> None:
    facts = extract("c.yaml", 'é: "😀x"\nk😀: tok\n')
    assert values(facts) == [("é", "😀x", (1, 5, 1, 7)), ("k😀", "tok", (2, 5, 2, 8))]
    assert _t(only(facts, Value)[1].name_span) == (2, 1, 2, 3)


def test_yaml_duplicate_keys_each_yield_a_fact() -> None:
    facts = extract("c.yaml", "api_key: first\napi_key: second\n")
    assert values(facts) == [
        ("api_key", "first", (1, 10, 1, 15)),
        ("api_key", "second", (2, 10, 2, 16)),
    ]


def test_yaml_multiple_documents() -> None:
    facts = extract("c.yaml", "---\ntoken: a\n---\ntoken: b\n...\n---\n- c\n")
    assert values(facts) == [
        ("token", "a", (2, 8, 2, 9)),
        ("token", "b", (4, 8, 4, 9)),
        (None, "c", (7, 3, 7, 4)),
    ]


def test_yaml_alias_is_reported_once_at_its_anchor() -> None:
    facts = extract("c.yaml", "base: &b\n  token: t1\nother: *b\nscalar: &s v\nagain: *s\n")
    assert values(facts) == [
        ("token", "t1", (2, 10, 2, 12)),
        ("scalar", "v", (4, 12, 4, 13)),
        ("again", "v", (4, 12, 4, 13)),  # the value is written at the anchor
    ]


def test_yaml_anchors_and_tags_before_the_value() -> None:
    facts = extract(
        "c.yaml",
        "a: &x \"q\"\nb: !!str 123\nc: !Sub 's'\nd: &y |\n  block\nk: &z !!str\n  plain\n",
    )
    assert values(facts) == [
        ("a", "q", (1, 8, 1, 9)),
        ("b", "123", (2, 10, 2, 13)),
        ("c", "s", (3, 10, 3, 11)),
        ("d", "block\n", (5, 3, 5, 8)),
        ("k", "plain", (7, 3, 7, 8)),
    ]


def test_lookups_in_values_are_env_reads_and_make_the_value_dynamic() -> None:
    facts = extract("app.yaml", "url: http://$HOST:${PORT}/x\ncost: $$5 and $${NOT}\n")
    reads = [(r.name, _t(r.span), r.how) for r in only(facts, EnvRead)]
    assert reads == [("HOST", (1, 14, 1, 18), "$X"), ("PORT", (1, 21, 1, 25), "${X}")]
    assert [v.dynamic for v in only(facts, Value)] == [True, False]


def test_yaml_block_scalars_span_their_content() -> None:
    facts = extract(
        "c.yaml",
        "lit: |\n  first line\n  second\n\nfold: >-\n\n  folded\n  text  \nafter: x\n",
    )
    assert values(facts) == [
        ("lit", "first line\nsecond\n", (2, 3, 3, 9)),
        ("fold", "\nfolded text  ", (7, 3, 8, 9)),  # trailing blanks kept
        ("after", "x", (9, 8, 9, 9)),
    ]


def test_yaml_crlf_lines() -> None:
    facts = extract("c.yaml", "a: one\r\nb: |\r\n  two\r\nc: 'three'\r\n")
    assert values(facts) == [
        ("a", "one", (1, 4, 1, 7)),
        ("b", "two\n", (3, 3, 3, 6)),
        ("c", "three", (4, 5, 4, 10)),
    ]


def test_yaml_sequence_items_are_literals_named_by_their_key() -> None:
    facts = extract("c.yaml", "keys:\n  - one\n  - 'two'\nnum: 3\n")
    vals = only(facts, Value)
    assert values(facts) == [("keys", "one", (2, 5, 2, 8)), ("keys", "two", (3, 6, 3, 9))]
    assert {(v.origin, v.qualname, v.name_span) for v in vals} == {(Origin.LITERAL, "keys", None)}


def test_compose_environment_map_and_list_forms() -> None:
    facts = extract(
        "docker-compose.yml",
        "services:\n"
        "  api:\n"
        "    environment:\n"
        "      OPENAI_API_KEY: ${OPENAI_API_KEY:-unset}\n"
        "      EMPTY:\n"
        "  worker:\n"
        "    environment:\n"
        "      - GROQ_API_KEY=gsk-value\n"
        "      - PASSTHROUGH\n",
    )
    defs = only(facts, EnvDef)
    assert [(d.name, _t(d.span), d.how) for d in defs] == [
        ("OPENAI_API_KEY", (4, 7, 4, 21), "compose"),
        ("EMPTY", (5, 7, 5, 12), "compose"),
        ("GROQ_API_KEY", (8, 9, 8, 21), "compose"),
        ("PASSTHROUGH", (9, 9, 9, 20), "compose"),
    ]
    first, _, third, _ = defs
    assert first.value is not None and third.value is not None
    assert (first.value.value, _t(first.value.span), first.value.dynamic) == (
        "${OPENAI_API_KEY:-unset}",
        (4, 23, 4, 47),
        True,
    )
    assert first.value.qualname == "services.api.environment.OPENAI_API_KEY"
    assert first.value.origin is Origin.ENV
    assert (third.value.value, _t(third.value.span)) == ("gsk-value", (8, 22, 8, 31))
    assert defs[1].value is None and defs[3].value is None
    reads = only(facts, EnvRead)
    assert [(r.name, _t(r.span), r.how, r.has_default) for r in reads] == [
        ("OPENAI_API_KEY", (4, 25, 4, 39), "${X}", True)
    ]
    # The list item's Value is the part after "=", not the whole item.
    assert ("GROQ_API_KEY", "gsk-value", (8, 22, 8, 31)) in values(facts)


def test_compose_environment_through_an_alias_and_merge_key() -> None:
    facts = extract(
        "compose.yaml",
        "x-env: &env\n"
        "  SHARED: one\n"
        "services:\n"
        "  a:\n"
        "    environment: *env\n"
        "  b:\n"
        "    environment:\n"
        "      <<: *env\n"
        "      OWN: two\n",
    )
    defs = only(facts, EnvDef)
    assert [(d.name, _t(d.span), d.how) for d in defs] == [
        ("SHARED", (2, 3, 2, 9), "compose"),
        ("OWN", (9, 7, 9, 10), "compose"),
    ]
    assert defs[0].value is not None and defs[0].value.value == "one"
    # The value is emitted once, where it is written.
    assert values(facts) == [("SHARED", "one", (2, 11, 2, 14)), ("OWN", "two", (9, 12, 9, 15))]


def test_kubernetes_env_list() -> None:
    facts = extract(
        "deploy.yaml",
        "env:\n  - name: OPENAI_API_KEY\n    value: abc\n  - name: FROM_SECRET\n"
        "    valueFrom: {secretKeyRef: {name: s, key: k}}\n",
    )
    defs = only(facts, EnvDef)
    assert [(d.name, _t(d.span), d.how, d.value and d.value.value) for d in defs] == [
        ("OPENAI_API_KEY", (2, 11, 2, 25), "kubernetes", "abc"),
        ("FROM_SECRET", (4, 11, 4, 22), "kubernetes", None),
    ]


WORKFLOW = """\
on: push
env:
  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
jobs:
  test:
    environment: production
    runs-on: ubuntu-latest
    steps:
      - name: call
        env:
          MODEL: gpt-4o
        run: |
          export KEY=${{ secrets.OPENAI_API_KEY }}
          curl -H 'Authorization: Bearer $KEY' https://api.openai.com/v1/models
"""


def test_workflow_env_blocks_and_lookups() -> None:
    facts = extract(".github/workflows/ci.yml", WORKFLOW)
    defs = only(facts, EnvDef)
    config_defs = [d for d in defs if d.context is Context.CONFIG]
    assert [(d.name, _t(d.span), d.how) for d in config_defs] == [
        ("OPENAI_API_KEY", (3, 3, 3, 17), "workflow"),
        ("MODEL", (11, 11, 11, 16), "workflow"),
    ]
    assert config_defs[0].value is not None and config_defs[0].value.dynamic
    reads = [(r.name, _t(r.span), r.how) for r in only(facts, EnvRead)]
    assert ("OPENAI_API_KEY", (3, 31, 3, 45), "${{ secrets.X }}") in reads
    # `environment:` in a workflow is a deployment environment, not variables.
    assert not any(d.name == "production" for d in defs)
    assert ("environment", "production", (6, 18, 6, 28)) in values(facts)


def test_workflow_run_script_goes_through_the_text_scanner() -> None:
    facts = extract(".github/workflows/ci.yml", WORKFLOW)
    headers = only(facts, Header)
    assert [(h.name, _t(h.name_span), _t(h.value_span), h.how, h.context) for h in headers] == [
        ("Authorization", (14, 20, 14, 33), (14, 35, 14, 46), "curl", Context.CODE)
    ]
    assert headers[0].template == "shell-single-quotes"
    export = [d for d in only(facts, EnvDef) if d.context is Context.CODE]
    assert [(d.name, _t(d.span), d.how) for d in export] == [("KEY", (13, 18, 13, 21), "export")]
    reads = [(r.name, _t(r.span)) for r in only(facts, EnvRead) if r.context is Context.CODE]
    assert reads == [("OPENAI_API_KEY", (13, 34, 13, 48)), ("KEY", (14, 43, 14, 46))]


def test_yaml_header_keys_become_headers() -> None:
    facts = extract(
        "api.yaml",
        'headers:\n  Authorization: "Bearer ${{ secrets.TOKEN }}"\n  x-api-key: plain-value\n',
    )
    headers = only(facts, Header)
    assert [(h.name, _t(h.name_span), _t(h.value_span), h.parts, h.how) for h in headers] == [
        ("Authorization", (2, 3, 2, 16), (2, 19, 2, 46), ("Bearer ", None), "yaml"),
        ("x-api-key", (3, 3, 3, 12), (3, 14, 3, 25), ("plain-value",), "yaml"),
    ]
    assert headers[0].context is Context.CONFIG


def test_yaml_error_is_a_parse_error_without_content() -> None:
    source = "ok: 1\nsecret: {key:openai-project-key}\nbad: [unclosed\n"
    with pytest.raises(ParseError) as info:
        extract("c.yaml", source)
    assert info.value.line == 4
    assert fake_key("openai-project-key") not in str(info.value)
    assert str(info.value).startswith("YAML error: ")


def test_broken_yaml_is_an_error_and_still_gets_text_checks() -> None:
    source = "token: {key:openai-project-key}\n  bad: indentation: here\n"
    result = engine().lint_bytes("config.yaml", render_source(source).encode())
    assert result.error is not None
    path, message = result.error
    assert path == "config.yaml"
    assert message.startswith("YAML error: ") and "(line 2)" in message
    assert positions(lint("config.yaml", source), "KL101") == [(1, 8)]


# --- JSON --------------------------------------------------------------------------------


def test_json_values_keys_and_escapes() -> None:
    source = '{"a": {"token": "x\\"y\\\\z\\u00e9\\ud83d\\ude00!"}, "plain": "é😀ok"}'
    facts = extract("c.json", source)
    vals = only(facts, Value)
    assert values(facts) == [
        ("token", 'x"y\\zé😀!', (1, 18, 1, 44)),
        ("plain", "é😀ok", (1, 58, 1, 62)),
    ]
    assert vals[0].raw == 'x\\"y\\\\z\\u00e9\\ud83d\\ude00!'
    assert (vals[0].qualname, vals[0].quote, _t(vals[0].name_span)) == (
        "a.token",
        '"',
        (1, 9, 1, 14),
    )
    assert all(v.origin is Origin.MAPPING and v.context is Context.CONFIG for v in vals)


def test_json_duplicates_arrays_and_non_strings() -> None:
    source = (
        '{\n  "k": "one",\n  "k": "two",\n  "list": ["a", 1, null, {"in": "b"}],\n  "n": 5\n}\n'
    )
    facts = extract("c.json", source)
    assert values(facts) == [
        ("k", "one", (2, 9, 2, 12)),
        ("k", "two", (3, 9, 3, 12)),
        ("list", "a", (4, 13, 4, 14)),
        ("in", "b", (4, 34, 4, 35)),
    ]
    vals = only(facts, Value)
    assert (vals[2].origin, vals[2].qualname) == (Origin.LITERAL, "list")
    assert vals[3].qualname == "list.in"


def test_json_header_keys_and_env_blocks() -> None:
    source = (
        '{"mcpServers": {"x": {"env": {"OPENAI_API_KEY": "abc"}, '
        '"headers": {"Authorization": "Bearer t"}}}}'
    )
    facts = extract("mcp.json", source)
    [env] = only(facts, EnvDef)
    assert (env.name, _t(env.span), env.how) == ("OPENAI_API_KEY", (1, 32, 1, 46), "json")
    assert env.value is not None and _t(env.value.span) == (1, 50, 1, 53)
    [header] = only(facts, Header)
    assert (header.name, _t(header.value_span), header.parts, header.how) == (
        "Authorization",
        (1, 87, 1, 95),
        ("Bearer t",),
        "json",
    )


def test_json_with_comments_and_trailing_commas() -> None:
    source = '{\n  // a comment\n  "a": "b", /* more */\n  "c": ["d",],\n}\n'
    assert values(extract("tsconfig.json", source)) == [
        ("a", "b", (3, 9, 3, 10)),
        ("c", "d", (4, 10, 4, 11)),
    ]


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ('{"a": "b",\n "c" "d"}', 2),
        ('{"a": "b"\n', 2),
        ('{"a": [1, 2}', 1),
        ('{"a": "\\q"}', 1),
        ('{"a": "b"} extra', 1),
        ("\n\n{'a': 1}", 3),
        ("", 1),
    ],
)
def test_json_errors_have_a_line(source: str, line: int) -> None:
    with pytest.raises(ParseError) as info:
        extract("c.json", source)
    assert info.value.line == line
    assert str(info.value).startswith("JSON error: ")


def test_json_error_message_has_no_content() -> None:
    with pytest.raises(ParseError) as info:
        extract("c.json", '{"k": "{key:openai-project-key}" "x"}')
    assert fake_key("openai-project-key") not in info.value.describe()


def test_deeply_nested_json_does_not_recurse() -> None:
    depth = 20_000
    source = '{"a": ' * depth + '"v"' + "}" * depth
    facts = extract("deep.json", source)
    assert values(facts) == [("a", "v", (1, 6 * depth + 2, 1, 6 * depth + 3))]


def test_broken_json_is_an_error_and_still_gets_text_checks() -> None:
    source = '{\n  "key": "{key:groq-api-key}",\n  oops\n}\n'
    result = engine().lint_bytes("settings.json", render_source(source).encode())
    assert result.error is not None and result.error[1].startswith("JSON error: ")
    assert "(line 3)" in result.error[1]
    assert positions(lint("settings.json", source), "KL101") == [(2, 11)]


def test_json_scanner_agrees_with_json_loads_on_a_real_file() -> None:
    data = {"k": ["x\n", {"é": "\u2028😀", "n": [1.5e3, -0, True, None]}], "z": "\\"}
    source = json.dumps(data, indent=2, ensure_ascii=False)
    root = structured.parse_json(SourceFile.from_text("c.json", source))
    assert _plain(root) == data


def _plain(node: structured.PNode) -> object:
    if isinstance(node, structured.PMapping):
        return {k.value: _plain(v) for k, v in node.items}  # type: ignore[union-attr]
    if isinstance(node, structured.PSequence):
        return [_plain(i) for i in node.items]
    return node.value if node.is_str else json.loads(node.value)


def test_large_json_document() -> None:
    item = '{"name": "n%d", "tags": ["a", "b\\n"], "size": 12.5, "ok": true, "none": null}'
    source = "[" + ",\n".join(item % i for i in range(5_000)) + "]"
    facts = extract("big.json", source)
    assert len(only(facts, Value)) == 15_000
    assert values(facts)[-1] == ("tags", "b\n", (5000, 34, 5000, 37))


# --- TOML --------------------------------------------------------------------------------


TOML = """\
title = "top"
[tool.openai]
api_key = "sk-\\u00e9x"  # comment
'quoted key' = 'lit\\n'
dotted.name = "d"
multi = \"\"\"
first
second\"\"\"
inline = { token = "t", n = 1 }
list = ["a", 2, "b"]

[[servers]]
url = "u1"
[[servers]]
url = "u2"

[env]
OPENAI_API_KEY = "value"
"""


def test_toml_values_with_positions() -> None:
    facts = extract("pyproject.toml", TOML)
    assert values(facts) == [
        ("title", "top", (1, 10, 1, 13)),
        ("api_key", "sk-éx", (3, 12, 3, 22)),
        ("quoted key", "lit\\n", (4, 17, 4, 22)),
        ("name", "d", (5, 16, 5, 17)),
        ("multi", "first\nsecond", (7, 1, 8, 7)),
        ("token", "t", (9, 21, 9, 22)),
        ("list", "a", (10, 10, 10, 11)),
        ("list", "b", (10, 18, 10, 19)),
        ("url", "u1", (13, 8, 13, 10)),
        ("url", "u2", (15, 8, 15, 10)),
        ("OPENAI_API_KEY", "value", (18, 19, 18, 24)),
    ]
    by_name = {v.name: v for v in only(facts, Value)}
    assert by_name["api_key"].qualname == "tool.openai.api_key"
    assert by_name["api_key"].raw == "sk-\\u00e9x"
    assert _t(by_name["api_key"].name_span) == (3, 1, 3, 8)
    assert by_name["quoted key"].quote == "'"
    assert _t(by_name["quoted key"].name_span) == (4, 2, 4, 12)
    assert by_name["name"].qualname == "tool.openai.dotted.name"
    assert by_name["multi"].quote == '"""'
    assert by_name["token"].qualname == "tool.openai.inline.token"
    assert by_name["url"].qualname == "servers.url"
    [env] = only(facts, EnvDef)
    assert (env.name, _t(env.span), env.how) == ("OPENAI_API_KEY", (18, 1, 18, 15), "toml")


def test_toml_error_is_a_parse_error_with_line() -> None:
    with pytest.raises(ParseError) as info:
        extract("c.toml", 'a = "{key:openai-project-key}"\nb = [1,\nc = 2\n')
    assert info.value.line == 3
    assert str(info.value).startswith("TOML error: ")
    assert fake_key("openai-project-key") not in info.value.describe()


def test_broken_toml_is_an_error_and_still_gets_text_checks() -> None:
    source = 'key = "{key:groq-api-key}"\nkey = "again"\n'
    result = engine().lint_bytes("app.toml", render_source(source).encode())
    assert result.error is not None and result.error[1].startswith("TOML error: ")
    assert positions(lint("app.toml", source), "KL101") == [(1, 8)]


def test_toml_unicode_columns() -> None:
    facts = extract("c.toml", '"é" = "😀"\n[t]\n"ключ" = "значение"\n')
    assert values(facts) == [("é", "😀", (1, 8, 1, 9)), ("ключ", "значение", (3, 11, 3, 19))]
