"""Dotenv values as the app's loader sees them, and what is wrong with a value's characters.

Values stay in memory only for comparing them (by fingerprint) and checking their
characters; everything that leaves this module is a :class:`~keylint.doctor.model.Seen`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from keylint.doctor.model import Seen, Step
from keylint.extract.dotenv import extract
from keylint.facts import DotenvEntry
from keylint.findings import Secret
from keylint.providers import ProviderDB
from keylint.source import FileKind, SourceFile

# python-dotenv's `${NAME}` and `${NAME:-default}` (bare `$NAME` is not expanded).
_VARIABLE = re.compile(r"\$\{(?P<name>[^}:]*)(?::-(?P<default>[^}]*))?\}")
_TYPOGRAPHIC = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb\u2026"


def read_dotenv(path: Path, db: ProviderDB) -> dict[str, str] | None:
    """Name → value as python-dotenv parses the file (last definition wins); None if unreadable.

    Uses keylint's own dotenv lexer (the one the dotenv-syntax rules use), not a second one.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    file = SourceFile.from_text(path.name, text, kind=FileKind.DOTENV)
    out: dict[str, str] = {}
    for fact in extract(file, db):
        if isinstance(fact, DotenvEntry) and fact.value is not None:
            out[fact.key] = fact.value.value
    return out


def interpolate(value: str, env: dict[str, str]) -> tuple[str, bool]:
    """Expand ``${NAME}`` / ``${NAME:-default}`` as python-dotenv does: (value, expanded)."""
    if "${" not in value:
        return value, False

    def one(m: re.Match[str]) -> str:
        found = env.get(m.group("name"))
        if found:
            return found
        return m.group("default") or ""

    return _VARIABLE.sub(one, value), True


def issues(value: str) -> tuple[str, ...]:
    """What in a value's characters breaks a key: surrounding or inner whitespace, invisible
    and typographic characters, wrapping quotes (``docker run --env-file`` keeps them)."""
    found: list[str] = []
    if value != value.strip():
        if value[:1].isspace():
            found.append("leading whitespace")
        if value[-1:].isspace():
            found.append(
                "trailing " + ("newline" if value.endswith(("\n", "\r")) else "whitespace")
            )
    inner = value.strip()
    if any(c.isspace() for c in inner):
        found.append("whitespace inside the value")
    for char in dict.fromkeys(inner):
        category = unicodedata.category(char)
        if category == "Cs":
            found.append("bytes that are not UTF-8")
        elif char in _TYPOGRAPHIC:
            found.append(f"a typographic character U+{ord(char):04X}")
        elif category in ("Cf", "Cc", "Zs", "Zl", "Zp") and not char.isascii():
            found.append(f"an invisible character U+{ord(char):04X}")
        elif category == "Cc" and char not in "\t\n\r":
            found.append(f"a control character U+{ord(char):04X}")
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "\"'":
        found.append("quotes inside the value")
    return tuple(dict.fromkeys(found))


def prefix_for(value: str, db: ProviderDB, provider: str | None) -> str:
    """The longest key prefix the value starts with (the provider's own first)."""
    candidates = db.by_id[provider].keys if provider in db.by_id else ()
    for group in (candidates, db.key_formats):
        prefixes = sorted((k.prefix for k in group if k.prefix), key=len, reverse=True)
        for prefix in prefixes:
            if value.strip().startswith(prefix):
                return prefix
    return ""


def seen(
    step: Step, value: str, db: ProviderDB, provider: str | None, dynamic: bool = False
) -> Seen:
    secret = Secret.of(value, prefix_for(value, db, provider))
    # Undecodable bytes of the environment arrive as lone surrogates: not printable.
    shown = secret.redacted.encode("utf-8", "replace").decode("utf-8")
    return Seen(
        step=step,
        redacted=shown if value else "(empty)",
        fingerprint=secret.fingerprint,
        empty=not value.strip(),
        issues=issues(value) if value.strip() else (),
        dynamic=dynamic,
    )
