"""Harvest: import runs (progress, resume point, counts) and the identities people had in
the archives they were imported from."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One `waggle import` of one archive. An unfinished run is resumed by the next import of
    the same archive: `units_done` counts the units already committed."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted"

    source = models.CharField(max_length=40)
    namespace = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    units_done = models.PositiveIntegerField(default=0)
    # {"created": {"question": 3, ...}, "updated": {...}, "unchanged": {...}, "skipped": {...}}
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["source", "namespace", "-started_at"], name="run_archive")]

    def __str__(self) -> str:
        return f"{self.source}:{self.namespace} ({self.status})"


class Identity(models.Model):
    """A name a person had in an archive: (source, key) is e.g. ("slack", "T01/U123") or
    ("email", "ada@example.org"). Aliases are several identities of one person."""

    source = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key} -> {self.person_id}"
