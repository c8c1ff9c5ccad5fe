"""Reporters: findings → text. One module per format; nothing else happens here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from keylint.findings import Finding


@dataclass
class Report:
    """Everything a reporter may show: findings, files that failed, and run counts."""

    findings: Sequence[Finding]
    errors: Sequence[tuple[str, str]] = ()
    files_checked: int = 0
    fixed: int = 0
    hidden: int = 0  # findings below --min-confidence
    extra: dict[str, object] = field(default_factory=dict)
    # display path -> the text that was checked (the staged blob under --staged): reporters
    # that need line text (SARIF's UTF-16 columns and line hashes) read it from here.
    source: Callable[[str], str | None] | None = None


FORMATS = ("text", "concise", "json", "sarif", "github")


def printable(text: str) -> str:
    """``text`` as valid Unicode. A file name that is not UTF-8 reaches keylint with its bad
    bytes as lone surrogates (``os.fsdecode``); they are shown as ``\\xNN``, as git and
    Python show them, so JSON stays valid UTF-8 and no writer raises UnicodeEncodeError."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable_tree(node: Any) -> Any:
    """Every string of a JSON-ready tree through :func:`printable` (keys included)."""
    if isinstance(node, str):
        return printable(node)
    if isinstance(node, dict):
        return {printable_tree(k): printable_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [printable_tree(v) for v in node]
    return node


def render(fmt: str, report: Report, *, color: bool = False, quiet: bool = False) -> str:
    """Render ``report`` in ``fmt``; each format's module is imported only when used."""
    import importlib

    if fmt in ("text", "concise"):  # ruff's full and concise text formats
        from keylint.report import full

        draw = full.render if fmt == "text" else full.render_concise
        return draw(report, color=color, show_summary=not quiet)
    module = importlib.import_module(f"{__name__}.{'json_' if fmt == 'json' else fmt}")
    if fmt == "text":
        return str(module.render(report, color=color, show_summary=not quiet))
    if fmt == "sarif":
        return str(module.render(report, source=report.source))
    if fmt == "github":
        return str(module.render(report, show_summary=not quiet))
    return str(module.render(report))
