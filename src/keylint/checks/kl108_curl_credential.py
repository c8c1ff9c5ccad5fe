from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.findings import Category, Finding, Secret, Severity
from keylint.patterns import LazyPattern


def _fake(n: int, seed: str) -> str:
    """Random text built at import time, so no credential-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


_PW = _fake(16, "kl108")
_KEY = _fake(32, "kl108-key")

# Compiled when a file holding "curl" first needs them (LazyPattern).
_CURL = LazyPattern(r"(?<![\w-])curl(?:\.exe)?\b")
# One shell word: single-quoted, double-quoted, or bare (backslash escapes kept as written).
_WORD = r"""(?:'[^'\n]*'|"(?:[^"\\\n]|\\.)*"|(?:[^\s'"\\;|&<>]|\\.)+)"""
_USER_OPTION = LazyPattern(r"(?:^|\s)(?:-u|--user)(?:=|[ \t]+|(?=['\"\w$]))(" + _WORD + ")")
_HEADER_OPTION = LazyPattern(r"(?:^|\s)(?:-H|--header)(?:=|[ \t]+)(" + _WORD + ")")
# Headers that carry an API key by themselves (not Authorization: KL102 and KL5xx read it).
_KEY_HEADER = LazyPattern(
    r"^\s*((?:x-(?:[a-z0-9]+-)*)?(?:api-?key|api-?token|auth-?token|access-?token|token|apikey))"
    r"\s*:\s*(\S+)\s*$",
    re.IGNORECASE,
)
_REFERENCE = LazyPattern(r"\$\{?[A-Za-z_]|\$\(|%[A-Za-z_]\w*%|\{\{")
_PLACEHOLDER_PASSWORDS = frozenset(
    {"pass", "password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "key", "x"}
)
_REGION = 4000  # a command is at most this long, continuation lines included


class CurlCredential(Rule):
    """A password or API key written into a `curl` command: `-u user:password`,
    `--user`, or an API-key header (`-H 'X-Api-Key: …'`, `Api-Token:`, `apikey:`).

    ## What it does
    Reads every `curl` command in any file — shell scripts, CI steps, Dockerfiles, Markdown
    code blocks, READMEs — with its continuation lines (`\\` at the end of a line), splits
    its options as a shell would, and reports the password of `-u`/`--user user:password`
    and the value of an API-key header, at their position.

    Not reported: references (`$PASSWORD`, `${TOKEN}`, `%KEY%`), a user without a password
    (`-u "$TOKEN:"`: curl asks or sends none), placeholders (`user:password`,
    `<password>`, `admin:admin`), provider keys (KL101 reports them), tests, and a file
    git ignores.

    ## Why is this bad?
    A command pasted into a script or a README carries its credential to every reader, and
    shell history and CI logs copy it further.

    ## Example
    ```sh
    curl -u deploy:s3cr3tP4ss https://api.corp.io/items
    ```

    Use instead:
    ```sh
    curl -u "deploy:$API_PASSWORD" https://api.corp.io/items
    ```

    ## References
    - CWE-798: Use of Hard-coded Credentials
    - gitleaks `curl-auth-user`, `curl-auth-header`
    """

    code = "KL108"
    name = "curl-credential"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    summary = "A password (`curl -u user:password`) or API-key header is written into a command."
    cwe = "CWE-798"
    precision = "high"
    examples = (
        Example("deploy.sh", f"curl -u deploy:{_PW} https://api.corp.io/items\n", ((1, 16),)),
        Example(
            "README.md",
            f"```sh\ncurl -s \\\n  --user 'deploy:{_PW}' https://x.corp.io\n```\n",
            ((3, 18),),
        ),
        Example("deploy.sh", f"curl -H 'X-Api-Key: {_KEY}' https://api.corp.io\n", ((1, 21),)),
        Example("deploy.sh", 'curl -u "deploy:$API_PASSWORD" https://api.corp.io/items\n'),
        Example("deploy.sh", 'curl -u "$TOKEN:" https://api.corp.io/items\n'),
        Example("README.md", "curl -u username:password https://api.corp.io\n"),
        Example("deploy.sh", "curl -H 'X-Api-Key: <your-api-key>' https://api.corp.io\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        text = ctx.file.text
        if ctx.file.git_ignored or "curl" not in text or keys.is_test_path(ctx.file.path):
            return
        for m in _CURL.finditer(text):
            start, region = m.end(), _command(text, m.end())
            yield from self.users(ctx, start, region)
            yield from self.headers(ctx, start, region)

    def users(self, ctx: FileContext, base: int, region: str) -> Iterator[Finding]:
        for m in _USER_OPTION.finditer(region):
            word, offset = _unquote(m.group(1), base + m.start(1))
            user, sep, password = word.partition(":")
            if not sep or not self.secret(ctx, password, user):
                continue
            at = offset + len(user) + 1
            yield self.report(ctx, at, password, "password in `curl -u`")

    def headers(self, ctx: FileContext, base: int, region: str) -> Iterator[Finding]:
        for m in _HEADER_OPTION.finditer(region):
            word, offset = _unquote(m.group(1), base + m.start(1))
            header = _KEY_HEADER.match(word)
            if header is None:
                continue
            value = header.group(2)
            if not self.secret(ctx, value, "") or not keys.key_like(value, ctx.db, min_len=16):
                continue
            at = offset + header.start(2)
            yield self.report(ctx, at, value, f"`{header.group(1)}` header in a curl command")

    def secret(self, ctx: FileContext, value: str, user: str) -> bool:
        db = ctx.db
        if len(value) < 4 or value == user or value.lower() in _PLACEHOLDER_PASSWORDS:
            return False
        if _REFERENCE.search(value) or keys.is_placeholder(value, db) or keys.is_lookup(value, db):
            return False
        return not db.find_keys(value)  # a provider key: KL101 reports it

    def report(self, ctx: FileContext, start: int, value: str, what: str) -> Finding:
        secret = Secret.of(value)
        return self.finding(
            ctx,
            ctx.file.span(start, start + len(value)),
            f"{what} `{secret.redacted}` is hardcoded; pass it from an environment variable "
            f"(`$API_PASSWORD`) and rotate it",
            secret=secret,
        )


def _command(text: str, start: int) -> str:
    """The rest of a command: up to a line end that is not escaped by a backslash."""
    end = start
    limit = min(len(text), start + _REGION)
    while end < limit:
        newline = text.find("\n", end, limit)
        if newline < 0:
            return text[start:limit]
        if text[newline - 1 : newline] != "\\" and text[newline - 2 : newline] != "\\\r":
            return text[start:newline]
        end = newline + 1
    return text[start:limit]


def _unquote(word: str, offset: int) -> tuple[str, int]:
    """A shell word without its quotes, and where its content starts in the file."""
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        return word[1:-1], offset + 1
    return word, offset
