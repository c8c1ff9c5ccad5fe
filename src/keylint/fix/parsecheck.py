"""Does a file's text parse as what its name says it is? A file that does not is never
written, and a fix whose result does not is dropped (audit D8)."""

from __future__ import annotations

import ast
import json
import sys
import warnings

from keylint.source import FileKind, detect_kind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def parse_error(path: str, text: str) -> str | None:
    """None when ``text`` parses as the kind of ``path``, else what it failed as."""
    kind = detect_kind(path)
    try:
        if kind is FileKind.PYTHON:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escape sequences are not our business
                ast.parse(text)
        elif kind in (FileKind.JSON, FileKind.NOTEBOOK):
            json.loads(text)
        elif kind is FileKind.TOML:
            tomllib.loads(text)
        elif kind is FileKind.YAML:
            import yaml

            # Syntax only (compose, not construct): `!Ref` and other custom tags are fine.
            for _ in yaml.compose_all(text, Loader=yaml.SafeLoader):
                pass
        else:
            return None  # dotenv, shell, text: no grammar to hold a fix to
    except (SyntaxError, ValueError, tomllib.TOMLDecodeError, RecursionError, MemoryError):
        return kind.value
    except Exception as exc:  # yaml.YAMLError and its kin
        if type(exc).__module__.startswith("yaml"):
            return kind.value
        raise
    return None
