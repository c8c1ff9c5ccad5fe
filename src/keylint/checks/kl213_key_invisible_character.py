from __future__ import annotations

from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.findings import Category, Finding, Severity
from keylint.fix import producers


class KeyInvisibleCharacter(Rule):
    """A key that contains an invisible or non-ASCII space character.

    ## What it does
    Reports zero-width and invisible characters in a key — U+200B ZERO WIDTH SPACE,
    U+200C/U+200D joiners, U+FEFF (a BOM), U+2060 WORD JOINER, U+00AD SOFT HYPHEN,
    U+00A0 NO-BREAK SPACE and the other Unicode spaces, bidirectional marks — whether
    written literally or as an escape (`\\u200b` in JSON or Python). They come from copying
    a key out of a chat message, a PDF, a rich-text editor or a web page. The finding sits
    on the first such character; the message counts the others. When there is exactly
    one, the fix deletes it.

    ## Why is this bad?
    HTTP headers are ASCII: httpx encodes them with the `ascii` codec, so the openai,
    anthropic and groq SDKs fail before sending with
    `UnicodeEncodeError: 'ascii' codec can't encode character '\\u200b'` (httpx 0.28.1
    encodes header values as ASCII) — and the character cannot be seen in the editor.

    ## Example
    ```shell
    # .env: a U+200B ZERO WIDTH SPACE hides at the end of the line
    OPENAI_API_KEY=sk-proj-…
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY=sk-proj-…
    ```

    ## References
    - Unicode: `Default_Ignorable_Code_Point` and `White_Space` properties
    """

    code = "KL213"
    name = "key-invisible-character"
    category = Category.KEY_WHITESPACE
    severity = Severity.ERROR
    fixable = "sometimes"
    fix_applicability = "safe"
    summary = "A key contains an invisible or non-ASCII space character."
    examples = (
        Example(".env", "OPENAI_API_KEY={key:openai-project-key}\u200b\n", ((1, 180),)),
        Example("config.json", '{"api_key": "\\ufeff{key:anthropic-api-key}"}\n', ((1, 14),)),
        Example("app.py", 'genai.Client(api_key="{key:google-api-key}\u00a0")\n', ((1, 62),)),
        Example("config.yaml", "xai:\n  api_key: {key:xai-api-key}\u2060\n", ((2, 96),)),
        Example("app.py", 'greeting = "hello\u00a0world"\n'),
        Example("app.py", 'client = OpenAI(api_key="\u200bYOUR_API_KEY")\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for kt in keys.suspect_keys(ctx):
            spots = [i for i, c in enumerate(kt.text) if c in keys.INVISIBLE]
            if not spots:
                continue
            first = spots[0]
            char = kt.text[first]
            span = kt.span(ctx.file, first, 1)
            more = f" (and {len(spots) - 1} more)" if len(spots) > 1 else ""
            every = [(kt.span(ctx.file, i, 1), "") for i in spots]
            fix = producers.typographic(
                ctx.file.path, every, description=f"remove U+{ord(char):04X}{more}"
            )
            yield self.finding(
                ctx,
                span,
                f"invisible U+{ord(char):04X} {keys.INVISIBLE[char]} in the key{more}: httpx "
                f"cannot encode it (`UnicodeEncodeError: 'ascii' codec can't encode "
                f"character`); retype or re-copy the key",
                fix=fix,
            )
