from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import names
from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl221_malformed_key import slot_keys
from keylint.findings import Category, Finding, Severity

_URL = re.compile(r"^(?:https?|wss?)://[^\s/]+", re.IGNORECASE)


class UrlAsKey(Rule):
    """A URL where the API key belongs: `OPENAI_API_KEY=https://api.openai.com/v1`.

    ## What it does
    Reports a URL (`http://`, `https://`, `ws://`, `wss://`) as the value of an API-key
    slot: an SDK variable (`OPENAI_API_KEY`), `api_key=`, `x-api-key`, an
    `Authorization` credential. Usually the base URL and the key were pasted into each
    other's fields. Generic slots (a bare `key:` or `token:`) are not checked, and a
    secret that is a URL by format (a Slack webhook) is not reported here.

    ## Why is this bad?
    The SDK sends the URL as the key and the API answers 401 `invalid_api_key`
    (continuedev/continue#10250, #10294); the base URL is then missing too.

    ## Example
    ```shell
    OPENAI_API_KEY=https://api.openai.com/v1
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    OPENAI_BASE_URL=https://api.openai.com/v1
    ```

    ## References
    - continuedev/continue#10250 (a URL pasted as the API key: 401 invalid_api_key)
    """

    code = "KL225"
    name = "url-as-key"
    category = Category.MALFORMED_KEY
    severity = Severity.ERROR
    summary = "A URL is given where the API key belongs."
    examples = (
        Example(".env", "OPENAI_API_KEY=https://api.openai.com/v1\n", ((1, 16),), git_ignored=True),
        Example(
            "app.py", 'client = OpenAI(api_key="https://my-gateway.internal/v1")\n', ((1, 26),)
        ),
        Example("config.yaml", "llm:\n  base_url: https://api.groq.com/openai/v1\n"),
        Example("config.yaml", "links:\n  - key: https://example.com/docs\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        db = ctx.db
        for kt, text, start in slot_keys(ctx):
            name = kt.value.name
            if not names.is_strong_key_slot(name, db):
                continue
            url = _URL.match(keys.strip_scheme(text)[1])
            if url is None or db.has_key(text) or keys.claimed_format(text, db):
                continue
            host = url.group(0).split("://", 1)[1].rsplit("@", 1)[-1]
            yield self.finding(
                ctx,
                kt.span(ctx.file, start, len(text)),
                f"`{name}` holds a URL (host `{host}`), not a key: the API answers 401; "
                f"put the key here and the URL in the base-URL setting",
            )
