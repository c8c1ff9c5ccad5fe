"""Which SDK versions the project pins: requirements*.txt (with their ``-r``/``-c``
includes), pyproject.toml (PEP 621 and Poetry), setup.cfg, Pipfile, uv.lock and poetry.lock,
found in the working directory and its ancestors up to the repository root. Requirement
strings are parsed by ``packaging`` (PEP 508 exactly: ``openai (>=1.0)``, extras, markers,
URLs), except the plain ``name>=1.0,<2`` form, read by one regex as packaging reads it; a
lock file's exact version wins over a range in the same directory.

Rules use this to be certain where they can (``OPENAI_API_BASE`` with ``openai>=1`` is a
bug) and to say "ignored by openai>=1" where the project pins nothing.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# PEP 508 name + optional extras + the version part, up to a marker or comment.
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;#]*)"
)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _add(pins: dict[str, str], line: str) -> None:
    line = line.strip()
    if not line or line.startswith(("-", "#")):
        return  # options (-r, -e, --hash) and comments
    parsed = _pep508(line)
    if parsed is not None:
        name, spec = parsed
        pins.setdefault(normalize(name), spec)
        return
    m = _REQUIREMENT.match(line)
    if not m:
        return
    spec = m.group("spec")
    # `name==1.0 --hash=sha256:…` and `name @ https://…`: only the version part counts.
    spec = re.split(r"\s+-|\s*@", spec, maxsplit=1)[0]
    pins.setdefault(normalize(m.group("name")), spec.replace(" ", "").strip())


# One version clause in the plain forms most requirement lines use (`==1.2`, `>=1`, `~=1.4`,
# `!=2.*`): each is valid PEP 440 as written, so packaging would accept it unchanged. ASCII
# only, as packaging: `\s` and `\d` would take a copy-pasted no-break space or an Arabic digit.
_PLAIN_CLAUSE = (
    r"(?:(?:==|!=)[ \t]*[0-9]+(?:\.[0-9]+)*(?:\.\*)?"
    r"|(?:>=|<=|>|<)[ \t]*[0-9]+(?:\.[0-9]+)*"
    r"|~=[ \t]*[0-9]+(?:\.[0-9]+)+)"
)
_PLAIN_REQUIREMENT = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*"
    rf"(?P<spec>{_PLAIN_CLAUSE}(?:[ \t]*,[ \t]*{_PLAIN_CLAUSE})*)?"
)


def _pep508(line: str) -> tuple[str, str] | None:
    """(name, specifier) of a PEP 508 requirement, or None when ``line`` is not one."""
    # requirements-file syntax around the requirement: ` #comment`, ` --hash=…` options
    text = re.split(r"\s+#|\s+--?[a-z]", line, maxsplit=1)[0].strip()
    plain = _PLAIN_REQUIREMENT.fullmatch(text)
    if plain is not None:
        # `openai>=1.40`: packaging's answer without importing it (~15 ms of a one-file
        # pre-commit run in a project with a requirements file). A test holds the two equal;
        # extras, markers, URLs, pre-releases and anything else go to packaging, and so do
        # two clauses with one operator: packaging up to 26.0 keeps clauses in a set, equal
        # by canonical form (`>=1.0` and `>=1` are one), later versions keep both.
        clauses = (plain.group("spec") or "").split(",")
        spec = ["".join(clause.split()) for clause in clauses if clause.strip()]
        operators = {clause[: len(clause) - len(clause.lstrip("<>=!~"))] for clause in spec}
        if len(operators) == len(spec):
            return plain.group("name"), ",".join(sorted(spec))
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    return requirement.name, ",".join(sorted(str(s) for s in requirement.specifier))


def _toml(path: Path) -> dict[str, Any]:
    # Imported here: most runs find no pyproject.toml, uv.lock or poetry.lock to read.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


# The key under which the project's own distribution name is recorded: a repository that *is*
# an SDK (anthropic-sdk-python) ships its own old APIs on purpose; they are not "pinned".
SELF = "<project>"


def _from_pyproject(path: Path, pins: dict[str, str]) -> None:
    data = _toml(path)
    project = data.get("project", {})
    own = project.get("name") or (data.get("tool", {}).get("poetry") or {}).get("name")
    if isinstance(own, str):
        pins.setdefault(SELF, normalize(own))
    lines: list[object] = list(project.get("dependencies", []) or [])
    for group in (project.get("optional-dependencies") or {}).values():
        lines.extend(group or [])
    for group in (data.get("dependency-groups") or {}).values():  # PEP 735
        lines.extend(g for g in group or [] if isinstance(g, str))
    tool = data.get("tool", {})
    lines.extend((tool.get("uv") or {}).get("dev-dependencies", []) or [])
    for line in lines:
        if isinstance(line, str):
            _add(pins, line)
    poetry = tool.get("poetry", {})
    sections = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    sections.extend(g.get("dependencies") for g in (poetry.get("group") or {}).values())
    for section in sections:
        for name, spec in (section or {}).items():
            version = spec.get("version", "") if isinstance(spec, dict) else spec
            if isinstance(version, str):
                pins.setdefault(normalize(name), _poetry_spec(version))


def _version_parts(text: str) -> list[int]:
    return [int(p) for p in re.findall(r"\d+", text)[:3]]


def _poetry_spec(spec: str) -> str:
    """Poetry's ``^1.2`` / ``~1.2`` / ``1.2`` / ``1.2.*`` → a PEP 440 specifier.

    ``^`` allows changes that keep the left-most non-zero part (``^0.28`` is ``<0.29``),
    ``~`` allows patch changes (``~1.2`` is ``<1.3``); a bare version is exact.
    """
    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    if spec.startswith(("^", "~")) and not spec.startswith("~="):
        base = spec.lstrip("^~").strip()
        parts = _version_parts(base)
        if not parts:
            return ""
        if spec.startswith("^"):
            index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        else:
            index = min(1, len(parts) - 1) if len(parts) > 1 else 0
        upper = parts[: index + 1]
        upper[-1] += 1
        return f">={base},<{'.'.join(str(p) for p in upper)}"
    if spec[0].isdigit():
        return "==" + spec
    return spec.replace(" ", "")


def _from_pipfile(path: Path, pins: dict[str, str]) -> None:
    data = _toml(path)
    for section in ("packages", "dev-packages"):
        for name, spec in (data.get(section) or {}).items():
            version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
            pins.setdefault(normalize(name), "" if version == "*" else version)


def _from_uv_lock(path: Path, pins: dict[str, str]) -> None:
    for package in _toml(path).get("package", []) or []:
        source = package.get("source") if isinstance(package, dict) else None
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            continue  # the project itself (or a workspace member), not a pinned dependency
        if isinstance(package, dict) and "name" in package and "version" in package:
            pins.setdefault(normalize(str(package["name"])), f"=={package['version']}")


def _from_setup_cfg(path: Path, pins: dict[str, str]) -> None:
    import configparser  # only for a project that has a setup.cfg

    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return
    for line in parser.get("options", "install_requires", fallback="").splitlines():
        _add(pins, line)


_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(?P<file>\S+)")


def _from_requirements(path: Path, pins: dict[str, str], seen: set[Path] | None = None) -> None:
    """A requirements file and the files it includes (``-r``, ``-c``; relative to it)."""
    seen = set() if seen is None else seen
    try:
        resolved = path.resolve()
        if resolved in seen:
            return  # an include loop
        seen.add(resolved)
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for line in text.splitlines():
        include = _INCLUDE.match(line)
        if include:
            _from_requirements(path.parent / include.group("file"), pins, seen)
        else:
            _add(pins, line)


def _from_poetry_lock(path: Path, pins: dict[str, str]) -> None:
    _from_uv_lock(path, pins)  # the same shape: [[package]] name = …, version = …


def _from_setup_py(path: Path, pins: dict[str, str]) -> None:
    """``install_requires=[...]`` written as a literal list in ``setup()``."""
    import ast

    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("install_requires", "extras_require"):
            for item in ast.walk(node.value):
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    _add(pins, item.value)


def detect(start: Path) -> dict[str, str]:
    """Package (normalised name) → version spec ("" when unpinned), closest file first."""
    pins: dict[str, str] = {}
    for directory in (start, *start.parents):
        # What is installed first: a lock file's exact version says more than a range.
        for lock, read in (("uv.lock", _from_uv_lock), ("poetry.lock", _from_poetry_lock)):
            if (directory / lock).is_file():
                read(directory / lock, pins)
        requirements = sorted(directory.glob("requirements*.txt"))
        requirements += sorted(directory.glob("requirements/*.txt"))
        for path in requirements:
            _from_requirements(path, pins)
        if (directory / "pyproject.toml").is_file():
            _from_pyproject(directory / "pyproject.toml", pins)
        if (directory / "setup.cfg").is_file():
            _from_setup_cfg(directory / "setup.cfg", pins)
        if (directory / "setup.py").is_file():
            _from_setup_py(directory / "setup.py", pins)
        if (directory / "Pipfile").is_file():
            _from_pipfile(directory / "Pipfile", pins)
        if (directory / ".git").exists():
            break
    return pins


_CLAUSE = re.compile(r"^(===|==|~=|>=|<=|!=|>|<)?\s*v?(\d+(?:\.\d+)*)(\.\*)?")


class LazyPins(Mapping[str, str]):
    """A project's pins, detected on first use. Only a few rules ask (env names, SDK
    calls), and detecting reads the project's requirement files (and imports packaging for
    any line beyond the plain form, ~15 ms) on files that need none of it."""

    def __init__(self, start: Path) -> None:
        self._start = start
        self._pins: dict[str, str] | None = None

    def _detected(self) -> dict[str, str]:
        if self._pins is None:
            self._pins = detect(self._start)
        return self._pins

    def __getitem__(self, name: str) -> str:
        return self._detected()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._detected())

    def __len__(self) -> int:
        return len(self._detected())

    def __repr__(self) -> str:
        return f"LazyPins({self._start}, {self._pins!r})"


def major_at_least(spec: str | None, major: int) -> bool | None:
    """Does ``spec`` guarantee version >= ``major``? False when it guarantees a lower
    version, None when it does not say (no spec, or a range across ``major``).

    ``>=1.3``, ``==1.2.0``, ``~=1.2``, ``>1`` → True for major 1; ``==0.28``, ``<1``,
    ``~=0.28``, ``<=0.28.1``, ``>=0.27,<1`` → False; ``>=0.28``, ``>0.28``, ``!=0.28`` → None.
    """
    if not spec:
        return None
    lower_ok = False
    upper_below = False
    for clause in spec.replace(" ", "").split(","):
        m = _CLAUSE.match(clause)
        if not m or not m.group(2):
            continue
        op = m.group(1) or "=="
        parts = [int(p) for p in m.group(2).split(".")]
        first = parts[0]
        rest_zero = all(p == 0 for p in parts[1:])
        if op in ("==", "===", ">=", "~="):
            if first >= major:
                lower_ok = True
            elif op in ("==", "===") or (op == "~=" and len(parts) >= 2 and first + 1 <= major):
                upper_below = True
        elif op == ">":
            if first >= major:
                lower_ok = True
        elif op == "<":
            if first < major or (first == major and rest_zero):
                upper_below = True
        elif op == "<=" and first < major:
            upper_below = True
    if upper_below and not lower_ok:
        return False
    if lower_ok and not upper_below:
        return True
    return None
