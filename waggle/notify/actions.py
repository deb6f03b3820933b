"""Schedules notifications on commit, and marks them read."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from waggle.notify.models import Notification
from waggle.notify.tasks import deliver_notifications


def notify_on_commit(items: list[dict[str, Any]]) -> None:
    """Queue a task creating these notifications once the surrounding transaction commits."""
    items = [i for i in items if i.get("recipient_id") and i["recipient_id"] != i.get("actor_id")]
    if items:
        transaction.on_commit(partial(deliver_notifications.enqueue, items))


def do_mark_notifications_read(acting_user: Any, ids: list[int] | None = None) -> int:
    """Mark the acting user's notifications (all, or those in `ids`) as read."""
    with transaction.atomic():
        qs = Notification.objects.filter(recipient_id=acting_user.pk, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        return qs.update(read_at=timezone.now())
