"""Your notifications: list them, mark them read."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import NotificationOut, ReadIn, ReadOut
from waggle.core.errors import NotFound
from waggle.notify.actions import do_mark_notifications_read
from waggle.notify.models import Notification
from waggle.spaces.access import visible_spaces

router = Router()


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only notifications you have not read.")


@router.get("/notifications", response=list[NotificationOut], summary="Your notifications")
@paginate(KeysetPagination, ordering=("-created_at", "-id"))
def list_notifications(
    request: HttpRequest, filters: Query[NotificationFilters]
) -> QuerySet[Notification]:
    user = viewer(request)
    # A notification about a post you can no longer see (you left its private space) goes
    # quiet. Invitations name their space even though it is hidden until you join: you were
    # invited, so you may know it exists.
    mine = Notification.objects.filter(recipient_id=user.pk).filter(
        Q(post__isnull=True) | Q(post__space__in=visible_spaces(user).values("id"))
    )
    if filters.unread:
        mine = mine.filter(read_at__isnull=True)
    return mine.select_related("actor", "post", "space")


@router.post("/notifications/read", response=ReadOut, summary="Mark notifications read")
def mark_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    """Marks the given notifications (or, with `ids: null`, all of them) as read."""
    user = viewer(request)
    ids = None
    if payload.ids is not None:
        ids = sorted(set(payload.ids))
        if Notification.objects.filter(recipient_id=user.pk, pk__in=ids).count() != len(ids):
            raise NotFound("No such notification.")
    return {"marked": do_mark_notifications_read(user, ids)}
