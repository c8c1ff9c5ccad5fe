"""Lay out the benchmark trees: this machine's CPython lib directory, copied into git repos.

    python bench/prepare.py            # both trees (stdlib, lib)
    python bench/prepare.py stdlib     # only the stdlib tree (104 MB, ~2,450 files)
    python bench/prepare.py --force    # copy again even when the tree exists
    python bench/prepare.py stdlib-x2 stdlib-x4   # the scaling trees (run.py --scaling)

Trees (under bench/data/, which is gitignored):

- ``stdlib``: the stdlib directory without ``site-packages``.
- ``lib``: the whole lib directory, ``site-packages`` included. The copy names it
  ``site_packages``: ``site-packages`` is one of keylint's default excluded directory names,
  and the point is to time every tool on the same bytes, not to measure the exclude.

- ``stdlib-x2``, ``stdlib-x4``: 2 and 4 copies of the stdlib tree, in subfolders ``copy1/``,
  ``copy2/``, …, for ``run.py --scaling`` (time per MB at 1×, 2×, 4× the bytes and files).

``__pycache__`` directories and ``*.pyc`` files are left out. Each tree is then a git repo
with one commit (``git init`` + ``git add -A`` + ``git commit``), so keylint's git-aware
discovery (``git ls-files``) and detect-secrets' git mode run as they do for users.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
TREES = ("stdlib", "lib")
SCALED = {"stdlib-x2": 2, "stdlib-x4": 4}  # tree -> copies of the stdlib tree


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def _ignore(skip_site_packages: bool, top: Path) -> Callable[[str, list[str]], set[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        out = {n for n in names if n == "__pycache__" or n.endswith(".pyc")}
        if skip_site_packages and Path(directory) == top:
            out.add("site-packages")
        return out

    return ignore


def _git(tree: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=keylint-bench",
            "-c",
            "user.email=bench@keylint.invalid",
            "-c",
            "commit.gpgsign=false",
            "-C",
            str(tree),
            *args,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def tree_stats(tree: Path) -> tuple[int, int]:
    """(files, bytes) of the tree, .git excluded."""
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def prepare(name: str, force: bool = False) -> Path:
    tree = DATA / name
    if (tree / ".git").is_dir() and not force:
        print(f"{name}: {tree} exists (use --force to copy again)")
        return tree
    if tree.exists():
        shutil.rmtree(tree)
    source = stdlib_dir()
    started = time.perf_counter()
    if name in SCALED:
        for i in range(1, SCALED[name] + 1):
            target = tree / f"copy{i}"
            shutil.copytree(source, target, symlinks=True, ignore=_ignore(True, source))
    else:
        shutil.copytree(source, tree, symlinks=True, ignore=_ignore(True, source))
    if name == "lib":
        site = source / "site-packages"
        if site.is_dir():
            shutil.copytree(
                site, tree / "site_packages", symlinks=True, ignore=_ignore(False, site)
            )
    _git(tree, "init", "-q")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-q", "-m", f"{name}: copy of {source}")
    files, size = tree_stats(tree)
    took = time.perf_counter() - started
    print(f"{name}: {files:,} files, {size / 1e6:.0f} MB in {tree} ({took:.0f} s)")
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "trees",
        nargs="*",
        metavar="TREE",
        help="stdlib, lib, stdlib-x2, stdlib-x4 (default: stdlib, lib)",
    )
    parser.add_argument("--force", action="store_true", help="copy again even if present")
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        print("prepare: git is required", file=sys.stderr)
        return 2
    unknown = [t for t in args.trees if t not in (*TREES, *SCALED)]
    if unknown:
        choices = ", ".join((*TREES, *SCALED))
        parser.error(f"unknown tree {unknown[0]!r} (choose from {choices})")
    for name in args.trees or TREES:
        prepare(name, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
