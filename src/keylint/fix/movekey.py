"""Move a hardcoded key out of Python code (the unsafe fix of KL101), with libcst.

The string literal that is exactly the key becomes ``os.environ["<NAME>"]`` — NAME is the
first ``key_env`` of the provider in rules/providers (the name its SDK reads) — and ``import
os`` is added when missing. The key is appended, byte for byte, to the project's ``.env``
(created 0600 if missing; its content kept), and ``.env`` is added to ``.gitignore`` unless
a pattern there already ignores it. The user is told, redacted, that the key was in the code
and must be rotated: moving it does not take it out of git history.

Nothing is moved when the key is not the whole of a plain string literal (f-strings, a key
inside a URL, a comment), or when ``.env`` already sets NAME to another value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from keylint.checks.keys import is_placeholder
from keylint.findings import Finding
from keylint.fix.transforms import Outcome, SideEdit, TransformContext, project_dotenv

_UNQUOTED = re.compile(r"[A-Za-z0-9_\-.+/=:~]+")
_DEFINES = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")


def move_keys(
    path: str, text: str, findings: Sequence[Finding], context: TransformContext
) -> Outcome:
    import libcst as cst

    db = context.provider_db
    wanted = {f.secret.fingerprint: f for f in findings if f.secret is not None}
    raw_by_print: dict[str, str] = {}
    from keylint.findings import fingerprint

    for start, end, _fmt in db.find_keys(text):
        raw = text[start:end]
        if fingerprint(raw) in wanted:
            raw_by_print[fingerprint(raw)] = raw
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return Outcome(None, "move-key fix skipped: libcst cannot parse the file")
    dotenv = project_dotenv(context, path)
    root = dotenv.parent
    existing = _dotenv_values(dotenv)
    moves: dict[str, str] = {}  # raw key → env name
    errors: list[str] = []
    for fp, finding in wanted.items():
        found = raw_by_print.get(fp)
        provider = db.by_id.get(finding.provider or "")
        if found is None or provider is None or not provider.key_env:
            continue
        raw = found
        name = provider.key_env[0]
        shown = finding.secret.redacted if finding.secret else "…"
        held = existing.get(name)
        if held is not None and not is_placeholder(held, db):
            held = held if held == raw else None
            if held is None:
                errors.append(f"key {shown} not moved: {name} already holds another value")
                continue
        if name in moves.values():
            errors.append(f"key {shown} not moved: {name} is already moved for another key")
            continue
        if "'" in raw or "\n" in raw:
            continue
        moves[raw] = name
    if not moves:
        return Outcome(None, "; ".join(errors) or None)
    mover = _make_mover()(moves)
    new = module.visit(mover)
    if not mover.moved:
        return Outcome(
            None,
            "move-key fix skipped: the key is not a whole string literal; move it by hand",
        )
    if not _imports_os(new):
        new = _add_import_os(new)
    env_display = os.path.relpath(dotenv, context.cwd).replace(os.sep, "/")
    moved = {raw: name for raw, name in moves.items() if raw in mover.moved}
    side = [SideEdit(env_display, lambda current: _append_env(current, moved))]
    ignore = root / ".gitignore"
    if not _ignores_env(ignore, root):
        ignore_display = os.path.relpath(ignore, context.cwd).replace(os.sep, "/")
        side.append(SideEdit(ignore_display, _append_ignore))
    messages = []
    for fp, finding in wanted.items():
        key = raw_by_print.get(fp)
        if key is not None and key in moved and finding.secret is not None:
            messages.append(
                f"{path}:{finding.span.line}: moved the key {finding.secret.redacted} to "
                f"{env_display} as {moved[key]}; it was in the code (and is in its git "
                "history): rotate it"
            )
    return Outcome(new.code, "; ".join(errors) or None, side, messages)


def _dotenv_values(path: Path) -> dict[str, str]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for line in text.splitlines():
        m = _DEFINES.match(line)
        if m:
            value = m.group(2)
            if value[:1] not in ("'", '"'):
                value = re.sub(r"\s+#.*$", "", value)  # an inline comment
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            out[m.group(1)] = value
    return out


def _append_env(current: str | None, moved: dict[str, str]) -> str | None:
    """The key set in ``.env``: appended, or in place of a placeholder (``your-key-here``)
    on the line that defines the name; other lines are kept byte for byte."""
    text = current or ""
    lines = []
    for raw, name in moved.items():
        value = raw if _UNQUOTED.fullmatch(raw) else f"'{raw}'"
        line = re.compile(
            r"^([ \t]*(?:export[ \t]+)?" + re.escape(name) + r"[ \t]*=[ \t]*)(.*?)([ \t]+#.*)?$",
            re.MULTILINE,
        )
        matches = list(line.finditer(text))
        found = matches[-1] if matches else None  # the last definition is the one kept
        if found is not None:
            if found.group(2).strip("'\"") != raw:
                text = text[: found.start(2)] + value + text[found.end(2) :]
            continue
        lines.append(f"{name}={value}\n")
    if not lines:
        return text if text != (current or "") else current
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(lines)


def _append_ignore(current: str | None) -> str:
    text = current or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + ".env\n"


def _ignores_env(gitignore: Path, root: Path) -> bool:
    """Does the project's ``.gitignore`` (or git itself) ignore ``.env`` already?"""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "check-ignore", "-q", ".env"],
            cwd=root,
            capture_output=True,
            timeout=10,
            check=False,
        )
        if done.returncode in (0, 1):
            return done.returncode == 0
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        lines = gitignore.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    import pathspec

    return pathspec.PathSpec.from_lines("gitwildmatch", lines).match_file(".env")


def _imports_os(module: Any) -> bool:
    import libcst as cst

    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import) and any(
                    isinstance(a.name, cst.Name) and a.name.value == "os" and a.asname is None
                    for a in small.names
                ):
                    return True
    return False


def _add_import_os(module: Any) -> Any:
    """``import os`` after the docstring and ``from __future__`` imports."""
    import libcst as cst

    body = list(module.body)
    at = 0
    for i, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            break
        small = stmt.body[0]
        is_doc = (
            i == 0
            and isinstance(small, cst.Expr)
            and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
        )
        is_future = isinstance(small, cst.ImportFrom) and (
            isinstance(small.module, cst.Name) and small.module.value == "__future__"
        )
        if not (is_doc or is_future):
            break
        at = i + 1
    body.insert(at, cst.parse_statement("import os\n"))
    return module.with_changes(body=body)


def _make_mover() -> type:
    import libcst as cst

    class Mover(cst.CSTTransformer):
        def __init__(self, moves: dict[str, str]) -> None:
            super().__init__()
            self.moves = moves
            self.moved: set[str] = set()

        def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> Any:
            if "b" in original.prefix.lower():
                return updated
            try:
                value = original.evaluated_value
            except Exception:  # an escape libcst cannot evaluate: leave it
                return updated
            if not isinstance(value, str) or value not in self.moves:
                return updated
            name = self.moves[value]
            self.moved.add(value)
            return cst.parse_expression(f'os.environ["{name}"]')

    return Mover
