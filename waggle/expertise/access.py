"""Permissioned reads for routing: a person's own invitations to answer, on questions they may
still see. Anybody else's invitation is not found."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from waggle.core.errors import NotFound
from waggle.exchange.access import visible_posts
from waggle.expertise.models import QuestionInvitation


def visible_question_invitations(user: Any) -> QuerySet[QuestionInvitation]:
    if user is None or not user.is_authenticated:
        return QuestionInvitation.objects.none()
    return QuestionInvitation.objects.filter(
        person_id=user.pk, question__in=visible_posts(user).values("id"))


def access_question_invitation(user: Any, invitation_id: int | str) -> QuestionInvitation:
    try:
        return visible_question_invitations(user).select_related(
            "question", "question__space").get(pk=int(invitation_id))
    except (QuestionInvitation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such invitation.") from None
