"""Insights: stored snapshots of the organization-wide figures that take too long to compute on
a page (the help network between departments)."""

from __future__ import annotations

from django.db import models


class InsightsSnapshot(models.Model):
    """The figures of one computation, already suppressed for small groups (see
    `waggle/insights/snapshot.py` for the layout of `data`). Kept as history: each day's snapshot
    is a point of the trends."""

    class Kind(models.TextChoices):
        NETWORK = "network", "Help network"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    computed_at = models.DateTimeField()
    # Aggregates about groups of at least WAGGLE_MIN_GROUP_SIZE people; no person ids except
    # the enablers who chose to share their impact.
    data = models.JSONField(default=dict)
    # How long the computation took (full or incremental).
    seconds = models.FloatField(default=0.0)

    class Meta:
        indexes = [models.Index(fields=["kind", "-computed_at"], name="snapshot_kind_computed")]

    def __str__(self) -> str:
        return f"{self.kind} insights at {self.computed_at:%Y-%m-%d %H:%M}"
