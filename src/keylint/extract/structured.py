"""YAML, JSON and TOML → facts, with the exact position of every key and value.

Each format is first turned into one small positioned tree (:class:`PMapping`,
:class:`PSequence`, :class:`PScalar`: character offsets of every key and value, duplicate keys
kept in order), then one walker turns the tree into facts. So the meaning of a key —
an environment block, an HTTP header, a shell script — is decided in one place for all three
formats.

- YAML: PyYAML's composer (libyaml's ``CSafeLoader`` when available) keeps every node with
  its start and end marks; a mapping node is a list of pairs, so duplicate keys survive
  (a last-wins ``load`` would lose lines). Marks carry character offsets, which are used
  rather than their line numbers: YAML also breaks lines at U+0085/U+2028/U+2029, editors
  and :class:`~keylint.source.SourceFile` do not.
- JSON: the standard library keeps no positions, so :func:`parse_json` is a small
  position-tracking scanner: regex tokens, ``json.decoder.scanstring`` (C) for strings
  with escapes. It tolerates ``//`` and ``/* */`` comments and trailing commas
  (tsconfig.json, devcontainer.json, VS Code settings are JSON with comments). Measured on
  1.3-4.6 MB files from site-packages: 7-13 MB/s, about 15x slower than ``json.loads``.
- TOML: ``tomllib`` decides validity; a cursor scanner over the (then known-valid) text
  recovers positions of keys, ``[table]`` headers and values.

Value conventions: ``span`` is the value's text without quotes (for a YAML block scalar,
``|`` or ``>``, from the first content character to the end of the last non-blank content
line), ``raw`` that source text, ``value`` the decoded string, ``name`` the key it is bound
to and ``qualname`` the dotted key path (sequence indexes are not part of it).
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from keylint.extract import TOO_DEEP, ParseError, TooDeep, text
from keylint.facts import (
    Context,
    DotenvEntry,
    EnvDef,
    EnvRead,
    Fact,
    Header,
    Origin,
    Role,
    Span,
    Value,
)
from keylint.providers import ProviderDB
from keylint.source import FileKind, SourceFile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# --- the positioned tree -----------------------------------------------------------------


@dataclass(slots=True, eq=False)
class PScalar:
    """A scalar: ``start``/``end`` are offsets of its content in the file (quotes excluded)."""

    start: int
    end: int
    value: str
    quote: str = ""
    is_str: bool = True
    is_null: bool = False


@dataclass(slots=True, eq=False)
class PMapping:
    """A mapping: its (key, value) pairs in file order, duplicate keys kept."""

    items: list[tuple[PNode, PNode]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class PSequence:
    """A sequence: its items in file order."""

    items: list[PNode] = field(default_factory=list)


PNode = PScalar | PMapping | PSequence


def get(mapping: PNode | None, key: str) -> PNode | None:
    """The value of the last ``key`` in a mapping (what a last-wins loader would see)."""
    if not isinstance(mapping, PMapping):
        return None
    found = None
    for k, v in mapping.items:
        if isinstance(k, PScalar) and k.value == key:
            found = v
    return found


# --- entry point -------------------------------------------------------------------------


def extract(file: SourceFile, db: ProviderDB) -> list[Fact]:
    if file.kind is FileKind.JSON:
        facts = _Walker(file, _JSON).walk_documents([parse_json(file)])
    elif file.kind is FileKind.TOML:
        facts = _Walker(file, _TOML).walk_documents([parse_toml(file)])
    else:
        documents = parse_yaml(file)
        facts = _Walker(file, _yaml_semantics(file, documents)).walk_documents(documents)
    facts.sort(key=_position)  # document order, whatever order the walk took
    return facts


def _position(fact: Fact) -> tuple[int, int]:
    if isinstance(fact, Header):
        span = fact.name_span
    elif isinstance(fact, DotenvEntry):
        span = fact.key_span
    else:
        span = fact.span
    return span.line, span.column


# --- what keys mean ----------------------------------------------------------------------

_HEADER_KEY = re.compile(
    r"(?i)^(?:authori[sz]ation|authorizaton|authorzation|proxy-authorization|x-api-key|"
    r"api-key|x-goog-api-key|x-api-token|anthropic-version)$"
)
# Keys whose value is a shell command line or script (GitHub Actions, GitLab CI, compose...).
_SHELL_KEYS = frozenset(
    {"run", "script", "before_script", "after_script", "command", "commands", "entrypoint"}
)
# A lookup a tool renders: the name is the variable; ``$$`` is compose's escaped dollar.
_LOOKUP = re.compile(
    r"\$\{\{\s*(?P<scope>env|secrets|vars)\.(?P<gh>[A-Za-z_][A-Za-z0-9_]*)\s*\}\}"
    r"|(?<!\$)\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<default>:?[-=])|:?[?+]|\})"
    r"|(?<![$\\])\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{\{\s*env\.(?P<jinja>[A-Za-z_][A-Za-z0-9_]*)\s*\}\}"
)


@dataclass(frozen=True)
class _Semantics:
    """What keys mean in one kind of file (JSON, TOML, a workflow, a compose file, other YAML):
    the ``how`` of its headers and environment blocks, and whether shell values are scanned."""

    header_how: str  # Header.how
    env_keys: dict[str, str]  # key naming an environment block -> EnvDef.how
    shell: bool  # run shell-ish values through the text scanner


_JSON = _Semantics("json", {"env": "json", "environment": "json", "containerEnv": "json"}, False)
_TOML = _Semantics("toml", {"env": "toml", "environment": "toml"}, False)


def _yaml_semantics(file: SourceFile, documents: list[PNode]) -> _Semantics:
    path = "/" + file.path.lower()
    name = path.rsplit("/", 1)[-1]
    roots = [d for d in documents if isinstance(d, PMapping)]
    if "/.github/workflows/" in path or name in ("action.yml", "action.yaml"):
        workflow = True
    else:
        workflow = any(get(d, "jobs") is not None and _has_on_key(d) for d in roots)
    if workflow:
        # In a workflow `environment:` is a deployment environment, not variables.
        return _Semantics("yaml", {"env": "workflow"}, True)
    compose = re.fullmatch(r"(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml", name) is not None or any(
        isinstance(get(d, "services"), PMapping) for d in roots
    )
    how = "compose" if compose else "yaml"
    return _Semantics("yaml", {"environment": how, "env": how}, True)


def _has_on_key(mapping: PMapping) -> bool:
    # YAML 1.1 resolves a bare `on` key to the boolean true; the source text is still "on".
    return any(isinstance(k, PScalar) and k.value in ("on", "true") for k, _ in mapping.items)


# --- the walker --------------------------------------------------------------------------


class _KeyPath:
    """The key path to a node, as a link to its parent's path: one step deeper costs O(1).

    A tuple copied per level made a walk quadratic in nesting depth (a 1.9 MB JSON file of
    270,000 nested mappings took minutes). The dotted form is built only for emitted values.
    """

    __slots__ = ("name", "parent")

    def __init__(self, name: str, parent: _KeyPath | None) -> None:
        self.name = name
        self.parent = parent

    def dotted(self) -> str:
        names = []
        node: _KeyPath | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return ".".join(reversed(names))


def _child(path: _KeyPath | None, name: str) -> _KeyPath:
    return _KeyPath(name, path)


# (node, key path, nearest key name, inside a shell-ish key)
_Visit = tuple[PNode, "_KeyPath | None", str | None, bool]


class _Walker:
    """Turns positioned trees into facts. Iterative: nesting depth never hits recursion."""

    def __init__(self, file: SourceFile, semantics: _Semantics) -> None:
        self.file = file
        self.sem = semantics
        self.facts: list[Fact] = []
        self.seen: set[int] = set()  # containers already walked (YAML aliases point back)
        self.env_defs: set[tuple[str, Span]] = set()
        self.starts = file.line_starts
        self.line_count = len(self.starts)

    def walk_documents(self, documents: Iterable[PNode]) -> list[Fact]:
        for document in documents:
            self.walk(document)
        return self.facts

    def walk(self, root: PNode) -> None:
        # The stack holds (node, path, name, shell) visits and the sequences they came from.
        stack: list[tuple[_Visit, bool]] = [((root, None, None, False), False)]
        while stack:
            (node, path, name, shell), element = stack.pop()
            if isinstance(node, PScalar):
                if node.is_str:
                    role = Role.ELEMENT if element else Role.DIRECT
                    self.value(node, name, None, path, Origin.LITERAL, lookups=not shell, role=role)
                continue
            if id(node) in self.seen:
                continue  # an alias of a node walked where its anchor is
            self.seen.add(id(node))
            if isinstance(node, PSequence):
                children = [((item, path, name, shell), True) for item in node.items]
            else:
                visits = (self.entry(k, v, path) for k, v in node.items)
                children = [(visit, False) for visit in visits if visit is not None]
            stack.extend(reversed(children))

    def entry(self, key: PNode, value: PNode, path: _KeyPath | None) -> _Visit | None:
        """Facts of one ``key: value`` pair; returns the value when it must be walked."""
        if not isinstance(key, PScalar):
            return (value, path, None, False)  # a complex YAML key: walk the value, no name
        name = key.value
        if isinstance(value, PScalar):
            self.scalar_entry(key, value, path)
            return None
        child_path = _child(path, name)
        env_how = self.sem.env_keys.get(name)
        if env_how is not None:
            self.env_block(value, child_path, env_how)
            self.seen.add(id(value))
            return None
        shell = self.sem.shell and name in _SHELL_KEYS
        if shell and isinstance(value, PSequence):
            for item in value.items:
                if isinstance(item, PScalar) and item.is_str:
                    self.shell(item)
        return (value, child_path, name, shell)

    def scalar_entry(self, key: PScalar, value: PScalar, path: _KeyPath | None) -> None:
        if value.is_null:
            return
        name_span = self.span(key.start, key.end)
        if _HEADER_KEY.match(key.value):
            self.header(key, value, name_span)
        if not value.is_str:
            return
        shell = self.sem.shell and key.value in _SHELL_KEYS
        if shell:
            self.shell(value)
        path = _child(path, key.value)
        self.value(value, key.value, name_span, path, Origin.MAPPING, lookups=not shell)

    # --- facts ---------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        # file.span, with one bisect instead of two for the usual one-line token
        starts = self.starts
        line = bisect.bisect_right(starts, start)
        column = start - starts[line - 1] + 1
        if line < self.line_count and end >= starts[line]:
            end_line, end_column = self.file.position(end)
            return Span(line, column, end_line, end_column)
        return Span(line, column, line, column + end - start)

    def value(
        self,
        node: PScalar,
        name: str | None,
        name_span: Span | None,
        path: _KeyPath | None,
        origin: Origin,
        *,
        lookups: bool = True,
        emit: bool = True,
        start: int | None = None,
        decoded: str | None = None,
        role: Role = Role.DIRECT,
    ) -> Value:
        """The Value of a scalar (emitted unless ``emit`` is false), and the env lookups in it.

        A value holding a lookup (``${X}``, ``${{ secrets.X }}``) is ``dynamic``: the tool
        renders it, it is not the literal text.
        """
        begin = node.start if start is None else start
        raw = self.file.text[begin : node.end]
        dynamic = False
        if "$" in raw or "{{" in raw:
            for read in self.lookups(raw, begin):
                dynamic = True
                if lookups and emit:
                    self.facts.append(read)
        fact = Value(
            span=self.span(begin, node.end),
            value=node.value if decoded is None else decoded,
            raw=raw,
            name=name,
            origin=origin,
            context=Context.CONFIG,
            name_span=name_span,
            qualname=path.dotted() if path is not None else None,
            quote=node.quote,
            dynamic=dynamic,
            role=role,
        )
        if emit:
            self.facts.append(fact)
        return fact

    def lookups(self, raw: str, base: int) -> Iterator[EnvRead]:
        for m in _LOOKUP.finditer(raw):
            if m.group("gh"):
                group, how = "gh", "${{ " + m.group("scope") + ".X }}"
            elif m.group("braced"):
                group, how = "braced", "${X}"
            elif m.group("bare"):
                group, how = "bare", "$X"
            else:
                group, how = "jinja", "{{ env.X }}"
            s, e = m.span(group)
            yield EnvRead(
                m.group(group),
                self.span(base + s, base + e),
                Context.CONFIG,
                how,
                has_default=bool(m.group("default")),
            )

    def header(self, key: PScalar, value: PScalar, name_span: Span) -> None:
        """A header-named key; lookups in its value are dynamic parts (None)."""
        raw = self.file.text[value.start : value.end]
        parts: list[str | None] = []
        if value.value == raw:  # no escapes: offsets in raw are offsets in the value
            last = 0
            for m in _LOOKUP.finditer(raw):
                if m.start() > last:
                    parts.append(raw[last : m.start()])
                parts.append(None)
                last = m.end()
            if last < len(raw) or not parts:
                parts.append(raw[last:])
        else:
            parts.append(value.value)
        self.facts.append(
            Header(
                key.value,
                name_span,
                self.span(value.start, value.end),
                tuple(parts),
                Context.CONFIG,
                self.sem.header_how,
            )
        )

    def shell(self, node: PScalar) -> None:
        self.facts.extend(text.scan(self.file, node.start, node.end, Context.CODE))

    # --- environment blocks --------------------------------------------------------------

    def env_block(self, node: PNode, path: _KeyPath | None, how: str) -> None:
        """``env:``/``environment:`` as a mapping, a ``KEY=value`` list or k8s name/value list.

        Reached through an alias (``environment: *common``), the entries are EnvDefs again
        but their Values, emitted where the anchor is, are not repeated.
        """
        emit = id(node) not in self.seen
        if isinstance(node, PMapping):
            for key, value in node.items:
                if not isinstance(key, PScalar):
                    continue
                if key.value == "<<":  # YAML merge key: the merged mappings are env too
                    merged = value.items if isinstance(value, PSequence) else [value]
                    for m in merged:
                        self.env_block(m, path, how)
                elif not isinstance(value, (PMapping, PSequence)):
                    self.env_entry(key, value, path, how, emit)
        elif isinstance(node, PSequence):
            for item in node.items:
                if isinstance(item, PScalar) and item.is_str:
                    self.env_item(item, path, how, emit)
                elif isinstance(item, PMapping):
                    name = get(item, "name")
                    if isinstance(name, PScalar) and name.is_str:
                        self.env_entry(name, get(item, "value"), path, "kubernetes", emit)

    def env_entry(
        self, key: PScalar, value: PNode | None, path: _KeyPath | None, how: str, emit: bool
    ) -> None:
        name_span = self.span(key.start, key.end)
        if (key.value, name_span) in self.env_defs:
            return
        self.env_defs.add((key.value, name_span))
        fact = None
        if isinstance(value, PScalar) and not value.is_null:
            path = _child(path, key.value)
            fact = self.value(value, key.value, name_span, path, Origin.ENV, emit=emit)
        self.facts.append(EnvDef(key.value, name_span, Context.CONFIG, how, fact))

    def env_item(self, item: PScalar, path: _KeyPath | None, how: str, emit: bool) -> None:
        """``- KEY=value`` (compose and Travis list form); ``- KEY`` passes the host's value."""
        raw = self.file.text[item.start : item.end]
        name, eq, rest = item.value.partition("=")
        raw_eq = raw.find("=") if eq else len(raw)
        if not name or raw_eq < 0:
            return
        name_span = self.span(item.start, item.start + raw_eq)
        if (name, name_span) in self.env_defs:
            return
        self.env_defs.add((name, name_span))
        fact = None
        if eq:
            start = item.start + raw_eq + 1
            path = _child(path, name)
            fact = self.value(
                item, name, name_span, path, Origin.ENV, emit=emit, start=start, decoded=rest
            )
        self.facts.append(EnvDef(name, name_span, Context.CONFIG, how, fact))


# --- YAML --------------------------------------------------------------------------------

_YAML_STR = "tag:yaml.org,2002:str"
_YAML_NULL = "tag:yaml.org,2002:null"
_YAML_CORE = "tag:yaml.org,2002:"
# Node properties before the content: `&anchor`, `!tag`, then blanks or a comment.
_YAML_PROPERTIES = re.compile(r"(?:[&!]\S*(?:\s|#[^\n]*)*)*")
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(file: SourceFile) -> list[PNode]:
    try:
        nodes = list(yaml.compose_all(file.text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = _line_at(file, mark.index) if mark else None
        raise ParseError(f"YAML error: {_clean(exc.problem or exc.context)}", line) from None
    except yaml.reader.ReaderError as exc:
        message = "YAML error: a character YAML does not allow"
        raise ParseError(message, _line_at(file, exc.position)) from None
    except RecursionError:
        raise TooDeep(f"YAML {TOO_DEEP}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise ParseError(f"YAML error: {type(exc).__name__}") from None
    return [_from_yaml(file, n) for n in nodes if n is not None]


def _line_at(file: SourceFile, offset: int) -> int:
    return file.position(min(max(offset, 0), len(file.text)))[0]


def _clean(problem: str | None) -> str:
    """A parser message without source snippets (pure-Python PyYAML quotes them with %r).

    Token names (``'<stream end>'``) and single punctuation characters (``','``) are kept.
    """

    def keep(m: re.Match[str]) -> str:
        inner = m.group(1)
        if (inner.startswith("<") and inner.endswith(">")) or (
            len(inner) == 1 and not inner.isalnum()
        ):
            return m.group(0)
        return ""

    cleaned = re.sub(r"""\s*['"]([^'"]*)['"]""", keep, problem or "syntax error")
    return cleaned.strip() or "syntax error"


def _from_yaml(file: SourceFile, root: yaml.Node) -> PNode:
    memo: dict[int, PNode] = {}  # an alias is the same node: convert it once
    work: list[tuple[yaml.Node, PNode]] = []

    def make(node: yaml.Node) -> PNode:
        hit = memo.get(id(node))
        if hit is not None:
            return hit
        made: PNode
        if isinstance(node, yaml.ScalarNode):
            made = _yaml_scalar(file, node)
        else:
            made = PMapping() if isinstance(node, yaml.MappingNode) else PSequence()
            work.append((node, made))
        memo[id(node)] = made
        return made

    top = make(root)
    while work:
        node, made = work.pop()
        if isinstance(made, PMapping):
            made.items = [(make(k), make(v)) for k, v in node.value]
        elif isinstance(made, PSequence):
            made.items = [make(item) for item in node.value]
    return top


def _yaml_scalar(file: SourceFile, node: yaml.ScalarNode) -> PScalar:
    start, end = node.start_mark.index, node.end_mark.index
    if file.text[start : start + 1] in ("&", "!"):  # the mark is at the anchor or tag
        props = _YAML_PROPERTIES.match(file.text, start, end)
        start = props.end() if props else start
    style = node.style or ""
    quote = ""
    if style in ("'", '"'):
        start, end, quote = start + 1, end - 1, style
    elif style in ("|", ">"):
        start, end = _block_content(file.text, start, end)
    tag = node.tag or ""
    is_str = tag == _YAML_STR or not tag.startswith(_YAML_CORE)  # `!Sub "…"`: a string too
    return PScalar(start, end, node.value, quote, is_str, tag == _YAML_NULL)


def _block_content(source: str, start: int, end: int) -> tuple[int, int]:
    """Content of a ``|``/``>`` block: first non-blank character to the last content line."""
    header_end = source.find("\n", start, end)
    if header_end < 0:
        return end, end
    body = source[header_end + 1 : end]
    stripped = body.lstrip(" \t\r\n")
    first = header_end + 1 + len(body) - len(stripped)
    last = header_end + 1 + len(body.rstrip(" \t\r\n"))
    if last <= first:
        return first, first
    # Keep trailing blanks of the last content line: `|` keeps them in the value.
    line_end = source.find("\n", last, end)
    line_end = end if line_end < 0 else line_end
    return first, line_end - 1 if source[line_end - 1 : line_end] == "\r" else line_end


# --- JSON --------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""[ \t\n\r]*
    (?:"([^"\\\x00-\x1f]*)"     # 1: a string without escapes, the common case
    |(")                        # 2: a string with escapes: scanstring decodes it
    |(\{)|(\[)                  # 3, 4
    |([}\]])                    # 5
    |(,)|(:)                    # 6, 7
    |(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|NaN|-?Infinity)  # 8
    |(null)                     # 9
    |(\Z)                       # 10
    |(/))                       # 11: a JSONC comment, rare: skipped on its own
    """,
    re.VERBOSE,
)
# The most common pair of tokens, `"key":`, in one match.
_JSON_KEY = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:')
# A string value and the comma after it, in one match.
_JSON_VALUE = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*)"(?:[ \t\n\r]*(,))?')
# Parser states: what the next token may be.
_TOP, _KEY, _COLON, _OBJ_VALUE, _ITEM, _NEXT, _END = range(7)
_EXPECTED = {
    _TOP: "expected a value",
    _KEY: "expected a string key or '}'",
    _COLON: "expected ':'",
    _OBJ_VALUE: "expected a value",
    _ITEM: "expected a value or ']'",
    _NEXT: "expected ',' or a closing bracket",
    _END: "extra data after the JSON value",
}
_JSON_SPACE = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*(?s:.*?)\*/)*")
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def parse_json(file: SourceFile) -> PNode:
    """A positioned tree of a JSON document, duplicate keys kept; ParseError if invalid.

    A state machine over regex tokens; no recursion, so any nesting depth works. Accepts
    ``//`` and ``/* */`` comments and trailing commas. ``"key":`` and a string value with
    its comma are each one match: most of a JSON file is those.

    Measured against the alternative of ``json.loads(object_pairs_hook=...)`` for the
    structure plus one ``finditer`` for the scalar positions: that pairing walk in Python
    cost more than this scanner (189 ms against 131 ms on botocore's endpoints.json).
    """
    source = file.text
    match, key_match, value_match = _JSON_TOKEN.match, _JSON_KEY.match, _JSON_VALUE.match
    stack: list[PMapping | PSequence] = []
    items: list[Any] = []  # the items of stack[-1]
    root: PNode | None = None
    key: PScalar | None = None
    state = _TOP
    pos = 0
    node: PNode
    while True:
        if state == _KEY:
            k = key_match(source, pos)
            if k is not None:
                key = PScalar(k.start(1), k.end(1), k.group(1), '"')
                pos, state = k.end(), _OBJ_VALUE
                continue
        elif state in (_OBJ_VALUE, _ITEM):
            v = value_match(source, pos)
            if v is not None:
                string = PScalar(v.start(1), v.end(1), v.group(1), '"')
                if state == _OBJ_VALUE:
                    items.append((key, string))
                    state = _KEY if v.lastindex == 2 else _NEXT
                else:
                    items.append(string)
                    state = _ITEM if v.lastindex == 2 else _NEXT
                pos = v.end()
                continue
        m = match(source, pos)
        if m is None:
            raise _json_error(file, _EXPECTED[state], pos)
        kind = m.lastindex or 0
        pos = m.end()
        if kind == 11:
            skipped = _JSON_SPACE.match(source, m.start(11))
            if skipped is None or skipped.end() == m.start(11):
                raise _json_error(file, _EXPECTED[state], m.start(11))
            pos = skipped.end()
            continue
        if kind == 1:
            node = PScalar(m.start(1), pos - 1, m.group(1), '"')
        elif kind == 2:
            start = pos
            try:
                decoded, pos = _scanstring(source, start, True)
            except json.JSONDecodeError as exc:
                message = re.sub(r"(?: starting)? at$", "", exc.msg)
                raise _json_error(file, message, exc.pos) from None
            node = PScalar(start, pos - 1, decoded, '"')
        elif kind == 8:
            node = PScalar(m.start(8), pos, m.group(8), "", is_str=False)
        elif kind == 9:
            node = PScalar(m.start(9), pos, "null", "", is_str=False, is_null=True)
        elif kind == 3:
            node = PMapping()
        elif kind == 4:
            node = PSequence()
        elif kind == 5:
            closer = "}" if isinstance(stack[-1:] and stack[-1], PMapping) else "]"
            if not stack or source[pos - 1] != closer or state not in (_KEY, _ITEM, _NEXT):
                raise _json_error(file, _EXPECTED[state], m.start(5))
            stack.pop()
            items = stack[-1].items if stack else []
            state = _NEXT if stack else _END
            continue
        elif kind == 6:
            if state != _NEXT:
                raise _json_error(file, _EXPECTED[state], m.start(6))
            state = _KEY if isinstance(stack[-1], PMapping) else _ITEM
            continue
        elif kind == 7:
            if state != _COLON:
                raise _json_error(file, _EXPECTED[state], m.start(7))
            state = _OBJ_VALUE
            continue
        elif kind == 10:  # end of text
            if state != _END or root is None:
                raise _json_error(file, "unexpected end of data, " + _EXPECTED[state], pos)
            return root
        # A string, a scalar or an opened container: place it.
        if state == _KEY:
            if not isinstance(node, PScalar) or kind > 2:
                raise _json_error(file, _EXPECTED[state], m.start(kind))
            key, state = node, _COLON
            continue
        if state == _OBJ_VALUE:
            items.append((key, node))
        elif state == _ITEM:
            items.append(node)
        elif state == _TOP:
            root = node
        else:
            raise _json_error(file, _EXPECTED[state], m.start(kind))
        if isinstance(node, PScalar):
            state = _NEXT if stack else _END
        else:
            stack.append(node)
            items = node.items
            state = _KEY if kind == 3 else _ITEM


def _json_error(file: SourceFile, message: str, offset: int) -> ParseError:
    offset = min(max(offset, 0), len(file.text))
    # Point past whitespace and comments to where the bad token starts.
    skipped = _JSON_SPACE.match(file.text, offset)
    if skipped:
        offset = skipped.end()
    return ParseError(f"JSON error: {message}", file.position(offset)[0])


# --- TOML --------------------------------------------------------------------------------


def parse_toml(file: SourceFile) -> PMapping:
    try:
        tomllib.loads(file.text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(where.group(1)) if where else None
        message = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", message)
        raise ParseError(f"TOML error: {message}", line) from None
    except RecursionError:  # tomllib recurses per nested array or inline table
        raise TooDeep(f"TOML {TOO_DEEP}") from None
    scanner = _TomlScanner(file.text)
    try:
        with contextlib.suppress(_TomlStop):  # valid TOML it does not follow: keep what it read
            scanner.document()
    except RecursionError:
        raise TooDeep(f"TOML {TOO_DEEP}") from None
    return scanner.root


class _TomlStop(Exception):
    pass


_T_SPACE = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_T_INLINE_SPACE = re.compile(r"[ \t]*")
_T_BARE = re.compile(r"[A-Za-z0-9_-]+")
_T_BASIC = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_T_LITERAL = re.compile(r"'([^'\n]*)'")
_T_ML_BASIC = re.compile(r'"""((?:[^\\]|\\.)*?)"""("{0,2})', re.DOTALL)
_T_ML_LITERAL = re.compile(r"'''(.*?)'''('{0,2})", re.DOTALL)
_T_OTHER = re.compile(r"[^,\]}#\r\n]+")
_T_ESCAPE = re.compile(r'\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|[ \t]*\r?\n\s*)')
_T_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _toml_unescape(raw: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            return _T_SIMPLE_ESCAPES[m.group(1)]
        code = m.group(2) or m.group(3)
        return chr(int(code, 16)) if code else ""  # line-ending backslash: trimmed

    return _T_ESCAPE.sub(one, raw) if "\\" in raw else raw


class _TomlScanner:
    """Positions of a valid TOML document: tables, dotted keys, strings, arrays, inline tables."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.root = PMapping()
        self.index: dict[int, dict[str, PNode]] = {}  # id(mapping) -> key -> child

    def expect(self, pattern: re.Pattern[str]) -> re.Match[str]:
        m = pattern.match(self.src, self.pos)
        if m is None:
            raise _TomlStop
        self.pos = m.end()
        return m

    def skip(self, pattern: re.Pattern[str] = _T_SPACE) -> None:
        m = pattern.match(self.src, self.pos)
        if m:
            self.pos = m.end()

    def peek(self, text_: str) -> bool:
        return self.src.startswith(text_, self.pos)

    def document(self) -> None:
        current = self.root
        while True:
            self.skip()
            if self.pos >= len(self.src):
                return
            if self.peek("["):
                current = self.table_header()
            else:
                self.key_value(current)

    def table_header(self) -> PMapping:
        array = self.peek("[[")
        self.pos += 2 if array else 1
        keys = self.keys()
        self.skip(_T_INLINE_SPACE)
        if not self.peek("]]" if array else "]"):
            raise _TomlStop
        self.pos += 2 if array else 1
        table = self.root
        for key in keys[:-1]:
            table = self.child_table(table, key)
        last = keys[-1]
        if not array:
            return self.child_table(table, last)
        seq = self.child(table, last)
        if not isinstance(seq, PSequence):
            seq = PSequence()
            self.add(table, last, seq)
        new = PMapping()
        seq.items.append(new)
        return new

    def child(self, table: PMapping, key: PScalar) -> PNode | None:
        return self.index.get(id(table), {}).get(key.value)

    def add(self, table: PMapping, key: PScalar, node: PNode) -> None:
        table.items.append((key, node))
        self.index.setdefault(id(table), {})[key.value] = node

    def child_table(self, table: PMapping, key: PScalar) -> PMapping:
        existing = self.child(table, key)
        if isinstance(existing, PSequence) and existing.items:  # [[a]] then [a.b]
            existing = existing.items[-1]
        if isinstance(existing, PMapping):
            return existing
        new = PMapping()
        self.add(table, key, new)
        return new

    def keys(self) -> list[PScalar]:
        keys = []
        while True:
            self.skip(_T_INLINE_SPACE)
            if self.peek('"'):
                m = self.expect(_T_BASIC)
                keys.append(PScalar(m.start(1), m.end(1), _toml_unescape(m.group(1)), '"'))
            elif self.peek("'"):
                m = self.expect(_T_LITERAL)
                keys.append(PScalar(m.start(1), m.end(1), m.group(1), "'"))
            else:
                m = self.expect(_T_BARE)
                keys.append(PScalar(m.start(), m.end(), m.group()))
            self.skip(_T_INLINE_SPACE)
            if not self.peek("."):
                return keys
            self.pos += 1

    def key_value(self, table: PMapping) -> None:
        keys = self.keys()
        if not self.peek("="):
            raise _TomlStop
        self.pos += 1
        self.skip(_T_INLINE_SPACE)
        value = self.value()
        for key in keys[:-1]:
            table = self.child_table(table, key)
        self.add(table, keys[-1], value)

    def value(self) -> PNode:
        src, pos = self.src, self.pos
        if src.startswith('"""', pos):
            m = self.expect(_T_ML_BASIC)
            return self.multiline(m, '"', _toml_unescape)
        if src.startswith("'''", pos):
            m = self.expect(_T_ML_LITERAL)
            return self.multiline(m, "'", lambda s: s)
        if src.startswith('"', pos):
            m = self.expect(_T_BASIC)
            return PScalar(m.start(1), m.end(1), _toml_unescape(m.group(1)), '"')
        if src.startswith("'", pos):
            m = self.expect(_T_LITERAL)
            return PScalar(m.start(1), m.end(1), m.group(1), "'")
        if src.startswith("[", pos):
            return self.array()
        if src.startswith("{", pos):
            return self.inline_table()
        m = self.expect(_T_OTHER)
        body = m.group().rstrip()
        return PScalar(m.start(), m.start() + len(body), body, "", is_str=False)

    def multiline(self, m: re.Match[str], quote: str, decode: Callable[[str], str]) -> PScalar:
        start, end = m.start(1), m.end(1) + len(m.group(2))
        body = self.src[start:end]
        for newline in ("\r\n", "\n"):  # a newline right after the opening quotes is trimmed
            if body.startswith(newline):
                start, body = start + len(newline), body[len(newline) :]
                break
        return PScalar(start, end, decode(body), quote * 3)

    def array(self) -> PSequence:
        self.pos += 1
        seq = PSequence()
        while True:
            self.skip()
            if self.peek("]"):
                self.pos += 1
                return seq
            seq.items.append(self.value())
            self.skip()
            if self.peek(","):
                self.pos += 1
            elif not self.peek("]"):
                raise _TomlStop

    def inline_table(self) -> PMapping:
        self.pos += 1
        table = PMapping()
        while True:
            self.skip()
            if self.peek("}"):
                self.pos += 1
                return table
            self.key_value(table)
            self.skip()
            if self.peek(","):
                self.pos += 1
            elif not self.peek("}"):
                raise _TomlStop
