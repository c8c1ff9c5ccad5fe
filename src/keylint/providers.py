"""Provider facts loaded from the top-level ``rules/`` data (shipped as ``keylint/_rules``).

Code never hardcodes a provider fact: key formats, env var names, hosts, endpoints, models,
SDK symbols and verification requests come from ``rules/providers/*.yaml`` and
``rules/common.yaml``. This module only validates and indexes them.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import os
import pickle
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

import ahocorasick_rs

from keylint.patterns import AnyPattern, CaselessPattern, LazyPattern
from keylint.span import value_class


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


@value_class(frozen=True)
class KeyFormat:
    """One key format of a provider (a ``keys:`` entry of its data file): the regex that
    recognises it, the template fake keys are made from, and how its findings are reported."""

    id: str
    provider: str
    label: str
    prefix: str
    pattern: str
    charset: str
    lengths: tuple[int, ...]
    sample: str
    strict: bool  # the prefix alone identifies the provider
    context_pattern: str | None  # a name or line must match this for a prefix-less format
    # A literal inside every match, for a format whose distinctive part is not at its start
    # (Azure `…8Q~…`, Terraform `….atlasv1.…`): the scan looks for it before the regex runs.
    marker: str = ""
    # Templates (like ``sample``) of text that must NOT be taken for this format: near
    # misses a reviewer thought of (too short, wrong marker). tests/test_rules_data.py runs them.
    negatives: tuple[str, ...] = ()
    prefilter_marker: bool = True  # False: the marker is too common to make a file worth a parse
    # A context format whose name plus shape is evidence enough (KL106); others only label
    # what detect-secrets finds (KL102).
    standalone: bool = False
    severity: str | None = None  # a project's own format may set the severity of its findings
    # An identifier, not a secret (Alibaba `LTAI…`): reported only with its secret, the
    # format ``pair`` names, within a few lines (KL111), never alone.
    role: str = "secret"
    pair: str | None = None

    # Compiled on first use: a run whose files all fail the prefilter never needs them.
    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern, f"key {self.id}")

    @property
    def regex_source(self) -> str:
        return self.pattern

    @functools.cached_property
    def bare_regex(self) -> re.Pattern[str]:
        """The format's regex with the trailing word boundary (the leading one is checked
        by hand): it backtracks as ``key_scanner`` does."""
        return re.compile(f"(?:{self.pattern})(?![A-Za-z0-9_])")

    @functools.cached_property
    def context(self) -> re.Pattern[str] | None:
        if self.context_pattern is None:
            return None
        return _compile(self.context_pattern, f"key {self.id}")

    def fake(self, seed: int = 0, template: str | None = None) -> str:
        """A fake key of this format for tests: ``{N}`` in ``sample`` (or ``template``)
        becomes N random characters of ``charset``."""
        rng = random.Random(f"{self.id}:{seed}")
        alphabet = expand_charset(self.charset)
        return re.sub(
            r"\{(\d+)\}",
            lambda m: "".join(rng.choice(alphabet) for _ in range(int(m.group(1)))),
            self.sample if template is None else template,
        )


@value_class(frozen=True)
class Provider:
    """One provider's data file (rules/providers/<id>.yaml): its hosts, key variables and key
    formats, with the whole file in ``raw`` for the rules that read other sections."""

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


@value_class(frozen=True)
class Common:
    """rules/common.yaml, compiled: the placeholder and lookup patterns, and the name patterns
    that tell a secret's name from other names."""

    placeholder_words: frozenset[str]
    placeholder_patterns: tuple[CaselessPattern, ...]
    lookup_patterns: tuple[re.Pattern[str], ...]
    key_slot: CaselessPattern
    secret_name: CaselessPattern
    not_secret_name: CaselessPattern
    password_name: CaselessPattern
    # `key|token|…`: searched on a lower-cased ASCII name before the name patterns
    secret_name_words: LazyPattern
    # Does any placeholder (lookup) pattern match? One search of their alternation.
    any_placeholder: AnyPattern
    any_lookup: AnyPattern

    def caseless(self) -> Iterator[tuple[str, CaselessPattern]]:
        yield from (("placeholder_patterns", p) for p in self.placeholder_patterns)
        yield "key_slot_pattern", self.key_slot
        yield "secret_name_pattern", self.secret_name
        yield "not_secret_name_pattern", self.not_secret_name
        yield "password_name_pattern", self.password_name


@value_class(frozen=True)
class ProviderDB:
    """All the rules data: the providers (bundled and ``extend-data``) and rules/common.yaml,
    with the indexes the checks search, each built on first use."""

    providers: tuple[Provider, ...]
    common_data: Mapping[str, Any] = field(repr=False)

    @functools.cached_property
    def common(self) -> Common:
        """rules/common.yaml, compiled on first use (its case-insensitive patterns cost
        ~40 ms to compile, which a clean pre-commit run never needs)."""
        return _common(self.common_data, "common.yaml")

    @functools.cached_property
    def reviewed(self) -> datetime.date | None:
        """When the data was last checked against its sources: the oldest provider file's
        ``reviewed:`` date (None when no file carries one)."""
        dates = [d for d in (reviewed_date(p) for p in self.providers) if d is not None]
        return min(dates) if dates else None

    @functools.cached_property
    def by_id(self) -> dict[str, Provider]:
        return {p.id: p for p in self.providers}

    @functools.cached_property
    def key_formats(self) -> tuple[KeyFormat, ...]:
        return tuple(k for p in self.providers for k in p.keys)

    @functools.cached_property
    def prefixed_formats(self) -> tuple[KeyFormat, ...]:
        """Formats recognisable by their text alone, longest prefix first."""
        formats = [
            k for k in self.key_formats if (k.prefix or k.marker) and k.context_pattern is None
        ]
        return tuple(sorted(formats, key=lambda k: -len(k.prefix)))

    @functools.cached_property
    def key_scanner(self) -> re.Pattern[str]:
        """One regex finding every prefixed key format in text, with word boundaries.

        The group name tells which format matched (``f<index>`` into prefixed_formats).
        """
        parts = [f"(?P<f{i}>{k.regex.pattern})" for i, k in enumerate(self.prefixed_formats)]
        return re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(parts) + r")(?![A-Za-z0-9_])")

    @functools.cached_property
    def _format_scanners(self) -> tuple[tuple[str, KeyFormat], ...]:
        """Per format: the literal text every match starts with (or its marker).

        Scanning a whole file with the one-alternation ``key_scanner`` costs ~10 ms per
        100 KB in CPython's ``re`` (the leading look-behind defeats its literal-prefix
        search). Finding which literals a text holds (one automaton pass) and running only
        those formats' literal-led regexes costs a fraction of that; boundaries are then
        checked by hand. The regexes are compiled on first use: a one-file run meets a few
        of the ~130 formats, and compiling them all cost ~20 ms of its start.
        """
        return tuple(
            (_leading_literal(fmt.regex_source) or fmt.marker, fmt) for fmt in self.prefixed_formats
        )

    @functools.cached_property
    def _literal_finder(self) -> LiteralFinder:
        """Which formats' leading literals a text holds, in one pass over it, not one ``in``
        scan per format (~130 scans of a 2 MB file)."""
        return LiteralFinder(lit for lit, _fmt in self._format_scanners if lit)

    def _scans(self, text: str) -> Iterator[tuple[re.Pattern[str], KeyFormat]]:
        """The formats worth a regex search in ``text``, with their bare regex."""
        present = self._literal_finder.present(text)
        if not present:  # most texts: only the formats no literal leads are worth a search
            for fmt in self._unled_formats:
                yield fmt.bare_regex, fmt
            return
        for literal, fmt in self._format_scanners:
            if not literal or literal in present:
                yield fmt.bare_regex, fmt

    @functools.cached_property
    def _unled_formats(self) -> tuple[KeyFormat, ...]:
        """The formats with no leading literal (nor marker), in data order."""
        return tuple(fmt for literal, fmt in self._format_scanners if not literal)

    def _matches(self, text: str) -> Iterator[tuple[int, int, KeyFormat]]:
        """Every match of every present format, at every start (overlapping), that does not
        start inside a word: what ``key_scanner.finditer`` tried, unsorted."""
        for regex, fmt in self._scans(text):
            pos = 0
            while True:
                m = regex.search(text, pos)
                if m is None:
                    break
                start, end = m.span()
                pos = start + 1
                if start == 0 or not _is_word_char(text[start - 1]):
                    yield start, end, fmt

    def find_keys(self, text: str) -> list[tuple[int, int, KeyFormat]]:
        """Every prefixed-format key in ``text``: (start, end, format), by position.

        Same answers as ``key_scanner.finditer``: word boundaries on both sides, and where
        two formats match overlapping text, the longer prefix (listed first) wins.
        """
        found = list(self._matches(text))
        order = {id(f): i for i, f in enumerate(self.prefixed_formats)}
        found.sort(key=lambda t: (t[0], order[id(t[2])]))
        kept: list[tuple[int, int, KeyFormat]] = []
        for item in found:
            if kept and item[0] < kept[-1][1]:
                continue
            kept.append(item)
        return kept

    def has_key(self, text: str) -> bool:
        """Does ``text`` hold a prefixed-format key? (``key_scanner.search``, faster.)"""
        return next(self._matches(text), None) is not None

    @functools.cached_property
    def standalone_formats(self) -> tuple[KeyFormat, ...]:
        """Context formats reported on name and shape alone (KL106)."""
        return tuple(k for k in self.key_formats if k.standalone and k.context_pattern)

    @functools.cached_property
    def standalone_context(self) -> AnyPattern:
        """Does some standalone format's context pattern match a name? One search of their
        alternation where it gives the same answer (patterns.AnyPattern)."""
        return AnyPattern(
            [fmt.context_pattern or "" for fmt in self.standalone_formats], caseless=False
        )

    @functools.cached_property
    def env_to_provider(self) -> dict[str, Provider]:
        """Env var names that hold a provider's key."""
        return {name: p for p in self.providers for name in p.key_env}

    def format_for_match(self, match: re.Match[str]) -> KeyFormat:
        assert match.lastgroup is not None
        return self.prefixed_formats[int(match.lastgroup[1:])]

    def formats_claimed_by(self, value: str) -> list[KeyFormat]:
        """Formats whose prefix the value starts with (longest prefix first)."""
        return [k for k in self.prefixed_formats if k.prefix and value.startswith(k.prefix)]

    def iter_sections(self, name: str) -> Iterator[tuple[Provider, Any]]:
        for provider in self.providers:
            section = provider.raw.get(name)
            if section:
                yield provider, section


class LiteralFinder:
    """Which of a fixed set of literals a text holds, in one pass (the Rust aho-corasick
    crate). A text with lone surrogates (``"\\udc80"`` in Python source) has no UTF-8 form
    for the automaton: it is asked with ``in``, literal by literal."""

    def __init__(self, literals: Iterable[str]) -> None:
        self.literals = sorted(set(literals))
        self._automaton = ahocorasick_rs.AhoCorasick(self.literals) if self.literals else None

    def present(self, text: str) -> set[str]:
        if self._automaton is None:
            return set()
        try:
            hits = self._automaton.find_matches_as_indexes(text, overlapping=True)
        except UnicodeEncodeError:
            return {literal for literal in self.literals if literal in text}
        return {self.literals[i] for i, _start, _end in hits}

    def any_in(self, text: str) -> bool:
        if self._automaton is None:
            return False
        try:
            return bool(self._automaton.find_matches_as_indexes(text))
        except UnicodeEncodeError:
            return any(literal in text for literal in self.literals)


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


def expand_charset(charset: str) -> str:
    """`A-Za-z0-9_-` → every character it names (a trailing `-` is itself)."""
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
        pattern=_require(data, "regex", str, where),
        charset=_require(data, "charset", str, where),
        lengths=tuple(int(n) for n in data.get("lengths") or ()),
        sample=_require(data, "sample", str, where),
        strict=bool(data.get("strict", bool(prefix))),
        context_pattern=context if isinstance(context, str) else None,
        marker=_marker(data, where),
        negatives=tuple(str(n) for n in data.get("negatives") or ()),
        prefilter_marker=bool(data.get("prefilter_marker", True)),
        standalone=bool(data.get("standalone", False)),
        role=str(data.get("role", "secret")),
        pair=data.get("pair") if isinstance(data.get("pair"), str) else None,
    )


def _marker(data: Mapping[str, Any], where: str) -> str:
    marker = data.get("marker", "")
    if not isinstance(marker, str):
        raise DataError(f"{where}: 'marker' must be a string")
    if marker and marker not in str(data.get("sample", "")):
        raise DataError(f"{where}: the sample must contain the marker {marker!r}")
    return marker


def reviewed_date(provider: Provider) -> datetime.date | None:
    value = provider.raw.get("reviewed")
    return value if isinstance(value, datetime.date) else None


def _provider(data: Mapping[str, Any], where: str) -> Provider:
    pid = _require(data, "id", str, where)
    reviewed = data.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, datetime.date):
        raise DataError(f"{where}: 'reviewed' must be a date (YYYY-MM-DD)")
    return Provider(
        id=pid,
        name=_require(data, "name", str, where),
        hosts=tuple(data.get("hosts") or ()),
        key_env=tuple(data.get("key_env") or ()),
        keys=tuple(_key_format(pid, k, where) for k in _require(data, "keys", list, where)),
        raw=data,
    )


def _common(data: Mapping[str, Any], where: str) -> Common:
    def caseless(key: str) -> CaselessPattern:
        return _caseless(_require(data, key, str, where), f"{where}: {key}")

    return Common(
        placeholder_words=frozenset(
            w.lower() for w in _require(data, "placeholder_words", list, where)
        ),
        placeholder_patterns=tuple(
            _caseless(p, f"{where}: placeholder_patterns")
            for p in _require(data, "placeholder_patterns", list, where)
        ),
        lookup_patterns=tuple(
            re.compile(p) for p in _require(data, "lookup_patterns", list, where)
        ),
        key_slot=caseless("key_slot_pattern"),
        secret_name=caseless("secret_name_pattern"),
        not_secret_name=caseless("not_secret_name_pattern"),
        password_name=caseless("password_name_pattern"),
        any_placeholder=AnyPattern(
            [str(p) for p in _require(data, "placeholder_patterns", list, where)], caseless=True
        ),
        any_lookup=AnyPattern(
            [str(p) for p in _require(data, "lookup_patterns", list, where)], caseless=False
        ),
        secret_name_words=LazyPattern(
            "|".join(
                re.escape(str(w).lower()) for w in _require(data, "secret_name_words", list, where)
            )
        ),
    )


def _caseless(source: Any, where: str) -> CaselessPattern:
    """Compiled on first use (most runs need a few of these patterns, and IGNORECASE makes
    compiling them slow): the rules data tests compile each one, so a typo still fails CI."""
    if not isinstance(source, str):
        raise DataError(f"{where}: expected a regex string, got {type(source).__name__}")
    return CaselessPattern(source)


def _load_yaml(path: Path) -> Any:
    import yaml  # imported here: only a run that loads the data pays for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


class _DataUnpickler(pickle.Unpickler):
    """Loads only plain data and dates: a cache file can never run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            return datetime.date
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the rules cache")


def _cache_path(files: list[Path]) -> Path | None:
    """Where the parsed rules data is cached, keyed by every file's path, size and mtime.

    Parsing the YAML costs ~80 ms per run, a pickle of the same data under 2 ms: this is
    most of what a pre-commit run on one clean file pays.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha256()
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            return None
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return Path(base) / "keylint" / f"rules-{digest.hexdigest()[:24]}.pickle"


def _raw_data(directory: Path) -> tuple[list[tuple[str, Any]], Any, bool]:
    """The parsed data files, and whether they come from a cache of already validated data."""
    files = sorted((directory / "providers").glob("*.yaml"))
    cache = (
        None
        if os.environ.get("KEYLINT_NO_CACHE")
        else _cache_path([*files, directory / "common.yaml"])
    )
    if cache is not None:
        try:
            with cache.open("rb") as handle:
                cached: tuple[list[tuple[str, Any]], Any] = _DataUnpickler(handle).load()
            return cached[0], cached[1], True
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError):
            pass
    raw = ([(path.name, _load_yaml(path)) for path in files], _load_yaml(directory / "common.yaml"))
    if cache is not None:
        _PENDING_CACHE[directory] = (cache, raw)
    return raw[0], raw[1], False


# Data parsed from YAML is cached only after it validated (see load_from).
_PENDING_CACHE: dict[Path, tuple[Path, Any]] = {}


def _write_cache(directory: Path) -> None:
    pending = _PENDING_CACHE.pop(directory, None)
    if pending is None:
        return
    cache, raw = pending
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cache)


def load_cached_yaml(path: Path) -> Any:
    """A data file of rules/ other than the providers' (``public-keys.yaml``), through the
    same pickle cache: importing PyYAML alone costs ~12 ms of a one-file run. The caller
    validates what it gets, cached or not."""
    cache = None if os.environ.get("KEYLINT_NO_CACHE") else _cache_path([path])
    if cache is not None:
        try:
            with cache.open("rb") as handle:
                return _DataUnpickler(handle).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError):
            pass
    data = _load_yaml(path)
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, cache)
    return data


def load_from(directory: Path) -> ProviderDB:
    providers = []
    files, common, validated = _raw_data(directory)
    for name, data in files:
        path = directory / "providers" / name
        if not isinstance(data, dict):
            raise DataError(f"{path.name}: not a mapping")
        provider = _provider(data, path.name)
        if provider.id != path.stem:
            raise DataError(f"{path.name}: id '{provider.id}' must match the file name")
        providers.append(provider)
    db = ProviderDB(tuple(providers), common)
    if not validated:
        validate(db)
        _write_cache(directory)
    return db


# What each endpoint `kind:` needs besides itself; the rules (KL401-KL405) act on exactly
# these, so any other kind would be data that silently does nothing.
ENDPOINT_KINDS: dict[str, tuple[str, ...]] = {
    "removed": ("path", "host"),  # one of them
    "misspelt-host": ("host",),
    "version-path": ("host",),
    "api-version": ("match",),
}


def validate(db: ProviderDB) -> None:
    """Compile every pattern and check every endpoint now, so a broken data file fails
    loudly and at once (with the file, the list and the index)."""
    for key, pattern in db.common.caseless():
        try:
            re.compile(pattern.source, re.IGNORECASE)
        except re.error as exc:
            raise DataError(f"common.yaml: {key}: bad regex {pattern.source!r}: {exc}") from None
    ids = {fmt.id for fmt in db.key_formats}
    for fmt in db.key_formats:
        _ = fmt.regex, fmt.context
        if fmt.role not in ("secret", "id"):
            raise DataError(f"key {fmt.id}: 'role' must be secret or id")
        if fmt.role == "id" and (fmt.pair is None or fmt.pair not in ids):
            raise DataError(
                f"key {fmt.id}: an id format needs 'pair': the id of its secret's format"
            )
    for provider in db.providers:
        _validate_endpoints(provider)


def _validate_endpoints(provider: Provider) -> None:
    endpoints = provider.raw.get("endpoints") or []
    if not isinstance(endpoints, list):
        raise DataError(f"{provider.id}.yaml: 'endpoints' must be a list")
    for i, entry in enumerate(endpoints):
        where = f"{provider.id}.yaml endpoints[{i}]"
        if not isinstance(entry, dict):
            raise DataError(f"{where}: must be a mapping")
        kind = entry.get("kind", "removed")
        needs = ENDPOINT_KINDS.get(kind) if isinstance(kind, str) else None
        if needs is None:
            known = ", ".join(ENDPOINT_KINDS)
            raise DataError(f"{where}: unknown kind {kind!r} (one of: {known})")
        if not any(isinstance(entry.get(field), str) and entry[field] for field in needs):
            raise DataError(f"{where}: kind {kind!r} needs {' or '.join(needs)}")


def load(extend: tuple[Path, ...] = ()) -> ProviderDB:
    """The bundled data, with the provider files of ``extend`` (config ``extend-data``)
    added or replacing bundled providers of the same id. One object per ``extend``:
    ``load()`` and ``load(())`` are the same data, loaded once (and every index built
    over it, once)."""
    return _load(tuple(extend))


@functools.cache
def _load(extend: tuple[Path, ...]) -> ProviderDB:
    db = load_from(data_dir())
    if not extend:
        return db
    from keylint.extend_data import extended

    return extended(db, extend)


# --- a project's own key formats ([tool.keylint] key-formats) -------------------------------

USER_PROVIDER = "project"
_USER_FIELDS = {"id", "label", "prefix", "regex", "charset", "length", "lengths", "env", "severity"}
_SEVERITIES = ("error", "warning", "info")


def user_provider(entries: Sequence[Mapping[str, Any]], bundled: ProviderDB) -> Provider:
    """The project's key formats as a provider, validated like the bundled data: each one
    anchored by a prefix of three or more characters, its regex compiled, and a fake key
    built from it proven to match (the same proof tests/test_rules_data.py gives)."""
    keys = []
    taken = {k.id for k in bundled.key_formats}
    for i, entry in enumerate(entries):
        where = f"key-formats[{i}]"
        if not isinstance(entry, Mapping):
            raise DataError(f"{where}: must be a table")
        unknown = sorted(set(entry) - _USER_FIELDS)
        if unknown:
            raise DataError(f"{where}: unknown field(s) {', '.join(unknown)}")
        kid = entry.get("id")
        if not isinstance(kid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", kid):
            raise DataError(f"{where}: 'id' must be lower-case letters, digits and '-'")
        if kid in taken:
            raise DataError(f"{where}: id '{kid}' is already taken")
        taken.add(kid)
        keys.append(_user_format(kid, entry, f"{where} ({kid})"))
    env = [str(n) for e in entries for n in (e.get("env") or ())]
    data = {"id": USER_PROVIDER, "name": "this project", "key_env": env, "keys": []}
    return Provider(USER_PROVIDER, "this project", (), tuple(env), tuple(keys), data)


def _user_format(kid: str, entry: Mapping[str, Any], where: str) -> KeyFormat:
    prefix = entry.get("prefix")
    if not isinstance(prefix, str) or len(prefix) < 3:
        raise DataError(
            f"{where}: 'prefix' must be the literal text every key starts with (3+ characters)"
        )
    charset = entry.get("charset", "A-Za-z0-9")
    if not isinstance(charset, str) or not charset:
        raise DataError(f"{where}: 'charset' must be a character class body like 'A-Za-z0-9_-'")
    lengths = entry.get("lengths", [entry["length"]] if "length" in entry else [])
    if not isinstance(lengths, list) or not all(isinstance(n, int) and n > 0 for n in lengths):
        raise DataError(
            f"{where}: 'length'/'lengths' must be positive integers (the body after the prefix)"
        )
    body = f"[{_class(charset)}]"
    regex = entry.get("regex")
    if regex is None:
        if not lengths:
            raise DataError(f"{where}: give 'regex', or 'length' with 'prefix' and 'charset'")
        counts = "|".join(f"{body}{{{n}}}" for n in sorted(lengths))
        regex = re.escape(prefix) + f"(?:{counts})"
    if not isinstance(regex, str) or not _leading_literal(regex).startswith(prefix[:3]):
        raise DataError(f"{where}: 'regex' must start with the prefix {prefix!r}")
    severity = entry.get("severity")
    if severity is not None and severity not in _SEVERITIES:
        raise DataError(f"{where}: 'severity' must be one of {', '.join(_SEVERITIES)}")
    env = entry.get("env", [])
    if not isinstance(env, list) or not all(isinstance(n, str) for n in env):
        raise DataError(f"{where}: 'env' must be a list of variable names")
    sample_len = min(lengths) if lengths else 32
    fmt = KeyFormat(
        id=kid,
        provider=USER_PROVIDER,
        label=str(entry.get("label") or kid),
        prefix=prefix,
        pattern=regex,
        charset=charset,
        lengths=tuple(len(prefix) + n for n in lengths),
        sample=prefix + f"{{{sample_len}}}",
        strict=True,
        context_pattern=None,
        severity=severity,
    )
    _ = fmt.regex  # compiles, or DataError
    if not fmt.regex.fullmatch(fmt.fake()):
        raise DataError(
            f"{where}: a key of {sample_len} '{charset}' characters after the prefix "
            "does not match 'regex'"
        )
    return fmt


def _class(charset: str) -> str:
    """A charset as a regex class body (``]``, ``\\`` and ``^`` escaped)."""
    return "".join("\\" + c if c in "]\\^[" else c for c in charset)


def with_user_formats(db: ProviderDB, entries: Sequence[Mapping[str, Any]]) -> ProviderDB:
    """``db`` plus the project's own formats (additive: nothing bundled changes)."""
    if not entries:
        return db
    return ProviderDB((*db.providers, user_provider(entries, db)), db.common_data)


def provider_ids(db: ProviderDB) -> Sequence[str]:
    return [p.id for p in db.providers]
