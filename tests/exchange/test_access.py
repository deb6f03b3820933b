"""The post and comment gate: built on the space gate, NotFound for hidden and garbage ids."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from waggle.core.errors import NotFound
from waggle.exchange.access import (
    access_comment,
    access_post,
    can_accept_answer,
    can_edit_post,
    visible_comments,
    visible_posts,
)
from waggle.exchange.actions import do_answer_question, do_comment
from waggle.exchange.models import Comment, Post
from waggle.people.models import User
from waggle.spaces.actions import do_leave_space
from waggle.spaces.models import Space

EXPECTED = {
    "anonymous": set(),
    "outsider": {"open", "external"},
    "member": {"open", "private", "external"},
    "host": {"open", "private", "external"},
    "admin": {"open", "external"},
    "guest": {"external"},
}
GARBAGE_IDS: list[Any] = ["abc", -1, "-1", 0, 2**70, str(2**70), "", None, "1.5", [1]]


@pytest.fixture
def threads(
    question: Post, private_question: Post, external_question: Post, host: User
) -> dict[str, tuple[Post, Post, Comment]]:
    """Per space: a question, an answer by the host, and a comment on the answer."""
    result = {}
    for key, q in (("open", question), ("private", private_question),
                   ("external", external_question)):
        a = do_answer_question(q, acting_user=host, body=f"Answer in {key}")
        c = do_comment(a, acting_user=host, body=f"Comment in {key}")
        result[key] = (q, a, c)
    return result


@pytest.fixture
def viewers(
    outsider: User, member: User, host: User, admin_user: User, guest: User
) -> dict[str, Any]:
    return {
        "anonymous": AnonymousUser(), "outsider": outsider, "member": member, "host": host,
        "admin": admin_user, "guest": guest,
    }


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_posts_and_comments_follow_their_space(
    threads: dict[str, tuple[Post, Post, Comment]], viewers: dict[str, Any], viewer: str
) -> None:
    user = viewers[viewer]
    allowed = EXPECTED[viewer]
    want_posts = {p.pk for k, (q, a, _) in threads.items() if k in allowed for p in (q, a)}
    want_comments = {c.pk for k, (_, _, c) in threads.items() if k in allowed}
    assert set(visible_posts(user).values_list("pk", flat=True)) == want_posts
    assert set(visible_comments(user).values_list("pk", flat=True)) == want_comments
    for key, (q, a, c) in threads.items():
        if key in allowed:
            assert access_post(user, q.pk) == q
            assert access_post(user, str(a.pk)) == a
            assert access_comment(user, c.pk) == c
        else:
            for post in (q, a):
                with pytest.raises(NotFound):
                    access_post(user, post.pk)
            with pytest.raises(NotFound):
                access_comment(user, c.pk)


@pytest.mark.parametrize("garbage", GARBAGE_IDS)
def test_garbage_ids_are_not_found(
    threads: dict[str, tuple[Post, Post, Comment]], member: User, garbage: Any
) -> None:
    with pytest.raises(NotFound):
        access_post(member, garbage)
    with pytest.raises(NotFound):
        access_comment(member, garbage)


def test_access_by_kind(question: Post, answer: Post, member: User) -> None:
    assert access_post(member, question.pk, kind=Post.Kind.QUESTION) == question
    with pytest.raises(NotFound):
        access_post(member, answer.pk, kind=Post.Kind.QUESTION)


def test_leaving_a_private_space_hides_its_posts_at_once(
    threads: dict[str, tuple[Post, Post, Comment]], member: User
) -> None:
    q, a, c = threads["private"]
    assert access_post(member, q.pk) == q
    do_leave_space(q.space, acting_user=member)
    for post in (q, a):
        with pytest.raises(NotFound):
            access_post(member, post.pk)
    with pytest.raises(NotFound):
        access_comment(member, c.pk)
    assert not visible_posts(member).filter(space=q.space).exists()
    # Their own question too: sight follows membership, not authorship.
    assert q.author == member


def test_an_inactive_person_sees_no_post(
    threads: dict[str, tuple[Post, Post, Comment]], member: User
) -> None:
    member.is_active = False
    member.save()
    assert not visible_posts(member).exists()
    assert not visible_comments(member).exists()
    with pytest.raises(NotFound):
        access_post(member, threads["open"][0].pk)


def test_who_may_accept_and_edit(
    question: Post, answer: Post, member: User, host: User, other_member: User,
    outsider: User,
) -> None:
    # The asker and the hosts choose the accepted answer; only authors edit.
    assert can_accept_answer(member, question)
    assert can_accept_answer(host, question)
    assert not can_accept_answer(other_member, question)
    assert not can_accept_answer(outsider, question)
    assert not can_accept_answer(AnonymousUser(), question)
    assert can_edit_post(member, question)
    assert not can_edit_post(host, question)
    assert can_edit_post(other_member, answer)
    assert not can_edit_post(member, answer)
    assert not can_edit_post(AnonymousUser(), question)


def test_a_post_in_a_space_visible_to_everyone_is_still_hidden_from_guests(
    space: Space, question: Post, guest: User
) -> None:
    with pytest.raises(NotFound):
        access_post(guest, question.pk)
    assert not visible_posts(guest).filter(space=space).exists()
