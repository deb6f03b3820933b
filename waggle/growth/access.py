"""Who may see goals and mentoring requests: a goal is its owner's; a request is its mentee's
and its mentor's. Everything else gets NotFound."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from waggle.core.errors import NotFound
from waggle.expertise.who_knows import Suggestion, who_knows
from waggle.growth.models import LearningGoal, MentoringRequest
from waggle.people.access import visible_people


def visible_goals(user: Any) -> QuerySet[LearningGoal]:
    if user is None or not user.is_authenticated:
        return LearningGoal.objects.none()
    return LearningGoal.objects.filter(person_id=user.pk)


def access_goal(user: Any, goal_id: int | str) -> LearningGoal:
    try:
        return visible_goals(user).select_related("topic").get(pk=int(goal_id))
    except (LearningGoal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such goal.") from None


def visible_mentoring_requests(user: Any) -> QuerySet[MentoringRequest]:
    if user is None or not user.is_authenticated:
        return MentoringRequest.objects.none()
    return MentoringRequest.objects.filter(Q(mentee_id=user.pk) | Q(mentor_id=user.pk))


def access_mentoring_request(user: Any, request_id: int | str) -> MentoringRequest:
    try:
        return visible_mentoring_requests(user).select_related(
            "goal", "goal__topic", "mentee", "mentor").get(pk=int(request_id))
    except (MentoringRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such mentoring request.") from None


def suggested_mentors(user: Any, goal: LearningGoal, *, limit: int = 5) -> list[Suggestion]:
    """People open to mentoring who know most about the goal (its topic and its words), with
    the evidence `user` may see; never `user`."""
    open_people = visible_people(user).filter(open_to_mentoring=True)
    return who_knows(user, goal.sentence, topics=[goal.topic], limit=limit,
                     exclude=[user.pk], people=open_people)
