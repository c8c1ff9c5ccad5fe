"""Spans and facts are values: equal and hashed by their fields, and never assigned.

At run time they are not frozen (span.value_class: a frozen class's ``__setattr__`` made a
big file's facts cost twice as much to build); mypy, which CI runs on src/, still rejects
an assignment to a field. These tests pin both halves."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from pathlib import Path

from keylint import facts
from keylint.facts import Context, Origin, Span, Value


def _value() -> Value:
    span = Span(1, 2, 1, 9)
    return Value(span, "secret1", "secret1", "KEY", Origin.DOTENV, Context.CONFIG, span)


def test_values_are_equal_and_hashed_by_their_fields() -> None:
    a, b = _value(), _value()
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert dataclasses.replace(a, name="OTHER") != a
    assert Span(1, 2, 3, 4) == Span(1, 2, 3, 4) != Span(1, 2, 3, 5)
    assert hash(Span(1, 2, 3, 4)) == hash((1, 2, 3, 4))  # the frozen class's hash


def test_values_survive_a_trip_to_a_worker() -> None:
    value = _value()
    assert pickle.loads(pickle.dumps(value)) == value


def test_every_fact_class_is_a_slotted_value_class() -> None:
    classes = [c for c in vars(facts).values() if dataclasses.is_dataclass(c)]
    assert len(classes) >= 9
    for cls in [*classes, Span]:
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.eq and params.unsafe_hash and "__slots__" in vars(cls), cls


def test_mypy_rejects_an_assignment_to_a_field(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from keylint.facts import Span, Value\n"
        "def f(span: Span, value: Value) -> None:\n"
        "    span.line = 2\n"
        "    value.name = 'x'\n",
        encoding="utf-8",
    )
    src = Path(__file__).resolve().parent.parent / "src"
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", str(probe)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"MYPYPATH": str(src), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert 'Property "line" defined in "Span" is read-only' in run.stdout
    assert 'Property "name" defined in "Value" is read-only' in run.stdout
