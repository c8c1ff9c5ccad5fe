"""The pre-commit hook, run by the real pre-commit against a copy of this repository.

pre-commit pip-installs the hook repository into its own environment (network to PyPI for
the dependencies): one install for the module, in a PRE_COMMIT_HOME shared by its tests.
The copy is a fresh git repository of the current sources, so the test checks this working
tree rather than the last commit.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from snippets import filled, snippet

from conftest import fake_key, render_source

pytest.importorskip("pre_commit")
if os.environ.get("KEYLINT_SKIP_PRECOMMIT_TESTS"):
    # About a minute and network access for the first install: quick local runs may skip it.
    pytest.skip("KEYLINT_SKIP_PRECOMMIT_TESTS is set", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
INSTALL_TIMEOUT = 900  # seconds: the first run builds the hook's virtualenv
RUN_TIMEOUT = 300
NETWORK_ERRORS = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "No matching distribution found",
    "ConnectTimeoutError",
    "ProxyError",
)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*_cache", "*.egg-info")
    for name in ("src", "rules"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "hook repo")
    return repo


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    out = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    out.update(PRE_COMMIT_HOME=str(home), NO_COLOR="1", PRE_COMMIT_COLOR="never")
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    return tmp_path


def pre_commit(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"pre-commit {args[0]} took over {INSTALL_TIMEOUT} s")
    output = result.stdout + result.stderr
    if result.returncode not in (0, 1) or "An unexpected error has occurred" in output:
        log = Path(env["PRE_COMMIT_HOME"]) / "pre-commit.log"
        details = output + (log.read_text() if log.exists() else "")
        if any(marker in details for marker in NETWORK_ERRORS):
            pytest.skip("pre-commit could not install the hook: no network to PyPI")
    return result


def write(root: Path, rel: str, source: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_source(source), encoding="utf-8")


def test_manifest_is_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_fails_on_a_staged_key_with_code_and_position(
    hook_repo: Path, env: dict[str, str], project: Path
) -> None:
    write(project, "app.py", 'import os\n\nclient = OpenAI(api_key="{key:openai-project-key}")\n')
    write(project, ".env.local", "GROQ_API_KEY={key:groq-api-key}\n")
    write(project, "clean.py", "import os\n")
    git(project, "add", ".")
    # The key leaves the working tree after staging: the commit would still carry it.
    write(project, "app.py", "import os\n")
    result = pre_commit(
        ["try-repo", str(hook_repo), "keylint", "--files", "app.py", ".env.local", "clean.py"],
        project,
        env,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert re.search(r"^keylint\.+Failed$", output, re.MULTILINE)
    assert "app.py:3:26: KL101 " in output
    assert ".env.local:1:14: KL101 " in output
    for key in (fake_key("openai-project-key"), fake_key("groq-api-key")):
        assert key not in output


def test_hook_passes_on_a_clean_tree_and_sees_dotenv_files(
    hook_repo: Path, env: dict[str, str], project: Path
) -> None:
    write(project, "app.py", 'import os\nkey = os.environ["OPENAI_API_KEY"]\n')
    write(project, ".env", "DEBUG=1\n")
    git(project, "add", ".")
    result = pre_commit(["try-repo", str(hook_repo), "keylint", "--all-files"], project, env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert re.search(r"^keylint\.+Passed$", output, re.MULTILINE)


def test_installed_hook_blocks_the_commit(
    hook_repo: Path, env: dict[str, str], project: Path
) -> None:
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    # The README's snippet, with only the repository and the commit filled in.
    (project / ".pre-commit-config.yaml").write_text(filled("pre-commit", str(hook_repo), rev))
    assert pre_commit(["install"], project, env).returncode == 0
    write(project, "settings.py", 'TOKEN = "{key:openai-project-key}"\n')
    git(project, "add", ".")
    commit = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-m", "x"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0, output[-3000:]
    assert "settings.py:1:10: KL101 " in output
    assert "mutable reference" not in output  # a SHA rev: pre-commit pins it, no warning
    write(project, "settings.py", 'import os\nTOKEN = os.environ["OPENAI_API_KEY"]\n')
    git(project, "add", ".")
    commit = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert commit.returncode == 0, (commit.stdout + commit.stderr)[-3000:]


def test_readme_install_from_the_repository(hook_repo: Path, tmp_path: Path) -> None:
    """`pip install "keylint @ git+<repository-url>"` builds keylint with its data."""
    (line,) = [x for x in snippet("install").splitlines() if x.startswith("pip install")]
    # file://localhost/…: older pips reject a file URL with an empty host in a requirement
    requirement = shlex.split(filled("install", f"file://localhost{hook_repo}"))[2]
    assert line.startswith('pip install "keylint @ git+')
    target = tmp_path / "site"
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(target),
                requirement,
            ],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("pip install from the repository took too long")
    if result.returncode != 0 and any(m in result.stderr for m in NETWORK_ERRORS):
        pytest.skip("pip could not fetch the build backend: no network to PyPI")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (target / "keylint" / "_rules" / "providers" / "openai.yaml").is_file()
    version = subprocess.run(
        [sys.executable, "-m", "keylint", "--version"],
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert version.returncode == 0, version.stderr
    assert "(provider data reviewed 20" in version.stdout
