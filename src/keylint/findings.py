"""The Finding value and the redaction that keeps secrets out of every output.

A finding never holds a raw secret: rules hand the raw value to :func:`Secret.of`, which keeps
only the redacted form and a SHA-256 fingerprint. Everything downstream (reporters,
baselines, logs) sees only that.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field, replace
from enum import Enum

from keylint.facts import Span


class Category(str, Enum):
    """The ten finding categories of the contract (§3), exact strings."""

    HARDCODED_SECRET = "hardcoded-secret"
    PLACEHOLDER_KEY = "placeholder-key"
    KEY_WHITESPACE = "key-whitespace"
    MALFORMED_KEY = "malformed-key"
    ENV_VAR_NAME = "env-var-name"
    OUTDATED_ENDPOINT = "outdated-endpoint"
    DEPRECATED_MODEL = "deprecated-model"
    DEPRECATED_SDK = "deprecated-sdk"
    AUTH_HEADER = "auth-header"
    DOTENV_SYNTAX = "dotenv-syntax"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


# The key of keyed fingerprints. The CLI (`--hmac-key`, the `hmac-key-env` setting) puts it
# here, in the environment, so pool workers and spawned processes inherit it.
HMAC_KEY_ENV = "KEYLINT_HMAC_KEY"


def digest(data: bytes) -> str:
    """``sha256:<hex>``, or ``hmac-sha256:<hex>`` keyed with ``$KEYLINT_HMAC_KEY`` when set.

    A plain SHA-256 of a short password can be reversed by trying every candidate (a GPU
    tries billions a second): a report or baseline shared outside the team then discloses
    the password. Keyed with a secret the reader lacks, the fingerprint cannot be tested.
    """
    key = os.environ.get(HMAC_KEY_ENV)
    if key:
        return "hmac-sha256:" + hmac.new(key.encode("utf-8"), data, hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(data).hexdigest()


def fingerprint(raw: str) -> str:
    """The secret's fingerprint (:func:`digest` of the raw value): stable for one key, and
    says nothing about the value without the candidates or the HMAC key."""
    return digest(raw.encode("utf-8", "surrogatepass"))


def redact(raw: str, prefix: str = "") -> str:
    """Show at most the provider prefix plus 4 characters and the last 4 (contract §5).

    Never more than a third of the value is shown: short values show less, down to nothing
    but an ellipsis.
    """
    if prefix and not raw.startswith(prefix):
        prefix = ""
    budget = len(raw) // 3
    if budget <= 0:
        return "…"
    shown_prefix = prefix[:budget]
    budget -= len(shown_prefix)
    rest = raw[len(shown_prefix) :]
    head_n = min(4, budget // 2)
    tail_n = min(4, budget - head_n)
    if head_n + tail_n >= len(rest):  # pragma: no cover - budget is a third, so never reached
        head_n, tail_n = 0, 0
    head = rest[:head_n]
    tail = rest[len(rest) - tail_n :] if tail_n else ""
    return f"{shown_prefix}{head}…{tail}"


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret as a finding carries it: redacted form and fingerprint, never the raw value."""

    redacted: str
    fingerprint: str
    # SHA-1 hex of the raw value, as detect-secrets' `hashed_secret`: lets a
    # `.secrets.baseline` match. Not shown by any reporter (the fingerprint is keylint's id).
    sha1: str = ""

    @classmethod
    def of(cls, raw: str, prefix: str = "") -> Secret:
        data = raw.encode("utf-8", "surrogatepass")
        sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        return cls(redact(raw, prefix), fingerprint(raw), sha1)


@dataclass(frozen=True, slots=True)
class Fix:
    """A text edit that resolves a finding: replace ``span`` with ``replacement``."""

    span: Span
    replacement: str
    description: str
    applicability: str = "safe"  # "safe" | "unsafe" | "display-only" (ruff's levels)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # the code, e.g. "KL101"
    name: str  # the rule's kebab-case name
    category: Category
    severity: Severity
    path: str  # relative to the working directory, "/" separators
    span: Span
    message: str
    provider: str | None = None
    secret: Secret | None = None
    fix: Fix | None = None
    verification: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.rule)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def with_verification(self, verification: str) -> Finding:
        return replace(self, verification=verification)
