"""Python source → facts, with the standard library's ``ast``.

Why ``ast`` and not libcst here: extraction is read-only, and ``ast.parse`` runs at ~6.6 MB/s
against libcst's ~0.16 MB/s with positions (measured by
bench/run.py). ``ast`` nodes carry exact start and end positions, which is all a finding
needs. libcst is kept for what needs a concrete syntax tree: rewriting code (fixes).

``ast`` columns are UTF-8 byte offsets; they are converted to code points here, so every
fact has the columns an editor shows.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace

from keylint.extract import TOO_DEEP, ParseError, TooDeep
from keylint.facts import (
    Context,
    EnvDef,
    EnvDynamic,
    EnvRead,
    Fact,
    Header,
    Origin,
    Role,
    SdkUse,
    Span,
    Value,
)
from keylint.headernames import is_header_name
from keylint.providers import ProviderDB
from keylint.source import SourceFile
from keylint.span import value_class

_STRING_PREFIX_CHARS = "rRbBuUfF"
_ENV_GET_FUNCS = {"os.getenv", "os.environ.get", "os.environ.setdefault", "os.putenv"}
# python-decouple: config("NAME", default=…, cast=…) reads the environment, then .env/.ini.
_DECOUPLE_FUNCS = {"decouple.config"}
# pydantic-settings (v2) and pydantic v1: every field of a subclass is read from the environment.
_SETTINGS_BASES = {
    "pydantic_settings.BaseSettings",
    "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings",
    "pydantic.env_settings.BaseSettings",
    "pydantic.v1.BaseSettings",
    "pydantic.v1.env_settings.BaseSettings",
}
_URL_HOST = re.compile(r"\s*https?://([A-Za-z0-9.-]+)")
# Keywords that carry the headers of a request, and the URL it goes to.
_HEADERS_KWARGS = ("headers", "default_headers")
_URL_KWARGS = ("url", "base_url", "api_base", "endpoint", "azure_endpoint")


def extract(file: SourceFile, db: ProviderDB) -> list[Fact]:
    tree = parse(file.text, file.path)
    visitor = _Visitor(file, sdk_roots(db))
    try:
        visitor.visit(tree)
    except RecursionError:  # ast.parse accepts deeper nesting than a recursive visitor can walk
        raise TooDeep(f"Python source {TOO_DEEP}") from None
    finally:
        # The dispatch table holds bound methods: a cycle through the visitor, which holds
        # the whole tree (``parents``). Unbroken, only the cyclic collector frees a file's
        # tree, and it runs rarely (scheduler._tune_gc): the lib tree's peak grew by 30 MB.
        visitor.release()
    return visitor.facts


# Calls that test a string rather than use it: `model.startswith("gpt-4")`.
_TEST_METHODS = frozenset(
    {"startswith", "endswith", "find", "rfind", "index", "count", "removeprefix", "removesuffix"}
)
# Text that makes loops worth a look for the rate-limit rules (KL80x) without an SDK import.
_RATE_LIMIT_TEXT = re.compile(r"429|rate.?limit|retry|retries|backoff", re.IGNORECASE)
_TYPE_FORMS = frozenset({"Literal", "typing.Literal", "typing_extensions.Literal"})


def parse(text: str, path: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes is not ours
            return ast.parse(text, filename=path)
    except SyntaxError as exc:
        from keylint.extract.pyversion import message  # newer syntax is no syntax error

        raise ParseError(message(text, exc.lineno, exc.msg), exc.lineno) from None
    except RecursionError:
        raise TooDeep(f"Python source {TOO_DEEP}") from None
    except (ValueError, MemoryError) as exc:
        raise ParseError(f"Python source cannot be parsed: {type(exc).__name__}") from None


def sdk_roots(db: ProviderDB) -> frozenset[str]:
    """Top-level packages whose symbols are worth resolving (``sdk.packages`` in rules/)."""
    roots: set[str] = set()
    for _provider, section in db.iter_sections("sdk"):
        for package in section.get("packages", ()):
            roots.add(str(package).split(".")[0])
    return frozenset(roots)


# Fields the traversal skips: those that hold only operator and context singletons (`Load()`,
# `Add()`, `Eq()`, a third of the nodes of a module), and those that never hold a node
# (names, levels, flags). `names` is not one: Import.names holds alias nodes. Per node class,
# the fields worth a visit are worked out once.
_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "module", "level"}
    | {"type_comment", "kind", "is_async", "conversion"}
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


class _Visitor(ast.NodeVisitor):
    def __init__(self, file: SourceFile, roots: frozenset[str]) -> None:
        self.file = file
        # ast's columns are UTF-8 byte offsets: equal to character offsets in ASCII text.
        self.ascii = file.text.isascii()
        self.roots = roots
        self.facts: list[Fact] = []
        self.aliases: dict[str, str] = {}  # local name -> qualified module/symbol
        self.bound: set[int] = set()  # ids of string nodes already emitted with a name
        self.docstrings: set[int] = set()
        self.settings: dict[str, _SettingsConfig] = {}  # pydantic-settings classes by name
        # For Header.host: which dict of headers goes to which host, found at the call.
        self.dict_host: dict[int, str] = {}  # id(dict node) -> host
        self.dict_headers: dict[int, list[int]] = {}  # id(dict node) -> indices of its Headers
        self.var_dicts: dict[str, int] = {}  # local name -> id(dict node) assigned to it
        self.var_strings: dict[str, str] = {}  # local name -> leading literal text assigned
        self.parents: dict[int, ast.AST] = {}
        self.key_ids: dict[int, set[int]] = {}  # id(dict node) -> ids of its key nodes
        self._loop_text: bool | None = None
        self._dispatch: dict[type, Callable[[ast.AST], None]] = {}

    # --- traversal: parents recorded on the way down ----------------------------------

    def visit(self, node: ast.AST) -> None:
        """``NodeVisitor.visit`` with the method looked up once per node class."""
        method = self._dispatch.get(node.__class__) or self._method(node)
        method(node)

    def release(self) -> None:
        """Drop the references into the tree and to this visitor's own methods."""
        self._dispatch.clear()
        self.parents.clear()

    def _method(self, node: ast.AST) -> Callable[[ast.AST], None]:
        name = "visit_" + node.__class__.__name__
        method = self._dispatch[node.__class__] = getattr(self, name, self.generic_visit)
        return method

    def generic_visit(self, node: ast.AST) -> None:
        """Descend, recording each child's parent (role_of climbs them). The map is filled
        by the one traversal the visitor makes anyway: a separate ``ast.walk`` for it
        doubled the cost of parsing Python. Fields are read directly: ``iter_child_nodes``
        is a generator, measurably slower on a million nodes; children are dispatched here,
        without a call of ``visit`` each."""
        parents = self.parents
        dispatch = self._dispatch
        fields = _CHILD_FIELDS.get(node.__class__)
        if fields is None:
            fields = _CHILD_FIELDS[node.__class__] = tuple(
                f for f in node._fields if f not in _LEAF_FIELDS
            )
        for field in fields:
            value = getattr(node, field, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        parents[id(item)] = node
                        (dispatch.get(item.__class__) or self._method(item))(item)
            elif isinstance(value, ast.AST):
                parents[id(value)] = node
                (dispatch.get(value.__class__) or self._method(value))(value)

    def _adopt(self, node: ast.AST, *children: ast.AST | None) -> None:
        """Record ``children``'s parent now: for visitor methods that read a child before
        the traversal reaches it (the node's own ancestors are recorded already)."""
        parents = self.parents
        for child in children:
            if child is not None:
                parents[id(child)] = node

    # --- where a value sits ----------------------------------------------------------

    def role_of(self, node: ast.AST) -> tuple[Role, str | None]:
        """The syntactic role of a string node, and the callee when it is a call argument."""
        child = node
        parent = self.parents.get(id(node))
        element = False
        while parent is not None:
            if isinstance(parent, ast.BinOp | ast.JoinedStr | ast.FormattedValue | ast.Starred):
                pass  # part of a larger string expression: look at where that sits
            elif isinstance(parent, ast.List | ast.Tuple | ast.Set):
                element = True
            elif isinstance(parent, ast.Dict):
                if id(child) in self._key_ids(parent):
                    return Role.KEY, None
                return (Role.ELEMENT if element else Role.DIRECT), None
            elif isinstance(parent, ast.Subscript):
                if child is parent.slice:
                    if self.qualify(parent.value) in _TYPE_FORMS:
                        return Role.TYPE, None
                    return Role.KEY, None  # table["gpt-4"]: a lookup by name
                return Role.DIRECT, None
            elif isinstance(parent, ast.Compare | ast.MatchValue | ast.match_case):
                return Role.COMPARED, None
            elif isinstance(parent, ast.keyword):
                call = self.parents.get(id(parent))
                callee = self.qualify(call.func) if isinstance(call, ast.Call) else None
                return (Role.ELEMENT if element else Role.DIRECT), callee
            elif isinstance(parent, ast.Call):
                if child is parent.func:
                    return Role.DIRECT, None
                func = parent.func
                if isinstance(func, ast.Attribute) and func.attr in _TEST_METHODS:
                    return Role.COMPARED, None
                return (Role.ELEMENT if element else Role.DIRECT), self.qualify(func)
            elif (isinstance(parent, ast.arg | ast.AnnAssign) and child is parent.annotation) or (
                isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef)
                and (child is parent.returns)
            ):
                return Role.TYPE, None
            else:
                break
            child, parent = parent, self.parents.get(id(parent))
        return (Role.ELEMENT if element else Role.DIRECT), None

    def _key_ids(self, node: ast.Dict) -> set[int]:
        """Ids of a dict display's keys, built once per dict: asking ``any(k is child …)``
        for every value made a 1,600-entry dict literal cost 2.5 M comparisons."""
        found = self.key_ids.get(id(node))
        if found is None:
            found = self.key_ids[id(node)] = {id(k) for k in node.keys if k is not None}
        return found

    # --- positions -------------------------------------------------------------------

    def _col(self, line: int, byte_col: int) -> int:
        # Lines as ast counts them (\r\n, \n, \r): str.splitlines also splits at form
        # feeds and other separators, which put non-ASCII columns on the wrong line.
        starts = self.file.line_starts
        text = self.file.line_text(line) if 0 < line <= len(starts) else ""
        if text.isascii():
            return byte_col + 1
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore")) + 1

    def node_span(self, node: ast.AST) -> Span:
        line = node.lineno  # type: ignore[attr-defined]
        end_line = node.end_lineno or line  # type: ignore[attr-defined]
        if self.ascii:
            return Span(
                line,
                node.col_offset + 1,  # type: ignore[attr-defined]
                end_line,
                (node.end_col_offset or 0) + 1,  # type: ignore[attr-defined]
            )
        return Span(
            line,
            self._col(line, node.col_offset),  # type: ignore[attr-defined]
            end_line,
            self._col(end_line, node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def _segment(self, span: Span) -> str:
        start = self.file.offset(span.line, span.column)
        end = self.file.offset(span.end_line, span.end_column)
        return self.file.text[start:end]

    def string_value(
        self,
        node: ast.AST,
        name: str | None,
        origin: Origin,
        *,
        qualname: str | None = None,
        name_span: Span | None = None,
        context: Context = Context.CODE,
    ) -> Value | None:
        """A Value for a str constant, f-string or concatenation of string literals."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self._constant_value(node, name, origin, qualname, name_span, context)
        parts = string_parts(node)
        if parts is None or all(p is None for p in parts):
            return None
        span = self.node_span(node)
        role, call = self.role_of(node)
        literal = "".join("{…}" if p is None else p for p in parts)
        return Value(
            span=span,
            value=literal,
            raw=self._segment(span),
            name=name,
            origin=origin,
            context=context,
            name_span=name_span,
            qualname=qualname,
            dynamic=True,
            role=role,
            call=call,
        )

    def _constant_value(
        self,
        node: ast.Constant,
        name: str | None,
        origin: Origin,
        qualname: str | None,
        name_span: Span | None,
        context: Context,
    ) -> Value:
        text = node.value
        assert isinstance(text, str)
        span = self.node_span(node)
        segment = self._segment(span)
        prefix_len = len(segment) - len(segment.lstrip(_STRING_PREFIX_CHARS))
        body = segment[prefix_len:]
        quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
        inner = body[len(quote) : len(body) - len(quote)] if len(body) >= 2 * len(quote) else ""
        single_token = bool(quote) and body.endswith(quote) and quote not in inner
        if single_token:
            start_col = span.column + prefix_len + len(quote)
            content = Span(span.line, start_col, span.end_line, span.end_column - len(quote))
            raw = inner
        else:  # implicit concatenation: "a" "b" — keep the whole node
            content, raw, quote = span, segment, ""
        is_template = _looks_like_template(text) and "f" not in segment[:prefix_len].lower()
        self.bound.add(id(node))
        role, call = self.role_of(node)
        return Value(
            span=content,
            value=text,
            raw=raw,
            name=name,
            origin=origin,
            context=context,
            name_span=name_span,
            qualname=qualname,
            quote=quote,
            is_template=is_template,
            role=role,
            call=call,
        )

    # --- names -----------------------------------------------------------------------

    def qualify(self, node: ast.AST) -> str | None:
        """Dotted name of a Name/Attribute chain, with the root resolved through imports."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call):  # OpenAI().chat -> "openai.OpenAI().chat"
            inner = self.qualify(node.func)
            if inner is None:
                return None
            parts.append(inner + "()")
            return ".".join(reversed(parts))
        if not isinstance(node, ast.Name):
            return None
        root = self.aliases.get(node.id, node.id)
        parts.append(root)
        return ".".join(reversed(parts))

    def emit(self, fact: Fact) -> None:
        self.facts.append(fact)

    # --- imports ---------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
            if alias.name.split(".")[0] in self.roots:
                self.emit(SdkUse(alias.name, self.node_span(node), "import"))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for alias in node.names:
            symbol = f"{node.module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = symbol
            if node.module.split(".")[0] in self.roots:
                self.emit(SdkUse(symbol, self.node_span(node), "import"))

    # --- bindings --------------------------------------------------------------------

    def _target_name(self, target: ast.AST) -> tuple[str | None, str | None, Span | None]:
        if isinstance(target, ast.Name):
            return target.id, target.id, self.node_span(target)
        if isinstance(target, ast.Attribute):
            return target.attr, self.qualify(target), self.node_span(target)
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)
        ):
            return target.slice.value, self.qualify(target.value), self.node_span(target.slice)
        return None, None, None

    def _assign(self, targets: list[ast.AST], value: ast.AST | None) -> None:
        if value is None:
            return
        for target in targets:
            name, qual, name_span = self._target_name(target)
            if name is None:
                continue
            if isinstance(target, ast.Subscript) and qual in ("os.environ", "environ"):
                fact = self.string_value(value, name, Origin.ENV, qualname=f"env.{name}")
                if name_span is not None:  # inside the quotes, as for reads
                    name_span = Span(
                        name_span.line,
                        name_span.column + 1,
                        name_span.end_line,
                        name_span.end_column - 1,
                    )
                self.emit(
                    EnvDef(
                        name, name_span or self.node_span(target), Context.CODE, "os.environ", fact
                    )
                )
                if fact:
                    self.emit(fact)
                continue
            if isinstance(target, ast.Attribute) and qual and qual.split(".")[0] in self.roots:
                self.emit(SdkUse(qual, self.node_span(target), "assign"))
            if isinstance(target, ast.Subscript) and is_header_name(name):
                # headers["Authorization"] = f"Bearer {key}"
                self.emit_header(name, name_span or self.node_span(target), value, "python.dict")
                if isinstance(target.value, ast.Name) and target.value.id in self.var_dicts:
                    dict_id = self.var_dicts[target.value.id]
                    self.dict_headers.setdefault(dict_id, []).append(len(self.facts) - 1)
            fact = self.string_value(value, name, Origin.ASSIGN, qualname=qual, name_span=name_span)
            if fact:
                self.emit(fact)
            if isinstance(target, ast.Name):
                self._remember(target.id, value)

    def _remember(self, name: str, value: ast.AST) -> None:
        """What later code needs to know about a local name: the dict of headers or the URL
        text bound to it, and the SDK client created into it (``client = Anthropic()``, so
        ``client.completions.create`` resolves to ``anthropic.Anthropic().completions...``).
        """
        if isinstance(value, ast.Dict):
            self.var_dicts[name] = id(value)
        parts = string_parts(value)
        if parts and isinstance(parts[0], str):
            self.var_strings[name] = parts[0]
        callee = self.qualify(value.func) if isinstance(value, ast.Call) else None
        if (
            callee
            and callee.split(".")[0] in self.roots
            and callee.rsplit(".", 1)[-1][:1].isupper()  # a class: a client, not a result
        ):
            self.aliases[name] = callee + "()"
        elif self.aliases.get(name, "").endswith("()"):
            del self.aliases[name]  # rebound: no longer that client

    def visit_Assign(self, node: ast.Assign) -> None:
        self._adopt(node, node.value, *node.targets)
        self._assign(list(node.targets), node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._adopt(node, node.value, node.target, node.annotation)
        self._assign([node.target], node.value)
        self.generic_visit(node)

    def visit_arguments(self, node: ast.arguments) -> None:
        self._adopt(node, *node.defaults, *node.kw_defaults)
        # `def chat(model="gpt-4")`: a default is bound to its parameter's name.
        positional = [*node.posonlyargs, *node.args]
        with_default = positional[len(positional) - len(node.defaults) :]
        pairs = list(zip(with_default, node.defaults, strict=True))
        kw_pairs = zip(node.kwonlyargs, node.kw_defaults, strict=True)
        pairs += [(a, d) for a, d in kw_pairs if d is not None]
        function = self.parents.get(id(node))
        owner = getattr(function, "name", "<lambda>")
        for arg, default in pairs:
            fact = self.string_value(
                default,
                arg.arg,
                Origin.ASSIGN,
                qualname=f"{owner}({arg.arg})",
                name_span=self.node_span(arg),
            )
            if fact:
                self.emit(fact)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        self._adopt(node, node.left, *node.comparators)
        # `if api_key == "sk-..."`: the literal is bound to the name it is compared with.
        if len(node.comparators) == 1:
            left, right = node.left, node.comparators[0]
            for named, literal in ((left, right), (right, left)):
                name, qual, name_span = self._target_name(named)
                if name is not None:
                    fact = self.string_value(
                        literal, name, Origin.ASSIGN, qualname=qual, name_span=name_span
                    )
                    if fact:
                        self.emit(fact)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        self._adopt(node, *node.keys, *node.values)
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            self.bound.add(id(key))
            key_span = self.node_span(key)
            if is_header_name(key.value):
                self.emit_header(
                    key.value, key_span, value, "python.dict", self.dict_host.get(id(node))
                )
                self.dict_headers.setdefault(id(node), []).append(len(self.facts) - 1)
            fact = self.string_value(value, key.value, Origin.MAPPING, name_span=key_span)
            if fact:
                self.emit(fact)
        self.generic_visit(node)

    def emit_header(
        self, name: str, name_span: Span, value: ast.AST, how: str, host: str | None = None
    ) -> None:
        parts = string_parts(value)
        if parts is None:
            parts = (None,)
        template = None
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and _looks_like_template(value.value)
        ):
            template = "format"
        self.emit(
            Header(
                name,
                name_span,
                self.node_span(value),
                parts,
                Context.CODE,
                how,
                template=template,
                host=host,
            )
        )

    # --- calls -----------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self._adopt(node, *node.args, *node.keywords)
        for kw in node.keywords:  # read below before the traversal reaches them
            self.parents[id(kw.value)] = kw
        callee = self.qualify(node.func)
        self._request_host(node)
        if callee is not None:
            self._env_call(node, callee)
            if callee.split(".")[0] in self.roots:
                self.emit(SdkUse(callee, self.node_span(node.func), "call"))
                for kw in node.keywords:
                    if kw.arg:
                        self.emit(SdkUse(callee, self.node_span(kw), "kwarg", kw.arg))
        for kw in node.keywords:
            if kw.arg is None:
                continue
            kw_span = self._keyword_name_span(kw)
            if kw.arg == "headers" and isinstance(kw.value, ast.Dict):
                pass  # visited as a Dict
            fact = self.string_value(
                kw.value,
                kw.arg,
                Origin.KWARG,
                qualname=f"{callee}:{kw.arg}" if callee else None,
                name_span=kw_span,
            )
            if fact:
                self.emit(fact)
        # `.format(...)` or `%` applied to a template: the template is formatted after all.
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            self.bound.add(id(node.func.value))
        self.generic_visit(node)

    def _request_host(self, node: ast.Call) -> None:
        """``requests.post(url, headers={...})``, ``httpx.Client(base_url=..., headers=h)``,
        ``OpenAI(base_url=..., default_headers=h)``: the headers go to the URL's host."""
        headers = [kw.value for kw in node.keywords if kw.arg in _HEADERS_KWARGS]
        if not headers:
            return
        urls = list(node.args[:1]) + [kw.value for kw in node.keywords if kw.arg in _URL_KWARGS]
        host = next((h for h in map(self._host_of, urls) if h), None)
        if host is None:
            return
        for value in headers:
            if isinstance(value, ast.Dict):
                self.dict_host[id(value)] = host
            elif isinstance(value, ast.Name) and value.id in self.var_dicts:
                for i in self.dict_headers.get(self.var_dicts[value.id], ()):
                    fact = self.facts[i]
                    if isinstance(fact, Header) and fact.host is None:
                        self.facts[i] = replace(fact, host=host)

    def _host_of(self, node: ast.AST) -> str | None:
        """The host of a URL expression: a literal, an f-string or ``+`` starting with a
        literal or with a name bound to one (``f"{BASE}/v1/messages"``)."""
        first: ast.AST = node
        while isinstance(first, ast.BinOp) and isinstance(first.op, ast.Add):
            first = first.left
        if isinstance(first, ast.JoinedStr) and first.values:
            head = first.values[0]
            first = head.value if isinstance(head, ast.FormattedValue) else head
        if isinstance(first, ast.Name):
            text = self.var_strings.get(first.id)
        else:
            parts = string_parts(first)
            text = parts[0] if parts and isinstance(parts[0], str) else None
        m = _URL_HOST.match(text or "")
        return m.group(1).lower().rstrip(".") if m else None

    def _keyword_name_span(self, kw: ast.keyword) -> Span:
        span = self.node_span(kw)
        return Span(span.line, span.column, span.line, span.column + len(kw.arg or ""))

    def _env_call(self, node: ast.Call, callee: str) -> None:
        normalized = (
            callee.replace("environ.", "os.environ.", 1)
            if callee.startswith("environ.")
            else callee
        )
        if normalized == "os.environ.environ.get":
            normalized = "os.environ.get"
        if normalized in _DECOUPLE_FUNCS:
            self._decouple_call(node)
            return
        if normalized == "os.environ.update":
            self.emit(EnvDynamic(self.node_span(node), writes=True))
            return
        if normalized not in _ENV_GET_FUNCS or not node.args:
            return
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            writes = normalized in ("os.putenv", "os.environ.setdefault")
            self.emit(EnvDynamic(self.node_span(node), writes=writes))
            return
        self.bound.add(id(first))
        name = first.value
        span = self.node_span(first)
        inner = Span(span.line, span.column + 1, span.end_line, span.end_column - 1)
        if normalized in ("os.putenv", "os.environ.setdefault"):
            value = None
            if len(node.args) > 1:
                value = self.string_value(node.args[1], name, Origin.ENV, qualname=f"env.{name}")
                if value:
                    self.emit(value)
            self.emit(EnvDef(name, inner, Context.CODE, normalized, value))
            return
        has_default = len(node.args) > 1 or bool(node.keywords)
        self.emit(EnvRead(name, inner, Context.CODE, normalized, has_default))
        if len(node.args) > 1:
            default = self.string_value(node.args[1], name, Origin.DEFAULT, qualname=f"env.{name}")
            if default:
                self.emit(default)

    def _name_read(self, node: ast.AST, how: str, has_default: bool, upper: bool = False) -> None:
        """An EnvRead for a string literal naming a variable (span inside the quotes)."""
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return
        self.bound.add(id(node))
        span = self.node_span(node)
        inner = Span(span.line, span.column + 1, span.end_line, span.end_column - 1)
        name = node.value.upper() if upper else node.value
        self.emit(EnvRead(name, inner, Context.CODE, how, has_default))

    def _decouple_call(self, node: ast.Call) -> None:
        """``config("NAME", default=…)`` of python-decouple."""
        if node.args:
            has_default = len(node.args) > 1 or any(kw.arg == "default" for kw in node.keywords)
            self._name_read(node.args[0], "decouple", has_default)

    # --- pydantic-settings ------------------------------------------------------------

    def _settings_class(self, node: ast.ClassDef) -> None:
        """A ``BaseSettings`` subclass reads each field from the environment.

        The variable is ``env_prefix`` + field name, matched case-insensitively unless
        ``case_sensitive=True`` (so the read is reported upper-cased, how="pydantic-settings");
        ``alias``/``validation_alias``/``env`` on ``Field`` name the variable instead, with no
        prefix. Config comes from class keywords, ``model_config = SettingsConfigDict(...)``
        or a dict, and pydantic v1's inner ``class Config``; subclasses inherit it.
        """
        parent: _SettingsConfig | None = None
        for base in node.bases:
            if self.qualify(base) in _SETTINGS_BASES:
                parent = parent or _SettingsConfig()
            elif isinstance(base, ast.Name) and base.id in self.settings:
                parent = self.settings[base.id]
        if parent is None:
            return
        config = parent.merged(_settings_options(node))
        self.settings[node.name] = config
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                self._settings_field(stmt, stmt.target, config)

    def _settings_field(
        self, stmt: ast.AnnAssign, target: ast.Name, config: _SettingsConfig
    ) -> None:
        name = target.id
        if name.startswith("_") or name == "model_config" or self._is_classvar(stmt.annotation):
            return
        how = "pydantic-settings" if not config.case_sensitive else "pydantic-settings(case)"
        upper = not config.case_sensitive
        has_default = stmt.value is not None
        aliases = self._field_aliases(stmt)
        if aliases:
            for alias in aliases:
                self._name_read(alias, how, has_default, upper=upper)
            return
        env = config.prefix + name
        env = env.upper() if upper else env
        self.emit(EnvRead(env, self.node_span(target), Context.CODE, how, has_default))

    def _is_classvar(self, annotation: ast.AST) -> bool:
        node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
        qual = self.qualify(node) or ""
        return qual.split(".")[-1] == "ClassVar"

    def _field_aliases(self, stmt: ast.AnnAssign) -> list[ast.AST]:
        """The string nodes naming the variable in ``Field(alias=…)`` and friends."""
        calls = [stmt.value] if isinstance(stmt.value, ast.Call) else []
        calls += [n for n in ast.walk(stmt.annotation) if isinstance(n, ast.Call)]
        names: list[ast.AST] = []
        for call in calls:
            assert isinstance(call, ast.Call)
            if (self.qualify(call.func) or "").split(".")[-1] != "Field":
                continue
            for kw in call.keywords:
                if kw.arg in ("validation_alias", "alias", "env"):
                    names.extend(_alias_strings(kw.value, self))
            if names:
                return names
        return names

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._adopt(node, node.value, node.slice)
        if self.qualify(node.value) in ("os.environ", "environ") and not (
            isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
        ):
            writes = isinstance(node.ctx, ast.Store)
            self.emit(EnvDynamic(self.node_span(node), writes=writes))
        if (
            isinstance(node.ctx, ast.Load)
            and self.qualify(node.value) in ("os.environ", "environ")
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            self.bound.add(id(node.slice))
            span = self.node_span(node.slice)
            inner = Span(span.line, span.column + 1, span.end_line, span.end_column - 1)
            self.emit(EnvRead(node.slice.value, inner, Context.CODE, "os.environ[]"))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # Only the outermost chain of an SDK symbol is reported: openai.error.RateLimitError,
        # not also openai.error.
        if isinstance(node.ctx, ast.Load):
            qual = self.qualify(node)
            if qual and qual.split(".")[0] in self.roots:
                self.emit(SdkUse(qual, self.node_span(node), "attribute"))
                # `openai.X.create(model="…").choices`: the call inside the chain still
                # has arguments (and is a use of its own, at the same position).
                inner = node.value
                while isinstance(inner, ast.Attribute):
                    inner = inner.value
                if isinstance(inner, ast.Call):
                    self.visit(inner)
                return
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        for t in types:
            if t is None:
                continue
            qual = self.qualify(t)
            if qual and qual.split(".")[0] in self.roots:
                self.emit(SdkUse(qual, self.node_span(t), "except"))
        for stmt in node.body:
            self.visit(stmt)

    # --- loops (rate-limit rules) ----------------------------------------------------

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While) -> None:
        if self._loops_matter():
            from keylint.extract.python_loops import loop_fact

            fact = loop_fact(node, self.qualify, self.node_span, self.roots)
            if fact is not None:
                self.emit(fact)
        self.generic_visit(node)

    def _loops_matter(self) -> bool:
        """Loop facts serve the rate-limit rules: worth walking loop bodies only in a file
        that imports an SDK or speaks of rate limits (most loops in most files do neither)."""
        if self._loop_text is None:
            lowered = self.file.text.lower()  # `in` tests first: the regex scans slowly
            # the same answer as the regex: its words, and `rate.?limit` only where `limit` is
            self._loop_text = any(w in lowered for w in ("429", "retry", "retries", "backoff")) or (
                "limit" in lowered and bool(_RATE_LIMIT_TEXT.search(lowered))
            )
        return self._loop_text or any(v.split(".")[0] in self.roots for v in self.aliases.values())

    visit_For = visit_AsyncFor = visit_While = _loop

    # --- everything else that is a string --------------------------------------------

    def _docstring(self, body: list[ast.stmt]) -> None:
        if body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.docstrings.add(id(value))

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        # A string standing alone as a statement is a comment written as a string (the
        # triple-quoted blocks in function bodies): prose, like a docstring.
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            self.docstrings.add(id(node.value))
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._docstring(node.body)
        self._settings_class(node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.bound:
            context = Context.PROSE if id(node) in self.docstrings else Context.CODE
            fact = self.string_value(node, None, Origin.LITERAL, context=context)
            if fact:
                self.emit(fact)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        # An f-string's literal parts are not separate facts: one value for the whole string.
        if id(node) not in self.bound:
            fact = self.string_value(node, None, Origin.LITERAL)
            if fact:
                self.emit(fact)
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)


@value_class(frozen=True)
class _SettingsConfig:
    """What decides the variable name of a pydantic-settings field."""

    prefix: str = ""
    case_sensitive: bool = False

    def merged(self, options: dict[str, object]) -> _SettingsConfig:
        prefix = options.get("env_prefix", self.prefix)
        case = options.get("case_sensitive", self.case_sensitive)
        return _SettingsConfig(
            prefix if isinstance(prefix, str) else self.prefix,
            case if isinstance(case, bool) else self.case_sensitive,
        )


def settings_option_pairs(node: ast.ClassDef) -> list[tuple[str | None, ast.AST]]:
    """(option, value node) of a pydantic-settings class, wherever pydantic takes them: class
    keywords, ``model_config = SettingsConfigDict(...)`` or a dict, pydantic v1's ``Config``."""
    pairs: list[tuple[str | None, ast.AST]] = [(kw.arg, kw.value) for kw in node.keywords]
    for stmt in node.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == "model_config" for t in targets):
                value = stmt.value
                if isinstance(value, ast.Call):
                    pairs += [(kw.arg, kw.value) for kw in value.keywords]
                elif isinstance(value, ast.Dict):
                    pairs += [
                        (k.value, v)
                        for k, v in zip(value.keys, value.values, strict=True)
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    ]
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":  # pydantic v1
            for inner in stmt.body:
                if isinstance(inner, ast.Assign):
                    pairs += [(t.id, inner.value) for t in inner.targets if isinstance(t, ast.Name)]
    return pairs


def _settings_options(node: ast.ClassDef) -> dict[str, object]:
    """``env_prefix``/``case_sensitive`` given as constants anywhere pydantic accepts them."""
    options: dict[str, object] = {}
    for key, raw in settings_option_pairs(node):
        if key in ("env_prefix", "case_sensitive") and isinstance(raw, ast.Constant):
            options[key] = raw.value
    return options


def _alias_strings(node: ast.AST, visitor: _Visitor) -> list[ast.AST]:
    """``"X"``, ``["A", "B"]`` (pydantic v1 ``env=``), ``AliasChoices("A", "B")``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if isinstance(node, ast.Call) and (visitor.qualify(node.func) or "").endswith("AliasChoices"):
        return [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return []  # AliasPath and computed names: nested, not a variable name


def string_parts(node: ast.AST) -> tuple[str | None, ...] | None:
    """A string expression as literal pieces (str) and dynamic pieces (None).

    ``"Bearer " + key`` → ``("Bearer ", None)``; ``f"Bearer {key}"`` → ``("Bearer ", None)``;
    anything that is not built from strings → None.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.JoinedStr):
        parts: list[str | None] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append(None)
        return tuple(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = string_parts(node.left)
        right = string_parts(node.right)
        if left is None and right is None:
            return None
        return (left or (None,)) + (right or (None,))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = string_parts(node.left)
        if left is not None and all(p is not None for p in left):
            return (*left, None)  # "Bearer %s" % key: formatted, dynamic
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return (node.func.value.value.split("{", 1)[0], None)
    return None


def _looks_like_template(text: str) -> bool:
    """``"Bearer {key}"``: a str.format/f-string marker in a plain string."""
    start = text.find("{")
    if start < 0:
        return False
    end = text.find("}", start)
    inner = text[start + 1 : end] if end > start else ""
    return (
        bool(inner)
        and inner.replace("_", "").replace(".", "").isalnum()
        and not (text.startswith("{{") or text[start - 1 : start] == "$")
    )


def iter_strings(tree: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node
