"""The search page (`/search/`) through the test client: results, filters, pages, bad input, and
the visibility gate as the outsider and a leaver read it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for, make_person
from tests.web.conftest import HTMX, text_of, whole_page
from waggle.exchange.actions import do_answer_question, do_ask_question, do_comment
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.actions import do_invite_to_space, do_leave_space, do_respond_to_invitation
from waggle.spaces.models import Space

PRIVATE_WORDS = ("Which firm", "Confidential", "Initech", "Mergers")


def results_of(html: str) -> list[str]:
    """The result titles' links on the page, in order."""
    return re.findall(r'<h2 class="post-title"><a href="([^"]+)">', html)


def test_results_show_kind_highlighted_title_snippet_space_author_date_and_link(
    member_client: Client, question: Post, answer: Post, member: User
) -> None:
    comment = do_comment(answer, acting_user=member, body="EXPLAIN helped, the index was missing.")
    response = member_client.get("/search/", {"q": "explain"})
    assert response.status_code == 200
    html = text_of(response)
    assert "2 results</strong> for “explain”" in html
    assert "SQLite FTS5" in html or "PostgreSQL full text" in html
    links = results_of(html)
    assert set(links) == {f"/posts/{question.pk}/#post-{answer.pk}",
                          f"/posts/{question.pk}/#comment-{comment.pk}"}
    assert "<mark>EXPLAIN</mark>" in html  # highlighted, not escaped
    assert "How do we tune #postgres queries?" in html  # answers show their question's title
    assert ">Answer<" in html and ">Comment<" in html
    assert 'href="/spaces/data-science/">Data Science</a>' in html
    assert "Otto Other</a>" in html and "Mira Member</a>" in html
    assert "<time datetime=" in html


def test_a_question_links_to_its_page_and_marks_its_title(member_client: Client,
                                                          question: Post) -> None:
    html = text_of(member_client.get("/search/", {"q": "postgres"}))
    assert results_of(html) == [f"/posts/{question.pk}/"]
    assert "tune #<mark>postgres</mark> queries" in html
    assert "Asked by <a" in html


def test_an_anonymous_question_never_names_its_asker(
    space: Space, member: User, other_member: User
) -> None:
    do_ask_question(space, acting_user=member, title="Is the reorg cutting my team?",
                    body="Worried about the reorg.", anonymous=True)
    for viewer in (member, other_member):
        html = text_of(client_for(viewer).get("/search/", {"q": "reorg"}))
        assert "1 result</strong>" in html and "Asked anonymously" in html
        assert "Mira" not in html and "/people/mira/" not in html
    by_author = text_of(client_for(other_member).get("/search/", {"q": "reorg",
                                                                  "author": "mira"}))
    assert "0 results</strong>" in by_author


def test_the_filters_narrow_the_results(
    space: Space, private_space: Space, member: User, other_member: User, host: User,
    member_client: Client,
) -> None:
    old = do_ask_question(private_space, acting_user=host, title="Budget freeze dates",
                          body="When is the budget freeze?",
                          created_at=dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    reply = do_answer_question(old, acting_user=member, body="The budget freezes in March.")
    new = do_ask_question(space, acting_user=other_member, title="Budget review #finance",
                          body="What does the budget review need?")

    def found(**params: Any) -> list[str]:
        response = member_client.get("/search/", {"q": "budget", **params})
        assert response.status_code == 200
        return results_of(text_of(response))

    q_old, q_new = f"/posts/{old.pk}/", f"/posts/{new.pk}/"
    a_old = f"/posts/{old.pk}/#post-{reply.pk}"
    assert set(found()) == {q_old, a_old, q_new}
    assert set(found(space="mergers")) == {q_old, a_old}
    assert found(kind="answer") == [a_old]
    assert set(found(kind=["answer", "question"])) == {q_old, a_old, q_new}
    assert found(topic="finance") == [q_new]
    assert found(topic="#finance") == [q_new]
    assert found(author="otto") == [q_new]
    assert found(author="@mira") == [a_old]
    assert found(until="2024-12-31") == [q_old]
    assert q_old not in found(since="2025-01-01")
    assert found(answered="no") == [q_new]
    assert set(found(answered="yes")) == {q_old, a_old}
    assert found(order="newest")[0] == q_new
    # The form shows what was chosen, and starts open when a filter is on.
    html = text_of(member_client.get("/search/", {"q": "budget", "space": "mergers",
                                                  "kind": "answer", "answered": "yes"}))
    assert '<option value="mergers" selected>Mergers</option>' in html
    assert re.search(r'value="answer"[^>]*checked', html)
    assert '<details class="search-filters" open>' in html


def test_the_space_filter_lists_the_viewers_spaces_and_the_one_asked_for(
    outsider_client: Client, member_client: Client, private_space: Space, space: Space
) -> None:
    html = text_of(member_client.get("/search/"))
    assert '<option value="mergers">Mergers</option>' in html
    assert '<option value="data-science">Data Science</option>' in html
    # An open space the outsider is not in is offered when asked for (a shared link), and
    # never a private one.
    html = text_of(outsider_client.get("/search/"))
    assert "data-science" not in html and "mergers" not in html.lower()
    html = text_of(outsider_client.get("/search/", {"space": "data-science", "q": "x"}))
    assert 'value="data-science" selected' in html
    html = text_of(outsider_client.get("/search/", {"space": "mergers", "q": "x"}))
    assert '<option value="mergers"' not in html


def test_an_outsider_never_sees_counts_or_snippets_of_private_content(
    outsider_client: Client, member_client: Client, private_question: Post, question: Post,
    member: User,
) -> None:
    do_comment(private_question, acting_user=member, body="The acquisition target is Initech.")
    assert "2 results</strong>" in text_of(member_client.get("/search/", {"q": "firm OR initech"}))
    searches = [{"q": "acquiring"}, {"q": "initech"}, {"q": "confidential deal"},
                {"q": "acquiring", "space": "mergers"}, {"q": "firm OR postgres"},
                {"q": "acquiring", "kind": "comment"}]
    for params in searches:
        response = outsider_client.get("/search/", params)
        assert response.status_code == 200
        html = whole_page(response)
        for words in PRIVATE_WORDS:
            assert words not in html, (params, words)
        assert f"/posts/{private_question.pk}/" not in html
    assert "0 results</strong>" in text_of(outsider_client.get("/search/", {"q": "acquiring"}))
    # The open question is still found, and counted alone.
    mixed = text_of(outsider_client.get("/search/", {"q": "firm OR postgres"}))
    assert "1 result</strong>" in mixed and results_of(mixed) == [f"/posts/{question.pk}/"]
    # Asking for the private space by name says only that the viewer has no such space.
    named = text_of(outsider_client.get("/search/", {"q": "acquiring", "space": "mergers"}))
    assert "You have no space “mergers” to search in." in named
    assert "You have no space “nowhere” to search in." in text_of(
        outsider_client.get("/search/", {"q": "acquiring", "space": "nowhere"}))


def test_leaving_a_private_space_hides_it_from_the_search_page(
    private_space: Space, private_question: Post, host: User
) -> None:
    leaver = make_person("lena")
    invitation = do_invite_to_space(private_space, leaver, acting_user=host)
    do_respond_to_invitation(invitation, accept=True, acting_user=leaver)
    client = client_for(leaver)
    before = text_of(client.get("/search/", {"q": "acquiring"}))
    assert "1 result</strong>" in before and "Which firm" in before
    do_leave_space(private_space, acting_user=leaver)
    after = whole_page(client.get("/search/", {"q": "acquiring"}))
    assert "0 results</strong>" in after
    for words in PRIVATE_WORDS:
        assert words not in after


def test_an_anonymous_visitor_is_sent_to_sign_in(question: Post) -> None:
    response = Client().get("/search/", {"q": "postgres"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/search/")


@pytest.mark.parametrize(("params", "message"), [
    ({"since": "yesterday"}, "From: Give the date as YYYY-MM-DD"),
    ({"until": "2025-13-45"}, "To: Give the date as YYYY-MM-DD"),
    ({"since": "2025-02-01", "until": "2025-01-01"}, "To: The end date is before the start"),
    ({"page": "two"}, "Page: The page is a whole number from 1 to 1000."),
    ({"page": "0"}, "Page: The page is a whole number"),
    ({"page": "99999999999999999999999"}, "Page: The page is a whole number"),
    ({"page": "7"}, "There is no page 7: these results fill 1 page."),
    ({"kind": "bogus"}, "Kinds: “bogus” is not a kind of result"),
    ({"kind": ["question", "bogus"]}, "Kinds: “bogus” is not a kind of result"),
    ({"answered": "maybe"}, "Answered: Answered is “yes”, “no” or left empty."),
    ({"order": "sideways"}, "Order: Order is “relevance” or “newest”."),
    ({"space": "no-such-space"}, "Space: You have no space “no-such-space”"),
    ({"topic": "t" * 61}, "Topic: Ensure this value has at most 60 characters"),
    ({"author": "x\x00y"}, "Author: Null characters are not allowed."),
])
def test_a_bad_value_is_named_and_the_search_still_runs(
    member_client: Client, question: Post, params: dict[str, Any], message: str
) -> None:
    response = member_client.get("/search/", {"q": "postgres", **params})
    assert response.status_code == 200
    html = text_of(response)
    assert "could not be used" in html
    assert message in html.replace("&quot;", '"')
    if "page" not in params:  # the bad value is left out; the rest still finds the question
        assert results_of(html) == [f"/posts/{question.pk}/"]


@pytest.mark.parametrize("q", ["x" * 301, "tune\x00postgres"])
def test_an_unusable_query_says_why_and_finds_nothing(member_client: Client, question: Post,
                                                      q: str) -> None:
    response = member_client.get("/search/", {"q": q})
    assert response.status_code == 200
    html = text_of(response)
    assert "Search for:" in html and results_of(html) == []


@pytest.mark.parametrize("q", ['"unclosed', "AND OR NOT", "(((", "-postgres", "c++ & !|", "<b>"])
def test_any_text_is_a_search_never_an_error(member_client: Client, question: Post,
                                             q: str) -> None:
    response = member_client.get("/search/", {"q": q})
    assert response.status_code == 200
    html = text_of(response)
    assert "<b>" not in html  # what was typed is shown escaped
    assert re.search(r"\d+ results?</strong> for “", html)


def test_without_words_the_page_invites_a_search(member_client: Client, question: Post) -> None:
    html = text_of(member_client.get("/search/"))
    assert "Type what you are looking for" in html and results_of(html) == []


def test_pages_keep_the_words_and_filters(space: Space, member: User,
                                          member_client: Client) -> None:
    for i in range(25):
        do_ask_question(space, acting_user=member, title=f"Onboarding checklist part {i}",
                        topics=["onboarding"])
    params = {"q": "onboarding", "kind": "question", "topic": "onboarding", "order": "newest"}
    first = text_of(member_client.get("/search/", params))
    assert "25 results</strong>" in first and len(results_of(first)) == 20
    assert "Page 1 of 2" in first
    next_link = re.search(r'<a href="\?([^"]+)" rel="next">', first)
    assert next_link is not None
    query = next_link.group(1).replace("&amp;", "&")
    for part in ("q=onboarding", "kind=question", "topic=onboarding", "order=newest", "page=2"):
        assert part in query.split("&")
    second = text_of(member_client.get(f"/search/?{query}"))
    assert len(results_of(second)) == 5 and "Page 2 of 2" in second
    assert not set(results_of(first)) & set(results_of(second))
    previous = re.search(r'<a href="\?([^"]+)" rel="prev">', second)
    assert previous is not None and "page=1" in previous.group(1)
    assert "kind=question" in previous.group(1)
    assert 'start="21"' in second  # the list goes on numbering where the first page ended


def test_htmx_swaps_only_the_results_and_announces_the_count(member_client: Client,
                                                            question: Post) -> None:
    response = member_client.get("/search/", {"q": "postgres", "kind": "question"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert f'href="/posts/{question.pk}/"' in html
    assert 'id="search-status" hx-swap-oob="innerHTML">1 result for' in html
    assert "HX-Request" in response["Vary"]
    # A history restore (back button, cache miss) gets the whole page.
    restore = member_client.get("/search/", {"q": "postgres"},
                                HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in restore.content.decode()


def test_every_page_has_the_search_box_in_its_header(member_client: Client) -> None:
    html = whole_page(member_client.get("/"))
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    assert '<form class="site-search" role="search" method="get" action="/search/">' in header
    assert '<label for="site-search-q" class="visually-hidden">Search Waggle</label>' in header
    assert '<input type="search" id="site-search-q" name="q"' in header


def test_the_page_runs_as_many_queries_for_20_results_as_for_2(
    space: Space, member: User, other_member: User, member_client: Client
) -> None:
    def add(count: int) -> None:
        for i in range(count):
            asked = do_ask_question(space, acting_user=other_member, title=f"Laptop setup {i}",
                                    anonymous=i % 2 == 0)
            do_comment(asked, acting_user=member, body="Laptop drivers are on the wiki.")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = member_client.get("/search/", {"q": "laptop"})
        assert response.status_code == 200
        return len(captured)

    add(1)
    few = queries()
    add(9)
    assert "20 results</strong>" in text_of(member_client.get("/search/", {"q": "laptop"}))
    assert queries() == few


def test_a_query_matching_very_many_says_more_than(
    space: Space, member: User, member_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import waggle.search.query as query_module

    monkeypatch.setattr(query_module, "WINDOW", 3)
    for i in range(5):
        do_ask_question(space, acting_user=member, title=f"Laptop refresh round {i}")
    html = member_client.get("/search/", {"q": "laptop"}).content.decode()
    assert "More than 3 results" in html and "add a word to narrow it down" in html
    html = member_client.get("/search/", {"q": "laptop round 2"}).content.decode()
    assert "<strong>1 result</strong>" in html and "More than" not in html


# --- people ---------------------------------------------------------------------------------

def people_of(html: str) -> list[str]:
    """The people found on the page (their profile links in the people cards), in order."""
    cards = re.findall(r'<article class="person-card person-hit">.*?</article>', html, re.S)
    return [re.search(r'href="/people/([^/]+)/"', card).group(1)  # type: ignore[union-attr]
            for card in cards]


def test_people_who_match_come_first_with_what_they_know_about(
    space: Space, member: User, member_client: Client, question: Post
) -> None:
    from waggle.people.actions import do_update_profile

    alice = make_person("alice", display_name="Alice Postgres", title="Database engineer")
    do_update_profile(alice, acting_user=alice, skills=["postgres", "replication"])
    html = text_of(member_client.get("/search/", {"q": "postgres"}))
    assert '<h2 id="people-found-heading">People</h2>' in html
    assert people_of(html) == ["alice"]
    assert "Database engineer" in html and "Knows about" in html
    assert 'href="/topics/replication/"' in html
    # The people come before the posts, which are still there.
    assert html.index("people-found-heading") < html.index('class="search-count"')
    assert results_of(html) == [f"/posts/{question.pk}/"]
    # No figures about the person: value over volume.
    card = re.search(r'<article class="person-card person-hit">.*?</article>', html, re.S)
    assert card is not None and not re.search(r"\d", re.sub(r"<[^>]+>", "", card.group(0)))


def test_the_people_section_shows_five_and_links_to_all(member: User,
                                                         member_client: Client) -> None:
    for i in range(7):
        make_person(f"sam{i}", display_name=f"Sam Tester{i}")
    html = text_of(member_client.get("/search/", {"q": "sam"}))
    assert len(people_of(html)) == 5
    assert "All 7 people for “sam”" in html
    assert 'href="?q=sam&amp;kind=people"' in html
    assert "No posts you can see match that." in html


def test_more_people_than_are_counted_say_more_than(member: User, member_client: Client,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("waggle.search.people.COUNTED", 6)
    for i in range(8):
        make_person(f"sam{i}", display_name=f"Sam Tester{i}")
    html = text_of(member_client.get("/search/", {"q": "sam"}))
    assert len(people_of(html)) == 5 and "More than 6 people for “sam”" in html
    assert "All 6 people" not in html
    listed = text_of(member_client.get("/search/", {"q": "sam", "kind": "people"}))
    assert "More than 6 people</strong> for “sam”" in listed and len(people_of(listed)) == 6
    assert "add a word to narrow it down" in listed
    swapped = member_client.get("/search/", {"q": "sam", "kind": "people"}, **HTMX)
    assert 'hx-swap-oob="innerHTML">More than 6 people for' in swapped.content.decode()


def test_kind_people_lists_only_people_in_pages(space: Space, member: User,
                                               member_client: Client) -> None:
    for i in range(23):
        make_person(f"kit{i:02}", display_name=f"Kit Number{i:02}")
    do_ask_question(space, acting_user=member, title="Kit for the new office")
    first = text_of(member_client.get("/search/", {"q": "kit", "kind": "people"}))
    assert "23 people</strong> for “kit”" in first
    assert len(people_of(first)) == 20 and results_of(first) == []
    assert "Page 1 of 2" in first and "people-found-heading" not in first
    next_link = re.search(r'<a href="\?([^"]+)" rel="next">', first)
    assert next_link is not None
    second = text_of(member_client.get("/search/?" + next_link.group(1).replace("&amp;", "&")))
    assert len(people_of(second)) == 3 and "Page 2 of 2" in second
    assert not set(people_of(first)) & set(people_of(second))
    none = text_of(member_client.get("/search/", {"q": "zzzz", "kind": "people"}))
    assert "0 people</strong>" in none and "Nobody you can see matches that." in none


def test_post_filters_or_kinds_leave_people_out(space: Space, member: User,
                                               member_client: Client, question: Post) -> None:
    make_person("tuner", display_name="Tune Master")
    assert people_of(text_of(member_client.get("/search/", {"q": "tune"}))) == ["tuner"]
    for extra in ({"kind": "question"}, {"space": space.slug}, {"topic": "postgres"},
                  {"answered": "no"}, {"page": "2"}):
        html = text_of(member_client.get("/search/", {"q": "tune", **extra}))
        assert people_of(html) == [], extra
    both = text_of(member_client.get("/search/?q=tune&kind=people&kind=question"))
    assert people_of(both) == ["tuner"] and results_of(both) == [f"/posts/{question.pk}/"]


def test_htmx_swaps_in_the_people_too(member: User, member_client: Client) -> None:
    make_person("alice", display_name="Alice Martin")
    html = member_client.get("/search/", {"q": "ali"}, **HTMX).content.decode()
    assert "<html" not in html and people_of(html) == ["alice"]
    only = member_client.get("/search/", {"q": "ali", "kind": "people"}, **HTMX)
    assert 'id="search-status" hx-swap-oob="innerHTML">1 person for' in only.content.decode()


def test_a_guest_finds_only_the_people_of_their_spaces(
    external_space: Space, space: Space, guest: User, host: User, member: User
) -> None:
    guest_client = client_for(guest)
    for params in ({"q": "ha"}, {"q": "ha", "kind": "people"}):
        html = text_of(guest_client.get("/search/", params))
        assert people_of(html) == ["hana"], params
    for name in ("mira", "Mira", "otto"):
        html = text_of(guest_client.get("/search/", {"q": name, "kind": "people"}))
        assert people_of(html) == [] and "0 people</strong>" in html
    # The count leaves them out too.
    html = text_of(guest_client.get("/search/", {"q": "mi", "kind": "people"}))
    assert "0 people</strong>" in html


def test_a_deactivated_person_is_neither_listed_nor_counted(member: User,
                                                            member_client: Client) -> None:
    for name in ("ann1", "ann2"):
        make_person(name, display_name=f"Ann {name}")
    User.objects.filter(username="ann2").update(is_active=False)
    html = text_of(member_client.get("/search/", {"q": "ann", "kind": "people"}))
    assert people_of(html) == ["ann1"] and "1 person</strong>" in html
    assert "ann2" not in html


@pytest.mark.parametrize("q", ["", "x" * 301, "a\x00b", "'; DROP TABLE people_user; --", "*",
                               "日本", "😀", "_", "-ali", '"ali', "ali:*A & b"])
def test_any_text_for_people_is_a_search_never_an_error(member: User, member_client: Client,
                                                        q: str) -> None:
    make_person("alice", display_name="Alice Martin")
    for params in ({"q": q}, {"q": q, "kind": "people"}, {"q": q, "kind": "people",
                                                           "page": "999"}):
        assert member_client.get("/search/", params).status_code == 200
