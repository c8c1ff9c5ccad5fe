"""discover → read once → prefilter → extract → check → suppress; then cross-file rules.

The engine knows nothing of output formats or of click: it takes targets and settings and
returns findings (values) and errors. Big trees are split across processes (both cores);
each worker reads, filters, parses and checks its files, and sends back findings plus only
the facts that cross-file rules asked for.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from keylint import suppress
from keylint.checks import all_rules
from keylint.checks.base import FileContext, ProjectContext, ProjectRule, Rule
from keylint.config import Settings, is_selected
from keylint.credfiles import is_credential_file
from keylint.discovery import Target, is_binary_name
from keylint.extract import extract
from keylint.facts import Fact
from keylint.findings import Finding, Severity, redact
from keylint.prefilter import Prefilter
from keylint.providers import ProviderDB, with_user_formats
from keylint.providers import load as load_db
from keylint.source import FileKind, SourceFile, detect_kind

# Below this many files a second process costs more than it saves.
PARALLEL_MIN_FILES = 200
_SNIFF_BYTES = 8192


@dataclass
class FileResult:
    findings: list[Finding] = field(default_factory=list)
    error: tuple[str, str] | None = None  # (path, message): could not read or parse
    note: tuple[str, str] | None = None  # (path, message): skipped on purpose (binary, size)
    # (file, facts) kept for cross-file rules. Not a FileContext: that would pickle a copy of
    # the provider data into every result sent back from a worker process.
    project_facts: tuple[SourceFile, list[Fact]] | None = None
    checked: bool = False  # read and prefiltered (not skipped)
    parsed: bool = False  # passed the prefilter and was parsed


@dataclass
class RunResult:
    findings: list[Finding]
    errors: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    files_seen: int
    files_checked: int
    files_parsed: int


def select_rules(settings: Settings, extra_ignore: Sequence[str] = ()) -> list[Rule]:
    return [
        rule()
        for rule in all_rules()
        if is_selected(settings, rule.code, rule.name, rule.category.value, extra_ignore)
    ]


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 (BOM stripped); invalid bytes become U+FFFD. Returns (text, had_invalid_bytes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), True


class Engine:
    def __init__(
        self,
        settings: Settings,
        rules: Sequence[Rule] | None = None,
        db: ProviderDB | None = None,
        pins: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db if db is not None else with_user_formats(load_db(), settings.key_formats)
        # Rules are imported on first use: a run whose files all fail the prefilter (the
        # common pre-commit case) never imports the ~60 rule modules and their regexes.
        self._given_rules = list(rules) if rules is not None else None
        self.pins = pins or {}
        self.prefilter = Prefilter.from_db(self.db)

    @functools.cached_property
    def rules(self) -> list[Rule]:
        if self._given_rules is not None:
            return self._given_rules
        return select_rules(self.settings)

    @functools.cached_property
    def file_rules(self) -> list[Rule]:
        return [r for r in self.rules if not isinstance(r, ProjectRule)]

    @functools.cached_property
    def project_rules(self) -> list[ProjectRule]:
        return [r for r in self.rules if isinstance(r, ProjectRule)]

    @functools.cached_property
    def wanted(self) -> tuple[type, ...]:
        return tuple(t for r in self.project_rules for t in r.wants)

    # --- one file ----------------------------------------------------------------------

    def read(self, target: Target) -> FileResult | SourceFile:
        if is_binary_name(target.path.name):
            return FileResult(note=(target.display, "binary file skipped"))
        try:
            size = target.path.stat().st_size
            if size > self.settings.max_file_size:
                return FileResult(
                    note=(
                        target.display,
                        f"skipped: {size} bytes is over the size limit "
                        f"({self.settings.max_file_size}; set max-file-size)",
                    )
                )
            with target.path.open("rb") as handle:
                data = handle.read()
        except OSError as exc:
            return FileResult(error=(target.display, f"cannot read: {exc.strerror or exc}"))
        return self.prepare(target.display, data, git_ignored=target.git_ignored)

    def prepare(
        self, display: str, data: bytes, *, git_ignored: bool = False
    ) -> FileResult | SourceFile:
        """Bytes → SourceFile, or a FileResult when there is nothing to parse."""
        if b"\0" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return FileResult(note=(display, "binary file skipped"))
        kind = detect_kind(display)
        code = kind in (FileKind.PYTHON, FileKind.NOTEBOOK)
        if (
            kind is not FileKind.DOTENV
            and not is_credential_file(display)
            and not self.prefilter.interesting(data, code)
        ):
            return FileResult(checked=True)
        text, invalid = decode(data)
        file = SourceFile.from_text(display, text, kind=kind, git_ignored=git_ignored)
        if invalid:
            file.decode_error = True
        return file

    def check_file(self, file: SourceFile) -> FileResult:
        extracted = extract(file, self.db)
        ctx = FileContext(file, extracted.facts, self.db, self.pins)
        findings: list[Finding] = []
        for rule in self.file_rules:
            if file.is_example and not rule.applies_to_examples:
                continue
            findings.extend(rule.check(ctx))
        findings = self._filter(suppress.apply(findings, file), file.path)
        error = None
        if extracted.error:
            error = (file.path, self.scrub(extracted.error))
        elif file.decode_error:
            error = (file.path, "invalid UTF-8 (decoded with replacement characters)")
        project = None
        if self.wanted:
            kept = [f for f in extracted.facts if isinstance(f, self.wanted)]
            if kept:
                project = (file, kept)
        return FileResult(findings, error=error, project_facts=project, checked=True, parsed=True)

    def lint_target(self, target: Target) -> FileResult:
        prepared = self.read(target)
        if isinstance(prepared, FileResult):
            return prepared
        return self.check_file(prepared)

    def lint_bytes(self, display: str, data: bytes, *, git_ignored: bool = False) -> FileResult:
        prepared = self.prepare(display, data, git_ignored=git_ignored)
        if isinstance(prepared, FileResult):
            return prepared
        return self.check_file(prepared)

    # --- a run -------------------------------------------------------------------------

    def run(
        self,
        targets: Sequence[Target],
        progress: Callable[[int, int], None] | None = None,
        jobs: int | None = None,
    ) -> RunResult:
        self.prefilter.env_reads = any(defines_env(t.display) for t in targets)
        results = self._map(targets, progress, jobs)
        return self.collect(results, len(targets))

    def collect(self, results: Iterable[FileResult], seen: int) -> RunResult:
        findings: list[Finding] = []
        errors: list[tuple[str, str]] = []
        notes: list[tuple[str, str]] = []
        project_files: list[FileContext] = []
        checked = parsed = 0
        for r in results:
            findings.extend(r.findings)
            if r.error:
                errors.append(r.error)
            if r.note:
                notes.append(r.note)
            if r.project_facts is not None:
                source, facts = r.project_facts
                project_files.append(FileContext(source, facts, self.db, self.pins))
            checked += r.checked
            parsed += r.parsed
        if parsed and self.project_rules:
            findings.extend(self.check_project(project_files))
        findings.sort(key=lambda f: f.sort_key)
        return RunResult(_dedupe(findings), errors, notes, seen, checked, parsed)

    def check_project(self, files: Sequence[FileContext]) -> list[Finding]:
        project = ProjectContext(files, self.db, self.pins, self.settings.extra_env_names)
        by_path = {f.file.path: f.file for f in files}
        out: list[Finding] = []
        for rule in self.project_rules:
            for finding in rule.check_project(project):
                source = by_path.get(finding.path)
                if source is not None and suppress.is_suppressed(finding, source):
                    continue
                out.append(finding)
        return self._filter(out, None)

    def _filter(self, findings: Iterable[Finding], path: str | None) -> list[Finding]:
        out = []
        for f in findings:
            if self._ignored_for_path(f):
                continue
            override = self.settings.severity.get(f.rule)
            f = f.with_severity(override) if override else f
            message = self.scrub(f.message)
            out.append(replace(f, message=message) if message != f.message else f)
        return out

    def scrub(self, text: str) -> str:
        """``text`` with every provider-format key in it redacted: the last guard between a
        rule's or a parser's message and any output (contract §5)."""
        for start, end, fmt in reversed(self.db.find_keys(text)):
            text = text[:start] + redact(text[start:end], fmt.prefix) + text[end:]
        return text

    def _ignored_for_path(self, finding: Finding) -> bool:
        if not self.settings.per_file_ignores:
            return False
        from keylint.pathmatch import matches

        for pattern, codes in self.settings.per_file_ignores.items():
            if matches(pattern, finding.path, self.settings) and any(
                finding.rule.startswith(c.upper())
                or c.lower() in (finding.name, finding.category.value)
                or c.upper() == "ALL"
                for c in codes
            ):
                return True
        return False

    def _map(
        self,
        targets: Sequence[Target],
        progress: Callable[[int, int], None] | None,
        jobs: int | None,
    ) -> list[FileResult]:
        workers = jobs if jobs is not None else (os.cpu_count() or 1)
        total = len(targets)
        if workers <= 1 or total < PARALLEL_MIN_FILES:
            results = []
            for i, target in enumerate(targets, 1):
                results.append(self.lint_target(target))
                if progress:
                    progress(i, total)
            return results
        global _WORKER_ENGINE
        _WORKER_ENGINE = self  # inherited by forked workers: no re-loading of data
        chunk = max(8, min(256, total // (workers * 8) or 1))
        batches = [targets[i : i + chunk] for i in range(0, total, chunk)]
        results = []
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor  # only when a pool is used

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self._state(),),
        ) as pool:
            done = 0
            for batch_results in pool.map(_lint_batch, batches):
                results.extend(batch_results)
                done += len(batch_results)
                if progress:
                    progress(done, total)
        return results

    def _state(self) -> tuple[Any, ...]:
        return (self.settings, [type(r) for r in self.rules], self.pins)


def defines_env(path: str) -> bool:
    """Files that define environment variables for the code (the other end of KL307)."""
    name = path.rsplit("/", 1)[-1].lower()
    return (
        detect_kind(path) is FileKind.DOTENV
        or ("compose" in name and name.endswith((".yml", ".yaml")))
        or ("/.github/workflows/" in "/" + path and name.endswith((".yml", ".yaml")))
        or name == "dockerfile"
        or name.startswith("dockerfile.")
    )


_WORKER_ENGINE: Engine | None = None


def _init_worker(state: tuple[Any, ...]) -> None:
    global _WORKER_ENGINE
    if _WORKER_ENGINE is None:  # spawn start method: rebuild from the settings
        settings, rule_types, pins = state
        _WORKER_ENGINE = Engine(settings, [t() for t in rule_types], pins=pins)


def _lint_batch(batch: Sequence[Target]) -> list[FileResult]:
    assert _WORKER_ENGINE is not None
    return [_WORKER_ENGINE.lint_target(t) for t in batch]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, int]] = set()
    out = []
    for f in findings:
        key = (f.path, f.rule, f.span.line, f.span.column)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def lint_text(
    path: str, text: str, settings: Settings | None = None, git_ignored: bool = False
) -> list[Finding]:
    """Lint one in-memory file (API for tests and editors). Findings sorted by position."""
    engine = Engine(settings or Settings())
    result = engine.lint_bytes(path, text.encode("utf-8"), git_ignored=git_ignored)
    return engine.collect([result], 1).findings


def fail_count(findings: Iterable[Finding], threshold: Severity) -> int:
    return sum(1 for f in findings if f.severity.rank >= threshold.rank)


def resolve(path: str, cwd: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else cwd / p
