"""Every dataclass in keylint has its own docstring.

For a class without one, ``dataclasses`` builds a docstring from ``inspect.signature(cls)``
when the class is created, that is at import time (CPython up to 3.14; python/cpython#144387
makes it lazy later). A one-file pre-commit run imports up to some sixty of keylint's
dataclasses, so every missing docstring is start-up time paid on every commit.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src" / "keylint"
DECORATORS = frozenset({"dataclass", "value_class"})


def decorator_name(node: ast.expr) -> str | None:
    """``dataclass`` for ``@dataclass``, ``@dataclass(...)``, ``@dataclasses.dataclass(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def dataclasses() -> Iterator[tuple[Path, ast.ClassDef]]:
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                decorator_name(d) in DECORATORS for d in node.decorator_list
            ):
                yield path, node


def test_the_walk_finds_dataclasses() -> None:
    names = {node.name for _path, node in dataclasses()}
    assert {"Span", "Finding", "Settings", "Target"} <= names


def test_every_dataclass_has_a_docstring() -> None:
    missing = [
        f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}"
        for path, node in dataclasses()
        if ast.get_docstring(node) is None
    ]
    assert not missing, "dataclasses without a docstring:\n" + "\n".join(missing)
