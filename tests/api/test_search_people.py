"""`GET /api/search/people`: the people found and their shape, pages, bad input, sign-in, and
the visibility gate (a guest finds only the people of their spaces; a deactivated person is
neither returned nor counted)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.client import ApiClient
from tests.conftest import make_person
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Space


def found(api: ApiClient, **params: Any) -> dict[str, Any]:
    response = api.get("/api/search/people", params)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def usernames(page: dict[str, Any]) -> list[str]:
    return [person["username"] for person in page["results"]]


@pytest.fixture
def alice(db: Any, department: Any) -> User:
    alice = make_person("alice", display_name="Alice Martin", title="SRE",
                        department=department)
    do_update_profile(alice, acting_user=alice, skills=["kubernetes"], location="Lyon")
    return alice


def test_a_person_found_has_a_profile_and_no_activity_figures(member_api: ApiClient,
                                                               alice: User) -> None:
    page = found(member_api, q="ali")
    assert page["query"] == "ali" and page["total"] == 1 and page["pages"] == 1
    person = page["results"][0]
    assert person == {
        "username": "alice", "name": "Alice Martin", "title": "SRE",
        "department": "Engineering", "team": None, "location": "Lyon", "bio": "",
        "skills": ["kubernetes"], "open_to_mentoring": False, "is_guest": False,
        "knows_about": ["kubernetes"], "url": "/people/alice/",
    }


def test_prefixes_of_names_skills_and_roles_best_first(member_api: ApiClient, alice: User,
                                                       member: User, host: User) -> None:
    make_person("kube", display_name="Kubo Kubernetes-Fan")
    assert usernames(found(member_api, q="kubernetes")) == ["kube", "alice"]
    # The department: alphabetically by name among equals.
    assert usernames(found(member_api, q="engin")) == ["alice", "hana", "mira"]
    assert usernames(found(member_api, q="mira")) == ["mira"]


def test_pages_split_the_people_found(member_api: ApiClient, member: User) -> None:
    for i in range(5):
        make_person(f"pat{i}", display_name=f"Pat Person{i}")
    first = found(member_api, q="pat", per_page=3)
    second = found(member_api, q="pat", per_page=3, page=2)
    assert first["total"] == second["total"] == 5 and first["pages"] == 2
    assert len(first["results"]) == 3 and len(second["results"]) == 2
    assert not set(usernames(first)) & set(usernames(second))


def test_a_count_past_its_cap_says_so(member_api: ApiClient, member: User,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("waggle.search.people.COUNTED", 4)
    for i in range(6):
        make_person(f"pat{i}", display_name=f"Pat Person{i}")
    page = found(member_api, q="pat", per_page=3)
    assert page["total"] == 4 and page["total_capped"] and page["pages"] == 2
    last = found(member_api, q="pat", per_page=3, page=2)
    assert usernames(last) == ["pat3"]
    assert not found(member_api, q="pat person1")["total_capped"]


def test_a_guest_finds_only_the_people_of_their_spaces(
    alice: User, guest: User, host: User, member: User, external_space: Space
) -> None:
    guest_api = ApiClient(guest)
    assert usernames(found(guest_api, q="hana")) == ["hana"]
    for q in ("alice", "mira", "ali", "kubernetes", "lyon"):
        page = found(guest_api, q=q)
        assert page["results"] == [] and page["total"] == 0, q
    # Engineering holds Alice, Mira and Hana; the guest finds (and counts) Hana only.
    page = found(guest_api, q="engineering")
    assert usernames(page) == ["hana"] and page["total"] == 1


def test_a_deactivated_person_is_neither_found_nor_counted(member_api: ApiClient,
                                                           alice: User) -> None:
    make_person("alina", display_name="Alina Stone")
    assert found(member_api, q="ali")["total"] == 2
    User.objects.filter(pk=alice.pk).update(is_active=False)
    page = found(member_api, q="ali")
    assert usernames(page) == ["alina"] and page["total"] == 1


def test_signing_in_is_required(alice: User, member_client: Client) -> None:
    assert Client().get("/api/search/people", {"q": "ali"}).status_code == 401
    assert member_client.get("/api/search/people", {"q": "ali"}).json()["total"] == 1


@pytest.mark.parametrize(("params", "field"), [
    ({}, "q"),
    ({"q": "x" * 301}, "q"),
    ({"q": "ali\x00ce"}, "q"),
    ({"q": "ali", "page": "0"}, "page"),
    ({"q": "ali", "page": str(2**70)}, "page"),
    ({"q": "ali", "per_page": "1000"}, "per_page"),
])
def test_bad_parameters_get_a_clear_422(member_api: ApiClient, alice: User,
                                        params: dict[str, Any], field: str) -> None:
    response = member_api.get("/api/search/people", params)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


@pytest.mark.parametrize("q", ["", " ", '"unclosed', "-alice", "ali:*A", "'; DROP TABLE x; --",
                               "😀", "日本語", "_", "%", "x" * 300])
def test_any_text_is_a_search(member_api: ApiClient, alice: User, q: str) -> None:
    page = found(member_api, q=q)
    assert page["total"] == len(page["results"])
