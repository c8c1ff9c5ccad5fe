"""``extend-data = ["dir/"]``: provider files of the user's own, added to the bundled data.

A fact keylint ships can be wrong by the time a user needs it (a shutdown moved, a model
was announced). A directory of ``<id>.yaml`` files in the schema of ``rules/providers/``
(or a directory holding such a ``providers/`` folder) adds providers, and a file whose id
is a bundled provider's replaces that provider. The files are checked as the bundled ones
are; a broken one is a configuration error (exit 2), not a traceback.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from keylint.config import ConfigError
from keylint.providers import DataError, Provider, ProviderDB, _load_yaml, _provider, validate


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
                for key in ("hosts", "key_env", "prefilter"):
                    value = data.get(key, [])
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        raise DataError(f"{path.name}: '{key}' must be a list of strings")
                provider = _provider(data, path.name)
                if provider.id != path.stem:
                    raise DataError(f"{path.name}: id '{provider.id}' must match the file name")
                check_models(data, path.name)
            except DataError as exc:
                raise ConfigError(f"extend-data: {path.parent}/{exc}") from None
            except (TypeError, ValueError, AttributeError) as exc:
                raise ConfigError(
                    f"extend-data: {path}: a value has the wrong type ({type(exc).__name__})"
                ) from None
            by_id[provider.id] = provider
    merged = ProviderDB(tuple(by_id.values()), db.common_data)
    try:
        validate(merged)
        for provider in merged.providers:
            if provider is not db.by_id.get(provider.id):
                check_samples(provider)
        _build_indexes(merged)
    except DataError as exc:
        raise ConfigError(f"extend-data: {exc}") from None
    for provider in merged.providers:
        if provider is not db.by_id.get(provider.id):
            _smoke(merged, provider)
    return merged


def _smoke(db: ProviderDB, provider: Provider) -> None:
    """Run every rule once on a few lines that use the provider's facts (its hosts, key
    names, keys, models, SDK): a section whose shape the schema checks above do not cover
    fails here, as a config error, and not on the user's files as an internal error."""
    from keylint.config import Settings
    from keylint.engine import Engine

    # Words that make the prefilter parse the probe, as it parses the user's files.
    words = [w for w in provider.raw.get("prefilter") or () if isinstance(w, str)]
    lines = ["import os", "import openai", f"# {' '.join(words)} {provider.id}"]
    sdk = provider.section("sdk")
    packages = sdk.get("packages") if isinstance(sdk, Mapping) else None
    for package in packages if isinstance(packages, list) else ():
        lines.append(f"import {package}")
    lines += [f'URL = "https://{host.lstrip("*.")}/v1/x"' for host in provider.hosts]
    lines += [f'{name} = os.environ["{name}"]' for name in provider.key_env]
    lines += [f'KEY = "{fmt.fake()}"' for fmt in provider.keys]
    models = provider.section("models")
    for entry in models if isinstance(models, list) else ():
        lines.append(f'client.create(model="{entry.get("name", "")}")')
    lines.append('headers = {"Authorization": "Bearer x", "x-api-key": "y"}')
    env = "".join(f"{name}=x\n" for name in provider.key_env)
    try:
        engine = Engine(Settings(), db=db)
        engine.lint_bytes("probe.py", ("\n".join(lines) + "\n").encode())
        engine.lint_bytes(".env", env.encode())
    except Exception as exc:  # whatever a rule trips on: the file is at fault, say which
        raise ConfigError(
            f"extend-data: {provider.id}.yaml: a section has a shape keylint cannot use "
            f"({type(exc).__name__} in the rules that read it)"
        ) from None


def check_samples(provider: Provider) -> None:
    """As tests/test_rules_data.py does for the bundled files: a key built from ``sample``
    and ``charset`` must match the format's ``regex``."""
    for fmt in provider.keys:
        if not fmt.regex.fullmatch(fmt.fake()):
            raise DataError(
                f"{provider.id}.yaml key {fmt.id}: a key built from 'sample' does not match 'regex'"
            )


def _build_indexes(db: ProviderDB) -> None:
    """Build what the rules build from the data on first use, so a section of the wrong
    shape is a config error now rather than an internal error in the middle of a run."""
    from keylint.checks import envnames, kl4_endpoints, kl6_sdk

    for build in (envnames.env_data, kl4_endpoints.index, kl6_sdk.sdk_index):
        try:
            build(db)
        except DataError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
            name = build.__module__.rsplit(".", 1)[-1]
            raise DataError(f"a section read by {name} has the wrong shape ({exc})") from None


def _reason(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"invalid YAML at line {mark.line + 1}: {problem}"
    return getattr(exc, "strerror", None) or type(exc).__name__
