"""Which keys to verify: one candidate per distinct key (fingerprint), with every place it is.

Findings never hold a raw key (findings.py), so the key is read again from the text the
run checked, at the finding's span, and accepted only if its fingerprint is the finding's:
what is sent is exactly what was reported. A key is verified only when it fully matches one
of its provider's key formats — a value that merely sits under an ``OPENAI_API_KEY`` name is
not sent anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from keylint.findings import Finding, fingerprint, redact
from keylint.providers import KeyFormat, ProviderDB
from keylint.source import SourceFile

# NAME = value / NAME: value / NAME=value in any file kind (dotenv, YAML, Python, shell).
_ASSIGN = re.compile(
    r"""(?<![A-Za-z0-9_])([A-Z][A-Z0-9_]*)["']?\s*[:=]\s*["']?([^\s"',;#}]+)""", re.MULTILINE
)
_HTTPS_HOST = re.compile(r"https://([A-Za-z0-9.-]+)")


@dataclass(frozen=True)
class Place:
    """One place a key is: file, line and column, whether git ignores the file, and with
    ``--history`` the commit that added it and its date."""

    path: str
    line: int
    column: int
    git_ignored: bool = False
    commit: str | None = None  # --history: the commit that added it
    date: str | None = None


@dataclass
class Candidate:
    """One distinct key. ``raw`` is the key itself: never shown, logged or stored."""

    fingerprint: str
    provider: str
    format_id: str
    label: str
    redacted: str
    raw: str = field(repr=False)
    places: list[Place] = field(default_factory=list)
    # Variables defined in the files that hold the key (OPENAI_ORG_ID=org-…), first wins.
    defined: dict[str, str] = field(default_factory=dict, repr=False)
    # https hosts named in those files (an Azure resource endpoint), in order of appearance.
    hosts: list[str] = field(default_factory=list)

    def __str__(self) -> str:  # never the raw key, whatever formats this object
        return f"{self.provider} {self.redacted}"


def key_format(raw: str, provider: str | None, db: ProviderDB) -> KeyFormat | None:
    """The format ``raw`` fully matches, preferring ``provider``'s own formats."""
    formats = sorted(db.key_formats, key=lambda f: f.provider != provider)
    for fmt in formats:
        if fmt.prefix and not raw.startswith(fmt.prefix):
            continue
        if fmt.context is not None and fmt.provider != provider:
            continue  # a prefix-less format is only believed under its own provider's name
        if fmt.regex.fullmatch(raw):
            return fmt
    return None


def recover(text: str, finding: Finding, db: ProviderDB) -> str | None:
    """The raw key a finding reported, read again from ``text`` (None if it is not there)."""
    if finding.secret is None:
        return None
    want = finding.secret.fingerprint
    source = SourceFile.from_text(finding.path, text)
    span = finding.span
    if span.line > len(source.line_starts):
        return None
    exact = ""
    if span.end_line == span.line:  # provider keys are one line long
        start = source.offset(span.line, span.column)
        exact = text[start : source.offset(span.line, span.end_column)]
    if exact and fingerprint(exact) == want:
        return exact
    line = source.line_text(span.line)
    for s, e, _ in db.find_keys(line):
        if fingerprint(line[s:e]) == want:
            return line[s:e]
    stripped = exact.strip().strip("\"'`")
    if stripped and fingerprint(stripped) == want:
        return stripped
    return None


class Collector:
    """Builds the candidates of a run, deduplicated by fingerprint."""

    def __init__(self, db: ProviderDB, providers: Iterable[str], context_names: set[str]) -> None:
        self.db = db
        self.providers = set(providers)
        self.context_names = context_names
        self.by_fingerprint: dict[str, Candidate] = {}
        self._scanned: set[tuple[str, str]] = set()

    @property
    def candidates(self) -> list[Candidate]:
        return list(self.by_fingerprint.values())

    def add_finding(
        self,
        finding: Finding,
        text_of: Callable[[Finding], str | None],
        place: Place | None = None,
    ) -> Candidate | None:
        if finding.secret is None or finding.provider is None:
            return None
        known = self.by_fingerprint.get(finding.secret.fingerprint)
        place = place or Place(finding.path, finding.span.line, finding.span.column)
        if known is not None:
            if place not in known.places:
                known.places.append(place)
            if (known.fingerprint, place.path) not in self._scanned:
                text = text_of(finding)
                if text is not None:
                    self._read_context(known, place.path, text)
            return known
        text = text_of(finding)
        if text is None:
            return None
        raw = recover(text, finding, self.db)
        if raw is None:
            return None
        return self.add_raw(raw, finding.provider, place, text)

    def add_raw(self, raw: str, provider: str | None, place: Place, text: str) -> Candidate | None:
        fmt = key_format(raw, provider, self.db)
        if fmt is None:
            return None
        fp = fingerprint(raw)
        cand = self.by_fingerprint.get(fp)
        if cand is None:
            cand = Candidate(fp, fmt.provider, fmt.id, fmt.label, redact(raw, fmt.prefix), raw)
            self.by_fingerprint[fp] = cand
        if place not in cand.places:
            cand.places.append(place)
        self._read_context(cand, place.path, text)
        return cand

    def _read_context(self, cand: Candidate, path: str, text: str) -> None:
        if (cand.fingerprint, path) in self._scanned:
            return
        self._scanned.add((cand.fingerprint, path))
        for m in _ASSIGN.finditer(text):
            name = m.group(1)
            if name in self.context_names:
                cand.defined.setdefault(name, m.group(2))
        for m in _HTTPS_HOST.finditer(text):
            host = m.group(1).lower().rstrip(".")
            if host not in cand.hosts:
                cand.hosts.append(host)
