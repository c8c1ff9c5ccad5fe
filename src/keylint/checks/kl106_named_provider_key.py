from __future__ import annotations

import random
import string
from collections.abc import Iterator

from keylint.checks import keyquality, keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Value
from keylint.findings import Category, Finding, Secret, Severity


def _fake(n: int, seed: str, alphabet: str = string.ascii_letters + string.digits) -> str:
    """Random text built at import time, so no key-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


_HEX = "0123456789abcdef"
_SNYK = "-".join(_fake(n, f"snyk{n}", _HEX) for n in (8, 4, 4, 4, 12))
_OKTA = "00" + _fake(40, "okta")


class NamedProviderKey(Rule):
    """A provider key without a prefix, recognised by the name it is stored under and its
    exact shape.

    ## What it does
    Some services issue keys with no prefix of their own: a Snyk token is a UUID, an Okta
    API token is `00` and 40 characters, a Mailgun key 32 hex digits, an Alibaba Cloud
    AccessKey secret 30 alphanumerics. Such a value is a key when both its name says which
    service (`SNYK_TOKEN`, `okta_api_token`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`) and it has
    exactly that service's shape. The pairs are data (`context` with `standalone: true` in
    `rules/providers/*.yaml`); detect-secrets' entropy limits, which reject UUIDs and hex,
    do not apply.

    Not reported: placeholders and lookups, typed bodies (`00000000-…`), tests and example
    files, and a dotenv file that git ignores.

    ## Why is this bad?
    The value is the service's credential; anyone who reads the file can use it until it is
    rotated.

    ## Example
    ```yaml
    env:
      SNYK_TOKEN: 3f2b8c1e-…
    ```

    Use instead:
    ```yaml
    env:
      SNYK_TOKEN: ${{ secrets.SNYK_TOKEN }}
    ```

    ## References
    - CWE-798: Use of Hard-coded Credentials
    """

    code = "KL106"
    name = "named-provider-key"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    summary = "A prefix-less provider key, known by its variable's name and exact shape."
    cwe = "CWE-798"
    precision = "high"
    examples = (
        Example(".github/workflows/scan.yml", f"env:\n  SNYK_TOKEN: {_SNYK}\n", ((2, 15),)),
        Example("settings.py", f'OKTA_API_TOKEN = "{_OKTA}"\n', ((1, 19),)),
        Example("settings.py", f'REQUEST_ID = "{_SNYK}"\n'),  # a UUID under another name
        Example("settings.py", 'SNYK_TOKEN = "00000000-0000-0000-0000-000000000000"\n'),
        Example("tests/test_ci.py", f'SNYK_TOKEN = "{_SNYK}"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        db = ctx.db
        if not db.standalone_formats or ctx.file.git_ignored or ctx.file.is_example:
            return
        if keys.is_test_path(ctx.file.path):
            return
        rendered = keys.renders_templates(ctx.file.kind)
        for value in ctx.of(Value):
            if value.dynamic or not value.name or (value.is_template and rendered):
                continue
            if not keys.standalone_formats_for(value.name, db):
                continue  # most names: no format's context (`SNYK_TOKEN`) is in them
            kt = keys.key_text(value)
            text = kt.text.strip()
            fmt = keys.standalone_format(value.name, text, db)
            if fmt is None:
                continue
            if keys.is_placeholder(text, db, rendered=rendered) or keys.is_lookup(text, db):
                continue
            if keyquality.made_up(text, fmt):
                continue
            secret = Secret.of(text)
            yield self.finding(
                ctx,
                kt.span(ctx.file, kt.text.index(text), len(text)),
                f"{fmt.label} `{secret.redacted}` is hardcoded in `{value.name}`; read it "
                f"from the environment or a secret store, and rotate it",
                provider=fmt.provider,
                secret=secret,
            )
