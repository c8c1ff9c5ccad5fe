from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator

from keylint.checks import keyquality, keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.findings import Category, Finding, Secret, Severity
from keylint.providers import KeyFormat


def _fake(n: int, seed: str) -> str:
    """Random text built at import time, so no key-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


_ID = "LTAI" + _fake(20, "kl111-id")
_SECRET = _fake(30, "kl111-secret")
_NEAR = 5  # lines before or after the id where its secret counts as its own


class KeyPair(Rule):
    """An access key ID written next to its secret: a working credential pair.

    ## What it does
    Some providers split a credential into an ID that is not secret by itself and a secret
    that is useless without it: Alibaba Cloud's `LTAI…` AccessKey ID and its 30-character
    AccessKey secret. The ID alone is not reported (it is in logs, consoles and tickets);
    when its secret — a random value of the partner format (`pair:` in
    `rules/providers/*.yaml`) — sits within five lines, the ID is reported with it, as the
    credential pair it is.

    Not reported: an ID alone, a neighbour that is a placeholder or typed by hand, tests,
    and a file git ignores. Documentation counts: a real pair in a README is a leak. The
    secret itself is reported by its own rule (KL106 under a provider name, KL102 under a
    secret name).

    ## Why is this bad?
    ID and secret together sign requests as the account: anyone who reads the file can use
    them until the AccessKey is disabled.

    ## Example
    ```yaml
    ALIYUN_ACCESSKEY: LTAI…
    ALIYUN_SECRET: eHmI…
    ```

    Use instead: read both from the environment or a RAM role, and disable the AccessKey.

    ## References
    - CWE-798: Use of Hard-coded Credentials
    - betterleaks composite rules (`testdata/config/composite.toml`)
    """

    code = "KL111"
    name = "key-pair"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    summary = "An access key ID sits next to its secret: a working credential pair."
    cwe = "CWE-798"
    precision = "very-high"
    examples = (
        Example("deploy.yaml", f"aliyun:\n  id: {_ID}\n  secret: {_SECRET}\n", ((2, 7),)),
        Example(
            "docs/setup.md", f"```\nACCESS_KEY = '{_ID}'\nSECRET = '{_SECRET}'\n```\n", ((2, 15),)
        ),
        Example("deploy.yaml", f"aliyun:\n  id: {_ID}\n"),  # the id alone
        Example("deploy.yaml", f"aliyun:\n  id: {_ID}\n  secret: {'a' * 30}\n"),
        Example("tests/test_deploy.py", f'ID = "{_ID}"\nSECRET = "{_SECRET}"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        db = ctx.db
        # Docs and READMEs count: a real ID next to a random secret is a leak wherever it is.
        if ctx.file.git_ignored or keys.is_test_path(ctx.file.path):
            return
        text = ctx.file.text
        if not any(f.role == "id" and f.prefix and f.prefix in text for f in db.key_formats):
            return  # no identifier of a pair in the file (the common case)
        pairs = {f.id: f for f in db.key_formats}
        for start, end, fmt in db.find_keys(text):
            if fmt.role != "id" or fmt.pair is None:
                continue
            raw = ctx.file.text[start:end]
            if keys.is_placeholder(raw, db) or keyquality.made_up(raw, fmt):
                continue
            line, _ = ctx.file.position(start)
            partner = self.partner(ctx, line, raw, pairs[fmt.pair])
            if partner is None:
                continue
            secret_line, secret_text = partner
            shown = Secret.of(secret_text).redacted
            yield self.finding(
                ctx,
                ctx.file.span(start, end),
                f"{fmt.label} `{Secret.of(raw, fmt.prefix).redacted}` with its "
                f"{pairs[fmt.pair].label} `{shown}` on line {secret_line}: a working "
                f"credential pair; disable the key and read both from the environment",
                provider=fmt.provider,
                secret=Secret.of(raw, fmt.prefix),
            )

    def partner(
        self, ctx: FileContext, line: int, raw: str, secret_fmt: KeyFormat
    ) -> tuple[int, str] | None:
        """The nearest random value of the secret's format within a few lines."""
        pattern = re.compile(
            r"(?<![A-Za-z0-9_/+=])(?:" + secret_fmt.pattern + r")(?![A-Za-z0-9_/+=])"
        )
        last = len(ctx.file.text.splitlines())
        order = sorted(
            range(max(1, line - _NEAR), min(last, line + _NEAR) + 1), key=lambda n: abs(n - line)
        )
        for n in order:
            for m in pattern.finditer(ctx.file.line_text(n)):
                text = m.group(0)
                if text == raw or raw in text or not keys.looks_random(text):
                    continue
                if keys.is_placeholder(text, ctx.db) or keyquality.made_up(text, secret_fmt):
                    continue
                return n, text
        return None
