"""Is a provider-format key a secret at all? Keys published on purpose (reviewed data in
``rules/public-keys.yaml``) and bodies no generator would produce (``AIzaSyABCDEF…``,
``…000000…``) are not; and a key a character short of its format is still that key.

Shared by KL101 (provider-key) and KL105 (damaged-provider-key). Only facts about text
live here; which keys are public is data.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterator

from keylint.providers import DataError, KeyFormat, data_dir, expand_charset, load_cached_yaml
from keylint.span import value_class

_MIN_BODY = 12  # shorter bodies say too little about how they were made
_MIN_BITS = 2.5  # Shannon bits per character; random base62 has ~5.9, hex ~4
_RUN = 6  # this many equal or consecutive characters in a row is typed, not generated


@value_class(frozen=True)
class PublicKey:
    """A key its provider publishes on purpose (an entry of rules/public-keys.yaml): the
    provider, the key's sha256, why it is public and where that is said."""

    provider: str
    sha256: str
    why: str
    source: str


@functools.cache
def public_keys() -> dict[str, PublicKey]:
    """sha256 hex of the key -> the reviewed entry (no key is stored in the clear)."""
    path = data_dir() / "public-keys.yaml"
    if not path.is_file():
        return {}
    data = load_cached_yaml(path) or {}
    out: dict[str, PublicKey] = {}
    for i, entry in enumerate(data.get("keys") or ()):
        where = f"public-keys.yaml entry {i + 1}"
        if not isinstance(entry, dict):
            raise DataError(f"{where}: not a mapping")
        missing = [f for f in ("provider", "sha256", "why", "source") if not entry.get(f)]
        if missing:
            raise DataError(f"{where}: missing {', '.join(missing)}")
        digest = str(entry["sha256"]).lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise DataError(f"{where}: 'sha256' must be 64 hex digits")
        out[digest] = PublicKey(
            str(entry["provider"]), digest, str(entry["why"]), str(entry["source"])
        )
    return out


def published(raw: str) -> PublicKey | None:
    """The reviewed entry when ``raw`` is a key its provider publishes on purpose."""
    if not public_keys():
        return None
    return public_keys().get(hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest())


def _bits(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _longest_run(text: str) -> int:
    """The longest stretch of equal (``aaaa``) or consecutive (``abcd``, ``4321``) characters."""
    best = run = 1
    step: int | None = None
    for a, b in itertools.pairwise(text):
        d = ord(b) - ord(a)
        if d in (-1, 0, 1) and (step is None or d == step):
            run += 1
        elif d in (-1, 0, 1):
            run = 2
        else:
            run = 1
        step = d if d in (-1, 0, 1) else None
        best = max(best, run)
    return best


def body_of(raw: str, fmt: KeyFormat) -> str:
    return raw[len(fmt.prefix) :] if fmt.prefix and raw.startswith(fmt.prefix) else raw


def made_up(raw: str, fmt: KeyFormat) -> bool:
    """A body typed by a person: a run of six equal or consecutive characters, or too few
    distinct characters for its length (``AIzaSyA1A1A1A1…``). Real keys come from a CSPRNG."""
    body = body_of(raw, fmt)
    if len(body) < _MIN_BODY:
        return False
    return _longest_run(body) >= _RUN or _bits(body) < _MIN_BITS


def not_a_secret(raw: str, fmt: KeyFormat) -> bool:
    return published(raw) is not None or made_up(raw, fmt)


# --- a key one edit away from its format --------------------------------------------------


def _probes(fmt: KeyFormat) -> str:
    """A few characters of the format's alphabet to try where one is missing."""
    alphabet = expand_charset(fmt.charset)
    picks = {alphabet[0], alphabet[len(alphabet) // 2], alphabet[-1]}
    return "".join(sorted(picks))


def _edits(text: str, fmt: KeyFormat) -> Iterator[str]:
    start = len(fmt.prefix)
    for i in range(start, len(text) + 1):
        for c in _probes(fmt):
            yield text[:i] + c + text[i:]  # one character lost
    for i in range(start, len(text)):
        yield text[:i] + text[i + 1 :]  # one character too many


def one_edit_from(text: str, fmt: KeyFormat) -> bool:
    """``text`` becomes a key of ``fmt`` by adding or removing one character: a key that
    lost or gained a character on its way into the file (a truncated paste)."""
    if len(text) > 400:
        return False
    return any(fmt.regex.fullmatch(candidate) for candidate in _edits(text, fmt))
