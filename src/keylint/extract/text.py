"""Plain text → facts: shell, Dockerfile, JS/TS, INI, HTTP files, and the fallback for any
file that does not parse as its kind.

No library parses "any text", so this is a line-oriented scanner: it finds ``KEY=value``
bindings (shell, ``export``, Dockerfile ``ENV``), ``key: value`` and ``key = value`` pairs,
header lines and ``curl -H`` arguments, environment reads (``$X``, ``${X}``,
``process.env.X``) and quoted strings. Each fact keeps its exact span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.facts import Context, EnvDef, EnvRead, Fact, Header, Origin, Span, Value
from keylint.providers import ProviderDB
from keylint.source import FileKind, SourceFile

_HEADER_NAME = re.compile(
    r"(?i)^(?:authori[sz]ation|authorisation|authorizaton|authorzation|auth|x-api-key|api-key|"
    r"x-goog-api-key|proxy-authorization|anthropic-version|x-api-token)$"
)
# NAME=value (shell/dotenv-like), optionally after `export`, `ENV`, `ARG`, `set`, `const`...
_BINDING = re.compile(
    r"""(?P<lead>^[ \t]*(?:(?P<kw>export|ENV|ARG|set|setenv|declare(?:[ \t]+-[a-zA-Z]+)?|
        local|readonly|const|let|var)[ \t]+)?)
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
# -H 'Name: value' / --header "Name: value" / "Name: value" on its own (HTTP files, docs).
_CURL_HEADER = re.compile(r"""(?:-H|--header)[ \t]*(?P<q>["'])(?P<body>[^"'\n]*)(?P=q)""")
_HEADER_LINE = re.compile(r"^[ \t]*(?P<name>[A-Za-z][A-Za-z0-9-]*)[ \t]*:[ \t]*(?P<value>\S.*)$")
_COMMENT_PREFIX = re.compile(r"^[ \t]*(?:#|//|--|;|REM\b)")

_SHELLISH = (FileKind.SHELL, FileKind.DOCKERFILE)


def extract(file: SourceFile, db: ProviderDB) -> list[Fact]:
    return list(scan(file, 0, len(file.text), Context.CODE))


def scan(file: SourceFile, start: int, end: int, context: Context) -> Iterator[Fact]:
    """Facts from ``file.text[start:end]``; lines that are comments get Context.COMMENT."""
    text = file.text
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        line_end = end if newline < 0 else newline
        line = text[pos:line_end].rstrip("\r")
        if line.strip():
            line_context = Context.COMMENT if _COMMENT_PREFIX.match(line) else context
            yield from _scan_line(file, line, pos, line_context)
        pos = line_end + 1


def _span(file: SourceFile, start: int, end: int) -> Span:
    return file.span(start, end)


def _scan_line(file: SourceFile, line: str, base: int, context: Context) -> Iterator[Fact]:
    covered: list[tuple[int, int]] = []
    yield from _headers(file, line, base, context, covered)
    binding = _BINDING.match(line)
    if binding and binding.group("value") is not None:
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
    for m in _STRING.finditer(line):
        s, e = m.span("body")
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
        )


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


def _headers(
    file: SourceFile, line: str, base: int, context: Context, covered: list[tuple[int, int]]
) -> Iterator[Fact]:
    for m in _CURL_HEADER.finditer(line):
        body = m.group("body")
        yield from _header_from(
            file, body, base + m.start("body"), context, "curl", template_quote=m.group("q")
        )
        covered.append(m.span("body"))
    if covered:
        return
    line_match = _HEADER_LINE.match(line)
    if line_match and _HEADER_NAME.match(line_match.group("name")):
        start = line_match.start("name")
        yield from _header_from(
            file, line[start:], base + start, context, "text", template_quote=""
        )
        covered.append((start, len(line)))


def _header_from(
    file: SourceFile, body: str, offset: int, context: Context, how: str, template_quote: str
) -> Iterator[Fact]:
    name, colon, value = body.partition(":")
    if not colon:
        return
    stripped = name.strip()
    if not _HEADER_NAME.match(stripped):
        return
    lead = len(value) - len(value.lstrip())
    value_text = value.strip().rstrip("\\").rstrip()
    value_start = offset + len(name) + 1 + lead
    name_start = offset + (len(name) - len(name.lstrip()))
    template = None
    if template_quote == "'" and "$" in value_text:
        template = "shell-single-quotes"
    yield Header(
        name=stripped,
        name_span=_span(file, name_start, name_start + len(stripped)),
        value_span=_span(file, value_start, value_start + len(value_text)),
        parts=(value_text,),
        context=context,
        how=how,
        template=template,
    )
    yield Value(
        span=_span(file, value_start, value_start + len(value_text)),
        value=value_text,
        raw=value_text,
        name=stripped,
        origin=Origin.MAPPING,
        context=context,
        name_span=_span(file, name_start, name_start + len(stripped)),
        quote=template_quote,
    )
