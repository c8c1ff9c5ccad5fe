"""Every provider key of a run, in every file the run reads — git-ignored dotenv files too.

KL101 is silent about a key in a dotenv file that git ignores (correct practice), but "is my
key still valid?" and "where is this key used?" need those keys as well. This is KL101's own
check run through the same engine and sources (tree, index, history), without that
exception and with the prefix-less formats named next to their key (Azure, Mistral,
Cohere); each finding says whether git ignores its file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from keylint.checks.base import FileContext
from keylint.checks.keys import contextual_format, is_placeholder
from keylint.checks.kl101_provider_key import ProviderKey
from keylint.config import Settings
from keylint.facts import Value
from keylint.findings import Confidence, Finding, Secret


class KeyInventory(ProviderKey):
    """KL101 without the git-ignored exception; not a registered rule (lives outside checks/)."""

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        db = ctx.db
        text = ctx.file.text
        ignored = ("git_ignored", "true" if ctx.file.git_ignored else "false")
        # The label rides in `extra`: --history appends to the message.
        seen: set[tuple[int, int]] = set()
        for start, end, fmt in db.find_keys(text):
            raw = text[start:end]
            if is_placeholder(raw, db):
                continue
            span = ctx.file.span(start, end)
            seen.add((span.line, span.column))
            yield replace(
                self.finding(
                    ctx,
                    span,
                    fmt.label,
                    provider=fmt.provider,
                    secret=Secret.of(raw, fmt.prefix),
                ),
                extra=(ignored, ("label", fmt.label)),
            )
        for value in ctx.of(Value):
            if value.dynamic or (value.span.line, value.span.column) in seen:
                continue
            named = contextual_format(value, db)
            if named is None or value.raw != value.value or is_placeholder(value.value, db):
                continue
            yield replace(
                self.finding(
                    ctx,
                    value.span,
                    named.label,
                    provider=named.provider,
                    secret=Secret.of(value.value, named.prefix),
                ),
                extra=(ignored, ("label", named.label)),
            )


def inventory_settings(settings: Settings) -> Settings:
    """Every key is listed, whatever the confidence of a finding about it would be."""
    return settings.merged(min_confidence=Confidence.LOW)


def extra(finding: Finding, key: str) -> str | None:
    for k, v in finding.extra:
        if k == key:
            return v
    return None


def blob_reader(cwd: Path) -> Callable[[str, str], str | None]:
    """(commit, display path) → the file's text at that commit (``--history`` findings)."""
    from keylint.engine import decode

    cache: dict[tuple[str, str], str | None] = {}

    def read(commit: str, path: str) -> str | None:
        key = (commit, path)
        if key not in cache:
            try:
                done = subprocess.run(
                    ["git", "-C", str(cwd), "show", f"{commit}:{_rev_path(path)}"],
                    capture_output=True,
                    check=False,
                    timeout=60,
                )
            except (OSError, subprocess.SubprocessError):
                cache[key] = None
            else:
                cache[key] = decode(done.stdout)[0] if done.returncode == 0 else None
        return cache[key]

    return read


def _rev_path(path: str) -> str:
    """``commit:./path`` is relative to the working directory (git's <rev>:<path> rule)."""
    return path if path.startswith(("./", "../")) else f"./{path}"
