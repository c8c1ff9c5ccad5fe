from __future__ import annotations

import base64
import random
import re
import string
from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.findings import Category, Finding, Secret, Severity
from keylint.patterns import LazyPattern


def _fake(n: int, seed: str) -> str:
    """Random text built at import time, so no key-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits + "!@#%^&*") for _ in range(n))


_APP_KEY = base64.b64encode(_fake(32, "laravel").encode()).decode()
_SALT = _fake(64, "wordpress")

# Laravel: APP_KEY=base64:<32 random bytes>; WordPress: define('AUTH_KEY', '…') and its seven
# siblings (wp-config.php). Django's SECRET_KEY and Rails' secret_key_base are named values
# that KL102 already judges.
_LARAVEL = LazyPattern(  # compiled when a file holding APP_KEY first needs it
    r"""^[ \t]*(?:export[ \t]+)?APP_KEY[ \t]*=[ \t]*["']?base64:([A-Za-z0-9+/]{40,}={0,2})""", re.M
)
_WORDPRESS = LazyPattern(
    r"""define\(\s*(['"])((?:SECURE_)?AUTH_KEY|LOGGED_IN_KEY|NONCE_KEY|(?:SECURE_)?AUTH_SALT"""
    r"""|LOGGED_IN_SALT|NONCE_SALT)\1\s*,\s*(['"])(.*?)\3\s*\)"""
)
_WORDPRESS_PLACEHOLDER = "put your unique phrase here"


class FrameworkSigningKey(Rule):
    """A web framework's signing key in a committed file: Laravel's `APP_KEY=base64:…`,
    WordPress' `AUTH_KEY` and the other seven keys and salts of `wp-config.php`.

    ## What it does
    Finds `APP_KEY=base64:<32 bytes>` in any file (a committed `.env`, `.env.production`,
    a compose file) and `define('AUTH_KEY', '…')`, `SECURE_AUTH_KEY`, `LOGGED_IN_KEY`,
    `NONCE_KEY` and their `_SALT` siblings in PHP. With the key, anyone can forge session
    cookies and signed URLs, and decrypt what the application encrypted.

    Not reported: WordPress' shipped placeholder (`put your unique phrase here`), other
    placeholders, tests, and a file git ignores.

    ## Why is this bad?
    The key signs and encrypts the application's sessions; a leaked one lets others log in as
    any user. It must be regenerated (`php artisan key:generate`, WordPress' secret-key API).

    ## Example
    ```ini
    APP_KEY=base64:Xy…=
    ```

    Use instead: keep `.env` out of git and set `APP_KEY` in the deployment's secrets.

    ## References
    - CWE-321: Use of Hard-coded Cryptographic Key
    """

    code = "KL109"
    name = "framework-signing-key"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    summary = "A Laravel APP_KEY or WordPress AUTH_KEY/salt is committed."
    cwe = "CWE-321"
    precision = "very-high"
    examples = (
        Example(".env.production", f"APP_KEY=base64:{_APP_KEY}\n", ((1, 16),)),
        Example("wp-config.php", f"<?php\ndefine( 'AUTH_KEY', '{_SALT}' );\n", ((2, 22),)),
        Example("wp-config.php", "<?php\ndefine('AUTH_KEY', 'put your unique phrase here');\n"),
        Example(".env.example", "APP_KEY=\n"),
        Example(".env", f"APP_KEY=base64:{_APP_KEY}\n", (), git_ignored=True),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        text = ctx.file.text
        if ctx.file.git_ignored or keys.is_test_path(ctx.file.path):
            return
        if "APP_KEY" in text:
            for m in _LARAVEL.finditer(text):
                yield from self.report(ctx, m.start(1), m.group(1), "Laravel APP_KEY")
        if "define" in text:
            for m in _WORDPRESS.finditer(text):
                value = m.group(4)
                if value.strip().lower() == _WORDPRESS_PLACEHOLDER or len(value) < 16:
                    continue
                yield from self.report(ctx, m.start(4), value, f"WordPress {m.group(2)}")

    def report(self, ctx: FileContext, start: int, value: str, what: str) -> Iterator[Finding]:
        if keys.is_placeholder(value, ctx.db) or keys.is_lookup(value, ctx.db):
            return
        secret = Secret.of(value)
        yield self.finding(
            ctx,
            ctx.file.span(start, start + len(value)),
            f"{what} `{secret.redacted}` is committed: anyone can forge sessions with it; "
            f"generate a new one and keep it out of the repository",
            secret=secret,
        )
