"""Settings: ``[tool.keylint]`` in the closest ``pyproject.toml`` that has it, or a
``.keylint.toml`` / ``keylint.toml`` (ruff's rule: a pyproject without the table is skipped).
Command-line options override the file.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from pathlib import Path
from typing import Any

from keylint.findings import Confidence, Severity
from keylint.span import value_class


class ConfigError(Exception):
    """The configuration is wrong: exit status 2 with this message."""


DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


@value_class(frozen=True)
class Settings:
    """A run's configuration: the ``[tool.keylint]`` table (or keylint.toml) with the
    command-line options over it; the defaults when there is no file."""

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
    extend_data: tuple[Path, ...] = ()  # directories of provider files (extend_data.py)
    # --exclude / --extend-exclude: patterns relative to the working directory, as given
    cli_exclude: tuple[str, ...] = ()
    min_confidence: Confidence = Confidence.MEDIUM  # findings below it are hidden (spec §8)
    source: Path | None = None  # the file these settings came from
    root: Path | None = None  # the directory of that file: exclude patterns are relative to it
    cache_dir: Path | None = None  # --history's cache (histcache.py); None: in the git dir

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
    "extend-data",
    "extend",
    "min-confidence",
    "cache-dir",
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
        from keylint.redaction import scrub  # the name is config text: it may be a key
        from keylint.selectors import unknown_setting

        problems = "; ".join(unknown_setting(k, _KEYS) for k in unknown)
        raise ConfigError(f"{where}: {scrub(problems)}")
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
    if "extend-data" in table:
        kwargs["extend_data"] = tuple(
            (where.parent / d).resolve()
            for d in _str_list(table["extend-data"], "extend-data", where)
        )
    if "cache-dir" in table:
        value = table["cache-dir"]
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: 'cache-dir' must be a directory path")
        kwargs["cache_dir"] = (where.parent / os.path.expanduser(value)).resolve()
    if "fail-on" in table:
        kwargs["fail_on"] = _severity(table["fail-on"], f"{where}: fail-on")
    if "min-confidence" in table:
        level = table["min-confidence"]
        if level not in ("low", "medium", "high"):
            raise ConfigError(f"{where}: 'min-confidence' must be low, medium or high")
        kwargs["min_confidence"] = Confidence(level)
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
    # Imported here: a run in a directory without a TOML configuration (a pre-commit run
    # on one file, often) does not pay its ~2 ms.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


# A setting's key in the file → the Settings fields it sets (for `extend`: the keys a file
# sets override the file it extends; the others come from there).
_FIELDS = {
    "select": ("select",),
    "extend-select": ("extend_select",),
    "ignore": ("ignore",),
    "exclude": ("exclude",),
    "per-file-ignores": ("per_file_ignores",),
    "severity": ("severity",),
    "fail-on": ("fail_on",),
    "max-file-size": ("max_file_size",),
    "extra-env-names": ("extra_env_names",),
    "extend-data": ("extend_data",),
    "cache-dir": ("cache_dir",),
}


def load_file(path: Path, _chain: tuple[Path, ...] = ()) -> Settings:
    """The settings of one config file; ``extend = "../pyproject.toml"`` first loads that
    file (relative to this one), and this file's own settings override it (ruff's rule)."""
    table = _table(path)
    own = parse_table({k: v for k, v in table.items() if k != "extend"}, path)
    if "extend" not in table:
        return own
    target = table["extend"]
    if not isinstance(target, str):
        raise ConfigError(f"{path}: 'extend' must be the path of another config file")
    base_path = (path.parent / target).resolve()
    if base_path in _chain or base_path == path.resolve():
        raise ConfigError(f"{path}: 'extend' makes a loop ({target})")
    if not base_path.is_file():
        raise ConfigError(f"{path}: 'extend': no such file {target}")
    base = load_file(base_path, (*_chain, path.resolve()))
    changes = {f: getattr(own, f) for key in table if key in _FIELDS for f in _FIELDS[key]}
    return replace(base, source=own.source, root=own.root, **changes)


def _table(path: Path) -> Mapping[str, Any]:
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("keylint")
        if table is None:
            raise ConfigError(f"{path}: no [tool.keylint] table")
    else:
        table = data.get("tool", {}).get("keylint", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.keylint] must be a table")
    return table


def config_in(directory: Path) -> Path | None:
    """The config file of this directory itself: .keylint.toml, keylint.toml, or a
    pyproject.toml with [tool.keylint]."""
    for name in (".keylint.toml", "keylint.toml"):
        if (directory / name).is_file():
            return directory / name
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = _read_toml(pyproject)
        except ConfigError:
            # A pyproject.toml that does not parse is keylint's business only when it means
            # to configure keylint: a project template (`{{ name }}`) or another tool's
            # broken file must not end the run.
            if _mentions_keylint(pyproject):
                raise
            return None
        if isinstance(data.get("tool"), dict) and "keylint" in data["tool"]:
            return pyproject
    return None


def _mentions_keylint(path: Path) -> bool:
    try:
        return "tool.keylint" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def find_config(start: Path) -> Path | None:
    """The closest .keylint.toml, keylint.toml or pyproject.toml with [tool.keylint]."""
    for directory in (start, *start.parents):
        found = config_in(directory)
        if found is not None:
            return found
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
