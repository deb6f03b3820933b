"""The shared harvesting rules: when a conversation opens with a question; HTML to markdown."""

from __future__ import annotations

import pytest

from waggle.harvest.rules import html_to_markdown, looks_like_question


@pytest.mark.parametrize("text", [
    "How do I build R from source on Windows?",
    "Anyone know why `R CMD check` hangs on macOS",
    "is there a way to skip vignettes when installing",
    "I tried `make check` and got a segfault. Ideas?",
    "Does the new release break Rcpp",
])
def test_questions(text: str) -> None:
    assert looks_like_question(text)


@pytest.mark.parametrize("text", [
    "Released 4.3.1 today, thanks everyone!",
    "Reminder: the sprint starts on Monday.",
    "See https://example.org/faq?id=3 for the slides",  # the ? is in a link
    "Fixed it with `if (x?.y) z()`",  # the ? is in code
    "> Why does this fail?\nBecause the path was wrong.",  # the ? is in a quote
    "",
])
def test_not_questions(text: str) -> None:
    assert not looks_like_question(text)


def test_html_to_markdown_keeps_structure_and_drops_scripts() -> None:
    md = html_to_markdown(
        '<p>Use <code>lm()</code> and <a href="https://r-project.org">R</a>.</p>'
        "<pre><code>x &lt;- 1\n</code></pre><ul><li>one</li></ul>"
        '<script>alert(1)</script><img src="x" onerror="alert(2)"><p onclick="y()">done</p>'
    )
    assert "`lm()`" in md and "[R](https://r-project.org)" in md
    assert "```\nx <- 1\n```" in md and "- one" in md and "done" in md
    assert "alert" not in md and "onclick" not in md and "<" not in md.replace("x <- 1", "")
