"""People: accounts with profiles, departments and teams, and their privacy choices."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Department(models.Model):
    """An organizational unit (Engineering, Finance, ...), used for aggregate insights."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team inside a department."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "slug"], name="team_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person: a member of the organization, an administrator (is_staff) or a guest."""

    display_name = models.CharField(max_length=150, blank=True)
    title = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    location = models.CharField(max_length=150, blank=True)
    bio = models.TextField(blank=True)
    skills = models.ManyToManyField("topics.Topic", blank=True, related_name="declared_by")
    open_to_mentoring = models.BooleanField(default=False)
    # Question routing: a person may say "don't route questions to me", and caps how many
    # invitations to answer they get in seven days.
    accept_routed_questions = models.BooleanField(default=True)
    routed_questions_per_week = models.PositiveSmallIntegerField(default=3)
    # Guests (customers, partners) see only the external spaces they were invited to.
    is_guest = models.BooleanField(default=False)
    # Privacy choices: importers skip an opted-out person's content; analytics leave them out.
    opt_out_harvest = models.BooleanField(default=False)
    opt_out_analytics = models.BooleanField(default=False)
    # A person's impact (value their help created, people helped, kudos) is theirs to see; it
    # is shown to colleagues only when they choose recognition. Never a manager's report.
    share_impact = models.BooleanField(default=False)
    # Enabler / L&D / knowledge manager: sees organization-wide aggregate insights (the help
    # network between departments, value by space and topic), never a per-person report.
    # Being an administrator (is_staff) gives no such access.
    is_enabler = models.BooleanField(default=False)
    # Provenance for people created by an importer.
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(source=""),
                name="user_unique_provenance",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What other people see: the display name, else the username."""
        return self.display_name or self.get_full_name() or self.username
