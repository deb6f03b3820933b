"""Who may do what through the API: every endpoint against every role.

Roles: no credentials, outsider (in no space), member (of the open and the private space),
host (of all three spaces), administrator (runs Waggle, gets no extra read access) and guest
(sees only the external space they were invited to). What a role may not see answers 404,
never 403, so a private thing's existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.api.client import ApiClient
from waggle.exchange.actions import do_comment
from waggle.exchange.models import Comment, Post
from waggle.people.models import User
from waggle.value.actions import do_report_value

ROLES = ("outsider", "member", "host", "admin", "guest")


@dataclass
class World:
    clients: dict[str, ApiClient]
    names: dict[str, Any]


@pytest.fixture
def world(
    outsider: User,
    member: User,
    host: User,
    admin_user: User,
    guest: User,
    question: Post,
    answer: Post,
    private_question: Post,
    external_question: Post,
) -> World:
    private_comment: Comment = do_comment(private_question, acting_user=host, body="Noted.")
    do_report_value(acting_user=host, post=answer, solved_problem=True)
    people = {
        "outsider": outsider,
        "member": member,
        "host": host,
        "admin": admin_user,
        "guest": guest,
    }
    clients = {role: ApiClient(person) for role, person in people.items()}
    names = {
        "q": question.pk,
        "a": answer.pk,
        "pq": private_question.pk,
        "eq": external_question.pk,
        "pc": private_comment.pk,
        "member_token": clients["member"].token.split("_")[1],
    }
    return World(clients=clients, names=names)


def expect(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


HIDDEN_PRIVATE = {"outsider": 404, "admin": 404, "guest": 404}

# (method, path, body, expected status per role)
CASES: list[tuple[str, str, Any, dict[str, int]]] = [
    # People
    ("GET", "/api/people", None, expect(200)),
    ("GET", "/api/people/mira", None, expect(200, guest=404)),
    ("GET", "/api/people/hana", None, expect(200)),
    ("GET", "/api/me", None, expect(200)),
    ("PATCH", "/api/me", {"title": "Analyst"}, expect(200)),
    ("GET", "/api/people/otto/kudos", None, expect(200, guest=404)),
    # Spaces
    ("GET", "/api/spaces", None, expect(200)),
    ("GET", "/api/spaces/data-science", None, expect(200, guest=404)),
    ("GET", "/api/spaces/mergers", None, expect(200, **HIDDEN_PRIVATE)),
    ("GET", "/api/spaces/partner-portal", None, expect(200)),
    ("POST", "/api/spaces", {"name": "New space"}, expect(201, guest=403)),
    ("POST", "/api/spaces/data-science/join", None, expect(200, guest=404)),
    ("POST", "/api/spaces/mergers/join", None, expect(200, **HIDDEN_PRIVATE)),
    ("POST", "/api/spaces/mergers/leave", None, expect(204, host=400, **HIDDEN_PRIVATE)),
    (
        "POST",
        "/api/spaces/mergers/invitations",
        {"username": "oscar"},
        expect(201, **HIDDEN_PRIVATE),
    ),
    (
        "POST",
        "/api/spaces/partner-portal/invitations",
        {"username": "oscar"},
        expect(403, host=201, guest=404),
    ),
    # Posts
    ("GET", "/api/posts", None, expect(200)),
    ("GET", "/api/posts/{q}", None, expect(200, guest=404)),
    ("GET", "/api/posts/{pq}", None, expect(200, **HIDDEN_PRIVATE)),
    ("GET", "/api/posts/{eq}", None, expect(200)),
    (
        "POST",
        "/api/spaces/data-science/questions",
        {"title": "A new question"},
        expect(201, guest=404),
    ),
    (
        "POST",
        "/api/spaces/mergers/questions",
        {"title": "A new question"},
        expect(201, **HIDDEN_PRIVATE),
    ),
    ("POST", "/api/spaces/partner-portal/updates", {"body": "Progress"}, expect(201)),
    (
        "POST",
        "/api/spaces/mergers/lessons",
        {"title": "What we learned", "tried": "a", "happened": "b", "next_time": "c"},
        expect(201, **HIDDEN_PRIVATE),
    ),
    ("PATCH", "/api/posts/{q}", {"title": "Edited title"}, expect(403, member=200, guest=404)),
    (
        "PATCH",
        "/api/posts/{pq}",
        {"title": "Edited title"},
        expect(403, member=200, **HIDDEN_PRIVATE),
    ),
    ("GET", "/api/posts/{pq}/answers", None, expect(200, **HIDDEN_PRIVATE)),
    ("POST", "/api/posts/{pq}/answers", {"body": "An answer"}, expect(201, **HIDDEN_PRIVATE)),
    (
        "POST",
        "/api/posts/{q}/accept",
        {"answer_id": "{a}"},
        expect(403, member=200, host=200, guest=404),
    ),
    ("GET", "/api/posts/{pq}/comments", None, expect(200, **HIDDEN_PRIVATE)),
    ("POST", "/api/posts/{pq}/comments", {"body": "A comment"}, expect(201, **HIDDEN_PRIVATE)),
    # Value and kudos
    ("GET", "/api/posts/{pq}/value", None, expect(200, **HIDDEN_PRIVATE)),
    ("PUT", "/api/posts/{a}/value", {"learned_something": True}, expect(200, guest=404)),
    (
        "PUT",
        "/api/posts/{pq}/value",
        {"learned_something": True},
        expect(200, member=400, **HIDDEN_PRIVATE),
    ),
    ("DELETE", "/api/posts/{a}/value", None, expect(404, host=204)),
    ("GET", "/api/comments/{pc}/value", None, expect(200, **HIDDEN_PRIVATE)),
    (
        "PUT",
        "/api/comments/{pc}/value",
        {"saved_time": True},
        expect(200, host=400, **HIDDEN_PRIVATE),
    ),
    (
        "POST",
        "/api/kudos",
        {"post_id": "{pq}", "message": "Thanks"},
        expect(201, member=400, **HIDDEN_PRIVATE),
    ),
    (
        "POST",
        "/api/kudos",
        {"comment_id": "{pc}", "message": "Thanks"},
        expect(201, host=400, **HIDDEN_PRIVATE),
    ),
    # Topics and follows
    ("GET", "/api/topics", None, expect(200)),
    ("GET", "/api/topics/postgres", None, expect(200, guest=404)),
    ("GET", "/api/follows", None, expect(200)),
    ("POST", "/api/follows", {"space": "mergers"}, expect(201, **HIDDEN_PRIVATE)),
    ("POST", "/api/follows", {"person": "mira"}, expect(201, member=400, guest=404)),
    ("DELETE", "/api/follows?space=mergers", None, expect(204, **HIDDEN_PRIVATE)),
    # Notifications and tokens
    ("GET", "/api/notifications", None, expect(200)),
    ("POST", "/api/notifications/read", {"ids": None}, expect(200)),
    ("GET", "/api/tokens", None, expect(200)),
    ("POST", "/api/tokens", {"name": "script"}, expect(201)),
    ("DELETE", "/api/tokens/{member_token}", None, expect(404, member=204)),
]


def _fill(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in names:
            return names[value[1:-1]]  # a whole placeholder keeps the id's type (int)
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    CASES,
    ids=[f"{m} {p} {sorted(b) if isinstance(b, dict) else ''}" for m, p, b, _ in CASES],
)
def test_permission_matrix(
    world: World, method: str, path: str, body: Any, expected: dict[str, int]
) -> None:
    got = {}
    for role in ROLES:
        # Each role starts from the same world: its writes are rolled back afterwards.
        with transaction.atomic():
            api = world.clients[role]
            response = api.request(method, _fill(path, world.names), _fill(body, world.names))
            got[role] = response.status_code
            assert response["Content-Type"].startswith("application/json") or not response.content
            transaction.set_rollback(True)
    assert got == expected


def test_every_operation_needs_credentials(db: Any) -> None:
    """Walks the OpenAPI document: without a token or a session every operation is a 401."""
    client = Client()
    schema = client.get("/api/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            url = path.replace("{", "").replace("}", "")  # any value: auth comes first
            response = client.generic(method.upper(), url, "{}", content_type="application/json")
            assert response.status_code == 401, (method, path, response.content)
            assert response.json()["detail"].startswith("Sign in first")
            checked += 1
    assert checked >= 39


# What each role's lists contain ---------------------------------------------------------


def _listed(api: ApiClient, path: str, key: str, **params: Any) -> set[Any]:
    return {item[key] for item in api.get(path, {"limit": 100, **params}).json()["items"]}


def test_lists_show_each_role_only_what_it_may_see(world: World) -> None:
    n = world.names
    posts = {role: _listed(world.clients[role], "/api/posts", "id") for role in ROLES}
    assert posts == {
        "outsider": {n["q"], n["eq"]},
        "member": {n["q"], n["pq"], n["eq"]},
        "host": {n["q"], n["pq"], n["eq"]},
        "admin": {n["q"], n["eq"]},
        "guest": {n["eq"]},
    }
    spaces = {role: _listed(world.clients[role], "/api/spaces", "slug") for role in ROLES}
    assert spaces["admin"] == spaces["outsider"] == {"data-science", "partner-portal"}
    assert spaces["member"] == spaces["host"] == {"data-science", "mergers", "partner-portal"}
    assert spaces["guest"] == {"partner-portal"}
    people = _listed(world.clients["guest"], "/api/people", "username")
    assert people == {"gita", "hana"}
    # A guest sees only topics of posts in their space (the external question has none).
    assert _listed(world.clients["guest"], "/api/topics", "name") == set()
    assert _listed(world.clients["admin"], "/api/posts", "id", kind="answer") == {n["a"]}


def test_filters_cannot_reach_into_hidden_spaces(world: World) -> None:
    for role in ("outsider", "admin", "guest"):
        api = world.clients[role]
        assert api.get("/api/posts", {"space": "mergers"}).json()["items"] == []
        assert api.get("/api/posts", {"topic": "deal"}).json()["items"] == []
    assert world.clients["guest"].get("/api/posts", {"author": "mira"}).json()["items"] == []


def test_session_auth_works_and_unsafe_methods_need_csrf(member: User, space: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.get("/api/me").json()["username"] == "mira"
    refused = browser.post("/api/spaces", {"name": "Via browser"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    secret = "A" * 32
    browser.cookies["csrftoken"] = secret
    accepted = browser.post(
        "/api/spaces",
        {"name": "Via browser"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert accepted.status_code == 201, accepted.content


def test_a_token_needs_no_csrf(member: User) -> None:
    api = ApiClient(member)
    api.client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {api.token}"})
    assert api.post("/api/spaces", {"name": "Via token"}).status_code == 201
