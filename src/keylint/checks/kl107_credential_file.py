from __future__ import annotations

import base64
import random
import re
import string
from collections.abc import Iterator

from keylint import credpaths
from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.checks.kl103_service_token import _LOCAL_HOSTS
from keylint.extract import ParseError
from keylint.findings import Category, Finding, Secret, Severity


def _fake(n: int, seed: str) -> str:
    """Random text built at import time, so no credential-shaped literal is committed."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


_PW = _fake(16, "kl107")
_AUTH = base64.b64encode(f"deploy:{_PW}".encode()).decode()

# Where the value comes from instead: `${NPM_TOKEN}` (npm, Docker), `%NUGET_PASSWORD%`
# (NuGet), `$(Password)` (MSBuild), `{{ secret }}`.
_REFERENCE = re.compile(
    r"^(?:\$\{[^}]+\}|\$\([^)]+\)|%[A-Za-z_][\w.]*%|\{\{.*\}\}|\$[A-Za-z_]\w*)$"
)
# Names whose value is an API token rather than a password: it must look generated.
_TOKEN_NAME = re.compile(r"token|api_?key|secret", re.IGNORECASE)
_MIN_PASSWORD = 4


class CredentialFile(Rule):
    """A password in a file whose format is made for credentials: `.netrc`, `.pgpass`,
    `.git-credentials`, `.npmrc`, `.pypirc`, Docker `config.json`, or an XML configuration
    (NuGet `ClearTextPassword`, FileZilla `<Pass>`, `password="…"`, connection strings).

    ## What it does
    Reads each file by its own syntax and reports every password or token in it, at its
    position: `machine … login … password …` tokens of `.netrc`, the fifth field of a
    `.pgpass` line, `https://user:token@host` lines of `.git-credentials`, `_authToken`,
    `_auth` and `_password` of `.npmrc` (base64 decoded), `password =` of `.pypirc`,
    `auths.<registry>.auth` of a Docker `config.json` (base64 `user:password`), and in XML
    files (`.xml`, `.config`, `.csproj`, `.props`, `.targets`) a password-named attribute or
    element, NuGet's `<add key="ClearTextPassword" value="…"/>` and `Password=` inside a
    `connectionString`. XML is parsed with the standard library's expat; entity
    declarations are refused.

    Not reported: references the tool resolves (`${NPM_TOKEN}`, `%NUGET_PASSWORD%`,
    `$(Password)`), placeholders, local hosts (`localhost`, `*.example.com`), tests, and a
    file git ignores.

    ## Why is this bad?
    These files exist to log in: a committed copy gives every reader the account, and the
    tools read them without asking.

    ## Example
    ```ini
    # .npmrc
    //npm.corp.io/:_authToken=abc123…
    ```

    Use instead:
    ```ini
    //npm.corp.io/:_authToken=${NPM_TOKEN}
    ```

    ## References
    - CWE-798: Use of Hard-coded Credentials
    - CWE-256: Plaintext Storage of a Password
    """

    code = "KL107"
    name = "credential-file"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    summary = "A password or token in a credentials file (.netrc, .npmrc, Docker, XML config)."
    cwe = "CWE-798"
    precision = "high"
    examples = (
        Example(".netrc", f"machine api.corp.io login deploy password {_PW}\n", ((1, 43),)),
        Example(".npmrc", f"//npm.corp.io/:_authToken={_PW}\n", ((1, 27),)),
        Example(".npmrc", "//npm.corp.io/:_authToken=${NPM_TOKEN}\n"),
        Example(".git-credentials", f"https://deploy:{_PW}@git.corp.io\n", ((1, 16),)),
        Example(".git-credentials", f"https://deploy:{_PW}@localhost\n"),
        Example(
            ".docker/config.json",
            '{"auths": {"registry.corp.io": {"auth": "' + _AUTH + '"}}}\n',
            ((1, 42),),
        ),
        Example(
            "NuGet.Config",
            "<configuration>\n  <packageSourceCredentials>\n    <corp>\n"
            f'      <add key="ClearTextPassword" value="{_PW}" />\n'
            "    </corp>\n  </packageSourceCredentials>\n</configuration>\n",
            ((4, 43),),
        ),
        Example(
            "NuGet.Config",
            '<configuration><corp><add key="ClearTextPassword" value="%NUGET_PW%"/>'
            "</corp></configuration>\n",
        ),
        Example(
            "sitemanager.xml",
            f"<Servers><Server><Pass>{_PW}</Pass></Server></Servers>\n",
            ((1, 24),),
        ),
        Example(
            "web.config",
            '<connectionStrings><add name="db" connectionString="Server=db.corp.io;'
            f'User Id=app;Password={_PW};"/></connectionStrings>\n',
            ((1, 92),),
        ),
        Example("tests/fixtures/.netrc", f"machine x login y password {_PW}\n"),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        path = ctx.file.path
        if ctx.file.git_ignored or keys.is_test_path(path):
            return
        # The parsers are imported only for a file they read: most runs meet none.
        if credpaths.has_credential_syntax(path):
            from keylint import credfiles

            for cred in credfiles.credentials(path, ctx.file.text):
                if self.keep(ctx, cred.name, cred.value, cred.host):
                    yield self.report(ctx, cred.start, cred.end, cred.value, cred.what)
        elif credpaths.is_xml_config(path):
            from keylint.extract import xml as xml_extract

            try:
                found = xml_extract.secrets(ctx.file.text)
            except ParseError:
                return  # not XML after all: the plain-text rules still run
            for item in found:
                if self.keep(ctx, item.name, item.value, ""):
                    what = f"{item.name} ({item.how}) in XML configuration"
                    yield self.report(ctx, item.start, item.end, item.value, what)

    def keep(self, ctx: FileContext, name: str, value: str, host: str) -> bool:
        db = ctx.db
        text = value.strip()
        if len(text) < _MIN_PASSWORD or _REFERENCE.match(text):
            return False
        if keys.is_placeholder(text, db) or keys.is_lookup(text, db):
            return False
        if host and _LOCAL_HOSTS.match(host):
            return False
        if _TOKEN_NAME.search(name) and not keys.key_like(text, db, min_len=12):
            return False
        return not db.find_keys(text)  # a provider key: KL101 reports it

    def report(self, ctx: FileContext, start: int, end: int, value: str, what: str) -> Finding:
        secret = Secret.of(value)
        return self.finding(
            ctx,
            ctx.file.span(start, end),
            f"{what} `{secret.redacted}` is committed; keep the file out of the repository "
            f"(or reference an environment variable) and change the password",
            secret=secret,
        )
