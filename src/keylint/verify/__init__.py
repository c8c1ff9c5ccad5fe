"""``--verify``: ask each key's provider, safely, whether the key works (spec §7).

The requests are data (``rules/verify/<provider>.yaml``, :mod:`keylint.verify.spec`); this
package plans them (:mod:`.plan`: where a key may go), sends them (:mod:`.client`, the only
module that imports httpx or opens a socket, imported only when something is sent), reads the
answers (:mod:`.classify`) and caches them (:mod:`.cache`). Importing this package opens
nothing and needs no network library.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from keylint.findings import Verification
from keylint.verify.cache import DEFAULT_TTL, Cache, request_digest
from keylint.verify.collect import Candidate
from keylint.verify.plan import Planned, VerifyConfigError, plan
from keylint.verify.spec import RESULTS, ProviderCheck, load_checks

__all__ = [
    "RESULTS",
    "VerifyConfigError",
    "VerifyOptions",
    "advice",
    "summary_line",
    "verify_candidates",
]


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


@dataclass
class VerifyOptions:
    """How ``--verify`` runs: dry run or not, the sending limits (concurrency, timeout, retries
    and waits), the answer cache, and where progress lines go."""

    dry_run: bool = False
    concurrency: int = 4
    timeout: float = 10.0
    use_cache: bool = True
    cache_ttl: float = DEFAULT_TTL
    retries: int = 3
    # Tests (and impatient users) shorten the waits: KEYLINT_VERIFY_BACKOFF=0.01.
    backoff: float = field(default_factory=lambda: _env_float("KEYLINT_VERIFY_BACKOFF", 0.5))
    max_wait: float = field(default_factory=lambda: _env_float("KEYLINT_VERIFY_MAX_WAIT", 30.0))
    progress: bool = False
    echo: Callable[[str], None] = field(
        default=lambda line: print(line, file=sys.stderr), repr=False
    )


def verify_candidates(
    candidates: Sequence[Candidate],
    options: VerifyOptions,
    project_hosts: Sequence[str] = (),
) -> dict[str, Verification]:
    """fingerprint → result, one request per distinct key. Raises VerifyConfigError."""
    checks = load_checks()
    plans: list[Planned] = []
    out: dict[str, Verification] = {}
    for cand in candidates:
        check = checks.get(cand.provider)
        if check is None:
            out[cand.fingerprint] = _verification(
                "unsupported",
                cand,
                None,
                reason="no-check",
                detail="keylint has no verification request for this provider",
            )
            continue
        plans.append(plan(cand, check, project_hosts=project_hosts))
    if options.dry_run:
        for p in plans:
            options.echo(f"keylint: verify (dry run, not sent): {p.describe()}")
        return {}
    cache = Cache(ttl=options.cache_ttl) if options.use_cache else None
    to_send: list[tuple[Planned, str]] = []
    for p in plans:
        cand = p.candidate
        if p.request is None or p.unsupported:
            out[cand.fingerprint] = _verification(
                "unsupported", cand, p.check, reason=p.reason, detail=p.unsupported or ""
            )
            continue
        digest = request_digest(p.request.method, p.url, list(p.headers), p.request.auth_header)
        hit = cache.get(cand.fingerprint, digest) if cache else None
        if hit is not None:
            out[cand.fingerprint] = _verification(
                hit["result"], cand, p.check, hit.get("reason"), hit.get("status"), cached=True
            )
        else:
            to_send.append((p, digest))
    if to_send:
        out.update(_send(to_send, options, cache))
    if cache:
        cache.save()
    return out


def _send(
    to_send: list[tuple[Planned, str]], options: VerifyOptions, cache: Cache | None
) -> dict[str, Verification]:
    try:
        from keylint.verify import client  # httpx: only now, only here
    except ImportError:
        raise VerifyConfigError(
            "--verify needs httpx: pip install 'keylint[verify]' (or use --verify-dry-run)"
        ) from None

    progress = None
    if options.progress:
        from keylint.progress import Progress

        progress = Progress(len(to_send), label="keys verified", min_seconds=0.5)
    settings = client.Settings(
        concurrency=options.concurrency,
        timeout=options.timeout,
        retries=options.retries,
        backoff=options.backoff,
        max_wait=options.max_wait,
    )
    try:
        answers = client.send_all([p for p, _ in to_send], settings, progress)
    finally:
        if progress:
            progress.close()
    out: dict[str, Verification] = {}
    for (p, digest), answer in zip(to_send, answers, strict=True):
        cand = p.candidate
        out[cand.fingerprint] = _verification(
            answer.result,
            cand,
            p.check,
            answer.reason,
            answer.status,
            host=p.host,
            retry_after=answer.retry_after,
        )
        if cache:
            cache.put(cand.fingerprint, digest, answer.result, answer.reason, answer.status)
    return out


def _verification(
    result: str,
    cand: Candidate,
    check: ProviderCheck | None,
    reason: str | None = None,
    status: int | None = None,
    *,
    detail: str = "",
    cached: bool = False,
    host: str = "",
    retry_after: float | None = None,
) -> Verification:
    label = check.label if check else cand.provider
    console = check.console if check else ""
    # Only in files git ignores (a local .env): a working key there is correct practice.
    committed = not cand.places or any(not p.git_ignored for p in cand.places)
    text = detail or advice(result, reason, status, label, console, host, retry_after, committed)
    return Verification(result, cand.provider, reason, status, text, cached)


_RESTRICTED = {
    "mismatched-organization": (
        "the key is valid, but OPENAI_ORG_ID names an organization it does not belong to: "
        "correct OPENAI_ORG_ID (or remove it to use the key's default organization)"
    ),
    "missing-scope": (
        "the key is valid but lacks a permission (a restricted key): give it the scope it "
        "needs at {console}"
    ),
    "ip-not-allowed": "the key is valid but its IP allowlist refuses this address",
    "no-organization": "the key is valid but its account belongs to no organization",
    "unsupported-country": "the key is valid but the provider refuses this country or region",
    "api-not-enabled": (
        "a valid Google key without access to the Generative Language API: enable the API for "
        "its project, or create a key in {console}"
    ),
    "billing-or-region": (
        "the key is valid but the free tier is not available here: enable billing for its "
        "project in {console}"
    ),
    "key-blocked": "the key exists but is blocked: see {console}",
    "team-blocked": "the key's team is blocked: see {console}",
}


def advice(
    result: str,
    reason: str | None,
    status: int | None,
    label: str,
    console: str,
    host: str = "",
    retry_after: float | None = None,
    committed: bool = True,
) -> str:
    """One plain sentence: what the answer means and what to do next."""
    if result == "live" and not committed:
        return f"{label} accepted this key just now: it works (and git ignores where it is)"
    if result == "live":
        return (
            f"{label} accepted this key just now: anyone who has this file can use it. "
            f"Revoke it at {console}, put the new key in the environment or a secret store"
        )
    if result == "invalid":
        why = f" ({status})" if status else ""
        return (
            f"{label} rejected this key{why}: it is revoked, deleted or mistyped. "
            f"Create a new key at {console} and replace this one"
        )
    if result == "quota-exhausted":
        return (
            f"the key is valid but its {label} account has no credit left or reached its "
            f"spending limit: add credit or raise the limit at {console} (a new key will not help)"
        )
    if result == "restricted":
        text = _RESTRICTED.get(
            reason or "", "the key is valid but not allowed to do this: {console}"
        )
        return text.format(console=console)
    if result == "rate-limited":
        wait = f" (it asked to wait {retry_after:.0f} s)" if retry_after else ""
        return f"{label} answered 429 too many requests{wait}: the key was not judged; try later"
    if result == "unreachable":
        where = host or label
        hint = {
            "dns": "the name does not resolve (offline, or a resource that no longer exists)",
            "tls": "the TLS handshake failed (an intercepting proxy? set SSL_CERT_FILE)",
            "proxy": "the proxy failed (check HTTPS_PROXY / NO_PROXY)",
            "timeout": "no answer in time (raise --verify-timeout)",
        }.get(reason or "", "the connection failed")
        return f"could not reach {where}: {hint}; nothing is known about the key"
    if result == "error":
        return (
            f"{label} answered HTTP {status}, an answer keylint cannot read: "
            "nothing is concluded about the key"
        )
    return "this key cannot be verified"


def summary_line(results: Sequence[Verification]) -> str:
    """``verified 4 key(s): 1 live, 2 invalid, 1 unreachable (dns)``."""
    counts: dict[str, int] = {}
    reasons: dict[str, set[str]] = {}
    for v in results:
        counts[v.result] = counts.get(v.result, 0) + 1
        if v.result == "unreachable" and v.reason:
            reasons.setdefault(v.result, set()).add(v.reason)
    parts = []
    for result in RESULTS:
        if result in counts:
            extra = f" ({', '.join(sorted(reasons[result]))})" if result in reasons else ""
            parts.append(f"{counts[result]} {result}{extra}")
    cached = sum(1 for v in results if v.cached)
    tail = f"; {cached} from the cache" if cached else ""
    return f"verified {len(results)} key(s): {', '.join(parts) or 'none'}{tail}"
