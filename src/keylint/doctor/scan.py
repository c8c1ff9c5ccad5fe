"""The project side of the diagnosis: what the code reads and calls, from the engine's facts.

The engine runs with a single collector (a :class:`ProjectRule` that reports nothing): it
keeps the ``EnvRead``, ``EnvDef`` and ``SdkUse`` facts of every file, as the cross-file rules
get them, so the doctor sees the same facts as ``keylint check`` without a second parser.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from keylint.checks.base import FileContext, ProjectContext, ProjectRule
from keylint.config import Settings
from keylint.discovery import Target
from keylint.engine import Engine
from keylint.facts import Context, EnvDef, EnvRead, SdkUse
from keylint.findings import Category, Finding
from keylint.providers import ProviderDB

# Files the app does not run: their loads and reads do not shape its environment.
_TEST_PARTS = frozenset({"tests", "test", "testing", "__tests__", "examples", "docs"})


def is_app_file(display: str) -> bool:
    parts = display.split("/")
    name = parts[-1]
    if any(p in _TEST_PARTS for p in parts[:-1]):
        return False
    return not (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py")


class _Collector(ProjectRule):
    """Not a rule of the registry (it lives outside keylint.checks): keeps the facts."""

    code = "DOCTOR"
    name = "doctor-collector"
    category = Category.ENV_VAR_NAME
    summary = "Collects the facts keylint doctor needs."
    wants: ClassVar[tuple[type, ...]] = (EnvRead, EnvDef, SdkUse)

    def __init__(self) -> None:
        self.files: list[FileContext] = []

    def check_project(self, project: ProjectContext) -> Iterable[Finding]:
        self.files = list(project.files)
        return ()


@dataclass
class Scan:
    """Facts of the app's files (tests, docs and examples left out)."""

    targets: list[Target]
    files: list[FileContext]
    errors: list[tuple[str, str]] = field(default_factory=list)

    def reads(self) -> list[tuple[str, EnvRead]]:
        """(path, read) of every environment read in running code, file order."""
        out: list[tuple[str, EnvRead]] = []
        for ctx in self.files:
            if not is_app_file(ctx.file.path):
                continue
            out.extend((ctx.file.path, r) for r in ctx.of(EnvRead) if r.context.runs)
        return out

    def sdk_uses(self) -> list[tuple[FileContext, SdkUse]]:
        return [
            (ctx, use) for ctx in self.files if is_app_file(ctx.file.path) for use in ctx.of(SdkUse)
        ]

    def app_contexts(self) -> list[FileContext]:
        return [ctx for ctx in self.files if is_app_file(ctx.file.path)]


def scan(root: Path, db: ProviderDB, settings: Settings) -> Scan:
    """The files of ``root`` as `keylint check` selects them (git-aware, config excludes)."""
    from keylint.run import RunOptions, select_targets

    targets, errors = select_targets(RunOptions(paths=(str(root),), cwd=root, settings=settings))
    collector = _Collector()
    engine = Engine(settings, rules=[collector], db=db)
    result = engine.run(targets)
    return Scan(targets, collector.files, [*errors, *result.errors])


def code_reads(scan_: Scan) -> dict[str, list[str]]:
    """Variable name → where code reads it ("app.py:4"), for reads without a default."""
    out: dict[str, list[str]] = {}
    for path, read in scan_.reads():
        if read.context is not Context.CODE and not path.endswith((".yml", ".yaml")):
            continue
        out.setdefault(read.name, []).append(f"{path}:{read.span.line}")
    return out
