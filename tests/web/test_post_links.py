"""The post page shows a thread's links: duplicate of, its duplicates, related posts.

Links are made with `PostLink.objects.create`: only the importers create them (from Stack
Exchange PostLinks) and there is no action for people to mark one yet, so the tests make the
rows an import would.
"""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.links import DUPLICATE, RELATED, ask, link
from tests.web.conftest import text_of, whole_page
from waggle.exchange.actions import do_answer_question, do_post_update
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.models import Space


def section(html: str, title_id: str) -> str:
    """The HTML of the page section headed by `title_id` ("" when the page has none)."""
    match = re.search(rf'<section[^>]*aria-labelledby="{title_id}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def titles_in(html: str) -> list[str]:
    return re.findall(r'<a href="/posts/[^"]*">([^<]*)</a>', html)


def page(user: User, post: Post) -> str:
    response = client_for(user).get(f"/posts/{post.pk}/")
    assert response.status_code == 200
    return text_of(response)


def test_a_duplicate_names_the_original_under_its_title(
    question: Post, space: Space, member: User, other_member: User
) -> None:
    original = ask(space, other_member, "Speeding up slow reports")
    link(question, original, DUPLICATE)
    html = page(member, question)
    notice = re.search(r'<p class="notice duplicate-of">.*?</p>', html, re.S)
    assert notice is not None
    assert f'href="/posts/{original.pk}/"' in notice.group(0)
    assert "Speeding up slow reports" in notice.group(0)
    # At the top: before the question's text, not somewhere below the answers.
    assert html.index("duplicate-of") < html.index("Our reports take minutes")


def test_the_original_lists_its_duplicates(
    question: Post, space: Space, member: User, other_member: User
) -> None:
    older = ask(space, other_member, "Reports are slow")
    newer = ask(space, other_member, "Why is the dashboard slow?")
    link(older, question, DUPLICATE, days_ago=3)
    link(newer, question, DUPLICATE, days_ago=1)
    html = page(member, question)
    assert titles_in(section(html, "duplicates-title")) == [
        "Why is the dashboard slow?",
        "Reports are slow",
    ]
    assert "duplicate-of" not in html  # the original is no duplicate itself


def test_related_posts_both_ways_once_each_newest_first(
    question: Post, space: Space, member: User, other_member: User
) -> None:
    linked_from_here = ask(space, other_member, "Indexing basics")
    linking_here = ask(space, other_member, "Reading query plans")
    both_ways = ask(space, other_member, "Vacuum and bloat")
    link(question, linked_from_here, RELATED, days_ago=5)
    link(linking_here, question, RELATED, days_ago=1)
    link(question, both_ways, RELATED, days_ago=4)
    link(both_ways, question, RELATED, days_ago=2)
    html = page(member, question)
    assert titles_in(section(html, "related-title")) == [
        "Reading query plans",
        "Vacuum and bloat",
        "Indexing basics",
    ]


def test_a_duplicate_is_not_listed_again_as_related(
    question: Post, space: Space, member: User, other_member: User
) -> None:
    dup = ask(space, other_member, "Slow reports again")
    link(dup, question, DUPLICATE)
    link(dup, question, RELATED)
    html = page(member, question)
    assert titles_in(section(html, "duplicates-title")) == ["Slow reports again"]
    assert section(html, "related-title") == ""


def test_a_page_without_links_shows_no_link_sections(question: Post, member: User) -> None:
    html = page(member, question)
    assert "Duplicate of" not in html
    assert section(html, "duplicates-title") == section(html, "related-title") == ""


def test_a_link_to_an_answer_opens_it_on_its_question_page(
    question: Post, space: Space, member: User, other_member: User
) -> None:
    elsewhere = ask(space, other_member, "Postgres configuration checklist")
    answer = do_answer_question(elsewhere, acting_user=other_member, body="Set work_mem.")
    link(question, answer, RELATED)
    related = section(page(member, question), "related-title")
    assert f'href="/posts/{elsewhere.pk}/#post-{answer.pk}"' in related
    assert "Postgres configuration checklist" in related


def test_an_untitled_update_is_named_by_its_first_words(
    question: Post, space: Space, member: User, other_member: User
) -> None:
    update = do_post_update(
        space,
        acting_user=other_member,
        body="Moved the nightly **reports** to a replica " + "x" * 300,
    )
    link(update, question, RELATED)
    related = section(page(member, question), "related-title")
    assert "Moved the nightly **reports** to a replica" in related
    assert "x" * 100 not in related  # cut short: a list of links, not the update itself


def test_a_post_in_a_private_space_stays_hidden_from_outsiders(
    question: Post,
    private_question: Post,
    private_space: Space,
    space: Space,
    member: User,
    outsider: User,
    other_member: User,
) -> None:
    private_related = ask(private_space, member, "Due diligence checklist")
    open_duplicate = ask(space, other_member, "Duplicate asked in the open")
    link(question, private_question, DUPLICATE)
    link(private_related, question, RELATED)
    link(open_duplicate, question, DUPLICATE)
    secrets = [private_question.title, private_related.title]

    outsider_page = whole_page(client_for(outsider).get(f"/posts/{question.pk}/"))
    for secret in secrets:
        assert secret not in outsider_page
    for hidden in (private_question, private_related):
        assert f"/posts/{hidden.pk}/" not in outsider_page
    assert "Duplicate of" not in outsider_page
    assert section(outsider_page, "related-title") == ""
    # What the outsider may see is still shown.
    assert titles_in(section(outsider_page, "duplicates-title")) == [open_duplicate.title]

    member_page = page(member, question)
    notice = re.search(r'<p class="notice duplicate-of">.*?</p>', member_page, re.S)
    assert notice is not None and private_question.title in notice.group(0)
    assert titles_in(section(member_page, "related-title")) == [private_related.title]


def test_the_original_in_a_private_space_is_not_named_on_its_duplicate(
    question: Post, private_question: Post, member: User, other_member: User
) -> None:
    """other_member is in the open space only: the duplicate shows, its original does not."""
    link(question, private_question, DUPLICATE)
    html = whole_page(client_for(other_member).get(f"/posts/{question.pk}/"))
    assert private_question.title not in html
    assert "Duplicate of" not in html


def test_long_lists_show_the_newest_ten_and_count_the_other_duplicates(
    question: Post, space: Space, member: User, other_member: User
) -> None:
    for i in range(13):
        link(ask(space, other_member, f"Duplicate number {i}"), question, DUPLICATE, days_ago=i)
        link(question, ask(space, other_member, f"Related number {i}"), RELATED, days_ago=i)
    html = page(member, question)
    assert titles_in(section(html, "duplicates-title")) == [
        f"Duplicate number {i}" for i in range(10)
    ]
    assert "and 3 more" in section(html, "duplicates-title")
    assert titles_in(section(html, "related-title")) == [f"Related number {i}" for i in range(10)]


def _count_queries(user: User, post: Post) -> int:
    client = client_for(user)
    client.get(f"/posts/{post.pk}/")  # warm up: the session is read and refreshed once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/posts/{post.pk}/")
    assert response.status_code == 200
    return len(queries)


def _add_links(
    question: Post, space: Space, private_space: Space, author: User, count: int, start: int
) -> None:
    for i in range(start, start + count):
        where = private_space if i % 3 == 0 else space
        days_ago = 100 - i  # the later, the newer
        link(question, ask(where, author, f"Original {i}"), DUPLICATE, days_ago=days_ago)
        link(ask(where, author, f"Copy {i}"), question, DUPLICATE, days_ago=days_ago)
        link(question, ask(where, author, f"Related out {i}"), RELATED, days_ago=days_ago)
        link(ask(where, author, f"Related in {i}"), question, RELATED, days_ago=days_ago)


def test_the_page_reads_links_in_a_fixed_number_of_queries(
    question: Post, space: Space, private_space: Space, member: User, host: User
) -> None:
    _add_links(question, space, private_space, host, 3, 0)
    few = _count_queries(member, question)
    assert "Original 1" in page(member, question)
    _add_links(question, space, private_space, host, 27, 3)
    many = _count_queries(member, question)
    assert "Original 29" in page(member, question)
    assert few == many, f"{few} queries with 12 links, {many} with 120"
