"""Which SDK versions the project pins: requirements*.txt, pyproject.toml (PEP 621 and
Poetry), setup.cfg, Pipfile and uv.lock, found in the working directory and its ancestors
up to the repository root.

Rules use this to be certain where they can (``OPENAI_API_BASE`` with ``openai>=1`` is a
bug) and to say "ignored by openai>=1" where the project pins nothing.
"""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# PEP 508 name + optional extras + the version part, up to a marker or comment.
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;#]*)"
)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _add(pins: dict[str, str], line: str) -> None:
    m = _REQUIREMENT.match(line)
    if not m or line.lstrip().startswith(("-", "#")):
        return
    spec = m.group("spec").strip().replace(" ", "")
    pins.setdefault(normalize(m.group("name")), spec)


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _from_pyproject(path: Path, pins: dict[str, str]) -> None:
    data = _toml(path)
    project = data.get("project", {})
    for line in project.get("dependencies", []) or []:
        _add(pins, str(line))
    for group in (project.get("optional-dependencies") or {}).values():
        for line in group:
            _add(pins, str(line))
    poetry = data.get("tool", {}).get("poetry", {})
    for section in ("dependencies", "dev-dependencies"):
        for name, spec in (poetry.get(section) or {}).items():
            version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
            pins.setdefault(normalize(name), _poetry_spec(version))


def _poetry_spec(spec: str) -> str:
    """Poetry's ``^1.2`` / ``~1.2`` / ``1.2`` → a PEP 440 lower bound."""
    spec = spec.strip()
    if spec.startswith(("^", "~")):
        return ">=" + spec.lstrip("^~=")
    if spec and spec[0].isdigit():
        return "==" + spec
    return spec


def _from_pipfile(path: Path, pins: dict[str, str]) -> None:
    data = _toml(path)
    for section in ("packages", "dev-packages"):
        for name, spec in (data.get(section) or {}).items():
            version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
            pins.setdefault(normalize(name), "" if version == "*" else version)


def _from_uv_lock(path: Path, pins: dict[str, str]) -> None:
    for package in _toml(path).get("package", []) or []:
        if isinstance(package, dict) and "name" in package and "version" in package:
            pins.setdefault(normalize(str(package["name"])), f"=={package['version']}")


def _from_setup_cfg(path: Path, pins: dict[str, str]) -> None:
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return
    for line in parser.get("options", "install_requires", fallback="").splitlines():
        _add(pins, line)


def _from_requirements(path: Path, pins: dict[str, str]) -> None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for line in text.splitlines():
        _add(pins, line)


def detect(start: Path) -> dict[str, str]:
    """Package (normalised name) → version spec ("" when unpinned), closest file first."""
    pins: dict[str, str] = {}
    for directory in (start, *start.parents):
        for path in sorted(directory.glob("requirements*.txt")):
            _from_requirements(path, pins)
        if (directory / "pyproject.toml").is_file():
            _from_pyproject(directory / "pyproject.toml", pins)
        if (directory / "setup.cfg").is_file():
            _from_setup_cfg(directory / "setup.cfg", pins)
        if (directory / "Pipfile").is_file():
            _from_pipfile(directory / "Pipfile", pins)
        if (directory / "uv.lock").is_file():
            _from_uv_lock(directory / "uv.lock", pins)
        if (directory / ".git").exists():
            break
    return pins


def major_at_least(spec: str | None, major: int) -> bool | None:
    """Does ``spec`` guarantee version >= major? None when the spec does not say."""
    if not spec:
        return None
    m = re.search(r"(==|>=|~=|>)\s*(\d+)", spec)
    if m:
        return int(m.group(2)) >= major
    m = re.search(r"<=?\s*(\d+)", spec)
    if m:
        return False if int(m.group(1)) <= major else None
    return None
