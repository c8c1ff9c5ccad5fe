"""The command line (click): options, config, exit codes, choice of reporter.

``keylint [PATHS]...`` is ``keylint check [PATHS]...``; ``keylint rules`` lists the rules and
``keylint rule CODE`` prints one rule's documentation. Exit status: 0 nothing at or above
``--fail-on``, 1 findings, 2 usage, config or internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from keylint import __version__
from keylint.config import ConfigError, Settings
from keylint.config import load as load_config
from keylint.findings import Severity

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class KeylintError(click.ClickException):
    """A usage, config or input error: message on stderr, exit status 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"keylint: error: {self.format_message()}", err=True)


class DefaultGroup(click.Group):
    """A group whose default command is ``check``: ``keylint .`` == ``keylint check .``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _color_enabled(choice: str, stream: Any) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _csv(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keylint")
def cli() -> None:
    """keylint: find leaked, broken and misconfigured API keys before they cost you hours.

    `keylint [PATHS]...` checks files (same as `keylint check`). To check a directory
    named like a command, write `keylint check rules` or `keylint ./rules`.
    """


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: no traceback ever reaches the user (KEYLINT_DEBUG=1 shows one)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="keylint")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("keylint: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("KEYLINT_DEBUG"):
            raise
        # The exception's text is not shown: it could quote file contents.
        click.echo(
            f"keylint: internal error ({type(exc).__name__}); "
            "run with KEYLINT_DEBUG=1 for details and please report it",
            err=True,
        )
        sys.exit(EXIT_ERROR)


def _use_hmac_key(key: str | None, env_name: str | None) -> None:
    """Put the fingerprint key where findings.digest (and every worker) reads it: the
    option first, then the variable the config names, else KEYLINT_HMAC_KEY as set."""
    from keylint.findings import HMAC_KEY_ENV

    if key is None and env_name:
        key = os.environ.get(env_name)
        if not key:
            raise KeylintError(
                f"hmac-key-env names {env_name}, which is not set: fingerprints would not be keyed"
            )
    if key is not None:
        if not key.strip():
            raise KeylintError("--hmac-key must not be empty")
        os.environ[HMAC_KEY_ENV] = key


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "--output-format",
    "output_format",
    default=None,
    type=click.Choice(["text", "json", "sarif", "github"]),
    help="Output format (default: text; github when GITHUB_ACTIONS=true).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--select", multiple=True, help="Rule codes, prefixes, names or categories to enable."
)
@click.option("--extend-select", multiple=True, help="Enable these in addition to the selection.")
@click.option(
    "--ignore", multiple=True, help="Rule codes, prefixes, names or categories to disable."
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Lowest severity that makes the exit status 1 (default: warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Use this config file (pyproject.toml or .keylint.toml).",
)
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply excludes to paths given explicitly too (for pre-commit).",
)
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no notes.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    help="Colour the text output (honours NO_COLOR and FORCE_COLOR).",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    help="Skip files larger than this many bytes.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to use (default: one per core).",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Check what the next commit holds (the git index), not the working tree.",
)
@click.option(
    "--history",
    "history",
    is_flag=False,
    flag_value="HEAD",
    default=None,
    metavar="[RANGE]",
    help="Check every blob the commits of RANGE added (default: HEAD; e.g. main..feature, "
    "or `all` for every ref): keys gone from HEAD but still in history. To limit it to "
    "paths: `keylint --history HEAD src/`.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="Report only findings not in this baseline (keylint's or a detect-secrets one).",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Apply safe fixes (findings marked [*]) to the files, atomically; report the rest.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix, also apply fixes that may change behaviour.",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Write the current findings to the --baseline file instead of reporting them.",
)
@click.option(
    "--hmac-key",
    metavar="KEY",
    help="Key secret fingerprints (JSON, SARIF, baseline) with HMAC-SHA-256 so a shared "
    "report cannot be brute-forced back to a short password. Prefer the KEYLINT_HMAC_KEY "
    "variable or the `hmac-key-env` setting: a command line is visible to other users.",
)
def check(
    paths: tuple[str, ...],
    output_format: str | None,
    output_file: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    config_path: str | None,
    isolated: bool,
    force_exclude: bool,
    statistics: bool,
    quiet: bool,
    color: str,
    max_file_size: int | None,
    jobs: int | None,
    staged: bool,
    history: str | None,
    baseline: str | None,
    fix: bool,
    unsafe_fixes: bool,
    update_baseline: bool,
    hmac_key: str | None,
) -> None:
    """Check files and directories (default: the current directory)."""
    if staged and history is not None:
        raise KeylintError("--staged and --history cannot be combined")
    if update_baseline and not baseline:
        raise KeylintError("--update-baseline needs --baseline FILE")
    if fix and (staged or history is not None):
        raise KeylintError("--fix rewrites working-tree files: not with --staged or --history")
    cwd = Path.cwd()
    settings = _settings(
        cwd, config_path, isolated, select, extend_select, ignore, fail_on, max_file_size
    )
    _use_hmac_key(hmac_key, settings.hmac_key_env)
    # In GitHub Actions, annotations by default (as yamllint) — but not into a file or for
    # --statistics, where the user asked for something else than the log.
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    fmt = output_format or (
        "github" if in_actions and not output_file and not statistics else "text"
    )
    from keylint.errors import BaselineError, GitError
    from keylint.run import RunOptions, execute

    git_mode = staged or history is not None
    options = RunOptions(
        # --staged and --history without paths: the whole commit / repository, not the cwd.
        paths=tuple(paths) or (() if git_mode else (".",)),
        cwd=cwd,
        settings=settings,
        force_exclude=force_exclude,
        jobs=jobs,
        quiet=quiet,
        staged=staged,
        history=history,
        baseline=Path(baseline) if baseline else None,
        update_baseline=update_baseline,
    )
    try:
        outcome = execute(options)
    except (ConfigError, BaselineError) as exc:
        raise KeylintError(str(exc)) from None
    except GitError as exc:
        raise KeylintError(f"git: {exc}") from None
    if outcome.baseline_update is not None:
        _report_baseline_update(outcome, quiet)
        sys.exit(EXIT_ERROR if outcome.fatal else EXIT_OK)
    if fix:
        _apply_fixes(outcome, cwd, unsafe_fixes)
    _emit(outcome, fmt, output_file, statistics, quiet, color)
    failing = outcome.failing(settings.fail_on)
    if outcome.fatal:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if exit_zero or not failing else EXIT_FINDINGS)


def _apply_fixes(outcome: Any, cwd: Path, unsafe: bool) -> None:
    from keylint.fix import apply_fixes

    result = apply_fixes(outcome.findings, cwd, unsafe=unsafe)
    outcome.findings = result.remaining
    outcome.fixed = len(result.fixed)
    outcome.errors.extend(result.errors)


def _report_baseline_update(outcome: Any, quiet: bool) -> None:
    for path, message in outcome.errors:
        click.echo(f"keylint: {path}: {message}", err=True)
    if quiet:
        return
    update = outcome.baseline_update
    state = "written" if update.changed else "unchanged"
    click.echo(f"keylint: baseline {update.path}: {update.entries} finding(s), {state}", err=True)


def _settings(
    cwd: Path,
    config_path: str | None,
    isolated: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    max_file_size: int | None,
) -> Settings:
    try:
        settings = load_config(cwd, Path(config_path) if config_path else None, isolated)
    except ConfigError as exc:
        raise KeylintError(str(exc)) from None
    merged = settings.merged(
        select=_csv(select) or None,
        extend_select=(*settings.extend_select, *_csv(extend_select)) or None,
        ignore=(*settings.ignore, *_csv(ignore)) or None,
        fail_on=Severity(fail_on) if fail_on else None,
        max_file_size=max_file_size,
    )
    _check_selectors(merged)
    return merged


def _check_selectors(settings: Settings) -> None:
    from keylint.checks import all_rules
    from keylint.config import selector_matches

    selectors = (*settings.select, *settings.extend_select, *settings.ignore)
    if all(s.upper() == "ALL" for s in selectors):
        return  # nothing to check: don't import every rule module for it
    rules = all_rules()
    for selector in (*settings.select, *settings.extend_select, *settings.ignore):
        if not any(selector_matches(selector, r.code, r.name, r.category.value) for r in rules):
            raise KeylintError(f"unknown rule selector '{selector}' (see `keylint rules`)")


def _emit(
    outcome: Any,
    fmt: str,
    output_file: str | None,
    statistics: bool,
    quiet: bool,
    color_choice: str,
) -> None:
    from keylint.report import text as text_report

    report = outcome.report()
    for path, message in outcome.errors:
        click.echo(f"keylint: {path}: {message}", err=True)
    if not quiet:
        _echo_notes(outcome.notes)
    stream = sys.stdout
    if statistics and fmt == "text":
        body = text_report.statistics(report)
        if not quiet:
            body += text_report.summary(report) + "\n"
        color = False
    else:
        color = fmt == "text" and output_file is None and _color_enabled(color_choice, stream)
        body = outcome.render(fmt, color=color, quiet=quiet)
    if output_file:
        _write_output(Path(output_file), body)
    else:
        click.echo(body, nl=False, color=color)


def _echo_notes(notes: Sequence[tuple[str, str]]) -> None:
    """One line per skipped file, except that many binary files make one line, not 160."""
    binary = [path for path, message in notes if message == "binary file skipped"]
    for path, message in notes:
        if message != "binary file skipped" or len(binary) <= 5:
            click.echo(f"keylint: note: {path}: {message}", err=True)
    if len(binary) > 5:
        shown = ", ".join(binary[:3])
        click.echo(f"keylint: note: {len(binary)} binary files skipped ({shown}, …)", err=True)


def _write_output(path: Path, body: str) -> None:
    from keylint.fileio import atomic_write

    try:
        atomic_write(path, body.encode("utf-8"))
    except OSError as exc:
        raise KeylintError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.command(name="rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def list_rules(output_format: str) -> None:
    """List every rule: code, name, category, severity."""
    import json

    from keylint.checks import all_rules

    rules = all_rules()
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "category": r.category.value,
                        "severity": r.severity.value,
                        "summary": r.summary,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return
    for r in rules:
        click.echo(
            f"{r.code}  {r.name:<28} {r.category.value:<18} {r.severity.value:<8} {r.summary}"
        )


@cli.command(name="rule")
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's documentation (by code or name), like `ruff rule`."""
    from keylint.checks import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        raise KeylintError(f"no rule '{code}' (see `keylint rules`)")
    click.echo(f"# {rule.name} ({rule.code})\n")
    click.echo(f"Category: `{rule.category.value}` · default severity: `{rule.severity.value}`\n")
    click.echo(rule.docs())


def die(message: str) -> NoReturn:
    raise KeylintError(message)
