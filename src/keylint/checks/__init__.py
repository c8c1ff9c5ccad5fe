"""The rules: one module per rule, found by name (``kl<code>_<name>.py``).

The registry imports the ``kl*`` modules of this package and collects their ``Rule``
subclasses, so adding a rule is adding one module: nothing else to register. The modules of
a ``DEFERRED`` group (the dotenv-syntax rules, the rate-limit rules) are imported by the
engine only when a file yields the fact their rules need; ``all_rules()`` imports them all.
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keylint.checks.base import Rule


@functools.cache
def rule_module_names() -> tuple[str, ...]:
    """``kl101_provider_key``…: the rule modules of this package, by file name (a listing of
    one directory; pkgutil's import and walk cost more than the listing)."""
    if not all(os.path.isdir(directory) for directory in __path__):
        import pkgutil  # installed in a zip (zipapp, zipimport): ask the import system

        found = {info.name for info in pkgutil.iter_modules(__path__)}
    else:
        found = {
            entry.name.partition(".")[0]
            for directory in __path__
            for entry in os.scandir(directory)
            if entry.name.endswith((".py", ".pyc"))
        }
    return tuple(sorted(name for name in found if name.startswith("kl")))


# Rule modules the engine imports only when a file yields the fact their rules need (each
# rule says so itself: ``Rule.needs``; a test holds the two together), by module-name prefix:
# a run over Python files never loads the dotenv-syntax rules.
# The dotenv-syntax rules read dotenv entries; the rate-limit rules read loops.
DEFERRED = {"kl7": "DotenvEntry", "kl8": "Loop"}


def group_of(module: str) -> str | None:
    """The DEFERRED group (module-name prefix) of a rule module; None: loaded up front."""
    return next((prefix for prefix in DEFERRED if module.startswith(prefix)), None)


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    rules = [rule for group in (None, *DEFERRED) for rule in rules_in(group)]
    if len({rule.code for rule in rules}) != len(rules):
        raise RuntimeError("duplicate rule code")
    return tuple(sorted(rules, key=lambda rule: rule.code))


@functools.cache
def rules_in(group: str | None) -> tuple[type[Rule], ...]:
    """The rules of one DEFERRED group's modules, or (None) of the modules loaded up front."""
    # base (facts, analysis) is imported here, not with the package: checking a
    # configuration's selectors lists the modules without loading the rule layer.
    from keylint.checks.base import ProjectRule, Rule

    found: dict[str, type[Rule]] = {}
    for name in rule_module_names():
        if group_of(name) != group:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, Rule)
                and obj not in (Rule, ProjectRule)
                and obj.__module__ == module.__name__
            ):
                if obj.code in found:
                    raise RuntimeError(f"duplicate rule code {obj.code}")
                found[obj.code] = obj
    return tuple(found[code] for code in sorted(found))


def rule_by_code(code: str) -> type[Rule] | None:
    code = code.upper()
    for rule in all_rules():
        if rule.code == code or rule.name == code.lower():
            return rule
    return None
