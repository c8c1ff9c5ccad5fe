"""What a run keeps of a file once the file is done: nothing that waits for the cyclic
garbage collector, nothing kept for the next file.

keylint tunes the collector to run rarely (scheduler._tune_gc), so a file's parsed tree
caught in a reference cycle stays alive long after the file, and a long run's memory grows
with the files it has seen (the lib tree's peak grew by 30 MB that way). These tests hold
the two ways that happened: the Python visitor's method table (a cycle through the whole
tree) and module-level "last file" memos.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from keylint.checks.base import FileContext
from keylint.config import Settings
from keylint.engine import Engine, FileResult
from keylint.extract import extract
from keylint.source import SourceFile

# A file most rules look at: keys in key slots (KL211-KL225's shared memo), a Kubernetes
# Secret check (KL110's memo), env reads, headers, a loop.
PYTHON = """\
import os
import openai

openai.api_key = " sk-proj-abc "
API_KEY = "sk-ant-api03-\u200bxyz"
client = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"])
headers = {"Authorization": "Bearer " + os.getenv("TOKEN", "")}


def ask(prompt: str) -> str:
    for attempt in range(3):
        try:
            return client.chat.completions.create(model="gpt-4", messages=[prompt])
        except openai.RateLimitError:
            continue
    return ""
"""
YAML = """\
apiVersion: v1
kind: Secret
metadata:
  name: api
stringData:
  OPENAI_API_KEY: " sk-proj-abc "
"""


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_python_file_leaves_no_cyclic_garbage(collector_off: None) -> None:
    engine = Engine(Settings())
    source = "\n".join(PYTHON for _ in range(20))  # ~6,000 AST nodes
    file = SourceFile.from_text("app.py", source)
    facts = extract(file, engine.db).facts
    assert facts
    # Before the visitor released its method table, this found every node of the tree.
    assert gc.collect() < 50


# What each file gives: the rules that keep per-file memos (KL110's manifest check, KL211's
# suspect keys, KL221's slot keys) ran on it.
EXPECTED = {
    "app.py": [
        ("KL102", 5, 12),
        ("KL211", 4, 19),
        ("KL211", 4, 31),
        ("KL213", 5, 25),
        ("KL221", 4, 20),
        ("KL221", 5, 12),
        ("KL451", 13, 58),
        ("KL802", 14, 9),
        ("KL803", 14, 9),
    ],
    "secret.yaml": [("KL110", 6, 20), ("KL211", 6, 20), ("KL211", 6, 32), ("KL221", 6, 21)],
}


@pytest.mark.parametrize(
    ("path", "text"), [("app.py", PYTHON), ("secret.yaml", YAML)], ids=["python", "k8s-secret"]
)
def test_nothing_keeps_a_checked_file(
    collector_off: None, monkeypatch: pytest.MonkeyPatch, path: str, text: str
) -> None:
    engine = Engine(Settings())
    contexts: list[weakref.ref[FileContext]] = []
    original = FileContext.__init__

    def remember(self: FileContext, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        contexts.append(weakref.ref(self))

    monkeypatch.setattr(FileContext, "__init__", remember)
    prepared = engine.prepare(path, text.encode())
    assert not isinstance(prepared, FileResult)
    result = engine.check_file(prepared)
    found = [(f.rule, f.span.line, f.span.column) for f in result.findings]
    assert found == EXPECTED[path]
    assert contexts
    # Freed by reference counting alone, as soon as the engine returned.
    assert sum(ref() is not None for ref in contexts) == 0
