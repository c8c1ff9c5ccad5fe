"""The shared model every extractor yields and every rule reads.

An extractor turns one file (Python, dotenv, YAML, JSON, TOML, a notebook or plain text)
into a list of *facts*: a string value and the name it is bound to, an environment variable
read or defined, an HTTP header, a use of an SDK symbol, a dotenv line. Each fact carries the
exact span of its token in the physical file. Rules never look at syntax trees, so a rule
written once applies to every file kind that yields the fact it reads.

This module imports nothing of the project but :mod:`keylint.span` (architecture rule:
floor 1).
"""

from __future__ import annotations

from dataclasses import field
from enum import Enum

from keylint.span import Span as Span  # re-exported: extractors and rules import it here
from keylint.span import value_class


class Context(str, Enum):
    """What the text around a fact is: it decides which rules apply."""

    CODE = "code"  # executable source: Python, shell, JS, Dockerfile, a Markdown code block
    CONFIG = "config"  # a value in a data file: dotenv, YAML, JSON, TOML, INI
    COMMENT = "comment"  # a code comment
    PROSE = "prose"  # Markdown text, inline code spans, docstrings
    OUTPUT = "output"  # notebook cell output

    @property
    def runs(self) -> bool:
        """True where a value is used by a program (code and configuration)."""
        return self in _RUNNING  # asked of every fact of a big file


# A frozenset of the members: ``Context.CODE`` is a slow class-attribute lookup on 3.11.
_RUNNING = frozenset({Context.CODE, Context.CONFIG})


class Role(str, Enum):
    """Where a value sits in the syntax around it (extractors set it; ``analysis`` reads
    meaning into it). A value an extractor cannot place is ``DIRECT``."""

    DIRECT = "direct"  # bound to a name, passed as an argument, a mapping value
    ELEMENT = "element"  # an item of a list/tuple/set literal or a YAML/JSON/TOML array
    KEY = "key"  # a mapping key
    TYPE = "type"  # inside a type expression: Literal["a", "b"], an annotation
    COMPARED = "compared"  # compared or tested: ==, in, .startswith(...), match/case


class Origin(str, Enum):
    """How a value is bound to its name."""

    ASSIGN = "assign"  # name = "value"; obj.attr = "value"
    KWARG = "kwarg"  # call(name="value")
    ARG = "arg"  # call("value") as a positional argument
    MAPPING = "mapping"  # {"name": "value"}, YAML/JSON/TOML key: value
    DOTENV = "dotenv"  # NAME=value in a dotenv file
    ENV = "env"  # export NAME=value, ENV NAME value, compose/workflow env entry
    DEFAULT = "default"  # os.getenv("NAME", "value"): a fallback default
    LITERAL = "literal"  # a string with no name bound to it
    TOKEN = "token"  # a key-shaped token found by the plain-text extractor


@value_class(frozen=True, slots=True)
class Value:
    """A string value as a loader or the program sees it, with its source text.

    ``span`` covers the value's text without surrounding quotes; ``raw`` is that source text
    exactly as written (escapes undecoded), ``value`` the decoded string. For a value built
    from pieces (implicit concatenation, an f-string) ``value`` holds the literal parts and
    ``dynamic`` is true.
    """

    span: Span
    value: str
    raw: str
    name: str | None
    origin: Origin
    context: Context
    name_span: Span | None = None
    qualname: str | None = (
        None  # "openai.api_key", "OpenAI.api_key" (call kwarg), "env.OPENAI_API_KEY"
    )
    quote: str = ""  # the quote character(s) around the value in the source, "" if unquoted
    dynamic: bool = False
    is_template: bool = False  # a string that looks like a template but is not formatted
    role: Role = Role.DIRECT
    call: str | None = None  # the callee when the value is an argument of a call ("f" or "a.b")


@value_class(frozen=True, slots=True)
class EnvRead:
    """Code or configuration reads an environment variable by name."""

    name: str
    span: Span  # span of the name
    context: Context
    how: str  # "os.getenv", "os.environ[]", "$VAR", "${VAR}", "process.env", "${{ env.X }}"
    has_default: bool = False


@value_class(frozen=True, slots=True)
class EnvDef:
    """A file defines an environment variable (dotenv, compose, workflow, Dockerfile, export)."""

    name: str
    span: Span  # span of the name
    context: Context
    how: str  # "dotenv", "export", "compose", "workflow", "dockerfile"
    value: Value | None = None


@value_class(frozen=True, slots=True)
class EnvDynamic:
    """Code reads or sets environment variables whose names keylint cannot see: a name built
    at run time (``os.environ[name]``, ``os.getenv(f"{p}_KEY")``) or ``os.environ.update(d)``
    (a loader copying a config file into the environment)."""

    span: Span
    writes: bool


@value_class(frozen=True, slots=True)
class Header:
    """An HTTP header given in code, configuration, a curl command or docs.

    ``parts`` is the header value as a sequence of literal text (str) and dynamic pieces
    (None), so ``"Bearer" + key`` is ``("Bearer", None)`` and ``f"Bearer {key}"`` is
    ``("Bearer ", None)``. ``template`` names an unformatted template marker if the value is a
    plain string containing one (``"Bearer {key}"`` without ``f``, ``'Bearer $KEY'`` in single
    quotes in shell).
    """

    name: str
    name_span: Span
    value_span: Span
    parts: tuple[str | None, ...]
    context: Context
    how: str  # "python.dict", "curl", "yaml", "json", "text", "js"
    template: str | None = None
    host: str | None = None  # the host the request goes to, when the extractor knows it

    @property
    def literal(self) -> str:
        """The value with each dynamic piece shown as ``{…}``."""
        return "".join("{…}" if p is None else p for p in self.parts)


@value_class(frozen=True, slots=True)
class SdkUse:
    """A use of an SDK symbol, import-resolved: ``openai.ChatCompletion.create``."""

    symbol: str  # fully qualified after resolving imports and aliases
    span: Span
    how: str  # "call", "attribute", "except", "import", "kwarg", "assign"
    detail: str | None = None  # e.g. the keyword name for "kwarg"


@value_class(frozen=True, slots=True)
class DotenvEntry:
    """One logical line of a dotenv file, as the lexer saw it (for dotenv-syntax rules)."""

    key: str
    key_span: Span
    line_span: Span
    value: Value | None  # None when the line has no '='
    export: bool = False
    space_before_eq: bool = False
    space_after_eq: bool = False
    separator: str = "="  # "=" or ":" (YAML-ish lines node dotenv accepts)
    unterminated_quote: bool = False
    inline_comment: bool = False
    multiline: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


@value_class(frozen=True, slots=True)
class Handler:
    """An ``except`` clause inside a loop: what it catches and what its body does."""

    span: Span  # the ``except`` keyword
    types: tuple[str, ...]  # import-resolved names of the caught types (empty: bare except)
    calls: tuple[str, ...]  # import-resolved callees called in the body
    strings: tuple[str, ...]  # string constants in the body (`e.code == "..."`)
    exits: bool  # a raise, return or break anywhere in the body
    ends: str  # kind of the body's last statement: "raise", "return", "break", "continue", ""


@value_class(frozen=True, slots=True)
class Loop:
    """A ``for``/``while`` loop of Python code that calls an SDK or catches exceptions.

    Syntax only: the rate-limit rules decide what a retry, a backoff or a cap is.
    """

    span: Span  # the whole statement
    keyword: Span  # ``for`` / ``while``
    infinite: bool  # ``while True`` / ``while 1``: it ends only by break, return or raise
    calls: tuple[tuple[str, Span], ...]  # import-resolved callees in the body, with spans
    handlers: tuple[Handler, ...]  # except clauses of try statements in the body
    guarded_exit: bool  # a raise/break/return under an ``if`` of the body, outside handlers


Fact = Value | EnvRead | EnvDef | EnvDynamic | Header | SdkUse | DotenvEntry | Loop
