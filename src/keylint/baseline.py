"""Baselines: adopt keylint on a legacy repository and fail only on new findings.

keylint's own baseline is JSON keyed by (path, rule, fingerprint) with a count:

    {
      "keylint-baseline": 1,
      "findings": [
        {"path": "app.py", "rule": "KL101", "fingerprint": "sha256:…", "count": 1}
      ]
    }

- The fingerprint is the secret's (``sha256`` of the raw value) when the finding has one,
  else a sha256 of rule, path and the finding line's stripped text. Never a line number
  (lines move), never a timestamp, never the secret: only hashes, rules and paths.
- Paths are relative to the baseline file's directory, so it works from any directory.
- Matching counts per key: two findings with one key need a count of 2, so a second copy of
  a baselined key, or a new secret in a baselined file, is still reported.
- Entries are sorted, one per line, and the file is rewritten (atomically) only when its
  bytes change: re-running on an unchanged tree leaves it untouched.

A detect-secrets ``.secrets.baseline`` is read too (never written): its ``results`` are
keyed by file and ``hashed_secret`` (SHA-1 of the raw value). Every listed entry hides
keylint findings of the same value in the same file — entries audited ``is_secret: false``
(false positives) and unaudited ones alike, as detect-secrets' own hook does. The secret
``type`` is not compared: detect-secrets' plugin names do not map onto keylint's rules, and
a value's hash in one file already names one secret.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keylint.errors import BaselineError
from keylint.findings import Finding, digest
from keylint.source import SourceFile

FORMAT_KEY = "keylint-baseline"
FORMAT_VERSION = 1

# display path (relative to the working directory) → the text that was linted, if known
LineSource = Callable[[str], "str | None"]
Key = tuple[str, str, str]  # (path relative to the baseline, rule, fingerprint)


@dataclass(frozen=True)
class Baseline:
    """A baseline file as read: keylint's counts per (path, rule, fingerprint), or the (file,
    SHA-1) pairs of a detect-secrets baseline."""

    path: Path
    kind: str  # "keylint" | "detect-secrets"
    counts: Mapping[Key, int] = field(default_factory=dict)
    known_sha1: frozenset[tuple[str, str]] = frozenset()  # detect-secrets: (path, sha1 hex)

    @property
    def directory(self) -> Path:
        return Path(os.path.realpath(self.path.parent if str(self.path.parent) else "."))


def load(path: Path) -> Baseline:
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError:
        raise BaselineError(f"{path}: not valid JSON") from None
    if isinstance(doc, dict) and doc.get(FORMAT_KEY) == FORMAT_VERSION:
        return Baseline(path, "keylint", _keylint_counts(doc, path))
    if isinstance(doc, dict) and isinstance(doc.get("results"), dict):
        return Baseline(path, "detect-secrets", known_sha1=_detect_secrets_known(doc, path))
    raise BaselineError(f"{path}: not a keylint or detect-secrets baseline")


def _keylint_counts(doc: Mapping[str, Any], path: Path) -> dict[Key, int]:
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    counts: dict[Key, int] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise BaselineError(f"{path}: each finding must be an object")
        values = [entry.get(k) for k in ("path", "rule", "fingerprint")]
        count = entry.get("count", 1)
        if not all(isinstance(v, str) for v in values) or not isinstance(count, int) or count < 1:
            raise BaselineError(f"{path}: a finding needs path, rule, fingerprint and a count")
        key: Key = (str(values[0]), str(values[1]), str(values[2]))
        counts[key] = counts.get(key, 0) + count
    return counts


def _detect_secrets_known(doc: Mapping[str, Any], path: Path) -> frozenset[tuple[str, str]]:
    known = set()
    for filename, entries in doc["results"].items():
        if not isinstance(entries, list):
            raise BaselineError(f"{path}: results of a file must be a list")
        for entry in entries:
            hashed = entry.get("hashed_secret") if isinstance(entry, dict) else None
            if isinstance(hashed, str):
                known.add((str(filename), hashed.lower()))
    return frozenset(known)


# --- keys ----------------------------------------------------------------------------------


class _Keys:
    """Computes findings' keys, reading each file's text at most once."""

    def __init__(self, directory: Path, cwd: Path, lines: LineSource) -> None:
        self.directory = directory
        self.cwd = Path(os.path.realpath(cwd))
        self.lines = lines
        self._files: dict[str, SourceFile | None] = {}

    def rel(self, display: str) -> str:
        absolute = os.path.normpath(os.path.join(self.cwd, display))
        return os.path.relpath(absolute, self.directory).replace(os.sep, "/")

    def key(self, finding: Finding) -> Key:
        rel = self.rel(finding.path)
        if finding.secret is not None:
            return (rel, finding.rule, finding.secret.fingerprint)
        data = "\0".join((finding.rule, rel, self._line(finding)))
        return (rel, finding.rule, digest(data.encode("utf-8", "surrogatepass")))

    def _line(self, finding: Finding) -> str:
        if finding.path not in self._files:
            text = self.lines(finding.path)
            self._files[finding.path] = (
                SourceFile.from_text(finding.path, text) if text is not None else None
            )
        file = self._files[finding.path]
        if file is None or finding.span.line > len(file.line_starts):
            return finding.message  # the text is gone: the message still names the problem
        return file.line_text(finding.span.line).strip()


# --- filtering -----------------------------------------------------------------------------


def apply(
    findings: Sequence[Finding], baseline: Baseline, cwd: Path, lines: LineSource
) -> tuple[list[Finding], int]:
    """``(findings not in the baseline, number hidden)``; order is kept."""
    keys = _Keys(baseline.directory, cwd, lines)
    kept: list[Finding] = []
    hidden = 0
    if baseline.kind == "detect-secrets":
        for f in findings:
            sha1 = f.secret.sha1 if f.secret is not None else ""
            if sha1 and (keys.rel(f.path), sha1) in baseline.known_sha1:
                hidden += 1
            else:
                kept.append(f)
        return kept, hidden
    remaining = Counter(baseline.counts)
    for f in sorted(findings, key=lambda f: f.sort_key):
        key = keys.key(f)
        if remaining[key] > 0:
            remaining[key] -= 1
            hidden += 1
        else:
            kept.append(f)
    order = {id(f): i for i, f in enumerate(findings)}
    kept.sort(key=lambda f: order[id(f)])
    return kept, hidden


# --- writing -------------------------------------------------------------------------------


def render(counts: Mapping[Key, int]) -> bytes:
    """Stable bytes: sorted entries, one per line, no timestamps."""
    items = sorted((k, n) for k, n in counts.items() if n > 0)
    lines = ["{", f'  "{FORMAT_KEY}": {FORMAT_VERSION},', '  "findings": [']
    for i, ((path, rule, fingerprint), count) in enumerate(items):
        entry = json.dumps(
            {"path": path, "rule": rule, "fingerprint": fingerprint, "count": count},
            ensure_ascii=False,
        )
        lines.append(f"    {entry}{',' if i < len(items) - 1 else ''}")
    lines += ["  ]", "}", ""]
    return "\n".join(lines).encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Update:
    """What :func:`update` did: how many findings the baseline records, whether it was rewritten."""

    path: Path
    entries: int  # findings recorded (counts summed)
    changed: bool  # the file was (re)written


def update(
    path: Path,
    findings: Iterable[Finding],
    cwd: Path,
    lines: LineSource,
    checked: Iterable[str] | None = None,
) -> Update:
    """Record ``findings`` in ``path``. With ``checked`` (display paths this run read),
    entries of other files that still exist are kept: `keylint --update-baseline src/` does
    not forget the rest of the repository. Without it, the file is replaced.
    """
    previous = load(path) if path.exists() else None
    if previous is not None and previous.kind != "keylint":
        raise BaselineError(
            f"{path} is a detect-secrets baseline: keylint reads it but will not rewrite it; "
            "write keylint's baseline to another file"
        )
    directory = Path(os.path.realpath(path.parent if str(path.parent) else "."))
    keys = _Keys(directory, cwd, lines)
    counts: Counter[Key] = Counter(keys.key(f) for f in findings)
    if previous is not None and checked is not None:
        read = {keys.rel(d) for d in checked}
        for key, n in previous.counts.items():
            if key[0] not in read and key not in counts and (directory / key[0]).exists():
                counts[key] = n
    data = render(counts)
    try:
        if path.exists() and path.read_bytes() == data:
            return Update(path, sum(counts.values()), changed=False)
        from keylint.fileio import atomic_write

        atomic_write(path, data)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return Update(path, sum(counts.values()), changed=True)
