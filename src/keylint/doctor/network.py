"""The network path a request takes: proxies, CA bundles and base URLs.

Reported as found; judged only when malformed (a proxy URL that does not parse, a CA file
that does not exist, a base URL that is not an http(s) URL). Proxy credentials are never
shown: ``user:***@``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from keylint.doctor.model import Level, Problem
from keylint.doctor.values import issues
from keylint.providers import Provider

# What httpx (the openai/anthropic SDKs' client) and requests read from the environment;
# both accept the lower-case spellings too.
PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
CA_FILES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")
CA_DIRS = ("SSL_CERT_DIR",)
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def _safe_url(value: str) -> str:
    """The URL without credentials, path or query."""
    try:
        parts = urlsplit(value.strip() if "://" in value else "http://" + value.strip())
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unparsable)"
    user = "***@" if parts.username or parts.password else ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}"


def _lookup(env: Mapping[str, str], name: str) -> tuple[str, str] | None:
    for candidate in (name, name.lower()):
        if candidate in env:
            return candidate, env[candidate]
    return None


def proxies(env: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[Problem]]:
    shown: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for name in PROXY_VARS:
        found = _lookup(env, name)
        if found is None:
            continue
        var, value = found
        if name == "NO_PROXY":
            hosts = ", ".join(h.strip() for h in value.split(",") if h.strip())
            shown.append((var, f"hosts that bypass the proxy: {hosts or '(none)'}"))
            continue
        if not value.strip():
            continue
        shown.append((var, f"requests go through {_safe_url(value)}"))
        bad = issues(value)
        scheme = value.split("://", 1)[0].lower() if "://" in value else "http"
        try:
            port_ok = urlsplit(value.strip() if "://" in value else "http://" + value.strip()).port
            del port_ok
            parse_error = ""
        except ValueError as exc:
            parse_error = str(exc)
        if bad or parse_error or scheme not in _PROXY_SCHEMES:
            why = ", ".join(bad) or parse_error or f"the scheme {scheme}:// is not a proxy scheme"
            problems.append(
                Problem(
                    "proxy-malformed",
                    Level.ERROR,
                    f"{var} is malformed ({why}): every request through it fails",
                    variable=var,
                )
            )
    return shown, problems


def ca_bundles(env: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[Problem]]:
    shown: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for name in (*CA_FILES, *CA_DIRS):
        value = env.get(name)
        if value is None or not value.strip():
            continue
        path = Path(value.strip()).expanduser()
        want_dir = name in CA_DIRS
        ok = path.is_dir() if want_dir else path.is_file()
        shown.append((name, f"{'certificates in' if want_dir else 'CA bundle'} {path}"))
        if not ok:
            kind = "folder" if want_dir else "file"
            problems.append(
                Problem(
                    "ca-missing",
                    Level.ERROR,
                    f"{name} names a {kind} that does not exist ({path}): TLS connections "
                    "fail before the key is sent",
                    variable=name,
                    hint=f"unset {name} or point it at the right {kind}",
                )
            )
    return shown, problems


def base_url(
    name: str, value: str, provider: Provider | None
) -> tuple[tuple[str, str] | None, Problem | None]:
    """A base-URL variable: where it points, and a problem only if it is not a URL."""
    if not value.strip():
        return None, None
    bad = issues(value)
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if bad or parts is None or parts.scheme not in ("http", "https") or not host:
        why = ", ".join(bad) or "not an http(s) URL with a host"
        return (name, f"set, but malformed ({why})"), Problem(
            "base-url-malformed",
            Level.ERROR,
            f"{name} is malformed ({why}): the SDK cannot send requests to it",
            provider.id if provider else None,
            name,
        )
    where = _safe_url(value)
    if provider is not None and not provider.matches_host(host):
        default = provider.hosts[0] if provider.hosts else "the provider"
        return (name, f"requests go to {where}, not to {default}"), None
    return (name, f"requests go to {where}"), None
