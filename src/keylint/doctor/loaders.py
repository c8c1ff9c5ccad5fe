"""Which dotenv files the app loads, in which order, and whether they override.

Read from the code with ``ast`` (syntax only, no import of the project):

- python-dotenv: ``load_dotenv()`` with no path calls ``find_dotenv()``, which searches for
  ``.env`` from the folder of the *calling file* upwards; ``find_dotenv(usecwd=True)`` from
  the working directory; an explicit relative path is relative to the working directory
  (the project root is assumed); ``Path(__file__).parent / ".env"`` and
  ``os.path.join(os.path.dirname(__file__), ".env")`` are relative to the file.
  ``override=False`` (the default) keeps any variable already set, even to "".
  (python-dotenv 1.2.4 ``main.py``: ``load_dotenv``, ``find_dotenv``.)
- ``flask run`` (Flask 3.1 ``cli.load_dotenv``): ``.flaskenv`` then ``.env``, found from the
  working directory upwards, ``.env`` winning; existing variables are kept.
- Next.js (a ``next`` dependency in package.json): ``.env.development.local``,
  ``.env.local``, ``.env.development``, ``.env``, first one wins, existing variables kept
  (`next dev`). Vite is left out on purpose: it puts dotenv values in
  ``import.meta.env`` (``VITE_`` names only), not in ``process.env``.
- docker compose: each service's ``env_file:`` in order (a later file wins), then
  ``environment:`` (wins over env_file); the container does not inherit your shell.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keylint.discovery import Target
from keylint.doctor.model import Plan, Step
from keylint.doctor.scan import is_app_file
from keylint.doctor.values import read_dotenv
from keylint.extract.python import settings_option_pairs
from keylint.providers import ProviderDB

SHELL = Step("environment", "your shell", "your shell", "the environment keylint doctor runs in")


@dataclass(frozen=True)
class DotenvCall:
    """One ``load_dotenv(...)`` call: where, which file it resolves to, and its options."""

    where: str  # "app.py:3"
    text: str  # "load_dotenv(override=True)" as shown to the user
    path: Path | None  # the file it loads (None: not found / not computable)
    searched: str  # how the path was found, for the message
    override: bool
    interpolate: bool = True


@dataclass
class Loads:
    """How the app gets its environment, read from the code: one plan per way of starting it,
    each compose service's ``environment:``, and what could not be followed."""

    plans: list[Plan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be followed
    compose_env: dict[str, dict[str, tuple[str | None, bool]]] = field(default_factory=dict)


def display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def find_upwards(start: Path, name: str) -> Path | None:
    """``find_dotenv``: the first ``name`` in ``start`` or a parent folder."""
    for folder in (start, *start.parents):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


# --- python-dotenv ----------------------------------------------------------------------


class _Calls(ast.NodeVisitor):
    def __init__(self, file: Path, root: Path, display_path: str) -> None:
        self.file = file
        self.root = root
        self.display = display_path
        self.aliases: dict[str, str] = {}  # local name -> "dotenv.load_dotenv" etc.
        self.paths: dict[str, Path] = {}  # module-level names bound to a computable path
        self.found: list[DotenvCall] = []
        self.unknown: list[str] = []
        self.settings: list[SettingsFiles] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module:
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def visit_Assign(self, node: ast.Assign) -> None:
        value = self._path(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and value is not None:
                self.paths[target.id] = value
        self.generic_visit(node)

    def _qual(self, node: ast.AST) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))

    def _path(self, node: ast.AST) -> Path | None:
        """A path expression built from ``__file__`` or string literals, else None."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Path(node.value)
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return self.file
            return self.paths.get(node.id)
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            base = self._path(node.value)
            return base.parent if base is not None else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = self._path(node.left), self._path(node.right)
            return left / right if left is not None and right is not None else None
        if isinstance(node, ast.Call):
            return self._path_call(node)
        return None

    def _path_call(self, node: ast.Call) -> Path | None:
        qual = self._qual(node.func) or ""
        args = [self._path(a) for a in node.args]
        if qual in ("pathlib.Path", "Path", "os.path.abspath", "os.path.realpath"):
            if len(args) == 1:
                return args[0]
            if not args and qual.endswith("Path"):
                return Path(".")  # the working directory the app starts in
        if qual in ("os.path.dirname",) and len(args) == 1 and args[0] is not None:
            return args[0].parent
        if qual == "os.path.join" and args and all(a is not None for a in args):
            joined = Path(*[a for a in args if a is not None])
            return joined
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute"):
            return self._path(node.func.value)
        if qual.endswith("find_dotenv"):
            return self._find(node)[0]
        return None

    def _find(self, node: ast.Call) -> tuple[Path | None, str]:
        """Resolve ``find_dotenv(filename=".env", usecwd=False)`` as python-dotenv does."""
        name = ".env"
        usecwd = False
        if node.args and isinstance(node.args[0], ast.Constant):
            name = str(node.args[0].value)
        for kw in node.keywords:
            if kw.arg == "filename" and isinstance(kw.value, ast.Constant):
                name = str(kw.value.value)
            if kw.arg == "usecwd" and isinstance(kw.value, ast.Constant):
                usecwd = bool(kw.value.value)
        if usecwd:
            return find_upwards(
                self.root, name
            ), f"searched up from the working directory for {name}"
        return (
            find_upwards(self.file.parent, name),
            f"searched up from {display(self.file.parent, self.root) or '.'}/ for {name}",
        )

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        """A pydantic-settings class with ``env_file=`` (v2 ``model_config``, v1 ``Config``)."""
        bases = [self._qual(b) or "" for b in node.bases]
        if any(b.rsplit(".", 1)[-1] == "BaseSettings" for b in bases):
            value = _env_file_option(node)
            if value is not None:
                where = f"{self.display}:{node.lineno}"
                items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
                paths = [self._path(item) for item in items]
                if any(p is None for p in paths):
                    self.unknown.append(f"{where}: env_file of {node.name} is computed")
                else:
                    resolved = [p if p.is_absolute() else self.root / p for p in paths if p]
                    self.settings.append(SettingsFiles(node.name, where, tuple(resolved)))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        qual = self._qual(node.func) or ""
        if qual in ("dotenv.load_dotenv", "dotenv.main.load_dotenv"):
            self._load(node)
        self.generic_visit(node)

    def _load(self, node: ast.Call) -> None:
        where = f"{self.display}:{node.lineno}"
        arg: ast.AST | None = node.args[0] if node.args else None
        override = False
        interpolate = True
        for kw in node.keywords:
            if kw.arg == "dotenv_path":
                arg = kw.value
            elif kw.arg == "stream":
                self.unknown.append(
                    f"{where}: load_dotenv(stream=...) reads a stream keylint cannot follow"
                )
                return
            elif kw.arg == "override":
                if isinstance(kw.value, ast.Constant):
                    override = bool(kw.value.value)
                else:
                    self.unknown.append(f"{where}: override= is computed; assumed False")
            elif kw.arg == "interpolate" and isinstance(kw.value, ast.Constant):
                interpolate = bool(kw.value.value)
        text = "load_dotenv(override=True)" if override else "load_dotenv()"
        if arg is None or (isinstance(arg, ast.Constant) and arg.value is None):
            path, searched = self._find(ast.Call(func=node.func, args=[], keywords=[]))
        elif isinstance(arg, ast.Call) and (self._qual(arg.func) or "").endswith("find_dotenv"):
            path, searched = self._find(arg)
        else:
            computed = self._path(arg)
            if computed is None:
                self.unknown.append(
                    f"{where}: the path given to load_dotenv is computed at run time"
                )
                return
            if not computed.is_absolute():
                searched = f"{computed.as_posix()} relative to the working directory"
                computed = self.root / computed
            else:
                searched = "a path built from the file's location"
            path = computed
        self.found.append(DotenvCall(where, text, path, searched, override, interpolate))


@dataclass(frozen=True)
class SettingsFiles:
    """A pydantic-settings class and the ``env_file`` files it reads (in order)."""

    name: str
    where: str
    paths: tuple[Path, ...]


def _env_file_option(node: ast.ClassDef) -> ast.AST | None:
    """The ``env_file`` value of a settings class, wherever pydantic takes it."""
    found = [value for key, value in settings_option_pairs(node) if key == "env_file"]
    return found[-1] if found else None


def python_calls(
    targets: list[Target], root: Path
) -> tuple[list[DotenvCall], list[str], list[SettingsFiles]]:
    calls: list[DotenvCall] = []
    notes: list[str] = []
    settings: list[SettingsFiles] = []
    for target in sorted(targets, key=lambda t: t.display):
        if not target.display.endswith(".py") or not is_app_file(target.display):
            continue
        try:
            data = target.path.read_bytes()
        except OSError:
            continue
        if b"dotenv" not in data and b"env_file" not in data:
            continue
        visitor = _Calls(target.path.resolve(), root.resolve(), target.display)
        try:
            visitor.visit(ast.parse(data))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            notes.append(
                f"{target.display} does not parse as Python: its dotenv loads are not followed"
            )
            continue
        calls.extend(visitor.found)
        notes.extend(visitor.unknown)
        settings.extend(visitor.settings)
    return calls, notes, settings


def _dotenv_step(call: DotenvCall, root: Path) -> Step:
    label = display(call.path, root) if call.path is not None else "(no .env found)"
    exists = call.path is not None and call.path.is_file()
    return Step(
        "dotenv",
        label,
        f"{call.text} at {call.where}",
        call.searched,
        path=str(call.path) if call.path is not None else None,
        override=call.override,
        exists=exists,
        interpolate=call.interpolate,
    )


def _imports(targets: list[Target], module: str) -> bool:
    for target in targets:
        if not target.display.endswith(".py") or not is_app_file(target.display):
            continue
        try:
            text = target.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if f"from {module} import" in text or f"import {module}" in text:
            return True
    return False


def _package_json_deps(root: Path) -> set[str]:
    try:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    deps: set[str] = set()
    if isinstance(data, dict):
        for key in ("dependencies", "devDependencies"):
            section = data.get(key)
            if isinstance(section, dict):
                deps.update(str(k) for k in section)
    return deps


_NODE_ORDERS = {
    "next": (".env.development.local", ".env.local", ".env.development", ".env"),
}


def plans(targets: list[Target], root: Path, environ: dict[str, str], db: ProviderDB) -> Loads:
    loads = Loads()
    calls, loads.notes, settings = python_calls(targets, root)
    disabled = environ.get("PYTHON_DOTENV_DISABLED", "").strip().lower() in (
        "1",
        "true",
        "t",
        "yes",
        "y",
    )
    app_steps = tuple(_dotenv_step(c, root) for c in calls) if not disabled else ()
    loads.plans.append(
        Plan(
            "python app",
            (SHELL, *app_steps),
            note="PYTHON_DOTENV_DISABLED is set: load_dotenv() loads nothing"
            if disabled and calls
            else "",
        )
    )
    for found_settings in settings:
        loads.plans.append(_settings_plan(found_settings, root))
    if _imports(targets, "flask") and not disabled:
        steps = []
        for name in (".env", ".flaskenv"):  # .env wins over .flaskenv
            found = find_upwards(root, name)
            if found is not None:
                steps.append(
                    Step(
                        "dotenv",
                        display(found, root),
                        "`flask run`",
                        f"Flask 3.1 loads {name} from the working directory up",
                        path=str(found),
                    )
                )
        if steps:
            loads.plans.append(Plan("flask run", (SHELL, *steps, *app_steps)))
    deps = _package_json_deps(root)
    for framework, order in _NODE_ORDERS.items():
        if framework not in deps:
            continue
        steps = [
            Step(
                "dotenv",
                name,
                f"`{framework} dev`",
                f"{framework} loads {name} in mode development",
                path=str(root / name),
            )
            for name in order
            if (root / name).is_file()
        ]
        if steps:
            loads.plans.append(Plan(f"{framework} dev", (SHELL, *steps)))
    for plan, env in _compose_plans(targets, root, environ, db):
        loads.plans.append(plan)
        loads.compose_env[plan.name] = env
    return loads


def _settings_plan(settings: SettingsFiles, root: Path) -> Plan:
    """pydantic-settings: a later env_file wins over an earlier one, and environment
    variables win over every env_file (so the shell comes last here, always applied)."""
    by = f"env_file of {settings.name} at {settings.where}"
    steps = [
        Step(
            "dotenv",
            display(path, root),
            by,
            "relative to the working directory",
            path=str(path),
            override=True,
            exists=path.is_file(),
        )
        for path in settings.paths
    ]
    shell = Step(
        "environment",
        "your shell",
        f"{settings.name} (pydantic-settings)",
        "pydantic-settings gives environment variables priority over env_file",
    )
    return Plan(
        f"pydantic-settings ({settings.name} at {settings.where})",
        (*steps, shell),
        note=f"{settings.name} reads these into its fields only: os.environ, which the SDK "
        "clients read, does not get them",
    )


# --- docker compose ---------------------------------------------------------------------


def _compose_files(targets: list[Target]) -> Iterator[Target]:
    for t in targets:
        name = t.display.rsplit("/", 1)[-1].lower()
        if "compose" in name and name.endswith((".yml", ".yaml")) and is_app_file(t.display):
            yield t


def _env_files(service: dict[str, Any]) -> list[str]:
    raw = service.get("env_file")
    items = raw if isinstance(raw, list) else [raw] if raw else []
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            out.append(item["path"])
    return out


def _environment(
    service: dict[str, Any], environ: dict[str, str], interpolation: dict[str, str]
) -> dict[str, tuple[str | None, bool]]:
    """``environment:`` entries: name → (value, passed through from the shell).

    A bare name (``- OPENAI_API_KEY``) or ``NAME=${NAME}`` takes the value compose
    interpolates: the shell's, else the ``.env`` file beside the compose file.
    """
    raw = service.get("environment")
    pairs: list[tuple[str, str | None]] = []
    if isinstance(raw, dict):
        pairs = [(str(k), None if v is None else str(v)) for k, v in raw.items()]
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, str):
                key, sep, value = item.partition("=")
                pairs.append((key.strip(), value if sep else None))
    out: dict[str, tuple[str | None, bool]] = {}
    for key, given in pairs:
        if given is None or given.strip() in (f"${key}", f"${{{key}}}"):
            out[key] = (environ.get(key, interpolation.get(key)), True)
        else:
            out[key] = (given, False)
    return out


def _compose_plans(
    targets: list[Target], root: Path, environ: dict[str, str], db: ProviderDB
) -> Iterator[tuple[Plan, dict[str, tuple[str | None, bool]]]]:
    import yaml

    for target in _compose_files(targets):
        try:
            data = yaml.safe_load(target.path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, yaml.YAMLError):
            continue
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, dict):
            continue
        for name, service in services.items():
            if not isinstance(service, dict):
                continue
            files = _env_files(service)
            interpolation = read_dotenv(target.path.parent / ".env", db) or {}
            env = _environment(service, environ, interpolation)
            if not files and not env:
                continue
            base = target.path.parent
            steps = [
                Step(
                    "dotenv",
                    display(base / f, root),
                    f"env_file: of service {name}",
                    f"in {target.display}",
                    path=str(base / f),
                    override=True,
                    exists=(base / f).is_file(),
                )
                for f in files
            ]
            if any(not shell for _v, shell in env.values()):
                steps.append(
                    Step(
                        "compose",
                        f"environment: of {name}",
                        f"environment: of service {name}",
                        f"in {target.display}",
                        override=True,
                    )
                )
            if any(shell for _v, shell in env.values()):
                steps.append(
                    Step(
                        "compose-shell",
                        f"your shell via environment: of {name}",
                        f"environment: of service {name}",
                        f"passed through in {target.display} (else from the .env beside it)",
                        override=True,
                    )
                )
            yield (
                Plan(
                    f"docker compose (service {name})",
                    tuple(steps),
                    note="the container does not inherit your shell; a later env_file wins, "
                    "and environment: wins over env_file",
                ),
                env,
            )


def relpath(path: str, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")
