"""The rules: one module per rule, found by name (``kl<code>_<name>.py``).

The registry imports every ``kl*`` module of this package and collects its ``Rule``
subclasses, so adding a rule is adding one module: nothing else to register.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from keylint.checks.base import ProjectRule, Rule


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("kl"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
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
