"""Every list endpoint runs the same number of SQL queries for 3 items as for 30."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.client import ApiClient
from tests.conftest import make_person
from waggle.api.actions import do_create_access_token, do_revoke_access_token
from waggle.exchange.actions import do_answer_question, do_ask_question, do_comment, do_follow
from waggle.exchange.models import Post
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.actions import do_create_space
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos


class Scene:
    """The people and things each factory adds to; `n` counts how many were made so far."""

    def __init__(
        self, member: User, other: User, host: User, space: Space, question: Post, capture: Any
    ) -> None:
        self.member, self.other, self.host = member, other, host
        self.space, self.question, self.capture = space, question, capture
        self.n = 0


def add_people(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        person = make_person(f"person{scene.n}")
        do_update_profile(person, acting_user=person, skills=[f"skill{scene.n}", "shared"])


def add_spaces(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        do_create_space(f"Space {scene.n}", acting_user=scene.host)


def add_questions(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        do_ask_question(
            scene.space,
            acting_user=scene.member,
            title=f"Question {scene.n} here",
            topics=[f"topic{scene.n}", "shared"],
            anonymous=scene.n % 2 == 0,
        )


def add_answers(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        do_answer_question(scene.question, acting_user=scene.other, body=f"Answer {scene.n}")


def add_comments(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        do_comment(scene.question, acting_user=scene.other, body=f"Comment {scene.n}")


def add_kudos(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        answer = do_answer_question(scene.question, acting_user=scene.other, body="An answer")
        do_give_kudos(acting_user=scene.host, post=answer, message=f"Thanks {scene.n}")


def add_topics(scene: Scene, count: int) -> None:
    add_questions(scene, count)


def add_follows(scene: Scene, count: int) -> None:
    for _ in range(count):
        scene.n += 1
        do_follow(acting_user=scene.member, person=make_person(f"followed{scene.n}"))


def add_notifications(scene: Scene, count: int) -> None:
    with scene.capture(execute=True):
        add_comments(scene, count)


def add_tokens(scene: Scene, count: int) -> None:
    # At most 20 active tokens each: revoke as we go, the list shows revoked ones too.
    for _ in range(count):
        token, _ = do_create_access_token(acting_user=scene.member, name="script")
        do_revoke_access_token(token, acting_user=scene.member)


LISTS: list[tuple[str, Callable[[Scene, int], None]]] = [
    ("/api/people", add_people),
    ("/api/spaces", add_spaces),
    ("/api/posts", add_questions),
    ("/api/posts/{question}/answers", add_answers),
    ("/api/posts/{question}/comments", add_comments),
    ("/api/people/otto/kudos", add_kudos),
    ("/api/topics", add_topics),
    ("/api/follows", add_follows),
    ("/api/notifications", add_notifications),
    ("/api/tokens", add_tokens),
]


def _count(api: ApiClient, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, {"limit": 100})
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["items"])


@pytest.mark.parametrize(("path", "add"), LISTS, ids=[p for p, _ in LISTS])
def test_list_queries_do_not_grow_with_items(
    path: str,
    add: Callable[[Scene, int], None],
    member: User,
    other_member: User,
    host: User,
    space: Space,
    question: Post,
    django_capture_on_commit_callbacks: Any,
) -> None:
    scene = Scene(member, other_member, host, space, question, django_capture_on_commit_callbacks)
    other_member.share_impact = True  # so the member may list Otto's kudos
    other_member.save(update_fields=["share_impact"])
    api = ApiClient(member)
    api.get("/api/me")  # the token's first use records last_used_at: keep it out of the count
    path = path.format(question=question.pk)
    add(scene, 3)
    few, few_items = _count(api, path)
    add(scene, 27)
    many, many_items = _count(api, path)
    assert many_items - few_items >= 27  # the items really are in the list
    assert many == few, f"{path}: {few} queries for {few_items} items, {many} for {many_items}"
    assert few <= 4
