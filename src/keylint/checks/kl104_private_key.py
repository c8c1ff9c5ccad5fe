from __future__ import annotations

import random
import re
import string
from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.findings import Category, Finding, Secret, Severity

_HEADER = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d"
)
# What separates the lines of a key body in source: real newlines, `\n` escapes, quotes and
# `+` of a concatenation, commas of a list of lines.
_GLUE = re.compile(r"(?:\\[nr]|[\s\"'+,`])+")
_BODY_LINE = re.compile(r"[A-Za-z0-9+/=]{40,}")
_LOOKAHEAD = 6000


def _pem(kind: str, seed: str) -> str:
    """A PEM block built at import time (no key-shaped literal is committed)."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "+/"
    body = "\n".join("".join(rng.choice(alphabet) for _ in range(64)) for _ in range(4))
    dashes = "-" * 5
    return f"{dashes}BEGIN {kind}{dashes}\n{body}\n{dashes}END {kind}{dashes}\n"


_RSA = _pem("RSA " + "PRIVATE KEY", "rsa")
_OPENSSH = _pem("OPENSSH " + "PRIVATE KEY", "ssh")


class PrivateKey(Rule):
    """A PEM or PuTTY private key, with its body, in a file git would commit.

    ## What it does
    Finds `-----BEGIN … PRIVATE KEY-----` headers (RSA, EC, DSA, OpenSSH, PKCS#8, PGP
    `PRIVATE KEY BLOCK`) and PuTTY key files, confirmed by detect-secrets'
    `PrivateKeyDetector`, when a base64 key body of at least 64 characters follows: in a
    file of its own, in a multi-line string, in a JSON value with `\\n` escapes, or in a
    list of lines. A header with no body (`-----BEGIN PRIVATE KEY-----\\n...`) is
    documentation or code that looks for keys, and is not reported; nor is a dotenv file
    that git ignores. The finding sits on the header; the secret's fingerprint is that of
    the body.

    ## Why is this bad?
    A private key grants whatever it signs for — servers, a service account, a signing
    identity — to anyone who reads the repository or its history. It must be revoked.

    ## Example
    ```python
    KEY = \"\"\"-----BEGIN RSA PRIVATE KEY-----
    MIIEowIBAAKCAQEA…
    -----END RSA PRIVATE KEY-----\"\"\"
    ```

    Use instead:
    ```python
    KEY = Path(os.environ["SERVICE_KEY_FILE"]).read_text()
    ```

    ## References
    - CWE-321: Use of Hard-coded Cryptographic Key
    - detect-secrets 1.5.0: `plugins/private_key.py`
    """

    code = "KL104"
    name = "private-key"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    heuristic_secret = True  # throwaway tokens and keys live in tests, fixtures and docs
    summary = "A private key with its body is written into a file git would commit."
    cwe = "CWE-321"
    precision = "very-high"
    examples = (
        Example("deploy/id_rsa.pem", _RSA, ((1, 1),)),
        Example("signing.py", f'KEY = """{_OPENSSH}"""\n', ((1, 10),)),
        Example(
            "service-account.json",
            '{"private_key": "' + _RSA.replace("\n", "\\n") + '"}\n',
            ((1, 18),),
        ),
        Example("keys.py", 'if text.startswith("-----BEGIN PRIVATE KEY-----"):\n    pass\n'),
        Example("README.md", "```\n-----BEGIN RSA PRIVATE KEY-----\n...\n```\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if ctx.file.git_ignored:
            return
        text = ctx.file.text
        for match in _HEADER.finditer(text):
            body = self.body(text, match)
            if body is None:
                continue
            line = ctx.file.position(match.start())[0]
            if keys.detect_secrets().private_key_header(ctx.file.line_text(line)) is None:
                continue
            secret = Secret.of(body)
            kind = match.group(0).strip("-").removeprefix("BEGIN ")
            yield self.finding(
                ctx,
                ctx.file.span(match.start(), match.end()),
                f"{kind} `{secret.redacted}` is committed (detect-secrets: Private Key); "
                f"revoke it and load it from a secret store or a git-ignored file",
                secret=secret,
            )

    @staticmethod
    def body(text: str, header: re.Match[str]) -> str | None:
        """The first line of the key body after the header and before its END line: 40+
        base64 characters of mixed classes (prose and ``...`` never are)."""
        window = text[header.end() : header.end() + _LOOKAHEAD]
        end = window.find("-----END")
        if end >= 0:
            window = window[:end]
        if header.group(0).startswith("PuTTY"):
            private = window.find("Private-Lines:")
            if private < 0:
                return None
            window = window[private + len("Private-Lines:") :]
        for token in _GLUE.split(window):
            if _BODY_LINE.fullmatch(token) and keys.looks_random(token):
                return token
        return None
