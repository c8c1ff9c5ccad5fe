from __future__ import annotations

from collections.abc import Iterator

from keylint import names
from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Value
from keylint.findings import Category, Finding, Secret, Severity
from keylint.providers import KeyFormat

SlotKey = tuple[keys.KeyText, str, int]


def slot_keys(ctx: FileContext) -> list[SlotKey]:
    """(key text, key, start of the key in the text) of every key slot's value that is not
    a placeholder or a lookup (placeholder-key wins), with surrounding whitespace removed.
    Computed once per file for the five malformed-key rules (in the file's own cache)."""
    found: list[SlotKey] | None = ctx.cache.get("slot_keys")
    if found is None:
        found = ctx.cache["slot_keys"] = list(_slot_keys(ctx))
    return found


def _slot_keys(ctx: FileContext) -> Iterator[SlotKey]:
    db = ctx.db
    rendered = keys.renders_templates(ctx.file.kind)
    for value in ctx.of(Value):
        if value.dynamic or not keys.runs(value) or (value.is_template and rendered):
            continue
        if not names.is_key_slot(value.name, db):
            continue
        kt = keys.key_text(value)
        text = kt.text.strip()
        if not text or keys.is_lookup(text, db, rendered=rendered):
            continue
        if keys.is_placeholder(keys.strip_scheme(text)[1], db, rendered=rendered):
            continue
        yield kt, text, kt.text.index(text)


def doubled_prefix(text: str, ctx: FileContext) -> str | None:
    """``sk-sk-proj-…`` / ``gsk_gsk_…``: the prefix that is written twice."""
    prefixes = {f.prefix for f in ctx.db.prefixed_formats if len(f.prefix) >= 3}
    for prefix in sorted(prefixes, key=len, reverse=True):
        if not text.startswith(prefix):
            continue
        rest = text[len(prefix) :]
        if any(
            rest.startswith(p) for p in prefixes if p.startswith(prefix) or prefix.startswith(p)
        ):
            return prefix
    return None


class MalformedKey(Rule):
    """A key that starts like a provider's key but breaks its format: truncated, too long,
    or with characters that format never has.

    ## What it does
    For a value in a key slot whose prefix claims a provider's format (`rules/providers/`:
    `gsk_` is Groq, `sk-ant-api03-` Anthropic, `AIza` Google, `sk-proj-` OpenAI, `hf_`
    Hugging Face, …) but that matches none of that prefix's formats, reports why: a
    character outside the format's alphabet (the finding sits on it), a length the format
    never has (shorter: truncated when copied; longer: something was appended), or another
    difference (a missing `T3BlbkFJ` marker, an Anthropic key not ending in `AA`).

    Only strict prefixes claim a format: `sk-` alone is shared by OpenAI's legacy keys,
    DeepSeek and every OpenAI-compatible gateway, so `sk-1234` is not reported. A
    placeholder is KL201, not this (one defect, one category); whitespace, invisible and
    typographic characters are KL21x and are removed before the format is checked. In
    example files, docs and tests a key that breaks its format is an illustration, not a
    bug, and is not reported.

    ## Why is this bad?
    The provider rejects it with 401 (`invalid_api_key`, "Incorrect API key provided"),
    which reads like a revoked key; the real cause is a bad copy.

    ## Example
    ```shell
    GROQ_API_KEY=gsk_8fJ2kq…   # 30 characters: Groq keys have 56
    ```

    Use instead: copy the whole key again from the provider's console.

    ## References
    - gitleaks rules (github.com/gitleaks/gitleaks, cmd/generate/config/rules/) for the formats
    - continuedev/continue#10161 (a Groq key sent to xAI: 400 "Incorrect API key provided")
    """

    code = "KL221"
    name = "malformed-key"
    category = Category.MALFORMED_KEY
    severity = Severity.ERROR
    summary = "A key claims a provider's format by its prefix but breaks it."
    examples = (
        Example(".env", "GROQ_API_KEY=gsk_Ab12Cd34Ef56Gh78Ij90\n", ((1, 14),)),
        Example(
            "app.py", 'genai.Client(api_key="AIzaSyAb12Cd34Ef56Gh78Ij90Kl12Mn34Op5$")\n', ((1, 60),)
        ),
        Example("config.yaml", "anthropic:\n  api_key: {key:anthropic-api-key}XYZ\n", ((2, 12),)),
        Example(".env", "OPENAI_API_KEY=sk-1234\nGROQ_API_KEY={key:groq-api-key}\n"),
        Example(".env", "GROQ_API_KEY=gsk_xxxxxxxx\n"),
        Example("README.md", "```shell\nexport GROQ_API_KEY=gsk_Ab12Cd34Ef56\n```\n"),
        Example("tests/test_llm.py", 'Groq(api_key="gsk_fake12345")\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        path = ctx.file.path
        if ctx.file.is_example or keys.is_test_path(path) or keys.is_documentation(path):
            return
        db = ctx.db
        for kt, text, start in slot_keys(ctx):
            if keys.strip_scheme(text)[0] or doubled_prefix(text, ctx):
                continue  # KL223, KL222
            cleaned = keys.clean_key(text)
            fmt = keys.claimed_format(cleaned, db)
            if fmt is None or any(
                f.regex.fullmatch(cleaned) for f in db.formats_claimed_by(cleaned)
            ):
                continue
            yield self.report(ctx, kt, text, start, cleaned, fmt)

    def report(
        self,
        ctx: FileContext,
        kt: keys.KeyText,
        text: str,
        start: int,
        cleaned: str,
        fmt: KeyFormat,
    ) -> Finding:
        secret = Secret.of(cleaned, fmt.prefix)
        allowed = keys.allowed_chars(fmt)
        body = range(len(fmt.prefix), len(text))
        bad = next((i for i in body if text[i] not in allowed and text == cleaned), None)
        if bad is not None:
            char = text[bad]
            return self.finding(
                ctx,
                kt.span(ctx.file, start + bad, 1),
                f"`{char if char.isprintable() else repr(char)}` (U+{ord(char):04X}) is not "
                f"part of the {fmt.label} format (`{secret.redacted}`): the key was damaged "
                f"when copied; the API will answer 401",
                provider=fmt.provider,
                secret=secret,
            )
        n = len(cleaned)
        lengths = " or ".join(str(x) for x in fmt.lengths)
        if fmt.lengths and n < min(fmt.lengths):
            why = f"has {n} characters where the {fmt.label} format has {lengths}: truncated?"
        elif fmt.lengths and n not in fmt.lengths:
            why = f"has {n} characters where the {fmt.label} format has {lengths}: extra text?"
        else:
            why = f"does not match the {fmt.label} format"
        return self.finding(
            ctx,
            kt.span(ctx.file, start, len(text)),
            f"key `{secret.redacted}` {why}; the API will answer 401 — copy it again",
            provider=fmt.provider,
            secret=secret,
        )
