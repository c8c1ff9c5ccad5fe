"""Credentials in the files tools keep them in: ``.netrc``, ``.pgpass``, ``.git-credentials``,
``.npmrc``, ``.pypirc`` and Docker's ``config.json``, each read by its own syntax, with the
position of every password in the file.

A committed copy of one of these files hands its logins to every reader. The parsers here
only find (name, value, offset) triples; KL107 decides what is a leak.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Credential:
    """A password or token in a tool's credentials file: the field that holds it, its value and
    offsets in the file, and the host it logs in to."""

    what: str  # how the message names it: "password in .netrc"
    name: str  # the field: "password", "_authToken", "auths.<registry>.auth"
    value: str  # the secret as the tool uses it (decoded for base64 user:password)
    start: int  # offset of the value's source text in the file
    end: int
    host: str = ""  # where the credential logs in, when the file says


def _netrc(text: str) -> Iterator[Credential]:
    """``machine HOST login USER password PASS``, tokens over any whitespace."""
    host = ""
    tokens = list(re.finditer(r"\S+", text))
    for i, tok in enumerate(tokens):
        word = tok.group(0)
        if word == "machine" and i + 1 < len(tokens):
            host = tokens[i + 1].group(0)
        elif word == "default":
            host = ""
        elif word == "password" and i + 1 < len(tokens):
            value = tokens[i + 1]
            yield Credential("password in .netrc", "password", value.group(0), *value.span(), host)


def _pgpass(text: str) -> Iterator[Credential]:
    """``host:port:database:user:password`` per line; ``\\:`` and ``\\\\`` escape."""
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body and not body.startswith("#"):
            fields = re.split(r"(?<!\\):", body, maxsplit=4)
            if len(fields) == 5 and fields[4]:
                start = offset + len(body) - len(fields[4])
                value = fields[4].replace("\\:", ":").replace("\\\\", "\\")
                yield Credential(
                    "password in .pgpass",
                    "password",
                    value,
                    start,
                    start + len(fields[4]),
                    fields[0],
                )
        offset += len(line)


_URL_CREDENTIAL = re.compile(r"[a-z][a-z0-9+.-]*://([^\s:/@]+):([^\s/@]+)@([^\s/:?#]+)", re.I)


def _git_credentials(text: str) -> Iterator[Credential]:
    """``https://user:token@host`` per line (git's credential-store format)."""
    for m in _URL_CREDENTIAL.finditer(text):
        yield Credential(
            "password in .git-credentials", "password", m.group(2), *m.span(2), m.group(3)
        )


_NPMRC = re.compile(r"^[ \t]*((?:\S*:)?(_authToken|_auth|_password))[ \t]*=[ \t]*(\S+)", re.M)


def _npmrc(text: str) -> Iterator[Credential]:
    for m in _NPMRC.finditer(text):
        field, raw = m.group(2), m.group(3).strip("\"'")
        start = m.start(3) + (1 if m.group(3)[:1] in "\"'" else 0)
        value = raw
        if field in ("_auth", "_password"):
            decoded = _b64(raw)
            if decoded is None:
                continue
            value = decoded.split(":", 1)[1] if field == "_auth" and ":" in decoded else decoded
        yield Credential(f"{field} in .npmrc", field, value, start, start + len(raw))


_INI_PASSWORD = re.compile(r"^[ \t]*(password)[ \t]*[=:][ \t]*(\S.*?)[ \t]*$", re.M | re.I)


def _pypirc(text: str) -> Iterator[Credential]:
    for m in _INI_PASSWORD.finditer(text):
        yield Credential("password in .pypirc", m.group(1), m.group(2), *m.span(2))


def _docker_config(text: str) -> Iterator[Credential]:
    """``{"auths": {"registry": {"auth": base64("user:password")}}}``."""
    try:
        data = json.loads(text)
    except ValueError:
        return
    auths = data.get("auths") if isinstance(data, dict) else None
    if not isinstance(auths, dict):
        return
    for registry, entry in auths.items():
        if not isinstance(entry, dict):
            continue
        for field in ("auth", "password", "identitytoken"):
            raw = entry.get(field)
            if not isinstance(raw, str) or not raw:
                continue
            value = raw
            if field == "auth":
                decoded = _b64(raw)
                if decoded is None or ":" not in decoded:
                    continue
                value = decoded.split(":", 1)[1]
            where = _find_json_string(text, field, raw)
            if where is not None:
                yield Credential(
                    f"{field} in Docker config.json",
                    f"auths.{registry}.{field}",
                    value,
                    *where,
                    str(registry),
                )


def _find_json_string(text: str, key: str, value: str) -> tuple[int, int] | None:
    m = re.search(r'"' + re.escape(key) + r'"\s*:\s*"(' + re.escape(value) + ')"', text)
    return m.span(1) if m else None


def _b64(text: str) -> str | None:
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


_BY_NAME: dict[str, Callable[[str], Iterator[Credential]]] = {
    ".netrc": _netrc,
    "_netrc": _netrc,
    ".pgpass": _pgpass,
    ".git-credentials": _git_credentials,
    ".npmrc": _npmrc,
    ".pypirc": _pypirc,
    ".dockercfg": _docker_config,
}


def parser_for(path: str) -> Callable[[str], Iterator[Credential]] | None:
    p = PurePosixPath(path)
    name = p.name.lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name == "config.json" and p.parent.name == ".docker":
        return _docker_config
    if name == "config.json" or name.endswith(".dockerconfigjson"):
        return _docker_config  # only a config with an `auths` mapping yields anything
    return None


def credentials(path: str, text: str) -> list[Credential]:
    parse = parser_for(path)
    return list(parse(text)) if parse else []
