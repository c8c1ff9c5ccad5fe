"""The command line (click): options, config, exit codes, choice of reporter.

``keylint [PATHS]...`` is ``keylint check [PATHS]...``; ``keylint rules`` lists the rules and
``keylint rule CODE`` prints one rule's documentation. Exit status: 0 nothing at or above
``--fail-on``, 1 findings, 2 usage, config or internal error.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from keylint import __version__
from keylint.config import ConfigError, Settings
from keylint.config import load as load_config
from keylint.findings import Confidence, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class KeylintError(click.ClickException):
    """A usage, config or input error: message on stderr, exit status 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        from keylint.redaction import scrub  # an echoed path, selector or range may be a key

        click.echo(f"keylint: error: {scrub(self.format_message())}", err=True)


class DefaultGroup(click.Group):
    """A group whose default command is ``check``: ``keylint .`` == ``keylint check .``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # click echoes a bad option value: it may be a key
            from keylint.redaction import scrub

            raise click.UsageError(scrub(exc.format_message()), ctx=exc.ctx) from None


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


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the package version and the date the provider data was reviewed."""
    if not value or ctx.resilient_parsing:
        return
    from keylint.freshness import version_line
    from keylint.providers import load as load_db

    click.echo(version_line(__version__, load_db()))
    ctx.exit()


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and the date of the provider data, and exit.",
)
def cli() -> None:
    """keylint: find leaked, broken and misconfigured API keys before they cost you hours.

    `keylint [PATHS]...` checks files (same as `keylint check`). To check a directory
    named like a command, write `keylint check rules` or `keylint ./rules`.
    """


def _interrupted() -> NoReturn:
    """Ctrl-C: clear the progress line, say so once, exit 130 (128 + SIGINT) as shells do.
    (click's own handling would print "Aborted!" and exit 1.)"""
    from keylint.progress import clear_active

    clear_active()
    click.echo("keylint: interrupted", err=True)
    sys.exit(130)


def _exit_now(code: object) -> NoReturn:
    """Exit without the interpreter's teardown, as mypy does: freeing a big run's objects
    one by one took 0.3 s of a 3.6 s run on a 2 MB .env. Everything keylint writes is
    complete by now (reports, ``-o`` files and caches are written and closed, the pool is
    shut down unless a second Ctrl-C cut that short); only the standard streams are
    flushed, and any pool worker left is stopped."""
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on stderr, status 1, as Python does
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`keylint . | head`) or stream: nothing more to say to it
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    _stop_workers()
    os._exit(status)


def _stop_workers() -> None:
    """Pool workers still alive (a second Ctrl-C while the pool waited for its running
    batches): killed, or they would wait on their queue forever, holding this command's
    output pipes open. The interpreter's teardown would have stopped them; os._exit does
    not."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:  # no pool was ever started
        return
    for worker in multiprocessing.active_children():
        with contextlib.suppress(OSError):
            worker.kill()


def entry() -> NoReturn:
    """The ``keylint`` command and ``python -m keylint``: :func:`main`, then a hard exit
    (:func:`main` itself returns or raises ``SystemExit``, for callers in a process that
    goes on)."""
    try:
        main()
    except SystemExit as done:
        _exit_now(done.code)
    _exit_now(EXIT_OK)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: no traceback ever reaches the user (KEYLINT_DEBUG=1 shows one)."""
    from keylint import scheduler

    scheduler.TUNE_GC = True  # this process is only keylint: see scheduler._tune_gc
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="keylint")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _interrupted()
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


def _verify_options(func: Any) -> Any:
    """The --verify options, shared by `check` and `keys`."""
    options = [
        click.option(
            "--verify",
            is_flag=True,
            help="Ask each key's provider (HTTPS, read-only request) whether the key works.",
        ),
        click.option(
            "--verify-dry-run",
            is_flag=True,
            help="Print what --verify would send (method, URL, header names, key redacted); "
            "send nothing.",
        ),
        click.option(
            "--verify-concurrency",
            type=click.IntRange(min=1, max=32),
            default=4,
            show_default=True,
            help="Requests in flight at once.",
        ),
        click.option(
            "--verify-timeout",
            type=click.FloatRange(min=0.1, max=120),
            default=10.0,
            show_default=True,
            help="Seconds to wait for each answer.",
        ),
        click.option(
            "--no-verify-cache", is_flag=True, help="Ask again even if a recent answer is cached."
        ),
        click.option(
            "--verify-cache-ttl",
            type=click.FloatRange(min=0),
            default=86400.0,
            show_default=True,
            help="Seconds a cached answer stays valid.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _verify_settings(params: dict[str, Any], quiet: bool) -> Any:
    from keylint.run import progress_wanted
    from keylint.verify import VerifyOptions

    return VerifyOptions(
        dry_run=params["verify_dry_run"],
        concurrency=params["verify_concurrency"],
        timeout=params["verify_timeout"],
        use_cache=not params["no_verify_cache"],
        cache_ttl=params["verify_cache_ttl"],
        progress=not quiet and progress_wanted(),
        echo=lambda line: click.echo(line, err=True),
    )


def _verify_only(values: tuple[str, ...]) -> tuple[str, ...]:
    only = _csv(values)
    if not only:
        return only  # no import of the verify package on a run that does not verify
    from keylint.verify import RESULTS

    for value in only:
        if value not in RESULTS:
            raise KeylintError(
                f"--verify-only: unknown result '{value}' (one of {', '.join(RESULTS)})"
            )
    return only


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "--output-format",
    "output_format",
    default=None,
    type=click.Choice(["text", "concise", "json", "sarif", "github"]),
    help="Output format (default: text, with each finding's source line; concise: one line "
    "per finding; github when GITHUB_ACTIONS=true).",
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
@click.option(
    "--min-confidence",
    type=click.Choice(["low", "medium", "high"]),
    default=None,
    help="Show and count only findings at or above this confidence (default: medium).",
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
    "--exclude",
    "exclude",
    multiple=True,
    help="Gitignore-style patterns to skip, replacing the configured `exclude` "
    "(relative to the working directory; comma-separated or repeated).",
)
@click.option(
    "--extend-exclude",
    "extend_exclude",
    multiple=True,
    help="Patterns to skip in addition to the configured `exclude`.",
)
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
    "--no-cache",
    is_flag=True,
    help="--history: read every blob again, and write no cache of the blobs found clean.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    envvar="KEYLINT_CACHE_DIR",
    show_envvar=True,
    help="Where --history keeps its cache of blobs found clean (default: keylint/ in the "
    "repository's git directory; config: cache-dir).",
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
    help="With --fix or --diff, also apply fixes that may change behaviour.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff (keys redacted) instead of writing them; exit 1 "
    "when there is something to fix.",
)
@click.option(
    "--show-fixes",
    is_flag=True,
    help="List the fixes applied (with --fix) or available, per file.",
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
@_verify_options
@click.option(
    "--verify-only",
    multiple=True,
    metavar="RESULTS",
    help="Show only findings whose key got one of these results (live,invalid,…); "
    "implies --verify.",
)
def check(
    paths: tuple[str, ...],
    output_format: str | None,
    output_file: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    min_confidence: str | None,
    exit_zero: bool,
    config_path: str | None,
    isolated: bool,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    statistics: bool,
    quiet: bool,
    color: str,
    max_file_size: int | None,
    jobs: int | None,
    staged: bool,
    history: str | None,
    no_cache: bool,
    cache_dir: str | None,
    baseline: str | None,
    fix: bool,
    unsafe_fixes: bool,
    update_baseline: bool,
    hmac_key: str | None,
    diff: bool,
    show_fixes: bool,
    **verify_params: Any,
) -> None:
    """Check files and directories (default: the current directory)."""
    if staged and history is not None:
        raise KeylintError("--staged and --history cannot be combined")
    if update_baseline and not baseline:
        raise KeylintError("--update-baseline needs --baseline FILE")
    if (fix or diff) and (staged or history is not None):
        flag = "--fix" if fix else "--diff"
        raise KeylintError(f"{flag} rewrites working-tree files: not with --staged or --history")
    cwd = Path.cwd()
    settings = _settings(
        cwd, config_path, isolated, select, extend_select, ignore, fail_on, max_file_size
    )
    _use_hmac_key(hmac_key, settings.hmac_key_env)
    if min_confidence:
        settings = settings.merged(min_confidence=Confidence(min_confidence))
    # In GitHub Actions, annotations by default (as yamllint) — but not into a file or for
    # --statistics, where the user asked for something else than the log.
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    fmt = output_format or (
        "github" if in_actions and not output_file and not statistics else "text"
    )
    from keylint.errors import BaselineError, GitError
    from keylint.run import RunOptions, execute

    settings = _with_cli_excludes(settings, exclude, extend_exclude)
    if cache_dir:
        settings = settings.merged(cache_dir=(cwd / os.path.expanduser(cache_dir)).resolve())
    _note_data_age(settings, quiet)
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
        cache=not no_cache,
        settings_for=None
        if isolated or config_path
        else lambda path: _with_cli_excludes(
            _settings(cwd, str(path), False, select, extend_select, ignore, fail_on, max_file_size),
            exclude,
            extend_exclude,
        ),
    )
    try:
        outcome = execute(options)
    except KeyboardInterrupt:
        _interrupted()
    except (ConfigError, BaselineError) as exc:
        raise KeylintError(str(exc)) from None
    except GitError as exc:
        raise KeylintError(f"git: {exc}") from None
    if outcome.baseline_update is not None:
        _report_baseline_update(outcome, quiet)
        sys.exit(EXIT_ERROR if outcome.fatal else EXIT_OK)
    if diff:
        sys.exit(_show_diff(outcome, options, unsafe_fixes))
    if fix:
        outcome = _apply_fixes(outcome, options, unsafe_fixes, show_fixes)
    elif show_fixes:
        _list_fixes(outcome.findings, "available", unsafe_fixes)
    # after --fix: the keys verified are the ones left in the files
    only = _verify_only(verify_params.pop("verify_only"))
    if verify_params["verify"] or verify_params["verify_dry_run"] or only:
        _verify_check(outcome, options, _verify_settings(verify_params, quiet), only, quiet)
    _emit(outcome, fmt, output_file, statistics, quiet, color)
    failing = outcome.failing(settings.fail_on)
    if outcome.fatal:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if exit_zero or not failing else EXIT_FINDINGS)


def _with_cli_excludes(
    settings: Settings, exclude: tuple[str, ...], extend_exclude: tuple[str, ...]
) -> Settings:
    """--exclude replaces the configured patterns, --extend-exclude adds to them (ruff's
    options); both are relative to the working directory."""
    patterns = (*_csv(exclude), *_csv(extend_exclude))
    if not patterns:
        return settings
    return settings.merged(exclude=() if exclude else None, cli_exclude=patterns)


def _today() -> datetime.date:
    """The day of the run, as the model rules see it (tests pin kl4_endpoints.TODAY), without
    importing the rule modules when nothing has (a run with no candidate file)."""
    rules = sys.modules.get("keylint.checks.kl4_endpoints")
    today = getattr(rules, "today", None)
    return today() if callable(today) else datetime.date.today()


def _note_data_age(settings: Settings, quiet: bool) -> None:
    """Load the provider data (a broken extend-data file is a config error, exit 2) and say
    once when it is more than 120 days old."""
    from keylint.freshness import stale_note
    from keylint.providers import load as load_db

    try:
        db = load_db(settings.extend_data)
    except ConfigError as exc:
        raise KeylintError(str(exc)) from None
    note = stale_note(db, _today())
    if note and not quiet:
        click.echo(f"keylint: note: {note}", err=True)


def _verify_check(
    outcome: Any, options: Any, settings: Any, only: tuple[str, ...], quiet: bool
) -> None:
    from keylint.providers import DataError
    from keylint.verify import VerifyConfigError
    from keylint.verify.attach import verify_outcome

    try:
        attached = verify_outcome(outcome, options, settings, only)
    except (VerifyConfigError, DataError) as exc:
        raise KeylintError(str(exc)) from None
    outcome.notes.extend(attached.notes)
    if attached.summary and not quiet:
        click.echo(f"keylint: {attached.summary}", err=True)


def _fix_plan(outcome: Any, options: Any, unsafe: bool) -> Any:
    from keylint.fix.cliplan import plan_for_run

    return plan_for_run(outcome.findings, options, unsafe)


def _show_diff(outcome: Any, options: Any, unsafe: bool) -> int:
    """--diff: the fixes as a unified diff on stdout; nothing is written."""
    from keylint.fix.cliplan import redacted_diff, unsafe_hint

    planned = _fix_plan(outcome, options, unsafe)
    for path, message in [*outcome.errors, *planned.errors]:
        click.echo(f"keylint: {path}: {message}", err=True)
    click.echo(redacted_diff(planned), nl=False)
    count = len(planned.fixed)
    if not options.quiet:
        files = len(planned.changes)
        hint = unsafe_hint(outcome.findings, unsafe)
        click.echo(f"Would fix {count} finding(s) in {files} file(s).{hint}", err=True)
    return EXIT_FINDINGS if planned.changes else EXIT_OK


def _apply_fixes(outcome: Any, options: Any, unsafe: bool, show: bool) -> Any:
    """--fix: write the fixes, then lint again: what is reported is what is left."""
    from keylint.fix.apply import write
    from keylint.run import execute

    planned = _fix_plan(outcome, options, unsafe)
    errors = [*planned.errors, *write(planned)]
    if show:
        _list_fixes(planned.fixed, "fixed", unsafe)
    for message in planned.messages:
        click.echo(f"keylint: {message}", err=True)
    if planned.changes:
        outcome = execute(options)
    outcome.fixed = len(planned.fixed)
    outcome.errors.extend(errors)
    return outcome


def _list_fixes(findings: Sequence[Any], verb: str, unsafe: bool) -> None:
    from keylint.fix.apply import allowed

    rows = [f for f in findings if verb == "fixed" or allowed(f, unsafe)]
    if not rows:
        click.echo("Nothing fixed." if verb == "fixed" else "No fixes available.", err=True)
        return
    title = "Fixed" if verb == "fixed" else "Fixes available"
    click.echo(f"{title} ({len(rows)}):", err=True)
    for f in sorted(rows, key=lambda f: f.sort_key):
        assert f.fix is not None
        click.echo(
            f"  {f.path}:{f.span.line}:{f.span.column} {f.rule} {f.fix.description}"
            f" ({f.fix_applicability})",
            err=True,
        )


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
    _check_selectors(merged, from_options=(*_csv(select), *_csv(extend_select), *_csv(ignore)))
    return merged


def _check_selectors(settings: Settings, from_options: Sequence[str] = ()) -> None:
    """Every rule selector of the options and the config names a rule (did-you-mean if not)."""
    selectors = [
        *settings.select,
        *settings.extend_select,
        *settings.ignore,
        *(s for values in settings.per_file_ignores.values() for s in values),
        *settings.severity,
    ]
    if all(s.upper() == "ALL" for s in selectors):
        return  # nothing to check: don't import every rule module for it
    from keylint.selectors import unknown

    for selector in selectors:
        problem = unknown(selector)
        if problem:
            config = settings.source and selector not in from_options
            where = f"{settings.source}: " if config else ""
            raise KeylintError(f"{where}{problem}")


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
    if statistics and fmt in ("text", "concise"):
        body = text_report.statistics(report)
        if not quiet:
            body += text_report.summary(report) + "\n"
        color = False
    else:
        color = (
            fmt in ("text", "concise")
            and output_file is None
            and _color_enabled(color_choice, stream)
        )
        # A path that does not exist was not checked: no "no problems" line for it.
        no_summary = quiet or (outcome.fatal and not outcome.findings)
        body = outcome.render(fmt, color=color, quiet=no_summary)
    if output_file:
        _write_output(Path(output_file), body)
    else:
        click.echo(body, nl=False, color=color)


def _echo_notes(notes: Sequence[tuple[str, str]]) -> None:
    """One line per skipped file, except that many binary files make one line, not 160;
    files over the size limit are counted in one line after their own."""
    binary = [path for path, message in notes if message == "binary file skipped"]
    for path, message in notes:
        if message != "binary file skipped" or len(binary) <= 5:
            click.echo(f"keylint: note: {path}: {message}", err=True)
    if len(binary) > 5:
        shown = ", ".join(binary[:3])
        click.echo(f"keylint: note: {len(binary)} binary files skipped ({shown}, …)", err=True)
    _echo_size_count(notes)


def _echo_size_count(notes: Sequence[tuple[str, str]]) -> None:
    """``N file(s) over the size limit were not checked``: the count a user looks for."""
    import re

    limit = None
    count = 0
    for _path, message in notes:
        m = re.search(r"over the size limit \((\d+);", message)
        if m:
            count += 1
            limit = m.group(1)
    if count:
        files = "file was" if count == 1 else "files were"
        click.echo(
            f"keylint: note: {count} {files} not checked: over the size limit of {limit} "
            "bytes (--max-file-size, or max-file-size in the config)",
            err=True,
        )


def _write_output(path: Path, body: str) -> None:
    from keylint.fileio import atomic_write

    try:
        atomic_write(path, body.encode("utf-8"))
    except OSError as exc:
        raise KeylintError(f"cannot write {path}: {exc.strerror or exc}") from None


@cli.command(name="keys")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--history",
    "history",
    is_flag=False,
    flag_value="HEAD",
    default=None,
    metavar="[RANGE]",
    help="Also say which commit first added each key, and when (default range: HEAD).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Use this config file (pyproject.toml or .keylint.toml).",
)
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("-q", "--quiet", is_flag=True, help="No summary, no notes.")
@_verify_options
def keys(
    paths: tuple[str, ...],
    output_format: str,
    history: str | None,
    config_path: str | None,
    isolated: bool,
    quiet: bool,
    **verify_params: Any,
) -> None:
    """List each distinct key once: provider, redacted form, fingerprint, every place it is
    (and whether git ignores it), its first commit (--history), and whether it works (--verify).
    """
    from keylint.errors import GitError
    from keylint.providers import DataError
    from keylint.run import RunOptions
    from keylint.verify import VerifyConfigError
    from keylint.verify.keys import list_keys, render_json, render_text

    cwd = Path.cwd()
    settings = _settings(cwd, config_path, isolated, (), (), (), None, None)
    options = RunOptions(paths=tuple(paths) or (".",), cwd=cwd, settings=settings, quiet=quiet)
    wants = verify_params["verify"] or verify_params["verify_dry_run"]
    verify = _verify_settings(verify_params, quiet) if wants else None
    try:
        result = list_keys(options, history, verify)
    except ConfigError as exc:
        raise KeylintError(str(exc)) from None
    except GitError as exc:
        raise KeylintError(f"git: {exc}") from None
    except (VerifyConfigError, DataError) as exc:
        raise KeylintError(str(exc)) from None
    for path, message in result.errors:
        click.echo(f"keylint: {path}: {message}", err=True)
    if result.summary and not quiet:
        click.echo(f"keylint: {result.summary}", err=True)
    if output_format == "json":
        click.echo(render_json(result, __version__), nl=False)
    else:
        click.echo(render_text(result), nl=False)


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
                        "confidence": r.confidence.value,
                        "confidence_policy": r.confidence_policy(),
                        "summary": r.summary,
                        "fixable": r.fixable,
                        "fix_applicability": r.fix_applicability,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return
    for r in rules:
        mark = {"always": "[*]", "sometimes": "(*)"}.get(r.fixable, "")
        click.echo(
            f"{r.code}  {r.name:<28} {r.category.value:<18} {r.severity.value:<8} {mark:<4}"
            f"{r.summary}"
        )
    click.echo("\n[*] always fixable, (*) sometimes fixable (see `keylint rule CODE`)")


@cli.command(name="rule")
@click.argument("code")
def explain(code: str) -> None:
    """Print a rule's documentation (by code or name), like `ruff rule`."""
    from keylint.checks import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        from keylint.selectors import suggestion

        close = suggestion(code)
        hint = f"did you mean `{close}`?" if close else "see `keylint rules`"
        raise KeylintError(f"no rule '{code}' ({hint})")
    click.echo(f"# {rule.name} ({rule.code})\n")
    click.echo(f"Category: `{rule.category.value}` · default severity: `{rule.severity.value}`\n")
    click.echo(f"Confidence: {rule.confidence_policy()}\n")
    if rule.fixable == "never":
        click.echo("Fix: not fixable\n")
    else:
        click.echo(f"Fix: {rule.fixable} available ({rule.fix_applicability})\n")
    click.echo(rule.docs())


def die(message: str) -> NoReturn:
    raise KeylintError(message)


@cli.command(name="doctor")
@click.argument("path", default=".", type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Output format (default: text).",
)
@_verify_options
def doctor(path: str, output_format: str, **verify_params: Any) -> None:
    """Why the key doesn't work on this machine: which value the app uses, and what is wrong.

    Follows each provider variable from your shell through every dotenv file the code loads,
    in load order; compares the installed SDKs with the code and the pins; shows proxies and
    base URLs. With --verify, asks the provider about the key the app uses and the ones it
    shadows. Values are never printed: redacted forms and fingerprints only. Exit status 0
    when the effective configuration has no problem, 1 otherwise.
    """
    from keylint.doctor import diagnose
    from keylint.doctor.render import as_json, text

    root = Path(path)
    if not root.is_dir():
        raise KeylintError(f"{path}: not a directory")
    settings = _settings(root.resolve(), None, False, (), (), (), None, None)
    verifier = None
    usage_errors: tuple[type[Exception], ...] = ()  # `except ()` catches nothing
    if verify_params["verify"] or verify_params["verify_dry_run"]:
        from keylint.doctor.verify import package_verifier
        from keylint.providers import DataError
        from keylint.verify import VerifyConfigError

        verifier = package_verifier(_verify_settings(verify_params, quiet=False))
        usage_errors = (VerifyConfigError, DataError)  # a bad KEYLINT_VERIFY_ENDPOINT_<ID>
    try:
        diagnosis = diagnose(root, os.environ, settings, verifier=verifier)
    except usage_errors as exc:
        raise KeylintError(str(exc)) from None
    click.echo(as_json(diagnosis) if output_format == "json" else text(diagnosis), nl=False)
    sys.exit(EXIT_FINDINGS if diagnosis.failing else EXIT_OK)
