"""GET /api/posts/{id} lists the post's links to posts the caller may see.

Links are made with `PostLink.objects.create`, as the importers write them (from Stack
Exchange PostLinks): related links and links of any age have no action of their own (hosts
mark duplicates with `do_mark_duplicate`, tested in test_duplicates_and_similar.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.client import ApiClient
from tests.links import DUPLICATE, RELATED, ask, link
from waggle.exchange.actions import do_answer_question
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.models import Space


def links_of(api: ApiClient, post: Post) -> list[dict[str, Any]]:
    response = api.get(f"/api/posts/{post.pk}")
    assert response.status_code == 200, response.content
    links: list[dict[str, Any]] = response.json()["links"]
    return links


def test_a_post_lists_its_links_with_what_each_one_means(
    member_api: ApiClient, question: Post, space: Space, other_member: User
) -> None:
    original = ask(space, other_member, "Speeding up slow reports")
    copy = ask(space, other_member, "Reports are slow")
    related = ask(space, other_member, "Reading query plans")
    link(question, original, DUPLICATE)
    link(copy, question, DUPLICATE)
    link(related, question, RELATED, days_ago=1)
    link(question, related, RELATED, days_ago=2)  # both ways: listed once
    assert links_of(member_api, question) == [
        {
            "kind": "duplicate_of",
            "post": {
                "id": original.pk,
                "kind": "question",
                "title": original.title,
                "url": f"/posts/{original.pk}/",
            },
        },
        {
            "kind": "duplicated_by",
            "post": {
                "id": copy.pk,
                "kind": "question",
                "title": copy.title,
                "url": f"/posts/{copy.pk}/",
            },
        },
        {
            "kind": "related",
            "post": {
                "id": related.pk,
                "kind": "question",
                "title": related.title,
                "url": f"/posts/{related.pk}/",
            },
        },
    ]
    # Seen from the other end, the same link reads the other way.
    assert [(x["kind"], x["post"]["id"]) for x in links_of(member_api, original)] == [
        ("duplicated_by", question.pk)
    ]


def test_a_link_to_an_answer_names_its_question(
    member_api: ApiClient, question: Post, space: Space, other_member: User
) -> None:
    elsewhere = ask(space, other_member, "Postgres configuration checklist")
    answer = do_answer_question(elsewhere, acting_user=other_member, body="Set work_mem.")
    link(question, answer, RELATED)
    assert links_of(member_api, question) == [
        {
            "kind": "related",
            "post": {
                "id": answer.pk,
                "kind": "answer",
                "title": elsewhere.title,
                "url": f"/posts/{elsewhere.pk}/#post-{answer.pk}",
            },
        },
    ]


def test_a_post_in_a_private_space_is_listed_only_for_its_members(
    member_api: ApiClient,
    outsider_api: ApiClient,
    question: Post,
    private_question: Post,
    private_space: Space,
    member: User,
) -> None:
    private_related = ask(private_space, member, "Due diligence checklist")
    link(question, private_question, DUPLICATE)
    link(private_related, question, RELATED)

    response = outsider_api.get(f"/api/posts/{question.pk}")
    assert response.status_code == 200
    assert response.json()["links"] == []
    assert private_question.title not in response.content.decode()
    assert private_related.title not in response.content.decode()

    assert [(x["kind"], x["post"]["title"]) for x in links_of(member_api, question)] == [
        ("duplicate_of", private_question.title),
        ("related", private_related.title),
    ]


def test_lists_hold_the_newest_ten_links_of_each_kind(
    member_api: ApiClient, question: Post, space: Space, other_member: User
) -> None:
    for i in range(12):
        link(ask(space, other_member, f"Copy {i}"), question, DUPLICATE, days_ago=i)
    titles = [x["post"]["title"] for x in links_of(member_api, question)]
    assert titles == [f"Copy {i}" for i in range(10)]


def test_post_lists_do_not_carry_links(
    member_api: ApiClient, question: Post, space: Space, other_member: User
) -> None:
    """Links belong to the post's own answer: a list of posts reads none."""
    link(question, ask(space, other_member, "Another one"), RELATED)
    items = member_api.get("/api/posts").json()["items"]
    assert items and all("links" not in item for item in items)


def _count_queries(api: ApiClient, post: Post) -> int:
    with CaptureQueriesContext(connection) as queries:
        links_of(api, post)
    return len(queries)


def _add_links(
    question: Post, space: Space, private_space: Space, author: User, count: int, start: int
) -> None:
    for i in range(start, start + count):
        where = private_space if i % 3 == 0 else space
        link(question, ask(where, author, f"Original {i}"), DUPLICATE)
        link(ask(where, author, f"Copy {i}"), question, DUPLICATE)
        link(question, ask(where, author, f"Related out {i}"), RELATED)
        link(ask(where, author, f"Related in {i}"), question, RELATED)


def test_the_links_cost_a_fixed_number_of_queries(
    member_api: ApiClient, question: Post, space: Space, private_space: Space, host: User
) -> None:
    member_api.get("/api/me")  # the token's first use records last_used_at: keep it out
    _add_links(question, space, private_space, host, 3, 0)
    few = _count_queries(member_api, question)
    assert len(links_of(member_api, question)) == 12
    _add_links(question, space, private_space, host, 27, 3)
    many = _count_queries(member_api, question)
    assert len(links_of(member_api, question)) == 30  # ten of each kind
    assert few == many, f"{few} queries with 12 links, {many} with 120"
