"""Moving a hardcoded key out of Python code (KL101, --fix --unsafe-fixes): the literal
becomes os.environ[...], the key goes byte for byte to .env, .gitignore ignores .env, and a
redacted message says to rotate it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

from dotenv import dotenv_values

from conftest import fake_key
from conftest import run_isolated as run


def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def rules(cwd: Path) -> list[tuple[str, str]]:
    result = run(cwd, "--format", "json", ".")
    return [(f["path"], f["rule"]) for f in json.loads(result.output)["findings"]]


def test_key_moves_to_a_new_env_file(tmp_path: Path) -> None:
    root = repo(tmp_path)
    key = fake_key("openai-project-key")
    source = (
        '"""App."""\nfrom __future__ import annotations\n\nfrom openai import OpenAI\n\n'
        f'client = OpenAI(api_key="{key}")\n'
    )
    (root / "app.py").write_text(source)
    assert rules(root) == [("app.py", "KL101")]
    result = run(root, "--select", "KL101", "--fix", ".")
    assert (root / "app.py").read_text() == source  # unsafe: not with a plain --fix
    result = run(root, "--fix", "--unsafe-fixes", ".")
    assert (root / "app.py").read_text() == (
        '"""App."""\nfrom __future__ import annotations\nimport os\n\nfrom openai import '
        'OpenAI\n\nclient = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
    )
    env = root / ".env"
    assert env.read_bytes() == f"OPENAI_API_KEY={key}\n".encode()
    assert dotenv_values(env)["OPENAI_API_KEY"] == key  # what the app will load
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert (root / ".gitignore").read_text() == ".env\n"
    assert key not in (root / "app.py").read_text()
    assert key not in result.output
    assert "rotate it" in result.output
    assert key[:12] in result.output  # the redacted form: prefix and a few characters
    assert rules(root) == []  # KL101 gone, nothing new
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    run(root, "--fix", "--unsafe-fixes", ".")
    assert {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()} == before


def test_existing_env_and_gitignore_are_kept(tmp_path: Path) -> None:
    root = repo(tmp_path)
    key = fake_key("anthropic-api-key")
    (root / ".gitignore").write_text("# secrets\n.env*\n")
    (root / ".env").write_text("# local\nDEBUG=1\nANTHROPIC_API_KEY=your-key-here  # set me")
    (root / "bot.py").write_text(
        f"import os\nfrom anthropic import Anthropic\n\nc = Anthropic(api_key='{key}')\n"
    )
    run(root, "--fix", "--unsafe-fixes", ".")
    assert (root / "bot.py").read_text() == (
        'import os\nfrom anthropic import Anthropic\n\nc = Anthropic(api_key=os.environ["'
        'ANTHROPIC_API_KEY"])\n'
    )
    assert (root / ".env").read_text() == f"# local\nDEBUG=1\nANTHROPIC_API_KEY={key}  # set me"
    assert (root / ".gitignore").read_text() == "# secrets\n.env*\n"


def test_a_different_key_in_env_is_never_overwritten(tmp_path: Path) -> None:
    root = repo(tmp_path)
    old, new = fake_key("groq-api-key", 0), fake_key("groq-api-key", 1)
    (root / ".env").write_text(f"GROQ_API_KEY={old}\n")
    source = f'from groq import Groq\n\nclient = Groq(api_key="{new}")\n'
    (root / "app.py").write_text(source)
    result = run(root, "--fix", "--unsafe-fixes", ".")
    assert (root / "app.py").read_text() == source
    assert (root / ".env").read_text() == f"GROQ_API_KEY={old}\n"
    assert "GROQ_API_KEY already holds another value" in result.output
    assert new not in result.output


def test_a_key_inside_a_larger_string_is_left_to_the_user(tmp_path: Path) -> None:
    root = repo(tmp_path)
    key = fake_key("groq-api-key")
    source = f'HEADERS = {{"Authorization": "Bearer {key}"}}\n'
    (root / "app.py").write_text(source)
    run(root, "--fix", "--unsafe-fixes", ".")
    assert (root / "app.py").read_text() == source
    assert not (root / ".env").exists()


def test_the_nearest_env_of_the_file_is_used(tmp_path: Path) -> None:
    root = repo(tmp_path)
    key = fake_key("groq-api-key")
    (root / "svc").mkdir()
    (root / "svc" / ".env").write_text("A=1\n")
    (root / "svc" / "app.py").write_text(f'import os\nKEY = "{key}"\n')
    run(root, "--fix", "--unsafe-fixes", ".")
    assert (root / "svc" / ".env").read_text() == f"A=1\nGROQ_API_KEY={key}\n"
    assert not (root / ".env").exists()
    assert (root / "svc" / ".gitignore").read_text() == ".env\n"


def test_the_key_never_leaves_the_code_without_reaching_env(tmp_path: Path) -> None:
    root = repo(tmp_path)
    key = fake_key("groq-api-key")
    source = f'from groq import Groq\n\nclient = Groq(api_key="{key}")\n'
    (root / "app.py").write_text(source)
    (root / ".env").write_text("A=1\n")
    os.chmod(root / ".env", 0o444)  # refused: so the move is dropped, the code kept
    result = run(root, "--fix", "--unsafe-fixes", ".")
    assert (root / "app.py").read_text() == source
    assert ".env: not fixed: the file is read-only" in result.output
    assert "KL101 not fixed: its edits in other files failed" in result.output


def test_a_failed_env_write_keeps_the_code(tmp_path: Path) -> None:
    from keylint.config import Settings
    from keylint.engine import Engine
    from keylint.fix.apply import write
    from keylint.fix.cliplan import plan_for_run
    from keylint.run import RunOptions

    root = repo(tmp_path)
    key = fake_key("groq-api-key")
    source = f'from groq import Groq\n\nclient = Groq(api_key="{key}")\n'
    (root / "app.py").write_text(source)
    (root / ".env").write_text("A=1\n")
    findings = Engine(Settings()).lint_bytes("app.py", source.encode()).findings
    options = RunOptions(paths=(".",), cwd=root, settings=Settings())
    planned = plan_for_run(findings, options, True)
    assert set(planned.changes) == {".env", ".gitignore", "app.py"}
    assert planned.changes["app.py"].requires == [".env", ".gitignore"]
    (root / ".env").write_text("A=2\n")  # changed after planning: its write is refused
    errors = write(planned)
    assert (".env", "not fixed: the file changed while keylint was running") in errors
    assert ("app.py", "not fixed: .env could not be written first") in errors
    assert (root / "app.py").read_text() == source
