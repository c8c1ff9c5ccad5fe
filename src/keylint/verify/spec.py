"""The verification requests of ``rules/verify/<provider>.yaml``, loaded and validated strictly.

Each file says, for one provider, which read-only request tells whether a key works (method,
host, path, where the key goes, fixed headers) and how to read the answer: a table from the
status code and the error's type, code or text to one of the results of spec §7, each row
with its ``source:``. A typo in a file fails loudly with the file and the field: a wrong
verification is worse than none.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keylint.providers import DataError, data_dir

# Spec §7, in the order the summary line lists them.
RESULTS = (
    "live",
    "invalid",
    "quota-exhausted",
    "restricted",
    "rate-limited",
    "unreachable",
    "unsupported",
    "error",
)
# What a classification row may conclude: the rest come from the transport or the planner.
_ROW_RESULTS = frozenset({"live", "invalid", "quota-exhausted", "restricted", "rate-limited"})
_METHODS = frozenset({"GET", "POST"})
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HOST_PATTERN = re.compile(r"^\*\.(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HEADER = re.compile(r"^[A-Za-z0-9-]+$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_REASON = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class ContextHeader:
    """A header whose value is defined next to the key (``OPENAI_ORG_ID=org-…``)."""

    header: str
    name: str  # the variable that defines it
    value: re.Pattern[str]  # the whole value must match: nothing else is ever sent


@dataclass(frozen=True)
class Request:
    """A read-only request that tells whether a key works: method, host (fixed, or a project's
    within the host patterns), path, where the key goes, and the other headers."""

    method: str
    path: str  # path and query, starting with "/"
    auth_header: str
    auth_scheme: str | None  # "Bearer", or None for the bare key
    source: str
    host: str | None = None  # fixed host; None: host_patterns (a resource of the project)
    host_patterns: tuple[str, ...] = ()  # "*.openai.azure.com"
    headers: tuple[tuple[str, str], ...] = ()
    context: tuple[ContextHeader, ...] = ()
    formats: tuple[str, ...] = ()  # key format ids this request is for; empty: all

    def accepts_host(self, host: str) -> bool:
        """A project-given host is used only if it is one label under an allowed suffix."""
        host = host.lower()
        for pattern in self.host_patterns:
            suffix = pattern[1:]  # ".openai.azure.com"
            label = host[: -len(suffix)] if host.endswith(suffix) else ""
            if label and re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", label):
                return True
        return False


@dataclass(frozen=True)
class Row:
    """One line of a classification table: all its conditions must hold."""

    statuses: tuple[int, ...]
    result: str
    source: str
    codes: tuple[str, ...] = ()  # any of these among the error's type/code/status/reason
    body: str | None = None  # a substring of the body (case-insensitive)
    json: tuple[tuple[str, Any], ...] = ()  # dotted path -> expected scalar
    reason: str | None = None  # a finer name for the result: mismatched-organization


@dataclass(frozen=True)
class ProviderCheck:
    """One ``rules/verify/<provider>.yaml``: the provider's requests and the table that reads
    their answers, or why its keys cannot be checked."""

    provider: str
    label: str
    console: str  # where the user creates, rotates and revokes keys
    source: str
    requests: tuple[Request, ...] = ()
    rows: tuple[Row, ...] = ()
    unsupported: str | None = None  # why this provider's keys cannot be checked

    def request_for(self, format_id: str | None) -> Request | None:
        for request in self.requests:
            if not request.formats or (format_id is not None and format_id in request.formats):
                return request
        return None


# --- loading --------------------------------------------------------------------------------


def verify_dir() -> Path:
    return data_dir() / "verify"


@functools.lru_cache(maxsize=4)
def load_checks(directory: Path | None = None) -> dict[str, ProviderCheck]:
    """Every ``rules/verify/*.yaml``, validated: provider id -> check. Raises DataError."""
    import yaml

    directory = directory or verify_dir()
    out: dict[str, ProviderCheck] = {}
    for path in sorted(directory.glob("*.yaml")):
        where = f"rules/verify/{path.name}"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise DataError(f"{where}: cannot read: {exc}") from None
        check = parse_check(data, where)
        if check.provider != path.stem:
            raise DataError(f"{where}: provider: '{check.provider}' must match the file name")
        out[check.provider] = check
    return out


def parse_check(data: Any, where: str) -> ProviderCheck:
    top = _mapping(data, where)
    allowed = {"provider", "label", "console", "source", "requests", "classify", "unsupported"}
    _no_unknown(top, allowed, where)
    provider = _str(top, "provider", where)
    label = _str(top, "label", where)
    console = _str(top, "console", where)
    if "unsupported" in top:
        if "requests" in top or "classify" in top:
            raise DataError(f"{where}: unsupported: a provider with requests is not unsupported")
        return ProviderCheck(
            provider,
            label,
            console,
            source=_str(top, "source", where),
            unsupported=_str(top, "unsupported", where),
        )
    requests = _list(top, "requests", where)
    rows = _list(top, "classify", where)
    if not requests or not rows:
        raise DataError(f"{where}: needs `requests` and `classify` (or `unsupported`)")
    parsed = tuple(_request(r, f"{where}: requests[{i}]") for i, r in enumerate(requests))
    return ProviderCheck(
        provider,
        label,
        console,
        source=str(top.get("source") or "; ".join(r.source for r in parsed)),
        requests=parsed,
        rows=tuple(_row(r, f"{where}: classify[{i}]") for i, r in enumerate(rows)),
    )


def _request(data: Any, where: str) -> Request:
    item = _mapping(data, where)
    allowed = {
        "method",
        "host",
        "host_patterns",
        "path",
        "auth",
        "headers",
        "context",
        "formats",
        "read_only",
        "source",
    }
    _no_unknown(item, allowed, where)
    method = _str(item, "method", where)
    if method not in _METHODS:
        raise DataError(f"{where}: method: '{method}' is not one of {sorted(_METHODS)}")
    if method != "GET" and not item.get("read_only"):
        # A POST must say (with its source) why it changes nothing and costs nothing.
        raise DataError(f"{where}: read_only: a {method} request must say why it is read-only")
    path = _str(item, "path", where)
    if not path.startswith("/") or "//" in path or any(c.isspace() for c in path):
        raise DataError(f"{where}: path: '{path}' must be an absolute path without spaces")
    host = item.get("host")
    patterns = tuple(item.get("host_patterns") or ())
    if (host is None) == (not patterns):
        raise DataError(f"{where}: exactly one of `host` and `host_patterns` is needed")
    if host is not None and (not isinstance(host, str) or not _HOST.match(host)):
        raise DataError(f"{where}: host: '{host}' is not a host name")
    for pattern in patterns:
        if not isinstance(pattern, str) or not _HOST_PATTERN.match(pattern):
            raise DataError(f"{where}: host_patterns: '{pattern}' must look like *.example.com")
    auth = _mapping(item.get("auth"), f"{where}: auth")
    _no_unknown(auth, {"header", "scheme"}, f"{where}: auth")
    header = _str(auth, "header", f"{where}: auth")
    scheme = auth.get("scheme")
    if scheme is not None and (not isinstance(scheme, str) or not scheme.isalpha()):
        raise DataError(f"{where}: auth: scheme: '{scheme}' must be a word or null")
    headers = _mapping(item.get("headers") or {}, f"{where}: headers")
    for name, value in headers.items():
        _header_name(name, f"{where}: headers")
        if not isinstance(value, str) or not value or "\n" in value or "\r" in value:
            raise DataError(f"{where}: headers: {name}: the value must be a one-line string")
    formats = item.get("formats") or []
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise DataError(f"{where}: formats: must be a list of key format ids")
    return Request(
        method=method,
        path=path,
        auth_header=_header_name(header, f"{where}: auth"),
        auth_scheme=scheme,
        source=_str(item, "source", where),
        host=host,
        host_patterns=patterns,
        headers=tuple((str(k), str(v)) for k, v in headers.items()),
        context=tuple(
            _context(c, f"{where}: context[{i}]") for i, c in enumerate(item.get("context") or [])
        ),
        formats=tuple(formats),
    )


def _context(data: Any, where: str) -> ContextHeader:
    item = _mapping(data, where)
    _no_unknown(item, {"header", "name", "value"}, where)
    name = _str(item, "name", where)
    if not _ENV_NAME.match(name):
        raise DataError(f"{where}: name: '{name}' is not an environment variable name")
    pattern = _str(item, "value", where)
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise DataError(f"{where}: value: bad regex: {exc}") from None
    return ContextHeader(_header_name(_str(item, "header", where), where), name, compiled)


def _row(data: Any, where: str) -> Row:
    item = _mapping(data, where)
    _no_unknown(item, {"status", "code", "body", "json", "result", "reason", "source"}, where)
    status = item.get("status")
    listed: list[Any] = status if isinstance(status, list) else [status]
    statuses = [s for s in listed if isinstance(s, int) and not isinstance(s, bool)]
    if not statuses or len(statuses) != len(listed) or not all(100 <= s <= 599 for s in statuses):
        raise DataError(f"{where}: status: '{status}' must be an HTTP status or a list of them")
    result = _str(item, "result", where)
    if result not in _ROW_RESULTS:
        raise DataError(f"{where}: result: '{result}' is not one of {sorted(_ROW_RESULTS)}")
    code = item.get("code") or []
    codes = code if isinstance(code, list) else [code]
    if not all(isinstance(c, str) and c for c in codes):
        raise DataError(f"{where}: code: must be a string or a list of strings")
    body = item.get("body")
    if body is not None and (not isinstance(body, str) or not body):
        raise DataError(f"{where}: body: must be a non-empty string")
    json_cond = _mapping(item.get("json") or {}, f"{where}: json")
    for key, value in json_cond.items():
        if not isinstance(value, (str, int, bool)) or value is None:
            raise DataError(f"{where}: json: {key}: the expected value must be a scalar")
    reason = item.get("reason")
    if reason is not None and (not isinstance(reason, str) or not _REASON.match(reason)):
        raise DataError(f"{where}: reason: '{reason}' must be kebab-case")
    return Row(
        statuses=tuple(statuses),
        result=result,
        source=_str(item, "source", where),
        codes=tuple(codes),
        body=body,
        json=tuple((str(k), v) for k, v in json_cond.items()),
        reason=reason,
    )


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DataError(f"{where}: expected a mapping")
    return value


def _list(data: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise DataError(f"{where}: {key}: expected a list")
    return value


def _str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: {key}: missing or not a string")
    return value


def _header_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not _HEADER.match(name):
        raise DataError(f"{where}: '{name}' is not a header name")
    return name


def _no_unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise DataError(
            f"{where}: unknown field '{unknown[0]}' (expected one of {sorted(allowed)})"
        )
