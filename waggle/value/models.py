"""Value and recognition: "this helped me" reports and kudos tied to a concrete contribution."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ValueReport(models.Model):
    """One person's report that a post or comment helped them. One per person per item."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="value_reported"
    )
    post = models.ForeignKey(
        "exchange.Post", null=True, blank=True, on_delete=models.CASCADE,
        related_name="value_reports",
    )
    comment = models.ForeignKey(
        "exchange.Comment", null=True, blank=True, on_delete=models.CASCADE,
        related_name="value_reports",
    )
    # The author of the item when the report was made; null for anonymous posts.
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="value_received",
    )
    solved_problem = models.BooleanField(default=False)
    saved_time = models.BooleanField(default=False)
    learned_something = models.BooleanField(default=False)
    changed_practice = models.BooleanField(default=False)
    minutes_saved = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    # Harvested reports were inferred by an importer (an accepted answer in an archive).
    harvested = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["helper", "-created_at"], name="value_helper_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="value_exactly_one_item",
            ),
            models.CheckConstraint(
                condition=Q(solved_problem=True) | Q(saved_time=True)
                | Q(learned_something=True) | Q(changed_practice=True),
                name="value_has_a_kind",
            ),
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=Q(post__isnull=False),
                name="value_one_per_person_post",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(comment__isnull=False),
                name="value_one_per_person_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"value by {self.reporter_id} on post {self.post_id} / comment {self.comment_id}"

    @property
    def kinds(self) -> list[str]:
        labels = [
            (self.solved_problem, "solved a problem"),
            (self.saved_time, "saved time"),
            (self.learned_something, "learned something"),
            (self.changed_practice, "changed how I work"),
        ]
        return [label for flag, label in labels if flag]


class Kudos(models.Model):
    """Recognition from one person to another for a concrete post or comment they wrote."""

    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given"
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received"
    )
    post = models.ForeignKey(
        "exchange.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="kudos"
    )
    comment = models.ForeignKey(
        "exchange.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="kudos"
    )
    message = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "kudos"
        indexes = [models.Index(fields=["receiver", "-created_at"], name="kudos_receiver_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="kudos_exactly_one_item",
            ),
            models.CheckConstraint(
                condition=~Q(giver=models.F("receiver")), name="kudos_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"kudos {self.giver_id} -> {self.receiver_id}"
