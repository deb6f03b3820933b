"""Hosts mark a question as a duplicate of another; the duplicate points to the original."""

from __future__ import annotations

from typing import Any

import pytest

from waggle.core.errors import Invalid, NotAllowed, NotFound
from waggle.core.models import AuditEntry
from waggle.exchange.actions import (
    canonical_question,
    do_ask_question,
    do_mark_duplicate,
    do_unmark_duplicate,
)
from waggle.exchange.models import Post, PostLink
from waggle.notify.models import Notification
from waggle.people.models import User
from waggle.spaces.models import Space


@pytest.fixture
def again(space: Space, other_member: User) -> Post:
    return do_ask_question(space, acting_user=other_member,
                           title="Tuning slow postgres report queries?")


def test_a_host_marks_a_duplicate_and_the_asker_is_told(
    host: User, question: Post, again: Post, other_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        link = do_mark_duplicate(again, question, acting_user=host)
    assert (link.post_id, link.target_id, link.kind) == (again.pk, question.pk, "duplicate")
    assert canonical_question(again) == question
    assert AuditEntry.objects.filter(action="mark_duplicate", target_id=again.pk).exists()
    assert Notification.objects.filter(recipient=other_member, verb="duplicate",
                                       post=again).exists()


def test_a_duplicate_of_a_duplicate_points_to_the_original(
    host: User, space: Space, member: User, question: Post, again: Post
) -> None:
    third = do_ask_question(space, acting_user=member, title="Postgres reports are slow")
    do_mark_duplicate(again, question, acting_user=host)
    link = do_mark_duplicate(third, again, acting_user=host)
    assert link.target_id == question.pk


def test_marking_again_replaces_the_mark_and_unmarking_removes_it(
    host: User, space: Space, member: User, question: Post, again: Post
) -> None:
    other = do_ask_question(space, acting_user=member, title="Another reporting question")
    do_mark_duplicate(again, question, acting_user=host)
    do_mark_duplicate(again, other, acting_user=host)
    assert list(PostLink.objects.filter(post=again).values_list("target_id", flat=True)) == [
        other.pk]
    do_unmark_duplicate(again, acting_user=host)
    assert not PostLink.objects.filter(post=again).exists()
    assert canonical_question(again) == again


def test_only_hosts_mark_and_only_questions_they_can_see(
    member: User, host: User, question: Post, again: Post, private_question: Post,
    outsider: User, answer: Post
) -> None:
    with pytest.raises(NotAllowed):
        do_mark_duplicate(again, question, acting_user=member)
    with pytest.raises(Invalid):
        do_mark_duplicate(again, again, acting_user=host)
    with pytest.raises(Invalid):
        do_mark_duplicate(again, answer, acting_user=host)
    with pytest.raises(Invalid):
        do_mark_duplicate(answer, question, acting_user=host)
    with pytest.raises(NotAllowed):
        do_unmark_duplicate(again, acting_user=outsider)
    assert not PostLink.objects.exists()


def test_a_private_original_the_host_cannot_see_is_not_found(
    space: Space, host: User, member: User, question: Post, other_member: User
) -> None:
    from waggle.spaces.actions import do_create_space

    secret_space = do_create_space("Secret", acting_user=member,
                                   visibility=Space.Visibility.PRIVATE)
    secret = do_ask_question(secret_space, acting_user=member, title="Secret roadmap question")
    with pytest.raises(NotFound):
        do_mark_duplicate(question, secret, acting_user=host)
