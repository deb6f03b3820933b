"""Who knows, a person's expertise, question routing and the unanswered queue, through the API.

The world: in the open space Otto's answer to a #postgres question was accepted and helped the
asker; in the private space Hana answered a #postgres question about the #deal. Members see
both; an outsider sees Otto's evidence only, and nothing of the private space.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.api.client import ApiClient
from waggle.exchange.actions import do_accept_answer, do_answer_question, do_ask_question
from waggle.exchange.models import Post
from waggle.expertise.models import Expertise, QuestionInvitation
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos, do_report_value

Capture = Callable[..., Any]


@dataclass
class World:
    question: Post
    answer: Post
    private_question: Post
    private_answer: Post


@pytest.fixture
def world(
    space: Space, private_space: Space, member: User, other_member: User, host: User,
    django_capture_on_commit_callbacks: Capture,
) -> World:
    # Expertise is derived on commit, as in production: the actions schedule it.
    with django_capture_on_commit_callbacks(execute=True):
        question = do_ask_question(space, acting_user=member,
                                   title="How do we tune #postgres queries?")
        answer = do_answer_question(question, acting_user=other_member,
                                    body="Start with EXPLAIN ANALYZE on the slow query.")
        do_accept_answer(question, answer, acting_user=member)
        do_report_value(acting_user=member, post=answer, solved_problem=True)
        do_give_kudos(acting_user=member, post=answer, message="Saved my week")
        private_question = do_ask_question(private_space, acting_user=member,
                                           title="Does the #postgres cluster move in the #deal?")
        private_answer = do_answer_question(private_question, acting_user=host,
                                            body="Yes, the postgres cluster moves with it.")
    assert Expertise.objects.filter(person=other_member).exists()
    assert Expertise.objects.filter(person=host).exists()
    return World(question, answer, private_question, private_answer)


def _people(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["person"]["username"] for s in response.json()]


# Who knows -------------------------------------------------------------------------------------


def test_who_knows_ranks_people_with_their_evidence(world: World, member_api: ApiClient) -> None:
    response = member_api.get("/api/people/who-knows", {"topic": "postgres"})
    assert set(_people(response)) == {"otto", "hana"}
    otto = next(s for s in response.json() if s["person"]["username"] == "otto")
    assert otto["topics"] == ["postgres"] and otto["declared"] == []
    [evidence] = otto["evidence"]
    assert evidence == {
        "post_id": world.answer.pk,
        "thread_id": world.question.pk,
        "thread_title": "How do we tune #postgres queries?",
        "kind": "answer",
        "space": "data-science",
        "accepted": True,
        "value_reports": 1,
        "kudos": 1,
        "created_at": evidence["created_at"],
        "url": f"/posts/{world.question.pk}/#post-{world.answer.pk}",
    }
    # Nothing ranks people by votes or likes: there are none to show.
    assert "vote" not in response.content.decode() and "like" not in response.content.decode()


def test_who_knows_from_words_finds_the_topic(world: World, member_api: ApiClient) -> None:
    response = member_api.get("/api/people/who-knows", {"q": "tuning slow postgres", "limit": 1})
    assert len(_people(response)) == 1


def test_who_knows_never_shows_private_evidence_to_an_outsider(
    world: World, outsider_api: ApiClient
) -> None:
    for params in ({"topic": "postgres"}, {"q": "postgres cluster deal"}):
        response = outsider_api.get("/api/people/who-knows", params)
        assert _people(response) == ["otto"], params
        ids = {e["post_id"] for s in response.json() for e in s["evidence"]}
        ids |= {e["thread_id"] for s in response.json() for e in s["evidence"]}
        assert ids == {world.answer.pk, world.question.pk}
        assert "deal" not in response.content.decode()
    # A topic used only in the private space is nobody's expertise for an outsider.
    assert _people(outsider_api.get("/api/people/who-knows", {"topic": "deal"})) == []


def test_who_knows_needs_something_to_look_for(world: World, member_api: ApiClient) -> None:
    response = member_api.get("/api/people/who-knows", {"q": "   "})
    assert response.status_code == 400
    assert response.json()["field"] == "q" and "topic" in response.json()["detail"]
    assert member_api.get("/api/people/who-knows", {"q": "x", "limit": 0}).status_code == 422
    assert Client().get("/api/people/who-knows", {"q": "postgres"}).status_code == 401


def test_the_directory_still_reaches_a_person_named_like_a_route(
    world: World, member_api: ApiClient
) -> None:
    # /people/who-knows is its own endpoint; every other name is a profile.
    assert member_api.get("/api/people/otto").json()["username"] == "otto"


# A person's expertise --------------------------------------------------------------------------


def test_person_expertise_shows_only_what_the_viewer_may_see(
    world: World, member_api: ApiClient, outsider_api: ApiClient
) -> None:
    seen_by_member = member_api.get("/api/people/hana/expertise").json()
    postgres = next(t for t in seen_by_member if t["topic"] == "postgres")
    assert [e["post_id"] for e in postgres["evidence"]] == [world.private_answer.pk]
    assert postgres["evidence_count"] >= 1

    response = outsider_api.get("/api/people/hana/expertise")
    assert response.status_code == 200 and response.json() == []
    otto = outsider_api.get("/api/people/otto/expertise").json()
    assert [t["topic"] for t in otto] == ["postgres"]
    assert otto[0]["evidence"][0]["post_id"] == world.answer.pk


def test_person_expertise_of_someone_hidden_is_not_found(
    world: World, guest: User, external_space: Space
) -> None:
    guest_api = ApiClient(guest)
    assert guest_api.get("/api/people/otto/expertise").status_code == 404  # shares no space
    assert guest_api.get("/api/people/nobody-at-all/expertise").status_code == 404
    assert Client().get("/api/people/otto/expertise").status_code == 401


# Routing a question when it is asked -----------------------------------------------------------


def _ask(api: ApiClient, capture: Capture, slug: str = "data-science", **extra: Any) -> int:
    with capture(execute=True):
        response = api.post(f"/api/spaces/{slug}/questions",
                            {"title": "Why is #postgres vacuum so slow?", **extra})
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _invited(question_id: int) -> set[str]:
    return set(QuestionInvitation.objects.filter(question_id=question_id)
               .values_list("person__username", flat=True))


def test_asking_routes_the_question_unless_told_not_to(
    world: World, member_api: ApiClient, django_capture_on_commit_callbacks: Capture
) -> None:
    routed = _ask(member_api, django_capture_on_commit_callbacks)  # route defaults to true
    assert "otto" in _invited(routed) and "mira" not in _invited(routed)
    not_routed = _ask(member_api, django_capture_on_commit_callbacks, route=False)
    assert _invited(not_routed) == set()


def test_people_who_opt_out_or_are_at_their_cap_are_not_invited(
    world: World, member_api: ApiClient, other_member: User, host: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    otto_api, hana_api = ApiClient(other_member), ApiClient(host)
    response = otto_api.patch("/api/me", {"accept_routed_questions": False})
    assert response.status_code == 200 and response.json()["accept_routed_questions"] is False
    response = hana_api.patch("/api/me", {"routed_questions_per_week": 0})
    assert response.status_code == 200 and response.json()["routed_questions_per_week"] == 0
    assert _invited(_ask(member_api, django_capture_on_commit_callbacks)) == set()


def test_routing_preferences_out_of_range_are_a_400(member_api: ApiClient) -> None:
    for bad in (51, -1, 2**70):
        response = member_api.patch("/api/me", {"routed_questions_per_week": bad})
        assert response.status_code == 400, (bad, response.content)
        assert response.json() == {"detail": "Between 0 and 50 a week.",
                                   "field": "routed_questions_per_week"}
    response = member_api.patch("/api/me", {"routed_questions_per_week": None})
    assert response.status_code == 422  # null is not a value: leave the field out
    assert member_api.get("/api/me").json()["routed_questions_per_week"] == 3


# Who was invited: the asker sees people, hosts see counts --------------------------------------


def test_the_asker_sees_who_was_invited_and_a_host_only_counts(
    world: World, member_api: ApiClient, host_api: ApiClient, outsider_api: ApiClient,
    other_member: User, django_capture_on_commit_callbacks: Capture,
) -> None:
    question = _ask(member_api, django_capture_on_commit_callbacks)
    invited = _invited(question)
    path = f"/api/posts/{question}/invitations"

    mine = member_api.get(path).json()
    assert mine["question_id"] == question
    assert {p["person"]["username"] for p in mine["people"]} == invited
    assert {p["state"] for p in mine["people"]} == {"invited"}
    assert mine["counts"] == {"invited": len(invited), "seen": 0, "declined": 0, "answered": 0,
                              "rounds": 1}

    hosts = host_api.get(path).json()
    assert hosts["people"] is None and hosts["counts"] == mine["counts"]

    # Others who can see the question may not see this; nobody who cannot gets to know it.
    assert ApiClient(other_member).get(path).status_code == 403
    assert outsider_api.get(path).status_code == 403
    assert Client().get(path).status_code == 401


def test_invitations_of_a_question_one_cannot_see_are_not_found(
    world: World, member_api: ApiClient, outsider_api: ApiClient, host_api: ApiClient
) -> None:
    path = f"/api/posts/{world.private_question.pk}/invitations"
    assert outsider_api.get(path).status_code == 404
    assert host_api.get(path).json()["counts"]["invited"] == 0
    assert member_api.get(f"/api/posts/{world.answer.pk}/invitations").status_code == 404


def test_an_anonymous_asker_still_sees_whom_waggle_invited(
    world: World, member_api: ApiClient, host_api: ApiClient,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    question = _ask(member_api, django_capture_on_commit_callbacks, anonymous=True)
    path = f"/api/posts/{question}/invitations"
    assert {p["person"]["username"] for p in member_api.get(path).json()["people"]} == \
        _invited(question)
    hosts = host_api.get(path)
    assert hosts.json()["people"] is None and "mira" not in hosts.content.decode()


# Your invitations ------------------------------------------------------------------------------


def test_invited_people_list_and_decline_their_invitations(
    world: World, member_api: ApiClient, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    question = _ask(member_api, django_capture_on_commit_callbacks)
    otto_api = ApiClient(other_member)
    listed = otto_api.get("/api/me/invitations").json()
    [invitation] = listed["items"]
    assert invitation["question"] == {"id": question, "kind": "question",
                                      "title": "Why is #postgres vacuum so slow?"}
    assert invitation["space"]["slug"] == "data-science"
    assert invitation["state"] == "invited" and invitation["url"] == f"/posts/{question}/"
    assert listed["next_cursor"] is None

    # Someone else's invitation is not found, whoever asks.
    assert member_api.post(f"/api/me/invitations/{invitation['id']}/decline").status_code == 404

    declined = otto_api.post(f"/api/me/invitations/{invitation['id']}/decline")
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert otto_api.get("/api/me/invitations").json()["items"] == []
    seen_by_asker = member_api.get(f"/api/posts/{question}/invitations").json()
    assert seen_by_asker["counts"]["declined"] == 1
    assert {p["state"] for p in seen_by_asker["people"]
            if p["person"]["username"] == "otto"} == {"declined"}


def test_an_answered_invitation_cannot_be_declined(
    world: World, member_api: ApiClient, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    question = _ask(member_api, django_capture_on_commit_callbacks)
    otto_api = ApiClient(other_member)
    [invitation] = otto_api.get("/api/me/invitations").json()["items"]
    assert otto_api.post(f"/api/posts/{question}/answers", {"body": "VACUUM FULL, carefully."}
                         ).status_code == 201
    response = otto_api.post(f"/api/me/invitations/{invitation['id']}/decline")
    assert response.status_code == 400 and "answered" in response.json()["detail"]


# Escalation ------------------------------------------------------------------------------------


def test_a_host_offers_an_unanswered_question_to_more_people(
    world: World, member_api: ApiClient, host_api: ApiClient, outsider_api: ApiClient,
    settings: Any, django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.WAGGLE_ROUTE_PEOPLE = 1  # one person a round, so a second round has someone left
    question = _ask(member_api, django_capture_on_commit_callbacks)
    first = _invited(question)
    assert len(first) == 1
    path = f"/api/posts/{question}/invitations/escalate"

    assert member_api.post(path).status_code == 403  # the asker is no host
    assert outsider_api.post(path).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = host_api.post(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["newly_invited"] == 1 and body["round"] == 2
    assert body["counts"]["invited"] == 2 and body["counts"]["rounds"] == 2
    assert body["people"] is None  # a host sees counts only
    assert len(_invited(question) - first) == 1
    rounds = {p["round"] for p in member_api.get(f"/api/posts/{question}/invitations")
              .json()["people"]}
    assert rounds == {1, 2}


def test_escalating_an_answered_or_hidden_question_is_refused(
    world: World, host_api: ApiClient, outsider_api: ApiClient
) -> None:
    response = host_api.post(f"/api/posts/{world.question.pk}/invitations/escalate")
    assert response.status_code == 400 and "answer" in response.json()["detail"]
    assert outsider_api.post(
        f"/api/posts/{world.private_question.pk}/invitations/escalate").status_code == 404


# The unanswered queue --------------------------------------------------------------------------


def test_the_unanswered_queue_lists_open_questions_with_counts(
    world: World, member_api: ApiClient, django_capture_on_commit_callbacks: Capture,
) -> None:
    first = _ask(member_api, django_capture_on_commit_callbacks)
    second = _ask(member_api, django_capture_on_commit_callbacks, route=False, anonymous=True)
    page = member_api.get("/api/spaces/data-science/unanswered", {"limit": 1}).json()
    [oldest] = page["items"]
    assert oldest["id"] == first and oldest["author"]["username"] == "mira"
    assert oldest["topics"] == ["postgres"]
    assert oldest["invited"] == len(_invited(first)) > 0
    assert oldest["seen"] == oldest["declined"] == 0
    assert page["next_cursor"]
    rest = member_api.get("/api/spaces/data-science/unanswered",
                          {"limit": 1, "cursor": page["next_cursor"]}).json()
    [newest] = rest["items"]
    assert newest["id"] == second and newest["author"] is None and newest["invited"] == 0
    assert rest["next_cursor"] is None
    # The answered question is not in the queue.
    assert world.question.pk not in {first, second}


def test_a_private_space_queue_is_not_found_for_outsiders(
    world: World, member: User, outsider_api: ApiClient, host_api: ApiClient,
    private_space: Space,
) -> None:
    unanswered = do_ask_question(private_space, acting_user=member, title="Who signs the #deal?")
    assert outsider_api.get("/api/spaces/mergers/unanswered").status_code == 404
    assert [q["id"] for q in host_api.get("/api/spaces/mergers/unanswered").json()["items"]] == [
        unanswered.pk]
    assert Client().get("/api/spaces/mergers/unanswered").status_code == 401


def test_routed_preferences_appear_on_your_own_profile_only(
    member_api: ApiClient, other_member: User
) -> None:
    me = member_api.get("/api/me").json()
    assert me["accept_routed_questions"] is True and me["routed_questions_per_week"] == 3
    do_update_profile(other_member, acting_user=other_member, routed_questions_per_week=7)
    assert "routed_questions_per_week" not in member_api.get("/api/people/otto").json()


def test_opening_the_question_through_the_api_marks_the_invitation_seen(
    world: World, member_api: ApiClient, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    question = _ask(member_api, django_capture_on_commit_callbacks)
    otto_api = ApiClient(other_member)
    assert otto_api.get(f"/api/posts/{question}").status_code == 200
    [invitation] = otto_api.get("/api/me/invitations").json()["items"]
    assert invitation["state"] == "seen"
    assert member_api.get(f"/api/posts/{question}/invitations").json()["counts"]["seen"] == 1
