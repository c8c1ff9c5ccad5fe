"""Provider facts loaded from the top-level ``rules/`` data (shipped as ``keylint/_rules``).

Code never hardcodes a provider fact: key formats, env var names, hosts, endpoints, models,
SDK symbols and verification requests come from ``rules/providers/*.yaml`` and
``rules/common.yaml``. This module only validates and indexes them.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DataError(Exception):
    """A file in rules/ does not follow the schema: a bug in keylint's data, not user input."""


def data_dir() -> Path:
    """Where the rules data lives: inside the installed package, or the source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_rules"
    if installed.is_dir():
        return installed
    checkout = here.parent.parent / "rules"  # src/keylint -> repo root (editable installs)
    if checkout.is_dir():
        return checkout
    raise DataError(f"keylint's rules data is missing (looked in {installed} and {checkout})")


@dataclass(frozen=True)
class KeyFormat:
    id: str
    provider: str
    label: str
    prefix: str
    regex: re.Pattern[str]
    charset: str
    lengths: tuple[int, ...]
    sample: str
    strict: bool  # the prefix alone identifies the provider
    context: re.Pattern[str] | None  # a name or line must match this for a prefix-less format

    def fake(self, seed: int = 0) -> str:
        """A fake key of this format for tests: ``{N}`` in ``sample`` becomes N random chars."""
        rng = random.Random(f"{self.id}:{seed}")
        alphabet = _expand_charset(self.charset)
        return re.sub(
            r"\{(\d+)\}",
            lambda m: "".join(rng.choice(alphabet) for _ in range(int(m.group(1)))),
            self.sample,
        )


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    hosts: tuple[str, ...]
    key_env: tuple[str, ...]
    keys: tuple[KeyFormat, ...]
    raw: Mapping[str, Any] = field(repr=False)  # the whole data file, for rules of later floors

    def section(self, name: str) -> Any:
        return self.raw.get(name)

    def matches_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for pattern in self.hosts:
            if pattern.startswith("*."):
                if host.endswith(pattern[1:]):
                    return True
            elif host == pattern:
                return True
        return False


@dataclass(frozen=True)
class Common:
    placeholder_words: frozenset[str]
    placeholder_patterns: tuple[re.Pattern[str], ...]
    lookup_patterns: tuple[re.Pattern[str], ...]
    key_slot: re.Pattern[str]
    secret_name: re.Pattern[str]
    not_secret_name: re.Pattern[str]


@dataclass(frozen=True)
class ProviderDB:
    providers: tuple[Provider, ...]
    common: Common

    @functools.cached_property
    def by_id(self) -> dict[str, Provider]:
        return {p.id: p for p in self.providers}

    @functools.cached_property
    def key_formats(self) -> tuple[KeyFormat, ...]:
        return tuple(k for p in self.providers for k in p.keys)

    @functools.cached_property
    def prefixed_formats(self) -> tuple[KeyFormat, ...]:
        """Formats recognisable by their text alone, longest prefix first."""
        formats = [k for k in self.key_formats if k.prefix and k.context is None]
        return tuple(sorted(formats, key=lambda k: -len(k.prefix)))

    @functools.cached_property
    def key_scanner(self) -> re.Pattern[str]:
        """One regex finding every prefixed key format in text, with word boundaries.

        The group name tells which format matched (``f<index>`` into prefixed_formats).
        """
        parts = [f"(?P<f{i}>{k.regex.pattern})" for i, k in enumerate(self.prefixed_formats)]
        return re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(parts) + r")(?![A-Za-z0-9_])")

    @functools.cached_property
    def _format_scanners(self) -> tuple[tuple[str, re.Pattern[str], KeyFormat], ...]:
        """Per format: the literal text every match starts with, and its bare regex.

        Scanning a whole file with the one-alternation ``key_scanner`` costs ~10 ms per
        100 KB in CPython's ``re`` (the leading look-behind defeats its literal-prefix
        search). A ``str.__contains__`` test per format and a literal-led regex per present
        format cost a fraction of that; boundaries are then checked by hand.
        """
        out = []
        for fmt in self.prefixed_formats:
            literal = _leading_literal(fmt.regex.pattern)
            # the trailing boundary stays in the regex, so it backtracks as key_scanner does
            bare = re.compile(f"(?:{fmt.regex.pattern})(?![A-Za-z0-9_])")
            out.append((literal, bare, fmt))
        return tuple(out)

    def find_keys(self, text: str) -> list[tuple[int, int, KeyFormat]]:
        """Every prefixed-format key in ``text``: (start, end, format), by position.

        Same answers as ``key_scanner.finditer``: word boundaries on both sides, and where
        two formats match overlapping text, the longer prefix (listed first) wins.
        """
        found: list[tuple[int, int, KeyFormat]] = []
        for literal, regex, fmt in self._format_scanners:
            if literal and literal not in text:
                continue
            pos = 0
            while True:
                m = regex.search(text, pos)
                if m is None:
                    break
                start, end = m.span()
                pos = start + 1
                if start > 0 and _is_word_char(text[start - 1]):
                    continue
                found.append((start, end, fmt))
        order = {id(f): i for i, f in enumerate(self.prefixed_formats)}
        found.sort(key=lambda t: (t[0], order[id(t[2])]))
        kept: list[tuple[int, int, KeyFormat]] = []
        for item in found:
            if kept and item[0] < kept[-1][1]:
                continue
            kept.append(item)
        return kept

    @functools.cached_property
    def env_to_provider(self) -> dict[str, Provider]:
        """Env var names that hold a provider's key."""
        return {name: p for p in self.providers for name in p.key_env}

    def format_for_match(self, match: re.Match[str]) -> KeyFormat:
        assert match.lastgroup is not None
        return self.prefixed_formats[int(match.lastgroup[1:])]

    def formats_claimed_by(self, value: str) -> list[KeyFormat]:
        """Formats whose prefix the value starts with (longest prefix first)."""
        return [k for k in self.prefixed_formats if value.startswith(k.prefix)]

    def iter_sections(self, name: str) -> Iterator[tuple[Provider, Any]]:
        for provider in self.providers:
            section = provider.raw.get(name)
            if section:
                yield provider, section


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _leading_literal(pattern: str) -> str:
    """The plain characters a regex starts with (``sk-proj-`` of ``sk-proj-[A-Z]…``)."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and not pattern[i + 1].isalnum():
            out.append(pattern[i + 1])
            i += 2
            continue
        if c in ".^$*+?{}[]()|\\":
            break
        out.append(c)
        i += 1
    # a quantifier after the last literal char makes that char optional
    if i < len(pattern) and pattern[i] in "*?{" and out:
        out.pop()
    return "".join(out)


def _expand_charset(charset: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(charset):
        if i + 2 < len(charset) and charset[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(charset[i]), ord(charset[i + 2]) + 1))
            i += 3
        else:
            out.append(charset[i])
            i += 1
    return "".join(out)


def _require(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise DataError(f"{where}: '{key}' must be a {kind.__name__}")
    return value


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise DataError(f"{where}: bad regex {pattern!r}: {exc}") from None


def _key_format(provider: str, data: Mapping[str, Any], where: str) -> KeyFormat:
    kid = _require(data, "id", str, where)
    where = f"{where} key {kid}"
    context = data.get("context")
    prefix = data.get("prefix", "")
    return KeyFormat(
        id=kid,
        provider=provider,
        label=_require(data, "label", str, where),
        prefix=prefix if isinstance(prefix, str) else "",
        regex=_compile(_require(data, "regex", str, where), where),
        charset=_require(data, "charset", str, where),
        lengths=tuple(int(n) for n in data.get("lengths") or ()),
        sample=_require(data, "sample", str, where),
        strict=bool(data.get("strict", bool(prefix))),
        context=_compile(context, where) if isinstance(context, str) else None,
    )


def _provider(data: Mapping[str, Any], where: str) -> Provider:
    pid = _require(data, "id", str, where)
    return Provider(
        id=pid,
        name=_require(data, "name", str, where),
        hosts=tuple(data.get("hosts") or ()),
        key_env=tuple(data.get("key_env") or ()),
        keys=tuple(_key_format(pid, k, where) for k in _require(data, "keys", list, where)),
        raw=data,
    )


def _common(data: Mapping[str, Any], where: str) -> Common:
    def patterns(key: str, flags: int = re.IGNORECASE) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, flags) for p in _require(data, key, list, where))

    return Common(
        placeholder_words=frozenset(
            w.lower() for w in _require(data, "placeholder_words", list, where)
        ),
        placeholder_patterns=patterns("placeholder_patterns"),
        lookup_patterns=patterns("lookup_patterns", 0),
        key_slot=re.compile(_require(data, "key_slot_pattern", str, where), re.IGNORECASE),
        secret_name=re.compile(_require(data, "secret_name_pattern", str, where), re.IGNORECASE),
        not_secret_name=re.compile(
            _require(data, "not_secret_name_pattern", str, where), re.IGNORECASE
        ),
    )


def _load_yaml(path: Path) -> Any:
    import yaml  # imported here: only a run that loads the data pays for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def load_from(directory: Path) -> ProviderDB:
    providers = []
    for path in sorted((directory / "providers").glob("*.yaml")):
        data = _load_yaml(path)
        if not isinstance(data, dict):
            raise DataError(f"{path.name}: not a mapping")
        provider = _provider(data, path.name)
        if provider.id != path.stem:
            raise DataError(f"{path.name}: id '{provider.id}' must match the file name")
        providers.append(provider)
    common = _load_yaml(directory / "common.yaml")
    return ProviderDB(tuple(providers), _common(common, "common.yaml"))


@functools.cache
def load() -> ProviderDB:
    return load_from(data_dir())


def provider_ids(db: ProviderDB) -> Sequence[str]:
    return [p.id for p in db.providers]
