"""Who may see which insights.

- **Space health** is for the hosts of that space (they tend it; they already see each of its
  posts). Anyone else who can see the space is told they may not; a space they cannot see is not
  found.
- **Organization-wide insights** (the help network between departments, value across the
  organization) are for enablers (`User.is_enabler`: L&D, knowledge managers). Administrators
  get no extra read access: `is_staff` alone is not enough, as everywhere else.
- **Nobody** gets a per-person activity view: no function here or in the insights modules takes
  a person and returns what they did. A person's own impact is `waggle.value.impact.impact_of`,
  shown to that person (or to colleagues when they share it).
"""

from __future__ import annotations

from typing import Any

from waggle.core.errors import NotAllowed
from waggle.spaces.access import access_space, is_host
from waggle.spaces.models import Space


def _signed_in(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_see_space_health(user: Any, space: Space) -> bool:
    """Hosts of `space` see its health."""
    return _signed_in(user) and not user.is_guest and is_host(user, space)


def can_see_org_insights(user: Any) -> bool:
    """Enablers see organization-wide aggregate insights; administrators as such do not."""
    return _signed_in(user) and not user.is_guest and bool(user.is_enabler)


def access_space_health(user: Any, slug_or_id: str | int) -> Space:
    """The space whose health `user` asks for: NotFound when they cannot see it, NotAllowed when
    they see it but do not host it."""
    space = access_space(user, slug_or_id)
    if not can_see_space_health(user, space):
        raise NotAllowed("Only the hosts of a space see its health.")
    return space


def require_org_insights(user: Any) -> None:
    """NotAllowed unless `user` is an enabler."""
    if not can_see_org_insights(user):
        raise NotAllowed("Organization-wide insights are for enablers.")
