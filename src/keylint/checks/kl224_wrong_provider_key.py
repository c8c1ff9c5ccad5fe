from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import names
from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl221_malformed_key import slot_keys
from keylint.facts import EnvDef, Header, SdkUse, Span, Value
from keylint.findings import Category, Finding, Secret, Severity
from keylint.providers import KeyFormat, Provider

# A setting that sends the SDK somewhere else (an OpenAI-compatible gateway): then a key of
# another provider in OPENAI_API_KEY is deliberate.
_BASE_URL = re.compile(r"(?i)(?:^|_)(?:base_?url|api_?base|base|endpoint|api_?host|host)$")


def _parent(qualname: str | None) -> str:
    return qualname.rsplit(".", 1)[0] if qualname and "." in qualname else ""


def _redirected(ctx: FileContext, provider: Provider, key: Value) -> bool:
    """The file points the provider's SDK at another base URL: the provider's own variable
    (`OPENAI_BASE_URL`), a sibling setting of the key (`base_url:` next to `api_key:`), or a
    `base_url=` argument / `openai.base_url =` in code."""
    stem = provider.key_env[0].split("_")[0] if provider.key_env else provider.id.upper()
    for fact in ctx.facts:
        if isinstance(fact, SdkUse):
            name = fact.detail if fact.how == "kwarg" else fact.symbol.rsplit(".", 1)[-1]
            if name and _BASE_URL.search(name):
                return True
            continue
        if (
            not isinstance(fact, (Value, EnvDef))
            or not fact.name
            or not _BASE_URL.search(fact.name)
        ):
            continue
        if fact.name.startswith(stem + "_"):
            return True
        if isinstance(fact, Value) and _parent(fact.qualname) == _parent(key.qualname):
            return True
    return False


class WrongProviderKey(Rule):
    """A key of one provider where another provider's key is expected.

    ## What it does
    Reports a key whose format belongs to provider A (by its strict prefix in
    `rules/providers/`) in a slot of provider B: in B's environment variable
    (`sk-ant-…` in `OPENAI_API_KEY`, `gsk_…` in `XAI_API_KEY` — `key_env` in the data), in
    B's SDK (`OpenAI(api_key="gsk_…")`, `openai.api_key = "sk-ant-…"`), or in an
    `Authorization` header sent to B's host (`gsk_…` to `api.x.ai`).

    Using an SDK against another provider's OpenAI-compatible endpoint is legitimate
    (`OPENAI_API_KEY=gsk_…` with `OPENAI_BASE_URL=https://api.groq.com/openai/v1`), so
    nothing is reported when the same file sets a base URL (`OPENAI_BASE_URL`,
    `OPENAI_API_BASE`, `base_url=`); since that can also be set elsewhere, the finding is
    a warning.

    ## Why is this bad?
    The key goes to a provider that never issued it, which answers 401 or 400 —
    "Incorrect API key provided: gs***" when a Groq key is sent to xAI
    (continuedev/continue#10161, #11704); Grok and Groq are easy to confuse
    (microsoft/vscode-copilot-release#10940).

    ## Example
    ```shell
    XAI_API_KEY=gsk_…
    ```

    Use instead:
    ```shell
    GROQ_API_KEY=gsk_…
    XAI_API_KEY=xai-…
    ```

    ## References
    - continuedev/continue#10161, SciSharp/BotSharp#386 (a key of one provider sent to another)
    """

    code = "KL224"
    name = "wrong-provider-key"
    category = Category.MALFORMED_KEY
    severity = Severity.WARNING
    summary = "A key of one provider is used where another provider's key is expected."
    examples = (
        Example(".env", "XAI_API_KEY={key:groq-api-key}\n", ((1, 13),), git_ignored=True),
        Example(".env", "OPENAI_API_KEY={key:anthropic-api-key}\n", ((1, 16),), git_ignored=True),
        Example(
            "app.py",
            'import openai\nclient = openai.OpenAI(api_key="{key:groq-api-key}")\n',
            ((2, 33),),
        ),
        Example(
            ".env",
            "OPENAI_API_KEY={key:groq-api-key}\nOPENAI_BASE_URL=https://api.groq.com/openai/v1\n",
            (),
            git_ignored=True,
        ),
        Example(
            "app.py",
            'import openai\nc = openai.OpenAI(api_key="{key:groq-api-key}", base_url=GROQ_URL)\n',
        ),
        Example(".env", "GROQ_API_KEY={key:groq-api-key}\n", (), git_ignored=True),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        db = ctx.db
        for kt, text, start in slot_keys(ctx):
            expected = keys.provider_for_value(kt.value, db)
            if expected is None:
                continue
            fmt = self.format(keys.clean_key(text), ctx)
            if fmt is None or fmt.provider == expected.id or _redirected(ctx, expected, kt.value):
                continue
            where = (
                f"`{kt.value.name}`"
                if kt.value.name in db.env_to_provider
                else (f"the {expected.name} SDK (`{kt.value.qualname or kt.value.name}`)")
            )
            yield self.report(ctx, kt.span(ctx.file, start, len(text)), text, fmt, expected, where)
        yield from self.headers(ctx)

    @staticmethod
    def format(text: str, ctx: FileContext) -> KeyFormat | None:
        fmt = keys.format_of(text, ctx.db)
        if fmt is not None and fmt.strict:
            return fmt
        return keys.claimed_format(text, ctx.db)

    def headers(self, ctx: FileContext) -> Iterator[Finding]:
        """``Authorization: Bearer gsk_…`` sent to ``api.x.ai``."""
        for header in ctx.of(Header):
            if not header.host or not names.is_auth_header(header.name) or None in header.parts:
                continue
            expected = next((p for p in ctx.db.providers if p.matches_host(header.host)), None)
            if expected is None:
                continue
            literal = header.literal
            key = keys.strip_scheme(literal.strip())[1]
            fmt = self.format(keys.clean_key(key), ctx)
            if fmt is None or fmt.provider == expected.id:
                continue
            offset = literal.index(key) if key in literal else 0
            span = Span(
                header.value_span.line,
                header.value_span.column + offset,
                header.value_span.line,
                header.value_span.column + offset + len(key),
            )
            yield self.report(ctx, span, key, fmt, expected, f"a request to `{header.host}`")

    def report(
        self,
        ctx: FileContext,
        span: Span,
        text: str,
        fmt: KeyFormat,
        expected: Provider,
        where: str,
    ) -> Finding:
        secret = Secret.of(text, fmt.prefix)
        owner = ctx.db.by_id[fmt.provider].name
        return self.finding(
            ctx,
            span,
            f"{fmt.label} `{secret.redacted}` in {where}: {expected.name} did not issue it and "
            f"answers 401; use the {owner} variable or client, or set the base URL of "
            f"{owner}'s compatible endpoint",
            provider=fmt.provider,
            secret=secret,
        )
