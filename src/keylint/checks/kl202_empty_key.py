from __future__ import annotations

from collections.abc import Iterator

from keylint import names
from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Origin, Span, Value
from keylint.findings import Category, Finding, Severity


class EmptyKey(Rule):
    """An empty string that flows straight into the API key.

    ## What it does
    Reports an empty (or blank) key where it goes straight to the SDK or the API:
    `openai.api_key = ""`, `OpenAI(api_key="")` (any call's `api_key=`-like keyword),
    `os.environ["OPENAI_API_KEY"] = ""`, an SDK variable defined empty in a real dotenv file
    (`OPENAI_API_KEY=`), by `export`, in a compose or workflow `env:`, and an
    `Authorization: Bearer ` header with nothing after the scheme.

    Not reported: `os.getenv("OPENAI_API_KEY", "")` and other defaults, and configuration
    defaults (`api_key: ""` in YAML, `api_key: str = ""` in a class), which mean "not
    configured"; example files, docs and tests.

    ## Why is this bad?
    An empty variable is not an unset one: `load_dotenv()` sets `OPENAI_API_KEY` to `""`,
    the SDK finds it and does not fall back to anything. openai 1.x then sends no
    `Authorization` header and the API answers 401 "You didn't provide an API key"; older
    clients failed with `Illegal header value b'Bearer '` (openai/openai-python#961,
    langchain-ai/langchain#21261). A value with only spaces fails in h11 the same way.

    ## Example
    ```shell
    # .env
    OPENAI_API_KEY=
    ```

    Use instead:
    ```shell
    # .env (git-ignored)
    OPENAI_API_KEY=sk-proj-…
    ```

    ## References
    - openai/openai-python#961, langchain-ai/langchain#21261 (`Illegal header value b'Bearer '`)
    """

    code = "KL202"
    name = "empty-key"
    category = Category.PLACEHOLDER_KEY
    severity = Severity.ERROR
    summary = "An empty string is passed or loaded as the API key."
    applies_to_examples = False
    examples = (
        Example("app.py", 'import openai\nopenai.api_key = ""\n', ((2, 18),)),
        Example("app.py", "client = OpenAI(api_key='')\n", ((1, 25),)),
        Example(".env", "OPENAI_API_KEY=\nOPENAI_MODEL=\n", ((1, 1),)),
        Example(".env", 'ANTHROPIC_API_KEY=""\n', ((1, 19),), git_ignored=True),
        Example("run.sh", 'export OPENAI_API_KEY=""\n', ((1, 23),)),
        Example("app.py", 'headers = {"Authorization": "Bearer "}\n', ((1, 30),)),
        Example("app.py", 'key = os.getenv("OPENAI_API_KEY", "")\n'),
        Example("config.yaml", 'openai:\n  api_key: ""\n'),
        Example("settings.py", 'class Settings:\n    api_key: str = ""\n'),
        Example(".env.example", "OPENAI_API_KEY=\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if keys.is_test_path(ctx.file.path) or keys.is_documentation(ctx.file.path):
            return
        for value in ctx.of(Value):
            if value.value.strip() and not names.is_auth_header(value.name):
                continue  # the cheap test first: almost every value is not empty
            if value.dynamic or not keys.runs(value):
                continue
            kt = keys.key_text(value)
            if kt.text.strip() or not self.flows_into_key(ctx, value, kt):
                continue
            yield self.finding(ctx, self.where(value, kt), self.message(value, kt))

    @staticmethod
    def flows_into_key(ctx: FileContext, value: Value, kt: keys.KeyText) -> bool:
        db = ctx.db
        if names.is_auth_header(value.name):
            return kt.offset > 0 or not value.value  # `Bearer ` with nothing after it
        if value.origin in (Origin.DOTENV, Origin.ENV):
            return keys.provider_for_name(value.name, db) is not None
        if value.origin is Origin.KWARG:
            return names.is_strong_key_slot(value.name, db)
        if value.origin is Origin.ASSIGN:
            return names.is_key_slot(value.name, db) and keys.is_sdk_binding(value, db)
        return False

    @staticmethod
    def where(value: Value, kt: keys.KeyText) -> Span:
        """The value's first character if it has any (blank, or a scheme alone); the opening
        quote of ``""``; the name of an unquoted empty dotenv value."""
        if value.value:
            return kt.start
        if value.quote:
            return Span.point(value.span.line, value.span.column - len(value.quote), 1)
        if value.name_span is not None:
            return value.name_span
        return kt.start

    @staticmethod
    def message(value: Value, kt: keys.KeyText) -> str:
        if names.is_auth_header(value.name):
            return f"`{value.name}` header has a scheme but no credential: h11 rejects it"
        what = "blank" if value.value else "empty"
        if value.origin in (Origin.DOTENV, Origin.ENV):
            return (
                f"`{value.name}` is set to an {what} value: the SDK reads it instead of failing "
                f'over, sends no usable key and gets 401 "You didn\'t provide an API key"; '
                f"remove the line or set the key"
            )
        return (
            f"{what} string passed as the API key (`{value.qualname or value.name}`): the API "
            f"answers 401; pass nothing and let the SDK read its environment variable"
        )
