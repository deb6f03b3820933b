"""Shared harvesting rules: when a conversation is a question, and HTML to markdown."""

from __future__ import annotations

import re
import warnings

import nh3
from bs4 import MarkupResemblesLocatorWarning
from markdownify import markdownify

# Words that open a question in English when the writer leaves out the question mark. Left
# out on purpose: "am" ("am interested in ..."), "will" and "may" (names and months), "when"
# ("when you merge, ...") and "has"/"have"/"had" ("have pushed the fix"), which open
# statements in chat at least as often as questions.
_QUESTION_OPENERS = (
    "how", "what", "why", "where", "which", "who", "whom", "whose",
    "is", "are", "was", "were", "do", "does", "did", "can", "could", "should",
    "would", "shall", "might", "anyone", "anybody",
)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_URL = re.compile(r"<?https?://\S+>?")
_QUOTE_LINE = re.compile(r"^\s*>.*$", re.M)
_FIRST_WORD = re.compile(r"[A-Za-z']+")


def looks_like_question(text: str) -> bool:
    """Whether the opening message of a conversation asks something.

    The rule: after removing code, quoted lines and links, the text contains a question
    mark, or its first sentence opens with an interrogative word ("how", "does", "is
    there", "anyone", ...). Plain statements, announcements and links are not questions.
    """
    prose = _URL.sub(" ", _QUOTE_LINE.sub(" ", _CODE.sub(" ", text or "")))
    if "?" in prose:
        return True
    first = _FIRST_WORD.search(prose)
    return first is not None and first.group(0).lower() in _QUESTION_OPENERS


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML fragment (a Stack Exchange body, an HTML-only mail).

    nh3 first drops scripts, styles and unsafe attributes (with their content); markdownify
    then keeps the structure (code blocks, lists, links, emphasis). Waggle sanitizes again
    when it renders the markdown."""
    with warnings.catch_warnings():
        # A body that is only a URL is a fine body, not a mistaken file name or address.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        text = markdownify(
            nh3.clean(html or ""), heading_style="ATX", bullets="-", strip=["img"],
            escape_underscores=False, escape_asterisks=False,
            bs4_options="lxml",  # lxml parses faster than html.parser
        )
    return re.sub(r"\n{3,}", "\n\n", text).strip()
