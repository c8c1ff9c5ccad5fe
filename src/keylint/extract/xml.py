"""Passwords in XML configuration, with their positions: NuGet ``packageSourceCredentials``
(``<add key="ClearTextPassword" value="…"/>``), FileZilla ``<Pass>…</Pass>``,
``password="…"`` attributes (DBeaver, JetBrains data sources, MSBuild), and connection
strings in ``.config`` files (``…;Password=…;``).

Parsed with the standard library's expat (no entity expansion of external resources: expat
does not fetch them, and the document's own internal entities are refused). Expat reports
where each start tag begins; the value's exact offset is then found in the tag's source text.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from xml.parsers import expat

from keylint.extract import ParseError

# Names that hold a password or secret (case-insensitive, whole name).
_SECRET_NAME = re.compile(
    r"^(?:(?:clear_?text_?)?password|passwd|pwd|pass|secret|client_?secret|api_?key|"
    r"access_?token|auth_?token|token)$",
    re.IGNORECASE,
)
_CONNECTION_PASSWORD = re.compile(r"(?:^|;)\s*(?:password|pwd)\s*=\s*([^;]*)", re.IGNORECASE)
_CONNECTION_ATTRS = frozenset({"connectionstring", "connection-string", "url", "jdbc-url"})
_MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class XmlSecret:
    """A password or secret in an XML file: the name that holds it, its value, its offsets in the
    file, and how it is written (attribute, element, key/value, connection string)."""

    name: str  # the element, attribute or key that names it
    value: str  # as the tool uses it (FileZilla's base64 decoded)
    start: int  # offset of the value's source text in the file
    end: int
    how: str  # "attribute", "element", "key/value", "connection string"


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        for i, c in enumerate(text):
            if c == "\n":
                self.line_starts.append(i + 1)
        self.found: list[XmlSecret] = []
        self.open: list[tuple[str, dict[str, str], int]] = []  # tag, attrs, end of start tag
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.EntityDeclHandler = self.refuse_entities

    def refuse_entities(self, *args: object) -> None:
        raise ParseError("XML entity declarations are not read")

    def offset(self) -> int:
        """The file offset where expat's current event starts (its column counts characters
        of the decoded text we feed as str)."""
        line = self.parser.CurrentLineNumber
        return self.line_starts[line - 1] + self.parser.CurrentColumnNumber

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        begin = self.offset()
        close = self.text.find(">", begin)
        source = self.text[begin : close + 1 if close >= 0 else len(self.text)]
        self.open.append((tag, attrs, begin + len(source)))
        lowered = {k.lower(): k for k in attrs}
        # <add key="ClearTextPassword" value="…"/> (NuGet, appSettings)
        if "key" in lowered and "value" in lowered:
            key = attrs[lowered["key"]]
            if _SECRET_NAME.match(key):
                self.attribute(begin, source, lowered["value"], attrs, key, "key/value")
        for attr, value in attrs.items():
            if _SECRET_NAME.match(attr):
                self.attribute(begin, source, attr, attrs, attr, "attribute")
            elif attr.lower() in _CONNECTION_ATTRS:
                span = self.attribute_span(begin, source, attr)
                for m in _CONNECTION_PASSWORD.finditer(value):
                    if span is not None and m.group(1).strip():
                        raw = m.group(1).strip()
                        at = self.text.find(raw, span[0], span[1])
                        if at >= 0:
                            self.found.append(
                                XmlSecret(attr, raw, at, at + len(raw), "connection string")
                            )

    def attribute_span(self, begin: int, source: str, attr: str) -> tuple[int, int] | None:
        m = re.search(r"(?<![\w:.-])" + re.escape(attr) + r"\s*=\s*([\"'])(.*?)\1", source, re.S)
        if m is None:
            return None
        return begin + m.start(2), begin + m.end(2)

    def attribute(
        self, begin: int, source: str, attr: str, attrs: dict[str, str], name: str, how: str
    ) -> None:
        span = self.attribute_span(begin, source, attr)
        if span is not None:
            self.found.append(XmlSecret(name, attrs[attr], span[0], span[1], how))

    def end(self, tag: str) -> None:
        name, attrs, after = self.open.pop()
        if not _SECRET_NAME.match(name):
            return
        close = self.offset()
        raw = self.text[after:close]
        value = raw.strip()
        if not value or "<" in value:
            return
        start = after + raw.index(value)
        decoded = value
        if attrs.get("encoding", "").lower() == "base64":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                return
        self.found.append(XmlSecret(name, decoded, start, start + len(value), "element"))


def secrets(text: str) -> list[XmlSecret]:
    """Every password-like value in the XML document ``text``; ParseError if it is not XML."""
    if len(text) > _MAX_BYTES:
        return []
    walker = _Walker(text)
    try:
        walker.parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise ParseError(
            f"not well-formed XML: {expat.errors.messages.get(exc.code, 'error')}", exc.lineno
        ) from None
    return walker.found
