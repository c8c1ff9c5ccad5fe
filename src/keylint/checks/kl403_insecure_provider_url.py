from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import piece_span, provider_for_host, running_values, urls_in
from keylint.findings import Category, Finding
from keylint.fix import producers


class InsecureProviderUrl(Rule):
    """An `http://` URL to a provider's API.

    ## What it does
    Finds `http://` URLs whose host is a provider API host from `rules/providers/*.yaml`
    (`http://api.openai.com/v1`, `http://api.anthropic.com`), in code, configuration, shell
    commands and Markdown code blocks.

    ## Why is this bad?
    Every request carries the key in a header. Over plain HTTP the key crosses the network in
    clear text before any redirect to HTTPS can happen, and providers refuse or redirect the
    call (a redirected POST loses its body).

    ## Example
    ```yaml
    llm:
      base_url: http://api.openai.com/v1
    ```

    Use instead:
    ```yaml
    llm:
      base_url: https://api.openai.com/v1
    ```

    ## References
    - CWE-319: Cleartext Transmission of Sensitive Information
    - the SDKs' default base URLs (openai `_client.py`, anthropic `_client.py`: all https)
    """

    code = "KL403"
    name = "insecure-provider-url"
    category = Category.OUTDATED_ENDPOINT
    fixable = "sometimes"
    fix_applicability = "safe"
    summary = "A provider API is called over plain http://, sending the key in clear text."
    cwe = "CWE-319"
    examples = (
        Example("settings.yaml", "llm:\n  base_url: http://api.openai.com/v1\n", ((2, 13),)),
        Example("call.sh", 'curl "http://api.anthropic.com/v1/messages"\n', ((1, 7),)),
        Example("settings.yaml", "llm:\n  base_url: https://api.openai.com/v1\n"),
        Example("local.py", 'BASE = "http://localhost:8000/v1"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for value in running_values(ctx):
            for url in urls_in(value.raw):
                if url.scheme != "http":
                    continue
                provider = provider_for_host(ctx.db, url.host)
                if provider is None:
                    continue
                span = piece_span(ctx, value, url.start, url.end)
                yield self.finding(
                    ctx,
                    span,
                    f"`http://{url.host}` sends the {provider.name} key in clear text; "
                    f"use `https://{url.host}`",
                    provider=provider.id,
                    fix=producers.https(ctx.file, span),
                )
