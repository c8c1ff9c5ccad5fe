"""What the endpoint and model rules share (KL40x, KL45x, KL508).

The ``endpoints:`` and ``models:`` sections of rules/providers/*.yaml, indexed once per
provider database; URLs found inside values; and the exact position of a piece of a value
in the file. No provider fact lives here: hosts, paths, dates and replacements are data.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ahocorasick_rs

from keylint.analysis import ValueUse
from keylint.checks.base import FileContext
from keylint.facts import Span, Value
from keylint.findings import Confidence, Severity
from keylint.patterns import LazyPattern
from keylint.providers import LiteralFinder, Provider, ProviderDB
from keylint.source import FileKind
from keylint.span import value_class

TODAY: datetime.date | None = None  # tests pin the date of the run here


def today() -> datetime.date:
    """The date shutdowns are compared with: the day of the run."""
    return TODAY or datetime.date.today()


def as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# --- the data ----------------------------------------------------------------------------


@value_class(frozen=True)
class Endpoint:
    """One ``endpoints:`` entry."""

    provider: Provider
    kind: str  # "removed" | "misspelt-host" | "version-path" | "api-version"
    host: str | None
    path: str | None
    status: str  # "removed" | "deprecated" | "legacy"
    since: datetime.date | None
    replacement: str
    bare: bool = False
    clients: tuple[str, ...] = ()
    match: str | None = None

    def verdict(self, on: datetime.date) -> tuple[str, Severity]:
        """How to say where this endpoint stands on a date, and how bad that is."""
        when = self.since.isoformat() if self.since else None
        if self.status == "removed":
            if self.since is None:
                return "was removed", Severity.ERROR
            if self.since <= on:
                return f"was removed on {when}", Severity.ERROR
            return f"will be removed on {when}", Severity.INFO
        if self.status == "deprecated":
            return (f"is deprecated since {when}" if when else "is deprecated"), Severity.WARNING
        return "is legacy", Severity.INFO  # still answers; no shutdown announced


@value_class(frozen=True)
class Model:
    """One ``models:`` entry."""

    provider: Provider
    name: str
    shutdown: datetime.date | None
    replacement: str
    named_only: bool
    deprecated: datetime.date | None = None  # deprecated with no shutdown date (Cohere)

    def retired(self, on: datetime.date) -> bool:
        if self.shutdown is None:
            return self.deprecated is None  # no date at all: gone at an unknown date
        return self.shutdown <= on


@dataclass
class Index:
    """The ``endpoints:`` and ``models:`` sections of every provider file, indexed for the
    endpoint and model rules: removed hosts and paths, misspelt hosts, API versions and models."""

    hosts: dict[str, list[Endpoint]] = field(default_factory=dict)  # a whole host removed
    paths: list[Endpoint] = field(default_factory=list)  # removed/deprecated paths
    misspelt: dict[str, list[Endpoint]] = field(default_factory=dict)
    version_paths: dict[str, list[Endpoint]] = field(default_factory=dict)
    api_versions: dict[str, Endpoint] = field(default_factory=dict)
    exact_hosts: dict[str, Provider] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    routing_prefixes: frozenset[str] = frozenset()
    _path_patterns: dict[int, re.Pattern[str]] = field(default_factory=dict)

    # The patterns below are built from the data on first use: each costs milliseconds to
    # compile, and a one-file run (a pre-commit hook) rarely needs them all.

    @functools.cached_property
    def _distinctive_models(self) -> list[str]:
        return sorted({m.name for m in self.models.values() if not m.named_only})

    @functools.cached_property
    def _model_finder(self) -> ahocorasick_rs.AhoCorasick | None:
        # An automaton, not an alternation of ~500 names: the regex took ~5 ms to compile,
        # a pre-commit run's largest single pattern.
        names = self._distinctive_models
        return ahocorasick_rs.AhoCorasick(names) if names else None

    def quoted_models(self, raw: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each distinctive model name standing between quotes in ``raw``,
        left to right. Names hold no quote, so two such spans never overlap."""
        finder = self._model_finder
        if finder is None:
            return
        try:
            hits = finder.find_matches_as_indexes(raw, overlapping=True)
        except UnicodeEncodeError:  # lone surrogates: no UTF-8 form for the automaton
            hits = [
                (0, m.start(), m.end())
                for name in self._distinctive_models
                for m in re.finditer(re.escape(name), raw)
            ]
        spans = {
            (start, end)
            for _, start, end in hits
            if start > 0 and raw[start - 1] in "\"'" and raw[end : end + 1] in ('"', "'")
        }
        yield from sorted(spans)

    @functools.cached_property
    def any_path(self) -> LiteralFinder | None:
        """Any endpoint path, or any path without its version (`/answers` of
        `/v1/answers`), in one automaton pass: a value none of them is in needs no
        per-endpoint search (a 2 MB policy file of ARNs asked ~50 patterns of each of its
        26,000 values)."""
        pieces = {p for e in self.paths if e.path for p in (e.path, VERSION_PREFIX.sub("", e.path))}
        return LiteralFinder(pieces) if pieces else None

    def path_pattern(self, endpoint: Endpoint) -> re.Pattern[str]:
        """Where ``endpoint``'s path stands as a whole path in a value."""
        pattern = self._path_patterns.get(id(endpoint))
        if pattern is None:
            assert endpoint.path is not None
            pattern = re.compile(r"(?<![\w/.-])" + re.escape(endpoint.path) + r"(?![\w-])")
            self._path_patterns[id(endpoint)] = pattern
        return pattern


_CACHE: dict[int, tuple[ProviderDB, Index]] = {}
# The version segment that starts a path (`/v1` of `/v1/answers`).
VERSION_PREFIX = re.compile(r"^/v\d+(?=/)")


def index(db: ProviderDB) -> Index:
    cached = _CACHE.get(id(db))
    if cached is not None and cached[0] is db:
        return cached[1]
    built = _build(db)
    _CACHE[id(db)] = (db, built)
    return built


def _text(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return str(value) if value is not None else None


def _endpoint(provider: Provider, entry: Mapping[str, Any]) -> Endpoint:
    host = _text(entry, "host")
    return Endpoint(
        provider=provider,
        kind=str(entry.get("kind", "removed")),
        host=host.lower() if host else None,
        path=_text(entry, "path"),
        status=str(entry.get("status", "removed")),
        since=as_date(entry.get("since")),
        replacement=str(entry.get("replacement", "")),
        bare=bool(entry.get("bare", False)),
        clients=tuple(str(c) for c in entry.get("clients") or ()),
        match=_text(entry, "match"),
    )


def _build(db: ProviderDB) -> Index:
    idx = Index()
    prefixes = {"models", "gemini", "vertex_ai"}
    for provider in db.providers:
        prefixes.add(provider.id)
        prefixes.add(provider.id.split("-")[0])
        for host in provider.hosts:
            if not host.startswith("*."):
                idx.exact_hosts.setdefault(host.lower(), provider)
        for entry in provider.section("endpoints") or ():
            if isinstance(entry, Mapping):
                _add_endpoint(idx, _endpoint(provider, entry))
        for entry in provider.section("models") or ():
            if isinstance(entry, Mapping) and entry.get("name"):
                name = str(entry["name"])
                named_only = bool(entry.get("named_only")) or len(name) < 8 or "-" not in name
                model = Model(
                    provider,
                    name,
                    as_date(entry.get("shutdown")),
                    str(entry.get("replacement", "")),
                    named_only,
                    as_date(entry.get("deprecated")),
                )
                idx.models.setdefault(name.lower(), model)
    idx.routing_prefixes = frozenset(prefixes)
    return idx


def _add_endpoint(idx: Index, endpoint: Endpoint) -> None:
    if endpoint.kind == "misspelt-host" and endpoint.host:
        idx.misspelt.setdefault(endpoint.host, []).append(endpoint)
    elif endpoint.kind == "version-path" and endpoint.host:
        idx.version_paths.setdefault(endpoint.host, []).append(endpoint)
    elif endpoint.kind == "api-version" and endpoint.match:
        idx.api_versions.setdefault(endpoint.match, endpoint)
    elif endpoint.kind == "removed":
        if endpoint.path:
            idx.paths.append(endpoint)
        elif endpoint.host:
            idx.hosts.setdefault(endpoint.host, []).append(endpoint)


def provider_for_host(db: ProviderDB, host: str) -> Provider | None:
    for provider in db.providers:
        if provider.matches_host(host):
            return provider
    return None


def path_matches(path: str, prefix: str) -> bool:
    """``/v1/engines/davinci`` is under ``/v1/engines``; ``/v1/completions`` is not under
    ``/v1/complete``."""
    path = path or "/"
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


# --- URLs inside values --------------------------------------------------------------------

# `{scheme}`: a placeholder filled in below for each form, so the scheme is written once
# per form (replacing the group's own text silently missed once the group was edited).
_URL_TEMPLATE = (
    r"(?<![\w.+-])(?P<scheme>{scheme})://"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)"
    r"\.?(?::\d{1,5})?"
    r"(?P<path>/[^\s\"'<>`\\{}|^?#,)\]]*)?"
    r"(?:\?(?P<query>[^\s\"'<>`#{}]*))?"
)
# On ASCII text, the scheme spelt in both cases by hand: IGNORECASE made the pattern 4x
# slower to compile and slower on every value searched. On other text, IGNORECASE proper:
# it also takes the letters that fold to ASCII ones (`ı`, `İ`, `ſ`, the Kelvin sign `K`),
# and a host spelt with one is a look-alike host KL402 must see.
_URL = re.compile(_URL_TEMPLATE.replace("{scheme}", "[hH][tT][tT][pP][sS]?"))
_URL_FOLDED = LazyPattern(_URL_TEMPLATE.replace("{scheme}", "https?"), re.IGNORECASE)
_HOST_ONLY = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


@value_class(frozen=True)
class Url:
    """A URL found in a value's raw text; offsets are into ``Value.raw``."""

    start: int
    end: int
    scheme: str
    host: str
    host_start: int
    path: str
    path_start: int
    query: str
    query_start: int


def urls_in(raw: str) -> Iterator[Url]:
    if "://" not in raw:
        return
    for m in (_URL if raw.isascii() else _URL_FOLDED).finditer(raw):
        path = m.group("path") or ""
        query = m.group("query") or ""
        yield Url(
            start=m.start(),
            end=m.end(),
            scheme=m.group("scheme").lower(),
            host=m.group("host").lower(),
            host_start=m.start("host"),
            path=path,
            path_start=m.start("path") if path else m.end("host"),
            query=query,
            query_start=m.start("query") if query else m.end(),
        )


def bare_host(value: Value) -> str | None:
    """The value itself is a host name (``api.openai.org``), not a URL or a path."""
    text = value.value.strip().rstrip(".")
    if "." in text and _HOST_ONLY.fullmatch(text) and not text.replace(".", "").isdigit():
        return text.lower()
    return None


def running_values(ctx: FileContext) -> Iterator[Value]:
    """Values in code and configuration: never prose, comments or notebook outputs."""
    cached: list[Value] | None = ctx.cache.get("running_values")
    if cached is None:
        cached = [v for v in ctx.of(Value) if v.context.runs]
        ctx.cache["running_values"] = cached
    yield from cached


def piece_span(ctx: FileContext, value: Value, start: int, end: int) -> Span:
    """The span of ``value.raw[start:end]`` in the file.

    Extractors give ``raw`` as the file's own text at ``value.span``; where a file kind does
    not (a notebook cell's decoded source), the finding falls back to the value's span.
    """
    file = ctx.file
    try:
        base = file.offset(value.span.line, value.span.column)
    except IndexError:
        return value.span
    if value.raw and file.text.startswith(value.raw, base):
        return file.span(base + start, base + end)
    return value.span


# Names whose value describes rather than configures: `help=`, `"placeholder":`, `title:`.
_PROSE_NAME = re.compile(
    r"(?:placeholder|example|description|desc|help|comment|label|tooltip|title|message|docs?)$",
    re.IGNORECASE,
)
_COMPARE_BEFORE = re.compile(r"(?:==|!=|\bin|\bnot\s+in|\bis)\s*$")
_COMPARE_AFTER = re.compile(r"^\s*(?:===?|!==?|in\b|not\s+in\b)")
_TEST_CALL = re.compile(
    r"\.(?:startswith|endswith|find|rfind|index|count|removeprefix|removesuffix)$"
)
_OPENERS = {")": "(", "]": "[", "}": "{"}
_WINDOW = 160


def _around(ctx: FileContext, value: Value) -> tuple[str, str]:
    """The text of the value's line before its opening quote and after its closing quote."""
    if value.span.line != value.span.end_line:
        return "", ""
    # A window, not the line: minified files hold thousands of strings on one line.
    file = ctx.file
    start = file.offset(value.span.line, value.span.column)
    end = file.offset(value.span.end_line, value.span.end_column)
    line_start = file.line_starts[value.span.line - 1]
    before = file.text[max(line_start, start - _WINDOW) : start]
    after = file.text[end : end + _WINDOW].split("\n", 1)[0]
    if value.quote:
        before = re.sub(r"[rRbBuUfF]{0,2}" + re.escape(value.quote) + r"$", "", before)
        after = after[len(value.quote) :] if after.startswith(value.quote) else after
    return before, after


def _collection_head(text: str) -> tuple[str, str] | None:
    """Inside `(…`, `[…` or `{…`: the text before the unclosed bracket, and the bracket."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        char = text[i]
        if char in _OPENERS:
            depth += 1
        elif char in "([{":
            if depth == 0:
                return text[:i], char
            depth -= 1
    return None


def in_comparison(ctx: FileContext, value: Value) -> bool:
    """`model == "gpt-4"`, `"o1" in model`, `model.startswith("claude-2")`,
    `model in ("a", "b")`: code that tests for a name, not code that uses it."""
    before, after = _around(ctx, value)
    if _COMPARE_AFTER.match(after):
        return True
    stripped = before.rstrip()
    if _COMPARE_BEFORE.search(stripped):
        return True
    if stripped.endswith(("(", "[", "{", ",")):
        head = _collection_head(stripped)
        if head is not None:
            text, bracket = head
            text = text.rstrip()
            if bracket == "(" and _TEST_CALL.search(text):
                return True
            return bool(_COMPARE_BEFORE.search(text))
    return False


def is_mapping_key(ctx: FileContext, value: Value) -> bool:
    """A quoted string followed by `:`: a JS/JSON object key, not a value."""
    if value.name is not None or not value.quote:
        return False
    return _around(ctx, value)[1].lstrip().startswith(":")


def describes(value: Value) -> bool:
    """Bound to a name that holds prose or a UI hint, not configuration."""
    name = value.name or ""
    last = re.split(r"[.:\[\]]", name)[-1] or name
    return bool(_PROSE_NAME.search(last))


def file_mentions(ctx: FileContext, provider: Provider) -> bool:
    """Does the file name the provider (a host or an SDK package)? Scope for host-less paths."""
    lower = ctx.file.text.lower()
    hosts = [h.lstrip("*.").lower() for h in provider.hosts]
    sdk = provider.section("sdk") or {}
    packages = (
        [str(p).lower() for p in (sdk.get("packages") or ())] if isinstance(sdk, Mapping) else []
    )
    return any(h and h in lower for h in hosts) or any(
        re.search(rf"(?:import|from)\s+{re.escape(p)}\b", lower) for p in packages
    )


# --- models ------------------------------------------------------------------------------

_MODEL_SLOT = re.compile(r"(model|engine|deployment)(?:[_-]?(?:name|id))?$", re.IGNORECASE)


def is_model_slot(name: str | None) -> bool:
    """``model``, ``engine``, ``deployment_name``, ``OPENAI_MODEL``, ``chatModel``..."""
    if not name:
        return False
    last = re.split(r"[.:\[\]/]", name.strip("\"'"))
    word = next((w for w in reversed(last) if w), "")
    m = _MODEL_SLOT.search(word)
    if not m:
        return False
    before = word[: m.start()]
    return not before or before[-1] in "_-." or (before[-1].islower() and word[m.start()] == "M")


def lookup_model(idx: Index, text: str) -> tuple[Model, int] | None:
    """The model ``text`` names, allowing a routing prefix (``openai/gpt-4``,
    ``models/gemini-pro``); returns the model and the offset of its name in ``text``."""
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    candidate = stripped
    offset = lead
    for _ in range(3):
        model = idx.models.get(candidate.lower())
        if model is not None:
            return model, offset
        head, slash, tail = candidate.partition("/")
        if not slash or head.lower() not in idx.routing_prefixes:
            return None
        candidate = tail
        offset += len(head) + 1
    return None


def replacement_chain(idx: Index, model: Model, on: datetime.date) -> tuple[str, list[Model]]:
    """The replacement to suggest, following announced replacements that were themselves
    shut down since; returns it with the skipped models."""
    skipped: list[Model] = []
    current = model.replacement
    seen = {model.name.lower()}
    while current.lower() in idx.models and current.lower() not in seen:
        nxt = idx.models[current.lower()]
        if not nxt.retired(on):
            break
        seen.add(current.lower())
        skipped.append(nxt)
        current = nxt.replacement
    return current, skipped


_INNER_NAMED = re.compile(
    r"[\"']?(?:model|engine|deployment)(?:[_-]?(?:name|id))?[\"']?[ \t]*[:=][ \t]*"
    r"[\"'](?P<name>[^\"'\s]{2,100})[\"']",
    re.IGNORECASE,
)
# REST paths name the model: `/v1beta/models/gemini-pro:generateContent`, and OpenAI's
# removed `/v1/engines/text-davinci-003/completions`.
_URL_MODEL = re.compile(r"/(?:models|engines)/(?P<name>[\w.-]+)(?=[:/?\"']|$)")


MODEL_CONFIDENCE_NOTES = (
    "low where the name is listed (a table, a type, a collection), compared, used locally "
    "(a tokenizer, a log line) or a bare string keylint cannot follow to a request; medium "
    "when bound to a name that is not a model setting; an Azure deployment name is never "
    "reported"
)


@value_class(frozen=True)
class ModelHit:
    """A model name found in a running value, with how sure keylint is that it is used."""

    model: Model
    span: Span
    confidence: Confidence
    reason: str | None = None


def model_hits(ctx: FileContext) -> Iterator[ModelHit]:
    """Every model name in running values: a value that is one (bound to a model-like name
    for ambiguous names), a `"model": "…"` pair or a quoted name inside a larger string (a
    JSON body in a curl command), a `/models/<name>` URL path — each judged by what the code
    does with the value (spec §8: used where it is sent or configured)."""
    # KL451 and KL452 both ask: compute once per file.
    cached = ctx.cache.get("model_hits")
    if cached is None:
        idx = index(ctx.db)
        cached = []
        if idx.models:
            for value in running_values(ctx):
                cached.extend(_models_in(ctx, idx, value))
        ctx.cache["model_hits"] = cached
    yield from cached


# Where a model name is not one of the provider's models: an Azure *deployment* name (the
# user's own label, routed by Azure to whatever model it was created with).
_DEPLOYMENT = re.compile(r"deployment|azure", re.IGNORECASE)
_USE_REASONS = {
    ValueUse.LISTED: "listed in a table, type or collection, not sent",
    ValueUse.COMPARED: "compared or prefix-checked, not sent",
    ValueUse.LOCAL: "used locally (tokenizer, logging, help text), not sent",
    ValueUse.UNPLACED: "a bare string keylint cannot follow to a request",
}


def _models_in(ctx: FileContext, idx: Index, value: Value) -> Iterator[ModelHit]:
    # The model lookup is cheap and almost always empty; the context checks read the
    # source around the value: look first, judge the context only when something is there.
    hits = list(_model_names_in(ctx, idx, value))
    if not hits:
        return
    if describes(value) or is_mapping_key(ctx, value):
        return
    if _DEPLOYMENT.search(value.name or "") or _routed_to_azure(value):
        return  # an Azure deployment name, not a model name
    use = ctx.use(value)
    text_kind = ctx.file.kind not in _AST_KINDS  # no syntax tree to say it is compared
    if text_kind and use in (ValueUse.UNPLACED, ValueUse.CONFIGURED) and in_comparison(ctx, value):
        use = ValueUse.COMPARED
    listing = len(_QUOTED_ITEM.findall(value.raw)) >= 2  # `"a", "b", …` inside one string
    for model, span, inner in hits:
        confidence, reason = Confidence.HIGH, None
        if inner:
            pass  # `"model": "…"` in a request body, a `/models/<name>` path: sent
        elif span != value.span and listing:
            confidence, reason = Confidence.LOW, _USE_REASONS[ValueUse.LISTED]
        elif use is ValueUse.SENT and value.name and _LABEL_ARG.search(value.name):
            if not is_model_slot(value.name):
                confidence = Confidence.LOW
                reason = f"passed as `{value.name}`: a label, not the model sent"
        elif use in _USE_REASONS:
            confidence, reason = Confidence.LOW, _USE_REASONS[use]
        elif use is ValueUse.CONFIGURED and not is_model_slot(value.name):
            confidence, reason = Confidence.MEDIUM, "bound to a name that is not a model setting"
        elif value.call is not None and _DEPLOYMENT.search(value.call):
            confidence, reason = Confidence.LOW, "an Azure client: the name is a deployment"
        yield ModelHit(model, span, confidence, reason)


_AST_KINDS = frozenset({FileKind.PYTHON, FileKind.NOTEBOOK})
_QUOTED_ITEM = re.compile(r"""["'][\w./:-]+["']\s*[,\]]""")  # `"a", "b"]`: items of a list
# Keyword arguments that name or label something rather than choose the model.
_LABEL_ARG = re.compile(r"(?:^|_)(?:id|name|alias|label|key|tag)$", re.IGNORECASE)


def _routed_to_azure(value: Value) -> bool:
    """``azure/gpt-4`` (LiteLLM's routing): what follows ``azure/`` is a deployment name."""
    return value.value.strip().lower().startswith("azure/")


def _model_names_in(
    ctx: FileContext, idx: Index, value: Value
) -> Iterator[tuple[Model, Span, bool]]:
    """(model, span, inner): ``inner`` when the name sits in a request body or URL path."""
    if not value.dynamic:
        hit = lookup_model(idx, value.value)
        if hit is not None:
            model, offset = hit
            if not model.named_only or is_model_slot(value.name):
                if value.raw == value.value:
                    yield model, piece_span(ctx, value, offset, offset + len(model.name)), False
                else:
                    yield model, value.span, False
            return
    raw = value.raw
    if len(raw) < 4:
        return
    seen: set[int] = set()
    lowered = raw.lower()
    inner = "model" in lowered or "engine" in lowered or "deployment" in lowered
    for m in _INNER_NAMED.finditer(raw) if inner else ():
        hit = lookup_model(idx, m.group("name"))
        if hit is not None:
            model, offset = hit
            start = m.start("name") + offset
            seen.add(start)
            yield model, piece_span(ctx, value, start, start + len(model.name)), True
    if '"' in raw or "'" in raw:
        for start, end in idx.quoted_models(raw):
            quoted = idx.models.get(raw[start:end].lower())
            if raw[end + 1 :].lstrip().startswith(":"):
                continue  # an object key: `{"claude-1.3": "November 6th, 2024"}`
            if quoted is not None and start not in seen:
                seen.add(start)
                yield quoted, piece_span(ctx, value, start, end), False
    if "/models/" in raw or "/engines/" in raw:
        for m in _URL_MODEL.finditer(raw):
            in_path = idx.models.get(m.group("name").lower())
            if in_path is not None and m.start("name") not in seen:
                yield in_path, piece_span(ctx, value, m.start("name"), m.end("name")), True


def shown(text: str) -> str:
    """A model or host name in backticks; a sentence as it is."""
    return f"`{text}`" if re.fullmatch(r"[\w.:/-]+", text) else text
