"""What the key rules share: is this value a placeholder, a lookup, a key slot?

All vocabulary comes from rules/common.yaml and the provider files; this module only
applies it.
"""

from __future__ import annotations

import re

from keylint.facts import Origin, Value
from keylint.providers import KeyFormat, Provider, ProviderDB

_WRAPPERS = "\"'`<>{}[]() *"
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def is_lookup(text: str, db: ProviderDB) -> bool:
    """``${VAR}``, ``${{ secrets.X }}``, ``$VAR``: names where the value comes from."""
    stripped = text.strip()
    return any(p.search(stripped) for p in db.common.lookup_patterns)


def is_placeholder(text: str, db: ProviderDB, *, empty: bool = True) -> bool:
    stripped = text.strip()
    if not stripped:
        return empty
    if is_lookup(stripped, db):
        return False
    bare = stripped.strip(_WRAPPERS).lower()
    if bare in db.common.placeholder_words:
        return True
    return any(p.search(stripped) for p in db.common.placeholder_patterns)


def slot_name(value: Value) -> str | None:
    """The name that decides whether a value is a key slot."""
    return value.name


def is_key_slot(name: str | None, db: ProviderDB) -> bool:
    if not name:
        return False
    if name in db.env_to_provider:
        return True
    last = re.split(r"[.:\[\]]", name)[-1] or name
    if db.common.not_secret_name.search(last):
        return False
    return bool(db.common.key_slot.search(last))


def provider_for_name(name: str | None, db: ProviderDB) -> Provider | None:
    """The provider whose key an env var name (or a name derived from it) holds."""
    if not name:
        return None
    if name in db.env_to_provider:
        return db.env_to_provider[name]
    upper = name.upper()
    if upper in db.env_to_provider:
        return db.env_to_provider[upper]
    return None


def format_of(value: str, db: ProviderDB) -> KeyFormat | None:
    """The prefixed key format that fully matches ``value``, if any."""
    for fmt in db.formats_claimed_by(value):
        if fmt.regex.fullmatch(value):
            return fmt
    return None


def contextual_format(value: Value, db: ProviderDB, line: str) -> KeyFormat | None:
    """A prefix-less format (Azure, Mistral, Cohere, AWS secret) recognised by its name."""
    if value.name is None:
        return None
    for provider in db.providers:
        for fmt in provider.keys:
            if fmt.context is None:
                continue
            if fmt.context.search(value.name) and fmt.regex.fullmatch(value.value):
                return fmt
    return None


def binds_a_value(value: Value) -> bool:
    """True for values a program or loader uses (not a default meaning 'not configured')."""
    return value.origin is not Origin.LITERAL


def looks_random(text: str) -> bool:
    """Mixed character classes and no long dictionary-like runs: a cheap pre-entropy check."""
    classes = sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
        )
    )
    return classes >= 2
