"""Space health for hosts: members, activity, questions and how they get answered, week by week,
and ghost-town detection with what a host can do about it.

Definitions (the figures hosts see, in the words of the page):
- **members**: people in the space with an active account who did not opt out of analytics;
- **active members**: members who posted, answered or commented in the space in the last
  ACTIVE_DAYS days;
- **questions asked / answered**: questions asked in the period (the last `weeks` weeks), and
  how many of them have an answer now; **answer rate** = answered / asked;
- **median time to first answer**: hours from a question to its first answer, over the period's
  answered questions; None when fewer than K were answered (a median of one or two answers is
  one or two people's response times);
- **unanswered**: questions of the space, asked at any time, with no answer yet;
- **weekly**: the same per week (weeks end at `now`): questions asked, how many of those are
  answered now, and how many people posted, answered or commented.
People who opted out of analytics count nowhere: they are not members here, and their posts
and comments are left out of every figure (so a question only they answered counts as
unanswered). An anonymous question counts as a question, never as anyone's activity.

**Small spaces**: with fewer than K (WAGGLE_MIN_GROUP_SIZE) members, `hidden` is True and no
figure is given: in a space of three, every figure is about someone.

**Ghost town**: activity falling while questions go unanswered. Falling: the posts and comments
of the last GHOST_WINDOW (four weeks) are fewer than half those of the four weeks before, which
had at least GHOST_MIN_ACTIVITY (a space that was never busy is quiet, not deserted). Going
unanswered: at least one question of the last four weeks older than ANSWER_GRACE is
unanswered, and that share of the recent questions is at least GHOST_UNANSWERED_SHARE or higher
than the same share for the questions of the four weeks before. The suggestions for a ghost
town: the newest unanswered questions with the likely helpers routing would invite
(`expertise.routing.candidates`), and the people who asked about the space's topics in other
spaces the host can see (to invite; listed by name only, no figure about them).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from waggle.exchange.access import visible_posts
from waggle.exchange.models import Comment, Post
from waggle.expertise.routing import candidates
from waggle.people.access import visible_people
from waggle.people.models import User
from waggle.spaces.models import Membership, Space
from waggle.topics.models import Topic

ACTIVE_DAYS = 30
GHOST_WINDOW = dt.timedelta(weeks=4)
GHOST_MIN_ACTIVITY = 6
GHOST_UNANSWERED_SHARE = 0.5
ANSWER_GRACE = dt.timedelta(hours=48)
SUGGESTED_QUESTIONS = 5
HELPERS_PER_QUESTION = 3
SPACE_TOPICS = 10
SUGGESTED_INVITES = 20


def _by_counted_author(prefix: str = "") -> Q:
    """Written by someone who did not opt out of analytics (or anonymously)."""
    return Q(**{f"{prefix}author__isnull": True}) | Q(
        **{f"{prefix}author__opt_out_analytics": False}
    )


def counted_posts(space: Space) -> QuerySet[Post]:
    return Post.objects.filter(space=space).filter(_by_counted_author())


def _counted_answers() -> QuerySet[Post]:
    return Post.objects.filter(kind=Post.Kind.ANSWER).filter(_by_counted_author())


@dataclass(frozen=True)
class WeekHealth:
    start: dt.datetime
    questions: int
    answered: int  # of the week's questions, those answered now
    active_people: int


@dataclass(frozen=True)
class GhostTownSignals:
    """What the ghost-town verdict is made of (shown to the host beside it)."""

    activity_recent: int  # posts and comments in the last four weeks
    activity_before: int  # in the four weeks before
    unanswered_share_recent: float | None  # of the last four weeks' questions (past the grace)
    unanswered_share_before: float | None  # of the four weeks before's questions
    falling: bool
    going_unanswered: bool


@dataclass(frozen=True)
class RouteSuggestion:
    """An unanswered question and the people routing would invite to answer it."""

    question: Post
    helpers: list[User]


@dataclass(frozen=True)
class InviteSuggestion:
    """People who asked about the space's topics in other spaces: people to invite."""

    topics: list[Topic]
    people: list[User]  # the most recent askers first, at most SUGGESTED_INVITES
    count: int  # how many people there are in all


@dataclass(frozen=True)
class GhostTownSuggestions:
    route: list[RouteSuggestion]
    invite: InviteSuggestion


@dataclass(frozen=True)
class SpaceHealth:
    """A space's health as its hosts see it (see the module's docstring for each figure)."""

    space: Space
    now: dt.datetime
    weeks: int
    k: int
    hidden: bool  # fewer than K members: no figures at all
    members: int | None = None
    active_members: int | None = None
    questions_asked: int | None = None
    questions_answered: int | None = None
    answer_rate: float | None = None
    median_hours_to_first_answer: float | None = None
    unanswered: int | None = None
    weekly: list[WeekHealth] = field(default_factory=list)
    signals: GhostTownSignals | None = None
    ghost_town: bool = False
    suggestions: GhostTownSuggestions | None = None


def _members(space: Space) -> QuerySet[Membership]:
    return Membership.objects.filter(
        space=space, user__is_active=True, user__opt_out_analytics=False
    )


def space_health(
    space: Space, *, viewer: Any = None, now: dt.datetime | None = None, weeks: int = 12
) -> SpaceHealth:
    """The health of `space` over the last `weeks` weeks. Who may see it is the caller's check
    (`insights.access.access_space_health`); `viewer` (the host) is needed for the ghost-town
    suggestions, which only name people and questions the viewer may see."""
    now = now or timezone.now()
    weeks = max(1, weeks)
    k = int(settings.WAGGLE_MIN_GROUP_SIZE)
    members = _members(space).count()
    if members < k:
        return SpaceHealth(space=space, now=now, weeks=weeks, k=k, hidden=True)

    start = now - dt.timedelta(weeks=weeks)
    earliest = min(start, now - 2 * GHOST_WINDOW, now - dt.timedelta(days=ACTIVE_DAYS))
    first_answer = Subquery(
        _counted_answers().filter(question=OuterRef("pk"))
        .order_by("created_at").values("created_at")[:1]
    )
    questions = list(
        counted_posts(space)
        .filter(kind=Post.Kind.QUESTION, created_at__gte=earliest, created_at__lt=now)
        .annotate(first_answer_at=first_answer)
        .values_list("created_at", "first_answer_at")
    )
    unanswered = (
        counted_posts(space)
        .filter(kind=Post.Kind.QUESTION, created_at__lt=now)
        .exclude(Exists(_counted_answers().filter(question=OuterRef("pk"))))
        .count()
    )
    activity = _activity(space, earliest, now)

    in_period = [(asked, answered) for asked, answered in questions if asked >= start]
    answered = [(asked, first) for asked, first in in_period if first is not None]
    hours = [max((first - asked).total_seconds(), 0.0) / 3600 for asked, first in answered]
    active_since = now - dt.timedelta(days=ACTIVE_DAYS)
    active_people = {person for person, at in activity if person is not None and at >= active_since}
    signals = _ghost_town_signals(questions, activity, now)
    ghost_town = signals.falling and signals.going_unanswered
    return SpaceHealth(
        space=space, now=now, weeks=weeks, k=k, hidden=False,
        members=members,
        active_members=_members(space).filter(user_id__in=active_people).count(),
        questions_asked=len(in_period),
        questions_answered=len(answered),
        answer_rate=round(len(answered) / len(in_period), 4) if in_period else None,
        median_hours_to_first_answer=(
            round(statistics.median(hours), 2) if len(hours) >= k else None
        ),
        unanswered=unanswered,
        weekly=_weekly(in_period, activity, start, weeks),
        signals=signals,
        ghost_town=ghost_town,
        suggestions=(
            ghost_town_suggestions(space, viewer, now=now)
            if ghost_town and viewer is not None else None
        ),
    )


def _activity(space: Space, since: dt.datetime, now: dt.datetime) -> list[tuple[int | None, Any]]:
    """(author or None, when) of every counted post and comment of the space in [since, now)."""
    posts = counted_posts(space).filter(created_at__gte=since, created_at__lt=now)
    comments = Comment.objects.filter(
        post__space=space, created_at__gte=since, created_at__lt=now
    ).filter(_by_counted_author())
    return [
        *posts.values_list("author_id", "created_at"),
        *comments.values_list("author_id", "created_at"),
    ]


def _weekly(
    questions: list[tuple[Any, Any]], activity: list[tuple[int | None, Any]],
    start: dt.datetime, weeks: int,
) -> list[WeekHealth]:
    def week_of(at: dt.datetime) -> int:
        return int((at - start) // dt.timedelta(weeks=1))

    asked = [0] * weeks
    answered = [0] * weeks
    people: dict[int, set[int]] = defaultdict(set)
    for at, first in questions:
        w = week_of(at)
        if 0 <= w < weeks:
            asked[w] += 1
            answered[w] += first is not None
    for person, at in activity:
        w = week_of(at)
        if person is not None and 0 <= w < weeks:
            people[w].add(person)
    return [
        WeekHealth(start=start + dt.timedelta(weeks=w), questions=asked[w],
                   answered=answered[w], active_people=len(people[w]))
        for w in range(weeks)
    ]


def _unanswered_share(questions: list[tuple[Any, Any]]) -> float | None:
    if not questions:
        return None
    return round(sum(first is None for _, first in questions) / len(questions), 4)


def _ghost_town_signals(
    questions: list[tuple[Any, Any]], activity: list[tuple[int | None, Any]], now: dt.datetime
) -> GhostTownSignals:
    recent_from, before_from = now - GHOST_WINDOW, now - 2 * GHOST_WINDOW
    recent = sum(at >= recent_from for _, at in activity)
    before = sum(before_from <= at < recent_from for _, at in activity)
    falling = before >= GHOST_MIN_ACTIVITY and recent * 2 < before
    due = now - ANSWER_GRACE  # younger questions have not had their chance yet
    recent_questions = [(a, f) for a, f in questions if recent_from <= a < due]
    before_questions = [(a, f) for a, f in questions if before_from <= a < recent_from]
    share_recent = _unanswered_share(recent_questions)
    share_before = _unanswered_share(before_questions)
    going_unanswered = share_recent is not None and share_recent > 0 and (
        share_recent >= GHOST_UNANSWERED_SHARE
        or (share_before is not None and share_recent > share_before)
    )
    return GhostTownSignals(
        activity_recent=recent, activity_before=before,
        unanswered_share_recent=share_recent, unanswered_share_before=share_before,
        falling=falling, going_unanswered=going_unanswered,
    )


def ghost_town_suggestions(
    space: Space, viewer: Any, *, now: dt.datetime | None = None
) -> GhostTownSuggestions:
    """What a host can do: route the newest unanswered questions to likely helpers, and invite
    people who asked about the space's topics elsewhere. Only people `viewer` may see (and who
    did not opt out of analytics) and questions `viewer` may see are named."""
    now = now or timezone.now()
    seen_people = visible_people(viewer)
    questions = list(
        counted_posts(space)
        .filter(kind=Post.Kind.QUESTION, created_at__lt=now,
                id__in=visible_posts(viewer).values("id"))
        .exclude(Exists(_counted_answers().filter(question=OuterRef("pk"))))
        .select_related("space")
        .order_by("-created_at", "-id")[:SUGGESTED_QUESTIONS]
    )
    routes = []
    for question in questions:
        found = candidates(question, limit=HELPERS_PER_QUESTION * 2, now=now)
        allowed = set(
            seen_people.filter(id__in=[c.person.pk for c in found], opt_out_analytics=False)
            .exclude(pk=viewer.pk)
            .values_list("id", flat=True)
        )
        helpers = [c.person for c in found if c.person.pk in allowed][:HELPERS_PER_QUESTION]
        routes.append(RouteSuggestion(question=question, helpers=helpers))
    return GhostTownSuggestions(route=routes, invite=_invite_suggestion(space, viewer))


def _invite_suggestion(space: Space, viewer: Any) -> InviteSuggestion:
    topic_ids = list(
        Post.topics.through.objects.filter(
            post__in=counted_posts(space).filter(kind=Post.Kind.QUESTION)
        )
        .values("topic_id").annotate(n=Count("id")).order_by("-n", "topic_id")
        .values_list("topic_id", flat=True)[:SPACE_TOPICS]
    )
    topics = list(Topic.objects.filter(id__in=topic_ids))
    topics.sort(key=lambda t: topic_ids.index(t.pk))
    members = Membership.objects.filter(space=space).values("user_id")
    askers = (
        visible_posts(viewer)
        .filter(kind=Post.Kind.QUESTION, topics__in=topic_ids, author__isnull=False,
                author__is_active=True, author__is_guest=False,
                author__opt_out_analytics=False,
                author_id__in=visible_people(viewer).values("id"))
        .exclude(space=space)
        .exclude(author_id__in=members)
        .exclude(author_id=viewer.pk)
        .values("author_id")
        .annotate(last=Max("created_at"))
        .order_by("-last", "author_id")
    )
    count = askers.count()
    ids = [row["author_id"] for row in askers[:SUGGESTED_INVITES]]
    people = User.objects.in_bulk(ids)
    return InviteSuggestion(topics=topics, people=[people[i] for i in ids if i in people],
                            count=count)
