"""Plain text → facts: shell, Dockerfile, JS/TS, INI, HTTP files, and the fallback for any
file that does not parse as its kind.

No library parses "any text", so this is a line-oriented scanner: it finds ``KEY=value``
bindings (shell, ``export``, Dockerfile ``ENV``), ``key: value`` and ``key = value`` pairs,
header lines, ``curl -H`` arguments and header entries of JS/JSON objects
(``"Authorization": `Bearer ${key}```), environment reads (``$X``, ``${X}``,
``process.env.X``), quoted strings and bare URLs. Each fact keeps its exact span.

A header learns the host its request goes to when the request is visible around it: the
URL of the ``curl`` command it belongs to (across ``\\`` continuation lines), of the
``fetch(...)``/``axios.post(...)``/``requests.post(...)`` call it sits in, or of the request
line of an HTTP file block.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from keylint.facts import Context, EnvDef, EnvRead, Fact, Header, Origin, Role, Span, Value
from keylint.headernames import is_header_name
from keylint.providers import ProviderDB
from keylint.source import FileKind, SourceFile

# NAME=value (shell/dotenv-like), optionally after `export`, `ENV`, `ARG`, `set`, `const`...
# A PHP, Perl or PowerShell variable keeps its `$` in the lead: `$db_password = '…';`.
_BINDING = re.compile(
    r"""(?P<lead>^[ \t]*(?:(?P<kw>export|ENV|ARG|set|setenv|declare(?:[ \t]+-[a-zA-Z]+)?|
        local|readonly|const|let|var)[ \t]+)?(?:\$(?=[A-Za-z_][A-Za-z0-9_]*[ \t]*=))?)
        (?P<name>[A-Za-z_][A-Za-z0-9_.-]*)
        (?P<sep>[ \t]*(?:=|:(?!:)|[ \t](?=["'A-Za-z0-9]))[ \t]*)
        (?P<value>"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|`[^`\n]*`?|[^\s;,#}]+[^\n;,#}]*)?""",
    re.VERBOSE,
)
_STRING = re.compile(r"""(?P<q>["'`])(?P<body>(?:(?!(?P=q))[^\\\n]|\\.){1,4096})(?P=q)""")
_ENV_READ = re.compile(
    r"\$\{\{\s*(?:env|secrets|vars)\.(?P<gh>[A-Za-z_][A-Za-z0-9_]*)\s*\}\}"
    r"|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?=[}:?+=-])"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|process\.env(?:\.(?P<js>[A-Za-z_][A-Za-z0-9_]*)|\[['\"](?P<jsq>[A-Za-z_][A-Za-z0-9_]*)['\"]\])"
    r"|import\.meta\.env\.(?P<vite>[A-Za-z_][A-Za-z0-9_]*)"
)
# -H 'Name: value' / --header "Name: value"; the body may hold the other kind of quote.
_CURL_HEADER = re.compile(
    r"""(?:-H|--header)(?:[ \t]+|=)?(?P<q>["'])(?P<body>(?:(?!(?P=q))[^\n\\]|\\.)*)(?P=q)"""
)
# `Name: value` on its own line (HTTP files, docs, YAML-ish, an unquoted JS object key).
_HEADER_LINE = re.compile(r"^[ \t]*(?P<name>[A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(?P<value>\S.*)$")
# `"Name": value` anywhere in a line (JSON, JS, Python dicts in docs), or an unquoted JS key
# followed by a string: `{ Authorization: "Bearer …" }`.
_KEYED_HEADER = re.compile(
    r"""(?:(?P<q>["'])(?P<qname>[A-Za-z][A-Za-z0-9_-]*)(?P=q)"""
    r"""|(?<![\w$.-])(?P<name>[A-Za-z][A-Za-z0-9_-]*)(?=[ \t]*:[ \t]*["'`]))"""
    r"""[ \t]*:[ \t]*"""
)
_URL_TOKEN = re.compile(r"https?://[^\s\"'<>`\\|^{}]+")
_COMMENT_PREFIX = re.compile(r"^[ \t]*(?:#|//|--|;|REM\b)")
# A lookup in a header value that the shell, a tool or an HTTP client fills in.
_LOOKUP = re.compile(
    r"\$\{\{[^}]*\}\}|\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+=-][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*"
    r"|\{\{[^{}\n]*\}\}|%[A-Za-z_][A-Za-z0-9_]*%"
)

_SHELLISH = (FileKind.SHELL, FileKind.DOCKERFILE)
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".vue", ".svelte")


def extract(file: SourceFile, db: ProviderDB) -> list[Fact]:
    return list(scan(file, 0, len(file.text), Context.CODE))


def scan(file: SourceFile, start: int, end: int, context: Context) -> Iterator[Fact]:
    """Facts from ``file.text[start:end]``; lines that are comments get Context.COMMENT."""
    text = file.text
    requests = _Requests(text, start, end)
    js = file.path.lower().endswith(_JS_SUFFIXES)
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        line_end = end if newline < 0 else newline
        line = text[pos:line_end].rstrip("\r")
        if line.strip():
            line_context = Context.COMMENT if _COMMENT_PREFIX.match(line) else context
            yield from _scan_line(file, line, pos, line_context, requests, js)
        pos = line_end + 1


def _span(file: SourceFile, start: int, end: int) -> Span:
    return file.span(start, end)


def _overlaps(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in ranges)


def _scan_line(
    file: SourceFile, line: str, base: int, context: Context, requests: _Requests, js: bool
) -> Iterator[Fact]:
    covered: list[tuple[int, int]] = []
    yield from _headers(file, line, base, context, covered, requests, js)
    binding = _BINDING.match(line)
    if (
        binding
        and binding.group("value") is not None
        and not binding.group("value").startswith(("[", "("))  # a list: its items follow
        and not _overlaps(binding.start("value"), binding.end("value"), covered)
    ):
        facts = _binding(file, binding, base, context)
        if facts:
            yield from facts
            covered.append(binding.span("value"))
    for m in _ENV_READ.finditer(line):
        name = next(g for g in m.groups() if g)
        group = next(k for k, v in m.groupdict().items() if v)
        s, e = m.span(group)
        how = {
            "gh": "${{ env.X }}",
            "braced": "${X}",
            "bare": "$X",
            "js": "process.env",
            "jsq": "process.env",
            "vite": "import.meta.env",
        }[group]
        yield EnvRead(name, _span(file, base + s, base + e), context, how)
    strings: list[tuple[int, int]] = []
    for m in _STRING.finditer(line):
        s, e = m.span("body")
        strings.append((s, e))
        if any(cs <= s < ce for cs, ce in covered):
            continue
        body = m.group("body")
        yield Value(
            span=_span(file, base + s, base + e),
            value=body,
            raw=body,
            name=None,
            origin=Origin.LITERAL,
            context=context,
            quote=m.group("q"),
            role=Role.ELEMENT if _in_brackets(line, m.start()) else Role.DIRECT,
        )
    for m in _URL_TOKEN.finditer(line):
        url = m.group(0).rstrip(".,;:)]")
        s, e = m.start(), m.start() + len(url)
        if _overlaps(s, e, covered) or _overlaps(s, e, strings):
            continue
        yield Value(
            span=_span(file, base + s, base + e),
            value=url,
            raw=url,
            name=None,
            origin=Origin.LITERAL,
            context=context,
        )


def _in_brackets(line: str, position: int) -> bool:
    """Is ``position`` inside a ``[…]`` or ``(…, …)`` list opened earlier on the line? Quotes
    are skipped roughly (no escapes): a guess for files without a syntax tree."""
    depth: list[str] = []
    quote = ""
    for char in line[:position]:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'`":
            quote = char
        elif char in "[(":
            depth.append(char)
        elif char in "])" and depth:
            depth.pop()
    return "[" in depth


def _binding(file: SourceFile, m: re.Match[str], base: int, context: Context) -> list[Fact]:
    name = m.group("name")
    keyword = (m.group("kw") or "").split()[0] if m.group("kw") else ""
    raw_value = m.group("value").rstrip()
    sep = m.group("sep").strip()
    if sep == "" and keyword != "ENV":
        return []  # "word word": prose, not a binding
    quote = raw_value[:1] if raw_value[:1] in "\"'`" else ""
    vs, _ve = m.span("value")
    if quote:
        body = (
            raw_value[1:-1] if len(raw_value) > 1 and raw_value.endswith(quote) else raw_value[1:]
        )
        start = vs + 1
    else:
        body = raw_value
        start = vs
    span = _span(file, base + start, base + start + len(body))
    is_env = keyword in ("export", "ENV", "ARG", "setenv", "declare") or (
        file.kind in _SHELLISH and sep == "=" and name.isupper()
    )
    value = Value(
        span=span,
        value=body,
        raw=body,
        name=name,
        origin=Origin.ENV if is_env else Origin.ASSIGN,
        context=context,
        name_span=_span(file, base + m.start("name"), base + m.end("name")),
        quote=quote,
        is_template=quote == "'" and "$" in body,
    )
    facts: list[Fact] = [value]
    if is_env:
        how = {"export": "export", "ENV": "dockerfile", "ARG": "dockerfile"}.get(keyword, "shell")
        facts.append(EnvDef(name, value.name_span or span, context, how, value))
    return facts


# --- headers -------------------------------------------------------------------------------


def _headers(
    file: SourceFile,
    line: str,
    base: int,
    context: Context,
    covered: list[tuple[int, int]],
    requests: _Requests,
    js: bool,
) -> Iterator[Fact]:
    for m in _CURL_HEADER.finditer(line):
        body = m.group("body")
        quote = m.group("q")
        name, colon, value = body.partition(":")
        if colon and is_header_name(name):
            offset = m.start("body")
            lead = len(value) - len(value.lstrip())
            text = value.strip().rstrip("\\").rstrip()
            # In a JS file a curl line sits in a template literal that fills `${…}` itself.
            shell_var = bool(re.search(r"\$(?!\{)", text)) if js else "$" in text
            template = "shell-single-quotes" if quote == "'" and shell_var else None
            parts = (text,) if quote == "'" else _lookup_parts(text)
            yield from _header(
                file,
                (base + offset, name),
                (base + offset + len(name) + 1 + lead, text),
                parts,
                context,
                "curl",
                template,
                requests,
                quote,
            )
        covered.append(m.span("body"))
    if covered:
        return
    line_match = _HEADER_LINE.match(line)
    if line_match and is_header_name(line_match.group("name")):
        value_start = line_match.start("value")
        expr = _expression(line, value_start, js) if line[value_start] in "\"'`" else None
        if expr is None or expr.end < len(line.rstrip().rstrip(",;")):
            text = line_match.group("value").rstrip()
            yield from _header(
                file,
                (base + line_match.start("name"), line_match.group("name")),
                (base + value_start, text),
                _lookup_parts(text),
                context,
                "text",
                None,
                requests,
                "",
            )
            covered.append((line_match.start("name"), len(line)))
            return
    for m in _KEYED_HEADER.finditer(line):
        if _overlaps(m.start(), m.end(), covered):
            continue
        name = m.group("qname") or m.group("name")
        if not is_header_name(name):
            continue
        expr = _expression(line, m.end(), js)
        if expr is None:
            continue
        name_start = m.start("qname") if m.group("qname") else m.start("name")
        yield from _expression_header(file, line, base, name, name_start, expr, context, requests)
        if expr.inner is not None:
            covered.append(expr.inner)


def _expression_header(
    file: SourceFile,
    line: str,
    base: int,
    name: str,
    name_start: int,
    expr: _Expr,
    context: Context,
    requests: _Requests,
) -> Iterator[Fact]:
    """A header whose value is a JS/Python expression: one string, or pieces joined by ``+``."""
    if expr.inner is not None:
        start, end = expr.inner
        yield from _header(
            file,
            (base + name_start, name),
            (base + start, line[start:end]),
            expr.parts,
            context,
            "js",
            expr.template,
            requests,
            expr.quote,
        )
        return
    yield Header(
        name=name,
        name_span=_span(file, base + name_start, base + name_start + len(name)),
        value_span=_span(file, base + expr.start, base + expr.end),
        parts=expr.parts,
        context=context,
        how="js",
        template=expr.template,
        host=requests.host_at(base + name_start),
    )


def _header(
    file: SourceFile,
    name_at: tuple[int, str],
    value_at: tuple[int, str],
    parts: tuple[str | None, ...],
    context: Context,
    how: str,
    template: str | None,
    requests: _Requests,
    quote: str,
) -> Iterator[Fact]:
    """A Header and the Value bound to its name (the key rules read the value)."""
    name_offset, raw_name = name_at
    value_offset, text = value_at
    name = raw_name.strip()
    name_start = name_offset + (len(raw_name) - len(raw_name.lstrip()))
    name_span = _span(file, name_start, name_start + len(name))
    value_span = _span(file, value_offset, value_offset + len(text))
    yield Header(
        name=name,
        name_span=name_span,
        value_span=value_span,
        parts=parts,
        context=context,
        how=how,
        template=template,
        host=requests.host_at(name_start),
    )
    yield Value(
        span=value_span,
        value=text,
        raw=text,
        name=name,
        origin=Origin.MAPPING,
        context=context,
        name_span=name_span,
        quote=quote,
    )


def _lookup_parts(text: str) -> tuple[str | None, ...]:
    """``Bearer $OPENAI_API_KEY`` → ("Bearer ", None): what the shell or tool fills in."""
    return _split(text, _LOOKUP)


def _split(text: str, pattern: re.Pattern[str]) -> tuple[str | None, ...]:
    parts: list[str | None] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            parts.append(text[last : m.start()])
        parts.append(None)
        last = m.end()
    if last < len(text) or not parts:
        parts.append(text[last:])
    return tuple(parts)


# --- JS/Python expressions in text -------------------------------------------------------------

_LITERAL = re.compile(
    r"""(?P<prefix>[fFrRbBuU]{0,2})(?P<q>`|"|')(?P<body>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)"""
)
_OPERAND = re.compile(
    r"[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[[^\]\n]*\]|\((?:[^()\n]|\([^()\n]*\))*\))*"
)
_JS_INTERPOLATION = re.compile(r"\$\{[^}]*\}")
_PY_INTERPOLATION = re.compile(r"\{(?!\{)[^{}]*\}")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class _Expr:
    """A value written on one line as string literals and names joined by ``+``: its text parts
    (None for a name or an interpolation), its offsets, and its one literal's body and quote."""

    parts: tuple[str | None, ...]
    start: int
    end: int
    inner: tuple[int, int] | None  # the body of the one string literal the value is
    template: str | None
    quote: str


def _expression(line: str, pos: int, js: bool) -> _Expr | None:
    """A value written as string literals and names joined by ``+`` (JS or Python)."""
    parts: list[str | None] = []
    template = None
    inner: tuple[int, int] | None = None
    quote = ""
    count = 0
    i = pos
    while True:
        while i < len(line) and line[i] in " \t":
            i += 1
        m = _LITERAL.match(line, i)
        if m:
            body, q, prefix = m.group("body"), m.group("q"), m.group("prefix").lower()
            if q == "`":
                parts.extend(_split(body, _JS_INTERPOLATION))
            elif "f" in prefix:
                parts.extend(_split(body, _PY_INTERPOLATION))
            else:
                parts.append(body if "r" in prefix else _ESCAPE.sub(r"\1", body))
                if js and "${" in body:
                    template = "js-quotes"
            if count == 0:
                inner, quote = m.span("body"), q
            i = m.end()
        else:
            operand = _OPERAND.match(line, i)
            if operand is None or operand.group(0) in ("", "true", "false", "null", "None"):
                break
            parts.append(None)
            i = operand.end()
        count += 1
        j = i
        while j < len(line) and line[j] in " \t":
            j += 1
        if j < len(line) and line[j] == "+" and line[j + 1 : j + 2] != "+":
            i = j + 1
            continue
        break
    if not parts:
        return None
    merged: list[str | None] = []
    for part in parts:
        if part is not None and merged and merged[-1] is not None:
            merged[-1] = str(merged[-1]) + part
        elif part != "" or not merged:
            merged.append(part)
    return _Expr(tuple(merged), pos, i, inner if count == 1 else None, template, quote)


# --- where requests go ---------------------------------------------------------------------

_REQUEST = re.compile(
    r"\bcurl\b"
    r"|\b(?:fetch|axios(?:\.\w+)?|requests\.\w+|httpx\.\w+|aiohttp\.\w+|got(?:\.\w+)?|ky\.\w+"
    r"|\$http\.\w+|session\.(?:get|post|put|patch|request))[ \t]*\("
    r"|^[ \t]*(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)[ \t]+(?=https?://)",
    re.MULTILINE,
)
_URL_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)")
_CONTINUED = ("\\", "^", "`")
_MAX_CALL = 4000


class _Requests:
    """Ranges of the text that belong to one request, with the host it goes to."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.ranges: list[tuple[int, int, str]] = []
        if "http" not in text[start:end]:
            return
        for m in _REQUEST.finditer(text, start, end):
            token = m.group(0)
            if token == "curl":
                stop = _command_end(text, m.end(), end)
            elif token.endswith("("):
                stop = _call_end(text, m.end() - 1, end)
            else:
                blank = re.compile(r"\n[ \t]*\r?\n").search(text, m.end(), end)
                stop = blank.start() if blank else end
            url = _URL_HOST.search(text, m.start(), stop)
            if url:
                self.ranges.append((m.start(), stop, url.group(1).lower().rstrip(".")))
        self.starts = [r[0] for r in self.ranges]

    def host_at(self, offset: int) -> str | None:
        if not self.ranges:
            return None
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0:
            start, stop, host = self.ranges[i]
            if start <= offset < stop:
                return host
            i -= 1
        return None


def _command_end(text: str, pos: int, end: int) -> int:
    """The end of a shell command: its line, and the next ones while a line ends with ``\\``."""
    while True:
        newline = text.find("\n", pos, end)
        if newline < 0:
            return end
        if not text[pos:newline].rstrip("\r \t").endswith(_CONTINUED):
            return newline
        pos = newline + 1


def _call_end(text: str, open_paren: int, end: int) -> int:
    """The offset after the ``)`` closing the call that opens at ``open_paren``."""
    depth = 0
    i = open_paren
    stop = min(end, open_paren + _MAX_CALL)
    quote = ""
    while i < stop:
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return stop
