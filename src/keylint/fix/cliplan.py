"""What ``--fix`` and ``--diff`` need from a run: a plan built with a re-lint of the fixed
text (same settings and pins as the run), and a diff with every key redacted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from keylint.findings import Category, Finding, redact
from keylint.fix.apply import Plan, allowed, plan
from keylint.fix.transforms import TransformContext

if TYPE_CHECKING:
    from keylint.run import RunOptions

_KEY_CATEGORIES = frozenset(
    {Category.HARDCODED_SECRET, Category.KEY_WHITESPACE, Category.MALFORMED_KEY}
)
# In a file whose key is being fixed, any long token of key characters may be a piece of it
# (a key split by a space or an invisible character is not matched as a whole).
_TOKEN = re.compile(r"(?<![A-Za-z0-9_+/-])[A-Za-z0-9_+/-]{16,}")
_MIXED = re.compile(r"(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])")


def plan_for_run(findings: Sequence[Finding], options: RunOptions, unsafe: bool) -> Plan:
    from keylint.discovery import git_root
    from keylint.engine import Engine
    from keylint.run import pins_for

    engine = Engine(options.settings, pins=pins_for(options.cwd, options.paths))

    def relint(path: str, text: str) -> list[Finding]:
        result = engine.lint_bytes(path, text.encode("utf-8"))
        return result.findings

    context = TransformContext(options.cwd, engine.db, git_root(options.cwd))
    return plan(findings, options.cwd, unsafe=unsafe, relint=relint, context=context)


def redacted_diff(planned: Plan) -> str:
    """The plan's unified diff; no key is ever printed in full."""
    from keylint.providers import load

    db = load()
    out = []
    for path in sorted(planned.changes):
        change = planned.changes[path]
        keyish = path.rsplit("/", 1)[-1].startswith(".env") or any(
            f.category in _KEY_CATEGORIES for f in change.findings
        )
        for line in change.diff().splitlines(keepends=True):
            if line.startswith(("---", "+++", "@@")):
                out.append(line)
                continue
            for start, end, fmt in reversed(db.find_keys(line)):
                line = line[:start] + redact(line[start:end], fmt.prefix) + line[end:]
            if keyish:
                line = _TOKEN.sub(_redact_token, line)
            out.append(line)
    return "".join(out)


def unsafe_hint(findings: Sequence[Finding], unsafe: bool) -> str:
    if unsafe:
        return ""
    more = sum(1 for f in findings if allowed(f, True) and not allowed(f, False))
    return f" {more} more with --unsafe-fixes." if more else ""


def _redact_token(m: re.Match[str]) -> str:
    """Mixed case and digits: key-like. Names (``ANTHROPIC_API_KEY``, ``text-davinci-003``)
    stay readable."""
    token = m.group(0)
    return redact(token) if _MIXED.match(token) else token
