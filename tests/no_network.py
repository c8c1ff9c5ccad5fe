"""keylint run in a child process where opening a socket fails: proves a command opens no
connection (and never imports httpx) unless asked to verify. Shared by the verify and
doctor tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

_NO_SOCKET = """
import socket, sys
def refuse(*a, **k):
    raise AssertionError("a socket was opened")
socket.socket = refuse
socket.create_connection = refuse
from keylint.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("httpx imported" if "httpx" in sys.modules else "no httpx", file=sys.stderr)
sys.exit(code)
"""


def run_without_sockets(
    args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _NO_SOCKET, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else None,
    )
