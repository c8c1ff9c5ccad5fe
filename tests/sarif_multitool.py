"""Validate keylint's SARIF with the Microsoft SARIF Multitool and GitHub's policy (CI step).

    python tests/sarif_multitool.py [--prefix DIR]

Installs ``@microsoft/sarif-multitool`` with npm into a temporary directory (or ``--prefix``,
reused if already there), writes three SARIF logs — keylint run on ``demo/``, on a
project made of every rule's examples (tests/test_sarif.py ``write_rule_project``) and on a
clean project — and runs
``validate --rule-kind "Gh;Sarif"`` with tests/data/sarif-github-policy.xml on each.

The Multitool exits 0 even when it finds errors, so its report is read instead: any result
or notification at level ``error`` or ``warning`` fails the check (exit 1); notes (snippets,
version control provenance, PascalCase rule names, URLs unreachable offline) are listed only.
No npm is a failure too, said loudly: this check is not skipped silently.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
POLICY = TESTS / "data" / "sarif-github-policy.xml"
PACKAGE = "@microsoft/sarif-multitool@5.7.0"
FAILING = ("error", "warning")


def fail(message: str) -> None:
    print(f"sarif-multitool: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def install(prefix: Path) -> Path:
    """The Multitool executable, installed with npm under ``prefix``."""
    npm = shutil.which("npm")
    node = shutil.which("node")
    if not npm or not node:
        fail("npm/node not found on PATH: install Node.js to run the SARIF Multitool check")
    assert npm and node
    subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", PACKAGE],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # The package's index.js resolves the binary of this platform's sub-package.
    found = subprocess.run(
        [
            node,
            "-e",
            "process.stdout.write(require(process.argv[1]))",
            str(prefix / "node_modules" / "@microsoft" / "sarif-multitool"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    binary = Path(found)
    if not binary.is_file():
        fail(f"no Multitool executable at {binary}")
    # npm may skip the package's postinstall (which only does this) under its script policy.
    binary.chmod(binary.stat().st_mode | 0o100)
    return binary


def keylint_sarif(cwd: Path, target: str, out: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "keylint", "check", "--format", "sarif", "--exit-zero",
         "-o", str(out), target],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if proc.returncode != 0 or not out.is_file():
        fail(f"keylint exited {proc.returncode} on {cwd / target}")


def rule_project(root: Path) -> None:
    sys.path.insert(0, str(TESTS))
    from test_sarif import git_init, write_rule_project

    git_init(root)
    write_rule_project(root)


def problems(report: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(failing, notes) from the Multitool's own SARIF report."""
    failing: list[str] = []
    notes: list[str] = []
    for run in report.get("runs", []):
        for result in run.get("results", []):
            message = result.get("message", {})
            text = message.get("text") or " | ".join(map(str, message.get("arguments", [])))
            line = f"{result.get('level', 'warning')} {result.get('ruleId')}: {text}"
            (failing if result.get("level", "warning") in FAILING else notes).append(line)
        for invocation in run.get("invocations", []):
            if invocation.get("executionSuccessful") is False:
                failing.append("the Multitool run did not succeed")
            for key in ("toolConfigurationNotifications", "toolExecutionNotifications"):
                for note in invocation.get(key, []):
                    line = f"{note.get('level', 'warning')} {key}: {note['message'].get('text')}"
                    (failing if note.get("level", "warning") in FAILING else notes).append(line)
    return failing, notes


def validate(binary: Path, log: Path) -> list[str]:
    report_path = log.with_suffix(".report.sarif")
    proc = subprocess.run(
        [str(binary), "validate", str(log), "--rule-kind", "Gh;Sarif", "-c", str(POLICY),
         "--level", "Error;Warning;Note", "-o", str(report_path), "--log", "ForceOverwrite"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if not report_path.is_file():
        output = (proc.stdout + proc.stderr)[-3000:]
        fail(f"the Multitool wrote no report (exit {proc.returncode}):\n{output}")
    failing, notes = problems(json.loads(report_path.read_text(encoding="utf-8-sig")))
    if proc.returncode != 0:
        failing.append(f"the Multitool exited {proc.returncode}")
    by_rule = Counter(line.split(":")[0] for line in notes)
    listed = ", ".join(f"{rule} x{n}" for rule, n in sorted(by_rule.items()))
    print(f"{log.name}: {len(failing)} error(s)/warning(s), {len(notes)} note(s) ({listed})")
    return failing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", type=Path, help="npm prefix to install into (kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keylint-sarif-") as tmp:
        work = Path(tmp)
        binary = install(args.prefix.resolve() if args.prefix else work / "npm")
        logs = {
            "demo.sarif": (REPO, "demo"),
            "rules.sarif": (work / "rules", "."),
            "clean.sarif": (work / "clean", "."),  # no results, no rules
        }
        (work / "rules").mkdir()
        rule_project(work / "rules")
        (work / "clean").mkdir()
        (work / "clean" / "app.py").write_text('import os\nkey = os.environ["OPENAI_API_KEY"]\n')
        failing: list[str] = []
        for name, (cwd, target) in logs.items():
            log = work / name
            keylint_sarif(cwd, target, log)
            failing += [f"{name}: {line}" for line in validate(binary, log)]
    if failing:
        fail("\n".join(failing))
    print("sarif-multitool: OK (zero errors, zero warnings)")


if __name__ == "__main__":
    main()
