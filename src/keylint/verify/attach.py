"""``keylint check --verify``: verify the keys of a finished run and attach the answers.

Each distinct key (fingerprint) is asked once, however many findings and files hold it. A
live key in a file git would commit becomes an error (the most severe finding keylint makes);
a key in a git-ignored dotenv file (which KL101 rightly does not report) is verified too, and
its answer is given as a note — "why doesn't my key work?" is mostly asked about those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from keylint.findings import Confidence, Finding, Severity, Verification
from keylint.verify import VerifyOptions, summary_line, verify_candidates
from keylint.verify.collect import Collector, Place
from keylint.verify.inventory import KeyInventory, blob_reader, extra, inventory_settings
from keylint.verify.spec import load_checks

if TYPE_CHECKING:
    from keylint.run import Outcome, RunOptions


@dataclass
class Attached:
    """What :func:`verify_outcome` did: one answer per key asked about, the summary line, and a
    note per key found only in a git-ignored dotenv file."""

    results: list[Verification] = field(default_factory=list)
    summary: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)


def context_names() -> set[str]:
    return {
        c.name
        for check in load_checks().values()
        for request in check.requests
        for c in request.context
    }


def ignored_key_findings(run_options: RunOptions) -> list[Finding]:
    """Keys in the git-ignored dotenv files the run read (tree runs only)."""
    from keylint.engine import Engine
    from keylint.run import select_targets

    targets, _ = select_targets(run_options)
    ignored = [t for t in targets if t.git_ignored]
    if not ignored:
        return []
    engine = Engine(inventory_settings(run_options.settings), rules=[KeyInventory()])
    return engine.run(ignored, jobs=1).findings


def verify_outcome(
    outcome: Outcome,
    run_options: RunOptions,
    options: VerifyOptions,
    only: Sequence[str] = (),
) -> Attached:
    from keylint.providers import load

    db = load()
    collector = Collector(db, load_checks(), context_names())
    read_blob = blob_reader(run_options.cwd)

    def text_of(f: Finding) -> str | None:
        commit = extra(f, "commit")
        if commit:
            return read_blob(commit, f.path)
        return outcome.lines(f.path)

    ignored: list[Finding] = []
    if not run_options.staged and run_options.history is None:
        ignored = ignored_key_findings(run_options)
    ignored_paths = {f.path for f in ignored}
    keyed: list[tuple[int, str]] = []  # (finding index, fingerprint)
    for i, f in enumerate(outcome.findings):
        if f.secret is None or f.provider is None:
            continue
        place = Place(
            f.path, f.span.line, f.span.column, f.path in ignored_paths, extra(f, "commit")
        )
        cand = collector.add_finding(f, text_of, place)
        if cand is not None:
            keyed.append((i, cand.fingerprint))
    for f in ignored:
        collector.add_finding(
            f, text_of, Place(f.path, f.span.line, f.span.column, git_ignored=True)
        )
    candidates = collector.candidates
    hosts = [h for c in candidates for h in c.hosts]
    results = verify_candidates(candidates, options, project_hosts=hosts)
    attached = Attached(
        results=[results[c.fingerprint] for c in candidates if c.fingerprint in results]
    )
    for i, fp in keyed:
        v = results.get(fp)
        if v is not None:
            old = outcome.findings[i]
            outcome.findings[i] = annotate(old, v, old.path in ignored_paths)
    reported = {fp for _, fp in keyed}
    rows = []
    for f in ignored:
        assert f.secret is not None
        v = results.get(f.secret.fingerprint)
        if v is None or f.secret.fingerprint in reported:
            continue
        where = f"{f.path}:{f.span.line}:{f.span.column}"
        attached.notes.append(
            (where, f"{f.message} `{f.secret.redacted}` (git-ignored): {v.result}: {v.detail}")
        )
        rows.append(
            {
                "path": f.path,
                "line": f.span.line,
                "column": f.span.column,
                "provider": f.provider,
                "secret": {"redacted": f.secret.redacted, "fingerprint": f.secret.fingerprint},
                "verification": v.as_dict(),
            }
        )
    if only:
        outcome.findings = [
            f for f in outcome.findings if f.verification and f.verification.result in only
        ]
    if attached.results:
        attached.summary = summary_line(attached.results)
        counts: dict[str, int] = {}
        for v in attached.results:
            counts[v.result] = counts.get(v.result, 0) + 1
        outcome.extra["verification"] = {
            "keys": len(attached.results),
            "by_result": dict(sorted(counts.items())),
            **({"git_ignored": rows} if rows else {}),
        }
    return attached


def annotate(f: Finding, v: Verification, in_ignored_file: bool) -> Finding:
    """The answer on the finding: a live committed key is an error; a dead one says so."""
    message = f.message
    severity = f.severity
    confidence, reason = f.confidence, f.confidence_reason
    if v.result == "live":
        # The provider confirmed it: whatever the file's role, this is a real key.
        confidence, reason = Confidence.HIGH, None
        if not in_ignored_file:
            severity = Severity.ERROR
            message = f"LIVE: {message}"
    if v.detail and v.result != "unsupported":
        message = f"{message} — verified {v.result}: {v.detail}"
    return replace(
        f,
        verification=v,
        severity=severity,
        message=message,
        confidence=confidence,
        confidence_reason=reason,
    )
