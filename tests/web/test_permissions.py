"""The permission matrix of the pages: who may open what, and what stays hidden (404).

Roles: an anonymous visitor, an outsider (signed in, in no space), a member, a host, an
administrator (who gets no extra read access to private spaces) and a guest (who sees only
the external space they were invited into).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.conftest import client_for
from waggle.exchange.actions import do_comment
from waggle.exchange.models import Comment, Post
from waggle.people.models import User
from waggle.spaces.models import Space

ROLES = ("anonymous", "outsider", "member", "host", "admin", "guest")


@dataclass
class World:
    users: dict[str, User | None]
    space: Space
    private_space: Space
    external_space: Space
    question: Post
    answer: Post
    private_question: Post
    private_comment: Comment
    external_question: Post


@pytest.fixture
def world(
    outsider: User, member: User, host: User, admin_user: User, guest: User, space: Space,
    private_space: Space, external_space: Space, question: Post, answer: Post,
    private_question: Post, external_question: Post,
) -> World:
    private_comment = do_comment(private_question, acting_user=host, body="Keep it #quiet")
    return World(
        users={"anonymous": None, "outsider": outsider, "member": member, "host": host,
               "admin": admin_user, "guest": guest},
        space=space, private_space=private_space, external_space=external_space,
        question=question, answer=answer, private_question=private_question,
        private_comment=private_comment, external_question=external_question,
    )


# Each row: a page, then the status each role gets, in ROLES order (anonymous first).
# 302 for the anonymous visitor is the redirect to the login page.
OK_FOR_ALL = (302, 200, 200, 200, 200, 200)
NOT_GUEST = (302, 200, 200, 200, 200, 404)
MEMBERS_ONLY = (302, 404, 200, 200, 404, 404)

PAGES: list[tuple[str, tuple[int, ...]]] = [
    ("/", OK_FOR_ALL),
    ("/?feed=all", OK_FOR_ALL),
    ("/spaces/", OK_FOR_ALL),
    ("/spaces/new/", OK_FOR_ALL),
    ("/ask/", OK_FOR_ALL),
    ("/invitations/", OK_FOR_ALL),
    ("/topics/", OK_FOR_ALL),
    ("/people/", OK_FOR_ALL),
    ("/me/", OK_FOR_ALL),
    ("/me/tokens/", OK_FOR_ALL),
    ("/notifications/", OK_FOR_ALL),
    ("/spaces/{space}/", NOT_GUEST),
    ("/spaces/{space}/ask/", NOT_GUEST),
    ("/spaces/{space}/update/", NOT_GUEST),
    ("/spaces/{space}/lesson/", NOT_GUEST),
    ("/spaces/{space}/invite/", NOT_GUEST),
    ("/posts/{question}/", NOT_GUEST),
    ("/spaces/{private}/", MEMBERS_ONLY),
    ("/spaces/{private}/ask/", MEMBERS_ONLY),
    ("/spaces/{private}/invite/", MEMBERS_ONLY),
    ("/posts/{private_question}/", MEMBERS_ONLY),
    ("/spaces/{external}/", OK_FOR_ALL),
    ("/spaces/{external}/ask/", OK_FOR_ALL),
    ("/posts/{external_question}/", OK_FOR_ALL),
    # The author edits; others who can see the post are refused (403); the rest never see it.
    ("/posts/{question}/edit/", (302, 403, 200, 403, 403, 404)),
    ("/posts/{private_question}/edit/", (302, 404, 200, 403, 404, 404)),
    ("/posts/{external_question}/edit/", (302, 403, 403, 403, 403, 200)),
    # Topics: a topic's name can itself be confidential; #deal is only on the private question.
    ("/topics/postgres/", NOT_GUEST),
    ("/topics/deal/", MEMBERS_ONLY),
    # People: guests only see people who share a space with them (the host, themselves).
    ("/people/mira/", NOT_GUEST),
    ("/people/hana/", OK_FOR_ALL),
    ("/people/gita/", OK_FOR_ALL),
]


def fill(url: str, world: World) -> str:
    return url.format(
        space=world.space.slug, private=world.private_space.slug,
        external=world.external_space.slug, question=world.question.pk,
        private_question=world.private_question.pk,
        external_question=world.external_question.pk,
    )


def client_of(world: World, role: str) -> Client:
    return client_for(world.users[role]) if world.users[role] is not None else Client()


@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_page_permissions(world: World, url: str, expected: tuple[int, ...]) -> None:
    path = fill(url, world)
    got = tuple(client_of(world, role).get(path).status_code for role in ROLES)
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))


def test_what_stays_hidden_never_appears_in_lists(world: World) -> None:
    """Beyond 404s: no list, feed or topic page leaks a private title or a private comment."""
    secret_bits = ("Which firm are we acquiring?", "Mergers", "Keep it", "Confidential")
    for role in ("outsider", "admin", "guest"):
        client = client_of(world, role)
        for url in ("/", "/?feed=all", "/spaces/", "/topics/", "/topics/deal/",
                    "/topics/quiet/", "/people/hana/", "/people/mira/", "/notifications/",
                    "/ask/"):
            response = client.get(url)
            html = response.content.decode()
            for bit in secret_bits:
                assert bit not in html, (role, url, bit)
    guest_html = client_of(world, "guest").get("/?feed=all").content.decode()
    assert "How do I use your export API?" in guest_html
    assert "How do we tune #postgres queries?" not in guest_html
    guest_people = client_of(world, "guest").get("/people/").content.decode()
    assert "Hana Host" in guest_people and "Mira Member" not in guest_people


# Writes on hidden things answer 404 and change nothing.
HIDDEN_WRITES = [
    ("/posts/{private_question}/answer/", {"body": "I know!"}),
    ("/posts/{private_question}/comment/", {"body": "Me too"}),
    ("/posts/{private_question}/value/", {"kinds": ["solved_problem"]}),
    ("/posts/{private_question}/kudos/", {"message": "Thanks"}),
    ("/comments/{private_comment}/value/", {"kinds": ["learned_something"]}),
    ("/comments/{private_comment}/kudos/", {"message": "Thanks"}),
    ("/posts/{private_question}/edit/", {"title": "Taken over", "body": ""}),
    ("/spaces/{private}/join/", {}),
    ("/spaces/{private}/leave/", {}),
    ("/spaces/{private}/invite/", {"username": "oscar"}),
    ("/spaces/{private}/follow/", {}),
    ("/spaces/{private}/ask/", {"title": "Let me in please"}),
    ("/spaces/{private}/update/", {"body": "Hello"}),
    ("/spaces/{private}/lesson/", {"title": "A lesson", "tried": "a", "happened": "b",
                                   "next_time": "c"}),
]


@pytest.mark.parametrize("role", ["outsider", "admin", "guest"])
@pytest.mark.parametrize(("url", "data"), HIDDEN_WRITES, ids=[u for u, _ in HIDDEN_WRITES])
def test_writes_on_hidden_things_answer_404(
    world: World, role: str, url: str, data: dict[str, Any]
) -> None:
    from waggle.core.models import AuditEntry

    before = AuditEntry.objects.count()
    path = url.format(private_question=world.private_question.pk,
                      private_comment=world.private_comment.pk,
                      private=world.private_space.slug)
    assert client_of(world, role).post(path, data).status_code == 404
    assert AuditEntry.objects.count() == before  # nothing was written


def test_guest_cannot_reach_the_open_space_by_writing(world: World) -> None:
    guest = client_of(world, "guest")
    for path in (f"/posts/{world.question.pk}/answer/", f"/spaces/{world.space.slug}/join/",
                 f"/posts/{world.answer.pk}/value/"):
        assert guest.post(path, {"body": "x", "kinds": ["solved_problem"]}).status_code == 404


def test_admin_has_no_way_into_a_private_space(world: World) -> None:
    admin = client_of(world, "admin")
    assert admin.get(f"/spaces/{world.private_space.slug}/").status_code == 404
    assert admin.post(f"/spaces/{world.private_space.slug}/join/").status_code == 404
    assert "Mergers" not in admin.get("/spaces/").content.decode()
