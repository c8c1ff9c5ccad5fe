from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl5_headers import KEY_HEADERS, canonical, headers, value_span
from keylint.facts import Header
from keylint.findings import Category, Finding
from keylint.fix import producers

_PERCENT = re.compile(r"%(?:\(\w+\))?s")
_MESSAGES = {
    "format": "`{text}` is a plain string: add the `f` prefix (or call `.format`)",
    "shell-single-quotes": "`{text}` is in single quotes: the shell sends `$` literally; "
    "use double quotes",
    "js-quotes": "`{text}` is not a template literal: `${{…}}` is only filled in between backticks",
    "percent": "`{text}` is never `%`-formatted: the placeholder is sent as written",
}


def _kind(header: Header) -> str | None:
    if header.template:
        return header.template if header.template in _MESSAGES else "format"
    if (
        header.how.startswith("python")
        and len(header.parts) == 1
        and isinstance(header.parts[0], str)
        and _PERCENT.search(header.parts[0])
    ):
        return "percent"
    return None


class UnformattedAuthTemplate(Rule):
    """An auth header holding a template that is never filled in: `"Bearer {key}"` without
    `f`, `'Bearer $OPENAI_API_KEY'` in single quotes, `"Bearer ${key}"` in JS quotes.

    ## What it does
    Finds `Authorization`, `x-api-key`, `api-key` and `x-goog-api-key` values that contain
    a placeholder the language never replaces: a Python string with `{name}` but no `f`
    prefix and no `.format()` call, or with `%s` and no `%` operator; a shell argument in
    single quotes holding `$VAR`; a JS string in `"` or `'` holding `${…}`.

    ## Why is this bad?
    The placeholder text itself is sent as the credential (`Bearer {key}`), and the API
    answers 401.

    ## Example
    ```bash
    curl https://api.openai.com/v1/models -H 'Authorization: Bearer $OPENAI_API_KEY'
    ```

    Use instead:
    ```bash
    curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY"
    ```

    ## References
    - bash(1) QUOTING: single quotes preserve the literal value of each character
    """

    code = "KL505"
    name = "unformatted-auth-template"
    category = Category.AUTH_HEADER
    fixable = "sometimes"
    fix_applicability = "safe/unsafe"
    summary = "An auth header holds a template placeholder that is never filled in."
    examples = (
        Example(
            "call.sh",
            "curl https://api.openai.com/v1/models -H 'Authorization: Bearer $OPENAI_API_KEY'\n",
            ((1, 58),),
        ),
        Example("client.py", 'headers = {"Authorization": "Bearer {key}"}\n', ((1, 30),)),
        Example(
            "client.ts",
            'fetch(url, { headers: { Authorization: "Bearer ${apiKey}" } });\n',
            ((1, 41),),
        ),
        Example("client.py", 'headers = {"Authorization": "Bearer {}".format(key)}\n'),
        Example("client.py", 'headers = {"Authorization": f"Bearer {key}"}\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for header in headers(ctx):
            if canonical(header.name)[0] not in KEY_HEADERS:
                continue
            kind = _kind(header)
            if kind is None:
                continue
            text = header.literal
            fix = None
            if kind == "format":
                fix = producers.fstring(ctx, header)
            elif kind == "shell-single-quotes":
                fix = producers.double_quotes(ctx.file, header)
            message = _MESSAGES[kind].format(text=text)
            yield self.finding(ctx, value_span(ctx, header), message, fix=fix)
