"""``extend-data = ["dir/"]``: provider files of the user's own, added to the bundled data.

A fact keylint ships can be wrong by the time a user needs it (a shutdown moved, a model
was announced). A directory of ``<id>.yaml`` files in the schema of ``rules/providers/``
(or a directory holding such a ``providers/`` folder) adds providers, and a file whose id
is a bundled provider's replaces that provider. The files are checked as the bundled ones
are; a broken one is a configuration error (exit 2), not a traceback.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from keylint.config import ConfigError
from keylint.providers import DataError, ProviderDB, _load_yaml, _provider, validate


def provider_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` files of ``directory``, or of its ``providers/`` folder."""
    if not directory.is_dir():
        raise ConfigError(f"extend-data: {directory}: no such directory")
    nested = directory / "providers"
    base = nested if nested.is_dir() else directory
    files = sorted([*base.glob("*.yaml"), *base.glob("*.yml")])
    if not files:
        raise ConfigError(f"extend-data: {directory}: no provider files (*.yaml) in it")
    return files


def check_models(data: Mapping[str, Any], where: str) -> None:
    """The ``models:`` entries: what the model rules read, with the types they expect."""
    models = data.get("models")
    if models is None:
        return
    if not isinstance(models, list):
        raise DataError(f"{where}: 'models' must be a list")
    for i, entry in enumerate(models):
        here = f"{where}: models[{i}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise DataError(f"{here}: needs a 'name'")
        for key in ("shutdown", "deprecated"):
            if key in entry and not isinstance(entry[key], datetime.date):
                raise DataError(f"{here}: '{key}' must be a date (YYYY-MM-DD)")
        if "shutdown" not in entry and "deprecated" not in entry:
            raise DataError(f"{here}: needs a 'shutdown' or a 'deprecated' date")
        if not isinstance(entry.get("replacement", ""), str):
            raise DataError(f"{here}: 'replacement' must be a string")
        if not entry.get("source"):
            raise DataError(f"{here}: needs a 'source'")


def extended(db: ProviderDB, directories: tuple[Path, ...]) -> ProviderDB:
    """``db`` with the providers of ``directories``; the last file for an id wins."""
    by_id = {p.id: p for p in db.providers}
    for directory in directories:
        for path in provider_files(directory):
            try:
                data = _load_yaml(path)
            except Exception as exc:  # yaml.YAMLError, OSError, a bad encoding
                raise ConfigError(f"extend-data: {path}: cannot read: {_reason(exc)}") from None
            try:
                if not isinstance(data, dict):
                    raise DataError(f"{path.name}: not a mapping")
                provider = _provider(data, path.name)
                if provider.id != path.stem:
                    raise DataError(f"{path.name}: id '{provider.id}' must match the file name")
                check_models(data, path.name)
            except DataError as exc:
                raise ConfigError(f"extend-data: {path.parent}/{exc}") from None
            by_id[provider.id] = provider
    merged = ProviderDB(tuple(by_id.values()), db.common_data)
    try:
        validate(merged)
    except DataError as exc:
        raise ConfigError(f"extend-data: {exc}") from None
    return merged


def _reason(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"invalid YAML at line {mark.line + 1}: {problem}"
    return getattr(exc, "strerror", None) or type(exc).__name__
