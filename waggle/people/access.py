"""Who may see whom: the people directory and profiles go through this gate."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from waggle.core.errors import NotFound
from waggle.people.models import User
from waggle.spaces.models import Membership


def visible_people(user: Any) -> QuerySet[User]:
    """People `user` may see: everyone for members; for guests, only people who share one of
    their spaces."""
    if user is None or not user.is_authenticated or not user.is_active:
        return User.objects.none()
    people = User.objects.filter(is_active=True)
    if user.is_guest:
        shared = Membership.objects.filter(
            space__in=Membership.objects.filter(user_id=user.pk).values("space_id")
        ).values("user_id")
        return people.filter(id__in=shared)
    return people


def access_person(user: Any, username: str) -> User:
    people = visible_people(user).select_related("department", "team")
    name = "" if username is None else str(username)
    try:
        return people.get(username=name)
    except User.DoesNotExist:
        # Usernames are unique whatever their case, so /people/Mira/ (from "@Mira") is mira.
        person = people.filter(username__iexact=name).order_by("pk").first()
        if person is None:
            raise NotFound("No such person.") from None
        return person
