from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Span
from keylint.findings import Category, Finding, Secret, Severity

# Hosts of example and local URLs: `postgres://user:pass@localhost` is a development default,
# not a leaked credential.
_LOCAL_HOSTS = re.compile(
    r"^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|host\.docker\.internal"
    r"|(?:[\w-]+\.)*example(?:\.(?:com|org|net))?|[\w-]+\.(?:local|localhost|test|example|invalid))$",
    re.IGNORECASE,
)
_LONG_LINE = 2000
_WINDOW = (300, 700)  # characters before and after a trigger on a long (minified) line


def _fake(n: int, seed: str, alphabet: str = string.ascii_letters + string.digits) -> str:
    """Random text built at import time, so no token-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


_JWT = ".".join(
    (_b64('{"alg":"HS256","typ":"JWT"}'), _b64('{"sub":"42","name":"keylint"}'), _fake(43, "jwt"))
)
_SENDGRID = "SG." + _fake(22, "sg1") + "." + _fake(43, "sg2")
_GITLAB = "glpat-" + _fake(20, "gl")
_PASSWORD = _fake(11, "pw")


class ServiceToken(Rule):
    """A token of a service keylint has no provider data for, found by detect-secrets' plugins.

    ## What it does
    Runs detect-secrets' format plugins that keylint's own provider data (KL101) does not
    cover — JSON Web Tokens, Twilio, SendGrid, Mailchimp, npm (`:_authToken=`), PyPI,
    GitLab, Discord and Telegram bot tokens, Azure Storage account keys, Square OAuth
    secrets, and passwords in URLs (`scheme://user:password@host`) — on every line that
    contains their trigger text, anywhere in the file (code, comments, docs). Each plugin
    runs only on lines where its cheap trigger (`eyJ…`, `SG.`, `glpat-`, `://user:pw@`, …)
    appears, so files without one never import detect-secrets.

    detect-secrets' heuristic filters apply (sequential strings, UUIDs, templated values,
    `$`-prefixed values, non-alphanumeric values). Not reported: placeholders, lookups
    (`postgres://app:${DB_PASSWORD}@db`), URL passwords equal to the user name or on a
    local or example host (`localhost`, `*.example.com`), and a dotenv file that git
    ignores. Unlike detect-secrets, a token inside a function call is reported: the
    format is evidence enough.

    ## Why is this bad?
    Anyone who can read the repository can use the token; deleting the line leaves it in
    history, so it must be revoked and rotated.

    ## Example
    ```python
    SENDGRID = "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxx…"
    ```

    Use instead:
    ```python
    SENDGRID = os.environ["SENDGRID_API_KEY"]
    ```

    ## References
    - CWE-798: Use of Hard-coded Credentials
    - detect-secrets 1.5.0: `plugins/jwt.py`, `plugins/sendgrid.py`, `plugins/basic_auth.py`, …
    """

    code = "KL103"
    name = "service-token"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    heuristic_secret = True  # throwaway tokens and keys live in tests, fixtures and docs
    summary = "A service token or URL password that detect-secrets recognises is hardcoded."
    cwe = "CWE-798"
    precision = "high"
    examples = (
        # SendGrid and GitLab tokens are provider formats (rules/providers/): KL101 reports them
        Example("mail.py", f'client = SendGridAPIClient(api_key="{_SENDGRID}")\n', ()),
        Example("auth.py", f"# debug token: {_JWT}\n", ((1, 16),)),
        Example(".env", f"GITLAB_TOKEN={_GITLAB}\n", ()),
        Example(
            "docker-compose.yaml",
            "services:\n  app:\n    environment:\n"
            "      OPENAI_API_KEY: ${OPENAI_API_KEY}\n"
            f"      DATABASE_URL: postgres://app:{_PASSWORD}@db.internal:5432/app\n",
            ((5, 36),),
        ),
        Example(
            "deploy.sh", f"curl -H 'Authorization: Bearer {_JWT}' https://x.invalid\n", ((1, 32),)
        ),
        Example(".env", f"GITLAB_TOKEN={_GITLAB}\n", (), git_ignored=True),
        Example(".env", "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app\n"),
        Example(".env", "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app\n"),
        Example("app.py", 'URL = "https://user:<password>@db.internal/app"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if ctx.file.git_ignored:
            return
        hits = self.triggers(ctx)
        if not hits:
            return
        ds = keys.detect_secrets()
        seen: set[tuple[int, int]] = set()
        for (line_no, offset), names in sorted(hits.items()):
            line = ctx.file.line_text(line_no)
            segment = (
                line[offset : offset + sum(_WINDOW)] if offset or len(line) > _LONG_LINE else line
            )
            for secret_type, found, column in ds.formats(segment, names, ctx.file.path):
                if (line_no, offset + column) in seen:
                    continue
                secret = _whole_token(segment, column, found, secret_type)
                if secret is None:
                    continue
                if self.excluded(ctx, segment, column, secret, secret_type):
                    continue
                seen.add((line_no, offset + column))
                start = offset + column + 1
                span = Span(line_no, start, line_no, start + len(secret))
                yield self.report(ctx, span, secret, secret_type)

    def triggers(self, ctx: FileContext) -> dict[tuple[int, int], set[str]]:
        """(line, offset of the window in it) -> the plugins whose trigger text is there."""
        hits: dict[tuple[int, int], set[str]] = {}
        for plugin, start in keys.trigger_hits(ctx.file.text):
            line_no, column = ctx.file.position(start)
            offset = 0
            if len(ctx.file.line_text(line_no)) > _LONG_LINE:
                offset = max(0, column - 1 - _WINDOW[0])
            hits.setdefault((line_no, offset), set()).add(plugin)
        return hits

    def excluded(self, ctx: FileContext, line: str, column: int, secret: str, kind: str) -> bool:
        db = ctx.db
        if keys.is_placeholder(secret, db, empty=True) or keys.is_lookup(secret, db):
            return True
        if db.has_key(secret):
            return True  # a provider key: KL101 reports it
        if kind == "Basic Auth Credentials":
            return _url_credential_is_example(line, column, secret)
        return False

    def report(self, ctx: FileContext, span: Span, secret_text: str, kind: str) -> Finding:
        secret = Secret.of(secret_text)
        what = "password in a URL" if kind == "Basic Auth Credentials" else kind
        return self.finding(
            ctx,
            span,
            f"{what} `{secret.redacted}` is hardcoded (detect-secrets: {kind}); "
            f"move it to an environment variable or secret store and rotate it",
            secret=secret,
        )


_TOKEN_CHAR = frozenset(string.ascii_letters + string.digits + "_-")
_JWT_CHAR = _TOKEN_CHAR | frozenset("=+/.")


def _whole_token(line: str, column: int, secret: str, kind: str) -> str | None:
    """The token as it stands on the line, or None when detect-secrets' match is only a
    piece of a longer word (its regexes have no boundaries: `\\d{8,10}:…` inside an ARN)."""
    if kind == "Basic Auth Credentials":
        return secret
    end = column + len(secret)
    if kind == "JSON Web Token":  # its regex stops at the shortest signature
        while end < len(line) and line[end] in _JWT_CHAR:
            end += 1
    before = line[column - 1] if column > 0 else ""
    after = line[end] if end < len(line) else ""
    if before in _TOKEN_CHAR or (after in _TOKEN_CHAR and after):
        return None
    return line[column:end]


def _url_credential_is_example(line: str, column: int, password: str) -> bool:
    """``scheme://user:password@host``: same user and password, or a local/example host."""
    start = line.rfind("://", 0, column)
    if start < 0:
        return False
    user = line[start + 3 : column - 1]
    host = re.match(r"@(\[[^\]]*\]|[^\s/:'\"`?#]*)", line[column + len(password) :])
    return user == password or bool(host and _LOCAL_HOSTS.match(host.group(1)))
