"""Spaces (communities, teams, departments, projects), their members, hosts and invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Space(models.Model):
    """Where people exchange knowledge. Anyone can start one."""

    class Visibility(models.TextChoices):
        OPEN = "open", "Open: everyone in the organization can see and join"
        PRIVATE = "private", "Private: members only, by invitation"
        EXTERNAL = "external", "External: open inside, plus invited guests"

    class Kind(models.TextChoices):
        COMMUNITY = "community", "Community"
        TEAM = "team", "Team"
        DEPARTMENT = "department", "Department"
        PROJECT = "project", "Project"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMMUNITY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(source=""),
                name="space_unique_provenance",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's membership of a space; hosts tend the space."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        HOST = "host", "Host"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="membership_unique")
        ]
        indexes = [models.Index(fields=["user", "space"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.space_id} ({self.role})"


class Invitation(models.Model):
    """An invitation to a private or external space; accepting it makes a membership."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "invitee"], name="invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.invitee_id} to {self.space_id} ({self.status})"
