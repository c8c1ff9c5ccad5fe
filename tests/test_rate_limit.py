"""Rate-limit rules (KL801–KL803): messages, spans and the limits of what counts as a retry."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import lint, positions
from keylint.cli import cli
from keylint.findings import Category

WORKER = """\
import time
import openai

client = openai.OpenAI(max_retries=0)

def run(jobs):
    for job in jobs:
        while True:
            try:
                client.chat.completions.create(model=m, messages=job)
                break
            except openai.RateLimitError:
                continue
"""


def test_a_loop_that_retries_at_once_and_forever() -> None:
    findings = lint("worker.py", WORKER)
    assert [(f.rule, f.span.line, f.span.column, f.span.end_column) for f in findings] == [
        ("KL802", 12, 13, 19),
        ("KL803", 12, 13, 19),
    ]
    assert findings[0].category is Category.RATE_LIMIT
    assert findings[0].message == (
        "this retry on the rate-limit error retries at once, with no wait between attempts "
        "and never stops (`while True` at line 8): wait with exponential backoff and give up "
        "after a few attempts"
    )
    assert findings[1].message == (
        "every rate-limit error is retried, but a 429 with code `insufficient_quota` (no "
        "credits or a hard spending limit) never succeeds on retry: check the error's code "
        "and stop"
    )


def test_max_retries_zero_is_reported_where_no_handler_catches_the_429() -> None:
    source = WORKER.replace("except openai.RateLimitError", "except KeyError")
    findings = [f for f in lint("worker.py", source) if f.rule == "KL801"]
    assert positions(findings) == [(4, 24)]
    assert findings[0].span.end_column == 37
    assert findings[0].message == (
        "`max_retries=0` turns off the SDK's retries with backoff, and the client is called "
        "in a loop (line 10) that neither catches the rate-limit error nor waits: the first "
        "429 of the run stops it"
    )


def test_a_call_inside_a_function_defined_in_the_loop_is_not_the_loop_s() -> None:
    source = (
        "import openai\n\nclient = openai.OpenAI(max_retries=0)\n"
        "for job in jobs:\n    def send(j):\n"
        "        return client.chat.completions.create(model=m, messages=j)\n"
        "    callbacks.append(send)\n"
    )
    assert positions(lint("worker.py", source), "KL801") == []


def test_old_sdk_exception_names_count_too() -> None:
    source = (
        "import time\nimport openai\n\nwhile True:\n    try:\n        return call()\n"
        "    except openai.error.RateLimitError:\n        time.sleep(5)\n"
    )
    assert positions(lint("old.py", source), "KL802") == [(7, 5)]


def test_the_category_is_selectable_from_the_cli(tmp_path: Path) -> None:
    (tmp_path / "worker.py").write_text(WORKER, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["check", "--isolated", "--select", "rate-limit", "--format", "json", str(tmp_path)]
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert sorted({f["rule"] for f in report["findings"]}) == ["KL802", "KL803"]
    assert {f["category"] for f in report["findings"]} == {"rate-limit"}
