from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl5_headers import (
    KEY_HEADERS,
    auth_of,
    canonical,
    headers,
    holds_api_key,
    host_provider,
    value_span,
)
from keylint.findings import Category, Finding


class WrongAuthHeader(Rule):
    """A key sent in a header the provider does not read it from: `Authorization: Bearer`
    to Azure OpenAI, `x-api-key` to OpenAI.

    ## What it does
    For requests whose host is known (the URL of the `requests`/`httpx` call, `fetch`,
    `curl` command or HTTP file block the header belongs to), compares the header with the
    provider's `auth:` data in `rules/providers/*.yaml`: an API key in `Authorization:
    Bearer` to Azure OpenAI (which takes it in `api-key`; Bearer is for Entra ID tokens) or
    to the Gemini API (`x-goog-api-key`; Bearer is for OAuth tokens), and `x-api-key`,
    `api-key` or `x-goog-api-key` sent to a provider that reads none of them.

    ## Why is this bad?
    The server looks for the key elsewhere and answers 401 "Access denied due to invalid
    subscription key or wrong API endpoint" (Azure) or "missing API key".

    ## Example
    ```python
    requests.post(
        f"https://my-resource.openai.azure.com/openai/deployments/{name}/chat/completions",
        headers={"Authorization": f"Bearer {os.environ['AZURE_OPENAI_API_KEY']}"},
    )
    ```

    Use instead:
    ```python
    requests.post(
        f"https://my-resource.openai.azure.com/openai/deployments/{name}/chat/completions",
        headers={"api-key": os.environ["AZURE_OPENAI_API_KEY"]},
    )
    ```

    ## References
    - SciSharp/BotSharp#386 (an OpenAI key and header sent to Azure: 401)
    """

    code = "KL507"
    name = "wrong-auth-header"
    category = Category.AUTH_HEADER
    summary = "The key is sent in a header the provider does not read it from."
    examples = (
        Example(
            "azure.py",
            'requests.post("https://res.openai.azure.com/openai/v1/responses",\n'
            '    headers={"Authorization": f"Bearer {os.environ[\'AZURE_OPENAI_API_KEY\']}"})\n',
            ((2, 33),),
        ),
        Example(
            "call.sh",
            'curl https://api.openai.com/v1/models -H "x-api-key: $OPENAI_API_KEY"\n',
            ((1, 54),),
        ),
        Example(
            "azure.py",
            'requests.post("https://res.openai.azure.com/openai/v1/responses",\n'
            '    headers={"Authorization": f"Bearer {token.token}"})\n',
        ),
        Example(
            "call.sh",
            'curl https://api.anthropic.com/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" '
            '-H "anthropic-version: 2023-06-01"\n',
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for header in headers(ctx):
            name, misspelt = canonical(header.name)
            if misspelt or name not in KEY_HEADERS:
                continue
            provider = host_provider(ctx, header)
            auth = auth_of(provider)
            if provider is None or auth is None:
                continue
            where = f"`{auth.header}`" + (f" ({auth.scheme} <key>)" if auth.scheme else "")
            if not auth.accepts(name):
                message = f"{provider.name} reads the key from {where}, not `{header.name}`"
            elif (
                name == "authorization"
                and not auth.key_schemes(name)
                and holds_api_key(ctx, header, provider)
                and not (provider.id == "google" and "/openai/" in ctx.file.text)
            ):
                message = (
                    f"{provider.name} takes the API key in {where}; `Authorization: Bearer` "
                    f"is for OAuth/Entra ID tokens"
                )
            else:
                continue
            yield self.finding(ctx, value_span(ctx, header), message, provider=provider.id)
