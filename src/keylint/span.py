"""Where a fact or a finding is: the one type both the extractors' facts and the findings
(and so every reporter) share. Its own module so that a run whose files all fail the
prefilter imports the findings and reporters without the facts model.

This module imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

__all__ = ["Span", "value_class"]

if TYPE_CHECKING:
    # mypy sees the real decorator: assigning a field of a value is a type error (CI runs
    # mypy on src/), as it would be an error at run time.
    from dataclasses import dataclass as value_class
else:

    def value_class(*, frozen: bool = True, **options: Any) -> Any:
        """``dataclass(frozen=True, ...)`` as mypy checks it, without the frozen
        ``__setattr__`` at run time: a frozen class sets each field through
        ``object.__setattr__`` (a Span cost 0.75 µs to build, 0.3 µs unfrozen), and a big
        file builds hundreds of thousands of spans and facts. Creating the class is cheaper
        too: without the frozen ``__setattr__`` and ``__delattr__`` (each compiled with
        ``exec`` at import on Python 3.11) a class costs ~0.26 ms instead of ~0.46 ms, and the
        one-file pre-commit run creates some thirty of them. Equality and hashing are the
        frozen class's (``unsafe_hash``: from the fields)."""
        assert frozen, "value classes are frozen for mypy"
        return dataclass(unsafe_hash=True, **options)


@value_class(frozen=True, slots=True)
class Span:
    """A region of a file: 1-based lines and columns, end column exclusive.

    Columns count Unicode code points (Python ``str`` indices); reporters convert to other
    units (SARIF's UTF-16 code units) when they need to.
    """

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int, length: int = 0) -> Span:
        return cls(line, column, line, column + length)
