from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, ProjectContext, ProjectRule
from keylint.checks.envnames import Conflict, env_data
from keylint.facts import EnvDef, SdkUse
from keylint.findings import Category, Finding, Severity
from keylint.source import FileKind

# Files whose definitions form nested scopes (compose services, workflow jobs and steps).
_NESTED = frozenset({FileKind.YAML, FileKind.JSON, FileKind.TOML})


class ConflictingEnvVars(ProjectRule):
    """Two variables that change each other's meaning are set together.

    ## What it does
    Finds pairs the provider data marks as conflicting (`rules/providers/*.yaml`,
    `env.conflicts`) set with values in one scope — one dotenv file, one Dockerfile or
    script, one compose `environment:` block, one workflow `env:` block:
    `GOOGLE_API_KEY` with `GEMINI_API_KEY`, `ANTHROPIC_API_KEY` with `ANTHROPIC_AUTH_TOKEN`,
    `HF_TOKEN` with `HUGGING_FACE_HUB_TOKEN`, and `OPENAI_API_KEY` with `AZURE_OPENAI_*`
    without `OPENAI_API_TYPE` when the code uses openai's module-level client. The finding
    sits on the variable that loses. Example files and docs, which list alternatives, are
    not checked.

    ## Why is this bad?
    Only one of the two is used, and which one depends on the SDK (google-genai prefers
    `GOOGLE_API_KEY`, the old google-generativeai `GEMINI_API_KEY`); rotating "the key"
    then changes the one that is not used. openai's module-level client refuses to guess
    and raises "Ambiguous use of module client".

    ## Example
    ```shell
    GOOGLE_API_KEY=AIza…
    GEMINI_API_KEY=AIza…
    ```

    Use instead:
    ```shell
    GEMINI_API_KEY=AIza…
    ```

    ## References
    - google-genai `_api_client.py`: "Both GOOGLE_API_KEY and GEMINI_API_KEY are set.
      Using GOOGLE_API_KEY."
    - anthropic-sdk-python `_client.py`; openai-python `__init__.py` `_load_client()`
    """

    code = "KL306"
    name = "conflicting-env-vars"
    category = Category.ENV_VAR_NAME
    severity = Severity.WARNING
    summary = "Two environment variables that override each other are set together."
    wants = (EnvDef, SdkUse)
    examples = (
        Example(".env", "GOOGLE_API_KEY=a\nGEMINI_API_KEY=b\n", ((2, 1),)),
        Example(".env", "ANTHROPIC_AUTH_TOKEN=a\nANTHROPIC_API_KEY=b\n", ((1, 1),)),
        Example(
            "app.py",
            'import os, openai\nos.environ.setdefault("OPENAI_API_KEY", "a")\n'
            'os.environ.setdefault("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")\n'
            'openai.chat.completions.create(model="gpt-4o", messages=[])\n',
            ((3, 24),),
        ),
        Example(
            "docker-compose.yml",
            "services:\n  a:\n    environment:\n      GOOGLE_API_KEY: x\n"
            "  b:\n    environment:\n      GEMINI_API_KEY: y\n",
        ),
        Example(".env.example", "GOOGLE_API_KEY=\nGEMINI_API_KEY=\n"),
        Example(".env", "OPENAI_API_KEY=a\nAZURE_OPENAI_API_KEY=b\n"),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        data = env_data(project.db)
        if not data.conflicts:
            return
        symbols = [f.symbol for ctx in project.files for f in ctx.of(SdkUse)]
        for ctx in project.files:
            if ctx.file.is_example or ctx.file.kind is FileKind.MARKDOWN:
                continue
            for scope in _scopes(ctx).values():
                for conflict in data.conflicts:
                    if not _applies(conflict, symbols):
                        continue
                    finding = self._check(ctx, scope, conflict)
                    if finding is not None:
                        yield finding

    def _check(
        self, ctx: FileContext, scope: dict[str, EnvDef], conflict: Conflict
    ) -> Finding | None:
        if not all(n in scope for n in conflict.all):
            return None
        present = [n for n in conflict.any if n in scope]
        if conflict.any and not present:
            return None
        if any(n in scope for n in conflict.unless):
            return None
        at = present[0] if conflict.report_at == "any" else conflict.report_at
        others = [n for n in (*conflict.all, *present) if n != at]
        together = ", ".join(f"`{n}`" for n in others)
        fix = f"set {conflict.unless[0]} or only one of them" if conflict.unless else "set only one"
        return self.finding(
            ctx,
            scope[at].span,
            f"`{at}` is set together with {together}: {conflict.effect}; {fix}",
            provider=conflict.provider,
        )


def _applies(conflict: Conflict, symbols: list[str]) -> bool:
    """The SDK uses this conflict depends on are there, and none that settles it."""
    if conflict.sdk_use is not None and not any(conflict.sdk_use.match(s) for s in symbols):
        return False
    unless = conflict.unless_sdk_use
    return unless is None or not any(unless.match(s) for s in symbols)


def _scopes(ctx: FileContext) -> dict[int, dict[str, EnvDef]]:
    """Definitions with a value, grouped by the block they are in (first one per name)."""
    scopes: dict[int, dict[str, EnvDef]] = defaultdict(dict)
    lines = ctx.file.text.splitlines()
    for fact in ctx.of(EnvDef):
        if not fact.context.runs or fact.value is None or not fact.value.value.strip():
            continue
        key = _parent_line(lines, fact.span.line) if ctx.file.kind in _NESTED else 0
        scopes[key].setdefault(fact.name, fact)
    return scopes


def _parent_line(lines: list[str], line: int) -> int:
    """The line of the nearest less-indented line above ``line`` (its YAML parent key)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = len(text) - len(text.lstrip())
    for number in range(line - 1, 0, -1):
        above = lines[number - 1]
        stripped = above.lstrip()
        if stripped and not stripped.startswith("#") and len(above) - len(stripped) < indent:
            return number
    return 0
