"""The people gate: employees find everyone; guests only the people in their spaces."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.conftest import make_person
from waggle.core.errors import NotFound
from waggle.people.access import access_person, visible_people
from waggle.people.models import User
from waggle.spaces.actions import do_join_space
from waggle.spaces.models import Space


@pytest.fixture
def everyone(
    space: Space, private_space: Space, external_space: Space, outsider: User, admin_user: User
) -> dict[str, User]:
    return {u.username: u for u in User.objects.all()}


@pytest.mark.parametrize("viewer", ["oscar", "mira", "hana", "ada"])
def test_employees_and_administrators_see_every_active_person(
    everyone: dict[str, User], viewer: str
) -> None:
    names = set(visible_people(everyone[viewer]).values_list("username", flat=True))
    assert names == set(everyone)
    assert access_person(everyone[viewer], "gita") == everyone["gita"]


def test_a_guest_sees_only_the_people_in_their_spaces(everyone: dict[str, User]) -> None:
    guest = everyone["gita"]
    assert set(visible_people(guest).values_list("username", flat=True)) == {"gita", "hana"}
    assert access_person(guest, "hana") == everyone["hana"]
    for hidden in ("mira", "oscar", "ada", "otto"):
        with pytest.raises(NotFound):
            access_person(guest, hidden)
    # A colleague who joins the external space becomes visible to the guest.
    do_join_space(Space.objects.get(slug="partner-portal"), acting_user=everyone["mira"])
    assert access_person(guest, "mira") == everyone["mira"]


def test_a_guest_in_no_space_sees_nobody(db: None) -> None:
    lonely = make_person("lonely", is_guest=True)
    make_person("someone")
    assert not visible_people(lonely).exists()


@pytest.mark.parametrize("viewer", [None, AnonymousUser()])
def test_a_visitor_who_is_not_signed_in_sees_nobody(
    everyone: dict[str, User], viewer: Any
) -> None:
    assert not visible_people(viewer).exists()
    with pytest.raises(NotFound):
        access_person(viewer, "mira")


def test_inactive_people_are_not_listed_and_see_nobody(everyone: dict[str, User]) -> None:
    gone = everyone["otto"]
    gone.is_active = False
    gone.save()
    with pytest.raises(NotFound):
        access_person(everyone["mira"], "otto")
    assert not visible_people(gone).exists()


@pytest.mark.parametrize("garbage", ["", "nobody", "mira ", "mir", -1, 2**70, None])
def test_unknown_usernames_are_not_found(everyone: dict[str, User], garbage: Any) -> None:
    with pytest.raises(NotFound):
        access_person(everyone["mira"], garbage)


def test_a_username_is_found_whatever_its_case(everyone: dict[str, User]) -> None:
    # "@Mira" in a post links to /people/Mira/; usernames are unique whatever their case.
    assert access_person(everyone["oscar"], "MIRA") == everyone["mira"]
    with pytest.raises(NotFound):
        access_person(everyone["gita"], "MIRA")
