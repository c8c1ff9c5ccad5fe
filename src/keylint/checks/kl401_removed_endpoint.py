from __future__ import annotations

import re
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl4_endpoints import (
    VERSION_PREFIX,
    Endpoint,
    Index,
    bare_host,
    describes,
    file_mentions,
    in_comparison,
    index,
    path_matches,
    piece_span,
    provider_for_host,
    running_values,
    today,
    urls_in,
)
from keylint.facts import Span, Value
from keylint.findings import Category, Finding

# What stands before a path joined to a base: `{base}` in an f-string, `BASE + "`.
_BELOW_BASE = re.compile(
    r"(?:\{(?P<base>[^{}]*)\}|(?P<base2>[A-Za-z_][\w.]*)\s*\+\s*[rbuRBU]?[\"'])"
)
_BASE_NAME = re.compile(r"base|url|host|endpoint|server|api|root", re.IGNORECASE)
_DECORATOR = re.compile(r"[ \t]*@")


def _path_like(ctx: FileContext, value: Value) -> bool:
    """A value that is a path or request target, not a sentence that mentions one, a route
    the file defines (`@app.post("/v1/answers")`) or a test against one."""
    if describes(value) or any(c.isspace() for c in value.value.strip()):
        return False
    starts = ctx.file.line_starts
    line = value.span.line
    if _DECORATOR.match(ctx.file.text, starts[line - 1]) or (
        line > 1 and _DECORATOR.match(ctx.file.text, starts[line - 2])
    ):
        return False
    return not in_comparison(ctx, value)


class RemovedEndpoint(Rule):
    """A URL or path of an API endpoint that the provider removed or deprecated.

    ## What it does
    Finds, in code, configuration, shell commands and Markdown code blocks, URLs and paths
    of endpoints listed as removed or deprecated in `rules/providers/*.yaml`: OpenAI's
    `/v1/engines`, `/v1/answers`, `/v1/classifications`, `/v1/search` (removed 2022-12-03),
    `/v1/edits` and `/v1/fine-tunes` (2024-01-04), the Assistants API (2026-08-26);
    Anthropic's legacy `/v1/complete`; Cohere's v1 `generate`, `summarize`, `classify` and
    `connectors` (deprecated 2025-09-15); Hugging Face's `api-inference.huggingface.co`
    (HTTP 410 Gone since 2025-04-10). The finding sits on the URL or path and names the date
    and the replacement.

    A bare path needs its provider's host in the value, or a file that names the provider,
    except paths that belong to one provider only (`/v1/engines`, `/v1/fine-tunes`).
    Prose, comments and notebook outputs are not checked.

    ## Why is this bad?
    A removed endpoint answers 404 or 410 whatever the key: the key looks broken when the
    URL is. A deprecated one stops working on a date the code does not know about.

    ## Example
    ```bash
    curl https://api.openai.com/v1/engines/davinci/completions \\
      -H "Authorization: Bearer $OPENAI_API_KEY"
    ```

    Use instead:
    ```bash
    curl https://api.openai.com/v1/chat/completions \\
      -H "Authorization: Bearer $OPENAI_API_KEY"
    ```

    ## References
    - https://developers.openai.com/api/docs/deprecations
    - https://docs.cohere.com/changelog/2025-09-15-major-command-deprecations
    - the `source:` of each entry in `rules/providers/*.yaml`
    """

    code = "KL401"
    name = "removed-endpoint"
    category = Category.OUTDATED_ENDPOINT
    summary = "A URL or path of an endpoint the provider removed or deprecated."
    precision = "high"
    examples = (
        Example(
            "smoke.sh",
            "curl https://api.openai.com/v1/engines/davinci/completions \\\n"
            '  -H "Authorization: Bearer $OPENAI_API_KEY"\n',
            ((1, 6),),
        ),
        Example(
            "client.py",
            'BASE = "https://api.openai.com/v1"\n'
            'r = requests.post(f"{BASE}/fine-tunes", headers=headers)\n',
            ((2, 27),),
        ),
        Example(
            "config.json",
            '{"endpoint": "https://api-inference.huggingface.co/models/gpt2"}\n',
            ((1, 15),),
        ),
        Example("app.py", 'URL = "https://api.openai.com/v1/chat/completions"\n'),
        Example("notes.py", "# we used to call https://api.openai.com/v1/engines here\n"),
        Example("app.py", 'ROUTE = "/v1/answers"  # our own API\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        idx = index(ctx.db)
        scope: dict[str, bool] = {}
        for value in running_values(ctx):
            urls = list(urls_in(value.raw))
            for url in urls:
                endpoint = self._for_url(ctx, idx, url.host, url.path)
                if endpoint is not None:
                    span = piece_span(ctx, value, url.start, url.end)
                    shown = url.host if endpoint.path is None else endpoint.path
                    yield self._report(ctx, span, shown, endpoint)
            if urls:
                continue
            host = bare_host(value)
            if host is not None:
                for endpoint in idx.hosts.get(host, ()):
                    yield self._report(ctx, value.span, host, endpoint)
                    break
                continue
            yield from self._paths(ctx, idx, value, scope)

    def _for_url(self, ctx: FileContext, idx: Index, host: str, path: str) -> Endpoint | None:
        for endpoint in idx.hosts.get(host, ()):
            return endpoint
        provider = provider_for_host(ctx.db, host)
        if provider is None:
            return None
        for endpoint in idx.paths:
            if (
                endpoint.provider is provider
                and endpoint.path
                and path_matches(path, endpoint.path)
            ):
                return endpoint
        return None

    def _paths(
        self, ctx: FileContext, idx: Index, value: Value, scope: dict[str, bool]
    ) -> Iterator[Finding]:
        if "/" not in value.raw or idx.any_path is None or not idx.any_path.any_in(value.raw):
            return
        if not _path_like(ctx, value):
            return
        for endpoint in idx.paths:
            assert endpoint.path is not None  # Index.paths holds endpoints with a path
            m = idx.path_pattern(endpoint).search(value.raw)
            if m and (endpoint.bare or self._in_scope(ctx, scope, endpoint)):
                span = piece_span(ctx, value, m.start(), m.end())
                yield self._report(ctx, span, endpoint.path, endpoint)
                return
            # `f"{base}/answers"`, `BASE + "/answers"`: the path below a base URL held
            # elsewhere (a name that says so), in a file that talks to this provider.
            short = VERSION_PREFIX.sub("", endpoint.path)
            if short == endpoint.path or not value.dynamic:
                continue
            m = re.search(_BELOW_BASE.pattern + re.escape(short) + r"(?![\w-])", value.raw)
            if (
                m
                and _BASE_NAME.search(m.group("base") or m.group("base2") or "")
                and self._in_scope(ctx, scope, endpoint)
            ):
                start = m.end() - len(short)
                yield self._report(ctx, piece_span(ctx, value, start, m.end()), short, endpoint)
                return

    def _in_scope(self, ctx: FileContext, scope: dict[str, bool], endpoint: Endpoint) -> bool:
        pid = endpoint.provider.id
        if pid not in scope:
            scope[pid] = file_mentions(ctx, endpoint.provider)
        return scope[pid]

    def _report(self, ctx: FileContext, span: Span, shown: str, endpoint: Endpoint) -> Finding:
        verdict, severity = endpoint.verdict(today())
        use = f"; use {endpoint.replacement}" if endpoint.replacement else ""
        return self.finding(
            ctx,
            span,
            f"`{shown}` {verdict} ({endpoint.provider.name}){use}",
            provider=endpoint.provider.id,
            severity=severity,
        )
