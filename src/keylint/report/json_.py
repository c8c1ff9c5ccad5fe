"""One JSON document: ``{"keylint": version, "findings": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from keylint import __version__
from keylint.findings import Finding
from keylint.report import Report, printable_tree


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "name": f.name,
        "category": f.category.value,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "message": f.message,
        "confidence": f.confidence.value,
    }
    if f.confidence_reason:
        out["confidence_reason"] = f.confidence_reason
    if f.provider:
        out["provider"] = f.provider
    if f.secret:
        out["secret"] = {"redacted": f.secret.redacted, "fingerprint": f.secret.fingerprint}
    if f.fix:
        out["fix"] = {
            "description": f.fix.description,
            "applicability": f.fix_applicability,
            "line": f.fix.span.line,
            "column": f.fix.span.column,
            "end_line": f.fix.span.end_line,
            "end_column": f.fix.span.end_column,
            # The replacement text is not shown: for a key fix it would be the key.
        }
    if f.verification:
        out["verification"] = f.verification.as_dict()
    for key, value in f.extra:
        out.setdefault(key, value)
    return out


def render(report: Report) -> str:
    by_category = Counter(f.category.value for f in report.findings)
    by_severity = Counter(f.severity.value for f in report.findings)
    doc: dict[str, Any] = {
        "keylint": __version__,
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [{"path": p, "message": m} for p, m in report.errors],
        "summary": {
            "findings": len(report.findings),
            "files_checked": report.files_checked,
            "by_severity": dict(sorted(by_severity.items())),
            "by_category": dict(sorted(by_category.items())),
            "errors": len(report.errors),
            "hidden_below_min_confidence": report.hidden,
            **({"fixed": report.fixed} if report.fixed else {}),
        },
    }
    doc.update(report.extra)
    return json.dumps(printable_tree(doc), indent=2, ensure_ascii=False) + "\n"
