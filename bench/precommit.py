"""Time the pre-commit hook: keylint against detect-secrets-hook, same files, same run.

    python bench/precommit.py                 # 1 file and 50 files, median of 5 runs each
    python bench/precommit.py --repeat 9 --sizes 1,50,500

For each size, a fresh git repository (in a temporary directory) gets N real files staged:
Python modules from this interpreter's standard library, plus for N >= 10 a few small
config files (.env, YAML, JSON, a Dockerfile) without secrets, so both hooks pass. It
installs the hooks with ``pre-commit install`` and times ``pre-commit run <hook> --files
...`` (what a commit of those files runs) for:

- keylint: ``keylint check --force-exclude --staged``, ``types: [text]`` (as in
  .pre-commit-hooks.yaml);
- detect-secrets: ``detect-secrets-hook`` with ``files: .*`` (as in its manifest).

Both are declared as ``repo: local`` hooks with ``language: system`` running the tools
installed in this interpreter's environment, so neither pays for building a hook
virtualenv and both go through the same pre-commit machinery. The time of each tool run
directly (without pre-commit) is shown for reference.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
CONFIG_FILES = {
    ".env": "DEBUG=1\nLOG_LEVEL=info\nDATABASE_URL=postgres://localhost/app\n",
    "config/settings.yaml": "server:\n  host: 0.0.0.0\n  port: 8080\nfeatures: [a, b]\n",
    "config/app.json": '{"name": "app", "version": "1.0.0", "retries": 3}\n',
    "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nRUN pip install /app\n",
}


def stdlib_files(n: int) -> list[tuple[str, bytes]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    found = []
    for path in sorted(stdlib.glob("*.py")):
        data = path.read_bytes()
        if 2_000 < len(data) < 120_000:
            found.append((f"app/{path.name}", data))
    random.Random(0).shuffle(found)
    return found[:n]


def make_repo(root: Path, n: int) -> list[str]:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    extra = CONFIG_FILES if n >= 10 else {}
    files = stdlib_files(n - len(extra))
    names = []
    for rel, data in [*files, *((k, v.encode()) for k, v in extra.items())]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        names.append(rel)
    keylint = BIN / "keylint"
    detect = BIN / "detect-secrets-hook"
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: keylint\n"
        "        name: keylint\n"
        f"        entry: {keylint} check --force-exclude --staged\n"
        "        language: system\n"
        "        types: [text]\n"
        "        require_serial: true\n"
        "      - id: detect-secrets\n"
        "        name: detect-secrets\n"
        f"        entry: {detect}\n"
        "        language: system\n"
        "        files: .*\n"
    )
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(root.parent / "pre-commit-home")}
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    return names


def median_time(cmd: list[str], cwd: Path, repeat: int, env: dict[str, str]) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        code = done.returncode
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,50")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; median of {args.repeat}")
    for n in (int(x) for x in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix="keylint-precommit-bench-"))
        try:
            repo = work / "repo"
            names = make_repo(repo, n)
            size = sum((repo / name).stat().st_size for name in names)
            env = {**os.environ, "PRE_COMMIT_HOME": str(work / "pre-commit-home")}
            env.pop("CI", None)
            print(f"\n{n} file(s) staged, {size / 1024:.0f} KiB")
            rows = [
                ("pre-commit run keylint", [sys.executable, "-m", "pre_commit", "run", "keylint"]),
                (
                    "pre-commit run detect-secrets",
                    [sys.executable, "-m", "pre_commit", "run", "detect-secrets"],
                ),
            ]
            for label, base in rows:
                seconds, code = median_time([*base, "--files", *names], repo, args.repeat, env)
                print(f"  {label:<34} {seconds * 1000:7.0f} ms  (exit {code})")
            direct = [
                ("keylint --staged (direct)", [str(BIN / "keylint"), "check", "--staged"]),
                ("detect-secrets-hook (direct)", [str(BIN / "detect-secrets-hook")]),
            ]
            for label, base in direct:
                seconds, code = median_time([*base, *names], repo, args.repeat, env)
                print(f"  {label:<34} {seconds * 1000:7.0f} ms  (exit {code})")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
