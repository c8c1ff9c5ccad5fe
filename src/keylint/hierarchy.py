"""The nearest configuration above each file applies to it (ruff's hierarchical settings).

A monorepo's ``services/api/pyproject.toml`` with its own ``[tool.keylint]`` governs the
files under ``services/api/``, whatever directory keylint runs from; a file with no config
above it (up to its repository's root) gets the settings of the working directory. The
command-line options apply over every one of them. ``extend = "../pyproject.toml"`` in a
nested config inherits the outer one (config.py).

Files are grouped by the config that governs them and each group runs with its own
settings (rule selection, per-file-ignores, severities, excludes, size limit); the
cross-file rules see one group at a time, as each config marks a project of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from keylint.config import Settings, config_in
from keylint.discovery import Target

SettingsFor = Callable[[Path], Settings]
_NAMES = (
    ".keylint.toml",
    "keylint.toml",
    "pyproject.toml",
)  # a config file → its settings with the options


class Nearest:
    """The config governing a directory (config.find_config's answer), with each directory
    looked at once: a tree of thousands of directories reads its pyproject.toml once."""

    def __init__(self) -> None:
        self.cache: dict[Path, Path | None] = {}

    def __call__(self, directory: Path) -> Path | None:
        chain: list[Path] = []
        found: Path | None = None
        current = directory
        while True:
            if current in self.cache:
                found = self.cache[current]
                break
            chain.append(current)
            # This runs for every directory of a tree: as few system calls as can be.
            try:
                names = set(os.listdir(current))  # one call, not a stat per name
            except OSError:
                names = set()
            if not names.isdisjoint(_NAMES):
                own = config_in(current)
                if own is not None:
                    found = own.resolve()
                    break
            if ".git" in names or current.parent == current:
                break  # a repository's settings never come from the repository around it
            current = current.parent
        for seen in chain:
            self.cache[seen] = found
        return found


def group(
    targets: Sequence[Target], root: Settings, settings_for: SettingsFor
) -> list[tuple[Settings, list[Target]]]:
    """``targets`` by the settings that govern them: the root settings' group first."""
    nearest = Nearest()
    own = root.source.resolve() if root.source is not None else None
    governed: list[Target] = []  # by the root settings
    groups: dict[Path, list[Target]] = {}
    for target in targets:
        config = nearest(Path(os.path.abspath(target.path.parent)))  # no resolve(): slow
        if config is None or config == own:
            governed.append(target)
        else:
            groups.setdefault(config, []).append(target)
    out: list[tuple[Settings, list[Target]]] = [(root, governed)] if governed else []
    out.extend((settings_for(config), found) for config, found in sorted(groups.items()))
    return out
