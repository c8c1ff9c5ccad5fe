"""The fixes rules attach to their findings, built here so the rule modules stay small.

Every producer checks that the file's text at the span is what it expects before it offers
an edit: a fix is computed on the exact text that was checked, or not offered at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from keylint.facts import Header, Span
from keylint.findings import Fix
from keylint.source import FileKind, SourceFile

if TYPE_CHECKING:
    from keylint.checks.base import FileContext

_FORMAT_FIELD = re.compile(r"\{[A-Za-z_]\w*(?:\.\w+)*\}")


def span_text(file: SourceFile, span: Span) -> str | None:
    try:
        start = file.offset(span.line, span.column)
        end = file.offset(span.end_line, span.end_column)
    except (IndexError, ValueError):
        return None
    return file.text[start:end] if 0 <= start <= end <= len(file.text) else None


def _point(file: SourceFile, offset: int, length: int = 0) -> Span:
    return file.span(offset, offset + length)


def _offset(file: SourceFile, span: Span) -> int | None:
    try:
        return file.offset(span.line, span.column)
    except (IndexError, ValueError):
        return None


# --- KL403 ----------------------------------------------------------------------------------


def https(file: SourceFile, url_span: Span) -> Fix | None:
    """``http://provider-host`` → ``https://``: the span starts at the URL's scheme."""
    start = _offset(file, url_span)
    if start is None or file.text[start : start + 7].lower() != "http://":
        return None
    return Fix(_point(file, start, 4), "https", "use https://")


# --- KL503 / KL505 --------------------------------------------------------------------------

_BEARER = re.compile(r"(\s*)(bearer)(\s*:\s*|(?: {2,}|\t)\s*|)", re.IGNORECASE)


def bearer(file: SourceFile, header: Header, value_start: Span) -> Fix | None:
    """``Bearer:`` → ``Bearer``, ``"Bearer" + key`` → ``"Bearer " + key``, one space after.

    ``value_start`` is where the value's text starts in the file (inside the quotes); the fix
    is offered only when the file's text there is the literal's first part, as written.
    """
    first = header.parts[0] if header.parts else None
    if not isinstance(first, str):
        return None
    m = _BEARER.match(first)
    if not m:
        return None
    start = _offset(file, value_start)
    if start is None or not file.text.startswith(m.group(0), start):
        return None  # escapes or a line break: the literal is not the text
    after = first[m.end() :]
    if m.group(3):  # a colon or extra blanks: exactly one space
        edit_start = start + m.end(2)
        return Fix(_point(file, edit_start, len(m.group(3))), " ", "write `Bearer <key>`")
    if after.startswith(" "):
        return None
    if after == "" and len(header.parts) > 1 and header.parts[1] is None:
        # "Bearer" + key: the space goes inside the literal, before its closing quote
        return Fix(_point(file, start + m.end(2)), " ", "add the space after `Bearer`")
    if after and not after[0].isspace():
        return Fix(_point(file, start + m.end(2)), " ", "add the space after `Bearer`")
    return None


def fstring(ctx: FileContext, header: Header) -> Fix | None:
    """A never-formatted Python ``"Bearer {key}"`` → ``f"Bearer {key}"``.

    Safe when every name in the braces is bound where the string is (the function, an
    enclosing one, the module, builtins); else unsafe: the f-string would raise NameError.
    """
    file = ctx.file
    if file.kind is not FileKind.PYTHON or not header.how.startswith("python"):
        return None
    if len(header.parts) != 1 or not isinstance(header.parts[0], str):
        return None
    literal = header.parts[0]
    fields = _FORMAT_FIELD.findall(literal)
    if not fields or literal.count("{") != len(fields) or literal.count("}") != len(fields):
        return None
    start = _offset(file, header.value_span)
    if start is None:
        return None
    text = file.text
    if text[start : start + 1] not in ("'", '"') or not text.startswith(literal, start + 1):
        return None  # a prefix (r"", b"") or escapes: leave it to the user
    names = {f.strip("{}").split(".")[0] for f in fields}
    bound = _bound_names(ctx, header.value_span.line)
    if bound is not None and names <= bound:
        return Fix(_point(file, start), "f", "make it an f-string")
    return Fix(
        _point(file, start), "f", "make it an f-string (a name in it is not bound here)", "unsafe"
    )


def _bound_names(ctx: FileContext, line: int) -> set[str] | None:
    """Names bound at ``line``: in the functions around it, the module, builtins."""
    import ast
    import builtins

    tree = ctx.cache.get("fix:ast")
    if tree is None:
        try:
            tree = ast.parse(ctx.file.text)
        except (SyntaxError, ValueError):
            return None
        ctx.cache["fix:ast"] = tree
    scopes: list[ast.AST] = [tree]
    node: ast.AST = tree
    while True:
        inner = [
            child
            for child in ast.walk(node)
            if child is not node
            and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            and child.lineno <= line <= (child.end_lineno or child.lineno)
        ]
        if not inner:
            break
        node = min(inner, key=lambda n: (n.end_lineno or n.lineno) - n.lineno)
        scopes.append(node)
    names = set(dir(builtins))
    for scope in scopes:
        names |= _binds(scope)
    return names


def _binds(scope: object) -> set[str]:
    import ast

    out: set[str] = set()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = scope.args
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
            if arg is not None:
                out.add(arg.arg)
    stack = list(ast.iter_child_nodes(scope))  # type: ignore[arg-type]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
            continue  # their insides are their own scope
        elif isinstance(node, ast.Lambda):
            continue
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return out


def double_quotes(file: SourceFile, header: Header) -> Fix | None:
    """A shell ``-H 'Authorization: Bearer $KEY'`` → double quotes, so ``$KEY`` expands;
    only when nothing else inside changes meaning between double quotes."""
    start = _offset(file, header.name_span)
    end = _offset(file, Span(header.value_span.end_line, header.value_span.end_column, 0, 0))
    if start is None or end is None or start == 0:
        return None
    text = file.text
    inner = text[start:end]
    if text[start - 1] != "'" or text[end : end + 1] != "'" or "\n" in inner:
        return None
    if any(c in inner for c in '"\\`!') or "$(" in inner:
        return None
    return Fix(
        _point(file, start - 1, 1),
        '"',
        "use double quotes so the shell expands the variable",
        edits=((file.path, _point(file, end, 1), '"'),),
    )


# --- KL701 ----------------------------------------------------------------------------------


def dotenv_equals(file: SourceFile, eq: int) -> Fix | None:
    """``KEY = value`` → ``KEY=value``: the blanks around the ``=`` on its line."""
    text = file.text
    if text[eq : eq + 1] != "=":
        return None
    start = eq
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    end = eq + 1
    while end < len(text) and text[end] in " \t":
        end += 1
    if (start, end) == (eq, eq + 1):
        return None
    return Fix(file.span(start, end), "=", "remove the blanks around `=`")


# --- KL451 ----------------------------------------------------------------------------------


def model(file: SourceFile, span: Span, old: str, new: str) -> Fix | None:
    """The data's replacement for a retired model; not inside a URL path
    (``/v1/engines/davinci/completions``): that endpoint is gone too (KL401)."""
    if not new or not re.fullmatch(r"[\w.:/-]+", new) or span_text(file, span) != old:
        return None
    start = _offset(file, span)
    end = start + len(old) if start is not None else None
    if (
        start is None
        or end is None
        or "/" in (file.text[start - 1 : start], file.text[end : end + 1])
    ):
        return None
    return Fix(span, new, f"use `{new}`", "unsafe")


# --- KL214 ----------------------------------------------------------------------------------


def typographic(path: str, spots: Sequence[tuple[Span, str]], *, description: str) -> Fix | None:
    """Every typographic (KL214) or invisible (KL213) character of one key at once, so a
    second --fix has nothing left: safe when all are removed (quotes that wrapped the key,
    zero-width characters), unsafe when one is replaced (a dash: check the key)."""
    if not spots:
        return None
    (span, replacement), *rest = spots
    safe = all(r == "" for _, r in spots)
    return Fix(
        span,
        replacement,
        description,
        "safe" if safe else "unsafe",
        edits=tuple((path, s, r) for s, r in rest),
    )


# --- KL302 ----------------------------------------------------------------------------------


def env_rename(
    name: str,
    new: str,
    span: Span,
    path: str,
    others: Iterable[tuple[str, Span]],
    file: SourceFile,
) -> Fix | None:
    """Rename a variable here and at every other read or definition of it (other files)."""
    if span_text(file, span) != name:
        return None
    edits = tuple((p, s, new) for p, s in others if (p, s) != (path, span))
    return Fix(span, new, f"rename to `{new}` (everywhere)", edits=edits)


# --- KL101, KL6xx: whole-file transforms ----------------------------------------------------


def move_key(ctx: FileContext, span: Span, env_name: str | None) -> Fix | None:
    if ctx.file.kind is not FileKind.PYTHON or not env_name:
        return None
    return Fix(
        span,
        "",
        f'read it from os.environ["{env_name}"], the key moved to .env',
        "unsafe",
        transform="move-key",
    )


def openai_v1(ctx: FileContext, span: Span, symbol: str) -> Fix | None:
    if ctx.file.kind is not FileKind.PYTHON:
        return None
    from keylint.fix.openai_table import migratable

    if not migratable(symbol, ctx.db):
        return None
    return Fix(span, "", "migrate to openai 1.x", "unsafe", transform="openai-v1")


def renamed_kwarg(file: SourceFile, span: Span, old: str, new: str) -> Fix | None:
    if not new or not new.isidentifier() or span_text(file, span) != old:
        return None
    return Fix(span, new, f"pass `{new}=`", "unsafe")
