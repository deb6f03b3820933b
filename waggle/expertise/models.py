"""Expertise (evidence of knowing a topic, per person, topic and space) and invitations to
answer a question (routing)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Expertise(models.Model):
    """What one person's help in one space says about one topic.

    `score` is the sum of the person's evidence there (accepted answers, value reports and kudos
    received, answers, updates, lessons, comments), each weighed by kind and stored *grown*
    (`expertise.scoring`): ranking by it is ranking by time-decayed evidence. Kept per space so
    a viewer's ranking counts only the spaces that viewer may see.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expertise"
    )
    topic = models.ForeignKey("topics.Topic", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    evidence_count = models.PositiveIntegerField()
    last_evidence_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "topic", "space"], name="expertise_unique"
            )
        ]
        indexes = [
            # "Who knows about these topics?" reads the best rows of a few topics; the rest of
            # what it needs rides along so the table is not read.
            models.Index(
                fields=["topic", "-score"], include=["person", "space", "last_evidence_at"],
                name="expertise_topic_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} knows {self.topic_id} in {self.space_id}"


class RecentHelp(models.Model):
    """How much help one person gave lately in one space (answers, updates, lessons, comments,
    halved every `scoring.RECENCY_HALF_LIFE_DAYS`), as of `as_of`: its value at any later time
    is `scoring.decayed(value, as_of, now)`. Kept with `Expertise`, so that ranking reads one
    number per person and space instead of their recent posts."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()
    as_of = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "space"], name="recent_help_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} helped {self.value:.2f} in {self.space_id}"


class QuestionInvitation(models.Model):
    """Waggle invited a person to answer a question (when it was asked, or later, when it was
    still unanswered: `round` 2, 3, ...)."""

    class State(models.TextChoices):
        INVITED = "invited", "Invited"
        SEEN = "seen", "Seen"
        DECLINED = "declined", "Declined"
        ANSWERED = "answered", "Answered"

    question = models.ForeignKey(
        "exchange.Post", on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_invitations"
    )
    round = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=8, choices=State.choices, default=State.INVITED)
    invited_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["question", "person"], name="question_invitation_unique"
            ),
        ]
        indexes = [
            # The weekly cap and load spreading count a person's recent invitations.
            models.Index(fields=["person", "-invited_at"], name="qinvite_person_recent"),
            models.Index(
                fields=["person", "state"], condition=Q(state__in=["invited", "seen"]),
                name="qinvite_person_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} invited to {self.question_id} ({self.state})"
