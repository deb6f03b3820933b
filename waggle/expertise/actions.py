"""Writes for question routing: invite people to answer, escalate what stays unanswered,
decline or see an invitation."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from waggle.core import audit
from waggle.core.errors import Invalid, NotAllowed
from waggle.exchange.models import Post
from waggle.expertise.models import QuestionInvitation
from waggle.expertise.routing import candidates
from waggle.notify.actions import notify_on_commit
from waggle.spaces.access import is_host


def _invite(question: Post, people: list[Any], *, round: int, acting_user: Any,
            action: str) -> list[QuestionInvitation]:
    if not people:
        return []
    now = timezone.now()
    invitations = QuestionInvitation.objects.bulk_create(
        [QuestionInvitation(question=question, person=p, round=round, invited_at=now)
         for p in people], ignore_conflicts=True)
    audit.record(acting_user, action, question, round=round, invited=[p.pk for p in people])
    # Waggle invites, not the asker: an anonymous question's invitation names nobody.
    notify_on_commit([{"recipient_id": p.pk, "verb": "routed", "actor_id": None,
                       "post_id": question.pk} for p in people])
    return invitations


def do_route_question(question: Post, *, acting_user: Any = None,
                      limit: int | None = None) -> list[QuestionInvitation]:
    """Invite the people most likely to know (up to WAGGLE_ROUTE_PEOPLE) to answer a new
    question; scheduled by `do_ask_question` when the asker lets Waggle route it."""
    if question.kind != Post.Kind.QUESTION:
        raise Invalid("Only questions are routed.")
    # Ranking reads a lot and writes nothing: outside the transaction, which only writes.
    chosen = candidates(question, limit=limit or settings.WAGGLE_ROUTE_PEOPLE)
    with transaction.atomic():
        invitations = _invite(question, [c.person for c in chosen], round=1,
                              acting_user=acting_user, action="route_question")
        _schedule_escalation(question)
    return invitations


def do_escalate_question(question: Post, *, acting_user: Any = None,
                         limit: int | None = None) -> list[QuestionInvitation]:
    """Offer a still unanswered question to the next candidates (Waggle does this after
    WAGGLE_ESCALATE_AFTER_HOURS; a host of the space may do it at any time)."""
    if acting_user is not None and not is_host(acting_user, question.space):
        raise NotAllowed("Only a host of the space can offer a question to more people.")
    if question.kind != Post.Kind.QUESTION:
        raise Invalid("Only questions are routed.")
    with transaction.atomic():
        question = Post.objects.select_for_update().select_related("space").get(pk=question.pk)
        if question.answer_count > 0:
            raise Invalid("This question has an answer already.")
        last = QuestionInvitation.objects.filter(question=question).aggregate(r=Max("round"))["r"]
        chosen = candidates(question, limit=limit or settings.WAGGLE_ROUTE_PEOPLE)
        invitations = _invite(question, [c.person for c in chosen], round=(last or 0) + 1,
                              acting_user=acting_user, action="escalate_question")
        _schedule_escalation(question)
    return invitations


def escalation_due(now: dt.datetime | None = None) -> list[Post]:
    """Unanswered questions whose latest round of invitations is older than
    WAGGLE_ESCALATE_AFTER_HOURS and that have rounds left."""
    now = now or timezone.now()
    before = now - dt.timedelta(hours=settings.WAGGLE_ESCALATE_AFTER_HOURS)
    rounds = 1 + settings.WAGGLE_ESCALATION_ROUNDS
    return list(
        Post.objects.filter(kind=Post.Kind.QUESTION, answer_count=0, invitations__isnull=False)
        .annotate(latest=Max("invitations__invited_at"), last_round=Max("invitations__round"))
        .filter(latest__lt=before, last_round__lt=rounds)
        .select_related("space")
    )


def do_escalate_due(now: dt.datetime | None = None) -> int:
    """Escalate every question that is due (`waggle expertise escalate`, and the task each
    routing schedules); returns how many people were invited."""
    invited = 0
    for question in escalation_due(now):
        invited += len(do_escalate_question(question))
    return invited


def _schedule_escalation(question: Post) -> None:
    """Look at the question again once it may be due, when the task queue can wait (the
    database queue can; the inline one of tests cannot, and `waggle expertise escalate` does
    the same from a timer)."""
    from django_tasks import default_task_backend

    from waggle.expertise.tasks import escalate_due_task

    if not default_task_backend.supports_defer:
        return
    when = timezone.now() + dt.timedelta(hours=settings.WAGGLE_ESCALATE_AFTER_HOURS, minutes=1)
    transaction.on_commit(partial(escalate_due_task.using(run_after=when).enqueue))


def do_decline_invitation(invitation: QuestionInvitation, *, acting_user: Any
                          ) -> QuestionInvitation:
    """The invited person says they cannot help with this one."""
    if acting_user is None or invitation.person_id != acting_user.pk:
        raise NotAllowed("This is not your invitation.")
    if invitation.state == QuestionInvitation.State.ANSWERED:
        raise Invalid("You answered this question already.")
    with transaction.atomic():
        invitation.state = QuestionInvitation.State.DECLINED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit.record(acting_user, "decline_invitation", invitation.question,
                     invitation_id=invitation.pk)
    return invitation


def mark_invitation_seen(question: Post, person: Any) -> None:
    """An invited person opened the question (not audited: reading is not a change of mind)."""
    if person is not None and person.is_authenticated:
        QuestionInvitation.objects.filter(
            question=question, person_id=person.pk, state=QuestionInvitation.State.INVITED
        ).update(state=QuestionInvitation.State.SEEN, responded_at=timezone.now())


def mark_invitation_answered(question: Post, person: Any) -> None:
    """Called by `do_answer_question` inside its transaction."""
    QuestionInvitation.objects.filter(question=question, person_id=person.pk).update(
        state=QuestionInvitation.State.ANSWERED, responded_at=timezone.now())
