"""A post's links to other posts (duplicate of, its duplicates, related), as a viewer sees them.

Every surface that shows links (the thread page, the API) reads them here, so they share one
rule: a link shows only when the post at its other end passes the visibility gate
(`visible_posts`), checked inside the SQL query. A post in a space the viewer cannot see is
left out entirely, its title included.

All of it is one query however many links a post has: a canonical question of a big archive
can have thousands of duplicates, so each list is cut to the newest `limit` in SQL (a window
ranks the links per list) and only the total of duplicates is counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf, RowNumber, Substr

from waggle.exchange.access import visible_posts
from waggle.exchange.models import Post, PostLink

LINKS_SHOWN = 10

DUPLICATE_OF = "duplicate_of"  # this post duplicates the other one
DUPLICATED_BY = "duplicated_by"  # the other post duplicates this one
RELATED = "related"  # either direction: "related" reads the same both ways

# An untitled update is named by the start of its text; the cut is short so a long body never
# travels for a one-line link.
UNTITLED_CHARS = 200
UNTITLED_SHOWN = 80


@dataclass(frozen=True)
class LinkedPost:
    """The post at the other end of a link: just what a link to it shows."""

    id: int
    kind: str
    title: str  # an answer shows its question's title
    question_id: int | None
    linked_at: dt.datetime

    @property
    def thread_id(self) -> int:
        """The post whose page shows this one (an answer lives on its question's page)."""
        return self.question_id or self.id


@dataclass(frozen=True)
class ShownLink:
    kind: str  # DUPLICATE_OF, DUPLICATED_BY or RELATED
    post: LinkedPost


@dataclass(frozen=True)
class PostLinks:
    """Each list newest link first, at most `limit` long, each other post in one list only."""

    duplicate_of: list[LinkedPost] = field(default_factory=list)
    duplicates: list[LinkedPost] = field(default_factory=list)
    duplicate_total: int = 0  # all duplicates the viewer may see; `duplicates` holds the newest
    related: list[LinkedPost] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.duplicate_of or self.duplicates or self.related)

    @property
    def more_duplicates(self) -> int:
        return self.duplicate_total - len(self.duplicates)

    def as_list(self) -> list[ShownLink]:
        return [
            *(ShownLink(DUPLICATE_OF, p) for p in self.duplicate_of),
            *(ShownLink(DUPLICATED_BY, p) for p in self.duplicates),
            *(ShownLink(RELATED, p) for p in self.related),
        ]


def _other(post_id: int, outgoing: Any, incoming: Any, output_field: Any) -> Case:
    """The value at the link's other end: `outgoing` when the post is the link's source."""
    return Case(When(post_id=post_id, then=outgoing), default=incoming, output_field=output_field)


def _ranked_links(viewer: Any, post: Post, limit: int) -> QuerySet[PostLink, dict[str, Any]]:
    visible = visible_posts(viewer).values("id")
    pk = post.pk
    role = Case(
        When(post_id=pk, kind=PostLink.Kind.DUPLICATE, then=Value(DUPLICATE_OF)),
        When(kind=PostLink.Kind.DUPLICATE, then=Value(DUPLICATED_BY)),
        default=Value(RELATED),
        output_field=CharField(),
    )
    newest_first = [F("created_at").desc(), F("id").desc()]

    def title(side: str) -> Coalesce:
        return Coalesce(
            NullIf(F(f"{side}__title"), Value("")),
            F(f"{side}__question__title"),
            Value(""),
            output_field=CharField(),
        )

    return (
        PostLink.objects.filter(
            Q(post_id=pk, target_id__in=visible) | Q(target_id=pk, post_id__in=visible)
        )
        .annotate(
            role=role,
            other_id=_other(pk, F("target_id"), F("post_id"), IntegerField()),
            other_kind=_other(pk, F("target__kind"), F("post__kind"), CharField()),
            other_question_id=_other(
                pk, F("target__question_id"), F("post__question_id"), IntegerField()
            ),
            other_title=_other(pk, title("target"), title("post"), CharField()),
            other_start=_other(
                pk,
                Substr("target__body", 1, UNTITLED_CHARS),
                Substr("post__body", 1, UNTITLED_CHARS),
                CharField(),
            ),
            rank=Window(RowNumber(), partition_by=[F("role")], order_by=newest_first),
            total=Window(Count("id"), partition_by=[F("role")]),
        )
        # A related post can be linked both ways and also be a duplicate: enough related rows
        # that `limit` distinct ones remain after those repeats are dropped.
        .filter(rank__lte=4 * limit)
        .order_by(*newest_first)
        .values(
            "role",
            "created_at",
            "total",
            "other_id",
            "other_kind",
            "other_question_id",
            "other_title",
            "other_start",
        )
    )


def _linked_post(row: dict[str, Any]) -> LinkedPost:
    title = row["other_title"]
    if not title:  # an update may have no title
        words = " ".join((row["other_start"] or "").split())
        title = words if len(words) <= UNTITLED_SHOWN else words[: UNTITLED_SHOWN - 1] + "…"
    return LinkedPost(
        id=row["other_id"],
        kind=row["other_kind"],
        title=title or f"Post #{row['other_id']}",
        question_id=row["other_question_id"],
        linked_at=row["created_at"],
    )


def linked_posts(viewer: Any, post: Post, *, limit: int = LINKS_SHOWN) -> PostLinks:
    """The links of `post` (which the caller read through the gate) that `viewer` may see."""
    duplicate_of: list[LinkedPost] = []
    duplicates: list[LinkedPost] = []
    related: list[LinkedPost] = []
    duplicate_total = 0
    rows = list(_ranked_links(viewer, post, limit))
    for row in rows:  # newest first
        if row["role"] == DUPLICATE_OF and len(duplicate_of) < limit:
            duplicate_of.append(_linked_post(row))
        elif row["role"] == DUPLICATED_BY:
            duplicate_total = row["total"]
            if len(duplicates) < limit:
                duplicates.append(_linked_post(row))
    shown = {p.id for p in (*duplicate_of, *duplicates)}
    for row in rows:
        if row["role"] == RELATED and len(related) < limit and row["other_id"] not in shown:
            shown.add(row["other_id"])
            related.append(_linked_post(row))
    return PostLinks(
        duplicate_of=duplicate_of,
        duplicates=duplicates,
        duplicate_total=duplicate_total,
        related=related,
    )
