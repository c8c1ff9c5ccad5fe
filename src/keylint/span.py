"""Where a fact or a finding is: the one type both the extractors' facts and the findings
(and so every reporter) share. Its own module so that a run whose files all fail the
prefilter imports the findings and reporters without the facts model.

This module imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
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
