from __future__ import annotations

import base64
import binascii
import random
import string
from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.facts import Value
from keylint.findings import Category, Finding, Secret, Severity
from keylint.source import FileKind


def _fake(n: int, seed: str) -> str:
    """Random text built at import time, so no credential-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


_PW = _fake(20, "kl110")
_ENCODED = base64.b64encode(_PW.encode()).decode()
_CHANGEME = base64.b64encode(b"changeme").decode()
_HEAD = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
_MIN = 4


def in_secret(ctx: FileContext, value: Value) -> bool:
    """A `data:` or `stringData:` entry of a Kubernetes Secret manifest (KL110 judges it;
    KL102 leaves it alone, because it would judge the base64 text, not the password)."""
    return _field(value) is not None and is_secret_manifest(ctx)


def is_secret_manifest(ctx: FileContext) -> bool:
    """The file declares ``kind: Secret`` (computed once per file: KL102 asks per value)."""
    if ctx.file.kind not in (FileKind.YAML, FileKind.JSON) or "Secret" not in ctx.file.text:
        return False
    found: bool | None = ctx.cache.get("secret_manifest")
    if found is None:
        found = any(v.qualname == "kind" and v.value == "Secret" for v in ctx.of(Value))
        ctx.cache["secret_manifest"] = found
    return found


def _field(value: Value) -> str | None:
    """``data`` or ``stringData`` when the value is one of their entries."""
    qualname = value.qualname or ""
    head, _, rest = qualname.partition(".")
    if head in ("data", "stringData") and rest and "." not in rest:
        return head
    return None


def decode(text: str) -> str | None:
    """The value a `data:` entry stands for, or None when it is not base64 text."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # binary (a keystore, a certificate): not judged here


class KubernetesSecret(Rule):
    """A Kubernetes `Secret` manifest with a real value in `data:` (base64) or `stringData:`.

    ## What it does
    In YAML and JSON files that declare `kind: Secret`, decodes every `data:` entry (base64,
    as the API server stores it) and reads every `stringData:` entry, then judges the value
    itself: a placeholder (`changeme`, `<password>`, `${DB_PASSWORD}`), an empty or
    four-character value is not reported; anything else is a committed credential. Base64 is
    an encoding, not encryption: the manifest holds the password.

    Not reported: Helm and Kustomize templates (`{{ .Values.password | b64enc }}`), values
    that are not base64, binary data, tests, and a file git ignores. KL102 does not judge
    these entries (it would see the base64 text, not the password).

    ## Why is this bad?
    Anyone who reads the repository can decode the value (`base64 -d`) and log in.

    ## Example
    ```yaml
    kind: Secret
    data:
      password: aHVudGVyMg==
    ```

    Use instead: a sealed or external secret (Sealed Secrets, External Secrets, SOPS), or
    create the Secret from the environment at deploy time.

    ## References
    - CWE-798: Use of Hard-coded Credentials
    - Kubernetes: Secrets "are, by default, stored unencrypted in the API server's
      underlying data store" (kubernetes.io/docs/concepts/configuration/secret)
    """

    code = "KL110"
    name = "kubernetes-secret"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    summary = "A Kubernetes Secret manifest holds a real value (base64 is not encryption)."
    cwe = "CWE-798"
    precision = "high"
    examples = (
        Example("k8s/secret.yaml", _HEAD + f"data:\n  password: {_ENCODED}\n", ((6, 13),)),
        Example("k8s/secret.yaml", _HEAD + f"stringData:\n  DB_PASSWORD: {_PW}\n", ((6, 16),)),
        Example("k8s/secret.yaml", _HEAD + f"data:\n  password: {_CHANGEME}\n"),
        Example("k8s/secret.yaml", _HEAD + "data:\n  password: {{ .Values.pw | b64enc }}\n"),
        Example(
            "k8s/config.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
            f"data:\n  password: {_ENCODED}\n",
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if ctx.file.git_ignored or keys.is_test_path(ctx.file.path):
            return
        if not is_secret_manifest(ctx):
            return
        db = ctx.db
        for value in ctx.of(Value):
            field = _field(value)
            if field is None or value.dynamic or value.is_template:
                continue
            text = value.value.strip()
            if keys.is_lookup(text, db) or keys.is_placeholder(text, db):
                continue
            plain = decode(text) if field == "data" else text
            if plain is None or len(plain.strip()) < _MIN:
                continue
            plain = plain.strip()
            if keys.is_placeholder(plain, db) or keys.is_lookup(plain, db):
                continue
            if db.find_keys(plain) and field == "stringData":
                continue  # a provider key written as is: KL101 reports it
            secret = Secret.of(plain)
            how = "decodes to" if field == "data" else "holds"
            yield self.finding(
                ctx,
                value.span,
                f"Kubernetes Secret entry `{value.name}` {how} `{secret.redacted}`: the "
                f"manifest holds the credential; use a sealed or external secret and rotate it",
                secret=secret,
            )
