"""Spaces actions: start, join, leave, invite, answer invitations, appoint hosts; all audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.conftest import make_person
from waggle.core.errors import Invalid, NotAllowed, NotFound
from waggle.core.models import AuditEntry
from waggle.people.models import User
from waggle.spaces.access import access_space, is_host, is_member
from waggle.spaces.actions import (
    do_create_space,
    do_invite_to_space,
    do_join_space,
    do_leave_space,
    do_respond_to_invitation,
    do_set_member_role,
)
from waggle.spaces.models import Invitation, Membership, Space


def audit_actions(actor: User | None, space: Space) -> list[str]:
    """The audit log's record of what `actor` did to `space`, oldest first."""
    return list(
        AuditEntry.objects.filter(
            actor_id=getattr(actor, "pk", None), target_type="spaces.space", target_id=space.pk
        ).order_by("id").values_list("action", flat=True)
    )


# --- starting a space -------------------------------------------------------------------


def test_anyone_starts_a_space_and_becomes_its_host(outsider: User) -> None:
    s = do_create_space("  Coffee Lovers ", acting_user=outsider, description="Beans")
    assert s.name == "Coffee Lovers"
    assert s.slug == "coffee-lovers"
    assert s.visibility == Space.Visibility.OPEN
    assert is_host(outsider, s)
    assert list(s.memberships.values_list("user_id", flat=True)) == [outsider.pk]
    assert audit_actions(outsider, s) == ["create_space"]


def test_two_spaces_with_the_same_name_get_distinct_slugs(host: User, outsider: User) -> None:
    first = do_create_space("Rust", acting_user=host)
    second = do_create_space("Rust", acting_user=outsider)
    assert first.slug == "rust"
    assert second.slug == "rust-2"


def test_a_name_without_letters_still_gets_a_slug(outsider: User) -> None:
    s = do_create_space("!!", acting_user=outsider)
    assert s.slug == "space"


def test_a_space_named_with_digits_is_found_by_its_slug(host: User, outsider: User) -> None:
    # All-digit references are ids, so such a slug would lead nowhere (or to another space).
    s = do_create_space("2025", acting_user=host)
    assert not s.slug.isdigit()
    assert access_space(outsider, s.slug) == s


def test_a_guest_cannot_start_a_space(guest: User) -> None:
    with pytest.raises(NotAllowed):
        do_create_space("Partner corner", acting_user=guest)
    assert not Space.objects.exists()


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()])
def test_a_visitor_who_is_not_signed_in_cannot_start_a_space(
    db: None, anonymous: AnonymousUser | None
) -> None:
    with pytest.raises(NotAllowed):
        do_create_space("Ghosts", acting_user=anonymous)
    assert not Space.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "x"}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "y" * 121}, "name"),
        ({"name": "Fine", "visibility": "secret"}, "visibility"),
        ({"name": "Fine", "kind": "guild"}, "kind"),
        ({"name": "Fine", "description": "d" * 5001}, "description"),
    ],
)
def test_a_space_needs_valid_fields(outsider: User, kwargs: dict, field: str) -> None:
    with pytest.raises(Invalid) as exc:
        do_create_space(acting_user=outsider, **kwargs)
    assert exc.value.field == field
    assert not Space.objects.exists()
    assert not AuditEntry.objects.filter(action="create_space").exists()


# --- joining and leaving ----------------------------------------------------------------


def test_a_member_joins_and_leaves_an_open_space(space: Space, outsider: User) -> None:
    membership = do_join_space(space, acting_user=outsider)
    assert membership.role == Membership.Role.MEMBER
    assert is_member(outsider, space)
    do_leave_space(space, acting_user=outsider)
    assert not is_member(outsider, space)
    assert audit_actions(outsider, space) == ["join_space", "leave_space"]


def test_joining_twice_keeps_one_membership_and_one_audit_entry(
    space: Space, outsider: User
) -> None:
    first = do_join_space(space, acting_user=outsider)
    second = do_join_space(space, acting_user=outsider)
    assert first.pk == second.pk
    assert space.memberships.filter(user=outsider).count() == 1
    assert audit_actions(outsider, space) == ["join_space"]


def test_leaving_a_space_you_are_not_in_changes_nothing(space: Space, outsider: User) -> None:
    do_leave_space(space, acting_user=outsider)
    assert audit_actions(outsider, space) == []


def test_an_employee_joins_an_external_space_without_an_invitation(
    external_space: Space, member: User
) -> None:
    do_join_space(external_space, acting_user=member)
    assert is_member(member, external_space)


def test_a_private_space_cannot_be_joined_without_an_invitation(
    private_space: Space, outsider: User
) -> None:
    # NotFound, not NotAllowed: the space must not reveal that it exists.
    with pytest.raises(NotFound):
        do_join_space(private_space, acting_user=outsider)
    assert not is_member(outsider, private_space)
    with pytest.raises(NotFound):
        access_space(outsider, private_space.slug)


def test_joining_a_private_space_with_a_pending_invitation_accepts_it(
    private_space: Space, host: User, outsider: User
) -> None:
    invitation = do_invite_to_space(private_space, outsider, acting_user=host)
    do_join_space(private_space, acting_user=outsider)
    assert is_member(outsider, private_space)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_a_guest_cannot_join_an_open_or_uninvited_external_space(
    space: Space, host: User, guest: User
) -> None:
    other_external = do_create_space(
        "Supplier Portal", acting_user=host, visibility=Space.Visibility.EXTERNAL
    )
    for s in (space, other_external):
        with pytest.raises(NotFound):
            do_join_space(s, acting_user=guest)
        assert not is_member(guest, s)


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()])
def test_a_visitor_who_is_not_signed_in_cannot_join_or_leave(
    space: Space, anonymous: AnonymousUser | None
) -> None:
    before = space.memberships.count()
    with pytest.raises(NotAllowed):
        do_join_space(space, acting_user=anonymous)
    with pytest.raises(NotAllowed):
        do_leave_space(space, acting_user=anonymous)
    assert space.memberships.count() == before


def test_the_last_host_cannot_leave_while_others_stay(space: Space, host: User) -> None:
    with pytest.raises(Invalid):
        do_leave_space(space, acting_user=host)
    assert is_host(host, space)
    assert "leave_space" not in audit_actions(host, space)


def test_a_host_leaves_once_another_host_is_appointed(
    space: Space, host: User, member: User
) -> None:
    do_set_member_role(space, member, Membership.Role.HOST, acting_user=host)
    do_leave_space(space, acting_user=host)
    assert not is_member(host, space)
    assert is_host(member, space)


def test_the_last_person_in_a_space_may_leave_it(outsider: User) -> None:
    s = do_create_space("Solo", acting_user=outsider)
    do_leave_space(s, acting_user=outsider)
    assert not s.memberships.exists()


# --- invitations -------------------------------------------------------------------------


def test_a_host_invites_and_the_invitee_accepts(
    private_space: Space, host: User, outsider: User
) -> None:
    invitation = do_invite_to_space(private_space, outsider, acting_user=host)
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.invited_by == host
    # An invitation alone gives no sight of the space.
    with pytest.raises(NotFound):
        access_space(outsider, private_space.pk)
    membership = do_respond_to_invitation(invitation, accept=True, acting_user=outsider)
    assert membership is not None and membership.role == Membership.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.answered_at is not None
    assert access_space(outsider, private_space.pk) == private_space
    assert audit_actions(host, private_space)[-1] == "invite_to_space"
    assert audit_actions(outsider, private_space) == ["respond_to_invitation"]
    entry = AuditEntry.objects.filter(actor=outsider, action="respond_to_invitation").get()
    assert entry.data == {"accepted": True}


def test_a_declined_invitation_makes_no_membership_and_can_be_renewed(
    private_space: Space, host: User, outsider: User
) -> None:
    invitation = do_invite_to_space(private_space, outsider, acting_user=host)
    assert do_respond_to_invitation(invitation, accept=False, acting_user=outsider) is None
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert not is_member(outsider, private_space)
    # Re-inviting turns the same invitation back to pending.
    again = do_invite_to_space(private_space, outsider, acting_user=host)
    assert again.pk == invitation.pk
    assert again.status == Invitation.Status.PENDING
    assert again.answered_at is None
    do_respond_to_invitation(again, accept=True, acting_user=outsider)
    assert is_member(outsider, private_space)


def test_an_invitation_is_answered_once(private_space: Space, host: User, outsider: User) -> None:
    invitation = do_invite_to_space(private_space, outsider, acting_user=host)
    do_respond_to_invitation(invitation, accept=True, acting_user=outsider)
    with pytest.raises(Invalid):
        do_respond_to_invitation(invitation, accept=False, acting_user=outsider)
    assert is_member(outsider, private_space)


def test_only_the_invitee_answers_an_invitation(
    private_space: Space, host: User, outsider: User, other_member: User
) -> None:
    invitation = do_invite_to_space(private_space, outsider, acting_user=host)
    with pytest.raises(NotFound):
        do_respond_to_invitation(invitation, accept=True, acting_user=other_member)
    assert not is_member(other_member, private_space)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_a_member_of_a_private_space_may_invite_a_colleague(
    private_space: Space, member: User, outsider: User
) -> None:
    invitation = do_invite_to_space(private_space, outsider, acting_user=member)
    assert invitation.invited_by == member


def test_someone_outside_a_space_cannot_invite_to_it(
    private_space: Space, outsider: User, other_member: User
) -> None:
    with pytest.raises(NotAllowed):
        do_invite_to_space(private_space, other_member, acting_user=outsider)
    assert not Invitation.objects.filter(invitee=other_member).exists()


def test_guests_are_invited_only_into_external_spaces(
    space: Space, private_space: Space, external_space: Space, host: User
) -> None:
    partner = make_person("pat", is_guest=True)
    for s in (space, private_space):
        with pytest.raises(Invalid) as exc:
            do_invite_to_space(s, partner, acting_user=host)
        assert exc.value.field == "invitee"
    invitation = do_invite_to_space(external_space, partner, acting_user=host)
    do_respond_to_invitation(invitation, accept=True, acting_user=partner)
    assert is_member(partner, external_space)
    assert access_space(partner, external_space.slug) == external_space


def test_only_hosts_invite_guests(external_space: Space, member: User) -> None:
    do_join_space(external_space, acting_user=member)
    partner = make_person("pat", is_guest=True)
    with pytest.raises(NotAllowed):
        do_invite_to_space(external_space, partner, acting_user=member)
    assert not Invitation.objects.filter(invitee=partner).exists()


def test_a_member_cannot_be_invited_again(space: Space, host: User, member: User) -> None:
    with pytest.raises(Invalid):
        do_invite_to_space(space, member, acting_user=host)


def test_inviting_twice_keeps_one_pending_invitation(
    private_space: Space, host: User, outsider: User
) -> None:
    do_invite_to_space(private_space, outsider, acting_user=host)
    do_invite_to_space(private_space, outsider, acting_user=host)
    assert Invitation.objects.filter(space=private_space, invitee=outsider).count() == 1


# --- roles -------------------------------------------------------------------------------


def test_a_host_appoints_and_removes_another_host(space: Space, host: User, member: User) -> None:
    do_set_member_role(space, member, Membership.Role.HOST, acting_user=host)
    assert is_host(member, space)
    do_set_member_role(space, member, Membership.Role.MEMBER, acting_user=host)
    assert not is_host(member, space)
    entries = AuditEntry.objects.filter(actor=host, action="set_member_role").order_by("id")
    assert [e.data for e in entries] == [
        {"person_id": member.pk, "role": "host"},
        {"person_id": member.pk, "role": "member"},
    ]


def test_a_member_cannot_change_roles(space: Space, member: User, other_member: User) -> None:
    with pytest.raises(NotAllowed):
        do_set_member_role(space, other_member, Membership.Role.HOST, acting_user=member)
    with pytest.raises(NotAllowed):
        do_set_member_role(space, member, Membership.Role.HOST, acting_user=member)
    assert not is_host(member, space)
    assert not is_host(other_member, space)


def test_roles_are_member_or_host(space: Space, host: User, member: User) -> None:
    with pytest.raises(Invalid) as exc:
        do_set_member_role(space, member, "owner", acting_user=host)
    assert exc.value.field == "role"


def test_only_members_get_a_role(space: Space, host: User, outsider: User) -> None:
    with pytest.raises(Invalid) as exc:
        do_set_member_role(space, outsider, Membership.Role.HOST, acting_user=host)
    assert exc.value.field == "person"
    assert not is_member(outsider, space)


def test_a_space_keeps_at_least_one_host(space: Space, host: User) -> None:
    with pytest.raises(Invalid):
        do_set_member_role(space, host, Membership.Role.MEMBER, acting_user=host)
    assert is_host(host, space)


def test_a_space_named_like_a_page_gets_a_slug_that_does_not_hide_it(host: User) -> None:
    from waggle.spaces.actions import do_create_space

    space = do_create_space("New", acting_user=host)
    assert space.slug != "new"
    assert space.slug == "space-new"
