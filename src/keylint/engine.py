"""discover → read once → prefilter → extract → check → suppress; then cross-file rules.

The engine knows nothing of output formats or of click: it takes targets and settings and
returns findings (values) and errors. Big trees are split across processes (both cores);
each worker reads, filters, parses and checks its files, and sends back findings plus only
the facts that cross-file rules asked for.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from keylint import suppress
from keylint.config import Settings, is_selected, selector_matches
from keylint.credpaths import is_credential_file
from keylint.discovery import Target, is_binary_name
from keylint.findings import Finding, Severity, redact
from keylint.prefilter import Prefilter
from keylint.providers import ProviderDB, with_user_formats
from keylint.providers import load as load_db
from keylint.scheduler import PARALLEL_MIN_FILES
from keylint.source import FileKind, SourceFile, detect_kind, is_install_record, transcode
from keylint.source import decode as decode  # moved to source.py; run.py imports it here
from keylint.span import Span
from keylint.split import SPLIT_MIN_FACTS

if TYPE_CHECKING:
    from keylint.checks.base import FileContext, ProjectRule, Rule
    from keylint.extract import Extracted
    from keylint.facts import Fact
    from keylint.split import Split

# The analysis and rule layer (extractors, facts, rules) is imported where a file first
# passes the prefilter, not with the engine: a pre-commit run on files with nothing of
# interest (most commits) never loads it.

_SNIFF_BYTES = 8192


@dataclass(slots=True)
class FileResult:
    """What linting one file gave: its findings (or why it was not read or parsed), and the
    facts it keeps for the cross-file rules. A run holds one per file until it ends: slots
    keep that small (the lib tree's 34,000 results took 17 MB as plain objects)."""

    findings: list[Finding] = field(default_factory=list)
    error: tuple[str, str] | None = None  # (path, message): could not read or parse
    note: tuple[str, str] | None = None  # (path, message): skipped on purpose (binary, size)
    # (file, facts) kept for cross-file rules. Not a FileContext: that would pickle a copy of
    # the provider data into every result sent back from a worker process.
    project_facts: tuple[SourceFile, list[Fact]] | None = None
    hidden: int = 0  # findings below --min-confidence
    checked: bool = False  # read and prefiltered (not skipped)
    parsed: bool = False  # passed the prefilter and was parsed
    # A file whose rules still run beside the run (keylint.split): its result, when called.
    # Only in the process that started it (never sent from a worker).
    pending: Callable[[], FileResult] | None = None


@dataclass
class RunResult:
    """What linting many files gave: the findings (the cross-file rules' included), the files'
    errors and notes, and how many files were seen, checked and parsed."""

    findings: list[Finding]
    errors: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    files_seen: int
    files_checked: int
    files_parsed: int
    hidden: int = 0  # findings below --min-confidence, not shown and not counted


def select_rules(
    settings: Settings, extra_ignore: Sequence[str] = (), *, group: str | None = "all"
) -> list[Rule]:
    """The selected rules: all of them, or those of one group of modules (None: the ones
    loaded up front; a checks.DEFERRED prefix: that group)."""
    from keylint.checks import all_rules, rules_in

    rules = all_rules() if group == "all" else rules_in(group)
    return [
        rule()
        for rule in rules
        if is_selected(settings, rule.code, rule.name, rule.category.value, extra_ignore)
    ]


class Engine:
    def __init__(
        self,
        settings: Settings,
        rules: Sequence[Rule] | None = None,
        db: ProviderDB | None = None,
        pins: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.db = (
            db
            if db is not None
            else with_user_formats(load_db(settings.extend_data), settings.key_formats)
        )
        # Rules are imported on first use: a run whose files all fail the prefilter (the
        # common pre-commit case) never imports the ~60 rule modules and their regexes.
        self._given_rules = list(rules) if rules is not None else None
        self.pins = pins if pins is not None else {}  # not `or`: it would detect LazyPins
        self.prefilter = Prefilter.from_db(self.db)
        self.hidden = 0  # findings below --min-confidence in this process
        self.project_errors: list[tuple[str, str]] = []
        self._loaded_groups: dict[str, list[Rule]] = {}
        # A second core is idle (a run without a process pool): a big file's rules may use
        # it (keylint.split). Set by the scheduler.
        self.spare_core = False
        # In a run (Engine.run): a big file's shared rules finish at the end of the run, so
        # the other files and the cross-file rules go on beside them.
        self.defer_splits = False
        self._splits: list[Split[tuple[list[Finding], str | None]]] = []

    @functools.cached_property
    def rules(self) -> list[Rule]:
        """Every selected rule (imports the deferred modules too)."""
        from keylint.checks import DEFERRED

        return [*self._core_rules, *(r for g in DEFERRED for r in self._group_rules(g))]

    @functools.cached_property
    def _core_rules(self) -> list[Rule]:
        if self._given_rules is not None:
            return self._given_rules
        return select_rules(self.settings, group=None)

    def _group_rules(self, group: str) -> list[Rule]:
        """The selected rules of one checks.DEFERRED group, imported when a file first yields
        the fact they need (a .env file or a dotenv block in Markdown, a loop)."""
        if self._given_rules is not None:
            return []
        rules = self._loaded_groups.get(group)
        if rules is None:
            rules = self._loaded_groups[group] = select_rules(self.settings, group=group)
            self._rule_types.update((r.code, type(r)) for r in rules)
        return rules

    @functools.cached_property
    def _deferred_needs(self) -> list[tuple[str, type]]:
        """(group, the fact type its rules need) for each checks.DEFERRED group."""
        import keylint.facts
        from keylint.checks import DEFERRED

        return [(group, getattr(keylint.facts, fact)) for group, fact in DEFERRED.items()]

    @functools.cached_property
    def file_rules(self) -> list[Rule]:
        from keylint.checks.base import ProjectRule

        return [r for r in self._core_rules if not isinstance(r, ProjectRule)]

    def _rules_for(self, facts: Sequence[Fact]) -> list[Rule]:
        """The file rules to run on a file that yielded ``facts``: a deferred group's only
        when the file yields the fact they need (importing them on the first such file),
        and any rule that declares ``needs`` only when the file yields that fact."""
        present = {type(fact) for fact in facts}
        rules = self.file_rules
        for group, needed in self._deferred_needs:
            if needed in present:
                rules = [*rules, *self._group_rules(group)]
        return [r for r in rules if r.needs is None or r.needs in present]

    @functools.cached_property
    def project_rules(self) -> list[ProjectRule]:
        """Cross-file rules; none is in a deferred module (a test says so)."""
        from keylint.checks.base import ProjectRule

        return [r for r in self._core_rules if isinstance(r, ProjectRule)]

    @functools.cached_property
    def wanted(self) -> tuple[type, ...]:
        return tuple(t for r in self.project_rules for t in r.wants)

    # --- one file ----------------------------------------------------------------------

    def read(self, target: Target) -> FileResult | SourceFile:
        if is_binary_name(target.path.name):
            return FileResult(note=(target.display, "binary file skipped"))
        if is_install_record(str(target.path)):
            return FileResult(checked=True)  # an installer's list of files and hashes
        try:
            size, data = _read_at_most(target.path, self.settings.max_file_size)
        except OSError as exc:
            return FileResult(error=(target.display, f"cannot read: {exc.strerror or exc}"))
        if data is None:
            return FileResult(
                note=(
                    target.display,
                    f"skipped: {size} bytes is over the size limit "
                    f"({self.settings.max_file_size}; set max-file-size)",
                )
            )
        return self.prepare(target.display, data, git_ignored=target.git_ignored)

    def prepare(
        self, display: str, data: bytes, *, git_ignored: bool = False
    ) -> FileResult | SourceFile:
        """Bytes → SourceFile, or a FileResult when there is nothing to parse."""
        data, bad_units = transcode(data)  # UTF-16/32 with a BOM: read as the text it is
        if b"\0" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return FileResult(note=(display, "binary file skipped"))
        if is_install_record(display):
            return FileResult(checked=True)  # an installer's list of files and hashes
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
        if invalid or bad_units:
            file.decode_error = True
        return file

    def check_file(self, file: SourceFile) -> FileResult:
        """Extract and check one file. An exception from an extractor or a rule becomes an
        error entry for this file (the rest of the run and the other rules' findings on this
        file are kept), as ruff catches a panic per file."""
        from keylint.analysis import FileRole
        from keylint.checks.base import FileContext
        from keylint.extract import extract

        try:
            extracted = extract(file, self.db)
        except Exception as exc:  # a bug must not cost the run
            _reraise_when_debugging()
            return FileResult(error=(file.path, self.scrub(_internal("extracting", exc))))
        ctx = FileContext(file, extracted.facts, self.db, self.pins)
        documents = file.is_example or ctx.role in (FileRole.DOCS, FileRole.EXAMPLE)
        rules = [
            rule
            for rule in self._rules_for(extracted.facts)
            if rule.applies_to_examples or not documents
        ]
        run_one = functools.partial(_run_rule, ctx=ctx)
        # A big file's rules share the idle core, one such file at a time (a child that
        # still works on an earlier one has that core).
        if self.spare_core and not self._splits and len(ctx.facts) >= SPLIT_MIN_FACTS:
            from keylint import split

            if split.available():
                shared = split.Split(rules, run_one)
                if not self.defer_splits:
                    return self._file_result(ctx, extracted, shared.finish())
                # The run goes on while the child works; collect() finishes this file.
                self._splits.append(shared)
                return FileResult(
                    project_facts=self._project_facts(ctx, extracted),
                    checked=True,
                    parsed=True,
                    pending=functools.partial(self._finish_split, shared, ctx, extracted),
                )
        return self._file_result(ctx, extracted, [run_one(rule) for rule in rules])

    def _finish_split(
        self,
        shared: Split[tuple[list[Finding], str | None]],
        ctx: FileContext,
        extracted: Extracted,
    ) -> FileResult:
        try:
            return self._file_result(ctx, extracted, shared.finish(), with_project_facts=False)
        finally:
            self._splits.remove(shared)

    def _file_result(
        self,
        ctx: FileContext,
        extracted: Extracted,
        outcomes: Sequence[tuple[list[Finding], str | None]],
        with_project_facts: bool = True,
    ) -> FileResult:
        """Judge, suppress and filter a file's findings (each rule's, in rule order)."""
        file = ctx.file
        findings = [finding for found, _ in outcomes for finding in found]
        errors = [problem for _, problem in outcomes if problem is not None]
        findings = self._judge(findings, {file.path: ctx})
        hidden_before = self.hidden
        findings = self._filter(suppress.apply(findings, file), file.path)
        hidden = self.hidden - hidden_before
        error = None
        if extracted.error:
            error = (file.path, self.scrub(extracted.error))
        elif errors:
            error = (file.path, self.scrub("; ".join(errors)))
        elif file.decode_error:
            error = (file.path, "invalid UTF-8 (decoded with replacement characters)")
        elif typo := suppress.unknown_codes(file):
            error = (file.path, typo)
        return FileResult(
            findings,
            error=error,
            project_facts=self._project_facts(ctx, extracted) if with_project_facts else None,
            hidden=hidden,
            checked=True,
            parsed=True,
        )

    def _project_facts(
        self, ctx: FileContext, extracted: Extracted
    ) -> tuple[SourceFile, list[Fact]] | None:
        if self.wanted:
            kept = [f for f in extracted.facts if isinstance(f, self.wanted)]
            if kept:
                return (ctx.file, kept)
        return None

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

    def plan(self, displays: Iterable[str]) -> None:
        """Tell the prefilter what the run holds, whatever its source (tree, index): does
        any file define env variables? If none does, a file that only reads env variables
        is parsed only when a name it reads is one the env data judges."""
        self.prefilter.env_defined = any(defines_env(d) for d in displays)
        if not self.prefilter.env_defined:
            self.prefilter.env_name_matters = self._env_name_matters

    def _env_name_matters(self, name: str) -> bool:
        # The env data is built on the first env read the prefilter meets, not before:
        # most pre-commit runs never need it.
        from keylint.checks.envnames import env_data

        return env_data(self.db).judges(name.upper())

    def run(
        self,
        targets: Sequence[Target],
        progress: Callable[[int, int], None] | None = None,
        jobs: int | None = None,
    ) -> RunResult:
        self.plan(t.display for t in targets)
        self.defer_splits = True
        try:
            results = self._map(targets, progress, jobs)
            return self.collect(results, len(targets))
        finally:
            self.defer_splits = False
            while self._splits:  # Ctrl-C or an error before collect() finished them
                self._splits.pop().abort()

    def collect(self, results: Iterable[FileResult], seen: int) -> RunResult:
        findings: list[Finding] = []
        errors: list[tuple[str, str]] = []
        notes: list[tuple[str, str]] = []
        project_files: list[FileContext] = []
        checked = parsed = hidden = 0
        pending: list[tuple[int, FileResult]] = []  # (where its error goes, result)
        for r in results:
            if r.pending is not None:
                pending.append((len(errors), r))
            hidden += r.hidden
            findings.extend(r.findings)
            if r.error:
                errors.append(r.error)
            if r.note:
                notes.append(r.note)
            if r.project_facts is not None:
                from keylint.checks.base import FileContext

                source, facts = r.project_facts
                project_files.append(FileContext(source, facts, self.db, self.pins))
            checked += r.checked
            parsed += r.parsed
        if parsed and self.project_rules:
            before = self.hidden
            findings.extend(self.check_project(project_files))
            hidden += self.hidden - before
        # Files whose rules ran beside the rest: this process now joins in, and their
        # errors take the place they had in file order.
        inserted = 0
        for where, r in pending:
            assert r.pending is not None
            done = r.pending()
            hidden += done.hidden
            findings.extend(done.findings)
            if done.error:
                errors.insert(where + inserted, done.error)
                inserted += 1
        if parsed and self.project_rules:
            errors.extend(self.project_errors)
        findings.sort(key=lambda f: f.sort_key)
        return RunResult(_dedupe(findings), errors, notes, seen, checked, parsed, hidden)

    def check_project(self, files: Sequence[FileContext]) -> list[Finding]:
        from keylint.checks.base import ProjectContext

        project = ProjectContext(files, self.db, self.pins, self.settings.extra_env_names)
        by_path = {f.file.path: f for f in files}
        found: list[Finding] = []
        for rule in self.project_rules:
            try:
                found.extend(rule.check_project(project))
            except Exception as exc:  # one rule's bug costs only its findings
                _reraise_when_debugging()
                self.project_errors.append(("(project)", _internal(rule.code, exc)))
        out = []
        for finding in self._judge(found, by_path):
            ctx = by_path.get(finding.path)
            if ctx is not None and suppress.is_suppressed(finding, ctx.file):
                continue
            out.append(finding)
        return self._filter(out, None)

    def _judge(self, findings: list[Finding], files: Mapping[str, FileContext]) -> list[Finding]:
        """Precedence, declared once (``Rule.yields_to``), then the confidence policy.

        A finding yields only to a finding that exists, so a rule that is not selected never
        silences another one.
        """
        if not findings:
            return findings
        from keylint.analysis import confidence

        rules = self.rule_types
        spans: dict[tuple[str, str], list[Span]] = {}
        for f in findings:
            spans.setdefault((f.path, f.rule), []).append(f.span)
        out = []
        for f in findings:
            rule = rules.get(f.rule)
            if rule is not None and any(
                _overlap(f.span, other)
                for code in rule.yields_to
                for other in spans.get((f.path, code), ())
            ):
                continue
            ctx = files.get(f.path)
            if ctx is not None:
                heuristic = rule.heuristic_secret if rule is not None else False
                f = confidence.apply(f, ctx.role, heuristic)
            out.append(f)
        return out

    @functools.cached_property
    def _rule_types(self) -> dict[str, type[Rule]]:
        return {type(r).code: type(r) for r in self._core_rules}

    @property
    def rule_types(self) -> dict[str, type[Rule]]:
        """The classes of the rules loaded so far (a finding's rule always is)."""
        return self._rule_types

    def _filter(self, findings: Iterable[Finding], path: str | None) -> list[Finding]:
        out = []
        floor = self.settings.min_confidence.rank
        for f in findings:
            if self._ignored_for_path(f):
                continue
            if f.confidence.rank < floor:
                self.hidden += 1
                continue
            override = self.settings.severity.get(f.rule)
            f = f.with_severity(override) if override else f
            message = self.scrub(f.message)
            out.append(replace(f, message=message) if message != f.message else f)
        return out

    def scrub(self, text: str) -> str:
        """``text`` with every provider-format key in it redacted: the last guard between a
        rule's or a parser's message and any output."""
        for start, end, fmt in reversed(self.db.find_keys(text)):
            text = text[:start] + redact(text[start:end], fmt.prefix) + text[end:]
        return text

    def _ignored_for_path(self, finding: Finding) -> bool:
        if not self.settings.per_file_ignores:
            return False
        from keylint.pathmatch import matches

        for pattern, codes in self.settings.per_file_ignores.items():
            if matches(pattern, finding.path, self.settings) and any(
                selector_matches(c, finding.rule, finding.name, finding.category.value)
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
        from keylint.scheduler import Scheduler

        total = len(targets)
        # Batches come back as they finish, tagged with where they start: put back in order.
        scheduler = Scheduler(self, jobs, expected=total, ordered=False)
        size = scheduler.batch_size(total) if total >= PARALLEL_MIN_FILES else 1
        batches: list[tuple[int, list[FileResult]]] = []
        count = 0
        try:
            for start in range(0, total, size):
                for first, done in scheduler.submit(targets[start : start + size], start):
                    batches.append((first, [_shared_if_empty(r) for r in done]))
                    count += len(done)
                    if progress:
                        progress(count, total)
            for first, done in scheduler.drain():
                batches.append((first, [_shared_if_empty(r) for r in done]))
                count += len(done)
                if progress:
                    progress(count, total)
        finally:
            scheduler.close()
        batches.sort(key=lambda batch: batch[0])
        return [result for _, done in batches for result in done]


# Most files give nothing but "checked" (and "parsed"): one shared result each stands for
# them all until the run ends, so what a run holds grows with its findings, not its files.
# Shared: only read (collect), never appended to.
_EMPTY_RESULTS = {
    (checked, parsed): FileResult(checked=checked, parsed=parsed)
    for checked in (False, True)
    for parsed in (False, True)
}


def _shared_if_empty(result: FileResult) -> FileResult:
    if (
        result.findings
        or result.error
        or result.note
        or result.project_facts is not None
        or result.hidden
        or result.pending is not None
    ):
        return result
    return _EMPTY_RESULTS[result.checked, result.parsed]


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


def _run_rule(rule: Rule, ctx: FileContext) -> tuple[list[Finding], str | None]:
    """One rule's findings on one file, and its error: one rule's bug costs only its
    findings (those it gave before failing are kept)."""
    found: list[Finding] = []
    try:
        found.extend(rule.check(ctx))
    except Exception as exc:
        _reraise_when_debugging()
        return found, _internal(rule.code, exc)
    return found, None


def _reraise_when_debugging() -> None:
    if os.environ.get("KEYLINT_DEBUG"):
        raise  # called only from inside an except block


_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _read_at_most(path: Path, limit: int) -> tuple[int, bytes | None]:
    """The size of the file at ``path`` and its bytes, or None for the bytes when it is over
    ``limit`` (not read). One open, fstat and read on the descriptor: ``Path.stat()`` then
    ``Path.open().read()`` cost twice as much per file (0.32 s against 0.15 s for 20,000
    files of the lib tree), and the size is the opened file's, not a name's that may change."""
    try:
        fd = os.open(path, os.O_RDONLY | _O_BINARY)
    except PermissionError:
        size = os.stat(path).st_size  # readable without the file's read permission
        if size > limit:
            return size, None  # over the limit: a note, as before it was ever opened
        raise
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            return size, None
        chunks = [os.read(fd, size + 1)]
        while chunks[-1]:  # until end of file: it may have grown since fstat
            chunks.append(os.read(fd, 1 << 20))
        return size, b"".join(chunks)
    finally:
        os.close(fd)


def _internal(where: str, exc: BaseException) -> str:
    """An error entry for a bug in keylint: the exception's type, never its text (which
    could quote file content), and where to report it."""
    return (
        f"internal error in {where} ({type(exc).__name__}); the file's other checks ran. "
        "Please report it (KEYLINT_DEBUG=1 shows the traceback)"
    )


def _overlap(a: Span, b: Span) -> bool:
    return (
        (a.line, a.column) < (b.end_line, b.end_column)
        and (b.line, b.column)
        < (
            a.end_line,
            a.end_column,
        )
    ) or (a.line, a.column) == (b.line, b.column)


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
