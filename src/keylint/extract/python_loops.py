"""Loops of Python code, for the rate-limit rules (KL80x): syntax only.

Called by the Python extractor's visitor at each ``for``/``while``, so names resolve
through the imports and client bindings seen so far (``client = OpenAI()`` makes
``client.chat.completions.create`` an ``openai.OpenAI().chat.completions.create`` call).
Nested function and class bodies are not part of the loop.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence

from keylint.facts import Handler, Loop, Span

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_EXITS = (ast.Raise, ast.Return, ast.Break)


def _walk(nodes: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node under ``nodes``, not entering nested scopes."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _ends(body: list[ast.stmt]) -> str:
    last = body[-1] if body else None
    kinds = {ast.Raise: "raise", ast.Return: "return", ast.Break: "break", ast.Continue: "continue"}
    return next((v for k, v in kinds.items() if isinstance(last, k)), "")


def _infinite(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.While)
        and isinstance(node.test, ast.Constant)
        and bool(node.test.value)
    )


def loop_fact(
    node: ast.For | ast.AsyncFor | ast.While,
    qualify: Callable[[ast.AST], str | None],
    span: Callable[[ast.AST], Span],
    roots: frozenset[str],
) -> Loop | None:
    """The loop as a fact, or None when it neither calls an SDK nor catches anything."""
    body: list[ast.stmt] = [*node.body]
    calls: list[tuple[str, Span]] = []
    handlers: list[Handler] = []
    in_handler: set[int] = set()
    guarded = False
    for inner in _walk(body):
        if isinstance(inner, ast.ExceptHandler):
            handlers.append(_handler(inner, qualify, span))
            in_handler.update(id(n) for n in _walk([inner]))
        elif isinstance(inner, ast.Call):
            callee = qualify(inner.func)
            if callee:
                calls.append((callee, span(inner.func)))
        elif isinstance(inner, ast.If) and id(inner) not in in_handler:
            guarded = guarded or any(isinstance(n, _EXITS) for n in _walk([*inner.body]))
    if not handlers and not any(c.split(".")[0] in roots for c, _ in calls):
        return None
    whole = span(node)
    keyword = (
        "while"
        if isinstance(node, ast.While)
        else "async for"
        if isinstance(node, ast.AsyncFor)
        else "for"
    )
    return Loop(
        span=whole,
        keyword=Span.point(whole.line, whole.column, len(keyword)),
        infinite=_infinite(node),
        calls=tuple(calls),
        handlers=tuple(handlers),
        guarded_exit=guarded,
    )


def _handler(
    node: ast.ExceptHandler,
    qualify: Callable[[ast.AST], str | None],
    span: Callable[[ast.AST], Span],
) -> Handler:
    types: list[str] = []
    if node.type is not None:
        for t in node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]:
            qual = qualify(t)
            if qual:
                types.append(qual)
    calls: list[str] = []
    strings: list[str] = []
    exits = False
    for inner in _walk([*node.body]):
        if isinstance(inner, ast.Call):
            callee = qualify(inner.func)
            if callee:
                calls.append(callee)
        elif isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            strings.append(inner.value)
        elif isinstance(inner, _EXITS):
            exits = True
    where = span(node)
    return Handler(
        span=Span.point(where.line, where.column, len("except")),
        types=tuple(types),
        calls=tuple(calls),
        strings=tuple(strings),
        exits=exits,
        ends=_ends(node.body),
    )
