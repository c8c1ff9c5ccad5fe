"""What a pre-commit run pays for: a file with nothing of interest never loads the rule layer.

Most commits touch no key; the hook's cost there is start-up. These tests pin which modules
such a run imports (bench/run.py measures the time itself).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
sys.argv = ["keylint", *sys.argv[1:]]
from keylint.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""


def _modules(tmp_path: Path, name: str, text: str, *options: str) -> tuple[int, set[str]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *(options or ("--isolated",)), name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["exit"], set(result["modules"])


def test_a_clean_file_never_loads_the_rule_layer(tmp_path: Path) -> None:
    code, modules = _modules(tmp_path, "util.py", "def add(a, b):\n    return a + b\n")
    assert code == 0
    heavy = {
        "keylint.facts",
        "keylint.checks",
        "keylint.analysis",
        "keylint.extract",
        "detect_secrets",
        "libcst",
        "subprocess",
    }
    assert not heavy & modules


def test_a_configuration_naming_codes_does_not_load_it_either(tmp_path: Path) -> None:
    """Its selectors are checked against the rule modules' file names, and the project's
    dependency pins are not parsed."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\ndependencies = ["openai>=1.2", "anthropic[vertex] (<1)"]\n'
        '[tool.keylint]\nignore = ["KL7"]\n'
        '[tool.keylint.per-file-ignores]\n"tests/**" = ["KL101"]\n',
        encoding="utf-8",
    )
    code, modules = _modules(tmp_path, "util.py", "x = 1\n", "check")
    assert code == 0
    assert not {"keylint.facts", "keylint.checks.base", "keylint.analysis"} & modules
    assert "packaging" not in modules  # the project's pins are read when a rule asks
    code, _ = _modules(tmp_path, "util.py", "x = 1\n", "check", "--select", "KL9")
    assert code == 2  # an unknown code is still an error


def test_a_file_with_a_key_loads_it(tmp_path: Path) -> None:
    """The other side: the probe above would pass for a run that checked nothing."""
    code, modules = _modules(tmp_path, "app.py", 'import os\nKEY = os.environ["OPENAI_API_KEY"]\n')
    assert {"keylint.facts", "keylint.checks", "keylint.extract"} <= modules
    assert code == 0
