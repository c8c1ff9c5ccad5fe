"""Which model to recommend: the announced replacement, followed through the data.

Providers name a replacement when they announce a shutdown, and that replacement is often
announced for shutdown itself later (``gpt-4-32k`` → ``gpt-4o``, which retires in turn).
keylint never recommends a model that is retired, deprecated without a date, or scheduled
to shut down within ``HORIZON`` of the day it judges: it follows the chain of replacements
in ``rules/providers/*.yaml`` to the first one that stays. ``tests/test_facts_fresh.py``
checks that every chain in the data ends on such a model.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

HORIZON = datetime.timedelta(days=90)


class ModelEntry(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def shutdown(self) -> datetime.date | None: ...
    @property
    def replacement(self) -> str: ...
    def retired(self, on: datetime.date) -> bool: ...


M = TypeVar("M", bound=ModelEntry)


def going(model: ModelEntry, on: datetime.date, horizon: datetime.timedelta = HORIZON) -> bool:
    """Not a model to move to on ``on``: gone, deprecated, or shutting down within ``horizon``."""
    if model.retired(on):
        return True
    if model.shutdown is None:
        return True  # deprecated with no shutdown date: still answers, but not a target
    return model.shutdown <= on + horizon


def resolve(
    models: Mapping[str, M], model: M, on: datetime.date, horizon: datetime.timedelta = HORIZON
) -> tuple[str, list[M]]:
    """The replacement to recommend for ``model``, and the announced ones skipped on the way.

    ``models`` maps lower-cased names to entries. A replacement that is no model of the
    data (``gpt-6-luna``, or a sentence) ends the chain; so does one with no replacement of
    its own (there is nothing better to name) or a loop.
    """
    skipped: list[M] = []
    current = model.replacement
    seen = {model.name.lower()}
    while current.lower() in models and current.lower() not in seen:
        nxt = models[current.lower()]
        if not going(nxt, on, horizon) or not nxt.replacement:
            break
        seen.add(current.lower())
        skipped.append(nxt)
        current = nxt.replacement
    return current, skipped


def skipped_note(skipped: Sequence[ModelEntry], on: datetime.date) -> str:
    """Why the recommendation is not the announced replacement: `` (the announced …)``."""
    if not skipped:
        return ""
    gone = skipped[0]
    when = gone.shutdown.isoformat() if gone.shutdown else None
    if gone.shutdown is None:
        state = "is deprecated"
    elif gone.retired(on):
        state = f"was shut down on {when}"
    else:
        state = f"shuts down on {when}"
    return f" (the announced replacement `{gone.name}` {state})"
