"""One run of ``keylint check``: discovery, excludes, the engine, and the report.

This is the seam between the CLI (click, exit codes) and the engine (files → findings):
it knows about paths and settings, not about options or terminals. Three sources of files:
the working tree (default), the index (``--staged``: what the next commit holds) and the
history (``--history``: every blob the commits added). A baseline then hides known findings,
or records them (``--update-baseline``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from keylint.config import Settings
from keylint.discovery import (
    DEFAULT_EXCLUDED_DIRS,
    Discovery,
    Target,
    discover,
    is_binary_name,
)
from keylint.engine import Engine, FileResult, RunResult, decode, fail_count, select_rules
from keylint.errors import GitError
from keylint.findings import Finding, Severity
from keylint.report import Report

if TYPE_CHECKING:
    from keylint.baseline import Update
    from keylint.gitscan import Blob, HistoryResult, StagedSelection
    from keylint.histcache import HistoryCache


@dataclass
class RunOptions:
    """What one ``keylint check`` run reads and how: the paths, working directory and settings,
    where the files come from (working tree, ``--staged``, ``--history``) and the baseline."""

    paths: tuple[str, ...]
    cwd: Path
    settings: Settings
    force_exclude: bool = False
    jobs: int | None = None
    quiet: bool = False
    progress: Callable[[int, int], None] | None = None
    staged: bool = False  # lint the index, not the working tree
    history: str | None = None  # a revision range: lint the blobs its commits added
    baseline: Path | None = None
    update_baseline: bool = False  # write the findings to `baseline` instead of filtering
    # The settings of a config file below the working directory's, with the command-line
    # options over them (hierarchy.py); None: one config for every file (--config, --isolated).
    settings_for: Callable[[Path], Settings] | None = None
    # --history: skip blobs an earlier run found clean (histcache.py); the CLI turns it on
    # unless --no-cache, API callers opt in.
    cache: bool = False


@dataclass
class Outcome:
    """What a run gave, ready to report: the findings left after the baseline, the errors and
    notes, and what the baseline update and ``--fix`` did."""

    findings: list[Finding]
    errors: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    files_checked: int
    fatal: bool = False  # a path given on the command line does not exist
    extra: dict[str, object] = field(default_factory=dict)
    # The text each finding was found in (for baseline keys of findings without a secret).
    lines: Callable[[str], str | None] = field(default=lambda _path: None, repr=False)
    checked: list[str] | None = None  # display paths this run read (None: not path-based)
    baseline_update: Update | None = None
    fixed: int = 0  # findings fixed by --fix (no longer in `findings`)
    hidden: int = 0  # findings below --min-confidence: not shown, not counted

    def failing(self, threshold: Severity) -> int:
        return fail_count(self.findings, threshold)

    def report(self) -> Report:
        return Report(
            self.findings,
            self.errors,
            self.files_checked,
            fixed=self.fixed,
            hidden=self.hidden,
            extra=self.extra,
            source=self.lines,
        )

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
    if not settings.exclude and not settings.cli_exclude:
        return False
    from keylint.pathmatch import is_excluded

    return is_excluded(target.display, settings)


def select_targets(
    options: RunOptions, found: Discovery | None = None
) -> tuple[list[Target], list[tuple[str, str]]]:
    found = found or discover(options.paths, options.cwd)
    targets = [t for t in found.targets if not excluded(t, options.settings, options.force_exclude)]
    return targets, found.errors


def pins_for(cwd: Path, paths: tuple[str, ...] = ()) -> Mapping[str, str]:
    """Dependency pins of the project being checked: found from the first path named (so
    `keylint other/repo` reads other/repo's requirements), else from the working directory;
    detected when a rule first asks."""
    from keylint.pins import LazyPins

    start = cwd
    if paths:
        first = Path(paths[0])
        first = first if first.is_absolute() else cwd / first
        start = first if first.is_dir() else first.parent
    return LazyPins(start.resolve())


def execute(options: RunOptions, engine: Engine | None = None) -> Outcome:
    """Run, then apply or update the baseline. Raises ConfigError, GitError, BaselineError."""
    if options.history is not None:
        outcome = _execute_history(options, options.history, engine)
    elif options.staged:
        outcome = _execute_staged_nested(options, engine)
    else:
        outcome = _execute_tree(options, engine)
    if options.baseline is not None:
        _apply_baseline(options, options.baseline, outcome)
    return outcome


def _without_baseline_file(targets: list[Target], options: RunOptions) -> list[Target]:
    """The baseline is keylint's own output (hashes): never lint it."""
    if options.baseline is None:
        return targets
    own = os.path.realpath(options.cwd / options.baseline)
    return [t for t in targets if os.path.realpath(t.path) != own]


def _execute_tree(options: RunOptions, engine: Engine | None) -> Outcome:
    found = None
    if options.settings_for is not None and engine is None:
        nested, found = _execute_nested(options)
        if nested is not None:
            return nested
    targets, errors = select_targets(options, found)
    targets = _without_baseline_file(targets, options)
    engine = engine or Engine(options.settings, pins=pins_for(options.cwd, options.paths))
    progress = options.progress or _default_progress(len(targets), options.quiet)
    result: RunResult = engine.run(targets, progress=progress, jobs=options.jobs)
    _close(progress)
    return Outcome(
        findings=result.findings,
        errors=[*errors, *result.errors],
        notes=result.notes,
        files_checked=result.files_checked,
        hidden=result.hidden,
        fatal=_missing(errors),  # a path given does not exist: exit 2, as for a usage error
        lines=_disk_lines(options.cwd),
        checked=[t.display for t in targets],
    )


def _execute_staged_nested(options: RunOptions, engine: Engine | None) -> Outcome:
    """--staged with the nearest config above each file (hierarchy.py), as the tree run."""
    from keylint import gitscan
    from keylint.hierarchy import group

    if options.settings_for is None or engine is not None:
        return _execute_staged(options, engine)
    selection = gitscan.select_staged(options.cwd, options.paths)
    staged = [
        Target(selection.root / entry.path, display, explicit=explicit)
        for entry, display, explicit in selection.entries
    ]
    worktree = discover(selection.worktree, options.cwd).targets if selection.worktree else []
    groups = group([*staged, *worktree], options.settings, options.settings_for)
    if all(settings is options.settings for settings, _ in groups):
        return _execute_staged(options, None, selection=selection)
    outcomes = []
    for settings, members in groups:
        paths = {str(t.path) for t in members}
        outcomes.append(
            _execute_staged(
                replace(options, settings=settings),
                None,
                selection=selection,
                keep=lambda path, paths=paths: str(path) in paths,  # type: ignore[misc]
            )
        )
    readers = [o.lines for o in outcomes]

    def lines(path: str) -> str | None:
        return next((text for read in readers if (text := read(path)) is not None), None)

    return Outcome(
        findings=sorted((f for o in outcomes for f in o.findings), key=lambda f: f.sort_key),
        errors=list(dict.fromkeys(e for o in outcomes for e in o.errors)),
        notes=[n for o in outcomes for n in o.notes],
        files_checked=sum(o.files_checked for o in outcomes),
        fatal=all(o.fatal for o in outcomes),
        lines=lines,
        checked=[c for o in outcomes for c in o.checked or ()],
    )


def _execute_staged(
    options: RunOptions,
    engine: Engine | None,
    selection: StagedSelection | None = None,
    keep: Callable[[Path], bool] | None = None,
) -> Outcome:
    from keylint import gitscan

    selection = selection or gitscan.select_staged(options.cwd, options.paths)
    engine = engine or Engine(options.settings, pins=pins_for(options.cwd, options.paths))
    blobs: list[gitscan.Blob] = []
    notes: list[tuple[str, str]] = []
    for entry, display, explicit in selection.entries:
        target = Target(selection.root / entry.path, display, explicit=explicit)
        if keep is not None and not keep(target.path):
            continue  # governed by another config (_execute_staged_nested)
        if not explicit and _in_default_excluded_dir(display):
            continue
        if excluded(target, options.settings, options.force_exclude) or _is_baseline(
            target, options
        ):
            continue
        if is_binary_name(entry.path):
            notes.append((display, "binary file skipped"))
            continue
        blobs.append(gitscan.Blob(entry.oid, display))
    engine.plan([*(b.display for b in blobs), *(d for _, d, _ in selection.entries)])
    reader = gitscan.BlobReader(selection.root, options.settings.max_file_size)
    try:
        reader.fill(blobs)
    finally:
        reader.close()
    contents: dict[str, bytes] = {}
    for blob in blobs:
        if blob.data is None:
            notes.append((blob.display, _skipped(blob, options.settings.max_file_size)))
        else:
            contents[blob.display] = blob.data
    progress = options.progress or _default_progress(len(blobs), options.quiet)
    results = _lint_blobs(engine, blobs, options.jobs, progress)
    _close(progress)
    # Named explicitly but not in the index (untracked): checked as it is on disk rather
    # than passed unread (a hook run with `--files new.py` must not report "all clear").
    worktree = discover(selection.worktree, options.cwd) if selection.worktree else None
    extra_targets = [
        t
        for t in (_without_baseline_file(worktree.targets, options) if worktree else [])
        if not excluded(t, options.settings, options.force_exclude)
        and (keep is None or keep(t.path))
    ]
    results.extend(engine.lint_target(t) for t in extra_targets)
    result = engine.collect(results, len(blobs) + len(extra_targets))
    disk = _disk_lines(options.cwd)

    def lines(path: str) -> str | None:
        data = contents.get(path)
        return decode(data)[0] if data is not None else disk(path)

    return Outcome(
        findings=result.findings,
        errors=[*selection.errors, *result.errors],
        notes=[*notes, *result.notes],
        files_checked=result.files_checked,
        hidden=result.hidden,
        fatal=bool(selection.errors) and not blobs and not extra_targets,
        lines=lines,
        checked=[*contents, *(t.display for t in extra_targets)],
    )


def _lint_blobs(
    engine: Engine,
    blobs: list[Blob],
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[FileResult]:
    from keylint.gitscan import blob_items
    from keylint.scheduler import Scheduler

    linter = Scheduler(engine, jobs)
    results: list[FileResult] = []
    total = sum(1 for b in blobs if b.data is not None)
    try:
        for start in range(0, len(blobs), 64):
            batch = blob_items(blobs[start : start + 64])
            for _, done in linter.submit(batch, None):
                results.extend(done)
                if progress:
                    progress(len(results), total)
        for _, done in linter.drain():
            results.extend(done)
            if progress:
                progress(len(results), total)
    finally:
        linter.close()
    return results


def _execute_history(options: RunOptions, spec: str, engine: Engine | None) -> Outcome:
    from keylint import gitscan
    from keylint.findings import Category

    settings = options.settings
    rules = [r for r in select_rules(settings) if r.category is Category.HARDCODED_SECRET]
    engine = engine or Engine(settings, rules=rules, pins=pins_for(options.cwd, options.paths))
    pathspecs = list(options.paths)

    def keep(display: str) -> bool:
        if _in_default_excluded_dir(display) or is_binary_name(display):
            return False
        target = Target(options.cwd / display, display)
        return not excluded(target, settings, True) and not _is_baseline(target, options)

    progress = options.progress or _default_progress(0, options.quiet, label="commits")
    cache = _history_cache(options, engine) if options.cache else None
    try:
        result = gitscan.scan_history(
            engine,
            options.cwd,
            spec,
            pathspecs,
            keep,
            jobs=options.jobs,
            progress=progress,
            cache=cache,
        )
    except GitError as exc:
        paths = [w for w in spec.split() if (options.cwd / w).exists()]
        if paths:  # `keylint --history src`: click took the path for the range
            hint = f"; '{paths[0]}' is a path: write `keylint --history HEAD {paths[0]}`"
            raise GitError(f"{exc}{hint}") from None
        raise
    finally:
        _close(progress)
    notes = _history_gaps(result)
    history: dict[str, object] = {"range": spec, "commits": result.commits, "blobs": result.blobs}
    if cache is not None:
        cache.save()
        notes.extend(("--history", note) for note in cache.notes)
        history.update(cached=result.cached, linted=result.linted)
    return Outcome(
        findings=result.findings,
        errors=[],
        notes=notes,
        files_checked=result.blobs,
        extra={"history": history},
    )


def _history_cache(options: RunOptions, engine: Engine) -> HistoryCache | None:
    from keylint import histcache

    directory = options.settings.cache_dir
    if directory is None:
        directory = histcache.default_dir(options.cwd)
    return histcache.open_cache(directory, engine) if directory is not None else None


def _missing(errors: list[tuple[str, str]]) -> bool:
    """A path named on the command line does not exist: a usage error (exit 2). Paths that
    exist but cannot be read (a FIFO, a device) are per-file errors, as unreadable files."""
    return any(message == "no such file or directory" for _, message in errors)


def _execute_nested(options: RunOptions) -> tuple[Outcome | None, Discovery]:
    """Files under configs of their own (hierarchy.py): one engine per config. No outcome
    when every file is governed by the working directory's settings (the usual path)."""
    from keylint.hierarchy import group

    assert options.settings_for is not None
    found = discover(options.paths, options.cwd)
    groups = group(found.targets, options.settings, options.settings_for)
    if all(settings is options.settings for settings, _ in groups):
        return None, found
    pins = pins_for(options.cwd, options.paths)
    findings: list[Finding] = []
    errors = list(found.errors)
    notes: list[tuple[str, str]] = []
    checked: list[str] = []
    files = 0
    for settings, members in groups:
        targets = [t for t in members if not excluded(t, settings, options.force_exclude)]
        targets = _without_baseline_file(targets, options)
        result = Engine(settings, pins=pins).run(targets, jobs=options.jobs)
        findings.extend(result.findings)
        errors.extend(result.errors)
        notes.extend(result.notes)
        files += result.files_checked
        checked.extend(t.display for t in targets)
    findings.sort(key=lambda f: f.sort_key)
    outcome = Outcome(
        findings=findings,
        errors=errors,
        notes=notes,
        files_checked=files,
        fatal=_missing(found.errors),
        lines=_disk_lines(options.cwd),
        checked=checked,
    )
    return outcome, found


def _history_gaps(result: HistoryResult) -> list[tuple[str, str]]:
    """What --history could not see: it says so rather than scan less in silence."""
    notes = []
    if result.shallow:
        notes.append(
            (
                "--history",
                "this is a shallow clone: commits before its oldest were not checked; "
                "fetch them with `git fetch --unshallow` (in GitHub Actions: "
                "actions/checkout with `fetch-depth: 0`)",
            )
        )
    if result.missing:
        notes.append(
            (
                "--history",
                f"{result.missing} blob(s) are missing from the git object store (a partial "
                "clone or pruned objects) and were not checked",
            )
        )
    return notes


def _apply_baseline(options: RunOptions, path: Path, outcome: Outcome) -> None:
    from keylint import baseline

    path = path if path.is_absolute() else options.cwd / path
    if options.update_baseline:
        outcome.baseline_update = baseline.update(
            path, outcome.findings, options.cwd, outcome.lines, outcome.checked
        )
        return
    known = baseline.load(path)
    outcome.findings, hidden = baseline.apply(outcome.findings, known, options.cwd, outcome.lines)
    if hidden:
        outcome.notes.append(
            (str(options.baseline), f"{hidden} known finding(s) in the baseline not shown")
        )
    outcome.extra["baseline"] = {"path": str(options.baseline), "hidden": hidden}


def _is_baseline(target: Target, options: RunOptions) -> bool:
    if options.baseline is None:
        return False
    own = os.path.realpath(options.cwd / options.baseline)
    return os.path.realpath(target.path) == own


def _in_default_excluded_dir(display: str) -> bool:
    return any(part in DEFAULT_EXCLUDED_DIRS for part in display.split("/")[:-1])


def _skipped(blob: Blob, limit: int) -> str:
    if blob.size > limit:
        return f"skipped: {blob.size} bytes is over the size limit ({limit}; set max-file-size)"
    return "skipped: not found in the git object store"


def _disk_lines(cwd: Path) -> Callable[[str], str | None]:
    def read(display: str) -> str | None:
        try:
            return decode((cwd / display).read_bytes())[0]
        except OSError:
            return None

    return read


def _close(progress: Callable[[int, int], None] | None) -> None:
    close = getattr(progress, "close", None)
    if close is not None:
        close()


def _default_progress(
    total: int, quiet: bool, label: str = "files"
) -> Callable[[int, int], None] | None:
    """A bar on a terminal only: never in pipes, CI logs (``CI`` set) or dumb terminals.
    It appears once a run has lasted a second, so short runs never show it.
    """
    if quiet or not progress_wanted():
        return None
    from keylint.progress import Progress

    return Progress(total, label=label)


def progress_wanted() -> bool:
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())
