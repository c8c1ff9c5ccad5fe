"""Environment variable names: the ``env:`` data of each provider and a project-wide index.

Shared by the env-var-name rules (KL3xx). Two halves:

- :class:`EnvData` reads and validates the ``env:`` section of every
  ``rules/providers/*.yaml`` (schema in rules/README.md): the names each SDK reads, legacy
  names, wrong names seen in the wild, value-checked names and conflicting pairs. It also
  decides whether a name is a *near-miss* of a name an SDK reads.
- :class:`ProjectIndex` collects every environment read and definition of a run (the
  facts cross-file rules ask for) so that a rule can tell a project's own, consistently used
  name from a misspelt one.

Near-miss matching is deliberately narrow (false positives kill a linter): a name is a
near-miss of an SDK name only when it is the same name spelt differently (``OPENAI_APIKEY``,
``OPEN_AI_API_KEY``), a key name with ``API`` dropped or ``KEY``/``TOKEN`` swapped
(``OPENAI_KEY``, ``HF_API_KEY``), a key name under a nickname of the provider
(``CLAUDE_API_KEY``), or a one-letter typo inside a long word (``OPENAI_API_KYE``). A name
that extends a known prefix with its own meaning (``OPENAI_MODEL``, ``OPENAI_TIMEOUT``,
``ANTHROPIC_MAX_TOKENS``) matches none of these.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from keylint.checks.base import FileContext, ProjectContext
from keylint.facts import EnvDef, EnvDynamic, EnvRead, Span
from keylint.pins import major_at_least, normalize
from keylint.providers import DataError, ProviderDB
from keylint.source import FileKind
from keylint.span import value_class

# Last words of a key name that users swap for one another (OPENAI_TOKEN for OPENAI_API_KEY).
_CRED_WORDS = frozenset({"KEY", "TOKEN", "APIKEY"})
_CRED_SUFFIXES = tuple(_CRED_WORDS)  # a name whose last word is one ends with it
# Words users drop from or add to a key name (OPENAI_KEY for OPENAI_API_KEY).
_FILLER_WORDS = frozenset({"API"})
_CRED = "<CRED>"
# `openai>=1`, `cohere>=5`, `openai<1`: a package and the major version the data talks about.
_VERSIONED = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(>=|<)\s*(\d+)\s*$")
# Reads found by the plain-text scanner as `$X` / `${X}`: environment reads only where the
# file is a shell script or a configuration that interpolates the environment. In JS/TS and
# other text, `${name}` is a template placeholder and `$name` a variable.
_DOLLAR_READS = frozenset({"$X", "${X}"})
_DOLLAR_KINDS = frozenset(
    {FileKind.SHELL, FileKind.DOCKERFILE, FileKind.DOTENV, FileKind.YAML, FileKind.MARKDOWN}
)
# pydantic-settings matches field names to the environment case-insensitively by default.
CASE_INSENSITIVE_HOWS = frozenset({"pydantic-settings"})


# --- the data ---------------------------------------------------------------------------


@value_class(frozen=True)
class Versioned:
    """``openai>=1`` / ``openai<1``: a package and a major version."""

    package: str
    op: str
    major: int
    text: str

    @classmethod
    def parse(cls, text: str, where: str) -> Versioned:
        m = _VERSIONED.match(text)
        if not m:
            raise DataError(f"{where}: {text!r} must look like 'package>=N' or 'package<N'")
        return cls(normalize(m.group(1)), m.group(2), int(m.group(3)), text.replace(" ", ""))

    def holds(self, pins: Mapping[str, str]) -> bool | None:
        """True when the pins guarantee this range, False when they exclude it, None if unsure."""
        at_least = major_at_least(pins.get(self.package), self.major)
        if at_least is None:
            return None
        return at_least if self.op == ">=" else not at_least


@value_class(frozen=True)
class Legacy:
    """A name only old SDK versions read (``OPENAI_API_BASE``)."""

    name: str
    provider: str
    replacement: str | None
    read_by: str
    ignored_by: Versioned
    also_read_by: tuple[str, ...]
    note: str


@value_class(frozen=True)
class Wrong:
    """A name seen in the wild that the SDK does not read (``AZURE_OPENAI_KEY``)."""

    name: str
    provider: str
    intended: tuple[str, ...]
    note: str
    also_read_by: tuple[str, ...]
    read_by: Versioned | None  # versions that do read it after all (``cohere>=5``)
    unless_names: tuple[str, ...]  # the name means something else when these are around


@value_class(frozen=True)
class ValueSpec:
    """A variable whose value the SDK checks (``OPENAI_API_TYPE``)."""

    name: str
    provider: str
    allowed: tuple[str, ...]
    since: Versioned
    legacy_allowed: tuple[str, ...]
    replacements: Mapping[str, str]
    misroutes: tuple[str, ...]  # legacy values that now silently pick another backend
    also_read_by: tuple[str, ...]
    effect: str


@value_class(frozen=True)
class Conflict:
    """Variables that change each other's meaning when set together."""

    provider: str
    all: tuple[str, ...]
    any: tuple[str, ...]
    unless: tuple[str, ...]
    report_at: str  # a name, or "any": the first of ``any`` that is set
    sdk_use: re.Pattern[str] | None
    unless_sdk_use: re.Pattern[str] | None  # set in code instead (`openai.api_type = "azure"`)
    effect: str


@value_class(frozen=True)
class Near:
    """Why a name is a near-miss of ``target``."""

    target: str
    provider: str
    how: str  # "spelling", "nickname", "key-name", "typo"


@dataclass
class EnvData:
    """The ``env:`` sections of every provider file, by name: the names each SDK reads, the
    legacy, wrong and value-checked names and the conflicting pairs; it also finds near-misses."""

    reads: dict[str, str] = field(default_factory=dict)  # name -> provider id
    key_names: dict[str, str] = field(default_factory=dict)  # names that hold a key
    convention: dict[str, str] = field(default_factory=dict)
    aliases: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    legacy: dict[str, Legacy] = field(default_factory=dict)
    wrong: dict[str, Wrong] = field(default_factory=dict)
    values: dict[str, ValueSpec] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # provider id -> "the openai SDK"
    _compact: dict[str, str] = field(default_factory=dict)
    _stems: dict[tuple[str, ...], str] = field(default_factory=dict)
    # near_sdk() per name: a project's names are compared with every SDK name once, not
    # once per pair (a 2 MB .env of 60,000 names once cost 94 M comparisons).
    _near: dict[str, Near | None] = field(default_factory=dict, repr=False)
    _kinds: dict[str, Kind | None] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def known(self) -> frozenset[str]:
        return frozenset({*self.reads, *self.convention, *self.legacy, *self.wrong, *self.values})

    @functools.cached_property
    def _reads_by_ends(self) -> dict[tuple[int, str], list[tuple[int, str, str]]]:
        """SDK-read names of 10+ characters by (length, first four letters) and (length,
        last four letters), with their place in the data. A one-letter slip changes the
        length by at most one and, in a name of ten letters or more, leaves its first four
        or its last four letters alone (an edit at 0-3 ends by 5; six or more letters
        follow it). A name is compared only with those: almost none, where the first or last
        letter alone left ~1 a name of a 60,000-line .env."""
        table: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
        for place, (target, provider) in enumerate(self.reads.items()):
            if len(target) >= 10:
                entry = (place, target, provider)
                table.setdefault((len(target), "^" + target[:4]), []).append(entry)
                table.setdefault((len(target), target[-4:] + "$"), []).append(entry)
        return table

    @functools.cached_property
    def _ends(self) -> frozenset[str]:
        """Every first four (``^OPEN``) and last four (``_KEY$``) letters in
        :attr:`_reads_by_ends`, whatever the length."""
        return frozenset(end for _length, end in self._reads_by_ends)

    @functools.cached_property
    def _alias_heads(self) -> tuple[str, ...]:
        return tuple(alias[0] for alias in self.aliases if alias)

    def label(self, provider: str) -> str:
        return self.labels.get(provider, provider)

    def provider_of(self, name: str) -> str | None:
        for table in (self.reads, self.convention):
            if name in table:
                return table[name]
        for entries in (self.legacy, self.wrong, self.values):
            entry = entries.get(name)
            if entry is not None:
                return entry.provider
        return None

    # --- near-misses --------------------------------------------------------------------

    def judges(self, upper: str) -> bool:
        """Is a name one the env-name rules have something to say about on its own (an SDK
        name, a known wrong or legacy name, a near-miss of one)? Upper-cased ``upper``."""
        return upper in self.known or self.near_sdk(upper) is not None

    def near_sdk(self, name: str) -> Near | None:
        """The SDK-read name ``name`` is a near-miss of, if any (``name`` upper-cased)."""
        if name not in self._near:
            self._near[name] = self._near_sdk(name)
        return self._near[name]

    def _near_sdk(self, name: str) -> Near | None:
        upper = name.strip().upper()
        if not upper or upper in self.known:
            return None
        target = self._compact.get(compact(upper))
        if target is not None:
            return Near(target, self.reads[target], "spelling")
        if self._may_be_renamed(upper):
            words = tokens(upper)
            # Nicknames only rename key names: CLAUDE_API_KEY, but not Claude Code's own
            # CLAUDE_CONFIG_DIR.
            renamed = self._unalias(words)
            if renamed != words:
                joined = "_".join(renamed)
                if joined in self.key_names:
                    return Near(joined, self.reads[joined], "nickname")
            stem = key_stem(renamed)
            if stem is not None and stem in self._stems:
                target = self._stems[stem]
                how = "nickname" if renamed != words else "key-name"
                return Near(target, self.reads[target], how)
        return self._typo_of(upper)

    def _may_be_renamed(self, upper: str) -> bool:
        """Could the nickname or key-name tests match? They need a name that starts with a
        nickname or ends with a key word (``…_KEY``, ``…_TOKEN``); most names do neither,
        and skip splitting into words (a leading or trailing separator: asked in full)."""
        if upper.startswith(self._alias_heads) or upper.endswith(_CRED_SUFFIXES):
            return True
        return upper[0] in "_-." or upper[-1] in "_-." or not upper[0].isalnum()

    def _typo_of(self, upper: str) -> Near | None:
        """The SDK-read name ``upper`` is a one-letter slip of, if any. Among several, as
        a walk of the data would find it: a length shorter first; then names sharing the
        first letter, then the others, each in data order."""
        if len(upper) < 9:
            return None  # the data's names of 10 letters or more, less one
        ends = self._reads_by_ends
        head, tail = "^" + upper[:4], upper[-4:] + "$"
        if head not in self._ends and tail not in self._ends:
            return None  # most names: no SDK name starts or ends as they do
        for length in (len(upper) - 1, len(upper), len(upper) + 1):
            first, last = ends.get((length, head)), ends.get((length, tail))
            if not first and not last:
                continue
            found = {*(first or ()), *(last or ())}
            for _place, target, provider in sorted(
                found, key=lambda entry: (entry[1][0] != upper[0], entry[0])
            ):
                if is_typo(upper, target):
                    return Near(target, provider, "typo")
        return None

    def _unalias(self, words: list[str]) -> list[str]:
        for alias, canonical in self.aliases.items():
            if tuple(words[: len(alias)]) == alias:
                return [*canonical, *words[len(alias) :]]
        return words

    def near_pair(self, a: str, b: str) -> bool:
        """Are two different names one mistyped for the other (symmetric)?

        Through the SDK data, one side must be the SDK's name exactly as it reads it:
        `CLAUDE_API_KEY` pairs with `ANTHROPIC_API_KEY`, not with `anthropic_api_key` (both
        are slips of the same name, neither is the other's fix).
        """
        if a == b:
            return False
        upper_a, upper_b = a.strip().upper(), b.strip().upper()
        if upper_a == upper_b or compact(upper_a) == compact(upper_b):
            return True
        if upper_a in self.reads and upper_b in self.reads:
            return False  # two distinct variables an SDK reads
        for x, y in ((a, b), (b, a)):
            near = self.near_sdk(x)
            if near is not None and near.target == y:
                return True
            wrong = self.wrong.get(x.upper())
            if wrong is not None and y in wrong.intended:
                return True
            legacy = self.legacy.get(x.upper())
            if legacy is not None and legacy.replacement == y:
                return True
        return min(len(upper_a), len(upper_b)) >= 8 and is_typo(upper_a, upper_b)

    def classify(self, name: str) -> Kind | None:
        """What is wrong with a name as written, one answer per name (one defect, one rule).

        Whitespace first (KL304), then case (KL304), a known wrong name (KL303), a legacy
        name (KL302), a near-miss (KL301). Asked once per name: four rules ask it of every
        occurrence.
        """
        if name not in self._kinds:
            self._kinds[name] = self._classify(name)
        return self._kinds[name]

    def _classify(self, name: str) -> Kind | None:
        if has_odd_whitespace(name):
            return Kind("whitespace", clean(name).upper())
        if "__" in name.strip("_") and not name.isupper():
            # `AzureOpenAI__ApiKey`: a .NET configuration key (`__` is the section
            # separator IConfiguration reads), not a misspelt SDK variable.
            return None
        upper = name.upper()
        if name != upper and (upper in self.reads or upper in self.convention):
            return Kind("case", upper)
        if upper in self.wrong:
            return Kind("wrong", upper, self.wrong[upper])
        if upper in self.legacy:
            return Kind("legacy", upper, self.legacy[upper])
        near = self.near_sdk(upper)
        if near is not None:
            return Kind("near", near.target, near)
        return None


@value_class(frozen=True)
class Kind:
    """What is wrong with a variable name as written (:meth:`EnvData.classify`): the defect, the
    name it should be, and the entry that says why (legacy, wrong or near-miss)."""

    kind: str  # "whitespace", "case", "wrong", "legacy", "near"
    target: str  # the name as it should be (upper-cased and cleaned for whitespace/case)
    entry: Legacy | Wrong | Near | None = None


_SEPARATORS = re.compile(r"[_\-.\s]+")
_SEPARATOR = re.compile(r"[_\-.\s]")
_ASCII_SEPARATORS = str.maketrans("", "", "_-. \t\n\r\v\f\x1c\x1d\x1e\x1f")


def tokens(name: str) -> list[str]:
    return [t for t in _SEPARATORS.split(name.upper()) if t]


def compact(name: str) -> str:
    if name.isascii():  # str.translate: no regex call for the common case
        return name.upper().translate(_ASCII_SEPARATORS)
    return _SEPARATOR.sub("", name.upper())


def key_stem(words: Sequence[str]) -> tuple[str, ...] | None:
    """``OPENAI_API_KEY``, ``OPENAI_KEY``, ``OPENAI_TOKEN`` → ``(OPENAI, <CRED>)``."""
    if len(words) < 2 or words[-1] not in _CRED_WORDS:
        return None
    core = tuple(w for w in words[:-1] if w not in _FILLER_WORDS)
    return (*core, _CRED) if core else None


def is_typo(a: str, b: str) -> bool:
    """One-letter slip (substitution, insertion, deletion, swap) inside a long word.

    Not a typo: an edit at the end of the name (``OPENAI_API_KEYS``, ``AWS_REGION2`` extend a
    name), a plural ``S`` at the end of a word, digits, and edits in short words, where a
    one-letter change is usually another word (``API``/``APP``, ``HOST``/``POST``,
    ``XAI``/``ZAI``). Swapped neighbours count in words of three letters or more (``KYE``).
    """
    la, lb = len(a), len(b)
    if a == b or abs(la - lb) > 1:
        return False
    p = 0
    while p < min(la, lb) and a[p] == b[p]:
        p += 1
    s = 0
    while s < min(la, lb) - p and a[la - 1 - s] == b[lb - 1 - s]:
        s += 1
    ra, rb = a[p : la - s], b[p : lb - s]
    region = ra + rb
    if not region.isalpha() or not region.isascii():
        return False
    longer = a if la >= lb else b
    start = longer.rfind("_", 0, p) + 1
    end = longer.find("_", p)
    word = longer[start : end if end >= 0 else len(longer)]
    if la == lb:
        if len(ra) == 1:
            return len(word) >= 5
        return len(ra) == 2 and ra == rb[::-1] and len(word) >= 3
    if len(region) != 1 or p >= min(la, lb):
        return False  # not one letter, or appended at the end of the name
    word_end = start + len(word)
    if region == "S" and p == word_end - 1 and not word[:-2].endswith("S") and word[-2] != "S":
        return False  # a plural (HOSTS), not a slip in ACCESS
    return len(word) >= 5


# --- loading the data -------------------------------------------------------------------


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise DataError(f"{where}: expected a name or a list of names")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DataError(f"{where}: expected a mapping")
    return value


def _entry(value: Any, where: str) -> Mapping[str, Any]:
    entry = _mapping(value, where)
    if not entry.get("source"):
        raise DataError(f"{where}: every entry needs a 'source'")
    return entry


def _packages(value: Any, where: str) -> tuple[str, ...]:
    return tuple(normalize(p) for p in _names(value, where))


def _load_provider(data: EnvData, pid: str, env: Mapping[str, Any], key_env: Sequence[str]) -> None:
    where = f"{pid}.yaml env"
    if not env.get("source"):
        raise DataError(f"{where}: needs a 'source'")
    package = env.get("package")
    label = env.get("label") or (f"the {package} SDK" if package else f"{pid}'s documentation")
    data.labels[pid] = str(label)
    for name in _names(env.get("reads"), f"{where}.reads"):
        data.reads.setdefault(name, pid)
        if name in key_env:
            data.key_names.setdefault(name, pid)
    for name in _names(env.get("convention"), f"{where}.convention"):
        data.convention.setdefault(name, pid)
    missing = [n for n in key_env if n not in data.reads and n not in data.convention]
    if missing:
        raise DataError(f"{where}: key_env names {missing} are neither in reads nor convention")
    for alias, canonical in _mapping(env.get("aliases"), f"{where}.aliases").items():
        data.aliases[tuple(tokens(alias))] = tuple(tokens(str(canonical)))
    for name, raw in _mapping(env.get("legacy"), f"{where}.legacy").items():
        data.legacy[name] = _legacy(pid, name, _entry(raw, f"{where}.legacy.{name}"))
    for name, raw in _mapping(env.get("wrong"), f"{where}.wrong").items():
        data.wrong[name] = _wrong(pid, name, _entry(raw, f"{where}.wrong.{name}"))
    for name, raw in _mapping(env.get("values"), f"{where}.values").items():
        data.values[name] = _value_spec(pid, name, _entry(raw, f"{where}.values.{name}"))
    for i, raw in enumerate(env.get("conflicts") or ()):
        data.conflicts.append(_conflict(pid, _entry(raw, f"{where}.conflicts[{i}]"), i))


def _legacy(pid: str, name: str, entry: Mapping[str, Any]) -> Legacy:
    where = f"{pid}.yaml env.legacy.{name}"
    return Legacy(
        name=name,
        provider=pid,
        replacement=entry.get("replacement"),
        read_by=str(entry.get("read_by", "")),
        ignored_by=Versioned.parse(str(entry.get("ignored_by")), where),
        also_read_by=_packages(entry.get("also_read_by"), where),
        note=str(entry.get("note", "")),
    )


def _wrong(pid: str, name: str, entry: Mapping[str, Any]) -> Wrong:
    where = f"{pid}.yaml env.wrong.{name}"
    read_by = entry.get("read_by")
    intended = _names(entry.get("intended"), where)
    if not intended:
        raise DataError(f"{where}: needs 'intended'")
    return Wrong(
        name=name,
        provider=pid,
        intended=intended,
        note=str(entry.get("note", "")),
        also_read_by=_packages(entry.get("also_read_by"), where),
        read_by=Versioned.parse(str(read_by), where) if read_by else None,
        unless_names=_names(entry.get("unless_names"), where),
    )


def _value_spec(pid: str, name: str, entry: Mapping[str, Any]) -> ValueSpec:
    where = f"{pid}.yaml env.values.{name}"
    return ValueSpec(
        name=name,
        provider=pid,
        allowed=_names(entry.get("allowed"), where),
        since=Versioned.parse(str(entry.get("since")), where),
        legacy_allowed=_names(entry.get("legacy_allowed"), where),
        replacements=dict(_mapping(entry.get("replacements"), where)),
        misroutes=_names(entry.get("misroutes"), where),
        also_read_by=_packages(entry.get("also_read_by"), where),
        effect=str(entry.get("effect", "")),
    )


def _conflict(pid: str, entry: Mapping[str, Any], index: int) -> Conflict:
    where = f"{pid}.yaml env.conflicts[{index}]"
    sdk_use = entry.get("sdk_use")
    unless_sdk_use = entry.get("unless_sdk_use")
    conflict = Conflict(
        provider=pid,
        all=_names(entry.get("all"), where),
        any=_names(entry.get("any"), where),
        unless=_names(entry.get("unless"), where),
        report_at=str(entry.get("report_at", "")),
        sdk_use=re.compile(str(sdk_use)) if sdk_use else None,
        unless_sdk_use=re.compile(str(unless_sdk_use)) if unless_sdk_use else None,
        effect=str(entry.get("effect", "")),
    )
    if conflict.report_at not in (*conflict.all, *conflict.any, "any"):
        raise DataError(f"{where}: report_at must name one of its variables")
    return conflict


_DATA: dict[int, tuple[ProviderDB, EnvData]] = {}


def env_data(db: ProviderDB) -> EnvData:
    """The env data of ``db``, loaded and validated once per database."""
    cached = _DATA.get(id(db))
    if cached is not None and cached[0] is db:
        return cached[1]
    data = EnvData()
    for provider in db.providers:
        env = provider.section("env")
        if env is not None:
            _load_provider(
                data, provider.id, _mapping(env, f"{provider.id}.yaml env"), provider.key_env
            )
    data._compact = {compact(n): n for n in data.reads}
    for name in data.key_names:
        stem = key_stem(tokens(name))
        if stem is not None:
            data._stems.setdefault(stem, name)
    _DATA[id(db)] = (db, data)
    return data


def also_read(packages: Iterable[str], pins: Mapping[str, str]) -> str | None:
    """The first of ``packages`` the project depends on (it reads the name itself)."""
    return next((p for p in packages if p in pins), None)


# --- names as written -------------------------------------------------------------------


def has_odd_whitespace(name: str) -> bool:
    """Whitespace or an invisible format character (ZWSP, BOM, word joiner) in a name."""
    if name.isascii() and name.isprintable():
        return " " in name  # the common case, without a per-character loop
    return any(c.isspace() or unicodedata.category(c) == "Cf" for c in name)


def clean(name: str) -> str:
    return "".join(c for c in name if not (c.isspace() or unicodedata.category(c) == "Cf"))


# --- the project index --------------------------------------------------------------------


@value_class(frozen=True)  # hot: frozen for mypy only (keylint.span)
class Occurrence:
    """One read or definition of a variable, with the file it is in."""

    name: str
    span: Span
    ctx: FileContext
    fact: EnvRead | EnvDef

    @property
    def is_read(self) -> bool:
        return isinstance(self.fact, EnvRead)

    @property
    def path(self) -> str:
        return self.ctx.file.path

    @property
    def where(self) -> str:
        return f"{self.path}:{self.span.line}"

    @property
    def case_insensitive(self) -> bool:
        return isinstance(self.fact, EnvRead) and self.fact.how in CASE_INSENSITIVE_HOWS

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.path, self.span.line, self.span.column)


@value_class(frozen=True)
class Mismatch:
    """Code reads ``read`` that nothing sets while ``defined``, which nothing reads, is set."""

    read: str
    defined: str
    reads: tuple[Occurrence, ...]  # the reads the definitions could have fed
    defs: tuple[Occurrence, ...]

    @property
    def first_read(self) -> Occurrence:
        return self.reads[0]

    @property
    def first_def(self) -> Occurrence:
        return self.defs[0]


# Files whose reads are interpolations of that file's own environment: compose `${X}`,
# workflow `${{ env.X }}` and run steps, dotenv `${X}`. Only the same file or a dotenv file
# (compose reads `.env`) can feed them; a workflow's `env:` never feeds a compose file.
_INTERPOLATING = frozenset({FileKind.YAML, FileKind.JSON, FileKind.TOML, FileKind.DOTENV})


_DOC_DIRS = frozenset({".github", "docs", "doc", "documentation"})


def _home(path: str) -> tuple[str, ...]:
    """The directory a file configures: ``.github/workflows/ci.yml`` and ``docs/x.md``
    describe the directory above them."""
    parts = PurePosixPath(path).parent.parts
    for i, part in enumerate(parts):
        if part.lower() in _DOC_DIRS:
            return parts[:i]
    return parts


def related(a: Occurrence, b: Occurrence) -> bool:
    """In one directory tree: one file's directory contains the other's.

    ``examples/.env`` does not configure ``tests/app.py``; a root ``.env`` configures both.
    """
    x, y = _home(a.path), _home(b.path)
    return x[: len(y)] == y[: len(x)]


def feeds(definition: Occurrence, read: Occurrence) -> bool:
    """Could this definition be what that read gets at run time?

    Only within one directory tree, and an interpolation only from its own file or a dotenv
    file.
    """
    if not related(definition, read):
        return False
    if read.ctx.file.kind in _INTERPOLATING:
        return definition.ctx is read.ctx or definition.ctx.file.kind is FileKind.DOTENV
    return True


def counts_as_read(fact: EnvRead, ctx: FileContext) -> bool:
    if not fact.context.runs:
        return False
    if fact.how in _DOLLAR_READS and ctx.file.kind not in _DOLLAR_KINDS:
        return False
    if fact.how in _DOLLAR_READS and not fact.name.isupper():
        # `$pr_number`: by shell convention a lower-case name is the script's own local
        # variable (`pr_number=$1`), not an environment variable anyone exports.
        return False
    if "secrets." in fact.how or "vars." in fact.how:
        return False  # a GitHub secret or configuration variable, not an environment variable
    if fact.how == "${{ env.X }}":  # the text scanner does not tell the scopes apart
        start = ctx.file.offset(fact.span.line, fact.span.column)
        before = ctx.file.text[max(0, start - 8) : start]
        if before.endswith(("secrets.", "vars.")):
            return False  # a GitHub secret or variable name, not an environment variable
    return True


class ProjectIndex:
    """Every counted read and definition of a run, by name.

    Lookups are scoped to one directory tree (:func:`related`): in a repository of several
    services, a name read in one service and defined in another is not "the project's own".
    """

    def __init__(self, project: ProjectContext) -> None:
        self.project = project
        self.data = env_data(project.db)
        self.extra = frozenset(getattr(project, "extra_env_names", ()) or ())
        self.reads: list[Occurrence] = []
        self.defs: list[Occurrence] = []
        # Reads that use the value: `OPENAI_KEY: ${OPENAI_KEY}` in compose passes the host's
        # value on under the same name and does not make OPENAI_KEY a name the project reads.
        self._consumers: dict[str, list[Occurrence]] = {}
        self._consumers_ci: dict[str, list[Occurrence]] = {}  # pydantic-settings, by upper name
        self._defs: dict[str, list[Occurrence]] = {}
        self._defs_upper: dict[str, list[Occurrence]] = {}
        # Files that read or set variables by names built at run time (env model: readers
        # and writers keylint cannot see), as (directory it configures, writes).
        self._unseen: list[tuple[tuple[str, ...], bool]] = []
        for ctx in project.files:
            self._collect(ctx)
        self.mismatches = self._mismatches()
        self.claimed = {o.key for m in self.mismatches for o in (*m.reads, *m.defs)}

    def unseen(self, occ: Occurrence) -> str | None:
        """Why a claim about ``occ`` rests on what keylint cannot see, or None.

        "read nowhere" is doubtful where code reads names built at run time; "set nowhere"
        where code sets them so (``os.environ.update(config)``, ``os.environ[k.upper()] =``).
        """
        home = _home(occ.path)
        for where, writes in self._unseen:
            if writes == occ.is_read and home[: len(where)] == where[: len(home)]:
                verb = "sets" if writes else "reads"
                return f"the project {verb} variables by names built at run time"
        return None

    def _collect(self, ctx: FileContext) -> None:
        for dynamic in ctx.of(EnvDynamic):
            self._unseen.append((_home(ctx.file.path), dynamic.writes))
        # By type (EnvRead and EnvDef have no subclasses): reads and definitions each stay
        # in file order, and the other facts of a big .env are not walked.
        # The spans of the values each name is set to: a read inside one passes it on.
        passed: dict[str, list[Span]] = {}
        for f in ctx.of(EnvDef):
            if f.value is not None:
                passed.setdefault(f.name, []).append(f.value.span)
        for read in ctx.of(EnvRead):
            if counts_as_read(read, ctx):
                occ = Occurrence(read.name, read.span, ctx, read)
                self.reads.append(occ)
                if not any(_within(read.span, v) for v in passed.get(read.name, ())):
                    self._consumers.setdefault(occ.name, []).append(occ)
                    if occ.case_insensitive:
                        self._consumers_ci.setdefault(occ.name.upper(), []).append(occ)
        defs, by_name, by_upper = self.defs, self._defs, self._defs_upper
        for definition in ctx.of(EnvDef):
            if definition.context.runs:
                name = definition.name
                occ = Occurrence(name, definition.span, ctx, definition)
                defs.append(occ)
                by_name.setdefault(name, []).append(occ)
                by_upper.setdefault(name.upper(), []).append(occ)

    def is_read(self, name: str, near: Occurrence) -> bool:
        """Does code in ``near``'s directory tree read ``name``?"""
        exact = self._consumers.get(name, ())
        if not exact and not self._consumers_ci:  # most names, where no read ignores case
            return False
        readers = [*exact, *self._consumers_ci.get(name.upper(), ())]
        return any(related(o, near) for o in readers)

    def is_defined(
        self, name: str, near: Occurrence, case_insensitive: bool = False, runtime: bool = False
    ) -> bool:
        """Is ``name`` defined in ``near``'s tree? ``runtime``: not counting example files,
        which document names and set nothing."""
        defs = (
            self._defs_upper.get(name.upper(), ()) if case_insensitive else self._defs.get(name, ())
        )
        return any(related(d, near) and not (runtime and d.ctx.file.is_example) for d in defs)

    def consistent(self, occ: Occurrence) -> bool:
        """The project both reads and defines this exact name: it is the project's own."""
        if occ.is_read:
            return self.is_defined(occ.name, occ, occ.case_insensitive)
        return self.is_read(occ.name, occ)

    def occurrences(self) -> Iterator[Occurrence]:
        yield from self.defs
        yield from self.reads

    def defined_in_file(self, name: str, ctx: FileContext) -> bool:
        return any(o.ctx is ctx for o in self._defs.get(name, ()))

    def _mismatches(self) -> list[Mismatch]:
        # Names with whitespace are KL304's: its message says what is wrong with them.
        undefined: dict[str, list[Occurrence]] = {}
        for o in self.reads:
            if o.name in self.extra or has_odd_whitespace(o.name):
                continue
            if not self.is_defined(o.name, o, o.case_insensitive, runtime=True):
                undefined.setdefault(o.name, []).append(o)
        unread: dict[str, list[Occurrence]] = {}
        for o in self.defs:
            if o.name in self.extra or has_odd_whitespace(o.name):
                continue
            if not self.is_read(o.name, o):
                unread.setdefault(o.name, []).append(o)
        out = []
        candidates = _PairIndex(self.data, unread, undefined)
        for read, read_occs in undefined.items():
            # In the order of the definitions: the output does not depend on the index.
            for defined in sorted(candidates.of(read), key=candidates.order.__getitem__):
                if not self.data.near_pair(read, defined):
                    continue
                def_occs = unread[defined]
                pairs = [(r, d) for r in read_occs for d in def_occs if feeds(d, r)]
                if pairs:
                    reads = tuple({r.key: r for r, _ in pairs}.values())
                    defs = tuple({d.key: d for _, d in pairs}.values())
                    out.append(Mismatch(read, defined, reads, defs))
        return out


class _PairIndex:
    """The defined names that could pair with a read name under ``EnvData.near_pair``.

    Every way two names can pair is a shared key here (same name up to case or separators,
    an SDK near-miss either way, a known wrong or legacy name either way, a one-letter
    slip), so the pairs are found without comparing every read with every definition: a
    2 MB ``.env`` of 60,000 names against 50 reads once took 3 M comparisons (30 s). A slip
    in a name of 8+ letters leaves its first or its last three letters alone, so those keys
    reach every typo candidate. The few reads are indexed; each definition looks its keys
    up (indexing the 60,000 definitions instead cost a list per key and name).
    """

    def __init__(self, data: EnvData, names: Iterable[str], reads: Iterable[str]) -> None:
        self.data = data
        self.order: dict[str, int] = {}
        self._pairs: dict[str, set[str]] = {}
        # The reads by key, one table per kind of key (a definition's keys are looked up
        # without building them as tuples: a big .env has 60,000 definitions).
        wanted: dict[str, dict[object, list[str]]] = {kind: {} for kind in "ucntps"}
        reads = list(reads)
        for read in reads:
            for kind, key in self._read_keys(read):
                wanted[kind].setdefault(key, []).append(read)
        by_upper, by_compact, by_name, by_target = (wanted[k] for k in "ucnt")
        by_head, by_tail = wanted["p"], wanted["s"]
        # A definition pairs with a read through the SDK data only when the read is an SDK's
        # (or documented) name: without such reads, no definition needs its near-miss.
        sdk_reads = any(read.strip().upper() in data.known for read in reads)
        for i, name in enumerate(names):
            self.order[name] = i
            upper = name.strip().upper()
            self._add(name, by_upper.get(upper))
            self._add(name, by_compact.get(compact(upper)))
            self._add(name, by_name.get(name))
            if sdk_reads:
                for target in self._data_targets(name, upper):
                    self._add(name, by_target.get(target))
            if len(upper) >= 8:  # a slip keeps the length within one: keyed by it too
                self._add(name, by_head.get((len(upper), upper[:3])))
                self._add(name, by_tail.get((len(upper), upper[-3:])))

    def _add(self, name: str, reads: list[str] | None) -> None:
        if reads:  # rare: most definitions pair with no read
            for read in reads:
                self._pairs.setdefault(read, set()).add(name)

    def _read_keys(self, read: str) -> Iterator[tuple[str, object]]:
        """The keys of the definitions a read name pairs with."""
        upper = read.strip().upper()
        yield "u", upper
        yield "c", compact(upper)
        yield "t", read  # definitions that near-miss it (an SDK's or a documented name)
        yield from (("n", target) for target in self._data_targets(read, upper))
        if len(upper) >= 8:
            for n in (len(upper) - 1, len(upper), len(upper) + 1):
                yield "p", (n, upper[:3])
                yield "s", (n, upper[-3:])

    def _data_targets(self, name: str, upper: str) -> Iterator[str]:
        """The names the SDK data says ``name`` stands for: the SDK name it near-misses, the
        names a known wrong name was meant as, the replacement of a legacy name."""
        near = self.data.near_sdk(name)
        if near is not None:
            yield near.target
        wrong = self.data.wrong.get(upper)
        yield from wrong.intended if wrong else ()
        legacy = self.data.legacy.get(upper)
        if legacy is not None and legacy.replacement:
            yield legacy.replacement

    def of(self, read: str) -> set[str]:
        return self._pairs.get(read, set())


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line,
        inner.end_column,
    ) <= (outer.end_line, outer.end_column)


_INDEX: tuple[ProjectContext, ProjectIndex] | None = None


def project_index(project: ProjectContext) -> ProjectIndex:
    """One index per project run, shared by the rules that run over it."""
    global _INDEX
    if _INDEX is not None and _INDEX[0] is project:
        return _INDEX[1]
    index = ProjectIndex(project)
    _INDEX = (project, index)
    return index
