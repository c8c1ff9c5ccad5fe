"""Errors that end a run with a message (exit status 2), importable without the modules
that raise them: the CLI catches them without paying for git or baseline code on every run."""

from __future__ import annotations


class GitError(Exception):
    """git is missing, this is not a repository, or a git command failed (message only)."""


class BaselineError(Exception):
    """The baseline cannot be read or written (message names the file, never its contents)."""
