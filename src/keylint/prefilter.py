"""The cheap test that decides whether a file is worth parsing at all.

Most files mention no provider, no key slot and no key prefix: for them keylint must cost
little more than reading the bytes. One Aho-Corasick automaton (ahocorasick_rs: the Rust
aho-corasick crate, as a DFA) scans the lower-cased bytes once for every literal the data in
rules/ makes interesting (key prefixes, provider names and hosts, env var names, model names,
SDK packages, header names). Secret keywords (``token``, ``password``…) are common in code,
so a hit on one of those counts only if a value is assigned right after it and the name
around it is one the secret rules read (``db_password``, not ``__author__``).

Measured on this machine's CPython lib tree: a per-literal ``in`` loop took 6.1 s, one
alternation regex 6.1 s, pyahocorasick 1.8 s, ahocorasick_rs 0.26 s, single-threaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import ahocorasick_rs

from keylint import names
from keylint.providers import ProviderDB
from keylint.secret_triggers import prefilter_triggers

# Bytes scanned before the prefilter builds its DFA (see Prefilter.__init__): past ~2 MB the
# DFA's faster scan has repaid its slower build.
_DFA_AFTER_BYTES = 2_000_000

# Generic words that make a file interesting only when a value is assigned right after
# (detect-secrets' keyword list, as KL102 uses it; a bare `key` or `auth` is every dict).
# `apikey` too: `"apiKey"` names fields in API schemas, `apiKey: "sk-…"` assigns one.
# `pass` and `_auth` for KL102's password names (`adminPass`, `passphrase`, `user_auth`).
KEYWORDS = ("pass", "secret", "token", "pwd", "credential", "apikey", "_auth")
# Always interesting, whatever follows.
GENERIC_LITERALS = (
    "bearer",
    "x-api-key",
    "api-key",
    "api_key",
    "private key-----",  # PEM private keys (a certificate's "-----BEGIN" is not one)
    "private key block",  # PGP
    "gpt-",
    "/v1/",
    "api-version",
    "glpat-",
    "putty-user-key-file",
    # credentials in structure (KL107, KL108, KL109) that no keyword announces; the lead's
    # data-derived prefilter will take these from the rules themselves
    '"auths"',
    "cleartextpassword",
    "<pass",
    "curl ",
    "app_key=base64:",
    "'auth_key'",
    "postgres://",
    "postgresql://",
    "mysql://",
    "mongodb://",
    "mongodb+srv://",
    "redis://",
    "amqp://",
)
# detect-secrets' format plugins (KL103) count where their regex matches at the literal:
# derived from the table KL103 itself runs (secret_triggers.py), never kept by hand.
# Reads of env var names. Where the run defines variables (a dotenv, compose, workflow or
# Dockerfile) every read counts (KL307 pairs reads with definitions). Elsewhere a read
# matters only when its name is one the env data judges (an SDK name, a known wrong or
# legacy name, a near-miss of one): the file passes if a read names one. Same answer for
# the working tree and the index (the sources call Engine.plan with their file list).
ENV_READ_LITERALS = ("environ", "getenv", "process.env")
# Fields read by name (pydantic-settings, python-decouple): always pass. An import, not the
# word: "decoupled" is in every other docstring.
ENV_CLASS_LITERALS = ("basesettings", "from decouple", "import decouple")
_ENV_READ_NAME = re.compile(
    r"""(?:getenv|environ(?:\.get|\.setdefault|\.pop)?)\s*[(\[]\s*[rbuf]{0,2}["']"""
    r"""([a-z_][a-z0-9_]*)|process\.env(?:\.|\[\s*["'])([a-z_][a-z0-9_]*)"""
)

# In code a keyword counts when a string literal is assigned to it; in configuration any
# value of six or more characters counts (`password: hunter22`).
_TAIL_START = r"""[a-z0-9_.-]{0,40}["']?\]?[ \t]*(?:=|:|=>|:=)[ \t]*"""
_KEYWORD_TAIL_CODE = re.compile(_TAIL_START + r"""[rbuf]{0,2}["'`]""")
_KEYWORD_TAIL = re.compile(_TAIL_START + r"""(?:[rbuf]{0,2}["'`]|[^\s"'`#]{6})""")
# `Authorization` counts as a header name (a dict key, `-H 'Authorization: …'`, a header
# line, a `("authorization", …)` pair), not as a word in prose ("unauthorized").
HEADER_WORDS = ("authorization", "authorisation", "authorizaton", "authorzation")
_HEADER_TAIL = re.compile(r"""["'`\]]?[ \t]*[:=,]""")
_KEYWORD = 1
_LITERAL = 2
_ENV_LITERAL = 3
_HEADER = 4
_TRIGGER = 5
_MARKER = 6  # a key format's inner marker (Azure `Q~`): counts even inside a word
_PREFIX = 7  # a key format's prefix: counts when a key's body follows it
_NAMED_MODEL = 8  # a model name that is a common word (`davinci`): counts as a whole value
# A whole value: after a quote or an assignment, before a quote or the end of the value.
# The model rules read it only as the value of a model setting (`"model": "davinci"`,
# `engine="davinci"`, `OPENAI_MODEL=davinci`): the slot's name ends the text before it.
_VALUE_BEFORE = re.compile(
    r"""(?:model|engine|deployment)(?:[_-]?(?:name|id))?["'`]?\]?[ \t]*[:=][ \t]*["'`]?$"""
)
_VALUE_AFTER = re.compile(r"""["'`]|[ \t]*(?:[,#\r\n]|$)""")
# What follows a prefix or a marker in a key: letters, digits and the few symbols key
# formats use. `sl.` (Dropbox) or `sk_` alone are in ordinary text; `sl.` + 8 key
# characters is much rarer.
_KEY_BODY = "[a-z0-9_.~+/=-]"
# Bytes of a name around a keyword: `db_password`, `smtp.user-auth`, `adminPass`.
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def literals_from(db: ProviderDB) -> set[str]:
    """Every lower-cased literal the provider data names."""
    found: set[str] = set(GENERIC_LITERALS)
    for provider in db.providers:
        # Provider names come from each file's `prefilter:` list, not from the id: ids like
        # `together`, `google` or `github` are common words in any code base.
        for host in provider.hosts:
            found.add(host.lstrip("*.").lower())
        for key in provider.keys:
            # a three-letter word (`pat` of Airtable) is in every file: its provider's
            # `prefilter:` words stand in for it
            if len(key.prefix) >= 4 or (len(key.prefix) == 3 and not key.prefix.isalpha()):
                found.add(key.prefix.lower())
        for name in provider.key_env:
            found.add(name.lower())
        for word in provider.raw.get("prefilter", ()) or ():
            found.add(str(word).lower())
        for section in ("models", "endpoints"):
            for item in provider.raw.get(section, ()) or ():
                # `named_only` models (`command`, `davinci`, `ada`) are common words: they count
                # only next to a model-ish name, which other literals already bring in.
                if isinstance(item, dict) and not item.get("named_only"):
                    for field in ("name", "path", "host", "match"):
                        value = item.get(field)
                        if isinstance(value, str) and len(value) >= 4:
                            found.add(value.lower())
        env = provider.raw.get("env") or {}
        if isinstance(env, dict):
            for group in env.values():
                names: Iterable[object] = (
                    group
                    if isinstance(group, list)
                    else (group.keys() if isinstance(group, dict) else ())
                )
                for entry in names:
                    if isinstance(entry, str):
                        found.add(entry.lower())
                    elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
                        found.add(str(entry["name"]).lower())
        sdk = provider.raw.get("sdk") or {}
        if isinstance(sdk, dict):
            for package in sdk.get("packages", ()) or ():
                found.add(str(package).lower())
    return {w for w in found if len(w) >= 3}


def named_models_from(db: ProviderDB) -> set[str]:
    """Model names marked ``named_only`` (``davinci``, ``command-r``): common words that the
    model rules judge only when they are a model setting's whole value."""
    found: set[str] = set()
    for provider in db.providers:
        for item in provider.raw.get("models", ()) or ():
            if isinstance(item, dict) and item.get("named_only") and item.get("name"):
                found.add(str(item["name"]).lower())
    return found


_FILL = re.compile(r"\{(\d+)\}")


def _sample_length(sample: str) -> int:
    """The length of a key made from a format's ``sample`` (``{N}`` is N characters), as
    ``KeyFormat.fake()`` would make it, without seeding a random generator per format."""
    return len(_FILL.sub("", sample)) + sum(int(n) for n in _FILL.findall(sample))


def key_prefixes_from(db: ProviderDB) -> dict[str, int]:
    """Key prefixes (lower-cased) with the shortest body any of their formats has after
    them (at most 8): the prefilter counts a prefix only when that much key follows."""
    found: dict[str, int] = {}
    for key in db.key_formats:
        prefix = key.prefix
        if len(prefix) >= 4 or (len(prefix) == 3 and not prefix.isalpha()):
            body = min(8, max(1, _sample_length(key.sample) - len(prefix)))
            found[prefix.lower()] = min(body, found.get(prefix.lower(), 8))
    return found


def markers_from(db: ProviderDB) -> set[str]:
    """Inner markers of key formats without a prefix (``Q~``, ``.atlasv1.``): the key's
    first characters are random, so the marker sits inside a word. A format whose marker
    is too common to be worth a parse (``-us`` of Mailchimp, in every ``en-us``) says
    ``prefilter_marker: false`` and relies on its provider's ``prefilter:`` words."""
    return {
        key.marker.lower()
        for key in db.key_formats
        if key.marker and key.prefilter_marker and not key.prefix
    }


class Prefilter:
    def __init__(
        self,
        literals: Iterable[str],
        markers: Iterable[str] = (),
        prefixes: dict[str, int] | None = None,
        db: ProviderDB | None = None,
        named_models: Iterable[str] = (),
    ) -> None:
        self._bodies: list[re.Pattern[str]] = []
        # word -> what a hit on it means; a word added again takes its later meaning (a
        # literal that is also a keyword always counts).
        words: dict[str, tuple[int, ...]] = {}
        for word in markers:
            words[word] = (_MARKER, self._body(8))
        literal_set = set(literals)
        for word, body in (prefixes or {}).items():
            if word not in literal_set:
                words[word] = (_PREFIX, self._body(body))
        for word in named_models:
            words[word] = (_NAMED_MODEL,)
        for word in KEYWORDS:
            words[word] = (_KEYWORD,)
        for word in ENV_READ_LITERALS:
            words[word] = (_ENV_LITERAL,)
        for word in ENV_CLASS_LITERALS:
            words[word] = (_LITERAL,)
        for word in HEADER_WORDS:
            words[word] = (_HEADER,)
        for word in literals:
            words[word] = (_LITERAL,)
        self._triggers = prefilter_triggers()
        self._trigger_regexes: dict[int, re.Pattern[str]] = {}
        for index, (word, _source) in enumerate(self._triggers):
            if word not in words:  # a literal already counts whatever follows it
                words[word] = (_TRIGGER, index)
        self._words = list(words)
        self._meaning = [words[w] for w in self._words]
        # ahocorasick_rs (the Rust aho-corasick crate): 7x faster than pyahocorasick's trie
        # on the stdlib tree (0.26 s vs 1.8 s for 102 MB, all overlapping hits), which made
        # the prefilter the largest cost of a run. Its DFA scans ~1.6x faster than its
        # contiguous NFA but takes ~5 ms to build against ~0.7 ms: a run starts on the NFA
        # (a pre-commit hook on a few files) and switches once it has scanned enough bytes
        # for the DFA to pay for itself.
        self._encoded = [w.encode("latin-1") for w in self._words]
        self._automaton = self._build(ahocorasick_rs.Implementation.ContiguousNFA)
        self._scanned = 0
        self._db = db
        # Set by the engine for a run (Engine.plan): does the run define env variables, and
        # does a name read matter to the env-name rules (upper-cased inside)?
        self.env_defined = True
        self.env_name_matters: Callable[[str], bool] | None = None

    def _build(self, implementation: ahocorasick_rs.Implementation) -> Any:
        return ahocorasick_rs.BytesAhoCorasick(self._encoded, implementation=implementation)

    def _scanner(self, size: int) -> Any:
        if self._scanned < _DFA_AFTER_BYTES:
            self._scanned += size
            if self._scanned >= _DFA_AFTER_BYTES:
                self._automaton = self._build(ahocorasick_rs.Implementation.DFA)
        return self._automaton

    def _trigger(self, index: int) -> re.Pattern[str]:
        """A format plugin's regex, compiled when its literal is first met."""
        regex = self._trigger_regexes.get(index)
        if regex is None:
            regex = self._trigger_regexes[index] = re.compile(
                self._triggers[index][1], re.IGNORECASE
            )
        return regex

    def _body(self, length: int) -> int:
        self._bodies.append(re.compile(f"{_KEY_BODY}{{{length}}}"))
        return len(self._bodies) - 1

    def _env_read_matters(self, text: str, start: int) -> bool:
        if self.env_defined or self.env_name_matters is None:
            return True
        match = _ENV_READ_NAME.match(text, start, start + 160)
        if match is None:  # `import environ`, a name built at run time: nothing to judge
            return False
        return self.env_name_matters(match.group(1) or match.group(2))

    def _names_a_secret(self, data: bytes, start: int, end: int) -> bool:
        """Is the name around a keyword hit one a secret rule reads (``db_password``,
        ``user_auth``), not ``__author__``, ``token_type`` or ``pwd_module``? The same
        predicates the rules ask (keylint.names), on the name as written (camelCase kept)."""
        if self._db is None:
            return True
        first = start
        while first and data[first - 1] in _NAME_BYTES:
            first -= 1
        last = end
        while last < len(data) and data[last] in _NAME_BYTES:
            last += 1
        name = data[first:last].decode("latin-1").strip(".-")
        return names.is_secret_name(name, self._db) or names.is_key_slot(name, self._db)

    @classmethod
    def from_db(cls, db: ProviderDB) -> Prefilter:
        prefixes = key_prefixes_from(db)
        literals = literals_from(db) - prefixes.keys()
        named = named_models_from(db) - literals
        return cls(literals, markers_from(db), prefixes, db, named)

    def interesting(self, data: bytes, code: bool = False) -> bool:
        """Does ``data`` mention anything a rule looks at? ``code``: Python or a notebook."""
        lowered = data.lower()
        hits = self._scanner(len(data)).find_matches_as_indexes(lowered, overlapping=True)
        if not hits:
            return False
        # latin-1 maps bytes 1:1 to code points: positions stay byte positions and the
        # decode cannot fail. Non-ASCII literals are not needed (all are ASCII).
        text = lowered.decode("latin-1")
        tail = _KEYWORD_TAIL_CODE if code else _KEYWORD_TAIL
        for index, start, end in hits:
            kind, *extra = self._meaning[index]
            if kind == _MARKER:
                if self._bodies[extra[0]].match(text, end):
                    return True
                continue
            if kind == _TRIGGER:
                if self._trigger(extra[0]).match(text, start):
                    return True
                continue
            # A word that starts inside another word is not it: `task-` is no `sk-` key,
            # `pwdmodule` no password, `unauthorized` no header. A keyword at a camelCase hump
            # is one (`dbPassword`, `adminPass`: upper case in the bytes).
            camel = kind == _KEYWORD and 65 <= data[start] <= 90
            if start and text[start].isalnum() and text[start - 1].isalnum() and not camel:
                continue
            if kind == _LITERAL:
                return True
            if kind == _PREFIX and self._bodies[extra[0]].match(text, end):
                return True
            if kind == _ENV_LITERAL and self._env_read_matters(text, start):
                return True
            if (
                kind == _KEYWORD
                and tail.match(text, end)
                and self._names_a_secret(data, start, end)
            ):
                return True
            if kind == _HEADER and _HEADER_TAIL.match(text, end):
                return True
            if (
                kind == _NAMED_MODEL
                and _VALUE_BEFORE.search(text, max(0, start - 40), start)
                and _VALUE_AFTER.match(text, end)
            ):
                return True
        return False
