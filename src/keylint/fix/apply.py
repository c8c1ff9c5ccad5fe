"""The planner and writer of ``--fix``, ``--unsafe-fixes`` and ``--diff``: apply the fixes
that reported findings carry.

A fix is either an exact span edit computed by the rule on the text it checked
(``Fix.span`` → ``Fix.replacement``, plus ``Fix.edits`` in other files for a project-wide
rename), or a whole-file transform named by ``Fix.transform`` (libcst rewrites of Python:
the openai 0.x → 1.x migration, moving a hardcoded key to ``.env``). Span edits keep
everything around them — comments, quoting, order — byte for byte.

Only findings that survived selection, suppression and the baseline are fixed, so keylint
never changes what it did not report. The rules of trust (audit D7–D9):

- a file that does not parse (Python, JSON, YAML, TOML) is never written;
- a fix whose result does not parse is dropped and reported, the others are kept;
- a multi-file fix (a rename) is applied everywhere or nowhere;
- files are replaced atomically (fix.writer), keeping mode, owner and group;
  symlinks are fixed through their target, hard-linked and read-only files are refused;
- a file that is not valid UTF-8 is never rewritten.

:func:`plan` computes every new file text without writing (``--diff`` prints it);
:func:`write` writes a plan.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keylint.facts import Span
from keylint.findings import Finding
from keylint.fix.parsecheck import parse_error
from keylint.fix.transforms import SideEdit, TransformContext, run_transform
from keylint.fix.writer import Refused, safe_write, writable_target
from keylint.source import FileKind, SourceFile, detect_kind

_BOM = "\ufeff"

# (display path, text) -> the findings of the file rules on that text
Relint = Callable[[str, str], list[Finding]]


@dataclass
class Change:
    """One file's new text."""

    path: str  # as displayed (relative to the working directory)
    target: Path
    before: str | None  # None: the fix creates the file
    after: str
    findings: list[Finding] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)  # written first; if they fail, not this

    def diff(self) -> str:
        before = (self.before or "").splitlines(keepends=True)
        after = self.after.splitlines(keepends=True)
        lines = difflib.unified_diff(
            before,
            after,
            "/dev/null" if self.before is None else f"a/{self.path}",
            f"b/{self.path}",
        )
        out = []
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


@dataclass
class Plan:
    """What ``--fix`` would do, computed without writing: each file's new text, the fixes that
    could not be made, the messages to show, and the findings fixed."""

    changes: dict[str, Change] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # shown after writing (redacted)
    fixed: list[Finding] = field(default_factory=list)

    def diff(self) -> str:
        return "".join(self.changes[p].diff() for p in sorted(self.changes))


@dataclass
class FixResult:
    """What :func:`apply_fixes` did: the findings fixed and those left to report, the errors
    (fixes not made, files not written), and the messages to show."""

    remaining: list[Finding]  # findings not fixed (to report)
    fixed: list[Finding]
    errors: list[tuple[str, str]]
    messages: list[str] = field(default_factory=list)


def allowed(finding: Finding, unsafe: bool) -> bool:
    level = finding.fix_applicability  # a safe fix of a low-confidence finding is unsafe
    return level == "safe" or (unsafe and level == "unsafe")


@dataclass
class _Edit:
    """One span edit as offsets in the file's text, with the finding whose fix it is."""

    start: int
    end: int
    replacement: str
    owner: Finding


@dataclass
class _Work:
    """What is to be done to one file."""

    edits: list[tuple[tuple[Span, str], Finding]] = field(default_factory=list)
    transforms: dict[str, list[Finding]] = field(default_factory=dict)


def plan(
    findings: Sequence[Finding],
    cwd: Path,
    *,
    unsafe: bool = False,
    relint: Relint | None = None,
    context: TransformContext | None = None,
) -> Plan:
    """Every file's fixed text, computed in memory: nothing is written."""
    chosen = [f for f in findings if allowed(f, unsafe)]
    context = context or TransformContext(cwd)
    excluded: set[int] = set()
    carried: list[tuple[str, str]] = []
    while True:  # a multi-file fix that failed somewhere is planned again without it
        result, incomplete = _plan_once(
            [f for f in chosen if id(f) not in excluded], cwd, relint, context
        )
        for error in result.errors:
            if error not in carried:
                carried.append(error)
        if not incomplete:
            result.errors = carried
            return result
        for finding in incomplete:
            excluded.add(id(finding))
            carried.append(
                (finding.path, f"{finding.rule} not fixed: its edits in other files failed")
            )


def _plan_once(
    chosen: Sequence[Finding], cwd: Path, relint: Relint | None, context: TransformContext
) -> tuple[Plan, list[Finding]]:
    work: dict[str, _Work] = defaultdict(_Work)
    for finding in chosen:
        fix = finding.fix
        assert fix is not None
        if fix.transform:
            work[finding.path].transforms.setdefault(fix.transform, []).append(finding)
        else:
            work[finding.path].edits.append(((fix.span, fix.replacement), finding))
        for path, span, replacement in fix.edits:
            work[path].edits.append(((span, replacement), finding))
    result = Plan()
    applied: dict[int, int] = Counter()  # id(finding) -> edits applied
    side: list[SideEdit] = []
    for path in sorted(work):
        change = _plan_file(path, work[path], cwd, result, applied, side, context)
        if change is not None:
            result.changes[path] = change
    failed_sides = _apply_side_edits(side, cwd, result)
    wanted: Counter[int] = Counter()
    for finding in chosen:
        assert finding.fix is not None
        if not finding.fix.transform:
            wanted[id(finding)] = 1 + len(finding.fix.edits)
    incomplete = [
        f for f in chosen if f.fix and f.fix.edits and applied[id(f)] not in (0, wanted[id(f)])
    ]
    incomplete.extend(failed_sides)
    if incomplete:
        return result, incomplete
    _decide_fixed(result, chosen, applied, relint)
    return result, []


def _read(path: str, cwd: Path, plan_: Plan) -> str | None:
    target = cwd / path
    try:
        writable_target(target)
        data = target.read_bytes()
    except Refused as exc:
        plan_.errors.append((path, str(exc)))
        return None
    except OSError as exc:
        plan_.errors.append((path, f"cannot fix: {exc.strerror or exc}"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        plan_.errors.append((path, "not fixed: the file is not valid UTF-8"))
        return None


def _plan_file(
    path: str,
    todo: _Work,
    cwd: Path,
    result: Plan,
    applied: dict[int, int],
    side: list[SideEdit],
    context: TransformContext,
) -> Change | None:
    original = _read(path, cwd, result)
    if original is None:
        return None
    bom = original.startswith(_BOM)
    text = original[1:] if bom else original
    broken = parse_error(path, text)
    if broken:
        result.errors.append((path, f"not fixed: the file does not parse as {broken}"))
        return None
    text, done = _apply_edits(path, text, todo.edits, result)
    for finding in done:
        applied[id(finding)] += 1
    touched = list(dict.fromkeys(done))
    for name, group in sorted(todo.transforms.items()):
        outcome = run_transform(name, path, text, group, context)
        if outcome.error:
            result.errors.append((path, outcome.error))
        if outcome.text is None or outcome.text == text:
            continue
        broken = parse_error(path, outcome.text)
        if broken:
            result.errors.append(
                (path, f"{name} fix dropped: its result would not parse as {broken}")
            )
            continue
        text = outcome.text
        for edit in outcome.side_edits:
            edit.origin, edit.owners = path, tuple(group)
            side.append(edit)
        result.messages.extend(outcome.messages)
        touched.extend(group)
    new = (_BOM if bom else "") + text
    if new == original:
        return None
    return Change(path, cwd / path, original, new, touched)


def _apply_edits(
    path: str, text: str, items: list[tuple[tuple[Span, str], Finding]], result: Plan
) -> tuple[str, list[Finding]]:
    """Apply non-overlapping span edits; if the result does not parse, keep only the edits
    that each leave it parsing (and report the others)."""
    if not items:
        return text, []
    source = SourceFile.from_text(path, text)
    edits: list[_Edit] = []
    seen: set[tuple[int, int, str]] = set()
    for (span, replacement), owner in items:
        try:
            start = source.offset(span.line, span.column)
            end = source.offset(span.end_line, span.end_column)
        except (IndexError, ValueError):
            continue
        key = (start, end, replacement)
        if key in seen or start > end:
            continue
        seen.add(key)
        edits.append(_Edit(start, end, replacement, owner))
    edits.sort(key=lambda e: (e.start, e.end))
    chosen: list[_Edit] = []
    for edit in edits:  # the first of overlapping edits wins
        if chosen and edit.start < chosen[-1].end:
            continue
        chosen.append(edit)

    def drop(edit: _Edit, why: str) -> None:
        line, column = source.position(edit.start)
        result.errors.append((path, f"{edit.owner.rule} fix at {line}:{column} dropped: {why}"))

    splice: Callable[[str, Sequence[_Edit]], str | None] = _splice
    if detect_kind(path) is FileKind.PYTHON:
        from keylint.fix import pyedit

        parsed = pyedit.tokens(text)
        if parsed is None:
            result.errors.append((path, "not fixed: libcst cannot parse the file"))
            return text, []
        inside = [e for e in chosen if pyedit.owner(e, parsed[1]) is not None]
        for edit in chosen:
            if edit not in inside:
                drop(edit, "it is not inside one string literal or argument name")
        chosen = inside
        splice = pyedit.splice
    new = splice(text, chosen)
    if new is not None and parse_error(path, new) is None:
        return new, [e.owner for e in chosen]
    kept: list[_Edit] = []
    for edit in chosen:
        trial = splice(text, [*kept, edit])
        if trial is not None and parse_error(path, trial) is None:
            kept.append(edit)
        else:
            drop(edit, "the file would no longer parse")
    return splice(text, kept) or text, [e.owner for e in kept]


def _splice(text: str, edits: Sequence[_Edit]) -> str | None:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def _apply_side_edits(side: list[SideEdit], cwd: Path, result: Plan) -> list[Finding]:
    """Edits a transform makes to other files (the key appended to ``.env``); returns the
    findings whose transform needs an edit that cannot be made (they are planned again
    without it)."""
    failed: list[Finding] = []
    for edit in side:
        change = result.changes.get(edit.path)
        if change is not None:
            current: str | None = change.after
        elif (cwd / edit.path).exists() or (cwd / edit.path).is_symlink():
            current = _read(edit.path, cwd, result)
            if current is None:
                failed.extend(edit.owners)
                continue
        else:
            current = None
        new = edit.update(current)
        if new is None or new == current:
            continue
        if change is not None:
            change.after = new
        else:
            result.changes[edit.path] = Change(edit.path, cwd / edit.path, current, new, [])
        origin = result.changes.get(edit.origin)
        if origin is not None and edit.path not in origin.requires:
            origin.requires.append(edit.path)
    return failed


def _decide_fixed(
    result: Plan, chosen: Sequence[Finding], applied: dict[int, int], relint: Relint | None
) -> None:
    """A finding is fixed when its edit was applied, or — for transforms, and whenever a
    re-lint is possible — when the fixed text no longer has it."""
    for change in result.changes.values():
        ids = {id(f) for f in change.findings}
        mine = [f for f in chosen if f.path == change.path and id(f) in ids]
        if relint is None:
            result.fixed.extend(f for f in mine if f.fix and not f.fix.transform)
            continue
        after = Counter((f.rule, f.message) for f in relint(change.path, change.after))
        file_rules = {f.rule for f in relint(change.path, change.before or "")}
        for finding in mine:
            key = (finding.rule, finding.message)
            if finding.rule not in file_rules:
                result.fixed.append(finding)  # a project rule: the re-lint cannot see it
            elif after[key] > 0:
                after[key] -= 1
            else:
                result.fixed.append(finding)


def write(plan_: Plan) -> list[tuple[str, str]]:
    """Write every change of the plan; returns (path, message) for the files not written."""
    errors: list[tuple[str, str]] = []
    failed: set[str] = set()
    needed = {p for change in plan_.changes.values() for p in change.requires}
    order = sorted(plan_.changes, key=lambda p: (p not in needed, p))  # `.env` before code
    for path in order:
        change = plan_.changes[path]
        try:
            missing = [p for p in change.requires if p in failed]
            if missing:
                raise Refused(f"not fixed: {missing[0]} could not be written first")
            if _current(change.target) != change.before:
                raise Refused("not fixed: the file changed while keylint was running")
            safe_write(change.target, change.after.encode("utf-8"), create=change.before is None)
        except Refused as exc:
            errors.append((path, str(exc)))
            failed.add(path)
        except OSError as exc:
            errors.append((path, f"cannot write fix: {exc.strerror or exc}"))
            failed.add(path)
    if failed:
        plan_.fixed = [f for f in plan_.fixed if f.path not in failed]
    return errors


def _current(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None if not path.is_symlink() else ""
    except (OSError, UnicodeDecodeError):
        return ""  # differs from any planned text: refused


def apply_fixes(
    findings: Sequence[Finding],
    cwd: Path,
    *,
    unsafe: bool = False,
    relint: Relint | None = None,
    context: TransformContext | None = None,
) -> FixResult:
    """Plan and write; the findings not fixed are returned to be reported."""
    planned = plan(findings, cwd, unsafe=unsafe, relint=relint, context=context)
    errors = [*planned.errors, *write(planned)]
    done = {id(f) for f in planned.fixed}
    return FixResult(
        [f for f in findings if id(f) not in done], planned.fixed, errors, planned.messages
    )
