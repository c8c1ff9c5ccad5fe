"""Span edits in Python files, done through libcst.

A rule's span edit in Python is always inside one token: a string literal (a key's stray
space, ``http://``, ``"Bearer" + key``, an ``f`` prefix before the opening quote) or the
name of a keyword argument (``use_auth_token=`` → ``token=``). Here each edit is matched to
the libcst node of that token, the node is rebuilt with the edited text and swapped into the
tree, and the module is printed back by libcst: the rest of the file round-trips exactly.
An edit that is not inside one such token is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class EditLike(Protocol):
    start: int
    end: int
    replacement: str


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, char in enumerate(text):
        if char == "\n":
            starts.append(i + 1)
    return starts


def tokens(text: str) -> tuple[Any, list[tuple[int, int, Any]]] | None:
    """The module and (start, end, node) of every string literal and keyword-argument name."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    except cst.ParserSyntaxError:
        return None
    positions = wrapper.resolve(PositionProvider)
    starts = _line_starts(text)
    found: list[tuple[int, int, Any]] = []

    def offset(pos: Any) -> int:
        return int(starts[pos.line - 1] + pos.column)

    class Collector(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            self._add(node)

        def visit_FormattedString(self, node: cst.FormattedString) -> bool:
            self._add(node)
            return False

        def visit_Arg(self, node: cst.Arg) -> None:
            if node.keyword is not None:
                self._add(node.keyword)

        def _add(self, node: cst.CSTNode) -> None:
            where = positions[node]
            found.append((offset(where.start), offset(where.end), node))

    wrapper.module.visit(Collector())
    return wrapper.module, found


def owner(edit: EditLike, spans: Sequence[tuple[int, int, Any]]) -> Any | None:
    """The token node that contains the edit (an insertion at its start counts)."""
    for start, end, node in spans:
        if start <= edit.start and edit.end <= end:
            return node
    return None


def splice(text: str, edits: Sequence[EditLike]) -> str | None:
    """``text`` with the edits applied node by node through libcst; None when an edit is not
    inside one token, or a rebuilt token is not a valid one."""
    import libcst as cst

    parsed = tokens(text)
    if parsed is None:
        return None
    module, spans = parsed
    by_node: dict[int, tuple[int, Any, list[EditLike]]] = {}
    for edit in edits:
        node = owner(edit, spans)
        if node is None:
            return None
        start = next(s for s, _e, n in spans if n is node)
        by_node.setdefault(id(node), (start, node, []))[2].append(edit)
    replacements: dict[int, Any] = {}
    for start, node, group in by_node.values():
        token = module.code_for_node(node)
        for edit in sorted(group, key=lambda e: e.start, reverse=True):
            token = token[: edit.start - start] + edit.replacement + token[edit.end - start :]
        try:
            if isinstance(node, cst.Name):
                new: Any = cst.Name(token)
            else:
                new = cst.parse_expression(token)
                if not isinstance(new, (cst.SimpleString, cst.FormattedString)):
                    return None
        except (cst.ParserSyntaxError, cst.CSTValidationError):
            return None
        replacements[id(node)] = new

    class Swap(cst.CSTTransformer):
        def on_leave(self, original_node: Any, updated_node: Any) -> Any:
            return replacements.get(id(original_node), updated_node)

    return str(module.visit(Swap()).code)
