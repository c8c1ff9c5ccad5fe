"""SARIF 2.1.0 as GitHub code scanning ingests it: one run, unique rules, stable fingerprints.

Shape (GitHub's "SARIF support for code scanning" page): one run whose
``tool.driver.rules`` holds exactly one descriptor per rule that reported (GitHub rejects
duplicates, gitleaks#890), each with help built from the rule's docstring and
``security-severity`` on security rules; results point at
a path relative to the repository root (``uriBaseId: %SRCROOT%``) with a full region in
UTF-16 code units, and carry ``partialFingerprints.primaryLocationLineHash`` computed exactly
as github/codeql-action does, so an upload through the REST API de-duplicates alerts like
``upload-sarif`` would. ``automationDetails.id`` is ``keylint/`` (category ``keylint``).

Secrets: a finding's message is already redacted (Finding never holds a raw value), and the
``secret`` object is not written at all — not even its fingerprint, because a SHA-256 of a
short keyword-assigned password can be brute-forced and SARIF files are uploaded to a third
party. Fixes are not written either: a fix's replacement text can be the key itself.

This reporter reads the files that have findings, once each, for two things only: converting
columns from code points (keylint's spans) to UTF-16 code units (SARIF's ``columnKind``), and
hashing the file for the fingerprint. Neither is in the findings, and carrying whole line texts
through the engine for every finding would cost more than re-reading the few files reported.
The caller may pass ``source`` (display path -> the text that was checked, e.g. the staged
blob under ``--staged``) to use instead of the disk. A file that cannot be read keeps
code-point columns and gets no fingerprint (``upload-sarif`` then computes it); so does a
finding from ``--history`` (it carries a ``commit``), whose text is not the file on disk.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from keylint import __version__
from keylint.checks import all_rules
from keylint.checks.base import Rule
from keylint.discovery import git_root
from keylint.findings import Category, Confidence, Finding, Severity, fingerprint
from keylint.report import Report, printable_tree

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
AUTOMATION_ID = "keylint/"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "recommendation",
}
# GitHub's buckets: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. A rule may set
# a class attribute ``security_severity = "9.1"`` to choose its own score.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_MAX_DESCRIPTION = 1024  # GitHub's limit for short and full descriptions
_NEWLINE = re.compile(r"\r\n|\n|\r")  # the line ends keylint's spans count (source.py)

SourceText = Callable[[str], str | None]  # display path -> the text keylint checked


# --------------------------------------------------------------------------------------------
# primaryLocationLineHash: a port of github/codeql-action src/fingerprints.ts ``hash()``.

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1  # the TypeScript uses a signed 64-bit Long; wrapping is the same mod 2**64
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13
_EOF = 65535  # the sentinel fed after the last character


def _utf16_units(text: str) -> Sequence[int]:
    """The UTF-16 code units of ``text``: what JavaScript's ``charCodeAt`` walks over."""
    units = array("H")
    units.frombytes(text.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":  # pragma: no cover - the bytes above are little-endian
        units.byteswap()
    return units


class _RollingHash:
    """The state of codeql-action's rolling hash; ``hashes`` maps line number -> ``hex:n``."""

    def __init__(self) -> None:
        self.window = [0] * _BLOCK_SIZE
        self.line_numbers = [-1] * _BLOCK_SIZE
        self.hash = 0
        self.index = 0
        self.line_number = 0
        self.line_start = True
        self.prev_cr = False
        self.counts: dict[str, int] = {}
        self.hashes: dict[int, str] = {}

    def _output(self) -> None:
        value = format(self.hash, "x")
        count = self.counts.get(value, 0) + 1
        self.counts[value] = count
        self.hashes[self.line_numbers[self.index]] = f"{value}:{count}"
        self.line_numbers[self.index] = -1

    def _update(self, current: int) -> None:
        begin = self.window[self.index]
        self.window[self.index] = current
        self.hash = (_MOD * self.hash + current - _FIRST_MOD * begin) & _MASK
        self.index = (self.index + 1) % _BLOCK_SIZE

    def feed(self, current: int) -> None:
        # Spaces and tabs never count, and LF right after CR is part of that line end.
        if current in (_SPACE, _TAB) or (self.prev_cr and current == _LF):
            self.prev_cr = False
            return
        if current == _CR:
            current = _LF
            self.prev_cr = True
        else:
            self.prev_cr = False
        if self.line_numbers[self.index] != -1:
            self._output()
        if self.line_start:
            self.line_start = False
            self.line_number += 1
            self.line_numbers[self.index] = self.line_number
        if current == _LF:
            self.line_start = True
        self._update(current)

    def finish(self) -> None:
        self.feed(_EOF)
        for _ in range(_BLOCK_SIZE):
            if self.line_numbers[self.index] != -1:
                self._output()
            self._update(0)


def line_hashes(text: str, until: int | None = None) -> dict[int, str]:
    """``primaryLocationLineHash`` of every line of ``text`` (1-based line -> ``hex:n``).

    ``text`` is the file as Node's UTF-8 decoder reads it (a BOM is kept, invalid bytes are
    U+FFFD). With ``until``, hashing stops once that line's hash is known: a hash only depends
    on the text from its line start, and ``:n`` counts only earlier lines.
    """
    state = _RollingHash()
    for unit in _utf16_units(text):
        state.feed(unit)
        if until is not None and until in state.hashes:
            return state.hashes
    state.finish()
    return state.hashes


# --------------------------------------------------------------------------------------------
# Paths: relative to the repository root, as GitHub resolves them.


def repo_root(cwd: Path) -> Path:
    """The git top level of ``cwd``, else ``cwd`` itself (symlinks resolved)."""
    top = git_root(cwd)
    return Path(os.path.realpath(top if top is not None else cwd))


def repo_relative(path: str, cwd: Path, root: Path) -> str | None:
    """``path`` (relative to ``cwd``, as findings hold it) relative to ``root`` with ``/``.

    None when the file lies outside ``root``: GitHub cannot place it in the repository.
    """
    absolute = os.path.normpath(os.path.join(os.path.realpath(cwd), path))
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return None
    rel = rel.replace(os.sep, "/")
    if rel == ".." or rel.startswith("../") or os.path.isabs(rel):
        return None
    return rel


def _artifact_location(path: str, cwd: Path, root: Path) -> dict[str, str]:
    rel = repo_relative(path, cwd, root)
    if rel is None:
        # Valid SARIF, though GitHub will not map it to a file of the repository.
        return {"uri": Path(os.path.normpath(os.path.join(cwd, path))).as_uri()}
    # The bytes of the name, percent-encoded: a name that is not UTF-8 keeps its exact bytes.
    try:
        raw = rel.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        raw = rel.encode("utf-8", "backslashreplace")
    return {"uri": quote(raw, safe="/"), "uriBaseId": SRCROOT}


# --------------------------------------------------------------------------------------------
# Files with findings: line texts (for UTF-16 columns) and line hashes (for fingerprints).


@dataclass
class _FileText:
    """The text of a file with findings: its lines (for UTF-16 columns) and the text
    ``primaryLocationLineHash`` is computed from, hashed on first use."""

    lines: list[str] | None  # keylint's view: BOM stripped, split on \r\n, \n, \r
    node_text: str | None  # Node's view for the fingerprint: BOM kept
    hashes: dict[int, str] | None = None

    @classmethod
    def read(cls, path: Path) -> _FileText:
        try:
            data = path.read_bytes()
        except OSError:
            return cls(None, None)
        node_text = data.decode("utf-8", "replace")
        text = node_text[1:] if node_text.startswith("\ufeff") else node_text
        return cls(_NEWLINE.split(text), node_text)

    @classmethod
    def of(cls, text: str | None) -> _FileText:
        """From text keylint decoded (its BOM, if any, is gone: line 1 may hash differently)."""
        return cls(None, None) if text is None else cls(_NEWLINE.split(text), text)

    def line(self, number: int) -> str | None:
        if self.lines is None or not 1 <= number <= len(self.lines):
            return None
        return self.lines[number - 1]

    def fingerprint(self, line: int, until: int) -> str | None:
        if self.node_text is None:
            return None
        if self.hashes is None:
            self.hashes = line_hashes(self.node_text, until)
        return self.hashes.get(line)


def utf16_column(line_text: str | None, column: int) -> int:
    """A 1-based code-point column as a 1-based UTF-16 column: astral characters count 2."""
    if line_text is None:
        return column
    return column + sum(1 for ch in line_text[: column - 1] if ord(ch) > 0xFFFF)


# --------------------------------------------------------------------------------------------
# Rules.


@functools.cache
def _project_urls() -> tuple[str | None, str | None]:
    """(home page, rule documentation base) from the installed distribution's metadata
    (``[project.urls]`` Homepage/Repository and Documentation); None where not declared:
    SARIF links only to pages that exist."""
    try:
        urls = metadata.metadata("keylint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:  # pragma: no cover - keylint runs installed
        urls = []
    named = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        named[label.strip().lower()] = url.strip()
    home = named.get("homepage") or named.get("repository") or next(iter(named.values()), None)
    return home, named.get("documentation")


def _help_uri(rule_code: str) -> dict[str, str]:
    """``{"helpUri": …}`` when a documentation URL is configured, else nothing: the help
    itself is in ``help.markdown``, and a made-up link would lead nowhere."""
    docs = _project_urls()[1]
    return {"helpUri": f"{docs.rstrip('/')}/rules/{rule_code}"} if docs else {}


def _first_paragraph(docs: str) -> str:
    head = docs.split("\n## ", 1)[0].split("\n\n", 1)[0]
    return " ".join(head.split())


def _section(docs: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", docs, re.MULTILINE | re.DOTALL)
    return " ".join(match.group(1).split()) if match else ""


def _plain(markdown: str) -> str:
    """help.text: the docs without heading marks and code fences (help.markdown keeps them)."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("```"):
            continue
        lines.append(line.lstrip("#").strip() if line.startswith("#") else line)
    return "\n".join(lines).strip()


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 1] + "…"


def is_security_rule(rule: type[Rule]) -> bool:
    """Security rules get ``security-severity``, which files their alerts under Security."""
    return rule.cwe is not None or rule.category is Category.HARDCODED_SECRET


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    docs = rule.docs()
    full = _first_paragraph(docs) or _section(docs, "What it does") or rule.summary
    tags = [rule.category.value]
    properties: dict[str, Any] = {"tags": tags, "precision": rule.precision}
    if is_security_rule(rule):
        tags.insert(0, "security")
        if rule.category is Category.HARDCODED_SECRET:
            tags.append("secret")
        score = getattr(rule, "security_severity", None) or _SECURITY_SEVERITY[rule.severity]
        properties["security-severity"] = str(score)
    if rule.cwe:
        tags.append("external/cwe/" + rule.cwe.lower())
    properties["problem.severity"] = _PROBLEM_SEVERITY[rule.severity]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.summary)},
        "fullDescription": {"text": _clip(full)},
        "help": {"text": _plain(docs) or rule.summary, "markdown": docs or rule.summary},
        **_help_uri(rule.code),
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": properties,
    }


def _unknown_rule_descriptor(finding: Finding) -> dict[str, Any]:
    """A descriptor for a code no registered rule has (kept valid for GitHub all the same)."""
    text = f"{finding.name} ({finding.category.value})."
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        **_help_uri(finding.rule),
        "defaultConfiguration": {"level": _LEVELS[finding.severity]},
        "properties": {"tags": [finding.category.value]},
    }


def _descriptors(findings: Iterable[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One descriptor per rule code used, sorted by code, and each code's index."""
    known = {rule.code: rule for rule in all_rules()}
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.rule, f)
    codes = sorted(first)
    rules = [
        rule_descriptor(known[c]) if c in known else _unknown_rule_descriptor(first[c])
        for c in codes
    ]
    return rules, {code: i for i, code in enumerate(codes)}


# --------------------------------------------------------------------------------------------
# Results.


class _Files:
    """Each file with findings, read at most once."""

    def __init__(self, cwd: Path, last_line: dict[str, int], source: SourceText | None) -> None:
        self.cwd = cwd
        self.last_line = last_line  # the highest line a fingerprint is needed for, per path
        self.source = source
        self.cache: dict[str, _FileText] = {}

    def get(self, f: Finding) -> _FileText:
        if any(key == "commit" for key, _ in f.extra):
            return _FileText(None, None)  # found in a past commit: the disk is another text
        if f.path not in self.cache:
            if self.source is not None:
                self.cache[f.path] = _FileText.of(self.source(f.path))
            else:
                self.cache[f.path] = _FileText.read(self.cwd / f.path)
        return self.cache[f.path]


def _region(f: Finding, text: _FileText) -> dict[str, int]:
    span = f.span
    start = utf16_column(text.line(span.line), span.column)
    end = utf16_column(text.line(span.end_line), span.end_column)
    return {
        "startLine": span.line,
        "startColumn": max(start, 1),
        "endLine": max(span.end_line, span.line),
        "endColumn": max(end, 1),
    }


def _message(f: Finding, text: _FileText) -> str:
    """The finding's message, which rules redact; checked once more against the raw value.

    Defence in depth (peers.md: reports that bypass redaction): if the text under a secret
    finding's span is that secret (same fingerprint) and the message quotes it, it is replaced
    by the redacted form before it can reach an upload.
    """
    message = f.message or f.name
    line = text.line(f.span.line)
    if f.secret is None or line is None or f.span.end_line != f.span.line:
        return message
    raw = line[f.span.column - 1 : f.span.end_column - 1]
    if raw and raw in message and fingerprint(raw) == f.secret.fingerprint:
        message = message.replace(raw, f.secret.redacted)
    return message


_RANKS = {Confidence.HIGH: 90.0, Confidence.MEDIUM: 60.0, Confidence.LOW: 30.0}


def _result(f: Finding, index: int, files: _Files, cwd: Path, root: Path) -> dict[str, Any]:
    text = files.get(f)
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _LEVELS[f.severity],
        "message": {"text": _message(f, text)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact_location(f.path, cwd, root),
                    "region": _region(f, text),
                }
            }
        ],
    }
    line_hash = text.fingerprint(f.span.line, files.last_line[f.path])
    if line_hash:
        result["partialFingerprints"] = {"primaryLocationLineHash": line_hash}
    # SARIF `rank` (0-100) is GitHub's and the SARIF viewers' relevance scale.
    result["rank"] = _RANKS[f.confidence]
    properties: dict[str, object] = {"category": f.category.value, "confidence": f.confidence.value}
    if f.confidence_reason:
        properties["confidence_reason"] = f.confidence_reason
    if f.provider:
        properties["provider"] = f.provider
    if f.verification:
        properties["verification"] = f.verification.as_dict()
    for key, value in f.extra:  # e.g. the commit of a --history finding, as in the JSON
        properties.setdefault(key, value)
    result["properties"] = properties
    return result


def _invocation(errors: Sequence[tuple[str, str]], cwd: Path, root: Path) -> dict[str, Any]:
    """The run succeeded; files that could not be read or parsed are notifications."""
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {"text": f"{path}: {message}"},
                "locations": [
                    {"physicalLocation": {"artifactLocation": _artifact_location(path, cwd, root)}}
                ],
            }
            for path, message in errors
        ]
    return invocation


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "keylint", "version": __version__}
    home = _project_urls()[0]
    if home:
        driver["informationUri"] = home
    driver["rules"] = rules
    if _SEMVER.match(__version__):
        driver["semanticVersion"] = __version__
    return driver


def build(
    report: Report, cwd: Path | None = None, source: SourceText | None = None
) -> dict[str, Any]:
    """The SARIF log as a dict (``render`` serialises it)."""
    cwd = cwd or Path.cwd()
    root = repo_root(cwd)
    findings = list(report.findings)
    rules, index = _descriptors(findings)
    last_line: dict[str, int] = {}
    for f in findings:
        last_line[f.path] = max(last_line.get(f.path, 0), f.span.line)
    files = _Files(cwd, last_line, source)
    run: dict[str, Any] = {
        "tool": {"driver": _driver(rules)},
        "automationDetails": {"id": AUTOMATION_ID},
        "invocations": [_invocation(report.errors, cwd, root)],
        "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
        "columnKind": "utf16CodeUnits",
        "results": [_result(f, index[f.rule], files, cwd, root) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, cwd: Path | None = None, source: SourceText | None = None) -> str:
    log = printable_tree(build(report, cwd, source))
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
