"""What the code does with a value: the difference between a model that is *sent* and a
model name that is merely *listed* (spec §8: "a model name is used where it is sent or
configured, not where it is listed, compared or counted")."""

from __future__ import annotations

import re
from enum import Enum

from keylint.facts import Origin, Role, Value


class ValueUse(str, Enum):
    SENT = "sent"  # an argument of a call that is not local-only; a request body
    CONFIGURED = "configured"  # bound to a name: assignment, default, config or dotenv value
    LISTED = "listed"  # an entry of a list/tuple/set, a type literal, a mapping key, a table
    COMPARED = "compared"  # compared or prefix-checked: code that tests for a name
    LOCAL = "local"  # only used locally: a tokenizer, token counting, a log or print call
    PROSE = "prose"  # a comment, a docstring, Markdown prose, notebook output
    UNPLACED = "unplaced"  # a bare string keylint cannot follow (a return value, a token)


# Calls that use a model or key name on this machine only: tokenizers, token counters,
# pricing and context-window lookups, logging, printing, i18n and plain string methods.
_LOCAL_CALL = re.compile(
    r"(?:^|\.)(?:encoding_for_model|get_encoding|encode|decode|tokenize|tokenizer|"
    r"count_tokens|num_tokens\w*|token_count\w*|get_max_tokens|get_context_window\w*|"
    r"model_cost\w*|cost_per_token|print|echo|log|debug|info|warning|warn|error|exception|"
    r"critical|format|join|split|replace|strip|lower|upper|_|gettext|ngettext|t|i18n|"
    r"get|pop|setdefault|getattr|hasattr|isinstance|len|str|repr|deprecated|warn_\w*|"
    r"add_argument|option|argument|Field|field|describe|it|test|parametrize)$"
)
# Functions and classes that only count, cut or price text by model (tokenizers, limits).
_LOCAL_NAME = re.compile(
    r"tiktoken|tokeni[sz]|token_?(?:count|limit)|(?:count|num|limit)\w*_tokens?|max_?tokens|"
    r"context_?(?:window|length)|breakdown|truncat|cost|pric",
    re.IGNORECASE,
)
# Names whose value describes rather than configures: `help=`, `"placeholder":`, `title:`.
_PROSE_NAME = re.compile(
    r"(?:placeholder|example|examples|description|desc|help|comment|label|tooltip|title|"
    r"message|msg|docs?|hint|text)$",
    re.IGNORECASE,
)


def value_use(value: Value) -> ValueUse:
    """The use of ``value`` from its context, syntactic role, name and the call around it."""
    if not value.context.runs:
        return ValueUse.PROSE
    if value.role is Role.COMPARED:
        return ValueUse.COMPARED
    if value.role in (Role.ELEMENT, Role.KEY, Role.TYPE):
        return ValueUse.LISTED
    if value.call is not None and (
        _LOCAL_CALL.search(value.call) or _LOCAL_NAME.search(value.call)
    ):
        return ValueUse.LOCAL
    if value.call is None and value.qualname and value.qualname.endswith(")"):
        # `def count_tokens(text, model="gpt-4")`: a parameter default, qualname `f(model)`
        function = value.qualname.split("(", 1)[0]
        if _LOCAL_NAME.search(function):
            return ValueUse.LOCAL
    name = value.name or ""
    if name and _PROSE_NAME.search(re.split(r"[.:\[\]]", name)[-1] or name):
        return ValueUse.LOCAL
    if value.call is not None:
        return ValueUse.SENT
    if value.origin in (Origin.LITERAL, Origin.TOKEN) and value.name is None:
        return ValueUse.UNPLACED
    return ValueUse.CONFIGURED


_WORD = re.compile(r"[^\W\d_]{2,}[.,:;!?)]?")


def is_sentence(text: str) -> bool:
    """Natural language, not a key: two or more words of letters (any script) between
    spaces ("Set this to your API key", "API キーがありません"), or a phrase of non-ASCII text.
    A key damaged by a space keeps its digits and symbols on both sides of the space."""
    words = text.split()
    if len(words) < 2:
        return False
    letter_words = sum(1 for w in words if _WORD.fullmatch(w))
    return letter_words >= 2 or any(not w.isascii() and _WORD.match(w) for w in words)
