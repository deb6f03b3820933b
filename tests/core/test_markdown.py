"""Markdown rendering is safe on any page; #topics and @mentions become links where written."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from waggle.core.markdown import (
    extract_mentions,
    extract_topics,
    normalize_topic,
    render_markdown,
)


class _Tags(HTMLParser):
    """Collects (tag, attributes) of every element, so tests look at what a browser builds."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.elements


def links(html: str) -> list[tuple[str | None, str | None]]:
    return [(a.get("href"), a.get("class")) for tag, a in elements(html) if tag == "a"]


ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "<javascript:alert(1)>",
    '[x](http://example.org "a\\" onmouseover=\\"alert(1)")',
    "<iframe src=//evil.example></iframe>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<svg><script>alert(1)</script></svg>",
    "<details open ontoggle=alert(1)>",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_nothing_runs_in_the_browser(text: str) -> None:
    html = render_markdown(text)
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "svg", "div", "details", "style", "object"}
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in {"href", "src"}:
                assert value is not None
                assert value.split(":", 1)[0].strip().lower() in {"http", "https", "mailto"} or (
                    value.startswith("/")
                ), html


def test_raw_html_is_shown_as_text_not_obeyed() -> None:
    html = render_markdown("Use <b>bold</b> & <i>care</i>")
    assert [tag for tag, _ in elements(html)] == ["p"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_ordinary_markdown_renders() -> None:
    html = render_markdown(
        "# Title\n\n**bold** *it* ~~old~~ `code`\n\n- one\n- two\n\n"
        "| a | b |\n| - | - |\n| 1 | 2 |\n\n[site](https://example.org)\n\n```py\nx = 1\n```"
    )
    tags = [tag for tag, _ in elements(html)]
    for tag in ("h1", "strong", "em", "s", "code", "ul", "li", "table", "td", "pre"):
        assert tag in tags, (tag, html)
    assert ("https://example.org", None) in links(html)
    # Links people write open safely: no referrer, no opener, no search-engine credit.
    anchor = next(a for tag, a in elements(html) if tag == "a")
    assert set(str(anchor["rel"]).split()) == {"noopener", "noreferrer", "nofollow"}


@pytest.mark.parametrize("empty", ["", None])
def test_nothing_renders_to_nothing(empty: str | None) -> None:
    assert render_markdown(empty) == ""  # type: ignore[arg-type]


def test_topics_and_mentions_become_links() -> None:
    html = render_markdown("Ask @mira about #Postgres and #data_science.")
    assert links(html) == [
        ("/people/mira/", "mention"), ("/topics/postgres/", "topic"),
        ("/topics/data_science/", "topic"),
    ]
    assert ">#Postgres</a>" in html  # what was written stays as written


@pytest.mark.parametrize(
    "text",
    [
        "`#notatopic @nobody`",
        "```\n#notatopic @nobody\n```",
        "~~~\n#notatopic @nobody\n~~~",
        "    #include <stdio.h> // @nobody\n",
        "[#notatopic @nobody](https://example.org)",
        "<https://example.org/#notatopic>",
        "C# and F# are languages",
        "mail nobody@example.org or see https://example.org/page#section",
        "#1 is not a topic, nor is # alone",
    ],
)
def test_no_links_in_code_existing_links_or_words(text: str) -> None:
    html = render_markdown(text)
    assert not [href for href, cls in links(html) if cls in {"topic", "mention"}], html
    # What is recorded is what is linked: no topic or mention hides in code or a link.
    assert extract_topics(text) == []
    assert extract_mentions(text) == []


def test_extraction_matches_what_is_linked() -> None:
    text = (
        "Thanks @otto! See #Postgres, #postgres again and #query-plans.\n\n"
        "> quoted @hana\n\n- item #lists\n\n`@code` and [#linked](https://x.org)."
    )
    assert extract_topics(text) == ["postgres", "query-plans", "lists"]
    assert extract_mentions(text) == ["otto", "hana"]
    linked = [href for href, cls in links(render_markdown(text)) if cls]
    assert linked == [
        "/people/otto/", "/topics/postgres/", "/topics/postgres/", "/topics/query-plans/",
        "/people/hana/", "/topics/lists/",
    ]


def test_a_mention_ends_before_trailing_punctuation() -> None:
    assert extract_mentions("Thanks @mira.k. And @otto-, too") == ["mira.k", "otto"]


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Postgres", "postgres"),
        ("#Machine Learning", "machine-learning"),
        ("  data   science ", "data-science"),
        ("C++", "c"),
        ("node.js", "node-js"),
        ("snake_case", "snake_case"),
        ("--edge--", "edge"),
        ("x" * 80, "x" * 50),
        ("!!!", ""),
    ],
)
def test_topic_names_are_normalized(raw: str, normalized: str) -> None:
    assert normalize_topic(raw) == normalized
