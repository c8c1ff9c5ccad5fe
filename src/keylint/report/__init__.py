"""Reporters: findings → text. One module per format; nothing else happens here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from keylint.findings import Finding


@dataclass
class Report:
    """Everything a reporter may show: findings, files that failed, and run counts."""

    findings: Sequence[Finding]
    errors: Sequence[tuple[str, str]] = ()
    files_checked: int = 0
    fixed: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    # display path -> the text that was checked (the staged blob under --staged): reporters
    # that need line text (SARIF's UTF-16 columns and line hashes) read it from here.
    source: Callable[[str], str | None] | None = None


FORMATS = ("text", "concise", "json", "sarif", "github")


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
