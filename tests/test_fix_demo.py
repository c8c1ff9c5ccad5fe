"""--fix --unsafe-fixes on a copy of demo/ (the README's demo project): fewer findings, none
new, every file still parses, the moved key byte-identical in .env, and a second run changes
nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from conftest import run_isolated as run
from keylint.fix.parsecheck import parse_error

EXAMPLES = Path(__file__).parent.parent / "demo"


def found(cwd: Path) -> list[dict]:
    return json.loads(run(cwd, "--format", "json", ".").output)["findings"]


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_examples_fix_and_refix(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(EXAMPLES, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    before = found(root)
    original = files(root)
    diff = run(root, "--diff", "--unsafe-fixes", ".")
    assert diff.exit_code == 1
    assert files(root) == original  # --diff writes nothing
    result = run(root, "--fix", "--unsafe-fixes", ".")
    assert "rotate it" in result.output
    after = found(root)
    assert len(after) < len(before)
    assert not Counter((f["path"], f["rule"]) for f in after) - Counter(
        (f["path"], f["rule"]) for f in before
    )
    for path, data in files(root).items():
        assert parse_error(path, data.decode("utf-8")) is None, path
    # the Anthropic key left the code for .env, byte for byte
    key_line = next(
        line for line in original["app/main.py"].splitlines() if b"Anthropic(api_key=" in line
    )
    key = key_line.split(b'"')[1]
    assert key not in (root / "app" / "main.py").read_bytes()
    assert b"ANTHROPIC_API_KEY=" + key + b"\n" in (root / ".env").read_bytes()
    fixed = files(root)
    again = run(root, "--fix", "--unsafe-fixes", ".")
    assert files(root) == fixed
    assert "Fixed" not in again.output
