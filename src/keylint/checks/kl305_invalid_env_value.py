from __future__ import annotations

from collections.abc import Iterator

from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.envnames import ValueSpec, also_read, env_data
from keylint.facts import EnvDef, Origin, Value
from keylint.findings import Category, Finding, Severity


class InvalidEnvValue(Rule):
    """An SDK setting variable holds a value the SDK does not accept.

    ## What it does
    Checks the value of variables whose values an SDK checks, listed in
    `rules/providers/*.yaml` (`env.values`): `OPENAI_API_TYPE` accepts `openai`, `azure` (and
    `amazon-bedrock`) in openai>=1; the openai<1 values `open_ai`, `azure_ad` and `azuread`
    are reported with their replacement. Definitions (`.env`, compose, workflows,
    Dockerfiles, `export`) and defaults (`os.getenv("OPENAI_API_TYPE", "open_ai")`) are
    checked; lookups such as `${OPENAI_API_TYPE}` are not.

    With a pin that guarantees openai>=1 a value that now picks the wrong backend is an
    error, without a pin a warning; a project pinned to openai<1 is checked against the old
    values. Not reported when the project depends on LangChain or litellm, which read the
    variable themselves.

    ## Why is this bad?
    The module-level client of openai>=1 builds an Azure client only for `azure`; any other
    value gives the plain OpenAI client. `OPENAI_API_TYPE=azure_ad` therefore sends the
    Azure token to api.openai.com, and `open_ai` works only by accident.

    ## Example
    ```shell
    OPENAI_API_TYPE=azure_ad
    ```

    Use instead:
    ```shell
    OPENAI_API_TYPE=azure
    AZURE_OPENAI_AD_TOKEN=…
    ```

    ## References
    - openai-python 1.x `__init__.py` `_load_client()`; 0.28.1 `__init__.py` (`open_ai`,
      `azure_ad`, `azuread`)
    """

    code = "KL305"
    name = "invalid-env-value"
    category = Category.ENV_VAR_NAME
    severity = Severity.WARNING
    summary = "An SDK setting variable holds a value the current SDK does not accept."
    examples = (
        Example(".env", "OPENAI_API_TYPE=open_ai\n", ((1, 17),)),
        Example("Dockerfile", "FROM python:3.12\nENV OPENAI_API_TYPE=azure_ad\n", ((2, 21),)),
        Example("app.py", 'import os\nt = os.getenv("OPENAI_API_TYPE", "azuread")\n', ((2, 35),)),
        Example(".env", "OPENAI_API_TYPE=azure\n"),
        Example(".env", "OPENAI_API_TYPE=${API_TYPE}\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        data = env_data(ctx.db)
        if not data.values:
            return
        seen: set[int] = set()
        for fact in ctx.facts:
            value: Value | None = None
            if isinstance(fact, EnvDef) and fact.value is not None:
                value = fact.value
                name = fact.name
            elif isinstance(fact, Value) and fact.origin is Origin.DEFAULT and fact.name:
                value, name = fact, fact.name
            else:
                continue
            spec = data.values.get(name.strip().upper())
            if spec is None or id(value) in seen or not value.context.runs:
                continue
            seen.add(id(value))
            finding = self._check(ctx, spec, value)
            if finding is not None:
                yield finding

    def _check(self, ctx: FileContext, spec: ValueSpec, value: Value) -> Finding | None:
        text = value.value.strip().strip("\"'")
        if not text or value.dynamic or "$" in text or "{" in text:
            return None
        if any(p.match(text) for p in ctx.db.common.lookup_patterns):
            return None
        if also_read(spec.also_read_by, ctx.pins):
            return None
        new = spec.since.holds(ctx.pins)
        if new is False:  # pinned to the old SDK: check the old values
            if text.lower() in spec.legacy_allowed:
                return None
            return self.finding(
                ctx,
                value.span,
                f"`{text}` is not a value {spec.since.package}<{spec.since.major} accepts for "
                f"{spec.name} ({', '.join(spec.legacy_allowed)})",
                provider=spec.provider,
            )
        if text in spec.allowed:
            return None
        return self.finding(
            ctx,
            value.span,
            self._message(spec, text, new),
            provider=spec.provider,
            # `open_ai` still gets the plain OpenAI client it meant; the rest pick the wrong one.
            severity=Severity.ERROR
            if new and (text in spec.misroutes or text not in spec.replacements)
            else None,
        )

    @staticmethod
    def _message(spec: ValueSpec, text: str, new: bool | None) -> str:
        old = f"{spec.since.package}<{spec.since.major}"
        if text in spec.misroutes:
            use = spec.replacements[text]
            return (
                f"`{text}` is an {old} value of {spec.name} meaning `{use}`; {spec.effect}, "
                f"so these requests no longer reach `{use}`: use `{use}`"
            )
        if text in spec.replacements:
            use = spec.replacements[text]
            return f"`{text}` is the {old} spelling of {spec.name}; {spec.effect}: use `{use}`"
        allowed = ", ".join(f"`{a}`" for a in spec.allowed)
        hint = f": use `{text.lower()}`" if text.lower() in spec.allowed else ""
        return f"`{text}` is not a value of {spec.name} ({allowed}); {spec.effect}{hint}"
