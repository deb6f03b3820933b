"""Writes for spaces: start one, join, leave, invite, answer an invitation, appoint hosts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from waggle.core import audit
from waggle.core.errors import Invalid, NotAllowed, NotFound
from waggle.notify.actions import notify_on_commit
from waggle.spaces.access import is_host, membership_of
from waggle.spaces.models import Invitation, Membership, Space

RESERVED_SLUGS = frozenset({"new", "mine", "all"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "space"
    if base.isdigit() or base in RESERVED_SLUGS:
        # access_space reads an all-digit reference as an id, so "2025" would never be found;
        # reserved slugs are page names under /spaces/ ("new" is the start-a-space form).
        base = f"space-{base}"
    slug, n = base, 2
    while Space.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def do_create_space(
    name: str,
    *,
    acting_user: Any,
    description: str = "",
    visibility: str = Space.Visibility.OPEN,
    kind: str = Space.Kind.COMMUNITY,
    source: str = "",
    external_id: str = "",
) -> Space:
    """Anyone (but a guest) can start a space; they become its first host."""
    if acting_user is None or not acting_user.is_authenticated:
        raise NotAllowed("Sign in to start a space.")
    if acting_user.is_guest:
        raise NotAllowed("Guests cannot start spaces.")
    name = (name or "").strip()
    if len(name) < 2 or len(name) > 120:
        raise Invalid("A space name is 2 to 120 characters.", field="name")
    if visibility not in Space.Visibility.values:
        raise Invalid("Visibility is open, private or external.", field="visibility")
    if kind not in Space.Kind.values:
        raise Invalid("Kind is community, team, department or project.", field="kind")
    if len(description) > 5000:
        raise Invalid("At most 5000 characters.", field="description")
    with transaction.atomic():
        space = Space.objects.create(
            name=name, slug=_unique_slug(name), description=description.strip(),
            visibility=visibility, kind=kind, created_by=acting_user, source=source,
            external_id=external_id,
        )
        Membership.objects.create(space=space, user=acting_user, role=Membership.Role.HOST)
        audit.record(acting_user, "create_space", space, visibility=visibility)
    return space


def _require_signed_in(user: Any) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed("Sign in first.")


def do_join_space(space: Space, *, acting_user: Any) -> Membership:
    """Join an open or external space (guests and private spaces need an invitation)."""
    _require_signed_in(acting_user)
    existing = membership_of(acting_user, space)
    if existing is not None:
        return existing
    if acting_user.is_guest or space.visibility == Space.Visibility.PRIVATE:
        pending = Invitation.objects.filter(
            space=space, invitee=acting_user, status=Invitation.Status.PENDING
        ).first()
        if pending is None:
            raise NotFound("No such space.")
        return do_respond_to_invitation(pending, accept=True, acting_user=acting_user)
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(space=space, user=acting_user)
        audit.record(acting_user, "join_space", space)
    return membership


def do_leave_space(space: Space, *, acting_user: Any) -> None:
    """Leave a space. The last host must appoint another host first, unless nobody stays."""
    _require_signed_in(acting_user)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(space=space, user=acting_user).first()
        )
        if membership is None:
            return
        if membership.role == Membership.Role.HOST:
            other_hosts = Membership.objects.filter(
                space=space, role=Membership.Role.HOST
            ).exclude(pk=membership.pk)
            others = Membership.objects.filter(space=space).exclude(pk=membership.pk)
            if others.exists() and not other_hosts.exists():
                raise Invalid(
                    "You are the only host: make another member a host before you leave."
                )
        membership.delete()
        audit.record(acting_user, "leave_space", space)


def do_invite_to_space(space: Space, invitee: Any, *, acting_user: Any) -> Invitation:
    """Invite a person. Hosts invite anyone (guests only into external spaces); members of a
    private space may invite colleagues."""
    if not is_host(acting_user, space):
        if membership_of(acting_user, space) is None or invitee.is_guest:
            raise NotAllowed("Only hosts can invite to this space.")
    if invitee.is_guest and space.visibility != Space.Visibility.EXTERNAL:
        raise Invalid("Guests can only be invited to external spaces.", field="invitee")
    if membership_of(invitee, space) is not None:
        raise Invalid(f"{invitee.name} is already a member.", field="invitee")
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            space=space, invitee=invitee, defaults={"invited_by": acting_user}
        )
        if not created and invitation.status != Invitation.Status.PENDING:
            invitation.status = Invitation.Status.PENDING
            invitation.invited_by = acting_user
            invitation.answered_at = None
            invitation.save()
        audit.record(acting_user, "invite_to_space", space, invitee_id=invitee.pk)
        notify_on_commit([{"recipient_id": invitee.pk, "verb": "invited",
                           "actor_id": acting_user.pk, "space_id": space.pk}])
    return invitation


def do_respond_to_invitation(invitation: Invitation, *, accept: bool, acting_user: Any) -> Any:
    if invitation.invitee_id != acting_user.pk:
        raise NotFound("No such invitation.")
    if invitation.status != Invitation.Status.PENDING:
        raise Invalid("This invitation was already answered.")
    with transaction.atomic():
        invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save()
        membership = None
        if accept:
            membership, _ = Membership.objects.get_or_create(
                space=invitation.space, user=acting_user
            )
        audit.record(acting_user, "respond_to_invitation", invitation.space, accepted=accept)
    return membership


def do_set_member_role(space: Space, person: Any, role: str, *, acting_user: Any) -> Membership:
    """A host makes a member a host, or a host a member."""
    if not is_host(acting_user, space):
        raise NotAllowed("Only hosts can change roles.")
    if role not in Membership.Role.values:
        raise Invalid("Role is member or host.", field="role")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(space=space, user=person).first()
        if membership is None:
            raise Invalid(f"{person.name} is not a member.", field="person")
        if role == Membership.Role.MEMBER and membership.role == Membership.Role.HOST:
            if not Membership.objects.filter(space=space, role=Membership.Role.HOST).exclude(
                pk=membership.pk
            ).exists():
                raise Invalid("A space needs at least one host.")
        membership.role = role
        membership.save()
        audit.record(acting_user, "set_member_role", space, person_id=person.pk, role=role)
    return membership
