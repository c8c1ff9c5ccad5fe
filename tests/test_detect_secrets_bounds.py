"""KL102 skips a detect-secrets plugin when it provably cannot agree (keys.DetectSecrets).

Each bound is checked against the plugin itself: whenever keylint skips a plugin for a
value or a line, the plugin, asked anyway, reports nothing for that value."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from keylint.checks import keys

DS = keys.detect_secrets()
NAMES = ("password", "api_key", "TOKEN_X", "db_pass", "SECRET", "user", "Passwd", "auth_key")
FILES = ("keylint.py", "keylint.cfg", "keylint.yaml", "keylint.toml", "keylint.md", ".env")
VALUE_CHARS = string.ascii_letters + string.digits + "+/=_-.!#"


def _reports(plugin_name: str, line: str, filename: str, wanted: str) -> bool:
    plugin = DS.plugins[plugin_name]
    found = plugin.analyze_line(filename=filename, line=line)
    return any((f.secret_value or "").strip() == wanted for f in found)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(NAMES),
    st.text(VALUE_CHARS, min_size=1, max_size=40),
    st.sampled_from(FILES),
    st.sampled_from(('"', "'", "")),
)
def test_a_skipped_plugin_never_reports_the_value(
    name: str, value: str, filename: str, quote: str
) -> None:
    line = f"{name} = {quote}{value}{quote}"
    for plugin_name in keys._NAMED_VALUE_PLUGINS:
        skipped = not DS._may_find(plugin_name, value) or (
            DS.plugins[plugin_name] is DS.keyword and not DS.keyword_word.search(line)
        )
        if skipped:
            assert not _reports(plugin_name, line, filename, value), (plugin_name, filename)


def test_the_bounds_skip_what_they_should() -> None:
    assert not DS._may_find("Base64HighEntropyString", "value1234")  # 8 distinct: at most 3
    assert DS._may_find("Base64HighEntropyString", "Xq9vR2mLp4zTw8bN3cK7dF1gH5jQ6sY0")
    assert not DS._may_find("HexHighEntropyString", "value1234")  # not hex
    assert DS._may_find("HexHighEntropyString", "9f86d081884c7d659a2feaa0c55ad015")
    assert DS._may_find("KeywordDetector", "anything")
    assert DS.keyword_word.search("DB_PASSWORD=x")
    assert not DS.keyword_word.search("GITHUB_TOKEN=x")  # `token` is no DENYLIST word


def test_named_value_agrees_with_detect_secrets_on_real_lines() -> None:
    password = "Xq9#vR2mLp4zTw8"
    entropy = "Xq9vR2mLp4zTw8bN3cK7dF1gH5jQ6sY0aZ"
    assert DS.named_value([(f"DB_PASSWORD={password}", "keylint.cfg")], ".env", password)
    quoted = f'token = "{entropy}"'
    assert DS.named_value([(quoted, "keylint.py")], "app.py", entropy)
    assert DS.named_value([('token = "value1234"', "keylint.py")], "app.py", "value1234") is None
