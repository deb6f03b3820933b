"""Every page through the test client: what a member reads on it, and sign-in for everything."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD, client_for, make_person
from tests.web.conftest import Thread, text_of, whole_page
from waggle.exchange.actions import do_ask_question, do_follow, do_post_lesson, do_post_update
from waggle.exchange.models import Post
from waggle.notify.models import Notification
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.actions import do_create_space, do_invite_to_space
from waggle.spaces.models import Space
from waggle.topics.models import Topic

# Every page and endpoint; {q} is the question, {a} its answer, {c} a comment, {s} the space.
ALL_URLS = [
    ("GET", "/"), ("GET", "/?feed=all"), ("GET", "/spaces/"), ("GET", "/spaces/new/"),
    ("POST", "/spaces/new/"), ("GET", "/spaces/{s}/"), ("POST", "/spaces/{s}/join/"),
    ("POST", "/spaces/{s}/leave/"), ("GET", "/spaces/{s}/invite/"),
    ("POST", "/spaces/{s}/invite/"), ("POST", "/spaces/{s}/follow/"),
    ("POST", "/spaces/{s}/unfollow/"), ("GET", "/spaces/{s}/ask/"), ("POST", "/spaces/{s}/ask/"),
    ("GET", "/spaces/{s}/update/"), ("GET", "/spaces/{s}/lesson/"), ("GET", "/invitations/"),
    ("POST", "/invitations/1/accept/"), ("POST", "/invitations/1/decline/"), ("GET", "/ask/"),
    ("POST", "/ask/"), ("GET", "/posts/{q}/"), ("GET", "/posts/{q}/edit/"),
    ("POST", "/posts/{q}/answer/"), ("POST", "/posts/{q}/accept/{a}/"),
    ("POST", "/posts/{q}/unaccept/"), ("POST", "/posts/{q}/comment/"),
    ("POST", "/posts/{a}/value/"), ("POST", "/posts/{a}/kudos/"),
    ("POST", "/comments/{c}/value/"), ("POST", "/comments/{c}/kudos/"), ("GET", "/topics/"),
    ("GET", "/topics/postgres/"), ("POST", "/topics/postgres/follow/"),
    ("POST", "/topics/postgres/unfollow/"), ("GET", "/people/"), ("GET", "/people/mira/"),
    ("POST", "/people/mira/follow/"), ("POST", "/people/mira/unfollow/"), ("GET", "/me/"),
    ("POST", "/me/"), ("GET", "/me/tokens/"), ("POST", "/me/tokens/"),
    ("POST", "/me/tokens/1/revoke/"), ("GET", "/notifications/"),
    ("POST", "/notifications/read/"),
]


def fill(url: str, thread: Thread) -> str:
    return url.format(
        q=thread.question.pk, a=thread.answer.pk, c=thread.comment.pk,
        s=thread.question.space.slug,
    )


@pytest.mark.parametrize(("method", "url"), ALL_URLS)
def test_an_anonymous_visitor_is_sent_to_sign_in_everywhere(
    thread: Thread, method: str, url: str
) -> None:
    path = fill(url, thread)
    response = getattr(Client(), method.lower())(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not Post.objects.filter(author__isnull=True, kind="question").exists()


def test_the_login_page_signs_in_and_returns_to_the_page_asked_for(
    thread: Thread, member: User
) -> None:
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in text_of(page)
    wrong = client.post("/login/", {"username": "mira", "password": "nope"})
    assert wrong.status_code == 200
    assert "do not match" in text_of(wrong)
    ok = client.post(
        "/login/", {"username": "mira", "password": PASSWORD,
                    "next": f"/posts/{thread.question.pk}/"},
    )
    assert ok.status_code == 302
    assert ok["Location"] == f"/posts/{thread.question.pk}/"
    assert client.get("/").status_code == 200


def test_logout_is_a_post_and_ends_the_session(member_client: Client) -> None:
    assert member_client.get("/logout/").status_code == 405
    response = member_client.post("/logout/")
    assert response.status_code == 302
    assert member_client.get("/").status_code == 302


def test_the_base_page_has_skip_link_nav_and_viewport(member_client: Client, space: Space) -> None:
    html = whole_page(member_client.get("/"))
    assert '<meta name="viewport"' in html
    assert 'href="#main"' in html and 'id="main"' in html
    for label in ("Home", "Spaces", "Topics", "People", "Ask", "Notifications", "Me"):
        assert f">{label}<" in html or f">{label} <" in html
    # Assets are served locally, never from a CDN.
    assert "/static/vendor/htmx.min.js" in html and "/static/vendor/pico.min.css" in html
    assert "https://" not in html.split("<body")[0]


def test_vendored_assets_are_served(member_client: Client) -> None:
    for path in ("/static/vendor/htmx.min.js", "/static/vendor/pico.min.css",
                 "/static/waggle.css"):
        response = member_client.get(path)
        assert response.status_code == 200, path


def test_home_feed_shows_my_spaces_and_follows_but_not_answers(
    thread: Thread, member: User, member_client: Client, host: User
) -> None:
    elsewhere = do_create_space("Elsewhere", acting_user=host)
    followed_topic = do_ask_question(
        elsewhere, acting_user=host, title="Anything about #kubernetes here?"
    )
    do_ask_question(elsewhere, acting_user=host, title="Unrelated lunch question")
    do_follow(acting_user=member, topic=Topic.objects.get(name="kubernetes"))
    html = text_of(member_client.get("/"))
    assert "How do we tune #postgres queries?" in html
    assert followed_topic.title in html
    assert "Unrelated lunch question" not in html
    assert "Start with EXPLAIN ANALYZE." not in html  # answers are read in their question
    everything = text_of(member_client.get("/?feed=all"))
    assert "Unrelated lunch question" in everything


def test_home_feed_pages_older_and_newer_without_repeats(
    space: Space, member: User, member_client: Client
) -> None:
    for i in range(45):
        do_ask_question(space, acting_user=member, title=f"Numbered question {i:02d}")
    first = text_of(member_client.get("/"))
    assert "Numbered question 44" in first and "Numbered question 25" in first
    assert "Numbered question 24" not in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = text_of(member_client.get("/" + older.replace("&amp;", "&")))
    assert "Numbered question 24" in second and "Numbered question 05" in second
    assert "Numbered question 25" not in second
    newer = second.split('rel="prev"')[0].rsplit('href="', 1)[1].split('"')[0]
    back = text_of(member_client.get("/" + newer.replace("&amp;", "&")))
    assert "Numbered question 44" in back and "Numbered question 24" not in back
    # A forged cursor shows the first page instead of failing.
    assert member_client.get("/?after=not-a-cursor").status_code == 200
    assert member_client.get("/?after=WzEsMiwzXQ").status_code == 200


def test_space_list_and_page(
    space: Space, private_space: Space, member: User, member_client: Client, host: User
) -> None:
    listing = text_of(member_client.get("/spaces/"))
    assert "Data Science" in listing and "Mergers" in listing
    page = text_of(member_client.get(f"/spaces/{space.slug}/"))
    assert "3 members" in page
    assert "Hana Host" in page  # the host is named
    assert "Leave space" in page
    assert "Invite a colleague" in page
    mine = text_of(member_client.get("/spaces/?mine=1&q=merg"))
    assert "Mergers" in mine and "Data Science" not in mine


def test_start_a_space(member_client: Client, member: User) -> None:
    assert member_client.get("/spaces/new/").status_code == 200
    response = member_client.post(
        "/spaces/new/", {"name": "Rust Guild", "description": "Crabs", "visibility": "open",
                         "kind": "community"},
    )
    space = Space.objects.get(name="Rust Guild")
    assert response.status_code == 302 and response["Location"] == f"/spaces/{space.slug}/"
    assert "You are its host" in text_of(member_client.get(response["Location"]))


def test_join_and_leave(space: Space, outsider: User, outsider_client: Client) -> None:
    page = text_of(outsider_client.get(f"/spaces/{space.slug}/"))
    assert "Join space" in page
    outsider_client.post(f"/spaces/{space.slug}/join/")
    assert "Leave space" in text_of(outsider_client.get(f"/spaces/{space.slug}/"))
    outsider_client.post(f"/spaces/{space.slug}/leave/")
    assert "Join space" in text_of(outsider_client.get(f"/spaces/{space.slug}/"))


def test_invite_accept_and_decline(
    private_space: Space, host_client: Client, outsider: User, outsider_client: Client
) -> None:
    response = host_client.post(f"/spaces/{private_space.slug}/invite/", {"username": "oscar"})
    assert response.status_code == 302
    inbox = text_of(outsider_client.get("/invitations/"))
    assert "Mergers" in inbox and "Hana Host invited you" in inbox
    invitation = outsider.invitations.get()
    accepted = outsider_client.post(f"/invitations/{invitation.pk}/accept/")
    assert accepted["Location"] == f"/spaces/{private_space.slug}/"
    assert outsider_client.get(f"/spaces/{private_space.slug}/").status_code == 200
    # Someone else's invitation is not found.
    other = make_person("zoe")
    do_invite_to_space(private_space, other, acting_user=private_space.created_by)
    theirs = other.invitations.get()
    assert outsider_client.post(f"/invitations/{theirs.pk}/decline/").status_code == 404
    declined = client_for(other).post(f"/invitations/{theirs.pk}/decline/")
    assert declined.status_code == 302
    assert client_for(other).get(f"/spaces/{private_space.slug}/").status_code == 404


def test_question_page_shows_answers_accepted_first_with_value_in_words(
    thread: Thread, member_client: Client, other_member: User, host: User, kudos_on_answer: Any
) -> None:
    from waggle.exchange.actions import do_answer_question

    later = do_answer_question(thread.question, acting_user=host, body="A later answer.")
    html = text_of(member_client.get(f"/posts/{thread.question.pk}/"))
    assert html.index("Accepted answer") < html.index("Start with EXPLAIN ANALYZE.")
    assert html.index("Start with EXPLAIN ANALYZE.") < html.index("A later answer.")
    assert "1 colleague says this solved a problem · ~90 min saved" in html
    assert "You reported: solved a problem (~90 min)" in html
    assert "Change your report" in html
    assert "Worked for me, thanks!" in html
    assert "Kudos from" in html and "You saved my week" in html
    # The asker can accept the other answer.
    assert f"/posts/{thread.question.pk}/accept/{later.pk}/" in html
    # A colleague who is not asker or host cannot.
    other_html = text_of(client_for(other_member).get(f"/posts/{thread.question.pk}/"))
    assert "Accept this answer" not in other_html


def test_an_answer_url_leads_to_its_question(thread: Thread, member_client: Client) -> None:
    response = member_client.get(f"/posts/{thread.answer.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/posts/{thread.question.pk}/#post-{thread.answer.pk}"


def test_anonymous_question_never_shows_the_asker(
    space: Space, member: User, other_member: User
) -> None:
    q = do_ask_question(space, acting_user=member, title="Is it ok to ask this?",
                        anonymous=True)
    for viewer in (other_member, member):
        client = client_for(viewer)
        for url in (f"/posts/{q.pk}/", "/?feed=all", f"/spaces/{space.slug}/",
                    "/people/mira/"):
            html = text_of(client.get(url))
            if q.title in html:
                block = html.split(q.title, 1)[1][:1500]
                assert "Mira Member" not in block.split("</article>")[0]
        page = text_of(client.get(f"/posts/{q.pk}/"))
        assert "Asked anonymously" in page
    # Only the asker may edit it.
    assert client_for(member).get(f"/posts/{q.pk}/edit/").status_code == 200
    assert client_for(other_member).get(f"/posts/{q.pk}/edit/").status_code == 403


def test_update_and_lesson_pages(space: Space, member: User, member_client: Client) -> None:
    update = do_post_update(space, acting_user=member, body="Working on the #etl rewrite.")
    lesson = do_post_lesson(
        space, acting_user=member, title="What the migration taught us",
        tried="Big bang", happened="Downtime", next_time="Go step by step",
    )
    assert "Working on the" in text_of(member_client.get(f"/posts/{update.pk}/"))
    html = text_of(member_client.get(f"/posts/{lesson.pk}/"))
    assert "What we tried" in html and "Go step by step" in html
    for url in (f"/spaces/{space.slug}/update/", f"/spaces/{space.slug}/lesson/",
                f"/spaces/{space.slug}/ask/", "/ask/", f"/ask/?space={space.slug}"):
        assert member_client.get(url).status_code == 200


def test_topics_pages(thread: Thread, member: User, member_client: Client) -> None:
    do_update_profile(member, acting_user=member, skills=["postgres"])
    listing = text_of(member_client.get("/topics/?q=post"))
    assert "#postgres" in listing
    html = text_of(member_client.get("/topics/postgres/"))
    assert "How do we tune #postgres queries?" in html
    assert "Mira Member" in html  # listed as someone who knows about it
    assert member_client.get("/topics/no-such-topic/").status_code == 404


def test_people_directory_searches_name_department_and_skill(
    member: User, other_member: User, member_client: Client
) -> None:
    do_update_profile(other_member, acting_user=other_member, skills=["kubernetes"])
    assert "Otto Other" in text_of(member_client.get("/people/?q=otto"))
    by_dept = text_of(member_client.get("/people/?q=engineering"))
    assert "Mira Member" in by_dept and "Otto Other" not in by_dept
    by_skill = text_of(member_client.get("/people/?q=kubern"))
    assert "Otto Other" in by_skill and "Mira Member" not in by_skill
    by_slug = text_of(member_client.get("/people/?department=engineering"))
    assert "Mira Member" in by_slug and "Otto Other" not in by_slug


def test_people_directory_pages(member_client: Client, db: Any) -> None:
    for i in range(30):
        make_person(f"p{i:02d}", display_name=f"Person {i:02d}")
    first = text_of(member_client.get("/people/"))
    assert "Person 00" in first and 'rel="next"' in first
    older = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = text_of(member_client.get("/people/" + older.replace("&amp;", "&")))
    assert "Person 29" in second and "Person 00" not in second


def test_profile_shows_impact_people_helped_and_kudos(
    thread: Thread, other_member: User, member_client: Client, kudos_on_answer: Any
) -> None:
    # Impact is Otto's own view until Otto chooses to share it on his profile.
    hidden = text_of(member_client.get("/people/otto/"))
    assert "How Otto Other has helped" not in hidden and "You saved my week" not in hidden
    own = text_of(client_for(other_member).get("/people/otto/"))
    assert "Your impact" in own and "Only you see this" in own and "You saved my week" in own
    do_update_profile(other_member, acting_user=other_member, share_impact=True)
    html = text_of(member_client.get("/people/otto/"))
    assert "How Otto Other has helped" in html
    assert "solved a problem" in html and "~90 min" in html
    assert "People Otto Other helped" in html and "Mira Member" in html
    assert "You saved my week" in html
    assert "an answer to “How do we tune #postgres queries?”" in html
    own = text_of(client_for(other_member).get("/people/otto/"))
    assert "Your impact" in own and "Edit your profile" in own


def test_edit_own_profile(member: User, member_client: Client, department: Any) -> None:
    assert member_client.get("/me/").status_code == 200
    response = member_client.post("/me/", {
        "display_name": "Mira M.", "title": "Analyst", "department": department.pk,
        "team": "", "location": "Lisbon", "bio": "I know #sql", "skills": "sql, dbt",
        "open_to_mentoring": "on", "opt_out_analytics": "on",
    })
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Mira M." and member.open_to_mentoring
    assert member.opt_out_analytics and not member.opt_out_harvest
    assert sorted(member.skills.values_list("name", flat=True)) == ["dbt", "sql"]
    profile = text_of(member_client.get("/people/mira/"))
    assert "#dbt" in profile and "Open to mentoring" in profile


def test_access_tokens_show_the_secret_once_and_revoke(
    member: User, member_client: Client
) -> None:
    created = member_client.post("/me/tokens/", {"name": "laptop"})
    assert created.status_code == 200
    html = text_of(created)
    secret = html.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("wgl_")
    again = text_of(member_client.get("/me/tokens/"))
    assert secret not in again and "laptop" in again
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token = member.access_tokens.get()
    member_client.post(f"/me/tokens/{token.pk}/revoke/")
    assert "Revoked" in text_of(member_client.get("/me/tokens/"))
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_notifications_list_and_mark_read(
    thread: Thread, member: User, other_member: User, member_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from waggle.exchange.actions import do_answer_question

    with django_capture_on_commit_callbacks(execute=True):
        do_answer_question(thread.question, acting_user=other_member, body="One more idea.")
    html = text_of(member_client.get("/notifications/"))
    assert "Otto Other" in html and "answered your question" in html
    assert '1<span class="visually-hidden"> unread</span>' in whole_page(member_client.get("/"))
    member_client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert "unread" not in whole_page(member_client.get("/"))


def test_follow_and_unfollow_buttons(
    thread: Thread, member: User, other_member: User, space: Space, member_client: Client
) -> None:
    for follow, unfollow, page in (
        ("/people/otto/follow/", "/people/otto/unfollow/", "/people/otto/"),
        (f"/spaces/{space.slug}/follow/", f"/spaces/{space.slug}/unfollow/",
         f"/spaces/{space.slug}/"),
        ("/topics/postgres/follow/", "/topics/postgres/unfollow/", "/topics/postgres/"),
    ):
        response = member_client.post(follow)
        assert response.status_code == 302 and response["Location"] == page
        assert "Following" in text_of(member_client.get(page))
        member_client.post(unfollow)
        assert "Following" not in text_of(member_client.get(page))
    # With HTMX the button swaps itself.
    partial = member_client.post("/people/otto/follow/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in text_of(partial)
    assert "Following" in text_of(partial)
    # `next` must stay on this site.
    evil = member_client.post("/people/otto/unfollow/", {"next": "https://evil.example/"})
    assert evil["Location"] == "/people/otto/"


def test_our_own_404_page(member_client: Client) -> None:
    response = member_client.get("/posts/999999/")
    assert response.status_code == 404
    assert "Back to your home feed" in text_of(response)
    assert member_client.get("/posts/99999999999999999999/").status_code == 404
