"""The visibility gate for spaces; every other gate (posts, people, ...) is built on this one.

Rules:
- an anonymous visitor sees nothing;
- a guest sees only the external spaces they are a member of (by invitation);
- everyone else sees open and external spaces, and the private spaces they belong to.
Administrators get no extra read access: they run Waggle, they do not read private spaces.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from waggle.core.errors import NotFound
from waggle.spaces.models import Membership, Space


def _member_space_ids(user: Any) -> QuerySet[Membership, int]:
    return Membership.objects.filter(user_id=user.pk).values_list("space_id", flat=True)


def visible_spaces(user: Any) -> QuerySet[Space]:
    """All spaces `user` may see. Every list of spaces starts here."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Space.objects.none()
    if user.is_guest:
        return Space.objects.filter(
            visibility=Space.Visibility.EXTERNAL, id__in=_member_space_ids(user)
        )
    return Space.objects.filter(
        Q(visibility__in=[Space.Visibility.OPEN, Space.Visibility.EXTERNAL])
        | Q(id__in=_member_space_ids(user))
    )


def access_space(user: Any, slug_or_id: str | int) -> Space:
    """The space, if `user` may see it; otherwise NotFound (never reveal that it exists)."""
    spaces = visible_spaces(user)
    try:
        if isinstance(slug_or_id, int) or str(slug_or_id).isdigit():
            return spaces.get(pk=int(slug_or_id))
        return spaces.get(slug=slug_or_id)
    except (Space.DoesNotExist, ValueError, OverflowError):
        raise NotFound("No such space.") from None


def membership_of(user: Any, space: Space) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(space=space, user_id=user.pk).first()


def is_member(user: Any, space: Space) -> bool:
    return membership_of(user, space) is not None


def is_host(user: Any, space: Space) -> bool:
    m = membership_of(user, space)
    return m is not None and m.role == Membership.Role.HOST


def can_post_in(user: Any, space: Space) -> bool:
    """Members post in any space they belong to; in open and external spaces anyone who can
    see the space may post (posting there makes them a member)."""
    if user is None or not user.is_authenticated:
        return False
    return is_member(user, space) or _may_post_without_joining(user, space)


def roles_in(user: Any, space: Space) -> tuple[bool, bool]:
    """(`can_post_in`, `is_host`) from one read of the user's membership (pages need both)."""
    membership = membership_of(user, space)
    if membership is not None:
        return True, membership.role == Membership.Role.HOST
    signed_in = user is not None and user.is_authenticated
    return signed_in and _may_post_without_joining(user, space), False


def _may_post_without_joining(user: Any, space: Space) -> bool:
    return not user.is_guest and space.visibility != Space.Visibility.PRIVATE
