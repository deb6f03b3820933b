"""People: the directory, profiles, and your own profile (`/api/me`)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import MeOut, PersonOut, ProfileIn
from waggle.people.access import access_person, visible_people
from waggle.people.actions import do_update_profile
from waggle.people.models import User

router = Router()


class PeopleFilters(Schema):
    q: str | None = Field(None, max_length=150, description="Part of a name or username.")


def _with_profile(people: QuerySet[User]) -> QuerySet[User]:
    return people.select_related("department", "team").prefetch_related("skills")


@router.get("/people", response=list[PersonOut], summary="List people")
@paginate(KeysetPagination, ordering=("username", "id"))
def list_people(request: HttpRequest, filters: Query[PeopleFilters]) -> QuerySet[User]:
    people = _with_profile(visible_people(viewer(request)))
    if filters.q:
        q = filters.q.strip()
        people = people.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    return people


@router.get("/people/{username}", response=PersonOut, summary="A person's profile")
def get_person(request: HttpRequest, username: str) -> Any:
    return access_person(viewer(request), username)


@router.get("/me", response=MeOut, summary="Your own profile")
def get_me(request: HttpRequest) -> Any:
    # Your own account needs no gate (a guest in no space yet still sees themselves).
    return _with_profile(User.objects.filter(pk=viewer(request).pk)).get()


@router.patch("/me", response=MeOut, summary="Change your profile and privacy choices")
def update_me(request: HttpRequest, payload: ProfileIn) -> Any:
    me = viewer(request)
    do_update_profile(me, acting_user=me, **payload.dict(exclude_unset=True))
    return _with_profile(User.objects.filter(pk=me.pk)).get()
