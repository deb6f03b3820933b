"""Has this been asked? (suggestions under the ask form's title) and hosts marking a question
as a duplicate, through the client; and in a real browser, suggestions appearing as one types."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.web.test_browser import browser, shot, sign_in  # noqa: F401 - `browser` is a fixture
from waggle.exchange.actions import do_answer_question, do_ask_question, do_mark_duplicate
from waggle.exchange.models import Post, PostLink
from waggle.people.models import User
from waggle.spaces.models import Space


def test_the_ask_forms_ask_for_suggestions_as_one_types(member_client: Client,
                                                        space: Space) -> None:
    for url in ("/ask/", f"/spaces/{space.slug}/ask/"):
        html = member_client.get(url).content.decode()
        assert 'hx-get="/ask/similar/"' in html and 'id="similar-questions"' in html


def test_suggestions_show_close_visible_questions_answered_first(
    member_client: Client, outsider_client: Client, space: Space, member: User,
    other_member: User, question: Post, private_question: Post
) -> None:
    answered = do_ask_question(space, acting_user=other_member,
                               title="How to tune postgres autovacuum?")
    do_answer_question(answered, acting_user=member, body="Lower the scale factor.")
    html = member_client.get("/ask/similar/", {"title": "tune postgres"}).content.decode()
    assert html.index(answered.title) < html.index(question.title)
    assert "1 answer" in html and "no answer yet" in html
    assert f'href="/posts/{answered.pk}/"' in html
    assert "acquiring" in member_client.get("/ask/similar/",
                                            {"title": "firm acquiring"}).content.decode()
    hidden = outsider_client.get("/ask/similar/", {"title": "firm acquiring"})
    assert hidden.status_code == 200 and "acquiring" not in hidden.content.decode()
    assert "Has this been asked" not in member_client.get(
        "/ask/similar/", {"title": "zz"}).content.decode()


def test_anonymous_visitors_get_no_suggestions(question: Post) -> None:
    response = Client().get("/ask/similar/", {"title": "postgres"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_only_hosts_see_and_use_the_duplicate_tools(
    space: Space, host: User, member_client: Client, other_member: User, question: Post
) -> None:
    again = do_ask_question(space, acting_user=other_member, title="Tune postgres reports?")
    host_client = client_for(host)
    assert "Host tools: duplicate" in host_client.get(f"/posts/{again.pk}/").content.decode()
    assert "Host tools" not in member_client.get(f"/posts/{again.pk}/").content.decode()

    response = host_client.post(f"/posts/{again.pk}/duplicate/",
                                {"original": f"http://testserver/posts/{question.pk}/"},
                                follow=True)
    html = response.content.decode()
    assert "Marked as a duplicate" in html and "Duplicate of:" in html
    assert PostLink.objects.filter(post=again, target=question, kind="duplicate").exists()
    assert "Not a duplicate" in html

    assert member_client.post(f"/posts/{again.pk}/duplicate/",
                              {"original": ""}).status_code == 403
    response = host_client.post(f"/posts/{again.pk}/duplicate/", {"original": ""}, follow=True)
    assert "no longer marked" in response.content.decode()
    assert not PostLink.objects.exists()


def test_bad_originals_get_a_message_and_change_nothing(
    space: Space, host: User, other_member: User, question: Post, private_question: Post,
    outsider: User,
) -> None:
    again = do_ask_question(space, acting_user=other_member, title="Tune postgres reports?")
    host_client = client_for(host)
    for given, message in (("next tuesday", "link or number"),
                           ("999999", "no question with that link or number"),
                           (str(again.pk), "cannot be a duplicate of itself")):
        response = host_client.post(f"/posts/{again.pk}/duplicate/", {"original": given},
                                    follow=True)
        assert response.status_code == 200 and message in response.content.decode(), given
    assert not PostLink.objects.exists()
    # An outsider cannot reach a private question's tools at all.
    assert client_for(outsider).post(f"/posts/{private_question.pk}/duplicate/",
                                     {"original": str(question.pk)}).status_code == 404


def test_a_duplicate_shows_where_the_answers_are(space: Space, host: User,
                                                 other_member: User, question: Post,
                                                 member_client: Client) -> None:
    again = do_ask_question(space, acting_user=other_member, title="Tune postgres reports?")
    do_mark_duplicate(again, question, acting_user=host)
    html = member_client.get(f"/posts/{again.pk}/").content.decode()
    assert "Duplicate of:" in html and f'/posts/{question.pk}/' in html


@pytest.mark.browser
def test_suggestions_appear_while_typing_a_question(
    transactional_db: Any, live_server: Any, browser: Any,  # noqa: F811 - the fixture above
    space: Space, member: User, other_member: User,
) -> None:
    from playwright.sync_api import expect

    asked = do_ask_question(space, acting_user=other_member,
                            title="How do I renew the VPN certificate on a Mac?")
    do_answer_question(asked, acting_user=member, body="Open the IT portal, VPN, renew.")
    page = sign_in(browser, live_server.url, "mira")
    page.goto("/ask/")
    page.get_by_label("Title").press_sequentially("renew vpn certif", delay=40)
    suggestions = page.locator("#similar-questions")
    expect(suggestions).to_contain_text("Has this been asked?")
    link = suggestions.get_by_role("link", name=asked.title)
    expect(link).to_be_visible()
    expect(suggestions).to_contain_text("1 answer")
    shot(page, "14-has-this-been-asked")
    assert re.search(rf"/posts/{asked.pk}/$", link.get_attribute("href") or "")
