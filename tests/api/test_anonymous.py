"""Anonymous questions never expose the asker, on any endpoint, to anyone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.client import ApiClient, api_for
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.models import Space


@pytest.fixture
def anonymous_question(member_api: ApiClient, space: Space) -> dict[str, Any]:
    response = member_api.post(
        "/api/spaces/data-science/questions",
        {
            "title": "Is it fine that I never learned SQL joins?",
            "body": "Asking for a friend",
            "topics": ["sql"],
            "anonymous": True,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def _names_the_asker(payload: Any) -> bool:
    text = str(payload).lower()
    return "mira" in text


def test_the_asker_is_never_shown(
    anonymous_question: dict[str, Any],
    member: User,
    host: User,
    other_member: User,
    outsider: User,
    admin_user: User,
) -> None:
    assert anonymous_question["author"] is None and anonymous_question["anonymous"] is True
    post_id = anonymous_question["id"]
    for person in (member, host, other_member, outsider, admin_user):
        api = api_for(person)
        detail = api.get(f"/api/posts/{post_id}").json()
        assert detail["author"] is None and detail["anonymous"] is True
        listed = [p for p in api.get("/api/posts").json()["items"] if p["id"] == post_id]
        assert listed and listed[0]["author"] is None
        assert not _names_the_asker(detail) and not _names_the_asker(listed)
        by_topic = api.get("/api/posts", {"topic": "sql"}).json()["items"]
        assert not _names_the_asker(by_topic)
    # Filtering by the asker's name does not find it.
    by_author = api_for(host).get("/api/posts", {"author": "mira"}).json()["items"]
    assert post_id not in [p["id"] for p in by_author]


def test_answers_accepting_and_value_do_not_reveal_the_asker(
    anonymous_question: dict[str, Any],
    member_api: ApiClient,
    other_member: User,
    host: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    post_id = anonymous_question["id"]
    answerer = api_for(other_member)
    with django_capture_on_commit_callbacks(execute=True):
        answer = answerer.post(f"/api/posts/{post_id}/answers", {"body": "Totally fine."}).json()
    # The asker hears about the answer (it is their question) ...
    assert [n["verb"] for n in member_api.get("/api/notifications").json()["items"]] == ["answered"]
    with django_capture_on_commit_callbacks(execute=True):
        accepted = member_api.post(f"/api/posts/{post_id}/accept", {"answer_id": answer["id"]})
    assert accepted.status_code == 200 and accepted.json()["author"] is None
    # ... and the answerer learns the answer was accepted, but not by whom.
    told = answerer.get("/api/notifications").json()["items"]
    assert [n["verb"] for n in told] == ["accepted"]
    assert told[0]["actor"] is None and not _names_the_asker(told)
    # Value reports on it are counted, never attributed; kudos have nobody to go to.
    host_api = api_for(host)
    assert (
        host_api.put(f"/api/posts/{post_id}/value", {"learned_something": True}).status_code == 200
    )
    assert not _names_the_asker(host_api.get(f"/api/posts/{post_id}/value").json())
    kudos = host_api.post("/api/kudos", {"post_id": post_id, "message": "Brave question"})
    assert kudos.status_code == 400


def test_only_the_asker_can_edit_it(
    anonymous_question: dict[str, Any], member_api: ApiClient, host: User
) -> None:
    post_id = anonymous_question["id"]
    assert api_for(host).patch(f"/api/posts/{post_id}", {"body": "Edited"}).status_code == 403
    mine = member_api.patch(f"/api/posts/{post_id}", {"body": "Edited by me"})
    assert mine.status_code == 200 and mine.json()["author"] is None
    assert Post.objects.get(pk=post_id).author_id is None
