"""PUT /api/posts/{id}/duplicate-of (hosts) and GET /api/questions/similar (has this been
asked?), through a real token, with the gate on both ends."""

from __future__ import annotations

from tests.api.client import ApiClient
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.exchange.models import Post, PostLink
from waggle.people.models import User
from waggle.spaces.models import Space


def test_a_host_marks_and_unmarks_a_duplicate(host_api: ApiClient, space: Space,
                                              other_member: User, question: Post) -> None:
    again = do_ask_question(space, acting_user=other_member, title="Tuning postgres queries?")
    response = host_api.put(f"/api/posts/{again.pk}/duplicate-of", {"question_id": question.pk})
    assert response.status_code == 200, response.content
    links = response.json()["links"]
    assert [(x["kind"], x["post"]["id"]) for x in links] == [("duplicate_of", question.pk)]
    response = host_api.put(f"/api/posts/{again.pk}/duplicate-of", {"question_id": None})
    assert response.status_code == 200 and response.json()["links"] == []
    assert not PostLink.objects.exists()


def test_members_may_not_mark_and_private_questions_are_not_found(
    member_api: ApiClient, host_api: ApiClient, outsider_api: ApiClient, question: Post,
    private_question: Post, space: Space, other_member: User
) -> None:
    again = do_ask_question(space, acting_user=other_member, title="Tuning postgres queries?")
    assert member_api.put(f"/api/posts/{again.pk}/duplicate-of",
                          {"question_id": question.pk}).status_code == 403
    # The outsider cannot even see the private question: 404, the same as a missing one.
    assert outsider_api.put(f"/api/posts/{private_question.pk}/duplicate-of",
                            {"question_id": question.pk}).status_code == 404
    assert outsider_api.put(f"/api/posts/{again.pk}/duplicate-of",
                            {"question_id": private_question.pk}).status_code == 404
    assert host_api.put(f"/api/posts/{again.pk}/duplicate-of",
                        {"question_id": again.pk}).status_code == 400
    assert host_api.put(f"/api/posts/{again.pk}/duplicate-of",
                        {"question_id": "x"}).status_code == 422
    assert not PostLink.objects.exists()


def test_similar_questions_answered_first_and_only_visible(
    member_api: ApiClient, outsider_api: ApiClient, question: Post, private_question: Post,
    space: Space, other_member: User, member: User
) -> None:
    close = do_ask_question(space, acting_user=member, title="How do I tune slow postgres joins?")
    do_answer_question(close, acting_user=other_member, body="Indexes on the join keys.")
    response = member_api.get("/api/questions/similar", {"text": "tune postgres"})
    assert response.status_code == 200
    found = response.json()
    assert [q["id"] for q in found] == [close.pk, question.pk]
    assert found[0]["answered"] and not found[1]["answered"]
    assert member_api.get("/api/questions/similar",
                          {"text": "firm acquiring"}).json()[0]["id"] == private_question.pk
    assert outsider_api.get("/api/questions/similar", {"text": "firm acquiring"}).json() == []
    assert outsider_api.get("/api/questions/similar", {"text": ""}).status_code == 422
    assert ApiClient(None).get("/api/questions/similar", {"text": "postgres"}).status_code == 401
