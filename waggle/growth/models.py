"""Growth: personal learning goals (private to their owner) and mentoring requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class LearningGoal(models.Model):
    """Something a person wants to learn: a topic and a sentence. Only its owner sees it (and
    the mentors they send it to, inside the request)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_goals"
    )
    topic = models.ForeignKey("topics.Topic", on_delete=models.PROTECT, related_name="+")
    sentence = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    reached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "-created_at"], name="goal_person_created")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.sentence}"


class MentoringRequest(models.Model):
    """A person asks someone open to mentoring to help them with a learning goal."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    goal = models.ForeignKey(LearningGoal, on_delete=models.CASCADE, related_name="requests")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_asked"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_requests"
    )
    message = models.TextField(blank=True)
    state = models.CharField(max_length=9, choices=State.choices, default=State.REQUESTED)
    created_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One open request per goal and mentor: asking twice is the same request.
            models.UniqueConstraint(
                fields=["goal", "mentor"], condition=Q(state="requested"),
                name="mentoring_one_open_request",
            ),
            models.CheckConstraint(
                condition=~Q(mentee=models.F("mentor")), name="mentoring_not_self"
            ),
        ]
        indexes = [models.Index(fields=["mentor", "state"], name="mentoring_mentor_state")]

    def __str__(self) -> str:
        return f"{self.mentee_id} -> {self.mentor_id} ({self.state})"
