"""Rule selectors (codes, code prefixes, rule names, categories) and what a typo meant.

``select``, ``ignore``, ``per-file-ignores``, ``severity`` and inline ``keylint:
ignore[...]`` all name rules. A selector that names none is a mistake that silently
selects or suppresses nothing, so it is an error, with the closest real selector
(difflib) as a suggestion, as ruff does for unknown rule codes.
"""

from __future__ import annotations

import difflib
import functools

from keylint.config import selector_matches


@functools.cache
def _vocabulary() -> tuple[tuple[tuple[str, str, str], ...], tuple[str, ...]]:
    from keylint.checks import all_rules

    rules = tuple((r.code, r.name, r.category.value) for r in all_rules())
    words = sorted({w for rule in rules for w in rule})
    return rules, tuple(words)


@functools.cache
def codes_by_file_name() -> tuple[str, ...]:
    """Every rule's code read off its module's file name (``kl101_provider_key``), without
    importing the ~60 rule modules: a configuration naming codes is checked in microseconds.
    A test holds every rule module to the code of the one rule it defines."""
    from keylint.checks import rule_module_names

    codes = (module.partition("_")[0].upper() for module in rule_module_names())
    return tuple(code for code in codes if len(code) == 5 and code[2:].isdigit())


def is_known(selector: str) -> bool:
    wanted = selector.strip().upper()
    if wanted == "ALL" or (
        wanted.startswith("KL") and any(code.startswith(wanted) for code in codes_by_file_name())
    ):
        return True  # a code or a code prefix: known without importing a rule module
    rules, _ = _vocabulary()
    return any(selector_matches(selector, code, name, cat) for code, name, cat in rules)


_LOOKALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def suggestion(selector: str) -> str | None:
    """The real selector closest to ``selector``, if one is close."""
    rules, words = _vocabulary()
    wanted = selector.strip()
    if wanted[:2].upper() == "KL":
        probe = "KL" + wanted[2:].upper().translate(_LOOKALIKE)  # KL1O1 -> KL101
        if is_known(probe):
            return probe
        if len(probe) < 5:
            return None  # a prefix (KL9): too short to guess what was meant
        codes = [code for code, _, _ in rules]
        same = [c for c in codes if len(c) == len(probe)]
        if same:  # one mistyped digit: the code with the fewest different characters
            best = min(same, key=lambda c: (sum(a != b for a, b in zip(c, probe, strict=True)), c))
            if sum(a != b for a, b in zip(best, probe, strict=True)) <= 1:
                return best
        close = difflib.get_close_matches(probe, codes, n=1, cutoff=0.6)
        return close[0] if close else None
    close = difflib.get_close_matches(wanted.lower(), words, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown(selector: str) -> str | None:
    """None for a selector that names rules; else the message for it."""
    if not selector.strip() or is_known(selector):
        return None
    close = suggestion(selector)
    hint = f" (did you mean `{close}`?)" if close else " (see `keylint rules`)"
    return f"unknown rule selector `{selector.strip()}`{hint}"


def unknown_setting(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"unknown setting `{key}`{hint}"
