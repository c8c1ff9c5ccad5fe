"""The openai 0.x → 1.x migration table: which 0.x names the migration (openai_v1.py)
rewrites and into what, from the ``sdk:`` data of rules/providers/openai.yaml.

Apart from the rewrite so that the rules can say whether they offer the fix (``migratable``)
without importing the rewrite and its transforms: most runs fix nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from keylint.providers import ProviderDB

# 0.x method names → 1.x, per resource kind (the 0.x API surface, openai 0.28.1).
_PLAIN_METHODS = frozenset({"create", "list", "retrieve", "delete", "cancel"})
_IMAGE_METHODS = {"create": None, "create_edit": "edit", "create_variation": "create_variation"}
_AUDIO_METHODS = {"transcribe": "transcriptions.create", "translate": "translations.create"}
_CONFIG = {"api_key": "api_key", "organization": "organization"}  # unchanged in 1.x
_REPLACEMENT = re.compile(r"^OpenAI\(\)\.([a-z_]+(?:\.[a-z_]+)*?)(?:\.(\w+)\(\.\.\.\))?(?:\s|$)")


@dataclass
class Mapping_:
    """The migration table, read from the provider data."""

    resources: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    errors: dict[str, str | None] = field(default_factory=dict)  # 0.x name → 1.x (None: gone)
    error_rest: bool = False  # openai.error.{rest} → openai.{rest} for the other names
    remaps: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    kwargs: dict[str, str] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=lambda: dict(_CONFIG))
    key_env: str = "OPENAI_API_KEY"


_TABLES: dict[int, tuple[ProviderDB, Mapping_]] = {}


def mapping(db: ProviderDB) -> Mapping_:
    """The table for ``db`` (a fresh copy: callers may narrow it)."""
    cached = _TABLES.get(id(db))
    if cached is None or cached[0] is not db:
        cached = (db, _build_mapping(db))
        _TABLES[id(db)] = cached
    table = cached[1]
    return replace(
        table,
        resources=dict(table.resources),
        errors=dict(table.errors),
        remaps=dict(table.remaps),
        kwargs=dict(table.kwargs),
        config=dict(table.config),
    )


def _build_mapping(db: ProviderDB) -> Mapping_:
    from keylint.checks.kl6_sdk import sdk_index

    out = Mapping_()
    index = sdk_index(db)
    provider = db.by_id.get("openai")
    if provider is not None and provider.key_env:
        out.key_env = provider.key_env[0]
    for entry in index.removed:
        if entry.provider.id != "openai":
            continue
        symbol = entry.symbol
        replacement = entry.replacement
        first = re.match(r"openai\.(\w+)", replacement)
        if symbol.startswith("openai.error."):
            name = symbol.rsplit(".", 1)[1]
            out.errors[name] = first.group(1) if first else None
        elif symbol == "openai.error":
            out.error_rest = "{rest}" in replacement
        elif symbol == "openai.api_base":
            kwarg = re.match(r"OpenAI\((\w+)=", replacement)
            if kwarg:
                out.config["api_base"] = kwarg.group(1)
        elif entry.match == "prefix" and symbol.count(".") == 1:
            found = _REPLACEMENT.match(replacement)
            if found and "shut down" not in replacement:
                out.resources[symbol.split(".")[1]] = (found.group(1), found.group(2))
    for entry in index.remaps:
        if entry.provider.id == "openai":
            first = re.match(r"openai\.(\w+)", entry.replacement)
            if first:
                out.remaps[entry.symbol.split(".", 1)[1]] = (first.group(1), entry.how)
    for kw in index.kwargs:
        if kw.provider.id == "openai" and kw.callee.startswith("openai"):
            out.kwargs[kw.kwarg] = kw.replacement
    return out


def migratable(symbol: str, db: ProviderDB) -> bool:
    """Can the migration rewrite a use of ``symbol`` (import-resolved, e.g.
    ``openai.ChatCompletion.create``)? Used by the rules to say whether they offer the fix."""
    table = mapping(db)
    parts = symbol.split("(", 1)[0].split(".")
    if parts[0] != "openai" or len(parts) < 2:
        return False
    if parts[1] == "error":
        if len(parts) == 2:
            return False
        name = parts[2]
        return table.errors.get(name, name if table.error_rest else None) is not None
    if parts[1] in table.config:
        return True
    if parts[1] in table.remaps:
        return True
    if len(parts) >= 3 and parts[1] in table.resources:
        return method_path(parts[1], parts[2], table) is not None
    return False


def method_path(resource: str, method: str, table: Mapping_) -> tuple[str, bool] | None:
    """(the 1.x path below the client, async?) for ``openai.<resource>.<method>``."""
    path, create_as = table.resources[resource]
    is_async = method.startswith("a") and method[1:] in (
        *_PLAIN_METHODS,
        *_IMAGE_METHODS,
        *_AUDIO_METHODS,
    )
    base = method[1:] if is_async else method
    if resource == "Audio":
        sub = _AUDIO_METHODS.get(base)
        return (f"audio.{sub}", is_async) if sub else None
    if resource == "Image":
        if base not in _IMAGE_METHODS:
            return None
        name = _IMAGE_METHODS[base] or create_as or "create"
        return f"{path}.{name}", is_async
    if base not in _PLAIN_METHODS:
        return None
    if base == "create" and create_as:
        return f"{path}.{create_as}", is_async
    return f"{path}.{base}", is_async
