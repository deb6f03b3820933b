"""Pages of expertise and growth: who knows, questions Waggle routed to you, a space's unanswered
queue, learning goals and mentoring. Thin adapters like `views.py`: read through the access
helpers, write through the actions, render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from waggle.core.errors import Invalid, NotFound
from waggle.exchange.access import access_post
from waggle.exchange.models import Post
from waggle.expertise.access import access_question_invitation, invitation_view
from waggle.expertise.actions import (
    do_decline_invitation,
    do_escalate_question,
    mark_invitation_seen,
)
from waggle.expertise.models import QuestionInvitation
from waggle.expertise.queue import open_invitations, unanswered_queue
from waggle.expertise.who_knows import Suggestion, who_knows
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
from waggle.spaces.access import access_space, is_host
from waggle.web import forms
from waggle.web.decorators import page
from waggle.web.paging import keyset_page

POST = ("POST",)
GET_POST = ("GET", "POST")
Invited = QuestionInvitation.State
# "Who knows about rust?" asks about rust: the question's own words are not what is asked.
_ASKING = re.compile(r"^\s*who\s+knows\s+(?:(?:about|anything\s+about)\s+)?", re.IGNORECASE)
GOALS_WITH_MENTORS = 5  # open goals whose suggested mentors the goals page shows


def _back(request: HttpRequest, default: str) -> str:
    """Where a button returns to (`views._back`: the `next` field when it is one of our
    pages). Imported here, not at the top: `views` imports this module for the question page."""
    from waggle.web.views import _back as back

    return back(request, default)


# Who knows -----------------------------------------------------------------------------------


@page()
def who_knows_page(request: HttpRequest) -> HttpResponse:
    """People ranked by the evidence of their help that the viewer may see."""
    query = request.GET.get("q", "").strip()[:300]
    asked = _ASKING.sub("", query).strip(" ?") or query
    found = who_knows(request.user, asked) if asked else []
    return render(request, "web/people/who_knows.html",
                  {"query": query, "asked": asked, "suggestions": found})


# A question's invitations (shown on the question page) ----------------------------------------


@dataclass
class Routing:
    """What the question page shows of the question's invitations to `viewer`."""

    mine: QuestionInvitation | None = None  # the viewer's own open invitation: the banner
    invitations: list[QuestionInvitation] = field(default_factory=list)  # names: the asker
    counts: dict[str, int] | None = None  # how they stand: the asker and hosts
    can_offer: bool = False  # a host may offer an unanswered question to more people


def question_routing(viewer: Any, question: Post, *, host: bool | None = None
                     ) -> Routing | None:
    """The invitations of `question` as `viewer` may see them (one query, two when the viewer
    opens an invitation for the first time). Who was invited is the asker's to see; hosts see
    counts, as on the unanswered queue; an invited person sees their own invitation. `host`:
    whether the viewer hosts the question's space, when the caller knows."""
    if question.kind != Post.Kind.QUESTION:
        return None
    invitations = list(
        QuestionInvitation.objects.filter(question=question).select_related("person")
        .order_by("round", "invited_at", "id")
    )
    routing = Routing()
    mine = next((i for i in invitations if i.person_id == viewer.pk), None)
    if mine is not None and mine.state == Invited.INVITED:
        mark_invitation_seen(question, viewer)
        mine.state = Invited.SEEN
    if mine is not None and mine.state == Invited.SEEN:
        routing.mine = mine
    if host is None:  # the thread knows already; else the check costs a query, made only
        # when a host would see something
        host = (bool(invitations) or question.answer_count == 0) and is_host(
            viewer, question.space)
    counts, names = invitation_view(viewer, question, host=host)
    if names:
        routing.invitations = invitations
    if counts and invitations:
        routing.counts = {state: sum(i.state == state for i in invitations)
                          for state in Invited.values}
        routing.counts["all"] = len(invitations)
    routing.can_offer = host and question.answer_count == 0
    return routing


@page(POST)
def question_offer(request: HttpRequest, post_id: int) -> HttpResponse:
    """A host offers an unanswered question to the next people who may know."""
    question = access_post(request.user, post_id, kind=Post.Kind.QUESTION)
    back = _back(request, reverse("web:post", args=[question.pk]))
    try:
        invited = do_escalate_question(question, acting_user=request.user)
    except Invalid as exc:  # NotAllowed (not a host) goes on to the 403 page
        messages.error(request, exc.message)
    else:
        if invited:
            messages.success(request, f"Waggle asked {len(invited)} more "
                             f"{'person' if len(invited) == 1 else 'people'} who may know.")
        else:
            messages.info(request, "Waggle found nobody else to ask right now.")
    return HttpResponseRedirect(back)


# Questions for you ---------------------------------------------------------------------------


@page()
def questions_for_me(request: HttpRequest) -> HttpResponse:
    listing = keyset_page(open_invitations(request.user).select_related("question__author"),
                          ("-invited_at", "-id"), request.GET)
    return render(request, "web/expertise/questions_for_me.html", {"page": listing})


@page(POST)
def invitation_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """"I cannot help with this one": from the question page or the questions for you."""
    invitation = access_question_invitation(request.user, invitation_id)
    back = _back(request, reverse("web:questions_for_me"))
    try:
        do_decline_invitation(invitation, acting_user=request.user)
    except Invalid as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, "Thanks for saying so. Waggle will not ask you about this one "
                      "again.")
    return HttpResponseRedirect(back)


# A space's unanswered queue ------------------------------------------------------------------


@page()
def space_unanswered(request: HttpRequest, slug: str) -> HttpResponse:
    space = access_space(request.user, slug)
    listing = keyset_page(unanswered_queue(request.user, space).prefetch_related("topics"),
                          ("created_at", "id"), request.GET)
    return render(request, "web/expertise/unanswered.html", {
        "space": space, "page": listing, "is_host": is_host(request.user, space),
    })


# Learning goals ------------------------------------------------------------------------------


@dataclass
class Failed:
    """A mentoring request that did not go: for which mentor, the message typed, and why."""

    mentor_id: int
    message: str
    problems: list[str]


@dataclass
class GoalView:
    """A goal as its page shows it: the requests sent for it and, while open, who could mentor."""

    goal: LearningGoal
    requests: list[MentoringRequest]
    mentors: list[Suggestion] | None  # None: not looked up on this page
    asked: set[int]  # mentors with an open request for this goal
    failed: Failed | None = None


def _goal_views(user: Any, goals: list[LearningGoal], *, with_mentors: int,
                failed: Failed | None = None) -> list[GoalView]:
    requests: dict[int, list[MentoringRequest]] = {g.pk: [] for g in goals}
    for r in (visible_mentoring_requests(user).filter(goal__in=[g.pk for g in goals],
                                                      mentee_id=user.pk)
              .select_related("mentor").order_by("-created_at", "-id")):
        requests[r.goal_id].append(r)
    views = []
    open_goals = 0
    for goal in goals:
        mentors = None
        if goal.reached_at is None and open_goals < with_mentors:
            open_goals += 1
            mentors = suggested_mentors(user, goal)
        asked = {r.mentor_id for r in requests[goal.pk]
                 if r.state == MentoringRequest.State.REQUESTED}
        views.append(GoalView(goal=goal, requests=requests[goal.pk], mentors=mentors,
                              asked=asked, failed=failed))
    return views


def _goals_page(request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
    goals = list(visible_goals(request.user).select_related("topic")
                 .order_by("reached_at", "-created_at", "-id")[:50])
    return render(request, "web/growth/goals.html", {
        "form": form, "goals": _goal_views(request.user, goals, with_mentors=GOALS_WITH_MENTORS),
    }, status=status)


@page(GET_POST)
def goals(request: HttpRequest) -> HttpResponse:
    form = forms.LearningGoalForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                goal = do_set_learning_goal(acting_user=request.user, **form.cleaned_data)
            except Invalid as exc:
                forms.add_invalid(form, exc)
            else:
                messages.success(request, f"Your goal is set: {goal.sentence}")
                return redirect("web:goal", goal_id=goal.pk)
        return _goals_page(request, form, status=400)
    return _goals_page(request, form)


def _goal_page(request: HttpRequest, goal: LearningGoal, *,
               failed: Failed | None = None, status: int = 200) -> HttpResponse:
    view = _goal_views(request.user, [goal], with_mentors=1, failed=failed)[0]
    return render(request, "web/growth/goal.html", {"view": view}, status=status)


@page()
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    return _goal_page(request, access_goal(request.user, goal_id))


@page(POST)
def goal_reached(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = access_goal(request.user, goal_id)
    do_reach_learning_goal(goal, acting_user=request.user)
    messages.success(request, f"Well done: “{goal.sentence}” is reached.")
    return redirect("web:goals")


@page(POST)
def goal_request_mentoring(request: HttpRequest, goal_id: int) -> HttpResponse:
    """Ask a suggested mentor (any colleague open to mentoring) to help with a goal."""
    goal = access_goal(request.user, goal_id)
    form = forms.MentoringRequestForm(request.POST)
    mentor = None
    if form.is_valid():
        try:
            mentor = access_person(request.user, form.cleaned_data["mentor"])
            do_request_mentoring(goal, mentor, acting_user=request.user,
                                 message=form.cleaned_data["message"])
        except NotFound:
            form.add_error(None, "Nobody here has that username.")
        except Invalid as exc:
            forms.add_invalid(form, exc)
        else:
            messages.success(request, f"You asked {mentor.name} to mentor you. You will hear "
                             "when they answer.")
            return redirect("web:goal", goal_id=goal.pk)
    # The goal's page again, the message kept in the form of the mentor it was for.
    failed = Failed(mentor_id=mentor.pk if mentor is not None else 0,
                    message=request.POST.get("message", ""),
                    problems=[str(e) for errors in form.errors.values() for e in errors])
    return _goal_page(request, goal, failed=failed, status=400)


# Mentoring -----------------------------------------------------------------------------------


@page()
def mentoring(request: HttpRequest) -> HttpResponse:
    mine = visible_mentoring_requests(request.user).select_related(
        "goal", "goal__topic", "mentee", "mentor").order_by("-created_at", "-id")
    received = list(mine.filter(mentor_id=request.user.pk)[:100])
    sent = list(mine.filter(mentee_id=request.user.pk)[:100])
    waiting = sum(r.state == MentoringRequest.State.REQUESTED for r in received)
    return render(request, "web/growth/mentoring.html", {
        "received": received, "sent": sent, "waiting": waiting,
    })


def mentoring_respond(answer: str) -> Any:
    """POST endpoint: the mentor accepts or declines, the mentee withdraws."""

    @page(POST)
    def view(request: HttpRequest, request_id: int) -> HttpResponse:
        mentoring_request = access_mentoring_request(request.user, request_id)
        try:
            if answer == "withdraw":
                do_withdraw_mentoring_request(mentoring_request, acting_user=request.user)
                messages.info(request, "Your request is withdrawn.")
            else:
                accept = answer == "accept"
                do_respond_to_mentoring(mentoring_request, accept=accept,
                                        acting_user=request.user)
                who = mentoring_request.mentee.name
                messages.success(request, f"You agreed to mentor {who}; they are told." if accept
                                 else f"You declined {who}'s request.")
        except Invalid as exc:  # NotAllowed (not yours to answer) goes on to the 403 page
            messages.error(request, exc.message)
        return redirect("web:mentoring")

    view.__name__ = f"mentoring_{answer}"
    return view
