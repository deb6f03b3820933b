"""Growth: your learning goals, the mentors Waggle suggests for them, and mentoring requests
(the ones you sent and the ones you received)."""

from typing import Any, Literal

from django.db.models import Case, CharField, QuerySet, Value, When
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import (
    GoalIn,
    GoalOut,
    MentoringRequestIn,
    MentoringRequestOut,
    SuggestionOut,
)
from waggle.expertise.who_knows import Suggestion
from waggle.growth.access import (
    access_goal,
    access_mentoring_request,
    suggested_mentors,
    visible_goals,
    visible_mentoring_requests,
)
from waggle.growth.actions import (
    do_reach_learning_goal,
    do_request_mentoring,
    do_respond_to_mentoring,
    do_set_learning_goal,
    do_withdraw_mentoring_request,
)
from waggle.growth.models import LearningGoal, MentoringRequest
from waggle.people.access import access_person

router = Router()


class GoalFilters(Schema):
    reached: bool | None = Field(
        None, description="true: only reached goals; false: only open ones; leave out for all."
    )


@router.get("/me/goals", response=list[GoalOut], summary="Your learning goals, newest first")
@paginate(KeysetPagination, ordering=("-created_at", "-id"))
def list_goals(request: HttpRequest, filters: Query[GoalFilters]) -> QuerySet[LearningGoal]:
    goals = visible_goals(viewer(request)).select_related("topic")
    if filters.reached is not None:
        goals = goals.filter(reached_at__isnull=not filters.reached)
    return goals


@router.post("/me/goals", response={201: GoalOut}, summary="Set a learning goal")
def set_goal(request: HttpRequest, payload: GoalIn) -> Status:
    """A topic and a sentence saying what you want to learn. Only you see your goals (and the
    mentors you send one to, inside your request)."""
    goal = do_set_learning_goal(acting_user=viewer(request), topic=payload.topic,
                                sentence=payload.sentence)
    return Status(201, goal)


@router.post("/me/goals/{goal_id}/reached", response=GoalOut, summary="Mark a goal as reached")
def reach_goal(request: HttpRequest, goal_id: int) -> Any:
    """The goal stays in your list; open mentoring requests about it are withdrawn."""
    user = viewer(request)
    return do_reach_learning_goal(access_goal(user, goal_id), acting_user=user)


@router.get("/me/goals/{goal_id}/mentors", response=list[SuggestionOut],
            summary="People open to mentoring who know about a goal")
def goal_mentors(request: HttpRequest, goal_id: int) -> list[Suggestion]:
    """Up to 5 people open to mentoring who know most about the goal's topic and words, with
    the evidence you may see."""
    user = viewer(request)
    return suggested_mentors(user, access_goal(user, goal_id))


# Mentoring requests --------------------------------------------------------------------------


def _requests_for(user: Any) -> QuerySet[MentoringRequest]:
    direction = Case(When(mentor_id=user.pk, then=Value("received")), default=Value("sent"),
                     output_field=CharField())
    return (visible_mentoring_requests(user)
            .select_related("goal", "goal__topic", "mentee", "mentor")
            .annotate(direction=direction))


def _request_out(user: Any, request_id: int) -> MentoringRequest:
    return _requests_for(user).get(pk=request_id)


class MentoringFilters(Schema):
    direction: Literal["sent", "received"] | None = Field(
        None, description="sent: the requests you made; received: those made to you; leave out "
        "for both."
    )


@router.get("/me/mentoring-requests", response=list[MentoringRequestOut],
            summary="Mentoring requests you sent and received, newest first")
@paginate(KeysetPagination, ordering=("-created_at", "-id"))
def list_mentoring_requests(
    request: HttpRequest, filters: Query[MentoringFilters]
) -> QuerySet[MentoringRequest]:
    user = viewer(request)
    requests = _requests_for(user)
    if filters.direction == "sent":
        requests = requests.filter(mentee_id=user.pk)
    elif filters.direction == "received":
        requests = requests.filter(mentor_id=user.pk)
    return requests


@router.post("/mentoring-requests", response={201: MentoringRequestOut},
             summary="Ask someone open to mentoring to help with one of your goals")
def request_mentoring(request: HttpRequest, payload: MentoringRequestIn) -> Status:
    """The mentor sees the goal (its topic and sentence) and your message."""
    user = viewer(request)
    goal = access_goal(user, payload.goal_id)
    mentor = access_person(user, payload.mentor)
    created = do_request_mentoring(goal, mentor, acting_user=user, message=payload.message)
    return Status(201, _request_out(user, created.pk))


@router.post("/mentoring-requests/{request_id}/accept", response=MentoringRequestOut,
             summary="Accept a mentoring request made to you")
def accept_mentoring(request: HttpRequest, request_id: int) -> Any:
    user = viewer(request)
    mentoring = access_mentoring_request(user, request_id)
    do_respond_to_mentoring(mentoring, accept=True, acting_user=user)
    return _request_out(user, mentoring.pk)


@router.post("/mentoring-requests/{request_id}/decline", response=MentoringRequestOut,
             summary="Decline a mentoring request made to you")
def decline_mentoring(request: HttpRequest, request_id: int) -> Any:
    user = viewer(request)
    mentoring = access_mentoring_request(user, request_id)
    do_respond_to_mentoring(mentoring, accept=False, acting_user=user)
    return _request_out(user, mentoring.pk)


@router.post("/mentoring-requests/{request_id}/withdraw", response=MentoringRequestOut,
             summary="Withdraw a mentoring request you made")
def withdraw_mentoring(request: HttpRequest, request_id: int) -> Any:
    user = viewer(request)
    mentoring = access_mentoring_request(user, request_id)
    do_withdraw_mentoring_request(mentoring, acting_user=user)
    return _request_out(user, mentoring.pk)
