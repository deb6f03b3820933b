"""The space gate: who sees which space, and NotFound (never a hint) for everything hidden."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.conftest import make_person
from waggle.core.errors import NotFound
from waggle.people.models import User
from waggle.spaces.access import access_space, can_post_in, visible_spaces
from waggle.spaces.actions import do_invite_to_space, do_join_space, do_leave_space
from waggle.spaces.models import Space

# Which of the three fixture spaces each kind of viewer may see. An administrator is an
# ordinary reader: no private space they are not in.
EXPECTED = {
    "anonymous": set(),
    "outsider": {"open", "external"},
    "member": {"open", "private", "external"},
    "host": {"open", "private", "external"},
    "admin": {"open", "external"},
    "guest": {"external"},
}

GARBAGE_IDS: list[Any] = ["abc", -1, "-1", 0, 2**70, str(2**70), "", "1; DROP TABLE", "²", None]


@pytest.fixture
def spaces(space: Space, private_space: Space, external_space: Space) -> dict[str, Space]:
    return {"open": space, "private": private_space, "external": external_space}


@pytest.fixture
def viewers(
    outsider: User, member: User, host: User, admin_user: User, guest: User
) -> dict[str, Any]:
    return {
        "anonymous": AnonymousUser(), "outsider": outsider, "member": member, "host": host,
        "admin": admin_user, "guest": guest,
    }


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_visible_spaces_follow_the_rules(
    spaces: dict[str, Space], viewers: dict[str, Any], viewer: str
) -> None:
    user = viewers[viewer]
    seen = set(visible_spaces(user).values_list("pk", flat=True))
    assert seen == {spaces[k].pk for k in EXPECTED[viewer]}
    for key, s in spaces.items():
        if key in EXPECTED[viewer]:
            assert access_space(user, s.slug) == s
            assert access_space(user, s.pk) == s
            assert access_space(user, str(s.pk)) == s
        else:
            with pytest.raises(NotFound):
                access_space(user, s.slug)
            with pytest.raises(NotFound):
                access_space(user, s.pk)


def test_no_viewer_for_none(spaces: dict[str, Space]) -> None:
    assert not visible_spaces(None).exists()
    with pytest.raises(NotFound):
        access_space(None, spaces["open"].slug)


@pytest.mark.parametrize("garbage", GARBAGE_IDS)
def test_garbage_ids_are_not_found(spaces: dict[str, Space], member: User, garbage: Any) -> None:
    with pytest.raises(NotFound):
        access_space(member, garbage)


def test_a_missing_space_and_a_hidden_one_look_the_same(
    private_space: Space, outsider: User
) -> None:
    with pytest.raises(NotFound) as hidden:
        access_space(outsider, private_space.slug)
    with pytest.raises(NotFound) as missing:
        access_space(outsider, "no-such-space")
    assert hidden.value.message == missing.value.message


def test_leaving_a_private_space_takes_it_out_of_sight_at_once(
    private_space: Space, member: User
) -> None:
    assert access_space(member, private_space.slug) == private_space
    do_leave_space(private_space, acting_user=member)
    with pytest.raises(NotFound):
        access_space(member, private_space.slug)
    assert private_space not in visible_spaces(member)


def test_an_inactive_person_sees_no_space(
    spaces: dict[str, Space], member: User, host: User
) -> None:
    for person in (member, host):
        person.is_active = False
        person.save()
        assert not visible_spaces(person).exists()
        with pytest.raises(NotFound):
            access_space(person, spaces["open"].slug)


def test_a_guest_sees_an_external_space_only_after_joining_it(
    external_space: Space, guest: User, host: User
) -> None:
    partner = make_person("pat", is_guest=True)
    with pytest.raises(NotFound):
        access_space(partner, external_space.slug)
    do_invite_to_space(external_space, partner, acting_user=host)
    with pytest.raises(NotFound):
        access_space(partner, external_space.slug)
    do_join_space(external_space, acting_user=partner)
    assert access_space(partner, external_space.slug) == external_space


def test_the_visible_list_is_one_query_filter_so_counts_are_right(
    spaces: dict[str, Space], outsider: User
) -> None:
    # Visibility lives in SQL: counting and slicing the queryset give the right numbers.
    assert visible_spaces(outsider).count() == 2
    assert len(visible_spaces(outsider).order_by("name")[:1]) == 1


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("anonymous", set()),
        ("outsider", {"open", "external"}),
        ("member", {"open", "private", "external"}),
        ("admin", {"open", "external"}),
        ("guest", {"external"}),
    ],
)
def test_who_may_post_where(
    spaces: dict[str, Space], viewers: dict[str, Any], viewer: str, expected: set[str]
) -> None:
    user = viewers[viewer]
    assert {k for k, s in spaces.items() if can_post_in(user, s)} == expected
