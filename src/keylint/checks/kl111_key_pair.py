from __future__ import annotations

import random
import re
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


_ID = "LTAI" + _fake(20, "kl111-id")
_SECRET = _fake(30, "kl111-secret")
_NEAR = 5  # lines before or after the id where its secret counts as its own


def _guid(seed: str) -> str:
    rng = random.Random(seed)
    return "-".join(
        "".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)
    )


_TENANT = _guid("kl111-tenant")
_CLIENT = _guid("kl111-client")
_AZ_SECRET = "Ab1" + "8Q~" + _fake(34, "kl111-azure-secret")


def _literal(fmt: KeyFormat) -> str:
    """Text every key of ``fmt`` contains: its prefix or its inner marker."""
    return fmt.prefix or fmt.marker or ""


class KeyPair(Rule):
    """An access key ID written next to its secret: a working credential pair.

    ## What it does
    Some providers split a credential into an ID that is not secret by itself and a secret
    that is useless without it: Alibaba Cloud's `LTAI…` AccessKey ID and its 30-character
    AccessKey secret; Microsoft Entra ID's tenant and application (client) IDs, GUIDs
    found by their name (`AZURE_TENANT_ID`, `clientId`, … — the format's `context`), and
    the app's `…Q~…` client secret. The ID alone is not reported (it is in logs, consoles
    and tickets); when its secret — a random value of the partner format (`pair:` in
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
        Example(
            ".env",
            f"AZURE_TENANT_ID={_TENANT}\nAZURE_CLIENT_ID={_CLIENT}\n"
            f"AZURE_CLIENT_SECRET={_AZ_SECRET}\n",
            ((1, 17), (2, 17)),
        ),
        Example(
            "appsettings.json",
            f'{{"AzureAd": {{\n  "TenantId": "{_TENANT}",\n  "ClientSecret": "{_AZ_SECRET}"}}}}\n',
            ((2, 16),),
        ),
        Example(".env", f"AZURE_TENANT_ID={_TENANT}\nAZURE_CLIENT_ID={_CLIENT}\n"),
        Example(".env", f"AZURE_TENANT_ID={_TENANT}\nAZURE_CLIENT_SECRET=changeme\n"),
        Example("config.py", f'request_id = "{_TENANT}"\nclient_secret = "{_AZ_SECRET}"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        db = ctx.db
        # Docs and READMEs count: a real ID next to a random secret is a leak wherever it is.
        if ctx.file.git_ignored or keys.is_test_path(ctx.file.path):
            return
        pairs = {f.id: f for f in db.key_formats}
        for start, end, fmt in self.ids(ctx, pairs):
            raw = ctx.file.text[start:end]
            if keys.is_placeholder(raw, db) or keyquality.made_up(raw, fmt):
                continue
            line, _ = ctx.file.position(start)
            assert fmt.pair is not None
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

    def ids(
        self, ctx: FileContext, pairs: dict[str, KeyFormat]
    ) -> Iterator[tuple[int, int, KeyFormat]]:
        """(start, end, format) of each identifier of a pair: by its prefix in the text
        (`LTAI…`), or, for a prefix-less ID (an Entra tenant or client GUID), as a value
        whose name matches the format's `context` — only in a file where the partner's
        prefix or marker (`Q~`) appears, the common case being a file with none."""
        text = ctx.file.text
        formats = [f for f in ctx.db.key_formats if f.role == "id" and f.pair is not None]
        if any(f.prefix and f.prefix in text for f in formats):
            for start, end, fmt in ctx.db.find_keys(text):
                if fmt.role == "id" and fmt.pair is not None:
                    yield start, end, fmt
        named = [f for f in formats if not f.prefix and f.context is not None]
        named = [f for f in named if (_literal(pairs[f.pair or ""]) or "\0") in text]
        if not named:
            return
        for value in ctx.of(Value):
            if value.name is None or value.dynamic or value.is_template:
                continue
            for fmt in named:
                assert fmt.context is not None
                if fmt.context.search(value.name) and fmt.regex.fullmatch(value.value):
                    span = value.span
                    start = ctx.file.offset(span.line, span.column)
                    yield start, ctx.file.offset(span.end_line, span.end_column), fmt
                    break

    def partner(
        self, ctx: FileContext, line: int, raw: str, secret_fmt: KeyFormat
    ) -> tuple[int, str] | None:
        """The nearest random value of the secret's format within a few lines."""
        # `=` ends base64 but starts a dotenv value (`SECRET=…`): not a boundary before.
        pattern = re.compile(
            r"(?<![A-Za-z0-9_/+])(?:" + secret_fmt.pattern + r")(?![A-Za-z0-9_/+=])"
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
