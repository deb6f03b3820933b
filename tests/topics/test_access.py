"""The topic gate: a topic is visible where something visible carries it; a topic used only
in a private space stays hidden from people outside it (its name can be the secret)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from waggle.core.errors import NotFound
from waggle.exchange.actions import do_ask_question
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.topics.access import access_topic, visible_topics
from waggle.topics.actions import ensure_topics


@pytest.fixture
def topics(question: Post, private_question: Post, external_question: Post, guest: User) -> set:
    # question: #postgres (open); private_question: #deal (private); an external one below.
    do_ask_question(external_question.space, acting_user=guest, title="Webhooks #api-access")
    ensure_topics(["unused-topic"])
    return {"postgres", "deal", "api-access", "unused-topic"}


@pytest.mark.parametrize("viewer", ["member", "host"])
def test_members_of_the_private_space_see_its_topics(
    topics: set, viewer: str, request: Any
) -> None:
    user = request.getfixturevalue(viewer)
    # "unused-topic" is on no post, declared by nobody, followed by nobody: nothing to show.
    assert set(visible_topics(user).values_list("name", flat=True)) == topics - {"unused-topic"}
    assert access_topic(user, "#Deal").name == "deal"


@pytest.mark.parametrize("viewer", ["outsider", "admin_user"])
def test_a_topic_used_only_in_a_private_space_is_hidden_outside_it(
    topics: set, viewer: str, request: Any
) -> None:
    user = request.getfixturevalue(viewer)
    assert set(visible_topics(user).values_list("name", flat=True)) == {"postgres", "api-access"}
    with pytest.raises(NotFound):
        access_topic(user, "deal")


def test_declared_skills_and_followed_topics_are_visible(
    topics: set, outsider: User, member: User
) -> None:
    from waggle.exchange.actions import do_follow
    from waggle.people.actions import do_update_profile
    from waggle.topics.models import Topic

    do_update_profile(member, acting_user=member, skills=["kubernetes"])
    do_follow(acting_user=outsider, topic=Topic.objects.get(name="unused-topic"))
    names = set(visible_topics(outsider).values_list("name", flat=True))
    assert {"kubernetes", "unused-topic"} <= names
    assert "deal" not in names


def test_a_guest_sees_only_topics_of_posts_they_can_see(topics: set, guest: User) -> None:
    assert list(visible_topics(guest).values_list("name", flat=True)) == ["api-access"]
    assert access_topic(guest, "API Access").name == "api-access"
    for hidden in ("postgres", "deal", "unused-topic"):
        with pytest.raises(NotFound):
            access_topic(guest, hidden)


@pytest.mark.parametrize("viewer", [None, AnonymousUser()])
def test_a_visitor_who_is_not_signed_in_sees_no_topic(topics: set, viewer: Any) -> None:
    assert not visible_topics(viewer).exists()
    with pytest.raises(NotFound):
        access_topic(viewer, "postgres")


def test_an_inactive_person_sees_no_topic(topics: set, member: User) -> None:
    member.is_active = False
    member.save()
    assert not visible_topics(member).exists()


@pytest.mark.parametrize("garbage", ["", "#", "nope", "-1", -1, 2**70, None, "x" * 300])
def test_unknown_topics_are_not_found(topics: set, member: User, garbage: Any) -> None:
    with pytest.raises(NotFound):
        access_topic(member, garbage)
