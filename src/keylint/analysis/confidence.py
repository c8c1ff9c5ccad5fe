"""The confidence policy, declared once (spec §8).

A rule states how sure its claim is from the text alone (``Rule.confidence``) and may lower
it for one finding from what it knows of the value (a model name only listed, a key name
built at run time). This policy then caps it by the role of the file: the same text means
less in a test, a template or generated code than in the application. Each rule's docs show
the resulting policy (``keylint rule CODE``).
"""

from __future__ import annotations

from collections.abc import Mapping

from keylint.analysis.roles import FileRole
from keylint.findings import Category, Confidence, Finding

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

# The highest confidence a finding of a category may have in a file of a role. A role not
# named for a category leaves the rule's confidence as it is.
CAPS: Mapping[Category, Mapping[FileRole, Confidence]] = {
    # A provider-format key is leaked wherever it is committed; the keyword and entropy rules
    # (which say so with their own medium confidence) meet dummy values in tests, docs and CI
    # service containers, and sentences in translation catalogues.
    Category.HARDCODED_SECRET: {FileRole.GENERATED: M, FileRole.I18N: L},
    # A CI job that sets a dummy key on purpose runs tests that never call the API.
    Category.PLACEHOLDER_KEY: {
        FileRole.HISTORY: L,
        FileRole.TEST: L,
        FileRole.GENERATED: L,
        FileRole.I18N: L,
        FileRole.CI: L,
    },
    Category.KEY_WHITESPACE: {
        FileRole.HISTORY: L,
        FileRole.TEST: L,
        FileRole.GENERATED: L,
        FileRole.I18N: L,
    },
    Category.MALFORMED_KEY: {
        FileRole.HISTORY: L,
        FileRole.TEST: L,
        FileRole.GENERATED: L,
        FileRole.I18N: L,
    },
    Category.ENV_VAR_NAME: {
        FileRole.HISTORY: L,
        FileRole.TEST: L,
        FileRole.GENERATED: L,
        FileRole.EXAMPLE: M,
    },
    # A dated record tells what was used then: nobody updates a 2023 blog post.
    Category.OUTDATED_ENDPOINT: {FileRole.HISTORY: L, FileRole.TEST: L, FileRole.GENERATED: L},
    # A model in a test goes to a mocked transport or a cassette; in generated SDK code it
    # is an entry of a type.
    Category.DEPRECATED_MODEL: {
        FileRole.HISTORY: L,
        FileRole.TEST: L,
        FileRole.GENERATED: L,
        FileRole.DOCS: M,
    },
    # A test of a removed API usually asserts that it raises.
    Category.DEPRECATED_SDK: {FileRole.HISTORY: L, FileRole.TEST: L, FileRole.GENERATED: L},
    Category.AUTH_HEADER: {FileRole.HISTORY: L, FileRole.TEST: L, FileRole.GENERATED: L},
    # Docs and templates show a dotenv file without saying which loader reads it; separate
    # code blocks of one page are alternatives, not one file.
    Category.RATE_LIMIT: {FileRole.TEST: L, FileRole.GENERATED: L, FileRole.DOCS: M},
    Category.DOTENV_SYNTAX: {
        FileRole.HISTORY: L,
        FileRole.TEST: L,
        FileRole.DOCS: L,
        FileRole.EXAMPLE: L,
    },
}
# Rules that say "this is a secret" from a keyword or entropy, not from a provider's format:
# dummy credentials live in tests, docs, templates and CI service containers (a compose
# file is often the deployment itself: its passwords stay as the rule says).
HEURISTIC_SECRET_CAPS: Mapping[FileRole, Confidence] = {
    FileRole.TEST: L,
    FileRole.DOCS: L,
    FileRole.EXAMPLE: L,
    FileRole.CI: L,
    FileRole.HISTORY: L,
}


def cap_for(category: Category, role: FileRole, heuristic_secret: bool = False) -> Confidence:
    cap = CAPS.get(category, {}).get(role, H)
    if heuristic_secret:
        cap = cap.at_most(HEURISTIC_SECRET_CAPS.get(role, H))
    return cap


def apply(finding: Finding, role: FileRole, heuristic_secret: bool = False) -> Finding:
    """``finding`` with its confidence capped for a file of ``role``."""
    cap = cap_for(finding.category, role, heuristic_secret)
    if finding.confidence.rank <= cap.rank:
        return finding
    return finding.with_confidence(cap, f"in {role.label}")


def describe(category: Category, heuristic_secret: bool = False) -> str:
    """The policy for one rule, as its docs show it."""
    lowered = [
        f"{cap_for(category, role, heuristic_secret).value} in {role.label}"
        for role in FileRole
        if cap_for(category, role, heuristic_secret) is not H
    ]
    return ", ".join(lowered)
