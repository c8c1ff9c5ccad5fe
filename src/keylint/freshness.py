"""How old keylint's provider facts are: shown by ``--version``, noted when stale.

Shutdown dates, replacements and key formats change every month. Each provider file says
when it was last checked (``reviewed:``); the data is as old as its oldest file. A run
whose data is more than ``STALE_AFTER`` older than the day says so once on stderr, so a
user whose keylint has not been upgraded knows that a "no problems" may be out of date.
"""

from __future__ import annotations

import datetime

from keylint.providers import ProviderDB

STALE_AFTER = datetime.timedelta(days=120)


def version_line(version: str, db: ProviderDB) -> str:
    reviewed = db.reviewed
    when = reviewed.isoformat() if reviewed else "unknown"
    return f"keylint {version} (provider data reviewed {when})"


def stale_note(db: ProviderDB, today: datetime.date) -> str | None:
    """The note for a run on ``today``, or None while the data is fresh enough."""
    reviewed = db.reviewed
    if reviewed is None or today - reviewed <= STALE_AFTER:
        return None
    days = (today - reviewed).days
    return (
        f"the provider data was reviewed on {reviewed.isoformat()}, {days} days ago: model "
        "shutdowns, replacements and key formats may have changed since; upgrade keylint "
        "(or add current facts with extend-data)"
    )
