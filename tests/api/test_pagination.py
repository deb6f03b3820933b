"""Lists page with `limit` and a keyset `cursor`: every item once, in order, bad cursors 400."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from tests.api.client import ApiClient
from waggle.exchange.actions import do_post_update
from waggle.people.models import User
from waggle.spaces.models import Space


@pytest.fixture
def updates(space: Space, member: User) -> list[int]:
    """45 updates; groups of three share a timestamp so the cursor must break ties by id."""
    start = timezone.now() - dt.timedelta(days=1)
    return [
        do_post_update(
            space,
            acting_user=member,
            body=f"Update {i}",
            created_at=start + dt.timedelta(minutes=i // 3),
        ).pk
        for i in range(45)
    ]


def test_paging_returns_every_item_once_newest_first(
    member_api: ApiClient, updates: list[int]
) -> None:
    seen: list[int] = []
    pages = 0
    params: dict[str, Any] = {}
    while True:
        page = member_api.get("/api/posts", params).json()
        seen.extend(p["id"] for p in page["items"])
        pages += 1
        if page["next_cursor"] is None:
            break
        params = {"cursor": page["next_cursor"]}
    assert pages == 3  # 20 + 20 + 5 with the default limit
    assert seen == sorted(updates, reverse=True)


def test_limit(member_api: ApiClient, updates: list[int]) -> None:
    assert len(member_api.get("/api/posts", {"limit": 7}).json()["items"]) == 7
    assert len(member_api.get("/api/posts", {"limit": 100}).json()["items"]) == 45
    for bad in (0, 101, -5):
        response = member_api.get("/api/posts", {"limit": bad})
        assert response.status_code == 422
        assert response.json()["field"] == "limit"


def _cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !!",
        base64.urlsafe_b64encode(b"not json").decode(),
        _cursor({"a": 1}),
        _cursor(["2024-01-01T00:00:00+00:00"]),
        _cursor(["yesterday", 5]),
        _cursor(["2024-01-01T00:00:00+00:00", 2**70]),
        _cursor([True, 1]),
        _cursor([["nested"], 1]),
        "\u00e9\u00e9\u00e9",
        _cursor(["2024-01-01T00:00:00", 5]),
        _cursor(["2024-01-01T00:00:00+00:00\u0000", 5]),
    ],
)
def test_forged_cursors_are_a_400(member_api: ApiClient, cursor: str) -> None:
    response = member_api.get("/api/posts", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"detail": response.json()["detail"], "field": "cursor"}


def test_cursor_of_a_name_ordered_list(member_api: ApiClient, space: Space, host: User) -> None:
    from waggle.spaces.actions import do_create_space

    for name in ["Beta", "Alpha", "Gamma", "Alpha"]:
        do_create_space(name, acting_user=host)
    first = member_api.get("/api/spaces", {"limit": 2}).json()
    rest = member_api.get("/api/spaces", {"limit": 10, "cursor": first["next_cursor"]}).json()
    names = [s["name"] for s in first["items"] + rest["items"]]
    assert names == ["Alpha", "Alpha", "Beta", "Data Science", "Gamma"]
    assert rest["next_cursor"] is None
