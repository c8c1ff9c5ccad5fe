"""Every regex in rules/ against adversarial inputs: run by tests/test_reliability.py in a
child process, so a pattern that backtracks for hours fails the test (by timeout) instead of
hanging it. Prints one JSON line when a pattern starts and one when it is done.

For each pattern: runs of single characters and of the pattern's own literal words (alone and
joined by separators), each at ``n`` characters and with ``!`` or a newline appended. The worst
input at ``n`` is timed again at ``4 n``: a linear pattern takes about 4x as long, a quadratic
one about 16x.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REGEX_KEYS = {"regex", "context", "sdk_use", "unless_sdk_use"}
NOT_REGEX = {"host_patterns"}  # `*.openai.azure.com`: globs
FILLS = ["a", "A", "0", "_", "-", " ", ".", "x", "X", "*", "$", "{", "}", "<", "[", "%", "/"]
FILLS += [":", "=", "\t", "é", "填", "ключ", "a_", "a-", "a ", "0a", "…", "+", "~"]
SEPARATORS = ("", "_", "-", " ", ".", "/")


def patterns(root: Path) -> list[tuple[str, str, str]]:
    """(file, key, pattern) of every regex in the YAML files under ``root``."""
    out: list[tuple[str, str, str]] = []

    def walk(node: Any, key: str | None, where: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k), where)
        elif isinstance(node, list):
            for v in node:
                walk(v, key, where)
        elif (
            isinstance(node, str)
            and key
            and key not in NOT_REGEX
            and (key in REGEX_KEYS or key.endswith(("_pattern", "_patterns")))
        ):
            out.append((where, key, node))

    for path in sorted(root.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), None, path.name)
    return out


def inputs(pattern: str, n: int) -> list[str]:
    words = sorted(set(re.findall(r"[A-Za-z0-9]{2,}|[^\x00-\x7f]+", pattern)))
    bodies = [(f * n)[:n] for f in FILLS]
    for w in words:
        bodies += [((w + sep) * (n // (len(w) + 1) + 1))[:n] for sep in SEPARATORS]
        bodies += [w + "a" * n, w + "_" + "a" * n, w + "-" + "a" * n, "a" * n + w]
    return [body + tail for body in bodies for tail in ("", "!", "\n")]


def _time(rx: re.Pattern[str], text: str) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        rx.search(text)
        rx.match(text)
        best = min(best, time.perf_counter() - start)
    return best


def main(root: str, n: int) -> None:
    for where, key, pattern in patterns(Path(root)):
        flags = re.IGNORECASE if where == "common.yaml" else 0  # as providers.py compiles
        rx = re.compile(pattern, flags)
        label = [where, key, pattern[:60]]
        print(json.dumps({"start": label}), flush=True)
        worst, worst_index = 0.0, 0
        for index, text in enumerate(inputs(pattern, n)):
            start = time.perf_counter()
            rx.search(text)
            rx.match(text)
            took = time.perf_counter() - start
            if took > worst:
                worst, worst_index = took, index
        small = _time(rx, inputs(pattern, n)[worst_index])
        large = _time(rx, inputs(pattern, 4 * n)[worst_index])
        print(json.dumps({"done": label, "small": small, "large": large}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
