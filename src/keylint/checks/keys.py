"""What the key rules share: is this value a placeholder, a lookup, a key slot? Where in the
source is its n-th character? Does detect-secrets agree that it is a secret?

All provider vocabulary comes from rules/common.yaml and the provider files; this module only
applies it. The Unicode tables below are facts about text, not about providers.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar, overload

from keylint.analysis import is_sentence
from keylint.facts import Origin, Span, Value
from keylint.names import (
    NOT_ALNUM,
    is_auth_header,
    is_key_slot,
    is_strong_key_slot,
    last_part,
    memo_per_db,
    per_db,
)
from keylint.providers import KeyFormat, LiteralFinder, Provider, ProviderDB, expand_charset
from keylint.secret_triggers import REGEX_PLUGINS
from keylint.source import FileKind, SourceFile
from keylint.span import value_class

if TYPE_CHECKING:
    from keylint.checks.base import FileContext

T = TypeVar("T")
# Typographic quotes and invisible characters a copy from a web page wraps around a value.
_PASTED_WRAPPERS = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb\u200b\ufeff\u00a0"
_WRAPPERS = "\"'`<>{}[]() *"
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")

# --- lookups and placeholders --------------------------------------------------------------

# A template marker or code expression written as the whole value. A tool that renders the
# file (a shell, compose, Helm, Ansible, GitHub Actions, configparser) replaces it; Python
# does not, so in a .py file the same text reaches the SDK verbatim and is a placeholder.
_TEMPLATE_MARKER = re.compile(
    r"^(?:\$\{\{.*\}\}|\$\{[^{}]*\}|\$[A-Z_][A-Z0-9_]*|\$\(.*\)|\{\{.*\}\}|\{%.*%\}|%\(\w+\)s"
    r"|\{[A-Za-z_][\w.]*\}|(?:os\.environ|os\.getenv|process\.env)\b.*)$",
    re.DOTALL,
)
# File kinds whose values a tool renders before use (benefit of the doubt for plain text).
_UNRENDERED = frozenset({FileKind.PYTHON, FileKind.NOTEBOOK})


def renders_templates(kind: FileKind) -> bool:
    """False for Python code: ``"${OPENAI_API_KEY}"`` there is sent as is."""
    return kind not in _UNRENDERED


def is_lookup(text: str, db: ProviderDB, *, rendered: bool = True) -> bool:
    """``${VAR}``, ``${{ secrets.X }}``, ``$VAR``: names where the value comes from.

    With ``rendered=False`` (Python code) a template marker is not a lookup: nothing
    replaces it. Secret-manager references (``op://``, ``vault:``, ARNs) stay lookups.
    """
    stripped = text.strip()
    if not stripped:
        return False
    if not rendered and _TEMPLATE_MARKER.match(stripped):
        return False
    return db.common.any_lookup.search(stripped)


def is_placeholder(text: str, db: ProviderDB, *, empty: bool = True, rendered: bool = True) -> bool:
    """A value that stands for a key: ``YOUR_API_KEY``, ``sk-...``, ``<key>``, ``xxxxxx``
    (also inside typographic quotes: ``“YOUR_API_KEY”`` is a placeholder first)."""
    stripped = text.strip().strip(_PASTED_WRAPPERS).strip()
    if not stripped:
        return empty
    # Several rules ask about the same values of one file; a big .env has tens of thousands.
    cache = memo_per_db(db, "placeholders", 131072)
    key = (stripped, rendered)
    known = cache.get(key)
    if known is None:
        known = cache[key] = _is_placeholder(stripped, db, rendered)
    return known


def _is_placeholder(stripped: str, db: ProviderDB, rendered: bool) -> bool:
    if is_lookup(stripped, db, rendered=rendered):
        return False
    if not rendered and _TEMPLATE_MARKER.match(stripped):
        return True
    bare = stripped.strip(_WRAPPERS).lower()
    if bare in db.common.placeholder_words:
        return True
    return db.common.any_placeholder.search(stripped)


_ELIDED = re.compile(r"[A-Za-z0-9_-]{0,16}(?:\.{2,}|…|[xX*]{3,})")  # sk-..., gsk_xxxx


def is_plain_placeholder(text: str, db: ProviderDB) -> bool:
    """A placeholder that cannot be a secret, so a message may quote it in full."""
    stripped = text.strip()
    if len(stripped) > 40:
        return False
    bare = stripped.strip(_WRAPPERS).lower()
    return (
        bare in db.common.placeholder_words
        or bool(_ELIDED.fullmatch(stripped))
        or bool(_TEMPLATE_MARKER.match(stripped))
        or bool(re.fullmatch(r"(.)\1{2,}", stripped))
        or bool(re.fullmatch(r"<[^<>]{1,38}>", stripped))
    )


# What a placeholder in a generic slot (a bare `key:`, `s3_key`) must look like to be one:
# it says so (`<your-token>`, `xxxx`, `...`, "replace", "fill in"), or has a key prefix.
_LOUD_PLACEHOLDER = re.compile(
    r"your|<[^<>]*(?:key|token|secret|api|passw|cred)[^<>]*>|x{4}|\*{4}|[\w-](?:\.{3}|…)|here\b"
    r"|replace|insert|enter[-_ ]|paste|fill[-_ ]?in"
    r"|填|入力|입력",
    re.IGNORECASE,
)


def is_keyish_placeholder(text: str, db: ProviderDB, *, rendered: bool = True) -> bool:
    """A placeholder that says it stands for a key (``<your-token>``, ``sk-...``).

    Generic slots (a bare ``key:``, ``s3_key``) need this stronger evidence: ``example``,
    ``$ref`` or ``mydbkey`` there is some other setting, not an API key.
    """
    if not is_placeholder(text, db, empty=False, rendered=rendered):
        return False
    stripped = text.strip()
    if _LOUD_PLACEHOLDER.search(stripped):
        return True
    return any(stripped.startswith(f.prefix) for f in db.prefixed_formats if len(f.prefix) >= 3)


_ENV_NAME_VALUE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:API_KEY|KEY|TOKEN|SECRET)$")


def names_itself(text: str, name: str | None) -> bool:
    """``TOKEN = "token"``, ``"api_key": "api-key"``: an enum member or a field naming
    itself, not a credential."""
    if not name or not _IDENTIFIER.fullmatch(text):
        return False
    return NOT_ALNUM.sub("", text.lower()) == NOT_ALNUM.sub("", last_part(name).lower())


def is_env_name_value(text: str, db: ProviderDB) -> bool:
    """``api_key="OPENAI_API_KEY"``: the variable's name passed where its value belongs."""
    stripped = text.strip()
    return stripped in db.env_to_provider or bool(_ENV_NAME_VALUE.match(stripped))


# --- names -------------------------------------------------------------------------------


def slot_name(value: Value) -> str | None:
    """The name that decides whether a value is a key slot."""
    return value.name


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*")


def provider_for_name(name: str | None, db: ProviderDB) -> Provider | None:
    """The provider whose key an env var name (or a name derived from it) holds."""
    if not name:
        return None
    if name in db.env_to_provider:
        return db.env_to_provider[name]
    upper = name.upper()
    if upper in db.env_to_provider:
        return db.env_to_provider[upper]
    return None


def _sdk_roots(db: ProviderDB) -> dict[str, Provider]:
    """Top-level SDK package -> provider (``sdk.packages`` in rules/, else the provider id)."""

    def build() -> dict[str, Provider]:
        roots: dict[str, Provider] = {}
        for provider in db.providers:
            roots.setdefault(provider.id.replace("-", "_"), provider)
        for provider, section in db.iter_sections("sdk"):
            packages = section.get("packages", ()) if isinstance(section, dict) else ()
            for package in packages or ():
                roots[str(package).split(".")[0]] = provider
        return roots

    return per_db(db, "sdk-roots", build)


def sdk_provider(qualname: str | None, db: ProviderDB) -> Provider | None:
    """``openai.OpenAI:api_key`` / ``openai.api_key`` -> the provider of that SDK."""
    if not qualname:
        return None
    root = qualname.split(".")[0].split(":")[0]
    return _sdk_roots(db).get(root)


def is_sdk_binding(value: Value, db: ProviderDB) -> bool:
    """A value handed straight to an SDK: ``openai.api_key = …`` or ``OpenAI(api_key=…)``."""
    if value.origin not in (Origin.ASSIGN, Origin.KWARG) or not value.qualname:
        return False
    if value.origin is Origin.ASSIGN and "." not in value.qualname:
        return False
    return sdk_provider(value.qualname, db) is not None


def provider_for_value(value: Value, db: ProviderDB) -> Provider | None:
    """The provider a value is meant for: by its variable name, else by the SDK it goes to."""
    provider = provider_for_name(value.name, db)
    if provider is None and value.origin in (Origin.ASSIGN, Origin.KWARG):
        provider = sdk_provider(value.qualname, db)
    return provider


# --- formats -----------------------------------------------------------------------------


def format_of(value: str, db: ProviderDB) -> KeyFormat | None:
    """The prefixed key format that fully matches ``value``, if any."""
    for fmt in db.formats_claimed_by(value):
        if fmt.regex.fullmatch(value):
            return fmt
    return None


def contextual_format(value: Value, db: ProviderDB, line: str = "") -> KeyFormat | None:
    """A prefix-less format (Azure, Mistral, Cohere, AWS secret) recognised by its name."""
    if value.name is None:
        return None
    for provider in db.providers:
        for fmt in provider.keys:
            if fmt.context is None or fmt.role == "id":  # an ID (a GUID) is not a key
                continue
            if fmt.context.search(value.name) and fmt.regex.fullmatch(value.value):
                return fmt
    return None


def standalone_format(name: str | None, text: str, db: ProviderDB) -> KeyFormat | None:
    """The standalone context format (KL106) that a value under ``name`` is a key of."""
    for fmt in standalone_formats_for(name, db):
        if fmt.regex.fullmatch(text):
            return fmt
    return None


def standalone_formats_for(name: str | None, db: ProviderDB) -> tuple[KeyFormat, ...]:
    """The standalone formats whose context pattern ``name`` matches, in data order; per
    name once (a tree asks it of every named value: ~800,000 searches on the lib tree).
    One search of all the context patterns first: most names match none (a big .env has
    tens of thousands of names, each asked once)."""
    if not name or not db.standalone_formats:
        return ()
    cache: dict[str, tuple[KeyFormat, ...]] = memo_per_db(db, "standalone-by-name", 65536)
    found = cache.get(name)
    if found is None:
        if not db.standalone_context.search(name):
            found = cache[name] = ()
        else:
            found = cache[name] = tuple(
                fmt for fmt in db.standalone_formats if fmt.context and fmt.context.search(name)
            )
    return found


_CLASS_THEN_SEPARATOR = re.compile(r"\[[^\]]+\][-_]")


def _claim_pattern(fmt: KeyFormat) -> str | None:
    """What a value must start with to claim ``fmt`` (a regex source, joined into one
    pattern by _claims): its prefix when that is distinctive (``gsk_``, ``AIza``), else the
    prefix plus the character class that follows it in the regex (``gh`` + ``[pousr]_``).
    None when the format cannot be claimed by text alone."""
    prefix = fmt.prefix
    if not prefix or fmt.context is not None:
        return None
    if len(prefix) >= 4 or (len(prefix) == 3 and prefix[-1] in "-_"):
        return re.escape(prefix)
    source = fmt.regex_source
    if source.startswith(prefix):
        tail = _CLASS_THEN_SEPARATOR.match(source, len(prefix))
        if tail:
            return re.escape(prefix) + tail.group(0)
    return None


def claimed_format(text: str, db: ProviderDB) -> KeyFormat | None:
    """The strict format whose prefix ``text`` starts with (longest prefix first)."""
    starts = _claim_starts(db)
    if not text or (text[:2] not in starts and text[:1] not in starts):
        return None  # most values: no format's prefix starts as they do
    claims, formats = _claims(db)
    match = claims.match(text)
    if match is None or match.lastgroup is None:
        return None
    return formats[int(match.lastgroup[1:])]


def _claim_starts(db: ProviderDB) -> frozenset[str]:
    """The first two characters of every claimable prefix (one for a one-letter prefix)."""
    return per_db(db, "claim-starts", lambda: frozenset(f.prefix[:2] for f in _claims(db)[1]))


def claims_in(text: str, db: ProviderDB) -> bool:
    """Does a claim pattern match anywhere in ``text``? The prefixes are looked up with one
    automaton first: the alternation's unanchored search cost ~70 µs a value."""
    finder = per_db(db, "claim-finder", lambda: LiteralFinder(f.prefix for f in _claims(db)[1]))
    return finder.any_in(text) and _claims(db)[0].search(text) is not None


def _claims(db: ProviderDB) -> tuple[re.Pattern[str], list[KeyFormat]]:
    """One anchored regex over every claim pattern; the group name indexes the format."""

    def build() -> tuple[re.Pattern[str], list[KeyFormat]]:
        formats: list[KeyFormat] = []
        parts: list[str] = []
        for fmt in db.prefixed_formats:
            claim = _claim_pattern(fmt) if fmt.strict else None
            if claim is not None:
                parts.append(f"(?P<f{len(formats)}>{claim})")
                formats.append(fmt)
        return re.compile("|".join(parts) or r"(?!)"), formats

    return per_db(db, "claims", build)


@functools.cache
def charset_of(fmt: KeyFormat) -> frozenset[str]:
    """The characters a format allows after its prefix (``A-Za-z0-9_-`` expanded)."""
    return frozenset(expand_charset(fmt.charset))


def binds_a_value(value: Value) -> bool:
    """True for values a program or loader uses (not a default meaning 'not configured')."""
    return value.origin is not Origin.LITERAL


def looks_random(text: str) -> bool:
    """Mixed character classes and no long dictionary-like runs: a cheap pre-entropy check."""
    classes = sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
        )
    )
    return classes >= 2


_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-.+/=:~]+")


def key_like(text: str, db: ProviderDB, *, min_len: int = 16) -> bool:
    """One token of key characters that looks random, or that claims a provider format."""
    if not text or not _TOKEN_CHARS.fullmatch(text):
        return False
    if db.formats_claimed_by(text) and any(len(f.prefix) >= 3 for f in db.formats_claimed_by(text)):
        return True
    return len(text) >= min_len and looks_random(text)


# --- where a value's characters are in the source --------------------------------------------

_SIMPLE_ESCAPES = frozenset("nrtvfab0\\'\"/$ `e_LNP")
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


class _Identity(Sequence[tuple[int, int]]):
    """The units of a value whose source text is the value itself (no escapes)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[int, int]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, int] | Sequence[tuple[int, int]]:
        if isinstance(index, slice):
            return [(i, i + 1) for i in range(self.n)[index]]
        if not -self.n <= index < self.n:
            raise IndexError(index)
        index %= self.n
        return (index, index + 1)


Units = Sequence[tuple[int, int]]


def raw_units(value: Value) -> Units | None:
    """For each character of ``value.value``, its ``[start, end)`` in ``value.raw``.

    ``raw`` is the source text (escapes undecoded); a decoded character may come from an
    escape (``\\n``, ``\\u200b``). Returns None when the two cannot be lined up (a folded
    YAML string, a concatenation): callers then point at the start of the value.
    """
    raw, decoded = value.raw, value.value
    if value.dynamic:
        return None
    if raw == decoded:
        return _Identity(len(raw))
    units: list[tuple[int, int]] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            n = raw[i + 1]
            if n in _HEX_ESCAPES:
                width = _HEX_ESCAPES[n]
                units.append((i, i + 2 + width))
                i += 2 + width
                continue
            if n == "N" and raw[i + 2 : i + 3] == "{":
                end = raw.find("}", i)
                if end < 0:
                    return None
                units.append((i, end + 1))
                i = end + 1
                continue
            if n == "\n":  # a line continuation decodes to nothing
                i += 2
                continue
            if n in _SIMPLE_ESCAPES:
                units.append((i, i + 2))
                i += 2
                continue
        if value.quote == "'" and c == "'" and raw[i + 1 : i + 2] == "'":  # YAML ''
            units.append((i, i + 2))
            i += 2
            continue
        units.append((i, i + 1))
        i += 1
    if len(units) != len(decoded):
        return None
    for (start, end), char in zip(units, decoded, strict=True):
        if end - start == 1 and raw[start] != char:
            return None
    return units


def raw_span(file: SourceFile, value: Value, start: int, end: int) -> Span:
    """The span of ``value.raw[start:end]`` in the file (raw begins at ``value.span``)."""
    base = file.offset(value.span.line, value.span.column)
    return file.span(base + start, base + end)


def char_span(file: SourceFile, value: Value, units: Units | None, index: int) -> Span:
    """The span of the ``index``-th decoded character, or the value's start if unmapped."""
    if units is None or index >= len(units):
        return Span.point(value.span.line, value.span.column)
    start, end = units[index]
    return raw_span(file, value, start, end)


# --- the key text of a value -----------------------------------------------------------------

_SCHEME = re.compile(r"^(?:Bearer|Token|Basic|Bot|Key|ApiKey|Api-Key)(?::)?[ \t]+", re.IGNORECASE)


@value_class(frozen=True)  # hot: frozen for mypy only (keylint.span)
class KeyText:
    """The part of a value that is the key: the whole value, or a header value's credential.

    ``offset`` is where ``text`` starts in ``value.value``.
    """

    value: Value
    text: str
    offset: int

    @functools.cached_property
    def units(self) -> Units | None:
        """Where each decoded character is in the source (computed when first needed)."""
        return raw_units(self.value)

    def span(self, file: SourceFile, index: int, length: int = 1) -> Span:
        """The span of ``text[index:index+length]`` in the source."""
        first = char_span(file, self.value, self.units, self.offset + index)
        if length <= 1 or self.units is None:
            return first
        last_index = min(self.offset + index + length, len(self.units)) - 1
        last = char_span(file, self.value, self.units, last_index)
        return Span(first.line, first.column, last.end_line, last.end_column)

    @property
    def start(self) -> Span:
        return Span.point(self.value.span.line, self.value.span.column)


def key_text(value: Value) -> KeyText:
    """The credential part of a value (after ``Bearer `` in an Authorization header)."""
    text, offset = value.value, 0
    if is_auth_header(value.name):
        scheme = _SCHEME.match(text)
        if scheme:
            offset = scheme.end()
            text = text[offset:]
    return KeyText(value, text, offset)


def runs(value: Value) -> bool:
    """A value a program or loader uses: code or configuration, bound to a name."""
    return value.context.runs and value.origin not in (Origin.LITERAL, Origin.TOKEN)


# --- paths ---------------------------------------------------------------------------------

_TEST_DIR = re.compile(
    r"^(?:_{0,2}tests?|testing|__tests__|specs?|fixtures|testdata|test_.*|.*_tests?)$"
)
_TEST_FILE = re.compile(r"^(?:test_.*\.py|.*_test\.py|conftest\.py|.*\.(?:test|spec)\.[jt]sx?)$")
_DOC_FILE = re.compile(
    r"\.(?:rst|txt|adoc|asciidoc|textile|html?|org|tex|pod|rdoc)$|^(?:METADATA|PKG-INFO)$",
    re.IGNORECASE,
)


def is_test_path(path: str) -> bool:
    """Tests pass fake keys to mocked clients on purpose (``OpenAI(api_key="test")``)."""
    p = PurePosixPath(path)
    if any(_TEST_DIR.match(part.lower()) for part in p.parts[:-1]):
        return True
    name = p.name.lower()
    return bool(_TEST_FILE.match(name)) or name.startswith((".env.test", ".env.ci"))


def is_documentation(path: str) -> bool:
    """Prose formats (reStructuredText, plain text, HTML, package METADATA) document
    configuration like a README does: their ``key = value`` lines are illustrations."""
    return bool(_DOC_FILE.search(PurePosixPath(path).name))


# --- Unicode that does not belong in a key ---------------------------------------------------

INVISIBLE: dict[str, str] = {
    "\u00a0": "NO-BREAK SPACE",
    "\u00ad": "SOFT HYPHEN",
    "\u034f": "COMBINING GRAPHEME JOINER",
    "\u061c": "ARABIC LETTER MARK",
    "\u115f": "HANGUL CHOSEONG FILLER",
    "\u1160": "HANGUL JUNGSEONG FILLER",
    "\u17b4": "KHMER VOWEL INHERENT AQ",
    "\u17b5": "KHMER VOWEL INHERENT AA",
    "\u180e": "MONGOLIAN VOWEL SEPARATOR",
    "\u2000": "EN QUAD",
    "\u2001": "EM QUAD",
    "\u2002": "EN SPACE",
    "\u2003": "EM SPACE",
    "\u2004": "THREE-PER-EM SPACE",
    "\u2005": "FOUR-PER-EM SPACE",
    "\u2006": "SIX-PER-EM SPACE",
    "\u2007": "FIGURE SPACE",
    "\u2008": "PUNCTUATION SPACE",
    "\u2009": "THIN SPACE",
    "\u200a": "HAIR SPACE",
    "\u200b": "ZERO WIDTH SPACE",
    "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u2028": "LINE SEPARATOR",
    "\u2029": "PARAGRAPH SEPARATOR",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u202f": "NARROW NO-BREAK SPACE",
    "\u205f": "MEDIUM MATHEMATICAL SPACE",
    "\u2060": "WORD JOINER",
    "\u2061": "FUNCTION APPLICATION",
    "\u2062": "INVISIBLE TIMES",
    "\u2063": "INVISIBLE SEPARATOR",
    "\u2064": "INVISIBLE PLUS",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\u3000": "IDEOGRAPHIC SPACE",
    "\u3164": "HANGUL FILLER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE (BOM)",
    "\uffa0": "HALFWIDTH HANGUL FILLER",
}
TYPOGRAPHIC: dict[str, tuple[str, str]] = {  # char -> (name, what it replaced)
    "\u2018": ("LEFT SINGLE QUOTATION MARK", "'"),
    "\u2019": ("RIGHT SINGLE QUOTATION MARK", "'"),
    "\u201a": ("SINGLE LOW-9 QUOTATION MARK", "'"),
    "\u201b": ("SINGLE HIGH-REVERSED-9 QUOTATION MARK", "'"),
    "\u201c": ("LEFT DOUBLE QUOTATION MARK", '"'),
    "\u201d": ("RIGHT DOUBLE QUOTATION MARK", '"'),
    "\u201e": ("DOUBLE LOW-9 QUOTATION MARK", '"'),
    "\u201f": ("DOUBLE HIGH-REVERSED-9 QUOTATION MARK", '"'),
    "\u00ab": ("LEFT-POINTING DOUBLE ANGLE QUOTATION MARK", '"'),
    "\u00bb": ("RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK", '"'),
    "\u2032": ("PRIME", "'"),
    "\u2033": ("DOUBLE PRIME", '"'),
    "\u2026": ("HORIZONTAL ELLIPSIS", "..."),
    "\u2010": ("HYPHEN", "-"),
    "\u2011": ("NON-BREAKING HYPHEN", "-"),
    "\u2012": ("FIGURE DASH", "-"),
    "\u2013": ("EN DASH", "-"),
    "\u2014": ("EM DASH", "-"),
    "\u2212": ("MINUS SIGN", "-"),
}
ASCII_WHITESPACE = frozenset(" \t\r\n\v\f")
_ODD_CHARACTER = re.compile(
    "[" + re.escape("".join(sorted({*ASCII_WHITESPACE, *INVISIBLE, *TYPOGRAPHIC, "\\"}))) + "]"
)


_LITERAL_ESCAPE = re.compile(r"\\[nrt]")


def clean_key(text: str) -> str:
    """The key with whitespace, invisible and typographic characters (and literal ``\\n``
    escapes) removed: what the user meant to paste."""
    if text.isascii() and text.isprintable() and " " not in text and "\\" not in text:
        return text  # nothing to remove: most values (no per-character pass)
    text = _LITERAL_ESCAPE.sub("", text)
    return "".join(
        c for c in text if c not in ASCII_WHITESPACE and c not in INVISIBLE and c not in TYPOGRAPHIC
    )


def _has_odd_character(text: str) -> bool:
    """Whitespace, an invisible or typographic character or a backslash in ``text``; the
    common answer (printable ASCII without space or backslash) without a regex."""
    if text.isascii() and text.isprintable() and " " not in text and "\\" not in text:
        return False
    return bool(_ODD_CHARACTER.search(text))


def suspect_keys(ctx: FileContext) -> list[KeyText]:
    """Keys that contain whitespace, an invisible or typographic character or a backslash
    (what the key-whitespace rules look at), computed once per file for all of them (in the
    file's own cache: it goes with the file, never kept for the next one)."""
    found: list[KeyText] | None = ctx.cache.get("suspect_keys")
    if found is None:
        found = ctx.cache["suspect_keys"] = list(_suspect_keys(ctx))
    return found


def _suspect_keys(ctx: FileContext) -> Iterator[KeyText]:
    """Values that are keys: in a key slot and key-like once cleaned, or anywhere when they
    claim a provider format. Placeholders and lookups are not keys
    (placeholder-key wins), nor is ``Bearer …`` stored in a key slot (KL223)."""
    db = ctx.db
    rendered = renders_templates(ctx.file.kind)
    for value in ctx.of(Value):
        if value.dynamic or not value.context.runs or value.origin is Origin.TOKEN:
            continue
        if value.is_template and rendered:
            continue
        dotenv_trailing = value.origin is Origin.DOTENV and value.raw != value.value
        if not dotenv_trailing and not _has_odd_character(value.value):
            continue  # the cheap test first: most strings have nothing to report
        slot = value.origin is not Origin.LITERAL and is_key_slot(value.name, db)
        if not slot:
            text = value.value
            if len(text) > 400 or len(text.split(None, 3)) > 3:
                continue  # a message or a format string, not a pasted key
            if not (claims_in(text, db) or db.has_key(text)):
                continue
        kt = key_text(value)
        cleaned = clean_key(kt.text)
        if not cleaned or strip_scheme(kt.text.strip())[0]:
            continue
        if is_sentence(kt.text) and not db.has_key(cleaned):
            continue  # words between spaces: a sentence or a label, not a damaged key
        if is_placeholder(cleaned, db, rendered=rendered) or is_lookup(cleaned, db):
            continue
        claimed = bool(db.has_key(cleaned) or claimed_format(cleaned, db))
        strong = slot and is_strong_key_slot(value.name, db)
        if (claimed and key_like(cleaned, db)) or (
            slot and key_like(cleaned, db, min_len=12 if strong else 20)
        ):
            yield kt


def strip_scheme(text: str) -> tuple[int, str]:
    """``Bearer sk-…`` -> (length of ``Bearer ``, ``sk-…``); (0, text) without a scheme."""
    match = _SCHEME.match(text)
    if match and match.end() < len(text):
        return match.end(), text[match.end() :]
    return 0, text


@functools.cache
def allowed_chars(fmt: KeyFormat) -> frozenset[str]:
    """Every character a format's regex allows after its prefix: its charset, the
    characters of its classes and its literals (``T3BlbkFJ``, a trailing ``AA``, ``-``)."""
    chars = set(charset_of(fmt))
    pattern = fmt.regex.pattern
    for prefix in (re.escape(fmt.prefix), fmt.prefix):
        if prefix and pattern.startswith(prefix):
            pattern = pattern[len(prefix) :]
            break
    for cls in re.findall(r"\[([^\]]+)\]", pattern):
        chars |= set(expand_charset(cls.replace("\\", "")))
    if "\\d" in pattern:
        chars |= set("0123456789")
    if "\\w" in pattern:
        chars |= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
    literal = re.sub(r"\[[^\]]*\]|\\.|\{[^}]*\}|\(\?:|[()|?*+^$]", "", pattern)
    return frozenset(chars | set(literal))


# --- detect-secrets -------------------------------------------------------------------------

# How many lines reached detect-secrets, per purpose (reported by bench runs).
STATS: Counter[str] = Counter()

# detect-secrets reads a line by its file type (quotes required in code, optional in config).
# Dotenv and shell assignments are config-like ``KEY=value`` lines.
_DS_FILENAME: dict[FileKind, str] = {
    FileKind.PYTHON: "keylint.py",
    FileKind.NOTEBOOK: "keylint.py",
    FileKind.DOTENV: "keylint.cfg",
    FileKind.SHELL: "keylint.cfg",
    FileKind.DOCKERFILE: "keylint.cfg",
    FileKind.YAML: "keylint.yaml",
    FileKind.JSON: "keylint.yaml",
    FileKind.TOML: "keylint.toml",
    FileKind.MARKDOWN: "keylint.md",
}

_PLUGIN_MODULES: dict[str, str] = {
    "KeywordDetector": "keyword",
    "Base64HighEntropyString": "high_entropy_strings",
    "HexHighEntropyString": "high_entropy_strings",
    "PrivateKeyDetector": "private_key",
    "JwtTokenDetector": "jwt",
    "TwilioKeyDetector": "twilio",
    "SendGridDetector": "sendgrid",
    "MailchimpDetector": "mailchimp",
    "NpmDetector": "npm",
    "PypiTokenDetector": "pypi_token",
    "GitLabTokenDetector": "gitlab_token",
    "DiscordBotTokenDetector": "discord",
    "TelegramBotTokenDetector": "telegram_token",
    "BasicAuthDetector": "basic_auth",
    "AzureStorageKeyDetector": "azure_storage_key",
    "SquareOAuthDetector": "square_oauth",
}
# Plugins whose regex's first group is the secret (the rest of the match is context).
_GROUP_IS_SECRET = frozenset({"BasicAuthDetector", "NpmDetector"})
_NAMED_VALUE_PLUGINS = ("KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString")


@functools.cache
def _triggers() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    return tuple(
        (plugin, literal, re.compile(rx))
        for plugin, triggers in REGEX_PLUGINS.items()
        for literal, rx in triggers
    )


def trigger_hits(text: str) -> Iterator[tuple[str, int]]:
    """(plugin, offset) of every format-plugin trigger in ``text``."""
    for plugin, literal, regex in _triggers():
        if literal in text:
            for match in regex.finditer(text):
                yield plugin, match.start()


def has_trigger(text: str) -> bool:
    return next(trigger_hits(text), None) is not None


def ds_filename(kind: FileKind, path: str) -> str:
    return _DS_FILENAME.get(kind, PurePosixPath(path).name or "keylint.txt")


class DetectSecrets:
    """detect-secrets' plugins and heuristic filters, used on single lines.

    Importing detect-secrets costs ~0.2 s (it imports ``requests``), so :func:`detect_secrets`
    builds this only when a candidate needs it. Plugins are called through ``analyze_line``
    with verification disabled: detect-secrets never makes a network call from keylint.
    """

    def __init__(self) -> None:
        import importlib

        from detect_secrets.filters import heuristic
        from detect_secrets.settings import get_settings

        # Verification runs only when this filter is configured; make sure it never is.
        get_settings().disable_filters(
            "detect_secrets.filters.common.is_ignored_due_to_verification_policies"
        )
        self.heuristic = heuristic
        self.plugins: dict[str, Any] = {}
        for name, module in _PLUGIN_MODULES.items():
            mod = importlib.import_module(f"detect_secrets.plugins.{module}")
            self.plugins[name] = getattr(mod, name)()
        self.charsets = {
            name: frozenset(plugin.charset)
            for name, plugin in self.plugins.items()
            if hasattr(plugin, "entropy_limit")
        }
        assert not any(c.isspace() for chars in self.charsets.values() for c in chars)
        self.keyword = self.plugins["KeywordDetector"]
        self.keyword_word = _keyword_word(importlib.import_module("detect_secrets.plugins.keyword"))

    def _may_find(self, name: str, wanted: str) -> bool:
        """False when plugin ``name`` can never report ``wanted``, whatever the line (a cheap
        bound: a 60,000-line .env asks about thousands of values).

        An entropy plugin reports a quoted run of its charset (no whitespace, so the run is
        ``wanted`` itself) whose Shannon entropy is above its limit; that entropy is at most
        log2 of the number of distinct characters, and the hex plugin only lowers it."""
        plugin = self.plugins[name]
        limit = getattr(plugin, "entropy_limit", None)
        if limit is None:
            return True
        distinct = set(wanted)
        return distinct <= self.charsets[name] and math.log2(len(distinct) or 1) > limit

    def _filtered(self, secret: str, line: str, plugin: Any, path: str, *, indirect: bool) -> bool:
        """detect-secrets' default heuristic filters (``detect_secrets.filters.heuristic``)."""
        h = self.heuristic
        return bool(
            h.is_sequential_string(secret)
            or h.is_potential_uuid(secret)
            or h.is_likely_id_string(secret, line, plugin)
            or h.is_templated_secret(secret)
            or h.is_prefixed_with_dollar_sign(secret)
            or h.is_not_alphanumeric_string(secret)
            or h.is_lock_file(path)
            or h.is_swagger_file(path)
            or (indirect and h.is_indirect_reference(line))
        )

    def named_value(self, lines: list[tuple[str, str]], path: str, wanted: str) -> str | None:
        """The secret type a named-value plugin (keyword, entropy) reports for ``wanted`` on
        one of ``lines`` (each with the file name that sets its syntax), after the filters;
        None when detect-secrets does not agree."""
        plugins = [name for name in _NAMED_VALUE_PLUGINS if self._may_find(name, wanted)]
        if not plugins:
            return None
        for line, filename in lines:
            STATS["named-value lines"] += 1
            for name in plugins:
                plugin = self.plugins[name]
                if plugin is self.keyword and not self.keyword_word.search(line):
                    continue  # no denylist word: none of its regexes can match
                for found in plugin.analyze_line(filename=filename, line=line):
                    secret = found.secret_value or ""
                    if secret.strip() != wanted:
                        continue
                    if self._filtered(secret, line, plugin, path, indirect=True):
                        continue
                    return str(plugin.secret_type)
        return None

    def formats(self, line: str, names: set[str], path: str) -> Iterator[tuple[str, str, int]]:
        """(secret type, secret, column) for each format plugin in ``names`` that fires on
        ``line``. The plugin decides (``analyze_line``); its own ``denylist`` regexes then
        give the position (a plugin reports only a regex group: ``glpat`` of a GitLab
        token, the password of a URL)."""
        STATS["format-plugin lines"] += 1
        for name in sorted(names):
            plugin = self.plugins[name]
            agreed = {
                f.secret_value for f in plugin.analyze_line(filename="keylint.txt", line=line)
            }
            if not agreed:
                continue
            group = 1 if name in _GROUP_IS_SECRET else 0
            for regex in plugin.denylist:
                for match in regex.finditer(line):
                    secret = match.group(group) or ""
                    if not secret or not (agreed & {secret, match.group(0), *match.groups()}):
                        continue
                    if self._filtered(secret, line, plugin, path, indirect=False):
                        continue
                    yield str(plugin.secret_type), secret, match.start(group)

    def private_key_header(self, line: str) -> str | None:
        STATS["private-key lines"] += 1
        plugin = self.plugins["PrivateKeyDetector"]
        if plugin.analyze_line(filename="keylint.txt", line=line):
            return str(plugin.secret_type)
        return None


def _keyword_word(keyword: Any) -> re.Pattern[str]:
    """A regex that any line the keyword plugin can match contains: its DENYLIST words,
    ignoring case (some of its regexes match them in lowercase only), when every one of its
    regexes requires them (detect-secrets 1.5); otherwise one that matches every line."""
    words = "|".join(keyword.DENYLIST)
    tables = (*keyword.REGEX_BY_FILETYPE.values(), keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)
    if all(f"({words})" in regex.pattern for table in tables for regex in table):
        return re.compile(words, re.IGNORECASE)
    return re.compile("")


@functools.cache
def detect_secrets() -> DetectSecrets:
    STATS["detect-secrets imports"] += 1
    return DetectSecrets()


def line_of(ctx: FileContext, value: Value) -> str:
    return ctx.file.line_text(value.span.line)
