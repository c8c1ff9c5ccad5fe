"""Time ``keylint --history`` on a repository with a few thousand commits.

    python bench/history.py             # build bench/data/history (3,000 commits) once; time
    python bench/history.py --commits 6000 --rebuild
    python bench/history.py --repo ~/src/some-clone   # a real repository instead

No real repository with thousands of commits is available offline here, so by default the
script builds a synthetic one with ``git fast-import`` (seconds): a first commit of 400
real Python files from this interpreter's standard library, then commits that each edit
1-4 files (insert or delete lines), now and then add a file, and a few that add a fake
provider key (built at run time, never a literal here) which a later commit removes.
Deterministic (``--seed``). It prints, in one run: the time of ``git log -p`` over the same
range (the cost of merely reading the history as text), keylint --history with one process
and with the default (one per core) without its cache, peak memory of each, and the findings
found versus the keys planted; then with the cache of blobs found clean (histcache.py): a
first run that fills an empty cache, and a re-run on the same history, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_REPO = BENCH / "data" / "history"


def fake_keys(n: int) -> list[str]:
    from keylint.providers import load

    formats = [f for f in load().key_formats if f.id in ("openai-project-key", "groq-api-key")]
    return [formats[i % len(formats)].fake(i) for i in range(n)]


def seed_files(count: int) -> list[tuple[str, bytes]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    out = []
    for path in sorted(stdlib.rglob("*.py")):
        rel = path.relative_to(stdlib).as_posix()
        if rel.startswith(("site-packages/", "test/", "idlelib/", "lib2to3/tests/")):
            continue
        data = path.read_bytes()
        if 500 < len(data) < 200_000:
            out.append((f"src/{rel}", data))
    random.Random(0).shuffle(out)
    return out[:count]


class FastImport:
    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(
            ["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE
        )
        assert self.proc.stdin is not None
        self.out = self.proc.stdin
        self.mark = 0

    def blob(self, data: bytes) -> int:
        self.mark += 1
        self.out.write(b"blob\nmark :%d\ndata %d\n%s\n" % (self.mark, len(data), data))
        return self.mark

    def commit(self, when: int, message: str, changes: list[bytes], parent: int | None) -> int:
        self.mark += 1
        msg = message.encode()
        head = b"commit refs/heads/main\nmark :%d\n" % self.mark
        who = b"Bench <bench@example.com> %d +0000\n" % when
        self.out.write(head + b"author " + who + b"committer " + who)
        self.out.write(b"data %d\n%s\n" % (len(msg), msg))
        if parent is not None:
            self.out.write(b"from :%d\n" % parent)
        self.out.write(b"".join(changes) + b"\n")
        return self.mark

    def close(self) -> None:
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")


def build(repo: Path, commits: int, seed: int) -> int:
    """Write the synthetic history; returns the number of keys planted (and later removed)."""
    rng = random.Random(seed)
    pool = seed_files(400 + commits // 40 + 10)
    files = dict(pool[:400])
    spare = pool[400:]
    keys = fake_keys(max(1, commits // 500))
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    fi = FastImport(repo)
    when = 1_600_000_000
    first = [b"M 100644 :%d %s\n" % (fi.blob(d), p.encode()) for p, d in files.items()]
    parent = fi.commit(when, "initial import", first, None)
    planted: dict[int, tuple[str, bytes]] = {}  # commit index to remove at → (path, old)
    key_at = {rng.randrange(10, commits - 60): k for k in keys}
    for i in range(1, commits):
        when += rng.randrange(600, 86_400)
        changes: list[bytes] = []
        if i in planted:
            path, old = planted.pop(i)
            files[path] = old
            changes.append(b"M 100644 :%d %s\n" % (fi.blob(old), path.encode()))
        elif i in key_at:
            path = rng.choice(sorted(files))
            old = files[path]
            files[path] = old + f'\nOPENAI_API_KEY = "{key_at[i]}"\n'.encode()
            planted[i + rng.randrange(5, 50)] = (path, old)
            changes.append(b"M 100644 :%d %s\n" % (fi.blob(files[path]), path.encode()))
        else:
            if spare and rng.random() < 0.02:
                path, data = spare.pop()
                files[path] = data
                changes.append(b"M 100644 :%d %s\n" % (fi.blob(data), path.encode()))
            for path in rng.sample(sorted(files), rng.randrange(1, 5)):
                lines = files[path].split(b"\n")
                at = rng.randrange(len(lines))
                if rng.random() < 0.6 or len(lines) < 20:
                    lines.insert(at, b"    value_%d = compute(%d)  # change %d" % (i, at, i))
                else:
                    del lines[at]
                files[path] = b"\n".join(lines)
                changes.append(b"M 100644 :%d %s\n" % (fi.blob(files[path]), path.encode()))
        parent = fi.commit(when, f"change {i}", changes, parent)
    fi.close()
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)
    subprocess.run(["git", "-C", str(repo), "gc", "-q", "--aggressive"], check=True)
    return len(keys)


# keylint run through a wrapper that reports its own peak RSS (wait4's figure is the
# largest process of the tree, which is git cat-file with its delta-base cache).
WRAPPER = """
import resource, sys
from keylint.cli import main
try:
    main(sys.argv[1:])
finally:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"KEYLINT_RSS={rss}", file=sys.stderr)
"""


def timed(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, int, bytes, int]:
    """(wall s, CPU s of the tree, peak RSS MiB of its largest process, stdout, keylint's
    own peak RSS MiB or 0)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            args, cwd=cwd, stdout=subprocess.PIPE, stderr=err, env={**os.environ, **(env or {})}
        )
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        err.seek(0)
        messages = err.read().decode(errors="replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{args[:3]} failed: {messages[-2000:]}")
    own = [int(x) for x in re.findall(r"KEYLINT_RSS=(\d+)", messages)]
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss // 1024, out, own[-1] if own else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, help="an existing repository (default: build one)")
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    repo = args.repo or DEFAULT_REPO
    planted = None
    if args.repo is None and (args.rebuild or not (repo / ".git").exists()):
        if repo.exists():
            subprocess.run(["rm", "-rf", str(repo)], check=True)
        t = time.perf_counter()
        planted = build(repo, args.commits, args.seed)
        print(f"built {repo} in {time.perf_counter() - t:.1f} s ({planted} keys planted)")
    git = ["git", "-C", str(repo)]
    n_commits = subprocess.check_output([*git, "rev-list", "--count", "HEAD"]).decode().strip()
    objects = subprocess.run(
        [*git, "rev-list", "--objects", "HEAD"], capture_output=True, check=True
    ).stdout
    sizes = subprocess.run(
        [*git, "cat-file", "--batch-check=%(objecttype) %(objectsize) %(rest)"],
        input=objects,
        capture_output=True,
        check=True,
    ).stdout.split(b"\n")
    blob_sizes = [int(line.split()[1]) for line in sizes if line.startswith(b"blob ")]
    n_blobs = (len(blob_sizes), sum(blob_sizes))
    print(
        f"repository: {n_commits} commits, {int(n_blobs[0]):,} distinct blobs, "
        f"{int(n_blobs[1]) / 2**20:.0f} MiB of blob content; {os.cpu_count()} cores"
    )
    keylint = [sys.executable, "-c", WRAPPER, "check", "--isolated", "--format", "json"]
    cache = Path(tempfile.mkdtemp(prefix="keylint-bench-cache-"))
    cases = [
        ("git log -p (reading the history only)", [*git, "log", "-p", "HEAD"]),
        ("keylint --history -j 1 --no-cache", [*keylint, "--history", "-j", "1", "--no-cache"]),
        ("keylint --history --no-cache (1 process/core)", [*keylint, "--history", "--no-cache"]),
        # The cache in a directory of its own, emptied before each first run.
        ("keylint --history, first run (empty cache)", [*keylint, "--history"]),
        ("keylint --history, re-run (cache filled)", [*keylint, "--history"]),
    ]
    load = os.getloadavg()[0]
    print(f"load average before: {load:.1f} (wall times are only comparable on an idle machine)")
    times: dict[str, tuple[float, float]] = {}
    for label, cmd in cases:
        runs = []
        for _ in range(args.repeat):
            if "first run" in label:
                shutil.rmtree(cache, ignore_errors=True)
            runs.append(timed(cmd, repo, {"KEYLINT_CACHE_DIR": str(cache)}))
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        times[label] = (wall, cpu)
        rss = max(r[2] for r in runs)
        own = max(r[4] for r in runs)
        line = f"{label:<46} wall {wall:6.2f} s, CPU {cpu:6.2f} s (median of {args.repeat})"
        line += f", peak RSS {rss} MiB" + (f" (keylint itself {own} MiB)" if own else "")
        if cmd[0] == sys.executable:
            doc = json.loads(runs[-1][3])
            gone = sum(1 for f in doc["findings"] if f.get("in_head") == "false")
            line += f", {len(doc['findings'])} findings ({gone} no longer in HEAD)"
            if "cached" in doc["history"]:
                line += f"; {doc['history']['linted']} blobs linted"
                line += f", {doc['history']['cached']} from the cache"
        print(line)
    (first, first_cpu), (again, again_cpu) = times[cases[3][0]], times[cases[4][0]]
    print(
        f"re-run / first run: wall {again / first:.1%} ({again:.2f} s / {first:.2f} s), "
        f"CPU {again_cpu / first_cpu:.1%} ({again_cpu:.2f} s / {first_cpu:.2f} s)"
    )
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set: every run compiles keylint's modules anew")
    shutil.rmtree(cache, ignore_errors=True)
    if planted is not None:
        print(f"planted keys (all removed later): {planted}")


if __name__ == "__main__":
    main()
