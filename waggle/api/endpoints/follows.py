"""Follows: a person, a space or a topic whose new posts you want to see."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import FollowIn, FollowOut
from waggle.exchange.actions import do_follow, do_unfollow
from waggle.exchange.models import Follow
from waggle.people.access import access_person, visible_people
from waggle.spaces.access import access_space, visible_spaces
from waggle.topics.access import access_topic, visible_topics

router = Router()


def _targets(user: Any, choice: FollowIn) -> dict[str, Any]:
    """The follow target through the gate; the action checks that there is exactly one."""
    targets: dict[str, Any] = {}
    if choice.person is not None:
        targets["person"] = access_person(user, choice.person)
    if choice.space is not None:
        targets["space"] = access_space(user, choice.space)
    if choice.topic is not None:
        targets["topic"] = access_topic(user, choice.topic)
    return targets


@router.get("/follows", response=list[FollowOut], summary="What you follow")
@paginate(KeysetPagination, ordering=("-created_at", "-id"))
def list_follows(request: HttpRequest) -> QuerySet[Follow]:
    user = viewer(request)
    # Leave out what you can no longer see (a private space you left, a deactivated person).
    return (
        Follow.objects.filter(follower_id=user.pk)
        .filter(Q(person__isnull=True) | Q(person__in=visible_people(user).values("id")))
        .filter(Q(space__isnull=True) | Q(space__in=visible_spaces(user).values("id")))
        .filter(Q(topic__isnull=True) | Q(topic__in=visible_topics(user).values("id")))
        .select_related("person", "space", "topic")
    )


@router.post("/follows", response={201: FollowOut}, summary="Follow a person, space or topic")
def follow(request: HttpRequest, payload: FollowIn) -> Status:
    user = viewer(request)
    created = do_follow(acting_user=user, **_targets(user, payload))
    return Status(201, Follow.objects.select_related("person", "space", "topic").get(pk=created.pk))


@router.delete("/follows", response={204: None}, summary="Stop following")
def unfollow(request: HttpRequest, target: Query[FollowIn]) -> Status:
    """Name the person, space or topic in the query: `?person=`, `?space=` or `?topic=`."""
    user = viewer(request)
    do_unfollow(acting_user=user, **_targets(user, target))
    return Status(204, None)
