"""What ``keylint doctor`` finds: where each variable's value comes from, and what is wrong.

Values never appear here: a :class:`Seen` value carries only the redacted form and the
fingerprint of :class:`keylint.findings.Secret`, plus what is wrong with its characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Level(str, Enum):
    """How bad a problem is. ``note`` is reported but does not fail the run."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def fails(self) -> bool:
        return self is not Level.NOTE


@dataclass(frozen=True)
class Step:
    """One place values come from when the app starts, in load order.

    ``override`` says whether a value here replaces one already set (the process
    environment is always first; python-dotenv's default is not to override).
    """

    kind: str  # "environment" | "dotenv" | "compose"
    label: str  # "your shell", ".env"
    by: str  # who loads it, for sentences: "load_dotenv() at app.py:3"
    how: str = ""  # details: "searched up from src/ for .env"
    path: str | None = None  # display path of a dotenv file
    override: bool = False
    exists: bool = True
    interpolate: bool = True  # python-dotenv expands ${VAR} by default


@dataclass(frozen=True)
class Plan:
    """An ordered chain of steps: how one way of starting the app builds its environment."""

    name: str  # "python app", "flask run", "next dev", "docker compose (service api)"
    steps: tuple[Step, ...]
    note: str = ""


@dataclass(frozen=True)
class Seen:
    """A variable's value as one step holds it: redacted form and fingerprint, never the value."""

    step: Step
    redacted: str
    fingerprint: str
    empty: bool
    issues: tuple[str, ...] = ()  # "leading whitespace", "an invisible U+200B", ...
    dynamic: bool = False  # `${OTHER}` interpolation: the fingerprint is of the text

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.step.label,
            "kind": self.step.kind,
            "path": self.step.path,
            "redacted": self.redacted,
            "fingerprint": self.fingerprint,
            "empty": self.empty,
            "issues": list(self.issues),
            "dynamic": self.dynamic,
        }


@dataclass
class Variable:
    """One variable in one plan: every step that holds it, and the one the app gets."""

    name: str
    provider: str | None
    plan: str
    seen: list[Seen] = field(default_factory=list)
    effective: Seen | None = None
    reason: str = ""  # why the effective one wins
    read_at: tuple[str, ...] = ()  # "app.py:4" where code reads it, or the SDK that does

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "provider": self.provider,
            "plan": self.plan,
            "read_at": list(self.read_at),
            "sources": [s.to_json() for s in self.seen],
            "effective": self.effective.to_json() if self.effective else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Problem:
    """Something in the effective configuration that makes the key fail, or may."""

    code: str  # stable id: "shadowed", "dotenv-conflict", "empty", ...
    level: Level
    message: str
    provider: str | None = None
    variable: str | None = None
    hint: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "level": self.level.value,
            "message": self.message,
            "provider": self.provider,
            "variable": self.variable,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Package:
    """An SDK distribution: what is installed where the app runs, and what the project pins."""

    name: str
    installed: str | None
    pinned: str | None
    environment: str  # where it was looked up: ".venv", "$VIRTUAL_ENV", "this interpreter"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "installed": self.installed,
            "pinned": self.pinned,
            "environment": self.environment,
        }


@dataclass
class Diagnosis:
    """Everything ``keylint doctor`` found in one project: the load plans, each variable's
    sources, the problems, the SDK packages, the network settings and the verification answers."""

    root: str
    plans: list[Plan] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    network: list[tuple[str, str]] = field(default_factory=list)  # (variable, what it does)
    verifications: list[dict[str, object]] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        return any(p.level.fails for p in self.problems)
