from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import Endpoint, index, piece_span, running_values, urls_in
from keylint.facts import Value
from keylint.findings import Category, Finding
from keylint.names import last_part

_BASE_URL_NAMES = ("baseurl", "apibase", "basepath", "serverurl")
# The names a client reads its base URL from (env vars, LangChain's parameter).
_CLIENT_NAMES = {"openai": frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE", "openai_api_base"})}
_LINE_WINDOW = 400


def is_base_url_slot(value: Value) -> bool:
    """``base_url``, ``baseURL``, ``api_base``, ``OPENAI_BASE_URL``, ``OPENAI_API_BASE``..."""
    return _is_base_url_name(value.name or "")


@functools.lru_cache(maxsize=65536)
def _is_base_url_name(name: str) -> bool:
    last = last_part(name)
    squashed = last.replace("_", "").replace("-", "").lower()
    return squashed.endswith(_BASE_URL_NAMES)


def _names_client(ctx: FileContext, value: Value, clients: tuple[str, ...]) -> bool:
    """Is this base URL given to one of ``clients`` (an OpenAI client): by the variable the
    SDK reads (`OPENAI_BASE_URL`), the SDK call or attribute it is bound to
    (`OpenAI(base_url=…)`, `openai.api_base`), or a client constructed on its line or the
    line before (`new OpenAI({` above `baseURL: …`)?

    Libraries that keep a bare host and append `/v1/…` themselves name it otherwise."""
    for client in clients:
        if value.name in _CLIENT_NAMES.get(client, ()):
            return True
        if (value.qualname or "").split(".")[0].split(":")[0] == client:
            return True
    line = value.span.line
    nearby = [ctx.file.line_text(n)[:_LINE_WINDOW] for n in range(max(1, line - 1), line + 1)]
    return any(
        re.search(rf"\b(?:new\s+)?(?:Async)?{re.escape(client)}\s*\(", text, re.IGNORECASE)
        for client in clients
        for text in nearby
    )


class BaseUrlMissingVersion(Rule):
    """A base URL that lacks the version path its client needs (`https://api.openai.com`).

    ## What it does
    Checks values bound to a base-URL name (`base_url=`, `baseURL:`, `api_base`,
    `OPENAI_BASE_URL`, `OPENAI_API_BASE`) that point at a provider host: the path must
    start with the version path in `rules/providers/*.yaml` — `/v1` for OpenAI and xAI,
    `/api/v1` for OpenRouter, and, where an OpenAI client is pointed at another provider,
    `/openai/v1` for Groq, `/v1beta/openai` for Gemini, `/v1` for Anthropic, Mistral,
    Together and the Hugging Face router. A provider's own SDK, which appends the version
    itself, is not reported.

    ## Why is this bad?
    Clients append `/chat/completions` to the base URL: without the version the request goes
    to `https://api.openai.com/chat/completions`, answers 404, and looks like a bad key.

    ## Example
    ```python
    client = OpenAI(base_url="https://api.openai.com")
    ```

    Use instead:
    ```python
    client = OpenAI(base_url="https://api.openai.com/v1")
    ```

    ## References
    - the SDKs' default base URLs (openai `_client.py`: https://api.openai.com/v1)
    """

    code = "KL404"
    name = "base-url-missing-version"
    category = Category.OUTDATED_ENDPOINT
    summary = "A base URL lacks the version path the client needs."
    examples = (
        Example("app.py", 'client = OpenAI(base_url="https://api.openai.com")\n', ((1, 27),)),
        Example(".env", "OPENAI_BASE_URL=https://api.groq.com\n", ((1, 17),)),
        Example("app.py", 'client = Groq(base_url="https://api.groq.com")\n'),
        Example("app.py", 'client = OpenAI(base_url="https://api.openai.com/v1/")\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        idx = index(ctx.db)
        for value in running_values(ctx):
            if not is_base_url_slot(value):
                continue
            for url in urls_in(value.raw):
                for endpoint in idx.version_paths.get(url.host, ()):
                    if self._missing(ctx, value, url.path, endpoint):
                        yield self.finding(
                            ctx,
                            piece_span(ctx, value, url.start, url.end),
                            f"base URL `{value.raw[url.start : url.end]}` lacks "
                            f"`{endpoint.path}`: requests will miss the "
                            f"{endpoint.provider.name} API; use "
                            f"`{url.scheme}://{url.host}{endpoint.path}`",
                            provider=endpoint.provider.id,
                        )
                        break

    def _missing(self, ctx: FileContext, value: Value, path: str, endpoint: Endpoint) -> bool:
        assert endpoint.path is not None
        # Only where a client is known to append nothing itself: libraries that keep a bare
        # host and add `/v1/...` to it are right.
        if not _names_client(ctx, value, endpoint.clients or ("openai",)):
            return False
        have = path.rstrip("/")
        want = endpoint.path.rstrip("/")
        return not (have == want or have.startswith(want + "/"))
