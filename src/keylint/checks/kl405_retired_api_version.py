from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import Endpoint, index, piece_span, running_values, today
from keylint.facts import Span
from keylint.findings import Category, Finding

_QUERY = re.compile(r"[?&]api-version=(?P<version>[^&\s\"'#]+)", re.IGNORECASE)
_NAME = re.compile(r"(?:^|[_.-])api[_-]?version$", re.IGNORECASE)


class RetiredApiVersion(Rule):
    """An Azure OpenAI `api-version` that Azure no longer accepts.

    ## What it does
    Finds retired `api-version` values listed in `rules/providers/azure-openai.yaml`
    (`2023-03-15-preview`, `2023-07-01-preview`, `2023-08-01-preview`,
    `2023-09-01-preview`, `2023-12-01-preview`, retired 2024-07-01) in URL query strings
    (`?api-version=…`) and in values named `api_version`, `api-version` or
    `OPENAI_API_VERSION`.

    ## Why is this bad?
    Azure answers a retired version with an error for every request, whatever the key and
    deployment.

    ## Example
    ```python
    client = AzureOpenAI(api_version="2023-07-01-preview", azure_endpoint=endpoint)
    ```

    Use instead:
    ```python
    client = AzureOpenAI(api_version="2024-10-21", azure_endpoint=endpoint)
    ```

    ## References
    - https://learn.microsoft.com/azure/ai-services/openai/api-version-deprecation
    - https://learn.microsoft.com/azure/ai-services/openai/api-version-deprecation
    """

    code = "KL405"
    name = "retired-api-version"
    category = Category.OUTDATED_ENDPOINT
    summary = "An Azure OpenAI api-version that Azure has retired."
    examples = (
        Example(
            "app.py",
            'client = AzureOpenAI(api_version="2023-07-01-preview", azure_endpoint=endpoint)\n',
            ((1, 35),),
        ),
        Example(".env", "OPENAI_API_VERSION=2023-03-15-preview\n", ((1, 20),)),
        Example(
            "call.sh",
            'curl "$AZURE_OPENAI_ENDPOINT/openai/deployments/gpt/chat/completions'
            '?api-version=2023-12-01-preview"\n',
            ((1, 82),),
        ),
        Example("app.py", 'client = AzureOpenAI(api_version="2024-10-21", azure_endpoint=e)\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        idx = index(ctx.db)
        if not idx.api_versions:
            return
        for value in running_values(ctx):
            for m in _QUERY.finditer(value.raw):
                endpoint = idx.api_versions.get(m.group("version"))
                if endpoint is not None:
                    span = piece_span(ctx, value, m.start("version"), m.end("version"))
                    yield self._report(ctx, span, m.group("version"), endpoint)
            if value.name and _NAME.search(value.name):
                version = value.value.strip()
                endpoint = idx.api_versions.get(version)
                if endpoint is not None:
                    yield self._report(ctx, value.span, version, endpoint)

    def _report(self, ctx: FileContext, span: Span, version: str, endpoint: Endpoint) -> Finding:
        verdict, severity = endpoint.verdict(today())
        return self.finding(
            ctx,
            span,
            f"api-version `{version}` {verdict} ({endpoint.provider.name}); use "
            f"{endpoint.replacement}",
            provider=endpoint.provider.id,
            severity=severity,
        )
