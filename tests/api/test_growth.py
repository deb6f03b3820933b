"""Learning goals, suggested mentors and mentoring requests, through the API.

Otto answered #rust questions in the open space and is open to mentoring; Hana answered one in
the private space and is open to mentoring too; Mira (a member) wants to learn Rust.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.api.client import ApiClient
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.exchange.models import Post
from waggle.growth.models import MentoringRequest
from waggle.notify.models import Notification
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Space

Capture = Callable[..., Any]


@pytest.fixture
def mentors(
    space: Space, private_space: Space, host: User, member: User, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> dict[str, Post]:
    with django_capture_on_commit_callbacks(execute=True):
        question = do_ask_question(space, acting_user=host, title="#rust lifetimes in structs?")
        answer = do_answer_question(question, acting_user=other_member,
                                    body="Give the struct a lifetime parameter.")
        secret = do_ask_question(private_space, acting_user=member,
                                 title="Rewrite the #rust pricing engine for the #deal?")
        secret_answer = do_answer_question(secret, acting_user=host,
                                           body="Yes, rust lifetimes make it safe.")
    do_update_profile(other_member, acting_user=other_member, open_to_mentoring=True)
    do_update_profile(host, acting_user=host, open_to_mentoring=True)
    return {"answer": answer, "secret_answer": secret_answer}


def _set_goal(api: ApiClient, topic: str = "rust", sentence: str = "Understand lifetimes") -> Any:
    response = api.post("/api/me/goals", {"topic": topic, "sentence": sentence})
    assert response.status_code == 201, response.content
    return response.json()


# Goals -----------------------------------------------------------------------------------------


def test_set_list_and_reach_a_goal(member_api: ApiClient) -> None:
    goal = _set_goal(member_api, topic="#Rust", sentence="  Understand   lifetimes  ")
    assert goal["topic"] == "rust" and goal["sentence"] == "Understand lifetimes"
    assert goal["reached_at"] is None
    other = _set_goal(member_api, topic="sql", sentence="Write window functions")
    page = member_api.get("/api/me/goals").json()
    assert [g["id"] for g in page["items"]] == [other["id"], goal["id"]]
    assert page["next_cursor"] is None

    reached = member_api.post(f"/api/me/goals/{goal['id']}/reached")
    assert reached.status_code == 200 and reached.json()["reached_at"] is not None
    open_ids = [g["id"] for g in member_api.get("/api/me/goals", {"reached": "false"})
                .json()["items"]]
    assert open_ids == [other["id"]]
    done = member_api.get("/api/me/goals", {"reached": "true"}).json()["items"]
    assert [g["id"] for g in done] == [goal["id"]]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"topic": "rust", "sentence": ""}, "sentence", "sentence"),
        ({"topic": "rust", "sentence": "   "}, "sentence", "sentence"),
        ({"topic": "rust", "sentence": "x" * 301}, "sentence", "at most 300"),
        ({"topic": "", "sentence": "Understand lifetimes"}, "topic", "topic"),
        ({"topic": "###", "sentence": "Understand lifetimes"}, "topic", "topic"),
    ],
)
def test_a_goal_needs_a_topic_and_a_sentence(
    member_api: ApiClient, body: dict[str, str], field: str, words: str
) -> None:
    response = member_api.post("/api/me/goals", body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and words in response.json()["detail"].lower()
    assert member_api.get("/api/me/goals").json()["items"] == []


def test_goals_are_private_to_their_owner(
    member_api: ApiClient, outsider_api: ApiClient, other_member: User
) -> None:
    goal = _set_goal(member_api)
    assert outsider_api.get("/api/me/goals").json()["items"] == []
    assert outsider_api.post(f"/api/me/goals/{goal['id']}/reached").status_code == 404
    assert outsider_api.get(f"/api/me/goals/{goal['id']}/mentors").status_code == 404
    response = outsider_api.post("/api/mentoring-requests",
                                 {"goal_id": goal["id"], "mentor": "otto"})
    assert response.status_code == 404
    anonymous = Client()
    assert anonymous.get("/api/me/goals").status_code == 401
    assert anonymous.post("/api/me/goals", {"topic": "rust", "sentence": "Learn it"},
                          content_type="application/json").status_code == 401
    assert member_api.get("/api/me/goals").json()["items"][0]["reached_at"] is None


# Suggested mentors -----------------------------------------------------------------------------


def test_suggested_mentors_are_open_to_mentoring_and_know_the_topic(
    mentors: dict[str, Post], member_api: ApiClient, other_member: User
) -> None:
    goal = _set_goal(member_api)
    found = member_api.get(f"/api/me/goals/{goal['id']}/mentors").json()
    assert {s["person"]["username"] for s in found} == {"otto", "hana"}
    otto = next(s for s in found if s["person"]["username"] == "otto")
    assert otto["evidence"][0]["post_id"] == mentors["answer"].pk

    do_update_profile(other_member, acting_user=other_member, open_to_mentoring=False)
    found = member_api.get(f"/api/me/goals/{goal['id']}/mentors").json()
    assert [s["person"]["username"] for s in found] == ["hana"]


def test_suggested_mentors_never_rest_on_private_evidence_for_an_outsider(
    mentors: dict[str, Post], outsider_api: ApiClient
) -> None:
    goal = _set_goal(outsider_api, sentence="Rust lifetimes for a pricing engine")
    found = outsider_api.get(f"/api/me/goals/{goal['id']}/mentors").json()
    assert [s["person"]["username"] for s in found] == ["otto"]
    shown = {e["post_id"] for s in found for e in s["evidence"]}
    assert shown == {mentors["answer"].pk}
    assert "deal" not in str(found) and "pricing" not in str(found)


# Mentoring requests ----------------------------------------------------------------------------


def _request(api: ApiClient, goal_id: int, mentor: str = "otto", **extra: Any) -> Any:
    return api.post("/api/mentoring-requests", {"goal_id": goal_id, "mentor": mentor, **extra})


def test_request_and_accept_mentoring(
    mentors: dict[str, Post], member_api: ApiClient, other_member: User, member: User,
    outsider_api: ApiClient, django_capture_on_commit_callbacks: Capture,
) -> None:
    goal = _set_goal(member_api)
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(member_api, goal["id"], message="30 minutes a week?")
    assert response.status_code == 201, response.content
    sent = response.json()
    assert sent["direction"] == "sent" and sent["state"] == "requested"
    assert sent["mentor"]["username"] == "otto" and sent["mentee"]["username"] == "mira"
    assert sent["goal"] == {"topic": "rust", "sentence": "Understand lifetimes"}
    assert Notification.objects.filter(recipient=other_member, verb="mentoring").count() == 1

    otto_api = ApiClient(other_member)
    [received] = otto_api.get("/api/me/mentoring-requests").json()["items"]
    assert received["id"] == sent["id"] and received["direction"] == "received"
    assert received["message"] == "30 minutes a week?"
    # The mentor sees the goal inside the request, not the goal itself.
    assert otto_api.post(f"/api/me/goals/{goal['id']}/reached").status_code == 404

    path = f"/api/mentoring-requests/{sent['id']}"
    assert member_api.post(f"{path}/accept").status_code == 403  # only the mentor answers
    assert otto_api.post(f"{path}/withdraw").status_code == 403  # only the mentee withdraws
    assert outsider_api.post(f"{path}/accept").status_code == 404
    assert outsider_api.get("/api/me/mentoring-requests").json()["items"] == []

    with django_capture_on_commit_callbacks(execute=True):
        accepted = otto_api.post(f"{path}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert accepted.json()["responded_at"] is not None
    assert Notification.objects.filter(recipient=member, verb="mentor_yes").count() == 1
    again = otto_api.post(f"{path}/decline")
    assert again.status_code == 400 and "accepted already" in again.json()["detail"]


def test_decline_withdraw_and_the_direction_filter(
    mentors: dict[str, Post], member_api: ApiClient, other_member: User, host: User
) -> None:
    goal = _set_goal(member_api)
    to_otto = _request(member_api, goal["id"]).json()
    to_hana = _request(member_api, goal["id"], mentor="hana").json()
    otto_api, hana_api = ApiClient(other_member), ApiClient(host)

    declined = otto_api.post(f"/api/mentoring-requests/{to_otto['id']}/decline")
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    withdrawn = member_api.post(f"/api/mentoring-requests/{to_hana['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert hana_api.post(f"/api/mentoring-requests/{to_hana['id']}/accept").status_code == 400

    def listed(api: ApiClient, **params: str) -> list[int]:
        return [r["id"] for r in api.get("/api/me/mentoring-requests", params).json()["items"]]

    assert listed(member_api) == [to_hana["id"], to_otto["id"]]
    assert listed(member_api, direction="sent") == [to_hana["id"], to_otto["id"]]
    assert listed(member_api, direction="received") == []
    assert listed(hana_api, direction="received") == [to_hana["id"]]
    assert member_api.get("/api/me/mentoring-requests",
                          {"direction": "both"}).status_code == 422


def test_reaching_a_goal_withdraws_its_open_requests(
    mentors: dict[str, Post], member_api: ApiClient
) -> None:
    goal = _set_goal(member_api)
    request = _request(member_api, goal["id"]).json()
    member_api.post(f"/api/me/goals/{goal['id']}/reached")
    assert MentoringRequest.objects.get(pk=request["id"]).state == "withdrawn"
    response = _request(member_api, goal["id"], mentor="hana")
    assert response.status_code == 400 and "reached" in response.json()["detail"]


def test_bad_mentoring_requests_are_a_400_with_the_reason(
    mentors: dict[str, Post], member_api: ApiClient, outsider: User
) -> None:
    goal = _set_goal(member_api)
    not_open = _request(member_api, goal["id"], mentor="oscar")
    assert not_open.status_code == 400
    assert not_open.json() == {"detail": "Oscar Outsider is not open to mentoring.",
                               "field": "mentor"}
    myself = _request(member_api, goal["id"], mentor="mira")
    assert myself.status_code == 400 and myself.json()["field"] == "mentor"
    assert _request(member_api, goal["id"]).status_code == 201
    twice = _request(member_api, goal["id"])
    assert twice.status_code == 400 and "already" in twice.json()["detail"]
    too_long = _request(member_api, goal["id"], mentor="hana", message="x" * 2001)
    assert too_long.status_code == 422
    assert _request(member_api, goal["id"], mentor="nobody-at-all").status_code == 404
    assert _request(member_api, 987_654_321).status_code == 404
