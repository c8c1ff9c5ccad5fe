"""Benchmark keylint against detect-secrets, ripgrep and a pure-Python floor, in one run.

    python bench/prepare.py                      # once: copy the trees into bench/data/
    python bench/run.py                          # stdlib tree, every tool, 3 repetitions
    python bench/run.py --trees stdlib,lib       # lib too (detect-secrets: stdlib only)
    python bench/run.py --trees lib --detect-secrets-lib   # ~12 more minutes for detect-secrets
    python bench/run.py --tools keylint,floor --repeat 5
    python bench/run.py --one-file-only          # the pre-commit case only

Long runs exceed a 10-minute foreground limit: ``nohup python bench/run.py ... > /tmp/bench.log
2>&1 &`` and poll the log. See bench/README.md for what is measured and how.

Every tool runs as a subprocess, from the tree's root (a git repo), with the file cache warm
(one untimed pass reads every file first). Per run we record:

- wall: ``time.perf_counter`` from spawn to exit.
- cpu: user + system of the process and every descendant it waited for (``os.wait4``).
- peak RSS, two numbers: ``tree`` = the largest sum of RSS over the process and all its live
  descendants, sampled every 50 ms from /proc (pool workers included; pages shared
  copy-on-write between a parent and its forked workers are counted once per process, so
  this overstates); ``single`` = ``ru_maxrss`` from ``wait4``, the largest RSS any single
  process of the tree reached. ``tree`` is the one compared with the 300 MB target (it is
  never below ``single``).
- findings: keylint's JSON ``summary.findings``; detect-secrets' JSON results; ripgrep's
  matching lines; the floor's regex matches.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

from prepare import DATA, TREES, prepare, tree_stats  # noqa: E402

TOOLS = ("keylint", "detect-secrets", "ripgrep", "floor")
# The same four key patterns for ripgrep and the pure-Python floor: OpenAI/Anthropic-style
# "sk-", AWS access key ids, GitHub tokens, Google API keys.
KEY_PATTERN = (
    r"(?:sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|AIza[0-9A-Za-z_-]{35})"
)
ONE_FILE = "json/encoder.py"  # in the stdlib tree: 16 KB of ordinary Python
SAMPLE_SECONDS = 0.05


def tool_env() -> dict[str, str]:
    """The environment every tool runs in.

    PYTHONDONTWRITEBYTECODE is dropped: with it set (as on some CI images), an editable
    install never gets ``__pycache__`` and every run compiles keylint's modules again, which
    no user of a wheel pays (~40 ms of the one-file case).
    """
    env = dict(os.environ, NO_COLOR="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# --- measuring one subprocess ------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_tree_mb: float
    peak_single_mb: float
    returncode: int
    findings: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, RSS in pages), for every process visible in /proc."""
    table: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(b")") + 2 :].split()
        table[int(name)] = (int(fields[1]), int(fields[21]))
    return table


def _tree_rss(root: int) -> int:
    """Bytes of RSS summed over ``root`` and all its live descendants."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            total += table[pid][1]
        stack.extend(children.get(pid, ()))
    return total * os.sysconf("SC_PAGE_SIZE")


def measure(
    argv: Sequence[str], cwd: Path, stdout_path: Path, timeout: float, env: dict[str, str]
) -> Sample:
    """Run ``argv`` once; stdout goes to ``stdout_path`` (stderr to a sibling file)."""
    peak = 0
    done = threading.Event()
    with stdout_path.open("wb") as out, stdout_path.with_suffix(".err").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=env)

        def sampler() -> None:
            nonlocal peak
            while not done.wait(SAMPLE_SECONDS):
                peak = max(peak, _tree_rss(proc.pid))

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            wall = time.perf_counter() - start
            timer.cancel()
            done.set()
            thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    single = usage.ru_maxrss * 1024  # kilobytes on Linux
    return Sample(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_tree_mb=max(peak, single) / 1e6,
        peak_single_mb=single / 1e6,
        returncode=proc.returncode,
    )


# --- the tools ---------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    argv: Callable[[Path], list[str]]  # tree -> command line
    count: Callable[[Path], int | None]  # stdout file -> findings
    ok_codes: tuple[int, ...] = (0, 1)
    version: str = ""


def _bin(name: str) -> str | None:
    """A console script next to this interpreter first (the venv), then PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def _version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def _keylint_count(path: Path) -> int | None:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    summary = doc.get("summary", {})
    return int(summary.get("findings", len(doc.get("findings", []))))


def _breakdown(tool: str, path: Path) -> dict[str, object]:
    """Files checked and findings per rule (keylint) or per type (detect-secrets)."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if tool == "keylint":
        rules = Counter(f.get("rule", "?") for f in doc.get("findings", []))
        files = doc.get("summary", {}).get("files_checked")
        return {"files_checked": files, "by_rule": dict(rules.most_common())}
    if tool == "detect-secrets":
        types = Counter(s.get("type", "?") for v in doc.get("results", {}).values() for s in v)
        return {"files_with_findings": len(doc.get("results", {})), "by_type": dict(types)}
    return {}


def _detect_secrets_count(path: Path) -> int | None:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return sum(len(v) for v in doc.get("results", {}).values())


def _line_count(path: Path) -> int | None:
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return None


def _floor_count(path: Path) -> int | None:
    try:
        return int(json.loads(path.read_text("utf-8"))["matches"])
    except (OSError, ValueError, KeyError):
        return None


def tools(args: argparse.Namespace) -> dict[str, Tool | str]:
    """Available tools by name; a string instead of a Tool says why one is skipped."""
    found: dict[str, Tool | str] = {}
    keylint = _bin("keylint")
    if keylint:
        jobs = ["--jobs", str(args.keylint_jobs)] if args.keylint_jobs else []
        found["keylint"] = Tool(
            "keylint",
            # --isolated: no config from a parent directory (this repo's pyproject.toml
            # excludes bench/data); --exit-zero: findings are not a failure here.
            lambda tree: [
                keylint,
                "check",
                "--isolated",
                "--exit-zero",
                "--format",
                "json",
                *jobs,
                ".",
            ],
            _keylint_count,
            version=_version([keylint, "--version"]),
        )
    else:
        found["keylint"] = "keylint not installed (pip install -e .)"
    ds = _bin("detect-secrets")
    if ds:
        mode = ["--all-files"] if args.ds_all_files else []
        found["detect-secrets"] = Tool(
            "detect-secrets",
            lambda tree: [ds, "scan", *mode, "."],
            _detect_secrets_count,
            version="detect-secrets " + _version([ds, "--version"]),
        )
    else:
        found["detect-secrets"] = "detect-secrets not installed (pip install detect-secrets)"
    rg = shutil.which("rg")
    if rg:
        found["ripgrep"] = Tool(
            "ripgrep",
            # Every file keylint reads: hidden ones too, nothing ignored, .git left out.
            lambda tree: [
                rg,
                "--no-ignore",
                "--hidden",
                "-g",
                "!.git",
                "--no-filename",
                "--no-line-number",
                "-o",
                "-e",
                KEY_PATTERN,
                ".",
            ],
            _line_count,
            version=_version([rg, "--version"]),
        )
    else:
        found["ripgrep"] = "ripgrep not installed (apt-get install -y ripgrep): skipped"
    found["floor"] = Tool(
        "floor",
        lambda tree: [
            sys.executable,
            "-I",
            str(Path(__file__).resolve()),
            "--floor-worker",
            str(args.floor_jobs),
            ".",
        ],
        _floor_count,
        ok_codes=(0,),
        version=f"python {platform.python_version()}, {args.floor_jobs} processes",
    )
    return found


# --- the pure-Python floor ---------------------------------------------------------------


def _floor_chunk(paths: list[str]) -> tuple[int, int]:
    pattern = re.compile(KEY_PATTERN.encode())
    matches = size = 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        size += len(data)
        matches += sum(1 for _ in pattern.finditer(data))
    return matches, size


def floor_worker(jobs: int, root: str) -> None:
    """os.walk + read every file + one combined regex, on ``jobs`` processes."""
    paths: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        paths.extend(os.path.join(dirpath, name) for name in filenames)
    chunks = [paths[i : i + 64] for i in range(0, len(paths), 64)]
    if jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(_floor_chunk, chunks, chunksize=1)
    else:
        parts = [_floor_chunk(c) for c in chunks]
    print(
        json.dumps(
            {
                "files": len(paths),
                "bytes": sum(p[1] for p in parts),
                "matches": sum(p[0] for p in parts),
            }
        )
    )


# --- a run -------------------------------------------------------------------------------


@dataclass
class Result:
    tree: str
    tool: str
    version: str
    samples: list[Sample]
    note: str = ""

    def median(self, attr: str) -> float:
        return float(statistics.median(float(getattr(s, attr)) for s in self.samples))

    def best(self, attr: str) -> float:
        return min(float(getattr(s, attr)) for s in self.samples)


def warm(tree: Path) -> None:
    """Read every file once so each tool meets the same (warm) page cache."""
    for dirpath, _dirnames, filenames in os.walk(tree):
        for name in filenames:
            try:
                with open(os.path.join(dirpath, name), "rb") as handle:
                    while handle.read(1 << 20):
                        pass
            except OSError:
                pass


def run_tool(
    tool: Tool,
    tree_name: str,
    tree: Path,
    repeat: int,
    timeout: float,
    scratch: Path,
    log: Callable[[str], None],
) -> Result:
    samples = []
    env = tool_env()
    for i in range(repeat):
        load = os.getloadavg()[0]
        out = scratch / f"{tree_name}-{tool.name}-{i}.out"
        sample = measure(tool.argv(tree), tree, out, timeout, env)
        sample.findings = tool.count(out)
        sample.extra["loadavg_before"] = round(load, 2)
        if tool.name in ("keylint", "detect-secrets"):
            sample.extra.update(_breakdown(tool.name, out))
        if tool.name == "floor":
            with contextlib.suppress(OSError, ValueError):
                sample.extra.update(json.loads(out.read_text("utf-8")))
        if sample.returncode not in tool.ok_codes:
            err = out.with_suffix(".err").read_text("utf-8", "replace")[-500:]
            sample.extra["error"] = f"exit {sample.returncode}: {err.strip()}"
        log(
            f"  {tree_name:6} {tool.name:15} run {i + 1}/{repeat}: {sample.wall:8.2f} s wall "
            f"{sample.cpu:8.2f} s cpu {sample.peak_tree_mb:7.0f} MB tree "
            f"{sample.peak_single_mb:6.0f} MB single  findings={sample.findings} load={load:.1f}"
            + (f"  [{sample.extra['error']}]" if "error" in sample.extra else "")
        )
        samples.append(sample)
    return Result(tree_name, tool.name, tool.version, samples)


def one_file(
    tool_argv: list[str], tree: Path, target: str, runs: int, log: Callable[[str], None], label: str
) -> Result:
    samples = []
    env = tool_env()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        measure([*tool_argv, target], tree, out, 120, env)  # untimed: imports, .pyc, cache
        for _ in range(runs):
            samples.append(measure([*tool_argv, target], tree, out, 120, env))
    result = Result("one-file", label, "", samples)
    log(
        f"  one-file {label:22} median {result.median('wall'):.3f} s  best "
        f"{result.best('wall'):.3f} s  cpu {result.median('cpu'):.3f} s  "
        f"peak {result.median('peak_tree_mb'):.0f} MB  exit {samples[-1].returncode}"
    )
    return result


def git_state() -> dict[str, object]:
    def git(*args: str) -> str:
        out = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False
        )
        return out.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def table(
    results: list[Result], floor_by_tree: dict[str, float], ds_by_tree: dict[str, float]
) -> str:
    lines = [
        f"{'tree':8} {'tool':15} {'wall s':>8} {'best s':>8} {'cpu s':>8} {'tree MB':>8} "
        f"{'1proc MB':>8} {'findings':>9} {'vs d-s':>8} {'vs floor':>9}",
    ]
    for r in results:
        if not r.samples:
            lines.append(f"{r.tree:8} {r.tool:15} {r.note}")
            continue
        wall = r.median("wall")
        vs_ds = f"{ds_by_tree[r.tree] / wall:7.1f}x" if r.tree in ds_by_tree else "-"
        vs_floor = f"{wall / floor_by_tree[r.tree]:8.2f}x" if r.tree in floor_by_tree else "-"
        findings = r.samples[-1].findings
        lines.append(
            f"{r.tree:8} {r.tool:15} {wall:8.2f} {r.best('wall'):8.2f} {r.median('cpu'):8.2f} "
            f"{r.median('peak_tree_mb'):8.0f} {r.median('peak_single_mb'):8.0f} "
            f"{'?' if findings is None else findings:>9} {vs_ds:>8} {vs_floor:>9}"
        )
    lines.append(
        "vs d-s = detect-secrets wall / this wall (how many times faster); "
        "vs floor = this wall / floor wall (how many times slower)."
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="keylint vs detect-secrets, ripgrep and a pure-Python floor"
    )
    add = parser.add_argument
    add("--trees", default="stdlib", help="comma list of: stdlib, lib (default: stdlib)")
    add("--tools", default=",".join(TOOLS), help="comma list of: " + ", ".join(TOOLS))
    add("--repeat", type=int, default=3, help="runs per tool on the stdlib tree (median reported)")
    add("--lib-repeat", type=int, default=1, help="runs per tool on the lib tree (default 1)")
    add("--detect-secrets-repeat", type=int, default=1, help="runs of detect-secrets per tree")
    add(
        "--detect-secrets-lib",
        action="store_true",
        help="run detect-secrets on the full lib tree too (~12 minutes)",
    )
    add(
        "--ds-all-files",
        action="store_true",
        help="detect-secrets scan --all-files (default: its git mode, the files keylint reads)",
    )
    add("--keylint-jobs", type=int, default=None, help="keylint --jobs (default: keylint's)")
    add("--floor-jobs", type=int, default=2, help="processes for the floor (default 2)")
    add("--one-file", default=ONE_FILE, help=f"file in the stdlib tree (default {ONE_FILE})")
    add("--one-file-runs", type=int, default=10, help="runs per tool of the one-file case")
    add("--no-one-file", action="store_true", help="skip the one-file (pre-commit) case")
    add("--one-file-only", action="store_true", help="only the one-file (pre-commit) case")
    add("--timeout", type=float, default=3600, help="seconds allowed per tool run")
    add("--output", type=Path, default=None, help="JSON file (default bench/results/...)")
    add("--floor-worker", nargs=2, metavar=("JOBS", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.tree_list = [t.strip() for t in args.trees.split(",") if t.strip()]
    args.tool_list = [t.strip() for t in args.tools.split(",") if t.strip()]
    for name in args.tree_list:
        if name not in TREES:
            parser.error(f"unknown tree {name!r} (choose from {', '.join(TREES)})")
    for name in args.tool_list:
        if name not in TOOLS:
            parser.error(f"unknown tool {name!r} (choose from {', '.join(TOOLS)})")
    return args


def log(message: str) -> None:
    print(message, flush=True)


def run_trees(
    args: argparse.Namespace,
    available: dict[str, Tool | str],
    scratch: Path,
    results: list[Result],
    info: dict[str, dict[str, object]],
    save: Callable[[], object],
) -> None:
    """Every tool on every tree; ``save`` after each tool, so a cut-short run keeps its data."""
    for tree_name in args.tree_list:
        tree = prepare(tree_name)
        files, size = tree_stats(tree)
        info[tree_name] = {"files": files, "bytes": size}
        stray = subprocess.run(
            ["git", "-C", str(tree), "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()
        if stray:
            # e.g. __pycache__ written by a `python -c` run with the tree as working directory
            log(f"warning: {tree} has {len(stray)} changed/untracked paths (prepare.py --force)")
        log(f"tree {tree_name}: {files:,} files, {size / 1e6:.0f} MB; warming the page cache")
        warm(tree)
        for name in args.tool_list:
            tool = available[name]
            if not isinstance(tool, Tool):
                results.append(Result(tree_name, name, "", [], note=tool))
            elif name == "detect-secrets" and tree_name == "lib" and not args.detect_secrets_lib:
                note = "skipped (~12 min; opt in with --detect-secrets-lib)"
                results.append(Result(tree_name, name, tool.version, [], note=note))
            else:
                if name == "detect-secrets":
                    repeat = args.detect_secrets_repeat
                else:
                    repeat = args.lib_repeat if tree_name == "lib" else args.repeat
                results.append(run_tool(tool, tree_name, tree, repeat, args.timeout, scratch, log))
            save()


def run_one_file(args: argparse.Namespace) -> list[Result]:
    tree = prepare("stdlib")
    target = args.one_file
    if not (tree / target).is_file():
        raise SystemExit(f"run.py: --one-file {target}: not in {tree}")
    size = (tree / target).stat().st_size
    log(f"one file: {target} ({size:,} bytes), {args.one_file_runs} runs each")
    commands = [("python -c pass", [sys.executable, "-c", "pass"])]
    keylint, hook = _bin("keylint"), _bin("detect-secrets-hook")
    if keylint:
        commands.append(("keylint", [keylint, "--isolated"]))
    if hook:
        commands.append(("detect-secrets-hook", [hook]))
    return [one_file(cmd, tree, target, args.one_file_runs, log, label) for label, cmd in commands]


def summary(results: list[Result], runs: int) -> str:
    floor = {r.tree: r.median("wall") for r in results if r.tool == "floor" and r.samples}
    ds = {r.tree: r.median("wall") for r in results if r.tool == "detect-secrets" and r.samples}
    out = []
    tree_results = [r for r in results if r.tree != "one-file"]
    if tree_results:
        out += ["", table(tree_results, floor, ds)]
    one = {r.tool: r for r in results if r.tree == "one-file"}
    if one:
        each = ", ".join(
            f"{k} {v.median('wall'):.3f} s (cpu {v.median('cpu'):.3f} s)" for k, v in one.items()
        )
        out += ["", f"one file (the pre-commit case), median of {runs}: {each}"]
    return "\n".join(out)


def write_json(
    args: argparse.Namespace,
    started: datetime.datetime,
    state: dict[str, object],
    results: list[Result],
    info: dict[str, dict[str, object]],
) -> Path:
    def result_dict(r: Result) -> dict[str, object]:
        doc = {k: v for k, v in asdict(r).items() if k != "samples"}
        doc["samples"] = [asdict(s) for s in r.samples]
        if r.samples:
            doc["median_wall"] = r.median("wall")
            doc["median_peak_tree_mb"] = r.median("peak_tree_mb")
        return doc

    doc = {
        "started": started.isoformat(timespec="seconds"),
        "git": state,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "argv": sys.argv[1:],
        "trees": info,
        "key_pattern": KEY_PATTERN,
        "memory_note": "peak_tree_mb: max sampled sum of RSS over the process tree (50 ms), "
        "never below peak_single_mb; peak_single_mb: wait4 ru_maxrss, the largest single process",
        "results": [result_dict(r) for r in results],
    }
    output = args.output or RESULTS / f"{started:%Y%m%d-%H%M%S}-{state['commit']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(doc, indent=2) + "\n", "utf-8")
    return output


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.floor_worker:
        floor_worker(int(args.floor_worker[0]), args.floor_worker[1])
        return 0
    available = tools(args)
    state = git_state()
    started = datetime.datetime.now().astimezone()
    dirty = " (dirty)" if state["dirty"] else ""
    log(
        f"keylint bench: {started:%Y-%m-%d %H:%M %Z}, commit {state['commit']}{dirty}, "
        f"python {platform.python_version()}, {os.cpu_count()} cpus, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    for name in args.tool_list:
        tool = available[name]
        log(f"  {name}: {tool.version if isinstance(tool, Tool) else tool}")
    keylint = _bin("keylint")
    if keylint and (DATA / "stdlib" / args.one_file).is_file():
        # Untimed: compiles keylint's modules to .pyc once, as an installed wheel has them.
        cmd = [keylint, "--isolated", "--exit-zero", args.one_file]
        subprocess.run(cmd, cwd=DATA / "stdlib", env=tool_env(), capture_output=True, check=False)

    results: list[Result] = []
    info: dict[str, dict[str, object]] = {}

    def save() -> Path:
        return write_json(args, started, state, results, info)

    if not args.one_file_only:
        with tempfile.TemporaryDirectory(prefix="keylint-bench-") as tmp:
            run_trees(args, available, Path(tmp), results, info, save)
    if not args.no_one_file:
        results += run_one_file(args)
    log(summary(results, args.one_file_runs))
    log(f"\nwrote {save()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
