"""GitHub Actions workflow commands: one annotation per finding, a plain summary line last.

``::error file=app.py,line=3,endLine=3,col=9,endColumn=20,title=keylint (KL101)::message``,
with ``notice`` for info findings. ``col``/``endColumn`` are given only when the finding starts
and ends on one line (GitHub mis-draws multi-line column ranges; ruff issue #22074). Columns
are keylint's code-point columns. Paths are relative to the repository root (the git top
level of the working directory), which is what GitHub resolves annotation paths against, so
annotations land on the right file when keylint runs in a subdirectory.

Escaping follows ``@actions/core``: in the message ``%``, CR and LF become ``%25``, ``%0D``,
``%0A``; property values also escape ``:`` and ``,`` (``%3A``, ``%2C``). Without it a path or
message could end the command early or inject another one.

Limits: GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50
per job); the rest are dropped silently. The findings are all still printed to the log, and
when there are more than 10 a closing hint points to ``--format sarif`` with code scanning,
which has no such limit.
"""

from __future__ import annotations

from pathlib import Path

from keylint.findings import Finding, Severity
from keylint.report import Report, printable
from keylint.report.sarif import repo_relative, repo_root
from keylint.report.text import summary

ANNOTATION_LIMIT = 10  # per level and step
_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """A command's message, escaped as ``@actions/core`` ``escapeData`` does."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value, escaped as ``@actions/core`` ``escapeProperty`` does."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str | int], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return (
        f"::{name} {props}::{escape_data(message)}"
        if props
        else f"::{name}::{escape_data(message)}"
    )


def annotation(f: Finding, file: str) -> str:
    span = f.span
    properties: dict[str, str | int] = {
        "file": file,
        "line": span.line,
        "endLine": max(span.end_line, span.line),
    }
    if span.end_line == span.line:
        properties["col"] = span.column
        properties["endColumn"] = max(span.end_column, span.column)
    properties["title"] = f"keylint ({f.rule})"
    # The log shows the message where the command was: keep the position and code in it.
    message = f"{f.path}:{span.line}:{span.column}: {f.rule} {f.message}"
    return command(_COMMANDS[f.severity], properties, message)


def render(report: Report, *, cwd: Path | None = None, show_summary: bool = True) -> str:
    """The annotations; with ``show_summary`` false (``--quiet``) nothing else."""
    cwd = cwd or Path.cwd()
    root = repo_root(cwd)
    lines = [annotation(f, repo_relative(f.path, cwd, root) or f.path) for f in report.findings]
    for path, message in report.errors:
        file = repo_relative(path, cwd, root) or path
        lines.append(
            command(
                "warning",
                {"file": file, "title": "keylint: file not checked"},
                f"{path}: {message}",
            )
        )
    if not show_summary:
        return printable("".join(line + "\n" for line in lines))
    lines.append(summary(report))
    if len(report.findings) > ANNOTATION_LIMIT:
        lines.append(
            f"GitHub shows at most {ANNOTATION_LIMIT} annotations of each level per step; to "
            f"see all {len(report.findings)} findings in the pull request, run "
            "`keylint --format sarif -o keylint.sarif` and upload it with "
            "github/codeql-action/upload-sarif."
        )
    return printable("\n".join(lines) + "\n")  # a file name that is not UTF-8: \xNN
