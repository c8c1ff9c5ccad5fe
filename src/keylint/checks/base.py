"""What a rule is: a small class with its code, docs, examples and a check over facts.

A rule's docstring is its documentation, in ruff's sections (``## What it does``,
``## Why is this bad?``, ``## Example``, ``Use instead:``, ``## References``); ``keylint rule
CODE`` prints it and SARIF's ``help`` is built from it. ``examples`` are run as tests for
every rule (tests/test_rule_examples.py), so the docs and the behaviour never drift apart.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from keylint.analysis import FileRole, ValueUse, file_role, value_use
from keylint.facts import Fact, Span, Value
from keylint.findings import Category, Confidence, Finding, Fix, Secret, Severity
from keylint.providers import ProviderDB
from keylint.source import SourceFile
from keylint.span import value_class

F = TypeVar("F")


@value_class(frozen=True)
class Example:
    """A file and where this rule must report in it; no ``expect`` means it must stay quiet.

    In ``source``, ``{key:FORMAT_ID}`` is replaced by a fake key of that format at test time
    (so no key-shaped literal is ever committed), ``{key:FORMAT_ID:N}`` by the N-th one.
    ``expect`` lists (line, column) of every finding of this rule, in order.
    """

    path: str
    source: str
    expect: tuple[tuple[int, int], ...] = ()
    git_ignored: bool = False


@dataclass
class FileContext:
    """What a rule sees of one file: its text, its facts and the provider data."""

    file: SourceFile
    facts: Sequence[Fact]
    db: ProviderDB
    # package -> version spec the project pins (detected when a rule first asks)
    pins: Mapping[str, str] = field(default_factory=dict)
    # Work shared by several rules on this file (e.g. model names for KL451 and KL452).
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def role(self) -> FileRole:
        """The role of this file (analysis layer): app, test, docs, template, i18n…"""
        return file_role(self.file.path, self.file.text[:600])

    def use(self, value: Value) -> ValueUse:
        """What the code does with ``value``: sent, configured, listed, compared…"""
        return value_use(value)

    def of(self, kind: type[F]) -> Iterator[F]:
        """The facts of one type, in file order (grouped once per file: ~50 rules ask)."""
        groups: dict[type, list[Any]] | None = self.cache.get("_by_type")
        if groups is None:
            groups = {}
            for fact in self.facts:
                groups.setdefault(type(fact), []).append(fact)
            self.cache["_by_type"] = groups
        return iter(groups.get(kind, ()))


class Rule:
    """Base class of every rule. Subclasses set the class attributes and override check()."""

    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity] = Severity.ERROR
    summary: ClassVar[str]  # one sentence: SARIF shortDescription, `keylint rules`
    examples: ClassVar[Sequence[Example]] = ()
    cwe: ClassVar[str | None] = None  # "CWE-798"
    precision: ClassVar[str] = "high"  # SARIF precision: very-high / high / medium / low
    # Rules that also apply in example/doc files (all but placeholder-key).
    applies_to_examples: ClassVar[bool] = True
    # How sure the rule's claim is from the text alone (spec §8); the engine caps it by the
    # role of the file (analysis.confidence), a rule may lower it per finding.
    confidence: ClassVar[Confidence] = Confidence.HIGH
    # A secret found by keyword or entropy, not by a provider's format: dummy values in
    # tests, docs, templates and CI service containers are expected.
    heuristic_secret: ClassVar[bool] = False
    # Codes of rules that report the same defect better: where one of them reports on the
    # same span (only possible when it is selected), this rule's finding is dropped.
    yields_to: ClassVar[tuple[str, ...]] = ()
    # When the rule itself lowers the confidence of one finding (shown by `keylint rule`).
    confidence_notes: ClassVar[str] = ""
    # The fact type without which this rule finds nothing (None: it reads the text or many
    # kinds of fact). The engine runs such a rule only on files that yield that fact, and
    # imports a module listed in checks.DEFERRED only then.
    needs: ClassVar[type | None] = None
    # Whether findings carry a fix (ruff's FixAvailability) and how safe it is.
    fixable: ClassVar[str] = "never"  # "never" | "sometimes" | "always"
    fix_applicability: ClassVar[str | None] = None  # "safe" | "unsafe" | "safe/unsafe"

    def check(self, ctx: FileContext) -> Iterable[Finding]:
        return ()

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def confidence_policy(cls) -> str:
        """The rule's confidence policy in one paragraph (spec §8)."""
        from keylint.analysis import confidence

        text = f"{cls.confidence.value}"
        if cls.confidence_notes:
            text += f"; {cls.confidence_notes}"
        caps = confidence.describe(cls.category, cls.heuristic_secret)
        if caps:
            text += f"; at most {caps}"
        if cls.yields_to:
            text += f". Yields to {', '.join(cls.yields_to)} on the same span when it is selected"
        return text + "."

    def finding(
        self,
        ctx: FileContext,
        span: Span,
        message: str,
        *,
        provider: str | None = None,
        secret: Secret | None = None,
        fix: Fix | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        reason: str | None = None,
    ) -> Finding:
        confidence = confidence or self.confidence
        return Finding(
            rule=self.code,
            name=self.name,
            category=self.category,
            severity=severity or self.severity,
            path=ctx.file.path,
            span=span,
            message=message,
            provider=provider,
            secret=secret,
            fix=fix,
            confidence=confidence,
            confidence_reason=reason if confidence is not self.confidence else None,
        )


@dataclass
class ProjectContext:
    """What a cross-file rule sees: the facts of every file it asked for."""

    files: Sequence[FileContext]
    db: ProviderDB
    pins: Mapping[str, str] = field(default_factory=dict)
    extra_env_names: tuple[str, ...] = ()  # settings: the project's own names, never flagged


class ProjectRule(Rule):
    """A rule that needs the whole project (cross-file env var names).

    ``wants`` selects the fact types the engine keeps for it, so the facts of the many files
    that have none of them are not carried across processes.
    """

    wants: ClassVar[tuple[type, ...]] = ()

    def check_project(self, project: ProjectContext) -> Iterable[Finding]:
        return ()


def rule_sections_missing(rule: type[Rule]) -> list[str]:
    """The doc sections a rule's docstring lacks (checked by a test, like ruff's doc lint)."""
    docs = rule.docs()
    required = ("## What it does", "## Why is this bad?", "## Example")
    return [s for s in required if s not in docs]
