from __future__ import annotations

from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Origin, Span, Value
from keylint.findings import Category, Confidence, Finding, Fix, Severity
from keylint.providers import Provider

_NAMES = {" ": "space", "\t": "tab", "\n": "line break (LF)", "\r": "carriage return (CR)"}


def describe(char: str) -> str:
    return _NAMES.get(char, f"U+{ord(char):04X}")


def stripping_sdk(provider: Provider | None) -> str | None:
    """The provider's SDK that strips whitespace from the key, when rules/ data says so."""
    if provider is None:
        return None
    sdk = provider.section("sdk")
    if isinstance(sdk, dict):
        strips = sdk.get("strips_key_whitespace")
        if isinstance(strips, str):
            return strips
        if strips is True:
            packages = sdk.get("packages") or [provider.id]
            return str(packages[0])
    return None


def provider_of(ctx: FileContext, kt: keys.KeyText) -> Provider | None:
    fmt = keys.claimed_format(keys.clean_key(kt.text), ctx.db)
    if fmt is not None:
        return ctx.db.by_id.get(fmt.provider)
    return keys.provider_for_value(kt.value, ctx.db)


class KeySurroundingWhitespace(Rule):
    """A key with whitespace before or after it that the SDK will send.

    ## What it does
    Reports leading or trailing whitespace that is part of a key's value: inside quotes
    (`api_key = "sk-… "`, `OPENAI_API_KEY=" sk-…"`, `"api_key": "sk-…\\n"` in JSON, a
    `\\n` escape at the end), the final line break a YAML `|` block keeps, and trailing
    spaces or tabs after an unquoted dotenv value. The finding sits on the first offending
    character; the fix deletes the whitespace.

    Loaders differ on the unquoted dotenv case: `docker run --env-file` keeps trailing
    whitespace as part of the value, while python-dotenv, docker compose, Node's dotenv and
    bash `source` strip it — so it is reported as a warning, for the day the file is given
    to docker. Whitespace that every loader strips (outside quotes in YAML, shell word
    splitting) is never reported.

    ## Why is this bad?
    The openai, anthropic, groq, together and perplexity SDKs send the key as given through
    httpx and h11 (httpx 0.28.1 + h11 0.16.0, h11 `_abnf.py`): a trailing
    newline, space or tab makes h11 refuse the request client-side —
    `h11.LocalProtocolError: Illegal header value b'Bearer sk-abc\\n'`, surfaced as
    `APIConnectionError`, which looks like a network problem — and a leading space is sent
    as `Bearer  sk-abc` and answered with 401. google-genai strips the key
    (`api_key.strip()`) and huggingface_hub removes CR/LF and strips it, but curl, raw
    `requests`/`httpx` calls and other SDKs do not; when rules/ data marks a provider's SDK
    as stripping, the finding is a warning.

    ## Example
    ```python
    client = OpenAI(api_key="sk-proj-… ")
    ```

    Use instead:
    ```python
    client = OpenAI(api_key="sk-proj-…")
    ```

    ## References
    - h11 `_abnf.py`: `field_content = field_vchar+(?:[ \\t]+field_vchar+)*`
    - docker/cli `pkg/kvfile/kvfile.go` (`--env-file` keeps trailing whitespace)
    """

    code = "KL211"
    name = "key-surrounding-whitespace"
    category = Category.KEY_WHITESPACE
    severity = Severity.ERROR
    confidence_notes = "low when both sides are padded by two or more spaces (aligned columns)"
    fixable = "sometimes"
    fix_applicability = "safe"
    summary = "A key has leading or trailing whitespace that is sent with it."
    examples = (
        Example("app.py", 'client = OpenAI(api_key="{key:openai-project-key} ")\n', ((1, 190),)),
        Example(".env", 'GROQ_API_KEY=" {key:groq-api-key}"\n', ((1, 15),), git_ignored=True),
        Example(".env", "XAI_API_KEY={key:xai-api-key}  \n", ((1, 97),), git_ignored=True),
        Example("config.json", '{"api_key": "{key:google-api-key}\\n"}\n', ((1, 53),)),
        Example(
            "config.yaml", "anthropic:\n  api_key: |\n    {key:anthropic-api-key}\n", ((3, 113),)
        ),
        Example("run.sh", 'export HF_TOKEN="{key:huggingface-token}\t"\n', ((1, 55),)),
        Example(".env", "XAI_API_KEY={key:xai-api-key}  # production\n", (), git_ignored=True),
        Example("config.yaml", "anthropic:\n  api_key:   {key:anthropic-api-key}   \n"),
        Example("app.py", 'client = OpenAI(api_key=" YOUR_API_KEY ")\n'),
        Example("app.py", 'greeting = " hello world "\nsep_key = " "\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for kt in keys.suspect_keys(ctx):
            yield from self.surrounding(ctx, kt)
            finding = self.dotenv_trailing(ctx, kt.value) or self.block_scalar(ctx, kt)
            if finding is not None:
                yield finding

    def surrounding(self, ctx: FileContext, kt: keys.KeyText) -> Iterator[Finding]:
        text = kt.text
        lead = len(text) - len(text.lstrip("".join(keys.ASCII_WHITESPACE)))
        trail = len(text) - len(text.rstrip("".join(keys.ASCII_WHITESPACE)))
        if kt.units is None and text.endswith("\n"):
            trail = 0  # a YAML block scalar's line break: see block_scalar
        sdk = stripping_sdk(provider_of(ctx, kt))
        # Spaces on both sides, two or more each: a column alignment someone chose (a
        # loader of their own strips it), not a copy-paste accident.
        aligned = lead >= 2 and trail >= 2
        if lead and lead < len(text):
            span = kt.span(ctx.file, 0, lead)
            yield self.report(ctx, span, f"leading {describe(text[0])}", sdk, "lead", aligned)
        if trail and trail < len(text):
            span = kt.span(ctx.file, len(text) - trail, trail)
            what = f"trailing {describe(text[-trail])}"
            yield self.report(ctx, span, what, sdk, "trail", aligned)

    def report(
        self,
        ctx: FileContext,
        span: Span,
        what: str,
        sdk: str | None,
        side: str,
        aligned: bool = False,
    ) -> Finding:
        effect = (
            "h11 refuses to send it (`Illegal header value`, raised as APIConnectionError)"
            if side == "trail"
            else "httpx sends `Bearer  <key>` and the API answers 401"
        )
        note = f"; {sdk} strips it, other clients do not" if sdk else ""
        return self.finding(
            ctx,
            span,
            f"{what} in the key: {effect}{note}",
            fix=Fix(span, "", f"remove the {what}"),
            severity=Severity.WARNING if sdk else None,
            confidence=Confidence.LOW if aligned else None,
            reason="padding on both sides looks deliberate (aligned columns)" if aligned else None,
        )

    def dotenv_trailing(self, ctx: FileContext, value: Value) -> Finding | None:
        """``KEY=value  ``: docker --env-file keeps the spaces, python-dotenv drops them."""
        if (
            value.origin is not Origin.DOTENV
            or value.quote
            or value.span.line != value.span.end_line
        ):
            return None
        raw = value.raw
        kept = raw.rstrip(" \t")
        if kept == raw or not kept:
            return None
        line = ctx.file.line_text(value.span.line)
        after = line[value.span.column - 1 + len(raw) :]
        if after.strip():
            return None  # an inline comment follows: the dotenv-syntax rules' business
        span = keys.raw_span(ctx.file, value, len(kept), len(raw))
        what = describe(raw[len(kept)])
        return self.finding(
            ctx,
            span,
            f"trailing {what} after the unquoted key: `docker run --env-file` keeps it as part of "
            f"the value (h11 then refuses the header); python-dotenv and compose strip it",
            fix=Fix(span, "", "remove the trailing whitespace"),
            severity=Severity.WARNING,
        )

    def block_scalar(self, ctx: FileContext, kt: keys.KeyText) -> Finding | None:
        """``api_key: |`` keeps the final line break, which the source text does not show."""
        value = kt.value
        if value.quote or not value.value.endswith("\n") or value.raw.endswith("\n"):
            return None
        span = Span.point(value.span.end_line, value.span.end_column, 1)
        return self.finding(
            ctx,
            span,
            "the YAML block scalar keeps its final line break in the key: h11 refuses to send "
            "it (`Illegal header value`); use `|-` or a plain scalar",
        )
