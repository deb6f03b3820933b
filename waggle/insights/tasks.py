"""Background tasks of insights: the organization-wide help network, computed off the page."""

from __future__ import annotations

from django_tasks import task


@task()
def compute_network_snapshot_task(incremental: bool = True) -> int:
    """Compute the help-network snapshot (the daily run adds the day's help to the saved state;
    `incremental=False` reads everything); returns the snapshot's id."""
    from waggle.insights.snapshot import compute_network_snapshot, update_network_snapshot

    snapshot = update_network_snapshot() if incremental else compute_network_snapshot()
    return snapshot.pk
