"""Forms: every broken rule answers 400 with the message next to its field and writes nothing;
the same endpoints answer HTMX requests with the re-rendered partial."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.web.conftest import HTMX, Thread, text_of, whole_page
from waggle.api.models import AccessToken
from waggle.exchange.models import Comment, Follow, Post
from waggle.people.models import User
from waggle.spaces.models import Invitation, Membership, Space
from waggle.value.models import Kudos, ValueReport


def error_for(html: str, field_id: str) -> str:
    """The error message rendered next to the field with this id ("" if none)."""
    marker = f'id="{field_id}_error">'
    if marker not in html:
        return ""
    return html.split(marker, 1)[1].split("</small>", 1)[0]


# --- sharing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("anywhere", [False, True])
def test_asking_with_an_empty_title_answers_400_and_creates_nothing(
    space: Space, member_client: Client, anywhere: bool
) -> None:
    url = "/ask/" if anywhere else f"/spaces/{space.slug}/ask/"
    data = {"title": "  ", "body": "Some details"}
    if anywhere:
        data["space"] = space.slug
    before = Post.objects.count()
    response = member_client.post(url, data)
    assert response.status_code == 400
    assert "A title needs at least 5 characters." in error_for(text_of(response), "id_title")
    assert 'aria-invalid="true"' in text_of(response)
    assert "Some details" in text_of(response)  # what was typed is kept
    assert Post.objects.count() == before


def test_asking_with_a_too_long_body_answers_400(space: Space, member_client: Client) -> None:
    body = "x" * (settings.WAGGLE_MAX_POST_CHARS + 1)
    response = member_client.post(f"/spaces/{space.slug}/ask/",
                                  {"title": "A fine title", "body": body})
    assert response.status_code == 400
    assert "too long" in error_for(text_of(response), "id_body")
    assert not Post.objects.filter(title="A fine title").exists()


def test_asking_anywhere_needs_a_space_i_can_see(
    space: Space, private_space: Space, outsider_client: Client
) -> None:
    none = outsider_client.post("/ask/", {"title": "Where do I ask this?"})
    assert none.status_code == 400
    assert "Choose the space to ask in." in error_for(text_of(none), "id_space")
    hidden = outsider_client.post("/ask/", {"title": "Where do I ask this?",
                                            "space": private_space.slug})
    assert hidden.status_code == 400
    assert "Choose one of your spaces." in error_for(text_of(hidden), "id_space")
    assert "Mergers" not in text_of(hidden)  # the chooser never lists a hidden space
    assert not Post.objects.filter(title="Where do I ask this?").exists()


def test_asking_works_and_can_be_anonymous(
    space: Space, member: User, member_client: Client
) -> None:
    response = member_client.post("/ask/", {
        "space": space.slug, "title": "How do I rotate keys?", "body": "Asking for a #team",
        "topics": "security, Key Management", "anonymous": "on",
    })
    post = Post.objects.get(title="How do I rotate keys?")
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    assert post.is_anonymous and post.author is None
    assert sorted(post.topics.values_list("name", flat=True)) == [
        "key-management", "security", "team"]


def test_update_and_lesson_errors(space: Space, member_client: Client) -> None:
    update = member_client.post(f"/spaces/{space.slug}/update/", {"title": "", "body": ""})
    assert update.status_code == 400
    assert "The update cannot be empty." in error_for(text_of(update), "id_body")
    lesson = member_client.post(f"/spaces/{space.slug}/lesson/", {
        "title": "Our migration", "tried": "Big bang", "happened": " ", "next_time": "Steps",
    })
    assert lesson.status_code == 400
    assert "What happened cannot be empty." in error_for(text_of(lesson), "id_happened")
    assert not Post.objects.filter(kind__in=["update", "lesson"]).exists()
    ok = member_client.post(f"/spaces/{space.slug}/lesson/", {
        "title": "Our migration", "tried": "Big bang", "happened": "Downtime",
        "next_time": "Steps", "topics": "migrations",
    })
    assert ok.status_code == 302


def test_outsider_cannot_post_in_a_private_space_even_by_form(
    private_space: Space, outsider_client: Client
) -> None:
    assert outsider_client.post(f"/spaces/{private_space.slug}/ask/",
                                {"title": "Sneaky question"}).status_code == 404
    assert not Post.objects.filter(title="Sneaky question").exists()


def test_guest_cannot_post_in_an_open_space(
    space: Space, external_space: Space, guest_client: Client
) -> None:
    assert guest_client.post(f"/spaces/{space.slug}/ask/",
                             {"title": "Guest question here"}).status_code == 404
    ok = guest_client.post(f"/spaces/{external_space.slug}/ask/",
                           {"title": "Guest question here"})
    assert ok.status_code == 302


def test_editing_a_post(thread: Thread, member_client: Client, other_client: Client) -> None:
    q = thread.question
    bad = member_client.post(f"/posts/{q.pk}/edit/", {"title": "abc", "body": "x"})
    assert bad.status_code == 400
    assert "at least 5 characters" in error_for(text_of(bad), "id_title")
    ok = member_client.post(f"/posts/{q.pk}/edit/",
                            {"title": "How do we tune slow queries?", "body": "Edited",
                             "topics": "postgres, performance"})
    assert ok.status_code == 302
    q.refresh_from_db()
    assert q.title == "How do we tune slow queries?" and q.body == "Edited"
    # The answerer edits their answer (no title there); nobody else may.
    assert other_client.post(f"/posts/{q.pk}/edit/", {"title": "Hijacked!"}).status_code == 403
    answer_edit = other_client.post(f"/posts/{thread.answer.pk}/edit/", {"body": "Better"})
    assert answer_edit["Location"] == f"/posts/{q.pk}/#post-{thread.answer.pk}"
    assert "Better" in text_of(member_client.get(f"/posts/{q.pk}/"))


# --- the thread: answers, comments, accept -------------------------------------------------


def test_an_empty_answer_answers_400_with_the_message(
    question: Post, other_client: Client
) -> None:
    for headers in ({}, HTMX):
        response = other_client.post(f"/posts/{question.pk}/answer/", {"body": " "}, **headers)
        assert response.status_code == 400
        assert "The answer cannot be empty." in error_for(text_of(response), "id_answer_body")
        # Without JS the whole page comes back; with HTMX only the answers section.
        assert ("<html" in whole_page(response)) == (not headers)
    assert question.answers.count() == 0


def test_answering_without_and_with_htmx(question: Post, other_client: Client) -> None:
    plain = other_client.post(f"/posts/{question.pk}/answer/", {"body": "Use an index."})
    answer = question.answers.get()
    assert plain.status_code == 302
    assert plain["Location"] == f"/posts/{question.pk}/#post-{answer.pk}"
    partial = other_client.post(f"/posts/{question.pk}/answer/", {"body": "Or vacuum."},
                                **HTMX)
    assert partial.status_code == 200
    html = whole_page(partial)
    assert "<html" not in html and 'id="answers"' in html
    assert "Use an index." in html and "Or vacuum." in html and "2 answers" in html


def test_comments_without_and_with_htmx(thread: Thread, other_client: Client) -> None:
    before = Comment.objects.count()
    empty = other_client.post(f"/posts/{thread.question.pk}/comment/", {"body": ""}, **HTMX)
    assert empty.status_code == 400
    assert "The comment cannot be empty." in whole_page(empty)
    assert Comment.objects.count() == before
    plain = other_client.post(f"/posts/{thread.answer.pk}/comment/", {"body": "Glad it helped"})
    comment = Comment.objects.latest("id")
    assert plain["Location"] == f"/posts/{thread.question.pk}/#comment-{comment.pk}"
    partial = other_client.post(f"/posts/{thread.question.pk}/comment/",
                                {"body": "Nice question"}, **HTMX)
    html = whole_page(partial)
    assert partial.status_code == 200
    assert f'id="comments-post{thread.question.pk}"' in html and "Nice question" in html


def test_accepting_an_answer(
    question: Post, answer: Post, member_client: Client, other_client: Client,
    host_client: Client,
) -> None:
    assert other_client.post(f"/posts/{question.pk}/accept/{answer.pk}/").status_code == 403
    response = member_client.post(f"/posts/{question.pk}/accept/{answer.pk}/")
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    partial = host_client.post(f"/posts/{question.pk}/unaccept/", **HTMX)
    assert partial.status_code == 200 and "Accepted answer" not in whole_page(partial)
    question.refresh_from_db()
    assert question.accepted_answer_id is None
    # An answer to another question is refused with the reason.
    from waggle.exchange.actions import do_answer_question, do_ask_question

    other_q = do_ask_question(question.space, acting_user=question.author, title="Another one?")
    stray = do_answer_question(other_q, acting_user=answer.author, body="Stray")
    wrong = member_client.post(f"/posts/{question.pk}/accept/{stray.pk}/")
    assert wrong.status_code == 400
    assert "belongs to another question" in text_of(wrong)


# --- value reports and kudos ----------------------------------------------------------------


def test_a_value_report_with_no_kind_answers_400_and_creates_nothing(
    thread: Thread, other_member: User, host_client: Client
) -> None:
    url = f"/posts/{thread.answer.pk}/value/"
    for headers in ({}, HTMX):
        response = host_client.post(url, {"minutes_saved": "20", "note": "hm"}, **headers)
        assert response.status_code == 400
        html = text_of(response)
        assert "Say how it helped" in error_for(html, f"id_post{thread.answer.pk}_kinds")
        assert ("<html" in whole_page(response)) == (not headers)
    assert not ValueReport.objects.filter(reporter__username="hana").exists()


def test_value_report_minutes_must_be_a_number(thread: Thread, host_client: Client) -> None:
    response = host_client.post(f"/posts/{thread.answer.pk}/value/",
                                {"kinds": ["saved_time"], "minutes_saved": "lots"})
    assert response.status_code == 400
    field_id = f"id_post{thread.answer.pk}_minutes_saved"
    assert "whole number" in error_for(text_of(response), field_id)
    assert not ValueReport.objects.filter(reporter__username="hana").exists()


def test_value_reports_are_made_shown_in_words_and_edited(
    thread: Thread, host: User, host_client: Client
) -> None:
    url = f"/posts/{thread.answer.pk}/value/"
    made = host_client.post(url, {"kinds": ["solved_problem", "saved_time"],
                                  "minutes_saved": "30"})
    assert made["Location"] == f"/posts/{thread.question.pk}/#value-post{thread.answer.pk}"
    html = text_of(host_client.get(f"/posts/{thread.question.pk}/"))
    assert "2 colleagues say this solved a problem, 1 says it saved time · ~2 h saved" in html
    assert "You reported: solved a problem, saved time (~30 min)." in html
    edited = host_client.post(url, {"kinds": ["learned_something"], "note": "new trick"},
                              **HTMX)
    assert edited.status_code == 200
    partial = whole_page(edited)
    assert "<html" not in partial
    assert "You reported: learned something." in partial and "new trick" in partial
    assert ValueReport.objects.filter(reporter=host, post=thread.answer).count() == 1


def test_value_on_a_comment(thread: Thread, other_client: Client) -> None:
    url = f"/comments/{thread.comment.pk}/value/"
    response = other_client.post(url, {"kinds": ["learned_something"]}, **HTMX)
    assert response.status_code == 200
    assert "1 colleague learned something" in whole_page(response)
    assert ValueReport.objects.filter(comment=thread.comment).count() == 1


def test_value_report_on_my_own_answer_is_refused(thread: Thread, other_client: Client) -> None:
    response = other_client.post(f"/posts/{thread.answer.pk}/value/",
                                 {"kinds": ["solved_problem"]})
    assert response.status_code == 400
    assert "for what others shared with you" in text_of(response)
    assert not ValueReport.objects.filter(reporter__username="otto").exists()


def test_kudos_to_myself_answers_400_and_creates_nothing(
    thread: Thread, other_client: Client, member_client: Client
) -> None:
    for client, url in ((other_client, f"/posts/{thread.answer.pk}/kudos/"),
                        (member_client, f"/comments/{thread.comment.pk}/kudos/")):
        for headers in ({}, HTMX):
            response = client.post(url, {"message": "Well done me"}, **headers)
            assert response.status_code == 400
            assert "Kudos are for others." in text_of(response)
    assert not Kudos.objects.exists()


def test_kudos_need_a_message_and_then_show_on_the_item(
    thread: Thread, member_client: Client
) -> None:
    url = f"/posts/{thread.answer.pk}/kudos/"
    empty = member_client.post(url, {"message": ""})
    assert empty.status_code == 400
    assert "Say what you are thanking them for." in error_for(
        text_of(empty), f"id_post{thread.answer.pk}_kudos_message")
    assert not Kudos.objects.exists()
    ok = member_client.post(url, {"message": "Saved my afternoon"}, **HTMX)
    assert ok.status_code == 200
    assert "Kudos from" in whole_page(ok) and "Saved my afternoon" in whole_page(ok)


def test_kudos_for_an_anonymous_question_are_refused(
    space: Space, member: User, other_client: Client
) -> None:
    from waggle.exchange.actions import do_ask_question

    q = do_ask_question(space, acting_user=member, title="Anonymous thanks?", anonymous=True)
    page = text_of(other_client.get(f"/posts/{q.pk}/"))
    assert f"/posts/{q.pk}/kudos/" not in page  # no form: there is nobody to thank
    response = other_client.post(f"/posts/{q.pk}/kudos/", {"message": "Thanks"})
    assert response.status_code == 400
    assert "nobody to send kudos to" in text_of(response)
    assert not Kudos.objects.exists()


# --- spaces, profile, tokens, follows ---------------------------------------------------------


def test_start_a_space_errors(member_client: Client) -> None:
    response = member_client.post("/spaces/new/", {"name": "x", "visibility": "open",
                                                   "kind": "community"})
    assert response.status_code == 400
    assert "2 to 120 characters" in error_for(text_of(response), "id_name")
    bad = member_client.post("/spaces/new/", {"name": "Fine", "visibility": "secret",
                                              "kind": "community"})
    assert bad.status_code == 400
    assert not Space.objects.exists()


def test_invite_errors(space: Space, member: User, host_client: Client) -> None:
    unknown = host_client.post(f"/spaces/{space.slug}/invite/", {"username": "nobody"})
    assert unknown.status_code == 400
    assert "Nobody here has the username" in error_for(text_of(unknown), "id_invite_username")
    already = host_client.post(f"/spaces/{space.slug}/invite/", {"username": "mira"})
    assert already.status_code == 400
    assert "already a member" in error_for(text_of(already), "id_invite_username")
    assert not Invitation.objects.filter(space=space).exists()


def test_the_only_host_cannot_leave(space: Space, host_client: Client) -> None:
    response = host_client.post(f"/spaces/{space.slug}/leave/")
    assert response.status_code == 400
    assert "You are the only host" in text_of(response)
    assert Membership.objects.filter(space=space, user__username="hana").exists()


def test_profile_errors(member: User, member_client: Client) -> None:
    response = member_client.post("/me/", {"display_name": "x" * 151})
    assert response.status_code == 400
    assert error_for(text_of(response), "id_display_name")
    member.refresh_from_db()
    assert member.display_name == "Mira Member"


def test_token_needs_a_name(member: User, member_client: Client) -> None:
    response = member_client.post("/me/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name" in error_for(text_of(response), "id_name")
    assert not AccessToken.objects.exists()


def test_following_myself_is_refused(member: User, member_client: Client) -> None:
    response = member_client.post("/people/mira/follow/")
    assert response.status_code == 400
    assert "You cannot follow yourself." in text_of(response)
    assert not Follow.objects.exists()


def test_someone_elses_token_cannot_be_revoked(
    member: User, other_member: User, member_client: Client, other_client: Client
) -> None:
    member_client.post("/me/tokens/", {"name": "mine"})
    token = AccessToken.objects.get()
    assert other_client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_marking_one_notification_read_leaves_the_others(
    thread: Thread, member: User, other_member: User, member_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from waggle.exchange.actions import do_answer_question, do_comment

    with django_capture_on_commit_callbacks(execute=True):
        do_answer_question(thread.question, acting_user=other_member, body="Idea one")
        do_comment(thread.question, acting_user=other_member, body="And a comment")
    first, second = member.notifications.order_by("id")
    member_client.post("/notifications/read/", {"id": [str(first.pk), "junk"]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
