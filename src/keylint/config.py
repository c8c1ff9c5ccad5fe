"""Settings: ``[tool.keylint]`` in the closest ``pyproject.toml`` that has it, or a
``.keylint.toml`` / ``keylint.toml`` (ruff's rule: a pyproject without the table is skipped).
Command-line options override the file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from keylint.findings import Severity


class ConfigError(Exception):
    """The configuration is wrong: exit status 2 with this message."""


DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    extra_env_names: tuple[str, ...] = ()  # project names never to flag as near-misses
    hmac_key_env: str | None = None  # the variable holding the key of keyed fingerprints
    key_formats: tuple[Mapping[str, Any], ...] = ()  # the project's own key formats
    source: Path | None = None  # the file these settings came from
    root: Path | None = None  # the directory of that file: exclude patterns are relative to it

    def merged(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "exclude",
    "per-file-ignores",
    "severity",
    "fail-on",
    "max-file-size",
    "extra-env-names",
    "hmac-key-env",
    "key-formats",
}


def _str_list(value: Any, key: str, where: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: '{key}' must be a list of strings")


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(f"{where}: severity must be one of error, warning, info") from None


def parse_table(table: Mapping[str, Any], where: Path) -> Settings:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    kwargs: dict[str, Any] = {"source": where, "root": where.parent}
    for key in ("select", "extend-select", "ignore", "exclude", "extra-env-names"):
        if key in table:
            kwargs[key.replace("-", "_")] = _str_list(table[key], key, where)
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{where}: 'per-file-ignores' must be a table")
        kwargs["per_file_ignores"] = {
            str(k): _str_list(v, f"per-file-ignores.{k}", where) for k, v in pfi.items()
        }
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise ConfigError(f"{where}: 'severity' must be a table of CODE = \"level\"")
        kwargs["severity"] = {
            str(k).upper(): _severity(v, f"{where}: severity.{k}") for k, v in sev.items()
        }
    if "fail-on" in table:
        kwargs["fail_on"] = _severity(table["fail-on"], f"{where}: fail-on")
    if "max-file-size" in table:
        size = table["max-file-size"]
        if not isinstance(size, int) or size <= 0:
            raise ConfigError(f"{where}: 'max-file-size' must be a positive integer (bytes)")
        kwargs["max_file_size"] = size
    if "hmac-key-env" in table:
        name = table["hmac-key-env"]
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ConfigError(f"{where}: 'hmac-key-env' must name an environment variable")
        kwargs["hmac_key_env"] = name
    if "key-formats" in table:
        kwargs["key_formats"] = _key_formats(table["key-formats"], where)
    return Settings(**kwargs)


def _key_formats(value: Any, where: Path) -> tuple[Mapping[str, Any], ...]:
    """``[[tool.keylint.key-formats]]`` tables, validated now (a bad one is a config error
    with its field named, before any file is read)."""
    from keylint.providers import DataError, load, user_provider

    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'key-formats' must be an array of tables ([[...]])")
    entries = tuple(dict(v) if isinstance(v, dict) else v for v in value)
    try:
        user_provider(entries, load())
    except DataError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return entries


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_file(path: Path) -> Settings:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("keylint")
        if table is None:
            raise ConfigError(f"{path}: no [tool.keylint] table")
    else:
        table = data.get("tool", {}).get("keylint", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.keylint] must be a table")
    return parse_table(table, path)


def find_config(start: Path) -> Path | None:
    """The closest .keylint.toml, keylint.toml or pyproject.toml with [tool.keylint]."""
    for directory in (start, *start.parents):
        for name in (".keylint.toml", "keylint.toml"):
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = _read_toml(pyproject)
            except ConfigError:
                raise
            if isinstance(data.get("tool"), dict) and "keylint" in data["tool"]:
                return pyproject
        if (directory / ".git").exists():
            break  # a repository's settings never come from the repository around it
    return None


def load(start: Path, explicit: Path | None = None, isolated: bool = False) -> Settings:
    if isolated:
        return Settings()
    path = explicit if explicit is not None else find_config(start)
    if path is None:
        return Settings()
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"{explicit}: no such config file")
    return load_file(path)


def selector_matches(selector: str, code: str, name: str, category: str) -> bool:
    """``ALL``, a code prefix (``KL``, ``KL1``, ``KL101``), a rule name or a category."""
    sel = selector.strip()
    if sel.upper() == "ALL":
        return True
    return code.startswith(sel.upper()) or sel.lower() in (name, category)


def is_selected(
    settings: Settings, code: str, name: str, category: str, extra_ignore: Sequence[str] = ()
) -> bool:
    chosen = any(
        selector_matches(s, code, name, category)
        for s in (*settings.select, *settings.extend_select)
    )
    ignored = any(
        selector_matches(s, code, name, category) for s in (*settings.ignore, *extra_ignore)
    )
    return chosen and not ignored
