"""Is this name one that holds a secret, a key, a password? The name predicates every secret
rule shares, and the prefilter too: it asks them of a keyword's name before a file is parsed,
so this module imports nothing but the provider data (no rule, no detect-secrets).

All vocabulary comes from rules/common.yaml and the provider files; this module applies it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from keylint.patterns import CaselessPattern
from keylint.providers import LiteralFinder, Provider, ProviderDB

T = TypeVar("T")

_PER_DB: dict[tuple[int, str], tuple[ProviderDB, Any]] = {}


def per_db(db: ProviderDB, what: str, build: Callable[[], T]) -> T:
    """A value derived from ``db``, built once (ProviderDB holds dicts: not hashable)."""
    cached = _PER_DB.get((id(db), what))
    if cached is not None and cached[0] is db:
        return cast(T, cached[1])
    value = build()
    _PER_DB[(id(db), what)] = (db, value)
    return value


_NAME_SEPARATORS = re.compile(r"[.:\[\]]")
NOT_ALNUM = re.compile(r"[^a-z0-9]")


def last_part(name: str) -> str:
    return _NAME_SEPARATORS.split(name)[-1] or name


def memo_per_db(db: ProviderDB, what: str, limit: int) -> dict[Any, Any]:
    """A table of answers derived from ``db`` (per_db), emptied once it holds more than
    ``limit``: rules ask the same few values of a file many times, but a big .env has tens of
    thousands of different names and values, so a table must not grow without end."""
    table: dict[Any, Any] = per_db(db, what, dict)
    if len(table) > limit:
        table.clear()
    return table


# Answers about names: a 2 MB JSON file asks 20,000 times, a big .env tens of thousands.
_NAME_ANSWERS_LIMIT = 262144


def _answer(
    what: str, name: str | None, db: ProviderDB, compute: Callable[[str, ProviderDB], bool]
) -> bool:
    """One predicate's answer for one name, computed once per db."""
    if not name:
        return False
    answers = memo_per_db(db, "name-answers", _NAME_ANSWERS_LIMIT)
    known = answers.get((what, name))
    if known is None:
        known = answers[(what, name)] = compute(name, db)
    return known


def _no_secret_word(name: str | None, db: ProviderDB) -> bool:
    """True for a name none of the name predicates can accept: an ASCII name with no word of
    ``secret_name_words`` (``key``, ``token``, ``pass``…) that is no provider's env name.
    Most names are such names, and this spares them the patterns and the predicates' cache
    (a 60,000-line .env has 60,000 different names, each asked by several rules: the answer
    is kept). A non-ASCII name is always asked of the patterns, which fold ``ſ`` and ``K``
    as ``s`` and ``k``."""
    if not name:
        return True
    answers = memo_per_db(db, "no-secret-word", _NAME_ANSWERS_LIMIT)
    known = answers.get(name)
    if known is None:
        known = answers[name] = (
            name.isascii()
            and db.common.secret_name_words.search(name.lower()) is None
            and name not in db.env_to_provider
        )
    return known


def is_key_slot(name: str | None, db: ProviderDB) -> bool:
    if _no_secret_word(name, db):
        return False
    return _answer("key-slot", name, db, _is_key_slot)


def is_strong_key_slot(name: str | None, db: ProviderDB) -> bool:
    """``api_key``, ``OPENAI_API_KEY``, ``GITHUB_TOKEN``, ``openai_key``: surely a credential."""
    if _no_secret_word(name, db):
        return False
    return _answer("strong-key-slot", name, db, _is_strong_key_slot)


def is_secret_name(name: str | None, db: ProviderDB) -> bool:
    """Names detect-secrets' keyword plugin would treat as holding a secret (minus ids)."""
    if _no_secret_word(name, db):
        return False
    return _answer("secret-name", name, db, _is_secret_name)


def is_password_name(name: str | None, db: ProviderDB) -> bool:
    """A password name detect-secrets' keyword plugin has no word for (``adminPass``,
    ``passphrase``, ``user_auth``, ``credentials``): ``password_name_pattern``."""
    if _no_secret_word(name, db):
        return False
    return _answer("password-name", name, db, _is_password_name)


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _not_secret(last: str, db: ProviderDB) -> bool:
    """``not_secret_name_pattern`` on the name, camelCase read as snake_case
    (``NextContinuationToken`` is ``next_continuation_token``)."""
    return _answer("not-secret-name", last, db, _is_not_secret)


def _is_not_secret(last: str, db: ProviderDB) -> bool:
    return db.common.not_secret_name.search(_CAMEL_HUMP.sub("_", last))


def _is_key_slot(name: str, db: ProviderDB) -> bool:
    if name in db.env_to_provider:
        return True
    last = last_part(name)
    # The small pattern first: most names are no key slot, and the large exclusion
    # pattern (~20 µs a search) then never runs.
    return db.common.key_slot.search(last) and not _not_secret(last, db)


# A slot whose value can only be an API credential; the generic ones (a bare ``key``,
# ``s3_key``, ``cache_token``) hold many other things.
_STRONG_SLOT = CaselessPattern(
    r"(?:^|[_\W])(?:api[_-]?key|apikey|api[_-]?token|access[_-]?token|auth[_-]?token"
    r"|bearer[_-]?token|secret[_-]?key|client[_-]?secret|subscription[_-]?key|access[_-]?key"
    r"|service[_-]?key|personal[_-]?access[_-]?token|pat)$"
    r"|^(?:api[_-]?key|apikey|authorization|proxy-authorization|x-api-key|api-key"
    r"|x-goog-api-key|x-api-token)$"
)
# `GITHUB_TOKEN`, `JWT_SECRET`: an environment variable; `eof_token` in code is not a key.
_ENV_CREDENTIAL = re.compile(r"[A-Z0-9]_(?:TOKEN|SECRET)$")
_HEADER_SLOTS = frozenset({"authorization", "proxy-authorization"})


def _is_strong_key_slot(name: str, db: ProviderDB) -> bool:
    if not is_key_slot(name, db):
        return False
    last = last_part(name)
    if name in db.env_to_provider or _STRONG_SLOT.search(last) or _ENV_CREDENTIAL.search(last):
        return True
    return names_provider(last, db) is not None


_HEADER_LENGTHS = frozenset(len(slot) for slot in _HEADER_SLOTS)


def is_auth_header(name: str | None) -> bool:
    return bool(name) and len(str(name)) in _HEADER_LENGTHS and str(name).lower() in _HEADER_SLOTS


def _is_secret_name(name: str, db: ProviderDB) -> bool:
    if "::" in name:
        return False  # a type (`AWS::ApiGateway::ApiKey`), not a variable
    last = last_part(name)
    if is_auth_header(last):
        return True
    # The names that would count first, the exclusions (a large pattern) only for those.
    named = (
        db.common.secret_name.search(last)
        or is_password_name(name, db)
        or is_strong_key_slot(name, db)
    )
    return named and not _not_secret(last, db)


def _is_password_name(name: str, db: ProviderDB) -> bool:
    if "::" in name:
        return False
    last = last_part(name)
    return db.common.password_name.search(_CAMEL_HUMP.sub("_", last)) and not _not_secret(last, db)


def names_provider(name: str, db: ProviderDB) -> Provider | None:
    """The first provider (in data order) whose id or name, squeezed (``azureopenai``,
    ``huggingface``; four letters or more), is in ``name``: ``HF_HUGGING_FACE_TOKEN``."""
    finder, first_of = per_db(db, "provider-words", lambda: _provider_words(db))
    found = finder.present(NOT_ALNUM.sub("", name.lower()))
    if not found:
        return None
    return db.providers[min(first_of[word] for word in found)]


def _provider_words(db: ProviderDB) -> tuple[LiteralFinder, dict[str, int]]:
    """One automaton over every provider's words (a loop over ~75 providers cost ~17 µs a
    name: a 60,000-line .env asks for every name), with the first provider of each word."""
    first_of: dict[str, int] = {}
    for index, provider in enumerate(db.providers):
        for word in (provider.id.replace("-", ""), provider.name.lower().replace(" ", "")):
            if len(word) >= 4:
                first_of.setdefault(word, index)
    return LiteralFinder(first_of), first_of
