"""Impact: the value a person's help created, and the value summary of single posts/comments.

Value is told in words about what happened to people ("solved a problem", "~90 min saved"),
never as a score to rank people by. Everything here is read through the visibility gate of
the *viewer*: a report or kudos on an item the viewer cannot see does not count, and only
people the viewer may see are named.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from waggle.people.access import visible_people
from waggle.value.access import visible_kudos, visible_value_reports
from waggle.value.models import Kudos, ValueReport

KIND_FIELDS = ("solved_problem", "saved_time", "learned_something", "changed_practice")


def _kind_counts() -> dict[str, Any]:
    return {name: Count("id", filter=Q(**{name: True})) for name in KIND_FIELDS}


@dataclass(frozen=True)
class ValueSummary:
    """How one item (or all of a person's items) helped: people and kinds of help."""

    reports: int = 0
    solved_problem: int = 0
    saved_time: int = 0
    learned_something: int = 0
    changed_practice: int = 0
    minutes_saved: int = 0

    def __bool__(self) -> bool:
        return self.reports > 0


@dataclass(frozen=True)
class Impact:
    """A person's own impact as one viewer may see it."""

    value: ValueSummary
    people_helped: list[Any] = field(default_factory=list)
    people_helped_count: int = 0
    kudos: list[Kudos] = field(default_factory=list)
    kudos_count: int = 0

    def __bool__(self) -> bool:
        return bool(self.value) or self.kudos_count > 0


def impact_of(
    person: Any, *, viewer: Any, people_limit: int = 24, kudos_limit: int = 10
) -> Impact:
    """The value `person`'s posts and comments created, who they helped and the kudos they
    received, counting only what `viewer` may see. Four queries, however much there is."""
    reports = visible_value_reports(viewer).filter(helper_id=person.pk)
    seen_people = visible_people(viewer).values("id")
    # Who reported value in an anonymous question's thread is never listed: the asker is
    # usually the one it helped, and naming them would undo the anonymity.
    named_reports = reports.exclude(
        Q(post__is_anonymous=True) | Q(post__question__is_anonymous=True)
        | Q(comment__post__is_anonymous=True) | Q(comment__post__question__is_anonymous=True)
    )
    totals = reports.aggregate(
        reports=Count("id"),
        minutes_saved=Sum("minutes_saved"),
        people=Count(
            "reporter_id", distinct=True,
            filter=Q(reporter_id__in=seen_people, id__in=named_reports.values("id")),
        ),
        **_kind_counts(),
    )
    people = list(
        visible_people(viewer)
        .filter(id__in=named_reports.values("reporter_id"))
        .select_related("department")
        .order_by("display_name", "username")[:people_limit]
    )
    kudos_received = visible_kudos(viewer).filter(
        receiver_id=person.pk, giver_id__in=seen_people
    )
    kudos = list(
        kudos_received.select_related(
            "giver", "post", "post__question", "comment", "comment__post"
        ).order_by("-created_at", "-id")[:kudos_limit]
    )
    return Impact(
        value=ValueSummary(
            reports=totals["reports"],
            minutes_saved=totals["minutes_saved"] or 0,
            **{name: totals[name] for name in KIND_FIELDS},
        ),
        people_helped=people,
        people_helped_count=totals["people"],
        kudos=kudos,
        kudos_count=kudos_received.count(),
    )


def item_value_summaries(
    viewer: Any, *, post_ids: Iterable[int] = (), comment_ids: Iterable[int] = ()
) -> dict[tuple[str, int], ValueSummary]:
    """Value summaries for many posts and comments in one query, keyed ("post", id) or
    ("comment", id). Items nobody reported on are left out."""
    post_ids, comment_ids = list(post_ids), list(comment_ids)
    if not post_ids and not comment_ids:
        return {}
    rows = (
        visible_value_reports(viewer)
        .filter(Q(post_id__in=post_ids) | Q(comment_id__in=comment_ids))
        .values("post_id", "comment_id")
        .annotate(reports=Count("id"), minutes_saved=Sum("minutes_saved"), **_kind_counts())
        .order_by()
    )
    summaries: dict[tuple[str, int], ValueSummary] = {}
    for row in rows:
        key = ("post", row["post_id"]) if row["post_id"] else ("comment", row["comment_id"])
        summaries[key] = ValueSummary(
            reports=row["reports"],
            minutes_saved=row["minutes_saved"] or 0,
            **{name: row[name] for name in KIND_FIELDS},
        )
    return summaries


def own_reports(
    viewer: Any, *, post_ids: Iterable[int] = (), comment_ids: Iterable[int] = ()
) -> dict[tuple[str, int], ValueReport]:
    """The viewer's own value reports on these items, keyed like `item_value_summaries`."""
    post_ids, comment_ids = list(post_ids), list(comment_ids)
    if not post_ids and not comment_ids:
        return {}
    mine = ValueReport.objects.filter(reporter_id=viewer.pk).filter(
        Q(post_id__in=post_ids) | Q(comment_id__in=comment_ids)
    )
    reports: dict[tuple[str, int], ValueReport] = {}
    for report in mine:
        if report.post_id is not None:
            reports[("post", report.post_id)] = report
        elif report.comment_id is not None:
            reports[("comment", report.comment_id)] = report
    return reports


@dataclass(frozen=True)
class ImpactWeek:
    """One week of the value a person's help created: reports, problems solved, minutes."""

    start: dt.date
    reports: int = 0
    solved_problem: int = 0
    minutes_saved: int = 0


def impact_by_week(person: Any, *, viewer: Any, weeks: int, now: dt.datetime
                   ) -> list[ImpactWeek]:
    """The value `person`'s help created in each of the last `weeks` weeks (oldest first), as
    `viewer` may see it; empty when there is none in the period."""
    start = now - dt.timedelta(weeks=weeks)
    rows = list(
        visible_value_reports(viewer)
        .filter(helper_id=person.pk, created_at__gte=start, created_at__lt=now)
        .values_list("created_at", "solved_problem", Coalesce("minutes_saved", Value(0)))
    )
    if not rows:
        return []
    reports, solved, minutes = [0] * weeks, [0] * weeks, [0] * weeks
    for at, solved_problem, saved in rows:
        week = min(int((at - start) // dt.timedelta(weeks=1)), weeks - 1)
        reports[week] += 1
        solved[week] += solved_problem
        minutes[week] += saved
    return [ImpactWeek((start + dt.timedelta(weeks=w)).date(), reports[w], solved[w], minutes[w])
            for w in range(weeks)]
