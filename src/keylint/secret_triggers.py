"""detect-secrets' format plugins that keylint's provider data does not cover, with their
trigger text: one table for the rule that runs them (KL103, through ``checks/keys.py``) and
for the prefilter that decides whether a file is read at all, so the two cannot drift apart
(they did: a SendGrid key under a neutral name was found only with the prefilter off).
"""

from __future__ import annotations

# detect-secrets' format plugins that keylint's own provider data does not cover, with the
# cheap text that must be on a line before the plugin is worth running there: (a literal,
# a regex that starts with it). A regex that starts with a literal is searched at memchr
# speed; one that starts with a character class is ~30x slower (bench: 104 MB in 60 s
# as one alternation, 1.3 s as these).
REGEX_PLUGINS: dict[str, tuple[tuple[str, str], ...]] = {
    "JwtTokenDetector": (("eyJ", r"eyJ[A-Za-z0-9_=-]{4,}\."),),
    "TwilioKeyDetector": (("AC", r"AC[a-z0-9]{32}"), ("SK", r"SK[a-z0-9]{32}")),
    "SendGridDetector": (("SG.", r"SG\.[A-Za-z0-9_-]{22}\."),),
    "MailchimpDetector": (("-us", r"-us[0-9]"),),
    "NpmDetector": ((":_authToken=", r":_authToken="),),
    "PypiTokenDetector": (("pypi-AgE", r"pypi-AgE"),),
    "GitLabTokenDetector": (
        ("gl", r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-"),
        ("GR1348941", r"GR1348941"),
    ),
    "DiscordBotTokenDetector": ((".", r"\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27}"),),
    "TelegramBotTokenDetector": ((":", r":[0-9A-Za-z_-]{35}"),),
    "BasicAuthDetector": (("://", r"://[^\s/:@'\"]+:[^\s/@'\"]+@"),),
    "AzureStorageKeyDetector": (("AccountKey=", r"AccountKey="),),
    "SquareOAuthDetector": (("sq0csp-", r"sq0csp-"),),
}


def prefilter_triggers() -> list[tuple[str, str]]:
    """(lower-cased literal, regex source matched case-insensitively where the literal
    starts) for the prefilter, which compiles a regex when its literal is first met.

    One- and two-character literals (Twilio's ``AC``/``SK``, Discord's ``.``, Telegram's ``:``)
    would send nearly every file to its regex; those plugins run only in files that pass on
    another word (their findings are kept by KL103, never produced alone by these formats).
    """
    out = []
    for triggers in REGEX_PLUGINS.values():
        for literal, regex in triggers:
            if len(literal) >= 3:
                out.append((literal.lower(), regex))
    return out
