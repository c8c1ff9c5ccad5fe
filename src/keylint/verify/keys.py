"""``keylint keys``: one row per distinct key — where it is, whether git ignores each place,
when it was first committed (``--history``) and whether it still works (``--verify``).

The rows come from the normal run (same discovery, engine, excludes and history walk) with
the key inventory as its only rule; nothing here reads files on its own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from keylint.findings import Finding, Verification
from keylint.verify.collect import Candidate, Collector, Place
from keylint.verify.inventory import KeyInventory, blob_reader, extra, inventory_settings

if TYPE_CHECKING:
    from keylint.run import Outcome, RunOptions
    from keylint.verify import VerifyOptions


@dataclass
class FirstAdded:
    """Where a key was first committed (``--history``): the commit and its date, the file and
    line, and whether HEAD's tree still holds it."""

    commit: str
    date: str  # ISO 8601 author date
    path: str
    line: int
    in_head: bool

    def age_days(self, now: dt.datetime | None = None) -> int | None:
        try:
            when = dt.datetime.fromisoformat(self.date)
        except ValueError:
            return None
        now = now or dt.datetime.now(dt.timezone.utc)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return max(0, (now - when).days)


@dataclass
class KeyRow:
    """One row of ``keylint keys``: a distinct key (redacted and fingerprint only), every place
    it is, when it was first committed and whether it still works."""

    provider: str
    label: str
    redacted: str
    fingerprint: str
    places: list[Place] = field(default_factory=list)
    first_added: FirstAdded | None = None
    verification: Verification | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "provider": self.provider,
            "label": self.label,
            "secret": {"redacted": self.redacted, "fingerprint": self.fingerprint},
            "places": [
                {"path": p.path, "line": p.line, "column": p.column, "git_ignored": p.git_ignored}
                for p in self.places
            ],
        }
        if self.first_added:
            fa = self.first_added
            out["first_added"] = {
                "commit": fa.commit,
                "date": fa.date,
                "age_days": fa.age_days(),
                "path": fa.path,
                "line": fa.line,
                "in_head": fa.in_head,
            }
        if self.verification:
            out["verification"] = self.verification.as_dict()
        return out


@dataclass
class KeysResult:
    """What :func:`list_keys` gave: rows, the run's errors and notes, the ``--verify`` summary."""

    rows: list[KeyRow]
    errors: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    summary: str = ""


def inventory_run(options: RunOptions) -> Outcome:
    from keylint.engine import Engine
    from keylint.run import execute, pins_for

    settings = inventory_settings(options.settings)
    engine = Engine(settings, rules=[KeyInventory()], pins=pins_for(options.cwd, options.paths))
    return execute(replace(options, settings=settings), engine)


def list_keys(
    options: RunOptions,
    history: str | None = None,
    verify: VerifyOptions | None = None,
) -> KeysResult:
    """Raises ConfigError, GitError, VerifyConfigError, like ``run.execute``."""
    from keylint.providers import load
    from keylint.verify.attach import context_names
    from keylint.verify.spec import load_checks

    tree = inventory_run(options)
    rows: dict[str, KeyRow] = {}
    for f in tree.findings:
        row = _row(rows, f)
        row.places.append(
            Place(f.path, f.span.line, f.span.column, extra(f, "git_ignored") == "true")
        )
    past: list[Finding] = []
    if history is not None:
        past = inventory_run(replace(options, history=history, paths=options.paths)).findings
        for f in past:
            row = _row(rows, f)
            row.first_added = FirstAdded(
                extra(f, "commit") or "",
                extra(f, "author_date") or "",
                f.path,
                f.span.line,
                extra(f, "in_head") == "true",
            )
    result = KeysResult(sorted(rows.values(), key=_order), list(tree.errors), list(tree.notes))
    if verify is None:
        return result
    from keylint.verify import summary_line, verify_candidates

    collector = Collector(load(), load_checks(), context_names())
    read_blob = blob_reader(options.cwd)

    def text_of(f: Finding) -> str | None:
        commit = extra(f, "commit")
        return read_blob(commit, f.path) if commit else tree.lines(f.path)

    cands: dict[str, Candidate] = {}
    for f in [*tree.findings, *past]:
        cand = collector.add_finding(f, text_of)
        if cand is not None:
            cands[cand.fingerprint] = cand
    hosts = [h for c in cands.values() for h in c.hosts]
    answers = verify_candidates(list(cands.values()), verify, project_hosts=hosts)
    for fp, v in answers.items():
        if fp in rows:
            rows[fp].verification = v
    if answers:
        result.summary = summary_line(list(answers.values()))
    return result


def _row(rows: dict[str, KeyRow], f: Finding) -> KeyRow:
    assert f.secret is not None
    row = rows.get(f.secret.fingerprint)
    if row is None:
        row = rows[f.secret.fingerprint] = KeyRow(
            f.provider or "", extra(f, "label") or "", f.secret.redacted, f.secret.fingerprint
        )
    return row


def _order(row: KeyRow) -> tuple[str, str, int, str]:
    first = row.places[0] if row.places else None
    if first is not None:
        return ("0", first.path, first.line, row.fingerprint)
    fa = row.first_added
    return ("1", fa.path if fa else "", fa.line if fa else 0, row.fingerprint)


# --- output -----------------------------------------------------------------------------------


def render_json(result: KeysResult, version: str) -> str:
    doc = {
        "keylint": version,
        "keys": [row.as_dict() for row in result.rows],
        "errors": [{"path": p, "message": m} for p, m in result.errors],
        "summary": {"keys": len(result.rows), **_by_result(result.rows)},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _by_result(rows: Sequence[KeyRow]) -> dict[str, dict[str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        if row.verification:
            counts[row.verification.result] = counts.get(row.verification.result, 0) + 1
    return {"by_result": dict(sorted(counts.items()))} if counts else {}


def render_text(result: KeysResult, now: Callable[[], dt.datetime] | None = None) -> str:
    lines: list[str] = []
    current = now() if now else None
    for row in result.rows:
        lines.append(f"{row.provider}  {row.redacted}  {row.fingerprint[:23]}…  ({row.label})")
        for p in row.places:
            lines.append(
                f"    {p.path}:{p.line}:{p.column}" + ("  (git-ignored)" if p.git_ignored else "")
            )
        if row.first_added:
            lines.append("    " + _age_line(row, current))
        if row.verification:
            v = row.verification
            shown = f"{v.result} ({v.reason})" if v.reason else v.result
            lines.append(f"    verified: {shown} — {v.detail}")
    n = len(result.rows)
    lines.append(f"{n} distinct key{'s' if n != 1 else ''}")
    return "\n".join(lines) + "\n"


def _age_line(row: KeyRow, now: dt.datetime | None) -> str:
    fa = row.first_added
    assert fa is not None
    days = fa.age_days(now)
    sha = fa.commit[:12]
    where = f"first committed in {sha} ({fa.date[:10]}, {fa.path}:{fa.line})"
    state = "still in HEAD" if fa.in_head else "gone from HEAD, still in the history"
    if days is None:
        return f"{where}, {state}"
    return f"{where}, {_ago(days)}, {state}: rotate it"


def _ago(days: int) -> str:
    if days < 1:
        return "today"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"
