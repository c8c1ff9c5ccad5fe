"""Baselines: keylint's own (round trip, stable bytes, counting) and detect-secrets' format."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import fake_key, render_source
from keylint import baseline
from keylint.facts import Span
from keylint.findings import Category, Finding, Secret, Severity
from keylint.findings import fingerprint as sha256_fingerprint

OPENAI = "{key:openai-project-key}"
GROQ = "{key:groq-api-key}"


def run(args: list[str], cwd: Path) -> Result:
    from keylint.cli import cli

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["--isolated", *args], env={}, catch_exceptions=False)
    finally:
        os.chdir(old)


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")


def found(result: Result) -> list[tuple[str, int, int, str]]:
    doc = json.loads(result.stdout)
    return [(f["path"], f["line"], f["column"], f["rule"]) for f in doc["findings"]]


def all_fake_keys() -> list[str]:
    return [fake_key(f, n) for f in ("openai-project-key", "groq-api-key") for n in range(3)]


def test_round_trip_stable_bytes_and_new_secret_in_baselined_file(tmp_path: Path) -> None:
    write(tmp_path, "app.py", f'a = "{OPENAI}"\n')
    write(tmp_path, "conf/settings.py", f'b = "{GROQ}"\n')
    result = run(["--baseline", "kl-baseline.json", "--update-baseline", "."], tmp_path)
    assert result.exit_code == 0, result.output
    assert "2 finding(s), written" in result.stderr
    path = tmp_path / "kl-baseline.json"
    data = path.read_bytes()
    text = data.decode()
    assert all(k not in text for k in all_fake_keys())  # never a secret, not even in part
    assert "…" not in text  # nor a redacted form
    doc = json.loads(text)
    assert [(e["path"], e["rule"], e["count"]) for e in doc["findings"]] == [
        ("app.py", "KL101", 1),
        ("conf/settings.py", "KL101", 1),
    ]
    assert doc["findings"][0]["fingerprint"] == sha256_fingerprint(fake_key("openai-project-key"))
    assert "line_number" not in text and '"line"' not in text and "generated" not in text

    # Re-running changes nothing: same bytes, file not rewritten.
    mtime = path.stat().st_mtime_ns
    result = run(["--baseline", "kl-baseline.json", "--update-baseline", "."], tmp_path)
    assert "unchanged" in result.stderr
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime

    # Known findings are hidden even when their lines move.
    write(tmp_path, "app.py", f'import os\n\n\na = "{OPENAI}"\n')
    result = run(["--baseline", "kl-baseline.json", "--format", "json", "."], tmp_path)
    assert result.exit_code == 0, result.output
    assert found(result) == []
    assert "2 known finding(s) in the baseline not shown" in result.stderr
    assert json.loads(result.stdout)["baseline"]["hidden"] == 2

    # A new secret in a baselined file is reported.
    write(tmp_path, "app.py", f'a = "{OPENAI}"\nc = "{{key:openai-project-key:1}}"\n')
    result = run(["--baseline", "kl-baseline.json", "--format", "json", "."], tmp_path)
    assert result.exit_code == 1
    assert found(result) == [("app.py", 2, 6, "KL101")]

    # Counted per key: a second copy of a baselined key is new too.
    write(tmp_path, "app.py", f'a = "{OPENAI}"\nd = "{OPENAI}"\n')
    result = run(["--baseline", "kl-baseline.json", "--format", "json", "."], tmp_path)
    assert found(result) == [("app.py", 2, 6, "KL101")]


def test_baseline_works_from_a_subdirectory(tmp_path: Path) -> None:
    write(tmp_path, "pkg/app.py", f'a = "{OPENAI}"\n')
    run(["--baseline", "baseline.json", "--update-baseline", "."], tmp_path)
    result = run(["--baseline", "../baseline.json", "."], tmp_path / "pkg")
    assert result.exit_code == 0, result.output


def test_partial_update_keeps_entries_of_other_files(tmp_path: Path) -> None:
    write(tmp_path, "a/app.py", f'a = "{OPENAI}"\n')
    write(tmp_path, "b/app.py", f'b = "{GROQ}"\n')
    run(["--baseline", "bl.json", "--update-baseline", "."], tmp_path)
    write(tmp_path, "a/app.py", "a = 1\n")
    result = run(["--baseline", "bl.json", "--update-baseline", "a"], tmp_path)
    assert "1 finding(s), written" in result.stderr
    entries = json.loads((tmp_path / "bl.json").read_text())["findings"]
    assert [e["path"] for e in entries] == ["b/app.py"]


def test_missing_or_broken_baseline_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "app.py", "x = 1\n")
    result = run(["--baseline", "nope.json", "."], tmp_path)
    assert result.exit_code == 2
    assert "no such baseline file" in result.stderr
    (tmp_path / "bad.json").write_text('{"something": 1}')
    assert run(["--baseline", "bad.json", "."], tmp_path).exit_code == 2
    assert run(["--update-baseline", "."], tmp_path).exit_code == 2


def _detect_secrets_baseline(entries: dict[str, list[dict[str, object]]]) -> str:
    return json.dumps(
        {
            "version": "1.5.0",
            "plugins_used": [{"name": "Base64HighEntropyString", "limit": 4.5}],
            "filters_used": [],
            "results": entries,
            "generated_at": "2024-01-01T00:00:00Z",
        }
    )


def _sha1(raw: str) -> str:
    return hashlib.sha1(raw.encode()).hexdigest()


def test_detect_secrets_baseline_is_honoured(tmp_path: Path) -> None:
    openai, groq = fake_key("openai-project-key"), fake_key("groq-api-key")
    write(tmp_path, "app.py", f'a = "{OPENAI}"\n')
    write(tmp_path, "fp.py", f'b = "{GROQ}"\n')
    write(tmp_path, "new.py", f'c = "{OPENAI}"\n')  # same value, file not in the baseline
    (tmp_path / ".secrets.baseline").write_text(
        _detect_secrets_baseline(
            {
                "app.py": [
                    {
                        "type": "Base64 High Entropy String",
                        "filename": "app.py",
                        "hashed_secret": _sha1(openai),
                        "is_verified": False,
                        "line_number": 7,
                    }
                ],
                "fp.py": [
                    {
                        "type": "Secret Keyword",
                        "filename": "fp.py",
                        "hashed_secret": _sha1(groq),
                        "is_verified": False,
                        "is_secret": False,
                        "line_number": 1,
                    }
                ],
            }
        )
    )
    result = run(["--baseline", ".secrets.baseline", "--format", "json", "."], tmp_path)
    assert found(result) == [("new.py", 1, 6, "KL101")]
    assert json.loads(result.stdout)["baseline"]["hidden"] == 2
    # A new secret in a file the detect-secrets baseline lists is still reported.
    write(tmp_path, "app.py", f'a = "{OPENAI}"\nb = "{{key:openai-project-key:1}}"\n')
    result = run(["--baseline", ".secrets.baseline", "--format", "json", "app.py"], tmp_path)
    assert found(result) == [("app.py", 2, 6, "KL101")]
    # keylint never rewrites a detect-secrets baseline.
    before = (tmp_path / ".secrets.baseline").read_bytes()
    result = run(["--baseline", ".secrets.baseline", "--update-baseline", "."], tmp_path)
    assert result.exit_code == 2
    assert "detect-secrets baseline" in result.stderr
    assert (tmp_path / ".secrets.baseline").read_bytes() == before


def test_real_detect_secrets_scan_baseline(tmp_path: Path) -> None:
    """A baseline written by detect-secrets itself hides keylint's finding of the same value."""
    pytest.importorskip("detect_secrets")
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    write(tmp_path, "app.py", f'a = "{OPENAI}"\n')
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        with default_settings():
            secrets = SecretsCollection()
            secrets.scan_file("app.py")
        results = secrets.json()
    finally:
        os.chdir(old)
    (tmp_path / ".secrets.baseline").write_text(_detect_secrets_baseline(results))
    assert run(["--baseline", ".secrets.baseline", "."], tmp_path).exit_code == 0


def _finding(path: str, line: int, secret: Secret | None = None) -> Finding:
    return Finding(
        "KL301",
        "env-var-name",
        Category.ENV_VAR_NAME,
        Severity.WARNING,
        path,
        Span(line, 1, line, 5),
        "`OPENAI_KEY` is never read",
        secret=secret,
    )


def test_findings_without_a_secret_are_keyed_by_their_line_text(tmp_path: Path) -> None:
    texts = {"a/.env": "X=1\nOPENAI_KEY=abc\n"}
    first = [_finding("a/.env", 2)]
    update = baseline.update(tmp_path / "b.json", first, tmp_path, texts.get)
    assert update.changed and update.entries == 1
    known = baseline.load(tmp_path / "b.json")
    (entry,) = known.counts
    expected = hashlib.sha256(b"KL301\0a/.env\0OPENAI_KEY=abc").hexdigest()
    assert entry == ("a/.env", "KL301", f"sha256:{expected}")
    # The line moved, its text is the same: known. Another text: new.
    moved = {"a/.env": "\n\n  OPENAI_KEY=abc  \nOPENAI_KEY=xyz\n"}
    kept, hidden = baseline.apply(
        [_finding("a/.env", 3), _finding("a/.env", 4)], known, tmp_path, moved.get
    )
    assert hidden == 1
    assert [f.span.line for f in kept] == [4]


def test_render_is_sorted_and_stable() -> None:
    counts = {("b.py", "KL101", "sha256:2"): 1, ("a.py", "KL101", "sha256:1"): 2}
    data = baseline.render(counts)
    assert data == baseline.render(dict(reversed(list(counts.items()))))
    assert data.decode().splitlines()[3:5] == [
        '    {"path": "a.py", "rule": "KL101", "fingerprint": "sha256:1", "count": 2},',
        '    {"path": "b.py", "rule": "KL101", "fingerprint": "sha256:2", "count": 1}',
    ]
    assert json.loads(data)["keylint-baseline"] == 1


def test_secret_carries_the_detect_secrets_hash() -> None:
    raw = fake_key("openai-project-key")
    secret = Secret.of(raw, "sk-proj-")
    assert secret.sha1 == hashlib.sha1(raw.encode()).hexdigest()
    assert raw not in repr(secret)
