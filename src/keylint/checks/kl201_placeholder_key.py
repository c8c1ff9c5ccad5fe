from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import names
from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import EnvRead, Origin, Role, Value
from keylint.findings import Category, Confidence, Finding, Secret, Severity

# Values that say "no key is needed here": local servers (vLLM, Ollama, LM Studio) and
# OpenAI-compatible gateways ignore the key, but the SDK insists on one.
_DELIBERATE = re.compile(
    r"(?:sk-)?(?:dummy|fake|unused|not[-_ ]?needed|no[-_ ]?key(?:[-_]required)?|none|empty|"
    r"ollama|lm[-_ ]?studio|local|vllm|test|ci)(?:[-_]?api)?(?:[-_]?key)?",
    re.IGNORECASE,
)


class PlaceholderKey(Rule):
    """A placeholder where running code or a real dotenv file takes the key.

    ## What it does
    Reports a placeholder in a key slot: a keyword argument or attribute (`api_key=`,
    `openai.api_key =`), a variable the SDK reads (`OPENAI_API_KEY=` in `.env`, `export`,
    compose and workflow `env:`), a configuration key (`api_key:` in YAML), or the
    credential of an `Authorization` header (`Bearer YOUR_API_KEY`).

    Placeholders are the vocabulary of `rules/common.yaml`: `YOUR_API_KEY`, `<your-key>`,
    `sk-...`, `sk-xxxx`, `changeme`, runs of one character (`xxxxxxxx`), "fill in" text in
    other languages (`此处填API密钥`), and, in Python, template markers used as the key
    itself (`"{{ API_KEY }}"`, `"%(openai_key)s"`, `"${OPENAI_API_KEY}"`, `"<…>"`: Python
    does not render them) or the variable's name instead of its value
    (`api_key="OPENAI_API_KEY"`). In files a tool renders (YAML, dotenv, shell, workflows),
    `${X}`, `${{ secrets.X }}` and `{{ env.X }}` are lookups, not placeholders.

    A generic slot (a bare `key:`, `token:`, `s3_key`) needs a placeholder that says it is
    one (`<your-token>`, `xxxx`, `sk-...`), since `example` or `$ref` there is more often
    some other setting; a value that names its own slot (`TOKEN = "token"`) is an enum or
    a field name, except when passed to a call (`OpenAI(api_key="api_key")`). A
    placeholder as an `os.getenv("OPENAI_API_KEY", "sk-...")` fallback is reported as a
    warning: it is sent whenever the variable is unset.

    Not reported in example files, READMEs and `docs/` (placeholders there are correct),
    nor in prose formats (`.rst`, `.txt`, `.html`, package `METADATA`), nor in tests
    (`tests/`, `test_*.py`, `conftest.py`, `.env.test`), which pass dummy keys to mocked
    clients on purpose. An empty key is KL202.

    ## Why is this bad?
    The SDK sends the placeholder as the key and the API answers 401
    (`invalid_api_key`, "Incorrect API key provided: YOUR_API_KEY"); the real key the user
    set in the environment is silently overridden by the literal.

    ## Example
    ```python
    client = OpenAI(api_key="YOUR_API_KEY")
    ```

    Use instead:
    ```python
    client = OpenAI()  # reads OPENAI_API_KEY
    ```

    ## References
    - `rules/common.yaml`: `placeholder_words`, `placeholder_patterns`, `lookup_patterns`
    """

    code = "KL201"
    name = "placeholder-key"
    category = Category.PLACEHOLDER_KEY
    severity = Severity.ERROR
    confidence_notes = (
        "low for a settings-class default the environment overrides and for a deliberate "
        "dummy (`dummy`, `not-needed`, `EMPTY`) given to a server that needs no key"
    )
    summary = "A placeholder is used where running code or a real config takes the API key."
    applies_to_examples = False
    examples = (
        Example("app.py", 'client = OpenAI(api_key="YOUR_API_KEY")\n', ((1, 26),)),
        Example("app.py", 'import openai\nopenai.api_key = "sk-..."\n', ((2, 19),)),
        Example("app.py", 'client = Anthropic(api_key="{{ ANTHROPIC_API_KEY }}")\n', ((1, 29),)),
        Example("app.py", 'cfg = {"api_key": "%(openai_key)s"}\n', ((1, 20),)),
        Example("app.py", 'OpenAI(api_key="OPENAI_API_KEY")\n', ((1, 17),)),
        Example(
            ".env", "OPENAI_API_KEY=your-key-here\nGROQ_API_KEY=gsk_xxxxxxxx\n", ((1, 16), (2, 14))
        ),
        Example(".env", "DEEPSEEK_API_KEY=此处填API密钥\n", ((1, 18),)),
        Example("config.yaml", "llm:\n  api_key: <your-key>\n", ((2, 12),)),
        Example(
            "call.sh",
            'curl https://api.openai.com/v1/models -H "Authorization: Bearer YOUR_API_KEY"\n',
            ((1, 65),),
        ),
        Example("app.py", 'key = os.getenv("OPENAI_API_KEY", "sk-your-key")\n', ((1, 36),)),
        Example(".env.example", "OPENAI_API_KEY=your-key-here\n"),
        Example("README.md", '```python\nclient = OpenAI(api_key="YOUR_API_KEY")\n```\n'),
        Example("tests/test_client.py", 'client = OpenAI(api_key="test")\n'),
        Example(
            ".github/workflows/ci.yml", "env:\n  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n"
        ),
        Example("config.yaml", "llm:\n  api_key: ${OPENAI_API_KEY}\n  key: example\n"),
        Example("app.py", 'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'),
        Example("kinds.py", 'class Kind(Enum):\n    TOKEN = "token"\n    API_KEY = "api-key"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if keys.is_test_path(ctx.file.path) or keys.is_documentation(ctx.file.path):
            return
        db = ctx.db
        rendered = keys.renders_templates(ctx.file.kind)
        settings_lines = {
            read.span.line for read in ctx.of(EnvRead) if read.how.startswith("pydantic-settings")
        }
        for value in ctx.of(Value):
            if value.dynamic or not keys.runs(value) or (value.is_template and rendered):
                continue
            if value.role is Role.COMPARED:
                continue  # `if api_key == "YOUR_API_KEY":` guards against the placeholder
            if not names.is_key_slot(value.name, db):
                continue
            if value.is_template and names.is_auth_header(value.name):
                continue  # `"Bearer {key}"` never formatted: the auth-header rules' finding
            kt = keys.key_text(value)
            scheme, text = keys.strip_scheme(kt.text.strip())  # `Bearer <key>` in a key slot
            if not text.strip():
                continue  # empty: KL202
            reason = self.reason(ctx, value, text, rendered)
            if reason is None:
                continue
            start = kt.text.index(kt.text.strip()) + scheme
            confidence, why = self.confidence, None
            padded = kt.text[:2].isspace() and kt.text[-2:].isspace()
            if padded:  # aligned columns in a file of options: a template to fill in
                confidence, why = Confidence.LOW, "padded on both sides: a template's column"
            elif value.span.line in settings_lines:
                confidence, why = Confidence.LOW, "a settings default the environment overrides"
            elif _DELIBERATE.fullmatch(text.strip()):
                confidence, why = Confidence.LOW, "a deliberate dummy for a server that needs none"
            yield self.finding(
                ctx,
                kt.span(ctx.file, start, len(text)),
                self.message(ctx, value, text, reason),
                severity=Severity.WARNING if value.origin is Origin.DEFAULT else None,
                confidence=confidence,
                reason=why,
            )

    def reason(self, ctx: FileContext, value: Value, text: str, rendered: bool) -> str | None:
        db = ctx.db
        strong = names.is_strong_key_slot(value.name, db)
        if value.origin is Origin.DEFAULT and not strong:
            return None
        passed = value.origin is Origin.KWARG or keys.is_sdk_binding(value, db)
        # `OpenAI(api_key="OPENAI_API_KEY")`, `OpenAI(api_key="api_key")`: a name in quotes
        quoted_name = keys.is_env_name_value(text, db) or keys.names_itself(text, value.name)
        if not rendered and strong and passed and quoted_name:
            return "name"
        if keys.names_itself(text, value.name):
            return None  # `TOKEN = "token"`: an enum member or a field naming itself
        if strong and keys.is_placeholder(text, db, empty=False, rendered=rendered):
            return "placeholder"
        if not strong and keys.is_keyish_placeholder(text, db, rendered=rendered):
            return "placeholder"
        return None

    def message(self, ctx: FileContext, value: Value, text: str, reason: str) -> str:
        shown = text if keys.is_plain_placeholder(text, ctx.db) else Secret.of(text).redacted
        where = self.slot(value)
        if reason == "name":  # an identifier: safe to show
            return (
                f"`{text}` is a name in quotes, not a key: {where} gets the literal text; "
                f"pass the variable, or let the SDK read its environment variable"
            )
        if value.origin is Origin.DEFAULT:
            return (
                f"placeholder `{shown}` is the fallback for `{value.name}`: when the variable "
                f"is unset the SDK sends it and gets 401; drop the default"
            )
        return (
            f"placeholder `{shown}` is used as {where}: the API rejects it with 401; "
            f"put the real key in the environment (or a git-ignored .env)"
        )

    @staticmethod
    def slot(value: Value) -> str:
        if names.is_auth_header(value.name):
            return f"the `{value.name}` credential"
        if value.origin in (Origin.DOTENV, Origin.ENV):
            return f"the value of `{value.name}`"
        return f"`{value.qualname or value.name}`"
