"""Whole-file fixes named by ``Fix.transform``. Each is a libcst rewrite of a Python file,
imported only when a fix asks for it (libcst is slow to import and most runs fix nothing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keylint.findings import Finding
from keylint.providers import ProviderDB


@dataclass
class TransformContext:
    """What a whole-file transform needs besides the file: the working directory, the provider
    data (loaded on first use) and the git root."""

    cwd: Path
    db: ProviderDB | None = None
    git_root: Path | None = None  # a project's `.env` is looked for up to here (or cwd)

    @property
    def provider_db(self) -> ProviderDB:
        if self.db is None:
            from keylint.providers import load

            self.db = load()
        return self.db


@dataclass
class SideEdit:
    """A change to another file: ``update(current text or None)`` → new text (None: leave)."""

    path: str
    update: Callable[[str | None], str | None]
    # Set by the planner: the file whose transform needs this edit, and its findings. The
    # transform is dropped when this edit cannot be made, and that file is written only
    # after this one (a key never leaves the code without arriving in .env).
    origin: str = ""
    owners: tuple[Finding, ...] = ()


@dataclass
class Outcome:
    """What a whole-file transform gave: the new text (None: nothing done) or why not, the edits
    it needs in other files, and messages for the user."""

    text: str | None  # the new text (None: nothing done)
    error: str | None = None
    side_edits: list[SideEdit] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def run_transform(
    name: str, path: str, text: str, findings: Sequence[Finding], context: TransformContext
) -> Outcome:
    if name == "openai-v1":
        from keylint.fix.openai_v1 import migrate

        return migrate(path, text, findings, context)
    if name == "move-key":
        from keylint.fix.movekey import move_keys

        return move_keys(path, text, findings, context)
    return Outcome(None, f"unknown fix `{name}`")


def project_dotenv(context: TransformContext, path: str) -> Path:
    """The ``.env`` that configures the file at ``path``: the nearest one in its directory
    or above it, up to the working directory (or the git root above it); else a new one in
    the working directory."""
    start = (context.cwd / path).resolve().parent
    stops = {context.cwd.resolve()}
    if context.git_root is not None:
        stops.add(context.git_root.resolve())
    directory = start
    while True:
        candidate = directory / ".env"
        if candidate.exists() or candidate.is_symlink():
            return candidate
        if directory in stops or directory.parent == directory:
            break
        directory = directory.parent
    return context.cwd / ".env"
