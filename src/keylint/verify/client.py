"""The only module of keylint that opens a socket (architecture: "anything but verify/ opens a
socket: never"). httpx is imported here, and this module only when ``--verify`` sends.

Bounded concurrency (a thread pool), timeouts, no redirects (a redirect could carry the key to
another host), retries with exponential backoff and jitter on 429 and 5xx honouring
``Retry-After`` up to a bound, and the environment's proxy settings (``HTTPS_PROXY``,
``NO_PROXY``, via httpx's ``trust_env``). Network failures are named (dns, connect, tls,
proxy, timeout) and reported as ``unreachable``, never as ``invalid``.
"""

from __future__ import annotations

import functools
import random
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from keylint.verify.classify import classify
from keylint.verify.plan import Planned


@dataclass(frozen=True)
class Settings:
    """How requests are sent: how many at once, the timeout, and the retries on 429 and 5xx."""

    concurrency: int = 4
    timeout: float = 10.0
    retries: int = 3  # after the first attempt, on 429 and 5xx only
    backoff: float = 0.5  # seconds: the first retry waits about this long, then doubles
    max_wait: float = 30.0  # the longest single wait, Retry-After included


@dataclass(frozen=True)
class Answer:
    """What sending one request gave: the result and reason (``unreachable`` and the failure when
    no answer came), the HTTP status, and how many attempts it took."""

    result: str
    reason: str | None = None
    status: int | None = None
    attempts: int = 1
    retry_after: float | None = None  # what the last answer asked for, when given


def send_all(
    plans: Sequence[Planned],
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
) -> list[Answer]:
    """Send each plan once (callers deduplicate), at most ``concurrency`` at a time."""
    if not plans:
        return []
    limits = httpx.Limits(
        max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
    )
    done = 0
    lock = threading.Lock()

    def one(p: Planned) -> Answer:
        nonlocal done
        answer = send(client, p, settings)
        with lock:
            done += 1
            if progress:
                progress(done, len(plans))
        return answer

    with (
        httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            verify=_tls_context(),
            follow_redirects=False,
            trust_env=True,
            limits=limits,
        ) as client,
        ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool,
    ):
        return list(pool.map(one, plans))


@functools.cache
def _tls_context() -> ssl.SSLContext | bool:
    """httpx's default verifying context, built once per process (it costs ~70 ms); honours
    SSL_CERT_FILE / SSL_CERT_DIR as httpx's own would."""
    create = getattr(httpx, "create_ssl_context", None)
    return create(trust_env=True) if create is not None else True


def send(client: httpx.Client, p: Planned, settings: Settings) -> Answer:
    assert p.request is not None
    attempt = 0
    while True:
        attempt += 1
        try:
            response = client.request(p.request.method, p.url, headers=list(p.headers))
        except httpx.TimeoutException:
            return Answer("unreachable", "timeout", attempts=attempt)
        except httpx.TransportError as exc:
            return Answer("unreachable", _network_reason(exc, p.url), attempts=attempt)
        body = response.read()
        status = response.status_code
        verdict = classify(p.check, status, body)
        retryable = verdict.result == "rate-limited" or (
            verdict.result == "error" and status >= 500
        )
        wait = retry_after(response.headers.get("Retry-After"))
        if not retryable or attempt > settings.retries:
            return Answer(verdict.result, verdict.reason, status, attempt, wait)
        delay = wait if wait is not None else _backoff(settings.backoff, attempt)
        if delay > settings.max_wait:
            return Answer(verdict.result, verdict.reason, status, attempt, wait)
        time.sleep(delay)


def _backoff(base: float, attempt: int) -> float:
    """Exponential, with full jitter in its upper half: base·2^(n-1) · [0.5, 1)."""
    return float(base * (2 ** (attempt - 1)) * (0.5 + random.random() / 2))


def retry_after(value: str | None) -> float | None:
    """``Retry-After``: delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _network_reason(exc: BaseException, url: str) -> str:
    if isinstance(exc, httpx.ProxyError):
        return "proxy"
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "tls"
    text = " ".join(str(e) for e in chain).lower()
    if "ssl" in text or "certificate" in text or "tls" in text:
        return "tls"
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        s in text
        for s in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "name resolution",
        )
    ):
        return "dns"
    if _proxied(url):
        return "proxy"  # the connection that failed was the one to the proxy
    return "connect"


def _proxied(url: str) -> bool:
    host = httpx.URL(url).host
    proxies = urllib.request.getproxies_environment()
    scheme = httpx.URL(url).scheme
    if not (proxies.get(scheme) or proxies.get("all")):
        return False
    bypass = getattr(urllib.request, "proxy_bypass_environment", None)  # untyped in stubs
    return not (bypass(host, proxies) if bypass is not None else False)
