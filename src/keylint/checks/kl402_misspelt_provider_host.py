from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import (
    Index,
    bare_host,
    index,
    path_matches,
    piece_span,
    provider_for_host,
    running_values,
    urls_in,
)
from keylint.distance import osa_distance
from keylint.facts import Span
from keylint.findings import Category, Finding
from keylint.names import per_db
from keylint.providers import Provider

# Below this length a one-letter difference is as likely another real host (api.x.ai,
# api.z.ai) as a typo.
_MIN_TYPO_LENGTH = 12


def _domain(host: str) -> str:
    return ".".join(host.split(".")[-2:])


def _hosts_by_length(idx: Index) -> dict[int, list[tuple[int, str, str, Provider]]]:
    """The provider hosts a typo can be of, by length: (place in the data, host, its
    domain, provider)."""
    table: dict[int, list[tuple[int, str, str, Provider]]] = {}
    for place, (known, provider) in enumerate(idx.exact_hosts.items()):
        if len(known) >= _MIN_TYPO_LENGTH:
            table.setdefault(len(known), []).append((place, known, _domain(known), provider))
    return table


class MisspeltProviderHost(Rule):
    """A provider API host written wrong: `api.openai.org`, `api.anthropic.ai`.

    ## What it does
    Finds URLs and host values whose host is a known misspelling of a provider's API host
    (listed in `rules/providers/*.yaml`, e.g. `api.openai.org`, `api.anthropic.ai`, or the
    website `openai.com/v1` for `api.openai.com`), or one letter away from a provider host
    (`api.opeani.com`, `router.huggingface.com`). Hosts of the same domain as the provider
    (`sqs.amazonaws.com` next to `sts.amazonaws.com`) are other services, not typos.

    ## Why is this bad?
    The request goes to a host that does not serve the API — or to someone else's server,
    with the key in its `Authorization` header.

    ## Example
    ```python
    client = OpenAI(base_url="https://api.openai.org/v1")
    ```

    Use instead:
    ```python
    client = OpenAI(base_url="https://api.openai.com/v1")
    ```

    ## References
    - the SDKs' default base URLs (openai, anthropic, groq, cohere `_client.py`)
    """

    code = "KL402"
    name = "misspelt-provider-host"
    category = Category.OUTDATED_ENDPOINT
    summary = "A provider API host is misspelt."
    examples = (
        Example("app.py", 'client = OpenAI(base_url="https://api.openai.org/v1")\n', ((1, 35),)),
        Example("settings.yaml", "anthropic:\n  host: api.anthropic.ai\n", ((2, 9),)),
        Example(".env", "HF_ENDPOINT=https://router.huggingface.com/v1\n", ((1, 21),)),
        Example("app.py", 'client = OpenAI(base_url="https://api.openai.com/v1")\n'),
        Example("aws.py", 'QUEUE = "https://sqs.amazonaws.com/123/jobs"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        idx = index(ctx.db)
        for value in running_values(ctx):
            urls = list(urls_in(value.raw))
            for url in urls:
                hit = self._misspelt(ctx, idx, url.host, url.path)
                if hit is not None:
                    span = piece_span(ctx, value, url.host_start, url.host_start + len(url.host))
                    yield self._report(ctx, span, url.host, *hit)
            if not urls:
                host = bare_host(value)
                if host is not None:
                    hit = self._misspelt(ctx, idx, host, None)
                    if hit is not None:
                        start = value.span
                        span = Span(start.line, start.column, start.line, start.column + len(host))
                        yield self._report(ctx, span, host, *hit)

    def _misspelt(
        self, ctx: FileContext, idx: Index, host: str, path: str | None
    ) -> tuple[str, Provider] | None:
        for endpoint in idx.misspelt.get(host, ()):
            if endpoint.path is None or (path is not None and path_matches(path, endpoint.path)):
                return endpoint.replacement, endpoint.provider
        if len(host) < _MIN_TYPO_LENGTH:
            return None
        # Hosts repeat across a tree (every AWS file names amazonaws.com): the distance to
        # ~90 provider hosts is computed once per host, not once per occurrence.
        near = per_db(ctx.db, "kl402-near-host", dict[str, tuple[str, Provider] | None])
        if host not in near:
            near[host] = self._near(ctx, idx, host)
        return near[host]

    def _near(self, ctx: FileContext, idx: Index, host: str) -> tuple[str, Provider] | None:
        if provider_for_host(ctx.db, host) is not None:
            return None
        # One edit changes the length by one at most: only hosts of those lengths, in the
        # data's order (the first one a letter away wins, as a walk of the data finds it).
        by_length = per_db(ctx.db, "kl402-hosts-by-length", lambda: _hosts_by_length(idx))
        domain = _domain(host)
        candidates = sorted(
            entry
            for length in (len(host) - 1, len(host), len(host) + 1)
            for entry in by_length.get(length, ())
        )
        for _place, known, known_domain, provider in candidates:
            if known_domain != domain and osa_distance(host, known, 2) == 1:
                return known, provider
        return None

    def _report(
        self, ctx: FileContext, span: Span, host: str, right: str, provider: Provider
    ) -> Finding:
        return self.finding(
            ctx,
            span,
            f"`{host}` is not {provider.name}'s API host; did you mean `{right}`?",
            provider=provider.id,
        )
