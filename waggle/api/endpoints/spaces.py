"""Spaces: list, start, join, leave, and invite people."""

from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import (
    InvitationIn,
    InvitationOut,
    SpaceIn,
    SpaceKind,
    SpaceOut,
    SpaceVisibility,
)
from waggle.core.errors import NotFound
from waggle.people.access import access_person
from waggle.spaces.access import access_space, visible_spaces
from waggle.spaces.actions import (
    do_create_space,
    do_invite_to_space,
    do_join_space,
    do_leave_space,
)
from waggle.spaces.models import Invitation, Membership, Space

router = Router()


class SpaceFilters(Schema):
    q: str | None = Field(None, max_length=120, description="Part of the name.")
    visibility: SpaceVisibility | None = None
    kind: SpaceKind | None = None
    mine: bool = Field(False, description="Only spaces you are a member of.")


def _annotated(spaces: QuerySet[Space], user: Any) -> QuerySet[Space]:
    """Adds the member count and the viewer's role in the same query as the spaces."""
    role = Membership.objects.filter(space=OuterRef("pk"), user_id=user.pk).values("role")[:1]
    return spaces.annotate(member_count=Count("memberships"), viewer_role=Subquery(role))


def _space_out(slug: str, user: Any) -> Space:
    space = access_space(user, slug)
    return _annotated(Space.objects.filter(pk=space.pk), user).get()


@router.get("/spaces", response=list[SpaceOut], summary="List the spaces you can see")
@paginate(KeysetPagination, ordering=("name", "id"))
def list_spaces(request: HttpRequest, filters: Query[SpaceFilters]) -> QuerySet[Space]:
    user = viewer(request)
    spaces = _annotated(visible_spaces(user), user)
    if filters.q:
        spaces = spaces.filter(name__icontains=filters.q.strip())
    if filters.visibility:
        spaces = spaces.filter(visibility=filters.visibility)
    if filters.kind:
        spaces = spaces.filter(kind=filters.kind)
    if filters.mine:
        spaces = spaces.filter(id__in=Membership.objects.filter(user_id=user.pk).values("space_id"))
    return spaces


@router.post("/spaces", response={201: SpaceOut}, summary="Start a space (you become its host)")
def create_space(request: HttpRequest, payload: SpaceIn) -> Status:
    user = viewer(request)
    space = do_create_space(
        payload.name,
        acting_user=user,
        description=payload.description,
        visibility=payload.visibility,
        kind=payload.kind,
    )
    return Status(201, _space_out(space.slug, user))


@router.get("/spaces/{slug}", response=SpaceOut, summary="A space")
def get_space(request: HttpRequest, slug: str) -> Any:
    return _space_out(slug, viewer(request))


@router.post("/spaces/{slug}/join", response=SpaceOut, summary="Join a space")
def join_space(request: HttpRequest, slug: str) -> Any:
    """Join an open or external space, or accept your pending invitation to a private one."""
    user = viewer(request)
    try:
        space = access_space(user, slug)
    except NotFound:
        # A private space is hidden until you join it; your own pending invitation is the one
        # way to know it exists, so it is the one way in.
        invitation = (
            Invitation.objects.select_related("space")
            .filter(invitee_id=user.pk, status=Invitation.Status.PENDING, space__slug=slug)
            .first()
        )
        if invitation is None:
            raise
        space = invitation.space
    do_join_space(space, acting_user=user)
    return _space_out(space.slug, user)


@router.post("/spaces/{slug}/leave", response={204: None}, summary="Leave a space")
def leave_space(request: HttpRequest, slug: str) -> Status:
    user = viewer(request)
    do_leave_space(access_space(user, slug), acting_user=user)
    return Status(204, None)


@router.post("/spaces/{slug}/invitations", response={201: InvitationOut}, summary="Invite a person")
def invite(request: HttpRequest, slug: str, payload: InvitationIn) -> Status:
    user = viewer(request)
    space = access_space(user, slug)
    invitee = access_person(user, payload.username)
    invitation = do_invite_to_space(space, invitee, acting_user=user)
    invitation.space, invitation.invitee = space, invitee
    return Status(201, invitation)
