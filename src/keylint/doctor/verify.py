"""``keylint doctor --verify``: ask each provider about the keys the app would use.

The doctor decides *which* keys to ask about (the effective value of each provider key
variable and the values it shadows, distinct fingerprints only); :mod:`keylint.verify` asks
(its reviewed requests in ``rules/verify``, cache, concurrency, the
``KEYLINT_VERIFY_ENDPOINT_<ID>`` override, the hop an unreachable answer failed at). A
:data:`Verifier` takes all the keys at once, so they are sent concurrently.

Nothing here imports httpx: :func:`keylint.verify.verify_candidates` does, and only when a
request is really sent (not for ``--verify-dry-run``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keylint.verify import VerifyOptions

# (provider id, raw key) -> a verdict ("valid", "revoked", ...): the simple, one-key-at-a-time
# form of a verifier (tests, callers without keylint.verify).
VerifyStep = Callable[[str, str], str]

GOOD = frozenset({"valid", "live", "ok"})
# Answers that say nothing about the key: the doctor reports them, never as "invalid".
UNKNOWN = frozenset({"unreachable", "rate-limited", "error", "unsupported"})
DRY_RUN = "dry-run"

_HTTPS_HOST = re.compile(r"https://([A-Za-z0-9.-]+)")


@dataclass(frozen=True)
class Asked:
    """One distinct key to verify. ``raw`` is the key: never shown, logged or stored."""

    provider: str
    raw: str = field(repr=False)
    fingerprint: str  # of ``raw``
    redacted: str

    def __str__(self) -> str:  # never the raw key, whatever formats this object
        return f"{self.provider} {self.redacted}"


@dataclass(frozen=True)
class Verdict:
    """What verification said about one key: the result, a finer reason, and what it means."""

    result: str  # live, invalid, quota-exhausted, restricted, unreachable, ..., dry-run
    reason: str | None = None  # "connect", "mismatched-organization", ...
    detail: str = ""  # one plain sentence: what it means (dry run: what would be sent)
    status: int | None = None
    cached: bool = False

    @property
    def shown(self) -> str:
        """``unreachable (dns)``, ``invalid (HTTP 401)``, ``live``."""
        if self.reason:
            return f"{self.result} ({self.reason})"
        if self.status is not None and self.result in ("invalid", "error"):
            return f"{self.result} (HTTP {self.status})"
        return self.result


# (keys, the environment the app gets) -> fingerprint -> verdict. The environment gives the
# request its context, as the SDK would: OPENAI_ORG_ID, an Azure resource endpoint.
Verifier = Callable[[Sequence[Asked], Mapping[str, str]], Mapping[str, Verdict]]


def from_step(step: VerifyStep) -> Verifier:
    """A :data:`Verifier` that asks ``step`` about each key in turn."""

    def verifier(asked: Sequence[Asked], _env: Mapping[str, str]) -> dict[str, Verdict]:
        return {a.fingerprint: Verdict(step(a.provider, a.raw)) for a in asked}

    return verifier


def package_verifier(options: VerifyOptions) -> Verifier:
    """The real one: :mod:`keylint.verify`. Raises VerifyConfigError (a bad
    ``KEYLINT_VERIFY_ENDPOINT_<ID>``) and, without httpx, VerifyConfigError too."""

    def verifier(asked: Sequence[Asked], env: Mapping[str, str]) -> dict[str, Verdict]:
        from keylint.providers import load
        from keylint.verify import verify_candidates
        from keylint.verify.attach import context_names
        from keylint.verify.collect import Candidate, key_format
        from keylint.verify.plan import plan
        from keylint.verify.spec import load_checks

        db = load()
        checks = load_checks()
        defined = {n: env[n] for n in sorted(context_names()) if env.get(n)}
        hosts = list(dict.fromkeys(h for v in env.values() for h in _HTTPS_HOST.findall(v)))
        out: dict[str, Verdict] = {}
        candidates = []
        for a in asked:
            fmt = key_format(a.raw, a.provider, db)
            label = checks[a.provider].label if a.provider in checks else a.provider
            if fmt is None or fmt.provider != a.provider:
                # As `check --verify`: only a value that is one of the provider's key formats
                # is sent anywhere.
                what = (
                    f"the value matches none of {label}'s key formats"
                    if fmt is None
                    else f"the value matches {fmt.label}, not one of {label}'s key formats"
                )
                out[a.fingerprint] = Verdict("unsupported", "not-a-key", f"not sent: {what}")
                continue
            candidates.append(
                Candidate(
                    a.fingerprint,
                    a.provider,
                    fmt.id,
                    fmt.label,
                    a.redacted,
                    a.raw,
                    defined=dict(defined),
                    hosts=list(hosts),
                )
            )
        if options.dry_run:
            for cand in candidates:
                check = checks.get(cand.provider)
                what = (
                    plan(cand, check, project_hosts=hosts).describe()
                    if check is not None
                    else "keylint has no verification request for this provider"
                )
                out[cand.fingerprint] = Verdict(DRY_RUN, None, what)
            return out
        for fp, v in verify_candidates(candidates, options, project_hosts=hosts).items():
            label = checks[v.provider].label if v.provider in checks else v.provider
            # verify's advice for a live key is about a key in a file; this one is in use here.
            detail = f"{label} accepted this key just now" if v.result == "live" else v.detail
            out[fp] = Verdict(v.result, v.reason, detail, v.status, v.cached)
        return out

    return verifier
