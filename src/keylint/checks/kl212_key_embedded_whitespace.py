from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl211_key_surrounding_whitespace import describe
from keylint.findings import Category, Finding, Fix, Severity

_LITERAL_ESCAPE = re.compile(r"\\[nrt]")


class KeyEmbeddedWhitespace(Rule):
    """A key with a space, tab or line break inside it, or a literal `\\n` escape.

    ## What it does
    Reports whitespace inside a key's value — a space or tab (the key was wrapped or
    pasted in two pieces), a CR or LF (a multi-line string, a `\\n` escape that the loader
    decoded) — and the two characters `\\n`, `\\r` or `\\t` left undecoded, which happens in
    single-quoted and unquoted dotenv values (python-dotenv decodes escapes only in double
    quotes), single-quoted shell strings, YAML plain and single-quoted scalars and Python
    raw strings. The finding sits on the first offending character.

    ## Why is this bad?
    h11, the HTTP layer of the openai, anthropic and groq SDKs, refuses a header value with
    CR or LF (`h11.LocalProtocolError: Illegal header value`, h11 0.16.0
    `_abnf.py`); a space or tab, or a literal backslash-n, is sent as part of the key
    and the API answers 401. No SDK removes whitespace from the middle of a key.

    ## Example
    ```shell
    # .env
    OPENAI_API_KEY='sk-proj-…\\n'
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY='sk-proj-…'
    ```

    ## References
    - python-dotenv: escapes are decoded in double-quoted values only
    """

    code = "KL212"
    name = "key-embedded-whitespace"
    category = Category.KEY_WHITESPACE
    severity = Severity.ERROR
    fixable = "sometimes"
    fix_applicability = "unsafe"
    summary = "A key contains a space, tab, line break or a literal `\\n` escape."
    examples = (
        Example(".env", "OPENAI_API_KEY='{key:openai-project-key}\\n'\n", ((1, 181),)),
        Example("config.yaml", "llm:\n  api_key: 'Ab12Cd34 Ef56Gh78Ij90Kl12'\n", ((2, 21),)),
        Example(
            "app.py", 'client = OpenAI(api_key="sk-proj-Ab12Cd34\\nEf56Gh78Ij90Kl12")\n', ((1, 42),)
        ),
        Example(".env", 'OPENAI_API_KEY="{key:openai-project-key}\\n"\n'),
        Example("app.py", 'prompt_key = "tell me a joke about keys"\n'),
        Example(".env", "OPENAI_API_KEY=your key here\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        ws = "".join(keys.ASCII_WHITESPACE)
        for kt in keys.suspect_keys(ctx):
            text = kt.text
            start = len(text) - len(text.lstrip(ws))
            end = len(text.rstrip(ws))
            inner = text[start:end]
            spot = next((i for i, c in enumerate(inner) if c in keys.ASCII_WHITESPACE), None)
            escape = _LITERAL_ESCAPE.search(inner)
            if escape is not None and (spot is None or escape.start() < spot):
                span = kt.span(ctx.file, start + escape.start(), 2)
                yield self.finding(
                    ctx,
                    span,
                    f"the key contains the two characters `{escape.group(0)}`, not a line break: "
                    f"this quoting does not decode escapes, so they are sent and the API "
                    f"answers 401",
                    fix=Fix(span, "", f"remove `{escape.group(0)}`", "unsafe"),
                )
            elif spot is not None:
                span = kt.span(ctx.file, start + spot, 1)
                what = describe(inner[spot])
                effect = (
                    "h11 refuses to send it (`Illegal header value`)"
                    if inner[spot] in "\r\n"
                    else "the key is sent in two pieces and the API answers 401"
                )
                yield self.finding(
                    ctx,
                    span,
                    f"{what} inside the key (was it wrapped when copied?): {effect}",
                    fix=Fix(span, "", f"remove the {what}", "unsafe"),
                )
