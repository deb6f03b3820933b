"""Notifications: what a person is told (mentions, answers, accepted answers, value, kudos)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One thing to tell one person. `verb` says what happened."""

    class Verb(models.TextChoices):
        MENTIONED = "mentioned", "mentioned you"
        ANSWERED = "answered", "answered your question"
        COMMENTED = "commented", "commented on your post"
        ACCEPTED = "accepted", "accepted your answer"
        VALUE = "value", "reported that your contribution helped"
        KUDOS = "kudos", "gave you kudos"
        INVITED = "invited", "invited you to a space"
        DUPLICATE = "duplicate", "marked your question as a duplicate"
        ROUTED = "routed", "asks whether you can help with a question"
        MENTORING = "mentoring", "asked you to mentor them"
        MENTORING_ACCEPTED = "mentor_yes", "accepted your mentoring request"
        MENTORING_DECLINED = "mentor_no", "declined your mentoring request"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=12, choices=Verb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    post = models.ForeignKey(
        "exchange.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox")
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.verb}"
