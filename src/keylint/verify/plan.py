"""Candidate key + provider data → the exact request to send (or why none can be sent).

Where a key may go is decided here and only here: the host comes from ``rules/verify`` (for
Azure: a resource host of the project that matches the data's host patterns), HTTPS only;
the single override is ``KEYLINT_VERIFY_ENDPOINT_<ID>`` (spec §7), plain http only for a
loopback host. Nothing read from the scanned files can name another host.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from keylint import __version__
from keylint.verify.collect import Candidate
from keylint.verify.spec import ProviderCheck, Request


class VerifyConfigError(Exception):
    """A bad ``KEYLINT_VERIFY_ENDPOINT_<ID>`` value: a usage error, said before sending."""


@dataclass(frozen=True)
class Planned:
    """The request to send about one key (its URL and headers), or why none can be sent."""

    candidate: Candidate
    check: ProviderCheck
    request: Request | None = None
    url: str = ""
    # (name, value) pairs; the auth header's value holds the key: never shown or logged.
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    unsupported: str | None = None
    reason: str | None = None  # why unsupported, as a short name

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def describe(self) -> str:
        """Method, URL and header names, the key redacted: what --verify-dry-run prints."""
        cand = self.candidate
        if self.request is None or self.unsupported:
            return f"{cand.provider} {cand.redacted}: not sent ({self.unsupported})"
        names = []
        for name, value in self.headers:
            if name == self.request.auth_header:
                scheme = f"{self.request.auth_scheme} " if self.request.auth_scheme else ""
                names.append(f"{name}: {scheme}{cand.redacted}")
            else:
                names.append(f"{name}: {value}")
        return f"{self.request.method} {self.url}  [{'; '.join(names)}]"


def endpoint_override(provider: str, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """``KEYLINT_VERIFY_ENDPOINT_<ID>`` → (scheme, host[:port]); raises VerifyConfigError."""
    name = "KEYLINT_VERIFY_ENDPOINT_" + provider.upper().replace("-", "_")
    value = environ.get(name)
    if not value:
        return None
    parts = urlsplit(value.strip())
    try:
        port = parts.port
    except ValueError:
        raise VerifyConfigError(f"{name}: bad port in '{value}'") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise VerifyConfigError(f"{name} must be https://host[:port] (got '{value}')")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise VerifyConfigError(f"{name} must be scheme://host[:port] only: the path stays")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise VerifyConfigError(f"{name}: plain http is accepted only for a loopback host")
    netloc = parts.hostname if port is None else f"{_bracket(parts.hostname)}:{port}"
    return parts.scheme, netloc


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def plan(
    cand: Candidate,
    check: ProviderCheck,
    environ: Mapping[str, str] | None = None,
    project_hosts: Sequence[str] = (),
) -> Planned:
    environ = os.environ if environ is None else environ
    if check.unsupported:
        return Planned(cand, check, unsupported=check.unsupported, reason="no-safe-request")
    request = check.request_for(cand.format_id)
    if request is None:
        return Planned(
            cand,
            check,
            unsupported=f"{check.label} has no read-only check for {cand.label}",
            reason="no-request-for-format",
        )
    override = endpoint_override(check.provider, environ)
    if override is not None:
        scheme, netloc = override
    elif request.host is not None:
        scheme, netloc = "https", request.host
    else:
        host, why = _project_host(request, cand.hosts, project_hosts)
        if host is None:
            return Planned(cand, check, request, unsupported=why, reason="no-endpoint")
        scheme, netloc = "https", host
    headers: list[tuple[str, str]] = []
    credential = f"{request.auth_scheme} {cand.raw}" if request.auth_scheme else cand.raw
    headers.append((request.auth_header, credential))
    headers.extend(request.headers)
    for ctx in request.context:
        value = cand.defined.get(ctx.name)
        if value is not None and ctx.value.fullmatch(value):
            headers.append((ctx.header, value))
    headers.append(("User-Agent", f"keylint/{__version__} (verify)"))
    return Planned(cand, check, request, f"{scheme}://{netloc}{request.path}", tuple(headers))


def _project_host(
    request: Request, own: Sequence[str], project: Sequence[str]
) -> tuple[str | None, str]:
    """The one resource host of the project for this key: its own file's first, then the
    project's. None with a reason when there is none, or several and none next to the key."""
    for hosts in (own, project):
        matching = list(dict.fromkeys(h for h in hosts if request.accepts_host(h)))
        if len(matching) == 1:
            return matching[0], ""
        if len(matching) > 1:
            return None, (
                f"several endpoints ({', '.join(matching[:3])}) and none is clearly this key's; "
                "verify it with the endpoint set in KEYLINT_VERIFY_ENDPOINT_AZURE_OPENAI"
            )
    patterns = ", ".join(request.host_patterns)
    return (
        None,
        f"no endpoint found in the project (a URL on {patterns}, e.g. AZURE_OPENAI_ENDPOINT)",
    )
