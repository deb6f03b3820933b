"""Notifications: who is told what after an action commits, and nobody after a rollback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from tests.conftest import make_person
from waggle.core.errors import Invalid
from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
    do_post_update,
)
from waggle.exchange.models import Post
from waggle.notify.actions import do_mark_notifications_read
from waggle.notify.models import Notification
from waggle.people.models import User
from waggle.spaces.actions import do_create_space, do_invite_to_space
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos, do_report_value

Capture = Callable[..., Any]


def inbox(person: User) -> list[tuple[str, int | None, int | None]]:
    """(verb, actor, post) of each notification the person has, oldest first."""
    return list(
        Notification.objects.filter(recipient=person).order_by("id")
        .values_list("verb", "actor_id", "post_id")
    )


def test_an_answer_notifies_the_asker(
    question: Post, member: User, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_answer_question(question, acting_user=other_member, body="Try EXPLAIN")
    assert inbox(member) == [("answered", other_member.pk, question.pk)]
    assert inbox(other_member) == []


def test_the_anonymous_asker_hears_of_answers_and_nobody_learns_who_they_are(
    space: Space, member: User, other_member: User, host: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        q = do_ask_question(space, acting_user=member, title="Anonymous: what is a join?",
                            body="cc @otto", anonymous=True)
        a = do_answer_question(q, acting_user=other_member, body="A way to combine tables")
        do_accept_answer(q, a, acting_user=member)
    assert inbox(member) == [("answered", other_member.pk, q.pk)]
    # The mentioned colleague and the answerer are told, but by nobody in particular.
    assert inbox(other_member) == [("mentioned", None, q.pk), ("accepted", None, q.pk)]
    assert not Notification.objects.filter(actor=member).exists()


def test_accepting_notifies_the_answerer_once(
    question: Post, answer: Post, member: User, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_accept_answer(question, answer, acting_user=member)
        do_accept_answer(question, None, acting_user=member)
    assert inbox(other_member) == [("accepted", member.pk, question.pk)]


def test_a_comment_notifies_the_author_of_the_post(
    question: Post, answer: Post, member: User, other_member: User, host: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_comment(answer, acting_user=host, body="Nice one")
        do_comment(question, acting_user=member, body="My own question, no news for me")
    assert inbox(other_member) == [("commented", host.pk, question.pk)]
    assert inbox(member) == []


def test_value_and_kudos_notify_the_helper(
    answer: Post, member: User, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_report_value(acting_user=member, post=answer, solved_problem=True)
        # Updating a report is not news.
        do_report_value(acting_user=member, post=answer, saved_time=True, minutes_saved=30)
        do_give_kudos(acting_user=member, post=answer, message="Thank you!")
    assert inbox(other_member) == [
        ("value", member.pk, answer.pk), ("kudos", member.pk, answer.pk)
    ]


def test_a_mention_notifies_only_people_who_can_see_the_post(
    space: Space, private_space: Space, member: User, outsider: User, host: User,
    guest: User, external_space: Space, django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        open_post = do_post_update(space, acting_user=member, body="@oscar @gita @mira look")
        secret = do_ask_question(private_space, acting_user=member, title="Secret plans",
                                 body="@oscar @hana what do you think?")
    assert inbox(outsider) == [("mentioned", member.pk, open_post.pk)]
    assert inbox(host) == [("mentioned", member.pk, secret.pk)]
    # A guest cannot see an open space, and nobody is told they mentioned themselves.
    assert inbox(guest) == []
    assert inbox(member) == []


def test_an_invitation_notifies_the_invitee(
    host: User, outsider: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        s = do_create_space("Board", acting_user=host, visibility=Space.Visibility.PRIVATE)
        do_invite_to_space(s, outsider, acting_user=host)
    n = Notification.objects.get(recipient=outsider)
    assert (n.verb, n.actor, n.space, n.read_at) == ("invited", host, s, None)


def test_importers_notify_nobody(
    question: Post, space: Space, member: User, other_member: User, outsider: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        a = do_answer_question(question, acting_user=other_member, body="@oscar", notify=False)
        do_ask_question(space, acting_user=other_member, title="Imported with @oscar",
                        body="@mira", notify=False)
        do_comment(question, acting_user=other_member, body="@mira", notify=False)
        do_report_value(acting_user=member, post=a, saved_time=True, notify=False)
        do_give_kudos(acting_user=member, post=a, message="Thanks", notify=False)
    assert not Notification.objects.exists()


def test_a_failed_action_notifies_nobody(
    space: Space, question: Post, member: User, outsider: User, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    too_many = " ".join(f"#t{i}" for i in range(11))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # Invalid after the post and its mentions were written.
        with pytest.raises(Invalid):
            do_ask_question(space, acting_user=member, title="Mentions then fails",
                            body=f"@oscar {too_many}")
        # The database refuses a duplicate import after the answer was counted.
        do_answer_question(question, acting_user=other_member, body="first", notify=False,
                           source="archive", external_id="a1")
        with pytest.raises(IntegrityError):
            do_answer_question(question, acting_user=outsider, body="dup", source="archive",
                               external_id="a1")
        # An action that succeeded inside a transaction that later fails tells nobody.
        with pytest.raises(RuntimeError), transaction.atomic():
            do_answer_question(question, acting_user=outsider, body="Rolled back")
            raise RuntimeError("the request failed after the action")
    # What was scheduled is the expertise update of the one answer that committed; nothing
    # from the failed or rolled-back actions, and no notification at all.
    assert [(c.func.__self__.name, c.args) for c in callbacks] == [
        ("update_expertise_task", ([other_member.pk],))]
    assert not Notification.objects.exists()
    question.refresh_from_db()
    assert question.answer_count == 1


def test_marking_notifications_read(
    question: Post, member: User, other_member: User, host: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_answer_question(question, acting_user=other_member, body="one")
        do_answer_question(question, acting_user=host, body="two")
        do_comment(question, acting_user=host, body="three")
    first, *rest = Notification.objects.filter(recipient=member).order_by("id")
    assert do_mark_notifications_read(member, [first.pk]) == 1
    assert do_mark_notifications_read(member, [first.pk]) == 0
    # Someone else's ids change nothing.
    assert do_mark_notifications_read(other_member, [n.pk for n in rest]) == 0
    assert do_mark_notifications_read(member) == len(rest) == 2
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_an_inactive_person_is_not_told_of_mentions(
    space: Space, member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    gone = make_person("gone")
    gone.is_active = False
    gone.save()
    with django_capture_on_commit_callbacks(execute=True):
        do_post_update(space, acting_user=member, body="@gone are you there?")
    assert not Notification.objects.exists()
