"""Which paths are credential files, by name alone.

Kept apart from :mod:`keylint.credfiles` (the parsers, with their regexes and JSON) so the
engine and KL107 can ask on every file without importing the parsers: most runs meet no
credential file.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from keylint.source import base_name

# The files whose syntax alone says they hold logins (parsed by keylint.credfiles).
CREDENTIAL_FILE_NAMES = frozenset(
    {".netrc", "_netrc", ".pgpass", ".git-credentials", ".npmrc", ".pypirc", ".dockercfg"}
)
_XML_CONFIG_SUFFIXES = (".xml", ".config", ".csproj", ".props", ".targets")


def is_credential_file(path: str) -> bool:
    """Files whose syntax alone says they hold logins: always worth a parse (the prefilter
    looks for words, and ``password hunter2`` in a .netrc has none it counts)."""
    name = base_name(path).lower()
    return name in CREDENTIAL_FILE_NAMES or name.endswith(".dockerconfigjson")


def is_docker_config(path: str) -> bool:
    """Docker's ``config.json`` (any ``config.json``: only one with an ``auths`` mapping
    yields anything) or a Kubernetes ``.dockerconfigjson``."""
    name = PurePosixPath(path).name.lower()
    return name in (".dockercfg", "config.json") or name.endswith(".dockerconfigjson")


def has_credential_syntax(path: str) -> bool:
    """A file keylint.credfiles has a parser for."""
    return is_credential_file(path) or is_docker_config(path)


def is_xml_config(path: str) -> bool:
    return path.lower().endswith(_XML_CONFIG_SUFFIXES)
