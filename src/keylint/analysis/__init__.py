"""What a rule must know before it claims anything, computed once per file by the engine.

Extractors say where a value sits (``facts.Role``); this layer says what that means: the
*role of the file* (application code, a test, docs, a template, an i18n catalogue, generated
or vendored code, CI or infrastructure config) and the *use of a value* (sent to an API or
configured, listed in a table or type, compared, used only locally, prose). Rules read both
through ``ctx.analysis``; the confidence policy (:mod:`keylint.analysis.confidence`) turns
them into each finding's ``confidence`` (spec §8).
"""

from __future__ import annotations

from keylint.analysis.roles import FileRole, file_role
from keylint.analysis.values import ValueUse, is_sentence, value_use

__all__ = ["FileRole", "ValueUse", "file_role", "is_sentence", "value_use"]
