"""``--fix``, ``--unsafe-fixes`` and ``--diff`` (see :mod:`keylint.fix.apply`).

The rule modules import :mod:`keylint.fix.producers` on every lint run, so this package
imports nothing itself: the planner, the writer and libcst load only when fixing.
"""

from __future__ import annotations

from typing import Any

_API = ("Change", "FixResult", "Plan", "allowed", "apply_fixes", "plan", "write")


def __getattr__(name: str) -> Any:
    if name in _API:
        from keylint.fix import apply

        return getattr(apply, name)
    raise AttributeError(name)
