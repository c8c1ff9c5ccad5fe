"""The openai 0.x → 1.x migration (an unsafe fix of KL601, KL602 and KL603), with libcst.

What it rewrites, all from the ``sdk:`` data of rules/providers/openai.yaml where the data
says it (resources, exception names, ``engine`` → ``model``, ``api_base`` → ``base_url``):

- ``openai.ChatCompletion.create(...)`` → ``client.chat.completions.create(...)`` (and
  Completion, Embedding, Image → ``images.generate``, Moderation, Model, Engine, File,
  FineTuningJob, Audio ``transcribe``/``translate``); ``acreate`` → an ``AsyncOpenAI``
  client. ``client = OpenAI(...)`` is created once at module level, after the imports and
  the module-level ``openai.api_key``/``api_base``/``organization`` assignments it absorbs
  as arguments; assignments elsewhere become ``client.api_key = ...``.
- ``engine=`` → ``model=`` on the migrated calls.
- ``openai.error.X`` → the 1.x exception (``InvalidRequestError`` → ``BadRequestError``,
  ``Timeout`` → ``APITimeoutError``, ``ServiceUnavailableError`` → ``InternalServerError``;
  the others keep their name), ``from openai.error import X`` likewise (``as X`` keeps the
  local name), and the names a hand migration gets wrong (``except openai.Timeout``).
- ``response["choices"][0]["message"]["content"]`` → ``response.choices[0].message.content``
  where the shape is certain: the value is a migrated non-streaming call, directly or through
  a name assigned exactly once, from that call, in the same function.

Files that configure Azure (``openai.api_type``) are left alone: they need ``AzureOpenAI``.
Calls it does not know (``openai.FineTune``, ``openai.Edit``: APIs that are gone) are left
for the user; the re-lint reports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from keylint.findings import Finding
from keylint.fix.openai_table import Mapping_, mapping, method_path
from keylint.fix.transforms import Outcome, TransformContext

# Fields of the openai 1.x response models (pydantic) that 0.x code read as dict keys.
_FIELDS = frozenset(
    {
        "choices",
        "message",
        "content",
        "text",
        "data",
        "embedding",
        "usage",
        "total_tokens",
        "prompt_tokens",
        "completion_tokens",
        "url",
        "b64_json",
        "revised_prompt",
        "role",
        "finish_reason",
        "delta",
        "index",
        "function_call",
        "tool_calls",
        "arguments",
        "name",
        "id",
        "model",
        "object",
        "created",
        "results",
        "flagged",
        "categories",
        "category_scores",
        "logprobs",
    }
)


def migrate(
    path: str, text: str, findings: Sequence[Finding], context: TransformContext
) -> Outcome:
    import libcst as cst

    table = _only_reported(mapping(context.provider_db), {f.rule for f in findings})
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return Outcome(None, "openai-v1 fix skipped: libcst cannot parse the file")
    _index_children(module)
    try:
        survey = _Survey(table)
        survey.visit(module)
        if survey.azure:
            return Outcome(
                None,
                "openai 1.x migration skipped: the file configures Azure (`openai.api_type`); "
                "migrate it to AzureOpenAI by hand",
            )
        new = module.visit(_make_transformer()(table, survey, module))
    finally:
        _KIDS.clear()
    return Outcome(new.code)


def _only_reported(table: Mapping_, rules: set[str]) -> Mapping_:
    """Rewrite only what the reported findings are about: KL601 the removed API, KL602 the
    removed keyword arguments, KL603 the wrong names (``--select KL603`` migrates no call)."""
    if "KL601" not in rules:
        table.resources, table.errors, table.error_rest = {}, {}, False
        table.config = {}
    if "KL602" not in rules and "KL601" not in rules:
        table.kwargs = {}
    if "KL603" not in rules:
        table.remaps = {}
    return table


# --- analysis ------------------------------------------------------------------------------


def dotted(node: Any) -> str | None:
    import libcst as cst

    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _kwarg(call: Any, name: str) -> Any | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _streams(call: Any) -> bool:
    import libcst as cst

    value = _kwarg(call, "stream")
    return value is not None and not (isinstance(value, cst.Name) and value.value == "False")


class _Survey:
    """One read-only pass: the openai alias, what needs a client, where to create it, and the
    names whose value is certainly a migrated response."""

    def __init__(self, table: Mapping_) -> None:
        import libcst as cst

        self.cst = cst
        self.table = table
        self.alias: str | None = None
        self.azure = False
        self.need_sync = False
        self.need_async = False
        self.names: set[str] = set()
        self.has_os = False
        self.has_openai_class: set[str] = set()
        self.folded: dict[int, tuple[str, Any]] = {}  # stmt index → (1.x kwarg, value)
        self.unfolded_key = False
        self.insert_at = 0
        # id(FunctionDef or Module) → names certainly holding a migrated response
        self.certain: dict[int, set[str]] = {}

    def visit(self, module: Any) -> None:
        cst = self.cst
        for node in _walk(module):
            if isinstance(node, cst.Name):
                self.names.add(node.value)
            elif isinstance(node, cst.Import):
                for alias in node.names:
                    name = dotted(alias.name)
                    if name == "openai" and self.alias is None:
                        self.alias = alias.asname.name.value if alias.asname else "openai"
                    if name == "os" and alias.asname is None:
                        self.has_os = True
            elif (
                isinstance(node, cst.ImportFrom)
                and dotted(node.module) == "openai"
                and not isinstance(node.names, cst.ImportStar)
            ):
                for alias in node.names:
                    if alias.asname is None:
                        self.has_openai_class.add(dotted(alias.name) or "")
        if self.alias is None:
            return
        for node in _walk(module):
            if isinstance(node, cst.Attribute) and dotted(node) == f"{self.alias}.api_type":
                self.azure = True
            if isinstance(node, cst.Attribute):  # called or not: `fn = openai.X.create`
                target = self.attr_target(node)
                if target is not None:
                    if target[1]:
                        self.need_async = True
                    else:
                        self.need_sync = True
        self._placement(module)
        self._certain(module, module)

    def call_target(self, call: Any) -> tuple[str, bool] | None:
        return self.attr_target(call.func)

    def attr_target(self, node: Any) -> tuple[str, bool] | None:
        """(1.x path below the client, async?) for ``openai.<Resource>.<method>``."""
        name = dotted(node)
        if not name or self.alias is None:
            return None
        parts = name.split(".")
        if len(parts) != 3 or parts[0] != self.alias or parts[1] not in self.table.resources:
            return None
        return method_path(parts[1], parts[2], self.table)

    def config_attr(self, stmt: Any) -> tuple[str, Any] | None:
        """``openai.api_key = value`` as a statement: (1.x kwarg, value)."""
        cst = self.cst
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            return None
        assign = stmt.body[0]
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            return None
        name = dotted(assign.targets[0].target)
        if not name or not name.startswith(f"{self.alias}."):
            return None
        attr = name.split(".", 1)[1]
        if attr not in self.table.config:
            return None
        return self.table.config[attr], assign.value

    def _placement(self, module: Any) -> None:
        cst = self.cst
        if not (self.need_sync or self.need_async):
            return
        body = module.body
        first_use = len(body)
        for i, stmt in enumerate(body):
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            if self.config_attr(stmt) is None and self._uses_client(stmt):
                first_use = i
                break
        after = 0
        for i, stmt in enumerate(body[:first_use]):
            if _is_import(stmt) or self.config_attr(stmt) or _is_setup_call(stmt):
                after = i + 1
        self.insert_at = after
        for i, stmt in enumerate(body[:after]):
            found = self.config_attr(stmt)
            if found is not None:
                self.folded[i] = found
        for node in _walk(module):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    if dotted(target.target) == f"{self.alias}.api_key" and not any(
                        node is _assign_of(body[i]) for i in self.folded
                    ):
                        self.unfolded_key = True

    def _uses_client(self, stmt: Any) -> bool:
        cst = self.cst
        for node in _walk(stmt):
            if isinstance(node, cst.Attribute) and self.attr_target(node) is not None:
                return True
            if isinstance(node, cst.Attribute):
                name = dotted(node) or ""
                if (
                    name.split(".")[:1] == [self.alias]
                    and name.split(".")[1:2]
                    and (name.split(".")[1] in self.table.config)
                ):
                    return True
        return False

    def _certain(self, scope: Any, module: Any) -> None:
        """Names bound exactly once in ``scope`` to a migrated response: ``r = create(...)``,
        a chunk of a streamed one (``for c in create(..., stream=True)``), or a part of
        one (``delta = chunk["choices"][0]["delta"]``)."""
        cst = self.cst
        counts: dict[str, int] = {}
        values: dict[str, tuple[str, Any]] = {}
        for node in _walk_scope(scope):
            for name, value, kind in _bindings(node, cst):
                counts[name] = counts.get(name, 0) + 1
                if value is not None:
                    values[name] = (kind, value)
            if isinstance(node, cst.FunctionDef) and node is not scope:
                self._certain(node, module)
        once = [n for n, c in counts.items() if c == 1 and n in values]
        good: set[str] = set()
        streams: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name in once:
                if name in good or name in streams:
                    continue
                kind, value = values[name]
                found = self._classify(kind, value, good, streams)
                if found == "response":
                    good.add(name)
                elif found == "stream":
                    streams.add(name)
                changed = changed or found is not None
        self.certain[id(scope)] = good

    def _classify(self, kind: str, value: Any, good: set[str], streams: set[str]) -> str | None:
        cst = self.cst
        if isinstance(value, cst.Await):
            value = value.expression
        migrated = isinstance(value, cst.Call) and self.call_target(value) is not None
        if kind == "for":
            if (isinstance(value, cst.Name) and value.value in streams) or (
                migrated and _streams(value)
            ):
                return "response"  # a chunk
            return None
        if migrated:
            return "stream" if _streams(value) else "response"
        root = _chain_root(value)
        if root is not None and root is not value and root.value in good:
            return "response"
        return None

    def _certain_value(self, value: Any) -> bool:
        cst = self.cst
        if isinstance(value, cst.Await):
            value = value.expression
        return (
            isinstance(value, cst.Call)
            and self.call_target(value) is not None
            and not _streams(value)
        )


def _assign_of(stmt: Any) -> Any:
    body = getattr(stmt, "body", None)
    return body[0] if isinstance(body, Sequence) and body else None


def _is_import(stmt: Any) -> bool:
    import libcst as cst

    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _is_setup_call(stmt: Any) -> bool:
    """``load_dotenv()`` and its kin: the environment the client reads is set up here."""
    import libcst as cst

    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    expr = stmt.body[0]
    call = expr.value if isinstance(expr, cst.Expr) else None
    name = dotted(call.func) if isinstance(call, cst.Call) else None
    return bool(name and "dotenv" in name.split(".")[-1])


# id(node) → children, for the module being migrated: libcst computes `.children` anew on
# every access (a visit), which made the analysis quadratic-ish on 600-line files.
_KIDS: dict[int, list[Any]] = {}


def _index_children(module: Any) -> None:
    import libcst as cst

    _KIDS.clear()
    stack: list[list[Any]] = [[]]

    class Indexer(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            stack[-1].append(node)
            stack.append([])
            return True

        def on_leave(self, original_node: cst.CSTNode) -> None:
            _KIDS[id(original_node)] = stack.pop()

    module.visit(Indexer())


def _children(node: Any) -> list[Any]:
    kids = _KIDS.get(id(node))
    return kids if kids is not None else list(node.children)


def _walk(node: Any) -> Any:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(_children(current)))


def _walk_scope(scope: Any) -> Any:
    """The nodes of one function (or the module) and the heads of nested functions."""
    import libcst as cst

    for child in _children(scope):
        yield child
        if isinstance(child, (cst.FunctionDef, cst.Lambda)):
            continue
        yield from _walk_scope(child)


def _bindings(node: Any, cst: Any) -> list[tuple[str, Any, str]]:
    """Names a node binds: (name, value or None, how): the value of a plain ``name = value``
    ("assign"), the iterable of ``for name in ...`` ("for")."""
    out: list[tuple[str, Any, str]] = []
    if isinstance(node, cst.Assign):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                single = len(node.targets) == 1
                out.append((target.target.value, node.value if single else None, "assign"))
            else:
                out.extend(
                    (n.value, None, "") for n in _walk(target.target) if isinstance(n, cst.Name)
                )
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign)) and isinstance(node.target, cst.Name):
        value = node.value if isinstance(node, cst.AnnAssign) else None
        out.append((node.target.value, value, "assign"))
    elif isinstance(node, (cst.For, cst.CompFor)):
        if isinstance(node.target, cst.Name):
            out.append((node.target.value, node.iter, "for"))
        else:
            out.extend((n.value, None, "") for n in _walk(node.target) if isinstance(n, cst.Name))
    elif isinstance(node, cst.AsName) and isinstance(node.name, cst.Name):
        out.append((node.name.value, None, ""))
    elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
        out.append((node.target.value, None, ""))
    elif isinstance(node, (cst.Global, cst.Nonlocal)):
        # bound elsewhere too: counted twice, so never "assigned exactly once"
        out.extend((n.name.value, None, "") for n in (*node.names, *node.names))
    elif isinstance(node, cst.Param):
        out.append((node.name.value, None, ""))
    return out


def _chain_root(node: Any) -> Any:
    """The Name under ``x["a"][0].b`` (subscripts by literals and attributes only), or None."""
    import libcst as cst

    while isinstance(node, (cst.Subscript, cst.Attribute)):
        if isinstance(node, cst.Subscript) and not _plain_index(node):
            return None
        node = node.value
    return node if isinstance(node, cst.Name) else None


# --- rewriting -----------------------------------------------------------------------------


def _fresh(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    name = f"openai_{base}"
    while name in taken:
        name += "_"
    return name


def _make_transformer() -> type:
    """The libcst transformer class (built lazily: libcst is imported only when fixing)."""
    import libcst as cst

    class Migrator(cst.CSTTransformer):
        def __init__(self, table: Mapping_, survey: _Survey, module: Any) -> None:
            super().__init__()
            self.table = table
            self.survey = survey
            self.alias = survey.alias
            self.client = _fresh("client", survey.names)
            self.aclient = _fresh("aclient", survey.names)
            self.uses_client = survey.need_sync or survey.need_async
            self.scopes: list[set[str]] = [survey.certain.get(id(module), set())]
            self.top_level = {id(stmt) for stmt in module.body}
            self.to_split: set[int] = set()

        # scopes: which names hold a migrated response here
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            self.scopes.append(self.survey.certain.get(id(node), set()))
            return True

        def leave_FunctionDef(
            self, original: cst.FunctionDef, updated: cst.FunctionDef
        ) -> cst.FunctionDef:
            self.scopes.pop()
            return updated

        def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
            return True

        def leave_ExceptHandler(
            self, original: cst.ExceptHandler, updated: cst.ExceptHandler
        ) -> cst.ExceptHandler:
            if updated.type is None:
                return updated
            return updated.with_changes(type=self._except_type(updated.type))

        def _except_type(self, node: Any) -> Any:
            if isinstance(node, cst.Tuple):
                elements = [e.with_changes(value=self._except_type(e.value)) for e in node.elements]
                return node.with_changes(elements=elements)
            name = dotted(node)
            if name and self.alias and name.startswith(f"{self.alias}."):
                rest = name.split(".", 1)[1]
                remap = self.table.remaps.get(rest)
                if remap and "except" in remap[1]:
                    return cst.Attribute(cst.Name(self.alias), cst.Name(remap[0]))
            return node

        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> Any:
            if self.alias is None:
                return updated
            name = dotted(original)
            if not name or not name.startswith(f"{self.alias}."):
                return updated
            parts = name.split(".")
            if len(parts) == 3 and parts[1] == "error":
                new = self._error_name(parts[2])
                if new:
                    return cst.Attribute(cst.Name(self.alias), cst.Name(new))
                return updated
            if len(parts) == 2 and parts[1] in self.table.config:
                attr = self.table.config[parts[1]]
                if self.uses_client:
                    return cst.Attribute(cst.Name(self.client), cst.Name(attr))
                return updated.with_changes(attr=cst.Name(attr))
            if len(parts) == 2:
                remap = self.table.remaps.get(parts[1])
                if remap and remap[1] & {"attribute", "import"}:
                    return updated.with_changes(attr=cst.Name(remap[0]))
            if len(parts) == 3 and parts[1] in self.table.resources:
                target = method_path(parts[1], parts[2], self.table)
                if target is not None:
                    client = self.aclient if target[1] else self.client
                    return cst.parse_expression(f"{client}.{target[0]}")
            return updated

        def _error_name(self, name: str) -> str | None:
            if name in self.table.errors:
                return self.table.errors[name]
            return name if self.table.error_rest else None

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> Any:
            target = self.survey.call_target(original)
            if target is None:
                got = self._get(original, updated)
                return updated if got is None else got
            args = []
            positional = ["model", "file"] if target[0].startswith("audio.") else []
            for arg in updated.args:
                if arg.keyword is not None and arg.keyword.value in self.table.kwargs:
                    arg = arg.with_changes(keyword=cst.Name(self.table.kwargs[arg.keyword.value]))
                elif arg.keyword is None and not arg.star and positional:
                    arg = arg.with_changes(
                        keyword=cst.Name(positional.pop(0)),
                        equal=cst.AssignEqual(
                            whitespace_before=cst.SimpleWhitespace(""),
                            whitespace_after=cst.SimpleWhitespace(""),
                        ),
                    )
                args.append(arg)
            return updated.with_changes(args=args)

        def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> Any:
            if len(updated.slice) != 1:
                return updated
            index = updated.slice[0].slice
            if not isinstance(index, cst.Index) or not isinstance(index.value, cst.SimpleString):
                return updated
            key = index.value.evaluated_value
            if not isinstance(key, str) or key not in _FIELDS or not self._certain_root(original):
                return updated
            return cst.Attribute(value=updated.value, attr=cst.Name(key))

        def _certain_root(self, node: Any) -> bool:
            """Is the object ``node`` subscripts (or reads an attribute of) a response?"""
            return self._certain_expr(node.value)

        def _certain_expr(self, node: Any) -> bool:
            while isinstance(node, (cst.Subscript, cst.Attribute)):
                if isinstance(node, cst.Subscript) and not _plain_index(node):
                    return False
                node = node.value
            if isinstance(node, cst.Name):
                return node.value in self.scopes[-1]
            if isinstance(node, cst.Call):
                return self.survey._certain_value(node)
            return False

        def _get(self, original: cst.Call, updated: cst.Call) -> Any:
            """``part.get("content", "")`` on a response → ``(part.content or "")``; with no
            default or ``None``, ``part.content`` (the 1.x models have every field)."""
            func = original.func
            if not isinstance(func, cst.Attribute) or func.attr.value != "get":
                return None
            if not 1 <= len(original.args) <= 2 or any(a.keyword for a in original.args):
                return None
            key = original.args[0].value
            if not isinstance(key, cst.SimpleString) or key.evaluated_value not in _FIELDS:
                return None
            if not self._certain_expr(func.value):
                return None
            assert isinstance(updated.func, cst.Attribute)
            field = cst.Attribute(value=updated.func.value, attr=cst.Name(str(key.evaluated_value)))
            if len(original.args) == 1:
                return field
            default = updated.args[1].value
            if isinstance(default, cst.Name) and default.value == "None":
                return field
            if isinstance(default, cst.SimpleString) and default.evaluated_value == "":
                return cst.BooleanOperation(
                    left=field,
                    operator=cst.Or(),
                    right=default,
                    lpar=[cst.LeftParen()],
                    rpar=[cst.RightParen()],
                )
            return None

        def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> Any:
            if original.module is None or dotted(original.module) != "openai.error":
                return updated
            if isinstance(updated.names, cst.ImportStar):
                return updated
            names = []
            gone = []
            for alias in updated.names:
                old = dotted(alias.name) or ""
                new = self._error_name(old)
                if new is None:
                    gone.append(alias)
                    continue  # a name that is gone: it stays, reported, for the user
                if new != old and alias.asname is None:
                    alias = alias.with_changes(
                        name=cst.Name(new), asname=cst.AsName(name=cst.Name(old))
                    )
                else:
                    alias = alias.with_changes(name=cst.Name(new))
                names.append(alias)
            if not names:
                return updated
            bare = _last_bare if not updated.lpar else list  # a trailing comma is fine in ()
            moved = updated.with_changes(module=cst.Name("openai"), names=bare(names))
            if not gone:
                return moved
            # the names that are gone stay in their own statement (split in the line below)
            return cst.FlattenSentinel([moved, updated.with_changes(names=bare(gone))])

        def leave_SimpleStatementLine(
            self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
        ) -> Any:
            if len(updated.body) < 2 or len(original.body) != 1:
                return updated
            if id(original) in self.top_level:
                # split in leave_Module: the module's statement indices must not move yet
                self.to_split.add(id(updated))
                return updated
            return cst.FlattenSentinel(_split(updated))

        def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
            done = self._with_client(updated)
            if not self.to_split:
                return done
            body: list[Any] = []
            for stmt in done.body:
                body.extend(_split(stmt) if id(stmt) in self.to_split else [stmt])
            return done.with_changes(body=body)

        def _with_client(self, updated: cst.Module) -> cst.Module:
            if not self.uses_client:
                return updated
            survey = self.survey
            body = list(updated.body)
            kwargs: dict[str, Any] = {}
            for i in sorted(survey.folded):
                kwarg, value = survey.folded[i]
                kwargs[kwarg] = value
            if "api_key" not in kwargs and survey.unfolded_key:
                # 0.x read the key from the environment at import and let code set it later:
                # the same here, without failing at import when it is not set yet.
                kwargs["api_key"] = cst.parse_expression(
                    f'os.environ.get("{self.table.key_env}", "")'
                )
            new_lines: list[cst.BaseStatement] = []
            classes = []
            if survey.need_sync:
                classes.append(("OpenAI", self.client))
            if survey.need_async:
                classes.append(("AsyncOpenAI", self.aclient))
            for cls, var in classes:
                call = cst.Call(
                    func=cst.Name(cls),
                    args=[
                        cst.Arg(
                            keyword=cst.Name(k),
                            value=v,
                            equal=cst.AssignEqual(
                                whitespace_before=cst.SimpleWhitespace(""),
                                whitespace_after=cst.SimpleWhitespace(""),
                            ),
                        )
                        for k, v in kwargs.items()
                    ],
                )
                new_lines.append(
                    cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(var))], call)])
                )
            at = survey.insert_at
            if new_lines:
                # the blank lines that stood before the first absorbed assignment, or one
                new_lines[0] = new_lines[0].with_changes(leading_lines=self._leading(body, at))
            kept: list[cst.BaseStatement] = []
            for i, stmt in enumerate(body):
                if i == at:
                    kept.extend(new_lines)
                if i in survey.folded:
                    continue
                kept.append(stmt)
            if at >= len(body):
                kept.extend(new_lines)
            imports = [c for c, _ in classes if c not in survey.has_openai_class]
            header: list[cst.BaseStatement] = []
            if imports:
                header.append(cst.parse_statement(f"from openai import {', '.join(imports)}\n"))
            if "api_key" in kwargs and _needs_os(kwargs["api_key"]) and not survey.has_os:
                header.insert(0, cst.parse_statement("import os\n"))
            if header:
                where = self._import_position(kept)
                kept[where:where] = header
            return updated.with_changes(body=kept)

        def _leading(self, body: list[Any], at: int) -> Any:
            """The blank lines and comments of the first absorbed assignment, else one blank
            line (the next statement keeps its own comments)."""
            folded = sorted(self.survey.folded)
            if folded:
                return body[folded[0]].leading_lines
            return [cst.EmptyLine()] if at else []

        def _import_position(self, body: list[Any]) -> int:
            """Right after the statement that imports openai, else after the first imports."""
            for i, stmt in enumerate(body):
                if _is_import(stmt) and any(
                    isinstance(s, cst.Import) and any(dotted(a.name) == "openai" for a in s.names)
                    for s in stmt.body
                ):
                    return i + 1
            last = 0
            for i, stmt in enumerate(body):
                if _is_import(stmt):
                    last = i + 1
                elif last:
                    break
            return last

    return Migrator


def _last_bare(names: list[Any]) -> list[Any]:
    """An import's names with no comma after the last one (it may have been in the middle)."""
    import libcst as cst

    return [*names[:-1], names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]


def _split(line: Any) -> list[Any]:
    """``a; b`` (made by splitting an import) → two lines, the first keeping the comments."""
    import libcst as cst

    first, *rest = line.body
    lines = [line.with_changes(body=[_no_semicolon(first)])]
    lines.extend(cst.SimpleStatementLine(body=[_no_semicolon(small)]) for small in rest)
    return lines


def _no_semicolon(small: Any) -> Any:
    import libcst as cst

    return small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)


def _plain_index(node: Any) -> bool:
    """``x[0]`` or ``x["name"]``: a subscript by a literal (safe to read through)."""
    import libcst as cst

    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return False
    return isinstance(node.slice[0].slice.value, (cst.Integer, cst.SimpleString))


def _needs_os(value: Any) -> bool:
    return any(getattr(n, "value", None) == "os" for n in _walk(value))
