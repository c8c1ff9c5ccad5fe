from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl5_headers import canonical, headers, value_span
from keylint.facts import Header
from keylint.findings import Category, Finding
from keylint.fix import producers

_COLON = re.compile(r"\s*bearer\s*:", re.IGNORECASE)
_DOUBLED = re.compile(r"\s*bearer\s+bearer\b", re.IGNORECASE)
_NO_SPACE = re.compile(r"\s*bearer(?=[^\s:])", re.IGNORECASE)
_EXTRA_SPACE = re.compile(r"\s*bearer(?: {2,}|\t)(?=\S|\{…\})", re.IGNORECASE)


def _problem(header: Header) -> str | None:
    literal = header.literal
    if _COLON.match(literal):
        return "`Bearer:` takes no colon: write `Bearer <key>`"
    if _DOUBLED.match(literal):
        return "`Bearer Bearer`: the key already holds the scheme; send `Bearer <key>` once"
    if _NO_SPACE.match(literal):
        return "no space after `Bearer`: the server reads one unknown word; write `Bearer <key>`"
    if _EXTRA_SPACE.match(literal):
        return "more than one space after `Bearer`: the key is read with a leading blank"
    return None


class BearerMalformed(Rule):
    """A `Bearer` value written wrong: `Bearer:`, `Bearersk-…`, `"Bearer" + key`,
    `Bearer Bearer …`.

    ## What it does
    Checks `Authorization` values (code, configuration, curl, HTTP files, docs code blocks)
    for a colon after the scheme (`Bearer: sk-…`), no space between the scheme and the key
    (`Bearersk-…`, `"Bearer" + key`, `` `Bearer${key}` ``), the scheme written twice
    (`Bearer Bearer …`, when the stored key already has it) and more than one blank after it.

    ## Why is this bad?
    RFC 6750 allows exactly `Bearer` + one space + the token. Everything else is an
    unknown scheme or a key with extra characters: the API answers 401 and the key is
    blamed. openai and anthropic SDKs send `Bearer Bearer …` when the key variable already
    starts with `Bearer ` (mistralai `utils/security.py`).

    ## Example
    ```python
    headers = {"Authorization": "Bearer" + key}
    ```

    Use instead:
    ```python
    headers = {"Authorization": f"Bearer {key}"}
    ```

    ## References
    - RFC 6750 §2.1
    - pypi:h11==0.16.0 `h11/_abnf.py` (header values: no leading/trailing whitespace, no CR/LF)
    """

    code = "KL503"
    name = "bearer-malformed"
    category = Category.AUTH_HEADER
    fixable = "sometimes"
    fix_applicability = "safe"
    summary = "A Bearer authorization value is malformed (colon, missing space, doubled)."
    examples = (
        Example("client.py", 'headers = {"Authorization": "Bearer" + key}\n', ((1, 30),)),
        Example(
            "call.sh",
            'curl https://api.x.ai/v1/models -H "Authorization: Bearer: $XAI_API_KEY"\n',
            ((1, 52),),
        ),
        Example(
            "client.js",
            "const headers = { Authorization: `Bearer Bearer ${key}` };\n",
            ((1, 35),),
        ),
        Example("client.py", 'headers = {"Authorization": f"Bearer {key}"}\n'),
        Example("client.py", 'headers = {"Authorization": "Bearer %s" % key}\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for header in headers(ctx):
            if canonical(header.name)[0] not in ("authorization", "proxy-authorization"):
                continue
            problem = _problem(header)
            if problem is not None:
                span = value_span(ctx, header)
                fix = producers.bearer(ctx.file, header, span)
                yield self.finding(ctx, span, problem, fix=fix)
