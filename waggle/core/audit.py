"""Writes audit entries; every action calls `record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from waggle.core.models import AuditEntry


def record(actor: Any, action: str, target: models.Model | None = None, **data: Any) -> AuditEntry:
    """Append one audit entry. `actor` may be None for system actions (imports, generators)."""
    actor_id = getattr(actor, "pk", None) if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        actor_id=actor_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        data=data,
    )
