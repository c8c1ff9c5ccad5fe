"""Installed SDKs against the code: what the app's Python environment holds, what the code
calls, and what the project pins.

The app's environment is not necessarily keylint's own (pipx, a global install): the doctor
looks in ``$VIRTUAL_ENV``, then in a virtualenv folder of the project (``.venv``, ``venv``,
``env`` with a ``pyvenv.cfg``), and only then in the interpreter it runs in, and says which.
"""

from __future__ import annotations

import importlib.metadata as metadata
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from keylint.checks.kl6_sdk import package_of, sdk_index, symbol_hits
from keylint.doctor.model import Level, Package, Problem
from keylint.doctor.scan import Scan
from keylint.pins import normalize
from keylint.providers import ProviderDB


@dataclass(frozen=True)
class PythonEnv:
    """The Python environment the app runs in: how messages name it, and its site-packages."""

    label: str
    paths: tuple[str, ...] | None  # site-packages folders; None: this interpreter's sys.path


def python_env(root: Path, environ: Mapping[str, str]) -> PythonEnv:
    venv = environ.get("VIRTUAL_ENV")
    if venv and Path(venv).is_dir():
        return PythonEnv(f"$VIRTUAL_ENV ({venv})", _site_packages(Path(venv)))
    for name in (".venv", "venv", "env"):
        folder = root / name
        if (folder / "pyvenv.cfg").is_file():
            return PythonEnv(name, _site_packages(folder))
    return PythonEnv(f"the Python keylint runs in ({sys.prefix})", None)


def _site_packages(venv: Path) -> tuple[str, ...]:
    found = sorted(str(p) for p in venv.glob("lib/python3*/site-packages"))
    found += [str(p) for p in (venv / "Lib" / "site-packages",) if p.is_dir()]
    return tuple(found)


def installed(name: str, env: PythonEnv) -> str | None:
    wanted = normalize(name)
    if env.paths is None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None
    for dist in metadata.distributions(path=list(env.paths)):
        if normalize(dist.metadata["Name"] or "") == wanted:
            return dist.version
    return None


def _major(version: str | None) -> int | None:
    if version is None:
        return None
    try:
        return Version(version).major
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Added:
    """An SDK name that exists only from a major version of its package on (``sdk.added`` data):
    code that uses it fails with an older version installed."""

    symbol: str
    package: str
    major: int
    provider: str


def _added(db: ProviderDB) -> list[Added]:
    out = []
    for provider, section in db.iter_sections("sdk"):
        for entry in (section or {}).get("added") or ():
            package, major = package_of(str(entry.get("since", "")), entry.get("package"))
            if package and major is not None:
                out.append(Added(str(entry["symbol"]), package, major, provider.id))
    return out


def check(
    scan: Scan, db: ProviderDB, env: PythonEnv, pins: Mapping[str, str], providers: set[str]
) -> tuple[list[Package], list[Problem]]:
    """Versions of the SDKs of ``providers`` and their conflicts with code and pins."""
    names: dict[str, str] = {}  # distribution -> provider
    for pid in sorted(providers):
        env_section = db.by_id[pid].section("env") or {}
        package = env_section.get("package") if isinstance(env_section, dict) else None
        if package:
            names.setdefault(normalize(str(package)), pid)
    versions = {name: installed(name, env) for name in names}
    packages = [Package(n, versions[n], pins.get(n), env.label) for n in sorted(names)]
    problems: list[Problem] = []
    imported = {use.symbol.split(".")[0] for _ctx, use in scan.sdk_uses()}
    for name, version in versions.items():
        if version is None and name.replace("-", "_") in imported:
            problems.append(
                Problem(
                    "sdk-missing",
                    Level.NOTE,
                    f"{name} is not installed in {env.label}: if the app runs in another "
                    "environment, activate it and run keylint doctor again",
                    names[name],
                )
            )
    problems.extend(_removed(scan, db, versions, env))
    problems.extend(_too_old(scan, db, versions, env))
    problems.extend(_pins(packages))
    return packages, problems


def _removed(
    scan: Scan, db: ProviderDB, versions: Mapping[str, str | None], env: PythonEnv
) -> list[Problem]:
    """0.x calls (the deprecated-sdk findings' own matcher) with a newer SDK installed."""
    entries = sdk_index(db).removed
    seen: dict[tuple[str, int], list[str]] = {}
    for ctx in scan.app_contexts():
        for hit in symbol_hits(ctx, entries):
            package, major = package_of(hit.entry.since, hit.entry.package)
            if package is None or major is None:
                continue
            got = _major(versions.get(normalize(package)) or installed(package, env))
            if got is None or got < major:
                continue
            shown = hit.symbol.split("(", 1)[0]
            seen.setdefault((normalize(package), major), []).append(
                f"`{shown}` at {ctx.file.path}:{hit.span.line}"
            )
    out = []
    for (package, major), uses in seen.items():
        version = versions.get(package) or installed(package, env)
        more = f" and {len(uses) - 3} more" if len(uses) > 3 else ""
        out.append(
            Problem(
                "sdk-removed-api",
                Level.ERROR,
                f"{package} {version} is installed ({env.label}), but the code calls the API "
                f"removed in {package} {major}: {', '.join(uses[:3])}{more}; "
                + (
                    "the first call raises APIRemovedInV1"
                    if package == "openai" and major == 1
                    else "it fails at run time"
                ),
                hint=f"migrate the calls (`keylint check` lists them), or pin {package}<{major}",
            )
        )
    return out


def _too_old(
    scan: Scan, db: ProviderDB, versions: Mapping[str, str | None], env: PythonEnv
) -> list[Problem]:
    """1.x names with 0.x installed."""
    added = _added(db)
    if not added:
        return []
    hits: dict[tuple[str, int], list[str]] = {}
    for ctx, use in scan.sdk_uses():
        for entry in added:
            if use.symbol != entry.symbol and not use.symbol.startswith(
                (entry.symbol + "(", entry.symbol + ".")
            ):
                continue
            got = _major(versions.get(normalize(entry.package)) or installed(entry.package, env))
            if got is not None and got < entry.major:
                # One mention per name and file: the import, not every call after it.
                where = f"`{entry.symbol}` at {ctx.file.path}:"
                bucket = hits.setdefault((normalize(entry.package), entry.major), [])
                if not any(w.startswith(where) for w in bucket):
                    bucket.append(f"{where}{use.span.line}")
    return [
        Problem(
            "sdk-too-old",
            Level.ERROR,
            f"{package} {versions.get(package) or installed(package, env)} is installed "
            f"({env.label}), but the code uses names added in {package} {major}: "
            f"{', '.join(uses[:3])}; the import fails",
            hint=f"pip install '{package}>={major}'",
        )
        for (package, major), uses in hits.items()
    ]


def _pins(packages: list[Package]) -> list[Problem]:
    out = []
    for p in packages:
        if not p.pinned or p.installed is None:
            continue
        try:
            spec = SpecifierSet(p.pinned)
            version = Version(p.installed)
        except (InvalidSpecifier, InvalidVersion):
            continue
        if not spec.contains(version, prereleases=True):
            out.append(
                Problem(
                    "pin-mismatch",
                    Level.WARNING,
                    f"the project pins {p.name}{p.pinned}, but {p.name} {p.installed} is "
                    f"installed ({p.environment})",
                    hint=f"pip install '{p.name}{p.pinned}'",
                )
            )
    return out
