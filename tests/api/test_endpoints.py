"""Every API endpoint through the test client, authenticated with a real access token."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.client import ApiClient, api_for
from tests.conftest import make_person
from waggle.exchange.actions import do_ask_question, do_comment
from waggle.exchange.models import Follow, Post
from waggle.notify.models import Notification
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Invitation, Membership, Space
from waggle.value.actions import do_give_kudos
from waggle.value.models import Kudos, ValueReport

# People -------------------------------------------------------------------------------------


def test_people_list_and_search(member_api: ApiClient, space: Space) -> None:
    everyone = member_api.get("/api/people").json()
    assert [p["username"] for p in everyone["items"]] == ["hana", "mira", "otto"]
    found = member_api.get("/api/people", {"q": "Hana"}).json()["items"]
    assert [p["username"] for p in found] == ["hana"]
    assert found[0]["department"] == "Engineering"
    assert "email" not in found[0]


def test_person_profile(member_api: ApiClient, host: User) -> None:
    body = member_api.get("/api/people/hana").json()
    assert body["name"] == "Hana Host"
    assert member_api.get("/api/people/nobody").status_code == 404


def test_me_shows_and_changes_my_profile(member_api: ApiClient, member: User) -> None:
    me = member_api.get("/api/me").json()
    assert me["username"] == "mira" and me["email"] == "mira@example.org"
    response = member_api.patch(
        "/api/me",
        {"title": "Data engineer", "skills": ["#Postgres", "python"], "opt_out_analytics": True},
    )
    assert response.status_code == 200, response.content
    assert response.json()["skills"] == ["postgres", "python"]
    member.refresh_from_db()
    assert member.title == "Data engineer" and member.opt_out_analytics
    # Leaving a field out keeps it.
    member_api.patch("/api/me", {"location": "Ghent"})
    member.refresh_from_db()
    assert member.title == "Data engineer" and member.location == "Ghent"


def test_me_rejects_a_too_long_bio(member_api: ApiClient) -> None:
    response = member_api.patch("/api/me", {"bio": "x" * 5001})
    assert response.status_code == 422
    assert response.json()["field"] == "bio"


def test_an_explicit_null_is_refused_not_taken_as_clear(
    member_api: ApiClient, member: User
) -> None:
    member_api.patch("/api/me", {"location": "Ghent", "open_to_mentoring": True})
    for field in ("location", "open_to_mentoring"):
        response = member_api.patch("/api/me", {field: None})
        assert response.status_code == 422
        assert response.json()["field"] == field
    member.refresh_from_db()
    assert member.location == "Ghent" and member.open_to_mentoring


# Spaces -------------------------------------------------------------------------------------


def test_spaces_list_shows_role_and_member_count(
    member_api: ApiClient, space: Space, private_space: Space, external_space: Space
) -> None:
    items = member_api.get("/api/spaces").json()["items"]
    by_slug = {s["slug"]: s for s in items}
    assert set(by_slug) == {"data-science", "mergers", "partner-portal"}
    assert by_slug["data-science"]["role"] == "member"
    assert by_slug["data-science"]["member_count"] == 3
    assert by_slug["partner-portal"]["role"] is None
    mine = member_api.get("/api/spaces", {"mine": "true"}).json()["items"]
    assert {s["slug"] for s in mine} == {"data-science", "mergers"}
    private = member_api.get("/api/spaces", {"visibility": "private"}).json()["items"]
    assert [s["slug"] for s in private] == ["mergers"]


def test_start_a_space(outsider_api: ApiClient, outsider: User) -> None:
    response = outsider_api.post(
        "/api/spaces", {"name": "Rust Guild", "visibility": "private", "kind": "community"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "rust-guild" and body["role"] == "host"
    assert Membership.objects.get(space__slug="rust-guild").user == outsider


def test_start_a_space_breaking_a_rule_names_the_field(outsider_api: ApiClient) -> None:
    response = outsider_api.post("/api/spaces", {"name": "x"})
    assert response.status_code == 400
    assert response.json()["field"] == "name"


def test_get_a_space(outsider_api: ApiClient, space: Space) -> None:
    assert outsider_api.get("/api/spaces/data-science").json()["name"] == "Data Science"
    assert outsider_api.get("/api/spaces/nowhere").status_code == 404


def test_join_and_leave_an_open_space(outsider_api: ApiClient, space: Space) -> None:
    joined = outsider_api.post("/api/spaces/data-science/join")
    assert joined.status_code == 200 and joined.json()["role"] == "member"
    assert Membership.objects.filter(space=space, user__username="oscar").exists()
    left = outsider_api.post("/api/spaces/data-science/leave")
    assert left.status_code == 204
    assert not Membership.objects.filter(space=space, user__username="oscar").exists()


def test_invitation_is_the_way_into_a_private_space(
    host_api: ApiClient, private_space: Space, outsider: User
) -> None:
    outsider_api = api_for(outsider)
    assert outsider_api.post("/api/spaces/mergers/join").status_code == 404
    invited = host_api.post("/api/spaces/mergers/invitations", {"username": "oscar"})
    assert invited.status_code == 201, invited.content
    assert invited.json()["invitee"]["username"] == "oscar"
    assert invited.json()["status"] == "pending"
    joined = outsider_api.post("/api/spaces/mergers/join")
    assert joined.status_code == 200, joined.content
    assert joined.json()["role"] == "member"
    assert Invitation.objects.get(invitee=outsider).status == "accepted"


def test_the_only_host_cannot_leave(host_api: ApiClient, space: Space) -> None:
    response = host_api.post("/api/spaces/data-science/leave")
    assert response.status_code == 400
    assert "only host" in response.json()["detail"]


# Posts --------------------------------------------------------------------------------------


def test_ask_a_question(member_api: ApiClient, space: Space) -> None:
    response = member_api.post(
        "/api/spaces/data-science/questions",
        {"title": "Which #python profiler?", "body": "For *batch* jobs", "topics": ["Perf"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "question" and body["author"]["username"] == "mira"
    assert sorted(body["topics"]) == ["perf", "python"]
    assert "<em>batch</em>" in body["body_html"]


def test_share_an_update_and_a_lesson(member_api: ApiClient, space: Space) -> None:
    update = member_api.post("/api/spaces/data-science/updates", {"body": "Migrating to #dbt"})
    assert update.status_code == 201 and update.json()["kind"] == "update"
    lesson = member_api.post(
        "/api/spaces/data-science/lessons",
        {"title": "Nightly loads", "tried": "cron", "happened": "overlap", "next_time": "locks"},
    )
    assert lesson.status_code == 201, lesson.content
    assert lesson.json()["tried"] == "cron"
    assert "What happened" in lesson.json()["body_html"]


def test_posts_list_filters(
    member_api: ApiClient,
    question: Post,
    answer: Post,
    private_question: Post,
    member: User,
    space: Space,
) -> None:
    update = member_api.post("/api/spaces/data-science/updates", {"body": "Shipping"}).json()

    def ids(**params: Any) -> list[int]:
        return [p["id"] for p in member_api.get("/api/posts", params).json()["items"]]

    # Answers are listed under their question, not in the feed.
    assert ids() == [update["id"], private_question.pk, question.pk]
    assert ids(kind="answer") == [answer.pk]
    assert ids(space="data-science") == [update["id"], question.pk]
    assert ids(topic="#Postgres") == [question.pk]
    assert ids(author="otto", kind="answer") == [answer.pk]
    assert ids(space="no-such-space") == []


def test_get_and_edit_a_post(member_api: ApiClient, question: Post) -> None:
    got = member_api.get(f"/api/posts/{question.pk}").json()
    assert got["title"] == question.title and got["topics"] == ["postgres"]
    edited = member_api.patch(f"/api/posts/{question.pk}", {"title": "Tuning #sql reports"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["title"] == "Tuning #sql reports"
    question.refresh_from_db()
    assert question.body == "Our reports take minutes. Where do I start?"


def test_only_the_author_edits(host_api: ApiClient, question: Post) -> None:
    response = host_api.patch(f"/api/posts/{question.pk}", {"title": "Hijacked title"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.title != "Hijacked title"


def test_answers_and_accepting_one(
    member_api: ApiClient, host_api: ApiClient, question: Post, answer: Post
) -> None:
    second = host_api.post(f"/api/posts/{question.pk}/answers", {"body": "Add an index."})
    assert second.status_code == 201, second.content
    listed = member_api.get(f"/api/posts/{question.pk}/answers").json()["items"]
    assert [a["id"] for a in listed] == [answer.pk, second.json()["id"]]
    accepted = member_api.post(f"/api/posts/{question.pk}/accept", {"answer_id": answer.pk})
    assert accepted.status_code == 200 and accepted.json()["accepted_answer_id"] == answer.pk
    taken_back = member_api.post(f"/api/posts/{question.pk}/accept", {"answer_id": None})
    assert taken_back.json()["accepted_answer_id"] is None


def test_accepting_an_answer_of_another_question_is_refused(
    member_api: ApiClient, question: Post, answer: Post, space: Space, member: User
) -> None:
    other = do_ask_question(space, acting_user=member, title="Another question here")
    response = member_api.post(f"/api/posts/{other.pk}/accept", {"answer_id": answer.pk})
    assert response.status_code == 400


def test_answers_of_something_that_is_not_a_question(member_api: ApiClient, answer: Post) -> None:
    assert member_api.get(f"/api/posts/{answer.pk}/answers").status_code == 404


def test_comments(member_api: ApiClient, outsider_api: ApiClient, question: Post) -> None:
    created = outsider_api.post(f"/api/posts/{question.pk}/comments", {"body": "Same here @mira"})
    assert created.status_code == 201, created.content
    assert created.json()["author"]["username"] == "oscar"
    listed = member_api.get(f"/api/posts/{question.pk}/comments").json()["items"]
    assert [c["body"] for c in listed] == ["Same here @mira"]
    assert member_api.post(f"/api/posts/{question.pk}/comments", {"body": "  "}).status_code == 400


# Value and kudos ----------------------------------------------------------------------------


def test_value_report_on_a_post(
    host_api: ApiClient, outsider_api: ApiClient, question: Post, answer: Post
) -> None:
    reported = host_api.put(
        f"/api/posts/{answer.pk}/value", {"solved_problem": True, "minutes_saved": 90}
    )
    assert reported.status_code == 200, reported.content
    assert reported.json()["minutes_saved"] == 90
    outsider_api.put(f"/api/posts/{answer.pk}/value", {"learned_something": True})
    summary = host_api.get(f"/api/posts/{answer.pk}/value").json()
    assert summary["reports"] == 2
    assert summary["solved_problem"] == 1 and summary["learned_something"] == 1
    assert summary["minutes_saved"] == 90
    assert summary["mine"]["solved_problem"] is True
    # The summary never says who reported.
    assert "oscar" not in str(summary) and "hana" not in str(summary)
    # Reporting again replaces the earlier report.
    host_api.put(f"/api/posts/{answer.pk}/value", {"saved_time": True})
    assert ValueReport.objects.get(reporter__username="hana").saved_time
    assert host_api.delete(f"/api/posts/{answer.pk}/value").status_code == 204
    assert host_api.get(f"/api/posts/{answer.pk}/value").json()["reports"] == 1
    assert host_api.delete(f"/api/posts/{answer.pk}/value").status_code == 404


def test_value_report_needs_a_kind(host_api: ApiClient, answer: Post) -> None:
    response = host_api.put(f"/api/posts/{answer.pk}/value", {})
    assert response.status_code == 400 and response.json()["field"] == "kinds"


def test_value_report_on_a_comment(host_api: ApiClient, question: Post, other_member: User) -> None:
    comment = do_comment(question, acting_user=other_member, body="Try pg_stat_statements")
    report = {"saved_time": True, "minutes_saved": 15}
    assert host_api.put(f"/api/comments/{comment.pk}/value", report).status_code == 200
    summary = host_api.get(f"/api/comments/{comment.pk}/value").json()
    assert summary["reports"] == 1 and summary["minutes_saved"] == 15
    assert host_api.delete(f"/api/comments/{comment.pk}/value").status_code == 204
    assert not ValueReport.objects.exists()


def test_kudos(
    host_api: ApiClient, member_api: ApiClient, answer: Post, question: Post, other_member: User
) -> None:
    given = host_api.post("/api/kudos", {"post_id": answer.pk, "message": "Saved my week"})
    assert given.status_code == 201, given.content
    assert given.json()["receiver"]["username"] == "otto"
    comment = do_comment(question, acting_user=other_member, body="See the docs")
    by_comment = member_api.post("/api/kudos", {"comment_id": comment.pk, "message": "Thanks"})
    assert by_comment.status_code == 201, by_comment.content
    # Kudos received are part of Otto's impact: his own to see until he shares it.
    assert member_api.get("/api/people/otto/kudos").json()["items"] == []
    do_update_profile(other_member, acting_user=other_member, share_impact=True)
    received = member_api.get("/api/people/otto/kudos").json()["items"]
    assert [k["message"] for k in received] == ["Thanks", "Saved my week"]
    assert host_api.post("/api/kudos", {"message": "for nothing"}).status_code == 400


def test_kudos_to_yourself_are_refused(member_api: ApiClient, question: Post) -> None:
    response = member_api.post("/api/kudos", {"post_id": question.pk, "message": "Me!"})
    assert response.status_code == 400
    assert not Kudos.objects.exists()


# Topics and follows -------------------------------------------------------------------------


def test_topics(member_api: ApiClient, question: Post) -> None:
    assert [t["name"] for t in member_api.get("/api/topics").json()["items"]] == ["postgres"]
    assert member_api.get("/api/topics", {"q": "post"}).json()["items"][0]["name"] == "postgres"
    topic = member_api.get("/api/topics/postgres").json()
    assert topic == {**topic, "name": "postgres", "following": False}
    assert member_api.get("/api/topics/cobol").status_code == 404


def test_follow_and_unfollow(member_api: ApiClient, question: Post, host: User) -> None:
    for target in ({"topic": "postgres"}, {"person": "hana"}, {"space": "data-science"}):
        response = member_api.post("/api/follows", target)
        assert response.status_code == 201, response.content
    listed = member_api.get("/api/follows").json()["items"]
    assert [f["space"] and f["space"]["slug"] for f in listed][0] == "data-science"
    assert {f["topic"] for f in listed} == {"postgres", None}
    assert member_api.get("/api/topics/postgres").json()["following"] is True
    assert member_api.delete("/api/follows", {"person": "hana"}).status_code == 204
    assert Follow.objects.filter(follower__username="mira").count() == 2
    assert member_api.post("/api/follows", {}).status_code == 400
    two = member_api.post("/api/follows", {"person": "hana", "topic": "postgres"})
    assert two.status_code == 400


# Notifications ------------------------------------------------------------------------------


def test_notifications_list_and_read(
    member_api: ApiClient,
    question: Post,
    other_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_comment(question, acting_user=other_member, body="Which version?")
        do_give_kudos(acting_user=other_member, post=question, message="Great question")
    items = member_api.get("/api/notifications").json()["items"]
    assert [n["verb"] for n in items] == ["kudos", "commented"]
    assert items[0]["actor"]["username"] == "otto"
    assert items[0]["post"]["id"] == question.pk and items[0]["read"] is False
    marked = member_api.post("/api/notifications/read", {"ids": [items[1]["id"]]})
    assert marked.json() == {"marked": 1}
    unread = member_api.get("/api/notifications", {"unread": "true"}).json()["items"]
    assert [n["verb"] for n in unread] == ["kudos"]
    assert member_api.post("/api/notifications/read", {"ids": None}).json() == {"marked": 1}
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_someone_elses_notification_cannot_be_marked(
    member_api: ApiClient,
    question: Post,
    other_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_comment(question, acting_user=other_member, body="Which version?")
    theirs = Notification.objects.get()
    response = api_for(other_member).post("/api/notifications/read", {"ids": [theirs.pk]})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# Tokens -------------------------------------------------------------------------------------


def test_tokens_create_list_revoke(member: User) -> None:
    api = api_for(member)
    created = api.post("/api/tokens", {"name": "laptop script"})
    assert created.status_code == 201, created.content
    secret = created.json()["token"]
    assert secret.startswith("wgl_")
    listed = api.get("/api/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["laptop script", "tests"]
    assert "token" not in listed[0]
    new_api = ApiClient(member, token=secret)
    assert new_api.get("/api/me").status_code == 200
    revoked = api.delete(f"/api/tokens/{created.json()['prefix']}")
    assert revoked.status_code == 204
    after = new_api.get("/api/me")
    assert after.status_code == 401 and after["Content-Type"].startswith("application/json")
    assert api.get("/api/tokens").json()["items"][0]["revoked_at"] is not None


def test_someone_elses_token_cannot_be_revoked(member: User, outsider: User) -> None:
    theirs = api_for(outsider)
    prefix = theirs.get("/api/tokens").json()["items"][0]["prefix"]
    assert api_for(member).delete(f"/api/tokens/{prefix}").status_code == 404
    assert theirs.get("/api/me").status_code == 200


def test_a_deactivated_persons_token_stops_working(member: User) -> None:
    api = api_for(member)
    assert api.get("/api/me").status_code == 200
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert api.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer wgl_0123456789ab_" + "x" * 43,
        "Basic bWlyYTpzZWNyZXQ=",
        "Bearer wgl_\x00",
        "Bearer",
    ],
)
def test_bad_credentials_answer_401_json(db: Any, header: str) -> None:
    from django.test import Client

    response = Client(headers={"Authorization": header}).get("/api/me")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Sign in first")


def test_post_counts_do_not_change_on_reads(member_api: ApiClient, question: Post) -> None:
    """Reads have no side effects: no view counters, no 'seen by' (value over volume)."""
    before = Post.objects.values().get(pk=question.pk)
    member_api.get(f"/api/posts/{question.pk}")
    member_api.get("/api/posts")
    assert Post.objects.values().get(pk=question.pk) == before


def test_guest_can_use_the_api_in_their_external_space(
    guest: User, external_question: Post, host: User
) -> None:
    api = api_for(guest)
    assert [s["slug"] for s in api.get("/api/spaces").json()["items"]] == ["partner-portal"]
    answer = api.post(f"/api/posts/{external_question.pk}/comments", {"body": "Any update?"})
    assert answer.status_code == 201
    assert api.post("/api/spaces", {"name": "Guest space"}).status_code == 403
    assert {p["username"] for p in api.get("/api/people").json()["items"]} == {"gita", "hana"}


def test_new_person_is_found_by_others(member_api: ApiClient, db: Any) -> None:
    make_person("zoe", display_name="Zoe Zimmer")
    assert member_api.get("/api/people/zoe").json()["name"] == "Zoe Zimmer"


def test_an_invited_guest_joins_the_external_space(
    host_api: ApiClient, external_space: Space, db: Any
) -> None:
    partner = make_person("pat", is_guest=True)
    partner_api = api_for(partner)
    assert partner_api.post("/api/spaces/partner-portal/join").status_code == 404
    assert (
        host_api.post("/api/spaces/partner-portal/invitations", {"username": "pat"}).status_code
        == 201
    )
    joined = partner_api.post("/api/spaces/partner-portal/join")
    assert joined.status_code == 200 and joined.json()["role"] == "member"
    assert [s["slug"] for s in partner_api.get("/api/spaces").json()["items"]] == ["partner-portal"]
