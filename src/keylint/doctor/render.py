"""The diagnosis as text (short, ordered: problems first, then where values come from) or
JSON. Only redacted forms and fingerprints ever reach these strings."""

from __future__ import annotations

import json

from keylint.doctor.model import Diagnosis, Level, Variable


def _count(diagnosis: Diagnosis) -> str:
    errors = sum(p.level is Level.ERROR for p in diagnosis.problems)
    warnings = sum(p.level is Level.WARNING for p in diagnosis.problems)
    if not errors and not warnings:
        return "no problem found"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts)


def _short(fingerprint: str) -> str:
    return fingerprint[: len("sha256:") + 8]


def _variable(v: Variable) -> list[str]:
    about = [v.provider or "?"]
    if v.read_at:
        about.append(f"read at {', '.join(v.read_at[:2])}")
    lines = [f"  {v.name} ({'; '.join(about)})"]
    if not v.seen:
        lines.append("    not set")
        return lines
    width = max(len(s.step.label) for s in v.seen)
    for s in v.seen:
        mark = "  <- used" if s is v.effective else ""
        if s.dynamic:
            mark += "  (after ${…} expansion)"
        lines.append(f"    {s.step.label:<{width}}  {s.redacted}  {_short(s.fingerprint)}{mark}")
    if len(v.seen) > 1 or v.effective is None:
        lines.append(f"    why: {v.reason}")
    return lines


def text(diagnosis: Diagnosis) -> str:
    out = [f"keylint doctor: {_count(diagnosis)} ({diagnosis.root})", ""]
    for i, p in enumerate(diagnosis.problems, 1):
        out.append(f"{i:>2}. {p.level.value:<7} {p.message}")
        if p.hint:
            out.append(f"    {'':<7} fix: {p.hint}")
    if diagnosis.problems:
        out.append("")
    for plan in diagnosis.plans:
        variables = [v for v in diagnosis.variables if v.plan == plan.name]
        if not variables:
            continue
        chain = " -> ".join(s.label for s in plan.steps) or "(nothing)"
        out.append(f"Where the values come from ({plan.name}: {chain}):")
        for step in plan.steps:
            if step.kind == "dotenv":
                state = "" if step.exists else " (missing)"
                mode = ", override" if step.override else ""
                out.append(f"  - {step.label}{state}: {step.by}{mode}; {step.how}")
        if plan.note:
            out.append(f"  note: {plan.note}")
        for v in variables:
            out.extend(_variable(v))
        out.append("")
    if diagnosis.packages:
        out.append("SDKs:")
        for pkg in diagnosis.packages:
            have = pkg.installed or "not installed"
            pin = f", the project pins {pkg.pinned}" if pkg.pinned else ""
            out.append(f"  {pkg.name}: {have} ({pkg.environment}){pin}")
        out.append("")
    if diagnosis.network:
        out.append("Network:")
        out.extend(f"  {name}: {what}" for name, what in diagnosis.network)
        out.append("")
    if diagnosis.verifications:
        out.append("Verification:")
        for result in diagnosis.verifications:
            used = " (used)" if result["effective"] else ""
            out.append(
                f"  {result['variable']} from {result['source']} {result['redacted']}{used}: "
                f"{result['result']}"
            )
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def as_json(diagnosis: Diagnosis) -> str:
    data = {
        "root": diagnosis.root,
        "ok": not diagnosis.failing,
        "problems": [p.to_json() for p in diagnosis.problems],
        "plans": [
            {
                "name": plan.name,
                "note": plan.note,
                "steps": [
                    {
                        "kind": s.kind,
                        "source": s.label,
                        "by": s.by,
                        "how": s.how,
                        "override": s.override,
                        "exists": s.exists,
                    }
                    for s in plan.steps
                ],
            }
            for plan in diagnosis.plans
        ],
        "variables": [v.to_json() for v in diagnosis.variables],
        "packages": [p.to_json() for p in diagnosis.packages],
        "network": [{"variable": n, "detail": d} for n, d in diagnosis.network],
        "verifications": diagnosis.verifications,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
