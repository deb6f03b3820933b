"""Markdown to safe HTML (markdown-it-py + nh3), and the #topics and @mentions in a text."""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# A topic is "#" then a letter and up to 49 letters, digits, "-" or "_"; it must not follow a
# word character (so "C#" and URL fragments are not topics).
TOPIC_RE = re.compile(r"(?<![\w/&#])#([A-Za-z][A-Za-z0-9_-]{0,49})\b")
MENTION_RE = re.compile(r"(?<![\w@./])@([A-Za-z0-9][A-Za-z0-9_.-]{0,149})(?<![.-])")
_INLINE_RE = re.compile(TOPIC_RE.pattern + "|" + MENTION_RE.pattern)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}


def normalize_topic(name: str) -> str:
    """The canonical form of a topic name: lower case, spaces as dashes."""
    return re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower().lstrip("#")).strip("-")[:50]


def extract_topics(text: str) -> list[str]:
    """Topic names written as #tag in `text`, normalized, in order of first appearance.

    Exactly the #tags that `render_markdown` turns into topic links: never in code (spans,
    fenced or indented blocks) nor inside a link someone wrote.
    """
    seen = dict.fromkeys(name for kind, name in _inline_links(text) if kind == "topic")
    return [t for t in seen if t]


def extract_mentions(text: str) -> list[str]:
    """Usernames written as @name in `text` (where they render as links), in order."""
    return list(dict.fromkeys(name for kind, name in _inline_links(text) if kind == "mention"))


def _inline_links(text: str) -> list[tuple[str, str]]:
    """("topic" | "mention", name) for each link `_link_rule` makes; one parser decides both
    what is rendered as a link and what is recorded, so they never disagree."""
    return [
        tok.meta["waggle"]
        for block in _MD.parse(text or "")
        if block.type == "inline" and block.children
        for tok in block.children
        if tok.type == "link_open" and "waggle" in tok.meta
    ]


def _link_rule(state: StateCore) -> None:
    """Turn #topic and @person in plain text (never in code or links) into links."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        in_link = 0
        for tok in block.children:
            if tok.type == "link_open":
                in_link += 1
            elif tok.type == "link_close":
                in_link -= 1
            if tok.type != "text" or in_link or not _INLINE_RE.search(tok.content):
                children.append(tok)
                continue
            pos = 0
            for m in _INLINE_RE.finditer(tok.content):
                if m.start() > pos:
                    t = Token("text", "", 0)
                    t.content = tok.content[pos : m.start()]
                    children.append(t)
                if m.group(1):
                    name, cls = normalize_topic(m.group(1)), "topic"
                    href = f"/topics/{name}/"
                else:
                    name, cls = m.group(2), "mention"
                    href = f"/people/{name}/"
                open_ = Token("link_open", "a", 1)
                open_.attrs = {"href": href, "class": cls}
                open_.meta = {"waggle": (cls, name)}
                text = Token("text", "", 0)
                text.content = m.group(0)
                children.extend([open_, text, Token("link_close", "a", -1)])
                pos = m.end()
            if pos < len(tok.content):
                t = Token("text", "", 0)
                t.content = tok.content[pos:]
                children.append(t)
        block.children = children


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.core.ruler.push("waggle_links", _link_rule)
    return md


_MD = _build()
_clean: Callable[[str], str] = lambda html: nh3.clean(  # noqa: E731 - a tiny adapter
    html,
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
)


def render_markdown(text: str) -> str:
    """Render user-written markdown to sanitized HTML, safe to put on any page."""
    return _clean(_MD.render(text or ""))
