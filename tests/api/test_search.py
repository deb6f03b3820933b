"""`GET /api/search`: the results' shape, the filters and pages, bad input, sign-in, and the
visibility gate (an outsider or a leaver never gets private results, counts or snippets)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.client import ApiClient, api_for
from tests.conftest import make_person
from waggle.exchange.actions import do_answer_question, do_ask_question, do_comment
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.actions import do_invite_to_space, do_leave_space, do_respond_to_invitation
from waggle.spaces.models import Space

PRIVATE_WORDS = ("firm", "Confidential", "Initech", "mergers", "Mergers")


def searched(api: ApiClient, **params: Any) -> dict[str, Any]:
    response = api.get("/api/search", params)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def ids(page: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r["kind"], r["comment_id"] or r["post_id"]) for r in page["results"]]


def test_a_result_says_what_it_is_where_it_is_and_how_it_matched(
    member_api: ApiClient, question: Post, answer: Post, member: User
) -> None:
    comment = do_comment(answer, acting_user=member, body="EXPLAIN showed a sequential scan.")
    page = searched(member_api, q="explain")
    assert {k: page[k] for k in ("query", "total", "page", "pages")} == {
        "query": "explain", "total": 2, "page": 1, "pages": 1}
    assert page["engine"] in ("SQLite FTS5", "PostgreSQL full text")
    by_kind = {r["kind"]: r for r in page["results"]}
    found_answer, found_comment = by_kind["answer"], by_kind["comment"]
    assert set(found_answer) == {"kind", "post_id", "thread_id", "comment_id", "space",
                                 "title_html", "snippet_html", "author", "created_at", "url"}
    assert found_answer["post_id"] == answer.pk and found_answer["thread_id"] == question.pk
    assert found_answer["comment_id"] is None and found_answer["space"] == "data-science"
    assert found_answer["author"] == "otto"
    assert found_answer["url"] == f"/posts/{question.pk}/#post-{answer.pk}"
    assert "tune #postgres" in found_answer["title_html"]
    assert "<mark>EXPLAIN</mark>" in found_answer["snippet_html"]
    # JSON carries milliseconds.
    when = dt.datetime.fromisoformat(found_answer["created_at"])
    assert abs(when - answer.created_at) < dt.timedelta(milliseconds=1)
    assert found_comment["comment_id"] == comment.pk and found_comment["post_id"] == answer.pk
    assert found_comment["url"] == f"/posts/{question.pk}/#comment-{comment.pk}"
    assert found_comment["author"] == "mira"
    question_hit = searched(member_api, q="postgres")["results"][0]
    assert question_hit["url"] == f"/posts/{question.pk}/"
    assert "#<mark>postgres</mark>" in question_hit["title_html"]


def test_titles_and_snippets_are_escaped(space: Space, member: User,
                                         member_api: ApiClient) -> None:
    do_ask_question(space, acting_user=member, title="Why does <script> break the wiki?",
                    body="Pasting <b>markup</b> into the wiki breaks it.")
    hit = searched(member_api, q="wiki")["results"][0]
    assert "&lt;script&gt;" in hit["title_html"] and "<script>" not in hit["title_html"]
    assert "<b>" not in hit["snippet_html"]


def test_an_anonymous_question_has_no_author(space: Space, member: User, host: User) -> None:
    do_ask_question(space, acting_user=member, title="Is the reorg cutting my team?",
                    anonymous=True)
    for person in (member, host):
        page = searched(api_for(person), q="reorg")
        assert page["total"] == 1 and page["results"][0]["author"] is None
        assert "mira" not in json.dumps(page).lower()
    assert searched(api_for(host), q="reorg", author="mira")["total"] == 0


def test_filters(space: Space, private_space: Space, member: User, other_member: User,
                 host: User, member_api: ApiClient) -> None:
    old = do_ask_question(private_space, acting_user=host, title="Budget freeze dates",
                          body="When is the budget freeze?",
                          created_at=dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    reply = do_answer_question(old, acting_user=member, body="The budget freezes in March.")
    new = do_ask_question(space, acting_user=other_member, title="Budget review #finance",
                          body="What does the budget review need?")

    def found(**params: Any) -> set[tuple[str, int]]:
        return set(ids(searched(member_api, q="budget", **params)))

    everything = {("question", old.pk), ("answer", reply.pk), ("question", new.pk)}
    assert found() == everything
    assert found(space="mergers") == {("question", old.pk), ("answer", reply.pk)}
    assert found(kind="answer") == {("answer", reply.pk)}
    # `kind` repeats: ?kind=answer&kind=question
    assert set(ids(member_api.get("/api/search?q=budget&kind=answer&kind=question").json())) \
        == everything
    assert found(topic="finance") == {("question", new.pk)}
    assert found(author="otto") == {("question", new.pk)}
    assert found(until="2024-12-31") == {("question", old.pk)}
    assert ("question", old.pk) not in found(since="2025-01-01")
    assert found(answered="no") == {("question", new.pk)}
    assert found(answered="yes") == {("question", old.pk), ("answer", reply.pk)}
    assert found(answered="") == everything
    assert ids(searched(member_api, q="budget", order="newest"))[0] == ("question", new.pk)


def test_pages(space: Space, member: User, member_api: ApiClient) -> None:
    for i in range(7):
        do_ask_question(space, acting_user=member, title=f"Onboarding checklist part {i}")
    first = searched(member_api, q="onboarding", per_page=3)
    last = searched(member_api, q="onboarding", per_page=3, page=3)
    assert (first["total"], first["pages"], len(first["results"])) == (7, 3, 3)
    assert (last["page"], len(last["results"])) == (3, 1)
    seen = {r["post_id"] for p in (1, 2, 3)
            for r in searched(member_api, q="onboarding", per_page=3, page=p)["results"]}
    assert len(seen) == 7
    beyond = searched(member_api, q="onboarding", per_page=3, page=9)
    assert beyond["total"] == 7 and beyond["results"] == []


def test_an_outsider_never_gets_private_results_counts_or_snippets(
    outsider_api: ApiClient, member_api: ApiClient, private_question: Post, question: Post,
    member: User,
) -> None:
    do_comment(private_question, acting_user=member, body="The acquisition target is Initech.")
    assert searched(member_api, q="acquiring OR initech")["total"] == 2
    for params in ({"q": "acquiring"}, {"q": "initech"}, {"q": "confidential deal"},
                   {"q": "acquiring", "space": "mergers"}, {"q": "acquiring", "kind": "comment"},
                   {"q": "firm OR postgres"}, {"q": "firm OR postgres", "order": "newest"}):
        page = searched(outsider_api, **params)
        assert page["total"] == len(page["results"]), params
        assert all(r["space"] == "data-science" for r in page["results"]), params
        text = json.dumps({k: v for k, v in page.items() if k != "query"})
        for words in PRIVATE_WORDS:
            assert words not in text, (params, words)
    assert searched(outsider_api, q="firm OR postgres")["total"] == 1


def test_leaving_a_private_space_hides_it_from_search(
    private_space: Space, private_question: Post, host: User
) -> None:
    leaver = make_person("lena")
    invitation = do_invite_to_space(private_space, leaver, acting_user=host)
    do_respond_to_invitation(invitation, accept=True, acting_user=leaver)
    api = api_for(leaver)
    assert searched(api, q="acquiring")["total"] == 1
    do_leave_space(private_space, acting_user=leaver)
    page = searched(api, q="acquiring")
    assert page["total"] == 0 and page["results"] == []


def test_signing_in_is_required_with_a_token_or_a_session(question: Post,
                                                          member_client: Client) -> None:
    anonymous = Client().get("/api/search", {"q": "postgres"})
    assert anonymous.status_code == 401
    assert "Sign in first" in anonymous.json()["detail"]
    bad_token = ApiClient(None, token="wgl_000000000000_notarealsecretatall")
    assert bad_token.get("/api/search", {"q": "postgres"}).status_code == 401
    session = member_client.get("/api/search", {"q": "postgres"})
    assert session.status_code == 200 and session.json()["total"] == 1


@pytest.mark.parametrize(("params", "status", "field"), [
    ({}, 422, "q"),
    ({"q": "x" * 301}, 422, "q"),
    ({"q": "tune\x00postgres"}, 422, "q"),
    ({"q": "postgres", "author": "mi\x00ra"}, 422, "author"),
    ({"q": "postgres", "since": "yesterday"}, 422, "since"),
    ({"q": "postgres", "until": "2025-13-45"}, 422, "until"),
    ({"q": "postgres", "since": "2025-02-01", "until": "2025-01-01"}, 400, "until"),
    ({"q": "postgres", "page": "two"}, 422, "page"),
    ({"q": "postgres", "page": "0"}, 422, "page"),
    ({"q": "postgres", "page": str(2**70)}, 422, "page"),
    ({"q": "postgres", "per_page": "1000"}, 422, "per_page"),
    ({"q": "postgres", "kind": "bogus"}, 422, "kind"),
    ({"q": "postgres", "answered": "maybe"}, 422, "answered"),
    ({"q": "postgres", "order": "sideways"}, 422, "order"),
    ({"q": "postgres", "space": "s" * 121}, 422, "space"),
])
def test_bad_parameters_get_a_clear_4xx(member_api: ApiClient, question: Post,
                                        params: dict[str, Any], status: int, field: str) -> None:
    response = member_api.get("/api/search", params)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["field"] == field and body["detail"]


@pytest.mark.parametrize("q", ['"unclosed', "AND OR NOT", "(((", "-postgres", "c++ & !|",
                               "'; DROP TABLE x; --", " "])
def test_any_text_is_a_query(member_api: ApiClient, question: Post, q: str) -> None:
    page = searched(member_api, q=q)
    assert page["query"] == q and page["total"] == len(page["results"])


def test_the_openapi_document_describes_search(member_api: ApiClient) -> None:
    document = Client().get("/api/openapi.json").json()
    operation = document["paths"]["/api/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names >= {"q", "space", "kind", "topic", "author", "since", "until", "answered",
                     "order", "page", "per_page"}
    hit = document["components"]["schemas"]["SearchHit"]["properties"]
    assert "anonymous" in hit["author"]["description"]


def test_queries_do_not_grow_with_results(space: Space, member: User, other_member: User,
                                          member_api: ApiClient) -> None:
    def add(count: int) -> None:
        for i in range(count):
            asked = do_ask_question(space, acting_user=other_member, title=f"Laptop setup {i}",
                                    anonymous=i % 2 == 0)
            do_comment(asked, acting_user=member, body="Laptop drivers are on the wiki.")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = searched(member_api, q="laptop", per_page=50)
        assert page["total"] == len(page["results"])
        return len(captured)

    add(1)
    searched(member_api, q="laptop")  # the token's first use records last_used_at
    few = queries()
    add(9)
    assert queries() == few
