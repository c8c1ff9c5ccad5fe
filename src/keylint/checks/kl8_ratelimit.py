"""What the rate-limit rules share (KL8xx): the ``rate_limit:`` sections of
rules/providers/*.yaml, and what counts as waiting in a retry loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from keylint.facts import Handler, Loop, SdkUse, Span
from keylint.providers import ProviderDB

# Calls that wait before the next attempt: time.sleep, asyncio.sleep, trio/anyio/gevent.sleep.
# Not provider facts (the standard library and the async runtimes), so not in rules/.
_SLEEP_NAMES = frozenset({"sleep"})


@dataclass(frozen=True)
class RateLimit:
    """One provider's ``rate_limit:`` data: its rate-limit exceptions, the client classes that
    take a retries keyword (and its name), and the 429 error codes no retry fixes."""

    provider: str
    exceptions: tuple[str, ...]
    clients: tuple[str, ...]
    retries_kwarg: str
    never_retry: tuple[str, ...]


_CACHE: dict[int, tuple[ProviderDB, list[RateLimit]]] = {}


def rate_limits(db: ProviderDB) -> list[RateLimit]:
    cached = _CACHE.get(id(db))
    if cached is not None and cached[0] is db:
        return cached[1]
    out = []
    for provider, section in db.iter_sections("rate_limit"):
        if not isinstance(section, Mapping):
            continue
        out.append(
            RateLimit(
                provider.id,
                tuple(str(s) for s in section.get("exceptions") or ()),
                tuple(str(s) for s in section.get("clients") or ()),
                str(section.get("retries_kwarg") or "max_retries"),
                tuple(str(s) for s in section.get("never_retry") or ()),
            )
        )
    _CACHE[id(db)] = (db, out)
    return out


def caught(handler: Handler, limits: list[RateLimit]) -> RateLimit | None:
    """The provider whose rate-limit exception ``handler`` catches by name."""
    for limit in limits:
        for name in handler.types:
            if name in limit.exceptions or any(
                name == e.replace(".", ".error.", 1) for e in limit.exceptions
            ):
                return limit
    return None


def waits(names: tuple[str, ...] | list[str]) -> bool:
    return any(n.rsplit(".", 1)[-1] in _SLEEP_NAMES for n in names)


def retries(handler: Handler) -> bool:
    """The handler lets the loop go round again (it does not end by leaving the loop)."""
    return handler.ends not in ("raise", "return", "break")


def loop_of(handler: Handler, loops: list[Loop]) -> Loop | None:
    """The innermost loop holding ``handler``."""
    holding = [lp for lp in loops if handler in lp.handlers]
    return min(holding, key=lambda lp: lp.span.end_line - lp.span.line, default=None)


def is_client(use: SdkUse, limit: RateLimit) -> bool:
    return use.symbol in limit.clients


def api_calls(loop: Loop, limit: RateLimit) -> list[tuple[str, Span]]:
    """Calls on a client of the provider inside the loop (``openai.OpenAI().chat...``)."""
    return [
        (callee, span)
        for callee, span in loop.calls
        if any(callee.startswith(client + "().") for client in limit.clients)
    ]
