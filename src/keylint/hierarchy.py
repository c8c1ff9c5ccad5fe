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

from collections.abc import Callable, Sequence
from pathlib import Path

from keylint.config import Settings, find_config
from keylint.discovery import Target

SettingsFor = Callable[[Path], Settings]  # a config file → its settings with the options


class Nearest:
    """The config governing a directory, looked up once per directory."""

    def __init__(self) -> None:
        self.cache: dict[Path, Path | None] = {}

    def __call__(self, directory: Path) -> Path | None:
        if directory not in self.cache:
            found = find_config(directory)
            self.cache[directory] = found.resolve() if found is not None else None
        return self.cache[directory]


def group(
    targets: Sequence[Target], root: Settings, settings_for: SettingsFor
) -> list[tuple[Settings, list[Target]]]:
    """``targets`` by the settings that govern them: the root settings' group first."""
    nearest = Nearest()
    own = root.source.resolve() if root.source is not None else None
    governed: list[Target] = []  # by the root settings
    groups: dict[Path, list[Target]] = {}
    for target in targets:
        config = nearest(target.path.parent.resolve())
        if config is None or config == own:
            governed.append(target)
        else:
            groups.setdefault(config, []).append(target)
    out: list[tuple[Settings, list[Target]]] = [(root, governed)] if governed else []
    out.extend((settings_for(config), found) for config, found in sorted(groups.items()))
    return out
