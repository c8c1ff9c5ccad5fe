"""What the deprecated-sdk rules share (KL6xx): the ``sdk:`` sections of
rules/providers/*.yaml, indexed once, the message about the project's pins, and where an
import statement names a symbol.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from keylint.checks.base import FileContext
from keylint.facts import SdkUse, Span
from keylint.pins import SELF, major_at_least, normalize
from keylint.providers import Provider, ProviderDB
from keylint.span import value_class

_DEFAULT_HOW = frozenset({"call", "attribute", "assign", "except"})
_SINCE = re.compile(r"^(?P<package>[A-Za-z][\w.-]*)\s+v?(?P<major>\d+)(?:\.\d+)*$")


@value_class(frozen=True)
class SymbolEntry:
    """A ``removed`` or ``wrong_remaps`` entry."""

    provider: Provider
    symbol: str
    match: str  # "exact" | "prefix" | "glob"
    how: frozenset[str]
    replacement: str
    module_replacement: str | None
    since: str
    package: str | None
    status: str  # "removed" | "deprecated" | "end-of-life"

    def rest(self, symbol: str) -> str | None:
        """The part of ``symbol`` below this entry ("" for the entry itself), or None."""
        if self.match == "glob":
            return "" if fnmatch.fnmatchcase(symbol, self.symbol) else None
        if symbol == self.symbol:
            return ""
        if self.match == "prefix" and symbol.startswith(self.symbol + "."):
            return symbol[len(self.symbol) + 1 :]
        return None

    def replacement_for(self, rest: str) -> str:
        if "{rest}" in self.replacement:
            if not rest:
                return self.module_replacement or self.replacement.replace(".{rest}", "")
            return self.replacement.replace("{rest}", rest.split(".")[0])
        return self.replacement


@value_class(frozen=True)
class KwargEntry:
    """A ``kwargs`` entry: a keyword argument a callee no longer takes, and what replaces it."""

    provider: Provider
    callee: str
    kwarg: str
    replacement: str
    since: str
    package: str | None


@dataclass
class SdkIndex:
    """The ``sdk:`` sections of every provider file, indexed once per provider database: removed
    symbols, wrong remaps and replaced keyword arguments."""

    removed: list[SymbolEntry]
    remaps: list[SymbolEntry]
    kwargs: list[KwargEntry]


_CACHE: dict[int, tuple[ProviderDB, SdkIndex]] = {}


def sdk_index(db: ProviderDB) -> SdkIndex:
    cached = _CACHE.get(id(db))
    if cached is not None and cached[0] is db:
        return cached[1]
    built = SdkIndex([], [], [])
    for provider, section in db.iter_sections("sdk"):
        if not isinstance(section, Mapping):
            continue
        for entry in section.get("removed") or ():
            built.removed.append(_symbol(provider, entry, _DEFAULT_HOW))
        for entry in section.get("wrong_remaps") or ():
            built.remaps.append(
                _symbol(provider, entry, frozenset({"import", "attribute", "except"}))
            )
        for entry in section.get("kwargs") or ():
            built.kwargs.append(
                KwargEntry(
                    provider,
                    str(entry["callee"]),
                    str(entry["kwarg"]),
                    str(entry.get("replacement", "")),
                    str(entry.get("since", "")),
                    _opt(entry, "package"),
                )
            )
    _CACHE[id(db)] = (db, built)
    return built


def _opt(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return str(value) if value is not None else None


def _symbol(provider: Provider, entry: Mapping[str, Any], how: frozenset[str]) -> SymbolEntry:
    return SymbolEntry(
        provider=provider,
        symbol=str(entry["symbol"]),
        match=str(entry.get("match", "exact")),
        how=frozenset(str(h) for h in entry["how"]) if entry.get("how") else how,
        replacement=str(entry.get("replacement", "")),
        module_replacement=_opt(entry, "module_replacement"),
        since=str(entry.get("since", "")),
        package=_opt(entry, "package"),
        status=str(entry.get("status", "removed")),
    )


def first_match(entries: Iterable[SymbolEntry], use: SdkUse) -> tuple[SymbolEntry, str] | None:
    for entry in entries:
        if use.how not in entry.how:
            continue
        rest = entry.rest(use.symbol)
        if rest is not None:
            return entry, rest
    return None


def package_of(since: str, package: str | None) -> tuple[str | None, int | None]:
    m = _SINCE.match(since.strip())
    if m:
        return package or m.group("package"), int(m.group("major"))
    return package, None


def pin_note(pins: Mapping[str, str], since: str, package: str | None) -> str:
    """What the project's pins say about this SDK version: "" when they say nothing."""
    name, major = package_of(since, package)
    if name is None:
        return ""
    spec = pins.get(normalize(name))
    if spec is None:
        return ""
    if major is None:
        return f"; the project still depends on {name}{spec}"
    newer = major_at_least(spec, major)
    if newer is False:
        return f"; the project pins {name}{spec}, an old SDK past its end of life"
    if newer is True:
        return f"; the project pins {name}{spec}, where this fails at run time"
    return ""


def use_text(ctx: FileContext, span: Span) -> str:
    file = ctx.file
    try:
        return file.text[
            file.offset(span.line, span.column) : file.offset(span.end_line, span.end_column)
        ]
    except IndexError:
        return ""


@value_class(frozen=True)
class Imported:
    """One name an import statement binds, and where its text is."""

    local: str | None  # the name bound in the module (None for `import a.b`: binds `a`)
    symbol: str
    module: str | None  # `from <module> import ...`
    module_span: Span | None
    name_span: Span


def import_bindings(ctx: FileContext, span: Span) -> list[Imported]:
    """The names an import statement binds, with the positions of the module and names."""
    text = use_text(ctx, span)
    try:
        tree = ast.parse(text.strip())
    except (SyntaxError, ValueError):
        return []
    if not tree.body:
        return []
    node = tree.body[0]
    base = ctx.file.offset(span.line, span.column) + (len(text) - len(text.lstrip()))
    stripped = text.strip()
    out: list[Imported] = []
    if isinstance(node, ast.ImportFrom) and node.module:
        m = re.search(
            r"\bfrom\s+(" + re.escape(node.module).replace(r"\.", r"\s*\.\s*") + ")", stripped
        )
        module_span = ctx.file.span(base + m.start(1), base + m.end(1)) if m else None
        after = stripped.find("import", m.end() if m else 0)
        for alias in node.names:
            found = re.compile(r"\b" + re.escape(alias.name) + r"\b").search(stripped, after)
            name_span = ctx.file.span(base + found.start(), base + found.end()) if found else span
            out.append(
                Imported(
                    alias.asname or alias.name,
                    f"{node.module}.{alias.name}",
                    node.module,
                    module_span,
                    name_span,
                )
            )
    elif isinstance(node, ast.Import):
        for alias in node.names:
            found = re.compile(r"\b" + re.escape(alias.name) + r"\b").search(stripped)
            name_span = ctx.file.span(base + found.start(), base + found.end()) if found else span
            out.append(Imported(alias.asname, alias.name, None, None, name_span))
    return out


def uses(ctx: FileContext) -> Iterator[SdkUse]:
    """SDK uses in order, one per position and kind (a call is also seen as an attribute)."""
    seen: set[tuple[int, int, str, str]] = set()
    for use in ctx.of(SdkUse):
        key = (use.span.line, use.span.column, use.symbol, use.detail or "")
        if key in seen:
            continue
        seen.add(key)
        yield use


@value_class(frozen=True)
class SymbolHit:
    """A use of a symbol an entry names: the symbol as used, the rest below the entry's, where
    it is and how it is used."""

    entry: SymbolEntry
    symbol: str  # as used (import-resolved)
    rest: str  # below the entry's symbol
    span: Span
    how: str


def symbol_hits(ctx: FileContext, entries: list[SymbolEntry]) -> Iterator[SymbolHit]:
    """Uses of ``entries``, one per site.

    An import that binds a removed name is reported at the import (on the module of a
    ``from`` import when the whole module is gone, else on the name); later uses through
    that local name are not reported again, since fixing the import fixes them.
    """
    own = ctx.pins.get(SELF)
    if own is not None:  # the repository is that SDK: its own API is not "removed" in it
        entries = [e for e in entries if normalize(package_of(e.since, e.package)[0] or "") != own]
    if not entries:
        return
    all_uses = list(uses(ctx))
    reported_locals: set[str] = set()
    seen: set[tuple[int, int]] = set()
    statements: dict[Span, list[SdkUse]] = {}
    for use in all_uses:
        if use.how == "import":
            statements.setdefault(use.span, []).append(use)
    for span, group in statements.items():
        bindings = {b.symbol: b for b in import_bindings(ctx, span)}
        for use in group:
            found = first_match(entries, use)
            if found is None:
                continue
            entry, rest = found
            binding = bindings.get(use.symbol)
            where = span
            if binding is not None:
                module_gone = binding.module is not None and entry.rest(binding.module) is not None
                where = (
                    binding.module_span
                    if module_gone and binding.module_span
                    else binding.name_span
                )
                if module_gone:
                    rest = ""
                if binding.local:
                    reported_locals.add(binding.local)
            key = (where.line, where.column)
            if key not in seen:
                seen.add(key)
                yield SymbolHit(entry, use.symbol, rest, where, "import")
    for use in all_uses:
        if use.how in ("import", "kwarg"):
            continue
        found = first_match(entries, use)
        if found is None:
            continue
        first = re.match(r"[A-Za-z_]\w*", use_text(ctx, use.span))
        if first and first.group(0) in reported_locals:
            continue
        key = (use.span.line, use.span.column)
        if key not in seen:
            seen.add(key)
            yield SymbolHit(found[0], use.symbol, found[1], use.span, use.how)
