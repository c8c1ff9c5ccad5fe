"""How often keylint is right on whole real repositories: findings joined with verdicts.

    python bench/precision/judge.py --repos-dir /tmp/repos [--min-confidence medium]
        [--unjudged unjudged.jsonl] [--sample 150 --seed 7]

For each repository of ``repos.toml`` (a checkout at the pinned commit under --repos-dir,
named as in the file) it runs ``keylint --format json`` inside the checkout, joins each
finding with ``verdicts/<repo>.jsonl`` by (path, line, column, rule) and prints: findings,
judged, right (TP), precision, per repository and per rule. A repository with more findings
than --sample is measured on a seeded sample of that many (sha1 of seed and finding key), as
the README's table says. Findings without a verdict are written to --unjudged (path, line,
column, rule, message — messages are redacted by keylint) for a judge to read; they are not
counted. Verdicts are judged by reading the code: see ``METHOD-judge-*.md``.

The checkouts are not in this repository: clone each ``url`` at its ``commit``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent

Key = tuple[str, int, int, str]


def key_of(f: dict[str, object]) -> Key:
    return (str(f["path"]), int(f["line"]), int(f["column"]), str(f["rule"]))  # type: ignore[call-overload]


def load_verdicts(repo: str) -> dict[Key, dict[str, str]]:
    path = HERE / "verdicts" / f"{repo}.jsonl"
    out: dict[Key, dict[str, str]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                v = json.loads(line)
                out[key_of(v)] = v
    return out


def run_keylint(checkout: Path, keylint: str, min_confidence: str) -> list[dict[str, object]]:
    cmd = [keylint, "--format", "json", "--exit-zero", "--min-confidence", min_confidence, "."]
    done = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"keylint failed in {checkout}: {done.stderr[-500:]}")
    findings: list[dict[str, object]] = json.loads(done.stdout)["findings"]
    return findings


def sample(findings: list[dict[str, object]], size: int, seed: int) -> list[dict[str, object]]:
    if len(findings) <= size:
        return findings

    def rank(f: dict[str, object]) -> str:
        return hashlib.sha1(f"{seed}:{key_of(f)}".encode()).hexdigest()

    return sorted(findings, key=rank)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos-dir", type=Path, required=True)
    parser.add_argument("--keylint", default="keylint")
    parser.add_argument("--min-confidence", default="medium")
    parser.add_argument("--sample", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--unjudged", type=Path)
    parser.add_argument("--only", nargs="*", help="repository names to run (default: all)")
    parser.add_argument("--save", type=Path, help="keep each repository's JSON report here")
    parser.add_argument("--reuse", type=Path, help="read the reports --save kept instead")
    args = parser.parse_args()

    repos = tomllib.loads((HERE / "repos.toml").read_text(encoding="utf-8"))["repo"]
    rule_tp: Counter[str] = Counter()
    rule_fp: Counter[str] = Counter()
    unjudged: list[dict[str, object]] = []
    total = Counter[str]()
    print(
        f"{'repository':28} {'commit':8} {'findings':>8} {'measured':>8} {'judged':>6} "
        f"{'right':>5} {'precision':>9}"
    )
    for repo in repos:
        name = repo["name"]
        if args.only and name not in args.only:
            continue
        checkout = args.repos_dir / name
        head = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        if head != repo["commit"]:
            sys.exit(f"{checkout} is at {head or 'no commit'}, repos.toml pins {repo['commit']}")
        if args.reuse:
            report = json.loads((args.reuse / f"{name}.json").read_text(encoding="utf-8"))
            findings = report["findings"]
        else:
            findings = run_keylint(checkout, args.keylint, args.min_confidence)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{name}.json").write_text(json.dumps({"findings": findings}), "utf-8")
        measured = sample(findings, args.sample, args.seed)
        verdicts = load_verdicts(name)
        tp = fp = 0
        for f in measured:
            v = verdicts.get(key_of(f))
            if v is None:
                unjudged.append({"repo": name, **{k: f[k] for k in _SHOWN}})
            elif v["verdict"] == "TP":
                tp += 1
                rule_tp[str(f["rule"])] += 1
            else:
                fp += 1
                rule_fp[str(f["rule"])] += 1
        judged = tp + fp
        share = f"{100 * tp / judged:.0f} %" if judged else "—"
        print(
            f"{name:28} {repo['commit'][:8]} {len(findings):>8} {len(measured):>8} "
            f"{judged:>6} {tp:>5} {share:>9}"
        )
        total.update(findings=len(findings), measured=len(measured), tp=tp, fp=fp)
    judged = total["tp"] + total["fp"]
    share = f"{100 * total['tp'] / judged:.1f} %" if judged else "—"
    print(
        f"{'all':28} {'':8} {total['findings']:>8} {total['measured']:>8} {judged:>6} "
        f"{total['tp']:>5} {share:>9}"
    )
    print("\nper rule (right / judged):")
    for rule in sorted(set(rule_tp) | set(rule_fp)):
        print(f"  {rule}: {rule_tp[rule]} / {rule_tp[rule] + rule_fp[rule]}")
    if unjudged:
        print(f"\n{len(unjudged)} measured finding(s) have no verdict yet", file=sys.stderr)
        if args.unjudged:
            with args.unjudged.open("w", encoding="utf-8") as out:
                for row in unjudged:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")


_SHOWN = ("path", "line", "column", "rule", "confidence", "message")

if __name__ == "__main__":
    main()
