from __future__ import annotations

from collections.abc import Iterator

from keylint.checks import keys
from keylint.checks.base import Example, FileContext, Rule
from keylint.findings import Category, Finding, Severity
from keylint.fix import producers


class KeyTypographicCharacter(Rule):
    """A key with typographic quotes, dashes or an ellipsis copied from a web page.

    ## What it does
    Reports “ ” ‘ ’ „ « » and primes (a word processor or a web page "smartened" the
    quotes around or inside the key), en and em dashes or U+2011 non-breaking hyphens where
    the key has `-`, and the ellipsis … — a key copied from a shortened display such as
    `sk-proj-Ab12…9xYz`. A key that ends in an ellipsis or `...` is a placeholder (KL201),
    not this. The finding sits on the first such character; the fix (unsafe: check the
    key) removes the quotes or puts `-` back.

    ## Why is this bad?
    The character becomes part of the key: httpx cannot encode it in a header
    (`UnicodeEncodeError: 'ascii' codec can't encode character '\\u201c'`: httpx
    encodes header values as ASCII). An ellipsis means the key is not there at all: only
    its ends were copied.

    ## Example
    ```shell
    OPENAI_API_KEY=“sk-proj-…”
    ```

    Use instead:
    ```shell
    OPENAI_API_KEY="sk-proj-…"
    ```

    ## References
    - Unicode General Punctuation block (U+2010–U+205E)
    """

    code = "KL214"
    name = "key-typographic-character"
    category = Category.KEY_WHITESPACE
    severity = Severity.ERROR
    fixable = "sometimes"
    fix_applicability = "safe/unsafe"
    summary = "A key contains typographic quotes, dashes or an ellipsis copied from a web page."
    examples = (
        Example(".env", "OPENAI_API_KEY=\u201c{key:openai-project-key}\u201d\n", ((1, 16),)),
        Example("config.yaml", "groq:\n  api_key: \u2018{key:groq-api-key}\u2019\n", ((2, 12),)),
        Example(
            "app.py", 'client = OpenAI(api_key="sk-proj-Ab12Cd34\u2026Wx9yZz01")\n', ((1, 42),)
        ),
        Example(
            ".env",
            "ANTHROPIC_API_KEY=sk\u2013ant\u2013api03\u2013Ab12Cd34Ef56Gh78Ij90\n",
            ((1, 21),),
        ),
        Example("app.py", 'client = OpenAI(api_key="sk-proj-\u2026")\n'),
        Example("app.py", 'title = "\u201cquoted\u201d"\n'),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for kt in keys.suspect_keys(ctx):
            spots = [i for i, c in enumerate(kt.text) if c in keys.TYPOGRAPHIC]
            if not spots:
                continue
            first = spots[0]
            char = kt.text[first]
            name, meant = keys.TYPOGRAPHIC[char]
            span = kt.span(ctx.file, first, 1)
            more = f" (and {len(spots) - 1} more)" if len(spots) > 1 else ""
            if char == "\u2026":
                yield self.finding(
                    ctx,
                    span,
                    f"ellipsis … (U+2026) in the key{more}: it was copied from a shortened "
                    f"display and the middle is missing; copy the full key",
                )
                continue
            replacement = "-" if meant == "-" else ""
            every = [
                (kt.span(ctx.file, i, 1), "-" if keys.TYPOGRAPHIC[kt.text[i]][1] == "-" else "")
                for i in spots
                if kt.text[i] != "\u2026"
            ]
            yield self.finding(
                ctx,
                span,
                f"typographic {char} (U+{ord(char):04X} {name}) in the key{more}, where "
                f"`{meant}` was meant: httpx cannot encode it (`UnicodeEncodeError`); "
                f"retype it",
                fix=producers.typographic(
                    ctx.file.path, every, description=f"replace {char} with `{replacement}`"
                ),
            )
