"""One run of ``keylint check``: discovery, excludes, the engine, and the report.

This is the seam between the CLI (click, exit codes) and the engine (files → findings):
it knows about paths and settings, not about options or terminals.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from keylint.config import Settings
from keylint.discovery import DEFAULT_EXCLUDED_DIRS, Target, discover
from keylint.engine import Engine, RunResult, fail_count
from keylint.findings import Finding, Severity
from keylint.report import Report


@dataclass
class RunOptions:
    paths: tuple[str, ...]
    cwd: Path
    settings: Settings
    force_exclude: bool = False
    jobs: int | None = None
    quiet: bool = False
    progress: Callable[[int, int], None] | None = None


@dataclass
class Outcome:
    findings: list[Finding]
    errors: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    files_checked: int
    fatal: bool = False  # a path given on the command line does not exist
    extra: dict[str, object] = field(default_factory=dict)

    def failing(self, threshold: Severity) -> int:
        return fail_count(self.findings, threshold)

    def report(self) -> Report:
        return Report(self.findings, self.errors, self.files_checked, extra=self.extra)

    def render(self, fmt: str, *, color: bool = False, quiet: bool = False) -> str:
        from keylint.report import render

        return render(fmt, self.report(), color=color, quiet=quiet)


def excluded(target: Target, settings: Settings, force_exclude: bool) -> bool:
    if target.explicit and not force_exclude:
        return False
    if target.explicit and any(
        part in DEFAULT_EXCLUDED_DIRS for part in Path(target.display).parts[:-1]
    ):
        return True
    if not settings.exclude:
        return False
    from keylint.pathmatch import is_excluded

    return is_excluded(target.display, settings)


def select_targets(options: RunOptions) -> tuple[list[Target], list[tuple[str, str]]]:
    found = discover(options.paths, options.cwd)
    targets = [t for t in found.targets if not excluded(t, options.settings, options.force_exclude)]
    return targets, found.errors


def pins_for(cwd: Path) -> dict[str, str]:
    from keylint.pins import detect

    return detect(cwd)


def execute(options: RunOptions, engine: Engine | None = None) -> Outcome:
    targets, errors = select_targets(options)
    engine = engine or Engine(options.settings, pins=pins_for(options.cwd))
    progress = options.progress or _default_progress(len(targets), options.quiet)
    result: RunResult = engine.run(targets, progress=progress, jobs=options.jobs)
    if progress is not None and hasattr(progress, "close"):
        progress.close()
    return Outcome(
        findings=result.findings,
        errors=[*errors, *result.errors],
        notes=result.notes,
        files_checked=result.files_checked,
        fatal=bool(errors) and not targets,
    )


def _default_progress(total: int, quiet: bool) -> Callable[[int, int], None] | None:
    if quiet or total < 500 or not sys.stderr.isatty():
        return None
    from keylint.progress import Progress

    return Progress(total)
