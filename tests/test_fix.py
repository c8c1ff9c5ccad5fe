"""--fix applies only reported safe fixes, atomically, keeping BOM and line endings."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import fake_key
from conftest import run_isolated as run


def test_fix_strips_trailing_space_and_invisible_character(tmp_path: Path) -> None:
    key = fake_key("groq-api-key")
    (tmp_path / "prod.env").write_bytes(f"A=1\r\nGROQ_API_KEY={key} \r\nB=2\r\n".encode())
    (tmp_path / "s.yaml").write_bytes(
        b'\xef\xbb\xbfllm:\n  api_key: "' + key.encode() + '\u200b"\n'.encode()
    )
    before = run(tmp_path, "--format", "json", "--select", "KL21", ".")
    assert [
        (f["path"], f["line"], f["column"], f["rule"])
        for f in json.loads(before.output)["findings"]
    ] == [
        ("prod.env", 2, 14 + len(key), "KL211"),
        ("s.yaml", 2, 13 + len(key), "KL213"),
    ]
    result = run(tmp_path, "--format", "json", "--select", "KL21", "--fix", ".")
    doc = json.loads(result.output)
    assert doc["findings"] == []
    assert doc["summary"]["fixed"] == 2
    assert result.exit_code == 0
    assert (tmp_path / "prod.env").read_bytes() == f"A=1\r\nGROQ_API_KEY={key}\r\nB=2\r\n".encode()
    assert (tmp_path / "s.yaml").read_bytes() == (
        b'\xef\xbb\xbfllm:\n  api_key: "' + key.encode() + b'"\n'
    )
    assert not [p for p in tmp_path.iterdir() if "keylint-tmp" in p.name]


def test_fix_leaves_suppressed_and_unselected_findings_alone(tmp_path: Path) -> None:
    key = fake_key("groq-api-key")
    (tmp_path / "a.env").write_text(f'GROQ_API_KEY="{key} "\n')
    kept = f'GROQ_API_KEY="{key} "  # keylint: ignore[KL211]\nXAI_API_KEY=x\u200by\n'
    (tmp_path / "b.env").write_text(kept)
    result = run(tmp_path, "--select", "KL211", "--fix", ".")
    assert result.exit_code == 0
    assert (tmp_path / "a.env").read_text() == f'GROQ_API_KEY="{key}"\n'
    assert (tmp_path / "b.env").read_text() == kept


def test_fix_is_refused_with_staged(tmp_path: Path) -> None:
    result = run(tmp_path, "--staged", "--fix")
    assert result.exit_code == 2
    assert "--fix rewrites working-tree files" in result.output
