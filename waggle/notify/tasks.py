"""Background tasks that deliver notifications after the write that caused them commits."""

from __future__ import annotations

from django_tasks import task

from waggle.notify.models import Notification


@task()
def deliver_notifications(items: list[dict[str, int | str | None]]) -> int:
    """Create the notification rows described by `items`; returns how many were created."""
    rows = []
    for item in items:
        recipient_id = item.get("recipient_id")
        if not recipient_id or recipient_id == item.get("actor_id"):
            continue
        rows.append(Notification(
            recipient_id=recipient_id,
            verb=str(item["verb"]),
            actor_id=item.get("actor_id"),
            post_id=item.get("post_id"),
            space_id=item.get("space_id"),
        ))
    Notification.objects.bulk_create(rows)
    return len(rows)
