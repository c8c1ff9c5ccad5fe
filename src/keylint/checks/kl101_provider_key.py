from __future__ import annotations

from collections.abc import Iterator

from keylint.checks import keyquality
from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.keys import is_placeholder
from keylint.findings import Category, Finding, Secret, Severity
from keylint.fix import producers


class ProviderKey(Rule):
    """A provider API key, recognised by its format, written into a file git would commit.

    ## What it does
    Finds keys of known providers by their documented format — OpenAI (`sk-proj-`,
    `sk-svcacct-`, `sk-admin-`, legacy `sk-…T3BlbkFJ…`), Anthropic (`sk-ant-api03-…AA`),
    Google/Gemini (`AIza…`), Groq (`gsk_`), xAI (`xai-`), OpenRouter (`sk-or-v1-`),
    Perplexity (`pplx-`), Together (`tgp_v1_`), Hugging Face (`hf_`), AWS (`AKIA…`), GitHub
    (`ghp_`, `github_pat_`), Stripe (`sk_live_`), every Slack token kind and webhook, and
    the tokens of some fifty more services (GitLab `glpat-`, npm `npm_`, PyPI, SendGrid,
    Microsoft Entra ID client secrets `…8Q~…`, Vault `hvs.`, Databricks `dapi`, Terraform
    Cloud `….atlasv1.…`, Replicate `r8_`, Tavily `tvly-`, LangSmith `lsv2_`, …) — anywhere
    in a file: code, configuration, comments, notebook outputs and docs. The formats are
    data in `rules/providers/*.yaml`, each with its source (`keylint rules` lists them).

    ## Why is this bad?
    A key in a committed file is leaked to everyone who can read the repository and its
    history; scrapers find keys on public hosts within minutes. Removing the line does not
    help: the key stays in history and must be rotated.

    A real key in a dotenv file that git ignores is correct practice and is not reported.

    ## Example
    ```python
    client = OpenAI(api_key="sk-proj-…")
    ```

    Use instead:
    ```python
    client = OpenAI()  # reads OPENAI_API_KEY from the environment
    ```

    ## References
    - CWE-798: Use of Hard-coded Credentials
    """

    code = "KL101"
    name = "provider-key"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    fixable = "sometimes"
    fix_applicability = "unsafe"
    summary = "A provider API key is hardcoded in a file git would commit."
    cwe = "CWE-798"
    precision = "very-high"
    examples = (
        Example("app.py", 'client = OpenAI(api_key="{key:openai-project-key}")\n', ((1, 26),)),
        Example("app.py", "# old key: {key:anthropic-api-key}\n", ((1, 12),)),
        Example("config.yaml", "gemini:\n  key: {key:google-api-key}\n", ((2, 8),)),
        Example(".env", "GROQ_API_KEY={key:groq-api-key}\n", ((1, 14),)),
        Example(".env", "GROQ_API_KEY={key:groq-api-key}\n", (), git_ignored=True),
        Example("app.py", 'key = os.environ["OPENAI_API_KEY"]\n'),
        Example("app.py", 'aws_key = "AKIAIOSFODNN7EXAMPLE"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if ctx.file.git_ignored:
            return
        db = ctx.db
        text = ctx.file.text
        for start, end, fmt in db.find_keys(text):
            raw = text[start:end]
            if fmt.role == "id":
                continue  # an identifier alone is no leak: KL111 reports it with its secret
            if is_placeholder(raw, db) or keyquality.not_a_secret(raw, fmt):
                continue  # published on purpose (rules/public-keys.yaml) or typed by hand
            provider = db.by_id[fmt.provider]
            secret = Secret.of(raw, fmt.prefix)
            span = ctx.file.span(start, end)
            env_name = provider.key_env[0] if provider.key_env else None
            finding = self.finding(
                ctx,
                span,
                f"{fmt.label} `{secret.redacted}` is hardcoded; move it to an environment "
                f"variable or secret store and rotate it",
                provider=provider.id,
                secret=secret,
                fix=producers.move_key(ctx, span, env_name),
            )
            # a project's own format ([tool.keylint] key-formats) may set its severity
            yield finding.with_severity(Severity(fmt.severity)) if fmt.severity else finding
