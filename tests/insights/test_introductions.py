"""Suggested introductions (the Django side): colleagues in other departments on the same topics
(declared skills, help given, questions asked), never met; read through the asker's gate;
nobody who opted out of analytics; only ever for the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import make_person
from waggle.exchange.actions import do_answer_question, do_ask_question, do_comment, do_follow
from waggle.expertise.index import rebuild_expertise
from waggle.growth.actions import do_request_mentoring, do_set_learning_goal
from waggle.insights.introductions import (
    gets_introductions,
    interacted_with,
    own_topics,
    suggested_introductions_for,
)
from waggle.people.actions import do_create_department, do_update_profile
from waggle.people.models import Department, User
from waggle.spaces.actions import (
    do_create_space,
    do_invite_to_space,
    do_respond_to_invitation,
)
from waggle.spaces.models import Space
from waggle.topics.models import Topic
from waggle.value.actions import do_give_kudos, do_report_value


@dataclass
class World:
    me: User
    sales: Department
    legal: Department
    space: Space


def person(username: str, department: Department | None, *skills: str, **kwargs: Any) -> User:
    someone = make_person(username, display_name=username.title(), department=department,
                          **kwargs)
    if skills:
        do_update_profile(someone, acting_user=someone, skills=list(skills))
    return someone


@pytest.fixture
def world(member: User) -> World:
    """Mira (Engineering) declares #kubernetes and #terraform."""
    do_update_profile(member, acting_user=member, skills=["kubernetes", "terraform"])
    space = do_create_space("Platform", acting_user=make_person("founder"))
    return World(me=member, sales=do_create_department("Sales"),
                 legal=do_create_department("Legal"), space=space)


def suggested(me: User) -> list[tuple[str, list[str]]]:
    return [(s.person.username, [t.name for t in s.shared_topics])
            for s in suggested_introductions_for(me)]


def test_people_in_other_departments_on_the_same_topics_most_shared_first(world: World) -> None:
    person("sam", world.sales, "kubernetes", "terraform")
    # Sue answered a #kubernetes question: evidence of knowing it.
    question = do_ask_question(world.space, acting_user=person("asker", None),
                               title="How do I drain a #kubernetes node?")
    do_answer_question(question, acting_user=person("sue", world.sales), body="kubectl drain")
    # Quinn asked about #terraform in the open.
    do_ask_question(world.space, acting_user=person("quinn", world.legal),
                    title="Where is the #terraform state kept?")
    person("ted", world.sales, "excel")  # another topic
    rebuild_expertise()
    assert suggested(world.me) == [
        ("sam", ["kubernetes", "terraform"]), ("sue", ["kubernetes"]), ("quinn", ["terraform"]),
    ]
    found = suggested_introductions_for(world.me)
    assert found[0].department == world.sales


def test_never_the_same_department_nobody_without_one_nor_guests_nor_opted_out(
    world: World, department: Department
) -> None:
    person("eng", department, "kubernetes")  # Mira's own department
    person("nodept", None, "kubernetes")
    person("gita", world.sales, "kubernetes", is_guest=True)
    shy = person("shy", world.sales, "kubernetes")
    do_update_profile(shy, acting_user=shy, opt_out_analytics=True)
    gone = person("gone", world.sales, "kubernetes")
    gone.is_active = False
    gone.save()
    assert suggested(world.me) == []


def test_never_someone_already_met(world: World, other_member: User, space: Space) -> None:
    me = world.me
    answerer = person("answerer", world.sales, "kubernetes")
    helped = person("helped", world.sales, "kubernetes")
    commenter = person("commenter", world.sales, "kubernetes")
    follower = person("follower", world.sales, "kubernetes")
    followed = person("followed", world.sales, "kubernetes")
    thanked = person("thanked", world.sales, "kubernetes")
    anonymous_helper = person("anonhelper", world.sales, "kubernetes")
    stranger = person("stranger", world.sales, "kubernetes")

    mine = do_ask_question(world.space, acting_user=me, title="Which ingress controller?")
    do_answer_question(mine, acting_user=answerer, body="nginx")
    theirs = do_ask_question(world.space, acting_user=helped, title="Which CNI plugin?")
    do_answer_question(theirs, acting_user=me, body="cilium")
    do_comment(theirs, acting_user=commenter, body="+1")
    do_follow(acting_user=follower, person=me)
    do_follow(acting_user=me, person=followed)
    kind = do_ask_question(world.space, acting_user=person("third", None), title="Helm or not?")
    reply = do_answer_question(kind, acting_user=thanked, body="Helm.")
    do_report_value(acting_user=me, post=reply, learned_something=True)
    secret = do_ask_question(world.space, acting_user=me, title="Is my cluster too big?",
                             anonymous=True)
    do_answer_question(secret, acting_user=anonymous_helper, body="No.")

    met = interacted_with(me)
    assert {answerer.pk, helped.pk, commenter.pk, follower.pk, followed.pk, thanked.pk,
            anonymous_helper.pk} <= met
    assert stranger.pk not in met and me.pk not in met
    assert suggested(me) == [("stranger", ["kubernetes"])]


def test_kudos_and_mentoring_count_as_met(world: World) -> None:
    me = world.me
    giver = person("giver", world.sales, "kubernetes")
    mentor = person("mentor", world.sales, "kubernetes")
    post = do_ask_question(world.space, acting_user=me, title="Rolling updates in #kubernetes?")
    do_give_kudos(acting_user=giver, post=post, message="Great question")
    do_update_profile(mentor, acting_user=mentor, open_to_mentoring=True)
    goal = do_set_learning_goal(acting_user=me, topic="kubernetes",
                                sentence="Run production clusters on my own")
    do_request_mentoring(goal, mentor, acting_user=me, message="Could you help?")
    assert {giver.pk, mentor.pk} <= interacted_with(me)
    assert suggested(me) == []


def test_a_private_space_s_topics_make_no_one_a_suggestion(world: World) -> None:
    insider = person("insider", world.legal)
    vault = do_create_space("Vault", acting_user=insider, visibility=Space.Visibility.PRIVATE)
    helper, colleague = person("helper", world.sales), person("colleague", world.legal)
    for someone in (helper, colleague):
        invitation = do_invite_to_space(vault, someone, acting_user=insider)
        do_respond_to_invitation(invitation, accept=True, acting_user=someone)
    question = do_ask_question(vault, acting_user=insider, title="#kubernetes for the deal?")
    do_answer_question(question, acting_user=helper, body="Yes.")
    rebuild_expertise()
    # Mira cannot see the space: the helper's #kubernetes evidence there counts for nothing.
    assert suggested(world.me) == []
    # A colleague inside it sees the same evidence, so it does count for them.
    do_update_profile(colleague, acting_user=colleague, skills=["kubernetes"])
    assert {name for name, _ in suggested(colleague)} == {"helper", "mira"}


def test_own_topics_come_from_skills_help_and_questions(world: World) -> None:
    me = world.me
    do_ask_question(world.space, acting_user=me, title="Is #postgres fast enough?")
    question = do_ask_question(world.space, acting_user=person("asker", None),
                               title="#helm charts?")
    do_answer_question(question, acting_user=me, body="Use one chart per service.")
    rebuild_expertise()
    names = set(Topic.objects.filter(id__in=own_topics(me)).values_list("name", flat=True))
    assert names == {"kubernetes", "terraform", "postgres", "helm"}


def test_who_opted_out_gets_no_suggestions(world: World) -> None:
    person("sam", world.sales, "kubernetes")
    assert suggested(world.me) == [("sam", ["kubernetes"])]
    do_update_profile(world.me, acting_user=world.me, opt_out_analytics=True)
    assert not gets_introductions(world.me)
    assert suggested_introductions_for(world.me) == []


def test_guests_get_no_suggestions(world: World, guest: User) -> None:
    person("sam", world.sales, "kubernetes")
    do_update_profile(guest, acting_user=guest, skills=["kubernetes"])
    assert suggested_introductions_for(guest) == []
