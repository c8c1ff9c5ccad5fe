from __future__ import annotations

import random
import string
from collections.abc import Iterator

from keylint.checks import keyquality, keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Value
from keylint.findings import Category, Finding, Secret, Severity
from keylint.providers import KeyFormat


def _fake(n: int, seed: str) -> str:
    """Random text built at import time, so no key-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


_GROQ = "gsk_" + _fake(52, "kl105")
_SPACED = _GROQ[:24] + " " + _GROQ[24:]  # a space pasted into the middle


class DamagedProviderKey(Rule):
    """A provider key that was damaged on its way into the file is still a leaked key.

    ## What it does
    Finds values that claim a provider's key format by their prefix (`sk-proj-`, `ghp_`,
    `glpat-`, …) but do not match it as written: a space, a line break or an invisible
    character inside (the key matches once they are removed), or one character lost or
    gained (a truncated paste). KL101 cannot report these, because the text is not a key of
    the format; KL212, KL213 and KL221 report the damage. This rule reports the leak: almost
    all of the key is in the file, so whoever reads it holds the key (a brute force of one
    missing character is instant).

    Not reported: placeholders and lookups, bodies typed by hand (`sk-proj-aaaa…`), tests,
    documentation and example files (a broken key there is a fixture), and a dotenv file
    that git ignores.

    ## Why is this bad?
    The key works for anyone who repairs it; the API may reject the damaged copy, but the
    key itself is leaked and must be rotated — fixing the typo is not enough.

    ## Example
    ```python
    client = OpenAI(api_key="sk-proj-AbC… dEf…")  # a space pasted inside
    ```

    Use instead:
    ```python
    client = OpenAI()  # reads OPENAI_API_KEY; rotate the key that was committed
    ```

    ## References
    - CWE-798: Use of Hard-coded Credentials
    """

    code = "KL105"
    name = "damaged-provider-key"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    summary = "A provider key with a space or one character too few or many is still leaked."
    cwe = "CWE-798"
    precision = "high"
    examples = (
        Example("app.py", 'client = Groq(api_key="{key:groq-api-key}X")\n', ((1, 24),)),
        Example("app.py", f'client = Groq(api_key="{_SPACED}")\n', ((1, 24),)),
        Example(".env", f"GROQ_API_KEY={_GROQ[:-1]}\n", ((1, 14),)),
        Example("app.py", 'TOKEN = "ghp_ {key:github-token}"\n', ()),  # prefix + a whole key: KL101
        Example("app.py", 'client = Groq(api_key="{key:groq-api-key}")\n', ()),  # intact: KL101
        Example("app.py", 'client = Groq(api_key="gsk_...")\n', ()),  # a placeholder
        Example("tests/test_app.py", 'KEY = "{key:groq-api-key}X"\n', ()),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        path = ctx.file.path
        if ctx.file.git_ignored or ctx.file.is_example:
            return
        if keys.is_test_path(path) or keys.is_documentation(path):
            return
        rendered = keys.renders_templates(ctx.file.kind)
        for value in ctx.of(Value):
            if value.dynamic or (value.is_template and rendered):
                continue
            kt = keys.key_text(value)
            text = kt.text.strip()
            if not text or len(text) > 400 or len(text.split()) > 4:
                continue  # a sentence, not a pasted key
            fmt = self.damaged(text, ctx, rendered)
            if fmt is None:
                continue
            cleaned = keys.clean_key(text)
            secret = Secret.of(cleaned, fmt.prefix)
            start = kt.text.index(text)
            yield self.finding(
                ctx,
                kt.span(ctx.file, start, len(text)),
                f"{fmt.label} `{secret.redacted}` is hardcoded, damaged ("
                f"{self.how(text, cleaned, fmt)}); the key is still leaked: rotate it and "
                f"read it from the environment",
                provider=fmt.provider,
                secret=secret,
            )

    def damaged(self, text: str, ctx: FileContext, rendered: bool) -> KeyFormat | None:
        db = ctx.db
        cleaned = keys.clean_key(text)
        fmt = keys.claimed_format(cleaned, db)  # one anchored regex: most values stop here
        if fmt is None or not cleaned.startswith(fmt.prefix):
            return None
        if db.find_keys(text):
            return None  # the value holds an intact key: KL101 reports it
        if keys.is_placeholder(cleaned, db, rendered=rendered) or keys.is_lookup(cleaned, db):
            return None
        if keys.is_placeholder(text, db, rendered=rendered):
            return None
        whole = fmt.regex.fullmatch(cleaned) is not None
        if not whole and not keyquality.one_edit_from(cleaned, fmt):
            return None
        if keyquality.not_a_secret(cleaned, fmt) or not keys.key_like(cleaned, db):
            return None
        return fmt

    @staticmethod
    def how(text: str, cleaned: str, fmt: KeyFormat) -> str:
        if cleaned != text:
            return "it has whitespace or an invisible character inside"
        lengths = fmt.lengths
        if lengths and len(cleaned) < min(lengths):
            return f"{len(cleaned)} characters where the format has {min(lengths)}"
        if lengths and len(cleaned) > max(lengths):
            return f"{len(cleaned)} characters where the format has {max(lengths)}"
        return "one character lost or gained"
