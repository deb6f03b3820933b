"""The unanswered queue of a space: its questions without an answer, oldest first, with how
their invitations stand (counts only: which person declined is nobody else's business)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from waggle.exchange.access import visible_posts
from waggle.exchange.models import Post
from waggle.expertise.access import visible_question_invitations
from waggle.expertise.models import QuestionInvitation
from waggle.spaces.models import Space

State = QuestionInvitation.State


def unanswered_queue(user: Any, space: Space) -> QuerySet[Post]:
    """The questions of `space` that `user` may see and nobody answered yet, oldest first,
    each with `invited`, `seen` and `declined` counts of its invitations."""
    return (
        visible_posts(user)
        .filter(space=space, kind=Post.Kind.QUESTION, answer_count=0)
        .annotate(
            invited=Count("invitations"),
            seen=Count("invitations", filter=Q(invitations__state=State.SEEN)),
            declined=Count("invitations", filter=Q(invitations__state=State.DECLINED)),
        )
        .select_related("author", "space")
        .order_by("created_at", "id")
    )


def open_invitations(user: Any) -> QuerySet[QuestionInvitation]:
    """A person's invitations to answer that are still open (invited or seen), on questions
    they can still see, newest first."""
    return (
        visible_question_invitations(user).filter(state__in=[State.INVITED, State.SEEN])
        .select_related("question", "question__space")
        .order_by("-invited_at", "-id")
    )
