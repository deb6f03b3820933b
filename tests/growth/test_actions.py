"""Learning goals and mentoring: private goals, mentors suggested from evidence among people
open to mentoring, requests sent, accepted, declined and withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import make_person
from waggle.core.errors import Invalid, NotAllowed, NotFound
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.expertise.index import rebuild_expertise
from waggle.growth.access import (
    access_goal,
    access_mentoring_request,
    suggested_mentors,
    visible_goals,
)
from waggle.growth.actions import (
    do_reach_learning_goal,
    do_request_mentoring,
    do_respond_to_mentoring,
    do_set_learning_goal,
    do_withdraw_mentoring_request,
)
from waggle.notify.models import Notification
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Space

Capture = Callable[..., Any]


@pytest.fixture
def mentors(space: Space, host: User, other_member: User) -> dict[str, User]:
    """Otto and Hana both answered #rust questions; only Otto is open to mentoring."""
    for n in range(2):
        q = do_ask_question(space, acting_user=host, title=f"#rust lifetimes question {n}")
        do_answer_question(q, acting_user=other_member, body="Borrow checker says no.")
    q = do_ask_question(space, acting_user=other_member, title="#rust async runtimes?")
    do_answer_question(q, acting_user=host, body="tokio")
    do_update_profile(other_member, acting_user=other_member, open_to_mentoring=True)
    rebuild_expertise()
    return {"otto": other_member, "hana": host}


def test_a_goal_is_private_to_its_owner(member: User, outsider: User) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="#Rust", sentence="Write a CLI in Rust")
    assert goal.topic.name == "rust"
    assert list(visible_goals(member)) == [goal]
    assert list(visible_goals(outsider)) == []
    with pytest.raises(NotFound):
        access_goal(outsider, goal.pk)


@pytest.mark.parametrize(("topic", "sentence", "field"), [
    ("", "Write a CLI in Rust", "topic"), ("rust", "CLI", "sentence"),
    ("rust", "x" * 301, "sentence"),
])
def test_a_goal_needs_a_topic_and_a_sentence(member: User, topic: str, sentence: str,
                                             field: str) -> None:
    with pytest.raises(Invalid) as error:
        do_set_learning_goal(acting_user=member, topic=topic, sentence=sentence)
    assert error.value.field == field


def test_mentors_are_people_open_to_mentoring_who_know_the_topic(
    mentors: dict[str, User], member: User
) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand lifetimes")
    found = suggested_mentors(member, goal)
    assert [s.person.username for s in found] == ["otto"]
    assert found[0].evidence  # with the answers that show it


def test_nobody_is_suggested_as_their_own_mentor(mentors: dict[str, User]) -> None:
    otto = mentors["otto"]
    goal = do_set_learning_goal(acting_user=otto, topic="rust", sentence="Learn unsafe Rust")
    assert suggested_mentors(otto, goal) == []


def test_request_accept_and_notifications(
    mentors: dict[str, User], member: User, outsider: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    otto = mentors["otto"]
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand lifetimes")
    with django_capture_on_commit_callbacks(execute=True):
        request = do_request_mentoring(goal, otto, acting_user=member, message="30 min a week?")
    assert Notification.objects.filter(recipient=otto, verb="mentoring").count() == 1
    assert access_mentoring_request(otto, request.pk) == request
    with pytest.raises(NotFound):
        access_mentoring_request(outsider, request.pk)
    with pytest.raises(Invalid):  # the same request twice
        do_request_mentoring(goal, otto, acting_user=member)
    with pytest.raises(NotAllowed):  # only the mentor answers
        do_respond_to_mentoring(request, accept=True, acting_user=member)
    with django_capture_on_commit_callbacks(execute=True):
        do_respond_to_mentoring(request, accept=True, acting_user=otto)
    request.refresh_from_db()
    assert request.state == "accepted"
    assert Notification.objects.filter(recipient=member, verb="mentor_yes").count() == 1
    with pytest.raises(Invalid):
        do_respond_to_mentoring(request, accept=False, acting_user=otto)


def test_only_people_open_to_mentoring_can_be_asked(
    mentors: dict[str, User], member: User
) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand lifetimes")
    with pytest.raises(Invalid):
        do_request_mentoring(goal, mentors["hana"], acting_user=member)
    with pytest.raises(Invalid):
        do_request_mentoring(goal, member, acting_user=member)


def test_someone_elses_goal_cannot_be_used(mentors: dict[str, User], member: User) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand lifetimes")
    stranger = make_person("sam")
    with pytest.raises(NotAllowed):
        do_request_mentoring(goal, mentors["otto"], acting_user=stranger)


def test_withdraw_and_reach(mentors: dict[str, User], member: User) -> None:
    otto = mentors["otto"]
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand lifetimes")
    request = do_request_mentoring(goal, otto, acting_user=member)
    do_withdraw_mentoring_request(request, acting_user=member)
    assert request.state == "withdrawn"
    again = do_request_mentoring(goal, otto, acting_user=member)  # a new request is possible
    do_reach_learning_goal(goal, acting_user=member)
    again.refresh_from_db()
    assert goal.reached_at is not None and again.state == "withdrawn"
    with pytest.raises(Invalid):
        do_request_mentoring(goal, otto, acting_user=member)
