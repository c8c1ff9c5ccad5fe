"""The Finding value and the redaction that keeps secrets out of every output.

A finding never holds a raw secret: rules hand the raw value to :func:`Secret.of`, which keeps
only the redacted form and a SHA-256 fingerprint. Everything downstream (reporters,
baselines, logs) sees only that.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import field, replace
from enum import Enum

from keylint.span import Span, value_class


class Category(str, Enum):
    """The finding categories of the contract (§3), exact strings."""

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
    RATE_LIMIT = "rate-limit"  # retries that make rate limits and billing errors worse (KL8xx)


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
        import hmac  # only for a keyed run

        return "hmac-sha256:" + hmac.new(key.encode("utf-8"), data, hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(data).hexdigest()


def fingerprint(raw: str) -> str:
    """The secret's fingerprint (:func:`digest` of the raw value): stable for one key, and
    says nothing about the value without the candidates or the HMAC key."""
    return digest(raw.encode("utf-8", "surrogatepass"))


def redact(raw: str, prefix: str = "") -> str:
    """Show at most the provider prefix plus 4 characters and the last 4.

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


class Confidence(str, Enum):
    """How sure a finding's claim is (spec §8): ``high`` from the text alone, ``medium`` on a
    heuristic, ``low`` where the role of the file or value makes the claim doubtful."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 0, "medium": 1, "high": 2}[self.value]

    def at_most(self, cap: Confidence) -> Confidence:
        return self if self.rank <= cap.rank else cap


@value_class(frozen=True, slots=True)
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


@value_class(frozen=True, slots=True)
class Fix:
    """A text edit that resolves a finding: replace ``span`` with ``replacement``."""

    span: Span
    replacement: str
    description: str
    applicability: str = "safe"  # "safe" | "unsafe" | "display-only" (ruff's levels)
    # A whole-file rewrite done by keylint.fix (e.g. "openai-v1", "move-key") instead of the
    # span edit; ``span`` then only says where the finding is.
    transform: str | None = None
    # The same fix's edits in other files (path, span, replacement): a renamed environment
    # variable is renamed wherever the project reads or defines it, in one run.
    edits: tuple[tuple[str, Span, str], ...] = ()


@value_class(frozen=True, slots=True)
class Verification:
    """What the provider answered about a key (``--verify``, spec §7); never the key itself.

    ``result`` is one of live, invalid, quota-exhausted, restricted, rate-limited,
    unreachable, unsupported, error; ``reason`` a finer name (``mismatched-organization``,
    ``dns``); ``status`` the HTTP status of the answer, when there was one.
    """

    result: str
    provider: str = ""
    reason: str | None = None
    status: int | None = None
    detail: str = ""  # one plain sentence: what it means and what to do
    cached: bool = False

    def __str__(self) -> str:
        return self.result

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"result": self.result, "provider": self.provider}
        if self.reason:
            out["reason"] = self.reason
        if self.status is not None:
            out["status"] = self.status
        if self.detail:
            out["detail"] = self.detail
        out["cached"] = self.cached
        return out


@value_class(frozen=True, slots=True)
class Finding:
    """One problem a rule reports at a place in a file: the rule, severity, confidence and
    message, with the secret, fix and verification answer when there are any."""

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
    verification: Verification | None = None
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    confidence: Confidence = Confidence.HIGH
    # Why the confidence is below the rule's own (shown in JSON/SARIF): "test file", ...
    confidence_reason: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.rule)

    @property
    def fix_applicability(self) -> str | None:
        """The fix's applicability for this finding: a safe fix of a low-confidence finding
        is unsafe (the claim itself is doubtful, so is changing the file for it)."""
        if self.fix is None:
            return None
        if self.fix.applicability == "safe" and self.confidence is Confidence.LOW:
            return "unsafe"
        return self.fix.applicability

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)

    def with_confidence(self, confidence: Confidence, reason: str | None) -> Finding:
        return replace(self, confidence=confidence, confidence_reason=reason)

    def with_verification(self, verification: Verification) -> Finding:
        return replace(self, verification=verification)
