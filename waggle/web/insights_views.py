"""Pages of insights: a space's health (its hosts), the organization's help network and value
(enablers), and a person's own suggested introductions and impact over time (that person only).
Thin adapters like `views.py`: read through the access helpers, write through the actions,
render. Charts are specs from `insights/pictures.py`, drawn by `web/charts.js`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from waggle.core.errors import Invalid, NotFound
from waggle.insights import pictures
from waggle.insights.access import access_space_health
from waggle.insights.health import SpaceHealth, space_health
from waggle.insights.introductions import gets_introductions, suggested_introductions_for
from waggle.insights.report import VALUE_GROUPINGS, WEEKS, Chart, organization_insights
from waggle.insights.value import GroupBy, most_valuable_content
from waggle.people.access import access_person
from waggle.people.models import User
from waggle.spaces.actions import do_invite_to_space
from waggle.spaces.models import Invitation
from waggle.value.impact import impact_by_week, impact_of
from waggle.web.decorators import page

POST = ("POST",)
SPACE_VALUABLE = 5
MAX_INVITES = 50  # people invited in one press of "Invite all"


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "page() lets only signed-in people through"
    return user


# A space's health (its hosts) ----------------------------------------------------------------


def _weekly_chart(health: SpaceHealth) -> pictures.ChartSpec | None:
    if health.hidden or not health.weekly:
        return None
    return pictures.line_chart(
        f"Questions and activity in {health.space.name}, week by week",
        [week.start.date() for week in health.weekly],
        {
            "Questions asked": [week.questions for week in health.weekly],
            "Answered (of that week's questions)": [week.answered for week in health.weekly],
            "Active people": [week.active_people for week in health.weekly],
        },
        min_group=health.k,
    )


@page()
def space_health_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The health of a space, for its hosts: figures, the weekly chart, the ghost-town warning
    and what to do about it, the space's most valuable content."""
    host = _signed_in(request)
    space = access_space_health(host, slug)
    health = space_health(space, viewer=host)
    invited: set[int] = set()
    if health.suggestions is not None and health.suggestions.invite.people:
        invited = set(
            Invitation.objects.filter(
                space=space, status=Invitation.Status.PENDING,
                invitee_id__in=[p.pk for p in health.suggestions.invite.people],
            ).values_list("invitee_id", flat=True)
        )
    return render(request, "web/insights/space_health.html", {
        "space": space,
        "health": health,
        "weekly_chart": _weekly_chart(health),
        "invited": invited,
        "valuable": most_valuable_content(host, space=space, limit=SPACE_VALUABLE),
    })


@page(POST)
def space_health_invite(request: HttpRequest, slug: str) -> HttpResponse:
    """A host invites people who asked about the space's topics elsewhere (one, or all listed)."""
    host = _signed_in(request)
    space = access_space_health(host, slug)
    usernames = list(dict.fromkeys(request.POST.getlist("username")))[:MAX_INVITES]
    invited, problems = [], []
    for username in usernames:
        try:
            person = access_person(host, username)
            do_invite_to_space(space, person, acting_user=host)
        except NotFound:
            problems.append(f"Nobody here has the username “{username}”.")
        except Invalid as exc:
            problems.append(exc.message)
        else:
            invited.append(person.name)
    if invited:
        messages.success(request, f"Invited to {space.name}: {', '.join(invited)}.")
    for problem in problems:
        messages.error(request, problem)
    if not usernames:
        messages.info(request, "Nobody was chosen to invite.")
    return redirect("web:space_health", slug=space.slug)


# The organization (enablers) -----------------------------------------------------------------


@page()
def organization(request: HttpRequest) -> HttpResponse:
    """The organization's help network and value, in aggregate, for enablers (everyone else
    gets 403 with the reason: administrators too)."""
    asked = request.GET.get("by", "")
    grouping: GroupBy = "department"
    for by in VALUE_GROUPINGS:
        if by == asked:
            grouping = by
    insights = organization_insights(_signed_in(request), groupings=(grouping,))
    return render(request, "web/insights/organization.html", {
        "insights": insights, "by": grouping, "groupings": VALUE_GROUPINGS, "links": True,
    })


# The person's own -----------------------------------------------------------------------------


@page()
def introductions(request: HttpRequest) -> HttpResponse:
    """People the signed-in person might like to meet: there is no page for anyone else's."""
    person = _signed_in(request)
    return render(request, "web/insights/introductions.html", {
        "person": person,
        "suggested": gets_introductions(person),
        "introductions": suggested_introductions_for(person),
    })


def _own_value_by_week(person: User, weeks: int, now: dt.datetime) -> list[Chart]:
    """Charts of the value the person's own help created, week by week, as they may see it
    (none when there is none in the period)."""
    found = impact_by_week(person, viewer=person, weeks=weeks, now=now)
    if not found:
        return []
    days = [w.start for w in found]
    return [
        Chart("my-impact-helped", pictures.line_chart(
            "How often your help helped someone, week by week", days,
            {"Times it helped": [w.reports for w in found],
             "Problems solved": [w.solved_problem for w in found]})),
        Chart("my-impact-minutes", pictures.line_chart(
            "Minutes your help saved colleagues, week by week", days,
            {"Minutes saved": [w.minutes_saved for w in found]}, unit="minutes saved")),
    ]


@page()
def my_impact(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own impact over time: theirs to see, never a manager's view."""
    person = _signed_in(request)
    return render(request, "web/insights/my_impact.html", {
        "person": person,
        "impact": impact_of(person, viewer=person),
        "charts": _own_value_by_week(person, WEEKS, timezone.now()),
        "weeks": WEEKS,
    })

