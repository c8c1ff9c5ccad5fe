from __future__ import annotations

import re
from collections.abc import Iterator

from keylint import names
from keylint.checks import keys, kl110_kubernetes_secret
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Context, Span, Value
from keylint.findings import Category, Confidence, Finding, Secret, Severity

# Values that are names, paths, prompts or templates, never credentials (keylint's own
# noise filters, applied before detect-secrets is asked).
# db_password, apiKeySource. Written so each character has one way to match: the nested
# `(?:[_.-]?[A-Z]?[a-z]+)+` form backtracked exponentially on long lowercase values.
_FIELD_NAME = re.compile(r"[a-z]+(?:(?:[_.-][A-Z]?|[A-Z])[a-z]+)*")
_ENV_LIKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")  # OPENAI_API_KEY
_PATH_OR_URL = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|/|\./|\.\./|~/|[A-Za-z]:\\|arn:|\d{4}-\d{2}-\d{2}[T ]?)"
    r"|\.(?:json|pem|key|txt|crt|cer|p12|pfx|ya?ml|env|ini|cfg|toml|gpg|asc)$",
    re.IGNORECASE,
)
# A value ending in `!` is prose only when it is a word (`Welcome!`): `Summer2024!` is a
# password.
_PROSE_OR_TEMPLATE = re.compile(r"[:?]$|^[^\W\d_]+!$|%[sdr]|%\(|[{}]")
_CODE = re.compile(r"[()\[\]]")  # an unquoted value with brackets is an expression
# In code, an unquoted value that is a name or a member access is a reference to a variable:
# `apiKey: TestConfiguration.AzureOpenAI.ApiKey`, `apiKey = SingleSpace` (C#, JS, Go…).
_REFERENCE = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
# "Fill in" text around a key slot: `LLM|your_api_key_here`, `<token>`, `sk-xxxx`.
_FILL_IN = re.compile(r"your[_-]|[_-]here$|<[^>]+>|x{4,}|\*{4,}", re.IGNORECASE)
# Letters only (any script): a label or a word such as "OpenAI" or "API-Schlüssel".
_WORDS = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
MIN_LENGTH = 6


class GenericSecret(Rule):
    """A password, token or key assigned to a secret-named variable, as detect-secrets finds it.

    ## What it does
    For every string bound to a secret-sounding name (`password`, `api_key`, `secret`,
    `token`, `SECRET_KEY`, an `Authorization` header, … — `secret_name_pattern` in
    `rules/common.yaml`, minus `not_secret_name_pattern` such as `token_type` or
    `public_key`), asks [detect-secrets](https://github.com/Yelp/detect-secrets) whether
    the line holds a secret: its `KeywordDetector` and its Base64 (limit 4.5) and hex (limit
    3.0) high-entropy plugins, with its default heuristic filters (`is_sequential_string`,
    `is_potential_uuid`, `is_likely_id_string`, `is_templated_secret`,
    `is_prefixed_with_dollar_sign`, `is_indirect_reference`, `is_not_alphanumeric_string`,
    `is_lock_file`, `is_swagger_file`). It reports only when detect-secrets agrees, and names
    the detect-secrets secret type in the message.

    The line is given to detect-secrets from the variable's name to the end of the value
    (so a trailing comment or a second assignment does not hide it), under the file type
    whose syntax it has: dotenv and shell assignments as configuration (`KEY=value`, quotes
    optional), YAML and JSON as YAML, Python as Python. An unquoted value is also shown to
    it quoted (`name = "value"`), as detect-secrets' own YAML and INI transformers do, so
    its entropy plugins can judge it.

    Not reported, before detect-secrets is asked: a provider key keylint knows by its
    format (KL101) or one a detect-secrets format plugin recognises (KL103), placeholders
    (`changeme`, `<password>`), lookups (`${DB_PASS}`, `${{ secrets.X }}`, `os.environ…`),
    values of fewer than 6 characters, values with spaces (prompts and messages), paths,
    URLs, ARNs and timestamps, field and variable names (`db_password`, `apiKeySource`,
    `OPENAI_API_KEY`, a value naming its own variable), type names
    (`AWS::ApiGateway::ApiKey`), format strings, and a dotenv file that git ignores. A hex
    string or hash with no secret name next to it is never asked about.

    ## Why is this bad?
    A credential in a committed file is readable by everyone with access to the repository
    and its history; it has to be rotated, not just deleted.

    ## Example
    ```python
    DATABASE_PASSWORD = "hunter2-staging"
    ```

    Use instead:
    ```python
    DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
    ```

    ## References
    - CWE-798: Use of Hard-coded Credentials
    - detect-secrets 1.5.0: `plugins/keyword.py`, `plugins/high_entropy_strings.py`,
      `filters/heuristic.py`
    """

    code = "KL102"
    name = "generic-secret"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    confidence_notes = "low for a plain word (a label more than a secret)"
    summary = "A password or secret is assigned to a secret-named variable in a committed file."
    cwe = "CWE-798"
    precision = "medium"
    confidence = Confidence.MEDIUM  # a keyword and detect-secrets' judgement, not a format
    heuristic_secret = True
    examples = (
        Example("settings.py", 'DATABASE_PASSWORD = "hunter2-staging"\n', ((1, 22),)),
        Example("app.py", 'db.connect(password="Xq9#vR2mLp4z")  # prod\n', ((1, 22),)),
        Example(".env", "POSTGRES_PASSWORD=s3cr3t-Pa55w0rd\n", ((1, 19),)),
        Example("config.yaml", "db:\n  password: s3cr3t-Pa55w0rd\n", ((2, 13),)),
        Example("config.json", '{"client_secret": "{key:azure-openai-key}"}\n', ((1, 20),)),
        Example("deploy.sh", "export API_TOKEN='{key:aws-secret-access-key}'\n", ((1, 19),)),
        Example(".env", "POSTGRES_PASSWORD=s3cr3t-Pa55w0rd\n", (), git_ignored=True),
        Example("settings.py", 'DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]\n'),
        Example("settings.py", 'DATABASE_PASSWORD = "changeme"\n'),
        Example("config.yaml", "db:\n  password: ${DB_PASSWORD}\n"),
        Example(
            "hashes.py", 'digest = "{key:azure-openai-key}"\nrun_id = "{key:cohere-api-key}"\n'
        ),
        Example("app.py", 'token_type = "bearer"\nPASSWORD_FIELD = "password"\n'),
        # password names detect-secrets' keyword plugin has no word for
        Example("app.js", 'const adminPass = "Xq9#vR2mLp4z";\n', ((1, 20),)),
        Example("config.json", '{"db": {"pass": "Xq9#vR2mLp4z"}}\n', ((1, 18),)),
        Example("settings.yaml", "passphrase: Summer2024secret!\n", ((1, 13),)),
        Example("deploy.yaml", "smtp:\n  user_auth: Xq9vR2mLp4zTw8\n", ((2, 14),)),
        Example("config.php", "<?php\n$db_password = 'Xq9#vR2mLp4z';\n", ((2, 17),)),
        Example("config.php", "<?php\n$db_password = $config['db'];\n"),
        Example("app.py", 'bypass = "Xq9#vR2mLp4z"\nauth = "oauth2-basic"\n'),
        Example("ui.yaml", "login:\n  password: Welcome!\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if ctx.file.git_ignored:
            return
        rendered = keys.renders_templates(ctx.file.kind)
        for value in ctx.of(Value):
            candidate = self.candidate(ctx, value, rendered)
            if candidate is None:
                continue
            kt, start, text = candidate
            lines = self.lines(ctx, value, text)
            found = keys.detect_secrets().named_value(lines, ctx.file.path, text)
            if found is None:
                continue
            yield self.report(ctx, value, kt.span(ctx.file, start, len(text)), text, found)

    def candidate(
        self, ctx: FileContext, value: Value, rendered: bool
    ) -> tuple[keys.KeyText, int, str] | None:
        """The key text worth asking detect-secrets about, with its start in it."""
        db = ctx.db
        if value.dynamic or value.is_template or not names.is_secret_name(value.name, db):
            return None
        kt = keys.key_text(value)
        text = kt.text.strip()
        if len(text) < MIN_LENGTH or any(c.isspace() for c in text):
            return None
        if (
            keys.is_placeholder(text, db, rendered=rendered)
            or keys.is_lookup(text, db, rendered=rendered)
            or keys.is_env_name_value(text, db)
            or keys.names_itself(text, value.name)
            or db.has_key(text)
            or keys.standalone_format(value.name, text, db) is not None  # KL106
            or kl110_kubernetes_secret.in_secret(ctx, value)  # decoded and judged by KL110
            or keys.has_trigger(text)
            or _FIELD_NAME.fullmatch(text)
            or _ENV_LIKE.fullmatch(text)
            or _PATH_OR_URL.search(text)
            or _PROSE_OR_TEMPLATE.search(text)
            or (not value.quote and _CODE.search(text))
            or (not value.quote and value.context is Context.CODE and _REFERENCE.fullmatch(text))
            or _FILL_IN.search(text)
        ):
            return None
        return kt, kt.text.index(text), text

    def lines(self, ctx: FileContext, value: Value, text: str) -> list[tuple[str, str]]:
        """(line, detect-secrets file name) pairs to scan for ``text``."""
        filename = keys.ds_filename(ctx.file.kind, ctx.file.path)
        out: list[tuple[str, str]] = []
        span = value.span
        if span.line == span.end_line and not names.is_auth_header(value.name):
            line = ctx.file.line_text(span.line)
            start = 0
            name_span = value.name_span
            if name_span and name_span.line == span.line and name_span.column <= span.column:
                start = name_span.column - 1
            end = span.end_column - 1 + len(value.quote)
            out.append((line[start:end], filename))
        quote = "'" if '"' in text else '"'
        if value.quote == "" or not out:
            name = (value.name or "secret").split(".")[-1]
            out.append((f"{name} = {quote}{text}{quote}", "keylint.py"))
        if names.is_password_name(value.name, ctx.db):
            # detect-secrets' keyword plugin knows `password`, not `adminPass` or `user_auth`
            out.append((f"password = {quote}{text}{quote}", "keylint.py"))
        return out

    def report(
        self, ctx: FileContext, value: Value, span: Span, text: str, secret_type: str
    ) -> Finding:
        fmt = keys.contextual_format(value, ctx.db)
        provider = keys.provider_for_name(value.name, ctx.db)
        provider_id = fmt.provider if fmt else (provider.id if provider else None)
        label = fmt.label if fmt else "Secret"
        secret = Secret.of(text)
        confidence, reason = self.confidence, None
        if _WORDS.fullmatch(text):
            confidence, reason = Confidence.LOW, "a plain word: more likely a label than a secret"
        return self.finding(
            ctx,
            span,
            f"{label} `{secret.redacted}` is hardcoded in `{value.name}` (detect-secrets: "
            f"{secret_type}); read it from the environment or a secret store, and rotate it",
            provider=provider_id,
            secret=secret,
            confidence=confidence,
            reason=reason,
        )
