"""Every page runs the same number of SQL queries for 3 items as for 30 (no query per item)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import client_for, make_person
from waggle.api.actions import do_create_access_token, do_revoke_access_token
from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
    do_follow,
    do_post_lesson,
    do_post_update,
)
from waggle.exchange.models import Post, PostLink
from waggle.notify.models import Notification
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.actions import do_create_space, do_invite_to_space
from waggle.spaces.models import Space
from waggle.topics.models import Topic
from waggle.value.actions import do_give_kudos, do_report_value


@dataclass
class Scene:
    """The people and things each factory adds to; `n` counts what was made so far."""

    member: User
    other: User
    host: User
    space: Space
    question: Post
    n: int = 0
    people: list[User] = field(default_factory=list)

    def person(self) -> User:
        self.n += 1
        person = make_person(f"helper{self.n}", display_name=f"Helper {self.n}")
        self.people.append(person)
        return person


def add_feed_posts(scene: Scene, count: int) -> None:
    """Questions (some anonymous, some answered), updates and lessons, each with topics."""
    for _ in range(count):
        scene.n += 1
        kind = scene.n % 3
        if kind == 0:
            post = do_ask_question(scene.space, acting_user=scene.other,
                                   title=f"Question {scene.n} #shared", topics=[f"t{scene.n}"],
                                   anonymous=scene.n % 2 == 0)
            answer = do_answer_question(post, acting_user=scene.host, body="An answer")
            if scene.n % 2:
                do_accept_answer(post, answer, acting_user=scene.host)
        elif kind == 1:
            do_post_update(scene.space, acting_user=scene.other, body=f"Update {scene.n} #shared",
                           topics=[f"t{scene.n}"])
        else:
            do_post_lesson(scene.space, acting_user=scene.other, title=f"Lesson {scene.n}",
                           tried="a", happened="b", next_time="c #shared")


def add_answers(scene: Scene, count: int) -> None:
    """Answers to the scene's question, each with comments, value reports and kudos; the
    viewer (the member) reported value on some and their own comments are among them. Each
    answer comes with a linked question (duplicate either way, or related)."""
    for i in range(count):
        helper = scene.person()
        answer = do_answer_question(scene.question, acting_user=helper, body=f"Answer {i}")
        comment = do_comment(answer, acting_user=scene.other, body=f"Comment {i} @mira")
        do_comment(answer, acting_user=scene.member, body=f"Thanks {i}")
        do_report_value(acting_user=scene.other, post=answer, solved_problem=True,
                        minutes_saved=10)
        do_report_value(acting_user=scene.member, comment=comment, learned_something=True)
        do_give_kudos(acting_user=scene.other, post=answer, message=f"Kudos {i}")
        if i % 2:
            do_report_value(acting_user=scene.member, post=answer, saved_time=True)
        if i == 0:
            do_accept_answer(scene.question, answer, acting_user=scene.member)
        # Links come from imports only (no action makes one), so they are written directly.
        linked = do_ask_question(scene.space, acting_user=helper, title=f"Linked {i}")
        source, target = (linked, scene.question) if i % 2 else (scene.question, linked)
        PostLink.objects.create(post=source, target=target, created_at=timezone.now(),
                                kind=PostLink.Kind.DUPLICATE if i % 3 else PostLink.Kind.RELATED)
    do_comment(scene.question, acting_user=scene.other, body="On the question")


def add_spaces(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        do_create_space(f"Space {scene.n}", acting_user=scene.host)


def add_people(scene: Scene, count: int) -> None:
    for _ in range(count):
        person = scene.person()
        do_update_profile(person, acting_user=person, skills=[f"skill{scene.n}", "shared"])


def add_impact(scene: Scene, count: int) -> None:
    """`count` colleagues each report value on, and thank, one of other_member's answers."""
    for i in range(count):
        helped = scene.person()
        answer = do_answer_question(scene.question, acting_user=scene.other, body=f"Tip {i}")
        do_report_value(acting_user=helped, post=answer, saved_time=True, minutes_saved=5)
        do_give_kudos(acting_user=helped, post=answer, message=f"Thanks {i}")
        do_post_update(scene.space, acting_user=scene.other, body=f"Update {i}")


def add_notifications(scene: Scene, count: int) -> None:
    for i in range(count):
        scene.n += 1
        Notification.objects.create(recipient=scene.member, verb="answered",
                                    actor=scene.other, post=scene.question)
        if i % 3 == 0:
            Notification.objects.create(recipient=scene.member, verb="invited",
                                        actor=scene.host, space=scene.space)


def add_invitations(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        s = do_create_space(f"Invite {scene.n}", acting_user=scene.host, visibility="private")
        do_invite_to_space(s, scene.member, acting_user=scene.host)


def add_tokens(scene: Scene, count: int) -> None:
    """Tokens, most of them revoked (a person may hold only 20 active ones)."""
    for _ in range(count):
        scene.n += 1
        token, _ = do_create_access_token(acting_user=scene.member, name=f"token {scene.n}")
        if scene.n % 3:
            do_revoke_access_token(token, acting_user=scene.member)


def add_follows(scene: Scene, count: int) -> None:
    """Posts in spaces the member does not belong to, reached through follows."""
    for _ in range(count):
        scene.n += 1
        author = scene.person()
        s = do_create_space(f"Followed {scene.n}", acting_user=author)
        do_ask_question(s, acting_user=author, title=f"Followed question {scene.n}")
        do_follow(acting_user=scene.member, person=author)


def add_topic_follows(scene: Scene, count: int) -> None:
    """Posts in the member's space and, elsewhere, on topics the member follows."""
    elsewhere = do_create_space(f"Topics {scene.n}", acting_user=scene.host)
    for _ in range(count):
        scene.n += 1
        do_post_update(scene.space, acting_user=scene.other, body=f"Update {scene.n}")
        do_ask_question(elsewhere, acting_user=scene.host, title=f"On #followed{scene.n}")
        do_follow(acting_user=scene.member, topic=Topic.objects.get(name=f"followed{scene.n}"))


# (name, url, factory, the most queries the page may run)
PAGES: list[tuple[str, str, Callable[[Scene, int], None], int]] = [
    ("home", "/", add_feed_posts, 8),
    ("home via follows", "/", add_follows, 8),
    ("home via topics", "/", add_topic_follows, 8),
    ("everything", "/?feed=all", add_feed_posts, 8),
    ("space", "/spaces/{space}/", add_feed_posts, 13),
    ("topic", "/topics/shared/", add_feed_posts, 10),
    ("question", "/posts/{question}/", add_answers, 13),
    ("spaces", "/spaces/", add_spaces, 7),
    ("topics", "/topics/", add_feed_posts, 6),
    ("people", "/people/", add_people, 8),
    ("people search", "/people/?q=shared", add_people, 8),
    ("profile", "/people/otto/", add_impact, 14),
    ("notifications", "/notifications/", add_notifications, 6),
    ("invitations", "/invitations/", add_invitations, 6),
    ("tokens", "/me/tokens/", add_tokens, 6),
]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("name", "url", "factory", "limit"), PAGES, ids=[p[0] for p in PAGES])
def test_page_queries_do_not_grow_with_items(
    name: str, url: str, factory: Callable[[Scene, int], None], limit: int,
    member: User, other_member: User, host: User, space: Space, question: Post,
    django_assert_max_num_queries: Any,
) -> None:
    scene = Scene(member=member, other=other_member, host=host, space=space, question=question)
    client = client_for(member)
    path = url.format(space=space.slug, question=question.pk)
    factory(scene, 3)
    client.get(path)  # warm up: the session is read and refreshed once
    with django_assert_max_num_queries(limit):
        few = count_queries(client, path)
    factory(scene, 27)
    with django_assert_max_num_queries(limit):
        many = count_queries(client, path)
    print(f"queries {name}: {few} with 3 items, {many} with 30")
    assert few == many, f"{name}: {few} queries for 3 items, {many} for 30"
