"""Value over time, by space, topic or department, and the content that created the most value
(not the most activity). A person's own impact is `waggle.value.impact.impact_of`.

Everything is read through the viewer's gate (`visible_value_reports`, `visible_posts`): value
reported on a post or comment the viewer cannot see counts for nothing. Reports by people who
opted out of analytics, and reports on the help of people who did, are left out.

**Grouping.** A value report belongs to the space of its post (or comment); to every topic of its
thread (an answer's or comment's topics are its question's); to the department of the person
who reported it (value is what happened to them: a problem solved, time saved, practice changed;
people without a department are in no department row).

**Small groups.** A group's row is shown only when at least K (WAGGLE_MIN_GROUP_SIZE) distinct
people reported value in it over the whole period; then its weekly figures are shown too (they
add up to the row's total, which is about K people or more). Hidden rows are only counted
(`hidden_groups`), and no total over all groups is given (total minus the shown rows would be
the hidden ones).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from waggle.exchange.access import visible_posts
from waggle.exchange.models import Post
from waggle.people.models import Department
from waggle.spaces.models import Space
from waggle.topics.models import Topic
from waggle.value.access import visible_value_reports
from waggle.value.impact import KIND_FIELDS, ValueSummary
from waggle.value.models import ValueReport

GroupBy = Literal["space", "topic", "department"]
GROUPINGS: tuple[GroupBy, ...] = ("space", "topic", "department")
CHUNK = 5000


def counted_value_reports(viewer: Any) -> QuerySet[ValueReport]:
    """The value reports `viewer` may see, without anyone who opted out of analytics."""
    return visible_value_reports(viewer).filter(
        Q(reporter__opt_out_analytics=False)
        & (Q(helper__isnull=True) | Q(helper__opt_out_analytics=False))
    )


@dataclass
class _Tally:
    reports: int = 0
    solved_problem: int = 0
    saved_time: int = 0
    learned_something: int = 0
    changed_practice: int = 0
    minutes_saved: int = 0

    def add(self, flags: tuple[bool, bool, bool, bool], minutes: int) -> None:
        self.reports += 1
        self.solved_problem += flags[0]
        self.saved_time += flags[1]
        self.learned_something += flags[2]
        self.changed_practice += flags[3]
        self.minutes_saved += minutes

    def summary(self) -> ValueSummary:
        return ValueSummary(**asdict(self))  # the same fields, frozen


@dataclass(frozen=True)
class ValueRow:
    """One space, topic or department over the period."""

    group: int  # the space's, topic's or department's id
    name: str
    reporters: int  # distinct people who reported value in it (at least K)
    total: ValueSummary
    weekly: list[ValueSummary]  # one per week of `ValueOverTime.weeks`


@dataclass(frozen=True)
class ValueOverTime:
    by: GroupBy
    k: int
    weeks: list[dt.datetime]  # the start of each week; the last one ends at `now`
    rows: list[ValueRow] = field(default_factory=list)  # most reports first
    hidden_groups: int = 0  # groups with value from fewer than K people


def _thread() -> Coalesce:
    return Coalesce(
        "post__question_id", "post_id", "comment__post__question_id", "comment__post_id",
        output_field=IntegerField(),
    )


def value_over_time(
    viewer: Any, *, by: GroupBy = "space", weeks: int = 12, now: dt.datetime | None = None
) -> ValueOverTime:
    """Weekly value (reports, problems solved, time saved, things learned, practices changed,
    minutes saved) per space, topic or department over the last `weeks` weeks, as `viewer` may
    see it (see the module's docstring for the rules)."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    now = now or timezone.now()
    weeks = max(1, weeks)
    k = int(settings.WAGGLE_MIN_GROUP_SIZE)
    start = now - dt.timedelta(weeks=weeks)
    key = {
        "space": Coalesce("post__space_id", "comment__post__space_id",
                          output_field=IntegerField()),
        "topic": _thread(),
        "department": Coalesce("reporter__department_id", Value(-1),
                               output_field=IntegerField()),
    }[by]
    rows = (
        counted_value_reports(viewer)
        .filter(created_at__gte=start, created_at__lt=now)
        .order_by()
        .values_list("created_at", "reporter_id", *KIND_FIELDS,
                     Coalesce("minutes_saved", Value(0)), key)
        .iterator(chunk_size=CHUNK)
    )
    cells: dict[tuple[int, int], _Tally] = defaultdict(_Tally)
    totals: dict[int, _Tally] = defaultdict(_Tally)
    reporters: dict[int, set[int]] = defaultdict(set)
    pending: list[tuple[int, int, tuple[bool, bool, bool, bool], int, int]] = []

    def count(groups: Iterable[int], week: int, person: int,
              flags: tuple[bool, bool, bool, bool], minutes: int) -> None:
        for group in groups:
            cells[(group, week)].add(flags, minutes)
            totals[group].add(flags, minutes)
            reporters[group].add(person)

    def flush() -> None:
        topics = _topics_of({row[4] for row in pending})
        for week, person, flags, minutes, thread in pending:
            count(topics.get(thread, ()), week, person, flags, minutes)
        pending.clear()

    for at, person, solved, saved, learned, changed, minutes, group in rows:
        week = min(int((at - start) // dt.timedelta(weeks=1)), weeks - 1)
        flags = (solved, saved, learned, changed)
        if by == "topic":
            pending.append((week, person, flags, minutes, group))
            if len(pending) == CHUNK:
                flush()
        elif group is not None and group >= 0:
            count((group,), week, person, flags, minutes)
    if pending:
        flush()

    shown = [group for group, people in reporters.items() if len(people) >= k]
    names = _names(by, shown)
    result = [
        ValueRow(
            group=group, name=names.get(group, ""), reporters=len(reporters[group]),
            total=totals[group].summary(),
            weekly=[cells[(group, w)].summary() if (group, w) in cells else ValueSummary()
                    for w in range(weeks)],
        )
        for group in shown
    ]
    result.sort(key=lambda row: (-row.total.reports, row.name, row.group))
    return ValueOverTime(
        by=by, k=k, weeks=[start + dt.timedelta(weeks=w) for w in range(weeks)], rows=result,
        hidden_groups=len(reporters) - len(shown),
    )


def _topics_of(threads: set[int]) -> dict[int, list[int]]:
    topics: dict[int, list[int]] = defaultdict(list)
    for thread, topic in Post.topics.through.objects.filter(
        post_id__in=list(threads)
    ).values_list("post_id", "topic_id"):
        topics[thread].append(topic)
    return topics


def _names(by: GroupBy, ids: list[int]) -> dict[int, str]:
    if by == "space":
        return dict(Space.objects.filter(id__in=ids).values_list("id", "name"))
    if by == "department":
        return dict(Department.objects.filter(id__in=ids).values_list("id", "name"))
    return {pk: f"#{name}" for pk, name in Topic.objects.filter(id__in=ids)
            .values_list("id", "name")}


@dataclass(frozen=True)
class ValuableContent:
    """A post and the value it created: `value.reports` is the number of people it helped (one
    report per person per post)."""

    post: Post
    value: ValueSummary


def most_valuable_content(
    viewer: Any, *, space: Space | None = None, since: dt.datetime | None = None,
    limit: int = 10,
) -> list[ValuableContent]:
    """The posts `viewer` may see that helped the most people (then saved the most minutes),
    counting the value reports `viewer` may see. Not activity: views, answers or comments
    count for nothing. The figures are those each post's own page shows its viewers, so no
    group smaller than K is singled out beyond what the post already shows."""
    reports = counted_value_reports(viewer).filter(post__isnull=False)
    if space is not None:
        reports = reports.filter(post__space=space)
    if since is not None:
        reports = reports.filter(created_at__gte=since)
    ranked = list(
        reports.values("post_id")
        .annotate(
            reports=Count("id"), minutes_saved=Coalesce(Sum("minutes_saved"), Value(0)),
            **{name: Count("id", filter=Q(**{name: True})) for name in KIND_FIELDS},
        )
        .order_by("-reports", "-minutes_saved", "-post_id")[:limit]
    )
    posts = visible_posts(viewer).select_related("space", "author", "question").in_bulk(
        [row["post_id"] for row in ranked]
    )
    return [
        ValuableContent(
            post=posts[row["post_id"]],
            value=ValueSummary(
                reports=row["reports"], minutes_saved=row["minutes_saved"],
                **{name: row[name] for name in KIND_FIELDS},
            ),
        )
        for row in ranked
        if row["post_id"] in posts
    ]
