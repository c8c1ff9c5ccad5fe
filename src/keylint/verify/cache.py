"""A small cache of verification results in the user's cache dir: fingerprint → result + time.

Never the key: entries are keyed by the key's SHA-256 fingerprint (already in every report)
and hold the result, its reason and status, and a digest of what was asked (URL and the
non-secret headers, so a changed OPENAI_ORG_ID asks again). Only answers about the key are
kept (live, invalid, quota-exhausted, restricted); a network failure or a rate limit says
nothing about the key and is asked again next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

CACHEABLE = frozenset({"live", "invalid", "quota-exhausted", "restricted"})
DEFAULT_TTL = 24 * 3600.0
_FILE = "verify-cache.json"


def cache_dir() -> Path:
    """XDG_CACHE_HOME/keylint, or the platform's user cache dir."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "keylint"
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "keylint"
    if os.name == "nt":
        local = os.environ.get("LOCALAPPDATA")
        return (Path(local) if local else home / "AppData" / "Local") / "keylint" / "Cache"
    return home / ".cache" / "keylint"


def request_digest(method: str, url: str, headers: list[tuple[str, str]], auth: str) -> str:
    """What was asked, minus the key: the auth header's value is left out."""
    shown = [(n.lower(), "" if n == auth else v) for n, v in headers]
    data = json.dumps([method, url, sorted(shown)])
    return hashlib.sha256(data.encode()).hexdigest()[:32]


class Cache:
    def __init__(self, path: Path | None = None, ttl: float = DEFAULT_TTL) -> None:
        self.path = path or cache_dir() / _FILE
        self.ttl = ttl
        self.entries: dict[str, dict[str, Any]] = {}
        self.dirty = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict) and isinstance(data.get("entries"), dict):
            self.entries = {
                k: v
                for k, v in data["entries"].items()
                if isinstance(k, str) and k.startswith("sha256:") and isinstance(v, dict)
            }

    def get(self, fp: str, digest: str) -> dict[str, Any] | None:
        entry = self.entries.get(fp)
        if entry is None or entry.get("request") != digest:
            return None
        checked = entry.get("time")
        if not isinstance(checked, (int, float)) or time.time() - checked > self.ttl:
            return None
        if entry.get("result") not in CACHEABLE:
            return None
        return entry

    def put(
        self, fp: str, digest: str, result: str, reason: str | None, status: int | None
    ) -> None:
        if result not in CACHEABLE:
            return
        self.entries[fp] = {
            "result": result,
            "reason": reason,
            "status": status,
            "request": digest,
            "time": time.time(),
        }
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        now = time.time()
        keep = {
            k: v
            for k, v in self.entries.items()
            if isinstance(v.get("time"), (int, float)) and now - v["time"] <= max(self.ttl, 1)
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"version": 1, "entries": keep}, handle, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time
