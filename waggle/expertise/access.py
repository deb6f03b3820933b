"""Permissioned reads for routing: a person's own invitations to answer, on questions they may
still see (anybody else's invitation is not found), and what the asker and hosts see of a
question's invitations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from waggle.core.errors import NotFound
from waggle.exchange.access import is_asker, visible_posts
from waggle.exchange.models import Post
from waggle.expertise.models import QuestionInvitation
from waggle.spaces.access import is_host


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


def invitation_view(user: Any, question: Post, *, host: bool | None = None
                    ) -> tuple[bool, bool]:
    """What `user` may see of whom Waggle invited to answer `question` (which they can see):
    (the counts, the names). The asker sees both; hosts of the space see counts only, never
    who declined; anyone else neither. `host`: whether `user` hosts the space, when known."""
    if is_asker(user, question):
        return True, True
    hosting = is_host(user, question.space) if host is None else host
    return hosting, False
