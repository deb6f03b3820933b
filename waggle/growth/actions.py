"""Writes for growth: learning goals and mentoring requests."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from waggle.core import audit
from waggle.core.errors import Invalid, NotAllowed
from waggle.growth.models import LearningGoal, MentoringRequest
from waggle.notify.actions import notify_on_commit
from waggle.people.access import visible_people
from waggle.topics.actions import clean_topic_names, ensure_topics

SENTENCE_MIN, SENTENCE_MAX = 5, 300
MESSAGE_MAX = 2000


def _signed_in(user: Any) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed("Sign in first.")


def do_set_learning_goal(*, acting_user: Any, topic: str, sentence: str) -> LearningGoal:
    """State something you want to learn: a topic and a sentence (private to you)."""
    _signed_in(acting_user)
    names = clean_topic_names([topic or ""])
    if not names:
        raise Invalid("Name the topic you want to learn about.", field="topic")
    sentence = " ".join((sentence or "").split())
    if len(sentence) < SENTENCE_MIN:
        raise Invalid(f"Say in a sentence what you want to learn (at least {SENTENCE_MIN} "
                      "characters).", field="sentence")
    if len(sentence) > SENTENCE_MAX:
        raise Invalid(f"A goal is at most {SENTENCE_MAX} characters.", field="sentence")
    with transaction.atomic():
        goal = LearningGoal.objects.create(person=acting_user, topic=ensure_topics(names)[0],
                                           sentence=sentence, created_at=timezone.now())
        audit.record(acting_user, "set_learning_goal", goal)
    return goal


def do_reach_learning_goal(goal: LearningGoal, *, acting_user: Any) -> LearningGoal:
    """Mark a goal as reached (it stays in the person's list)."""
    _signed_in(acting_user)
    if goal.person_id != acting_user.pk:
        raise NotAllowed("This is not your goal.")
    with transaction.atomic():
        goal.reached_at = goal.reached_at or timezone.now()
        goal.save(update_fields=["reached_at"])
        MentoringRequest.objects.filter(goal=goal, state=MentoringRequest.State.REQUESTED).update(
            state=MentoringRequest.State.WITHDRAWN, responded_at=timezone.now())
        audit.record(acting_user, "reach_learning_goal", goal)
    return goal


def do_request_mentoring(goal: LearningGoal, mentor: Any, *, acting_user: Any,
                         message: str = "") -> MentoringRequest:
    """Ask a person who is open to mentoring to help with one of your goals; they see the
    goal and your message."""
    _signed_in(acting_user)
    if goal.person_id != acting_user.pk:
        raise NotAllowed("This is not your goal.")
    if goal.reached_at is not None:
        raise Invalid("This goal is reached already.")
    if mentor.pk == acting_user.pk:
        raise Invalid("You cannot be your own mentor.", field="mentor")
    if not mentor.open_to_mentoring or not visible_people(acting_user).filter(
            pk=mentor.pk).exists():
        raise Invalid(f"{mentor.name} is not open to mentoring.", field="mentor")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise Invalid(f"A message is at most {MESSAGE_MAX} characters.", field="message")
    try:
        with transaction.atomic():
            request = MentoringRequest.objects.create(
                goal=goal, mentee=acting_user, mentor=mentor, message=message,
                created_at=timezone.now())
            audit.record(acting_user, "request_mentoring", request, mentor_id=mentor.pk)
            notify_on_commit([{"recipient_id": mentor.pk, "verb": "mentoring",
                               "actor_id": acting_user.pk}])
    except IntegrityError:
        raise Invalid(f"You asked {mentor.name} about this goal already.",
                      field="mentor") from None
    return request


def do_respond_to_mentoring(request: MentoringRequest, *, accept: bool, acting_user: Any
                            ) -> MentoringRequest:
    """The mentor accepts or declines a request."""
    _signed_in(acting_user)
    if request.mentor_id != acting_user.pk:
        raise NotAllowed("This request is not for you.")
    if request.state != MentoringRequest.State.REQUESTED:
        raise Invalid(f"This request was {request.get_state_display().lower()} already.")
    with transaction.atomic():
        request.state = (MentoringRequest.State.ACCEPTED if accept
                         else MentoringRequest.State.DECLINED)
        request.responded_at = timezone.now()
        request.save(update_fields=["state", "responded_at"])
        audit.record(acting_user, "respond_to_mentoring", request, accept=accept)
        notify_on_commit([{"recipient_id": request.mentee_id,
                           "verb": "mentor_yes" if accept else "mentor_no",
                           "actor_id": acting_user.pk}])
    return request


def do_withdraw_mentoring_request(request: MentoringRequest, *, acting_user: Any
                                  ) -> MentoringRequest:
    _signed_in(acting_user)
    if request.mentee_id != acting_user.pk:
        raise NotAllowed("This is not your request.")
    if request.state != MentoringRequest.State.REQUESTED:
        raise Invalid("Only an open request can be withdrawn.")
    with transaction.atomic():
        request.state = MentoringRequest.State.WITHDRAWN
        request.responded_at = timezone.now()
        request.save(update_fields=["state", "responded_at"])
        audit.record(acting_user, "withdraw_mentoring_request", request)
    return request
