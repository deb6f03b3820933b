"""Feeds: the ordered lists of posts a person reads (home, space, topic, person), all gated.

Every feed starts from `visible_posts(viewer)` (or from space ids read through
`visible_spaces`) and is ordered newest first by the unique pair (created_at, id), so callers
page through it with a keyset ("older than this post") instead of OFFSET or COUNT(*): on
PostgreSQL each page is a short walk of a created_at index (`post_space_created`,
`post_author_created` or `post_feed_created`), however many million posts there are.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Exists, Field, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL

from waggle.exchange.access import visible_posts
from waggle.exchange.models import Follow, Post
from waggle.spaces.access import visible_spaces
from waggle.spaces.models import Membership, Space
from waggle.topics.models import Topic

# Answers are read inside their question, never as feed items of their own.
FEED_KINDS = (Post.Kind.QUESTION, Post.Kind.UPDATE, Post.Kind.LESSON)
FEED_ORDER = ("-created_at", "-id")
# Up to this many spaces the home feed reads each space on its own (a few rows from the top of
# `post_space_created` each); past it, one `space_id IN (...)` read: a person in that many
# spaces has a busy feed, which PostgreSQL finds with a short walk of the created_at index.
SPACES_READ_ONE_BY_ONE = 20


def _feed(posts: QuerySet[Post]) -> QuerySet[Post]:
    """What every feed list needs to render without a query per item."""
    return (
        posts.filter(kind__in=FEED_KINDS)
        .select_related("space", "author")
        .prefetch_related("topics")
        .order_by(*FEED_ORDER)
    )


@dataclass(frozen=True)
class FeedSources:
    """What a person's home feed reads: spaces (through the gate), people and topics."""

    spaces: Sequence[Space] = field(default_factory=list)  # visible; joined or followed; by name
    member_space_ids: frozenset[int] = frozenset()
    person_ids: list[int] = field(default_factory=list)  # followed people
    topic_ids: list[int] = field(default_factory=list)  # followed topics

    @property
    def space_ids(self) -> list[int]:
        return sorted(space.pk for space in self.spaces)

    @property
    def member_spaces(self) -> list[Space]:
        """The visible spaces the viewer belongs to (the home page lists them too)."""
        return [space for space in self.spaces if space.pk in self.member_space_ids]


def feed_sources(viewer: Any) -> FeedSources:
    """The spaces, people and topics the viewer's home feed reads, in two queries."""
    follows = Follow.objects.filter(follower_id=viewer.pk).order_by()
    followed = list(follows.values_list("person_id", "space_id", "topic_id"))
    memberships = Membership.objects.filter(user_id=viewer.pk).order_by()
    spaces = visible_spaces(viewer).only("id", "name", "slug").order_by("name", "id")
    if any(space is not None for _, space, _ in followed):
        # One IN over both lists (not an OR of two): PostgreSQL then looks the few ids up by
        # key instead of testing every space.
        joined_or_followed = memberships.values("space_id").union(
            follows.filter(space__isnull=False).values("space_id")
        )
        spaces = spaces.filter(id__in=joined_or_followed).annotate(
            is_member=Exists(memberships.filter(space_id=OuterRef("pk")))
        )
    else:  # most people follow no space: their spaces are the ones they joined
        spaces = spaces.filter(id__in=memberships.values("space_id")).annotate(
            is_member=Value(True)
        )
    found = list(spaces)
    return FeedSources(
        spaces=found,
        member_space_ids=frozenset(space.pk for space in found if space.is_member),
        person_ids=sorted(person for person, _, _ in followed if person is not None),
        topic_ids=sorted(topic for _, _, topic in followed if topic is not None),
    )


def _column(name: str) -> str:
    """The database column of one of the post fields a feed is ordered by."""
    post_field = Post._meta.get_field(name)
    assert isinstance(post_field, Field) and post_field.column, f"cannot order by {name!r}"
    return post_field.column


class MergedFeed:
    """Posts from several source querysets ("branches") in one newest-first order.

    A single query over all sources (`space in (...) OR author in (...) OR ...`) leaves the
    planner guessing, and for someone whose sources are quiet it walks the whole created_at
    index (about 2 s at 1,000,000 posts). Here every branch reads its own index with the
    keyset filter and the LIMIT inside it, and one UNION sorts the few rows they return and
    cuts the page; the posts themselves come in the same query, in the feed's order.

    The `lead` branches (the viewer's spaces, one short index read each, and the people they
    follow) go first. The `bounded` ones (followed topics, which reach into every space) may
    be sparse where the viewer can look: a topic whose posts sit in private spaces the viewer
    is not in would make its branch walk the whole index looking for a page of them. When the
    lead branches fill a page, nothing older than that page can make it, so the bounded
    branches stop at its oldest post.

    It offers the part of the QuerySet API that `keyset_page` uses: `filter`, `order_by` and
    a `[:n]` slice; iterating it reads everything (tests, small lists).
    """

    model = Post

    def __init__(
        self,
        lead: Sequence[QuerySet[Post]],
        bounded: Sequence[QuerySet[Post]] = (),
        ordering: Sequence[str] = FEED_ORDER,
    ) -> None:
        self.lead = list(lead)
        self.bounded = list(bounded)
        self.ordering = tuple(ordering)

    def filter(self, *args: Any, **kwargs: Any) -> MergedFeed:
        return MergedFeed(
            [b.filter(*args, **kwargs) for b in self.lead],
            [b.filter(*args, **kwargs) for b in self.bounded],
            self.ordering,
        )

    def order_by(self, *ordering: str) -> MergedFeed:
        return MergedFeed(self.lead, self.bounded, ordering)

    def __getitem__(self, window: slice) -> list[Post]:
        if not isinstance(window, slice) or window.start or window.step or window.stop is None:
            raise TypeError("A merged feed is read from its start: feed[:n].")
        return self._read(window.stop)

    def __iter__(self) -> Iterator[Post]:
        return iter(self._read(None))

    def _read(self, limit: int | None) -> list[Post]:
        branches = self.lead + self.bounded
        if not branches or limit == 0:
            return []
        if limit is not None and self.lead and self.bounded:
            first, newest_first = self.ordering[0].lstrip("-"), self.ordering[0].startswith("-")
            lead = list(self._first(self.lead, limit).values_list(first, "id")[:limit])
            bounded = self.bounded
            if len(lead) == limit:
                # A literal, not a subquery: the planner then knows how short the walk is.
                edge = {f"{first}__{'gte' if newest_first else 'lte'}": lead[-1][0]}
                bounded = [b.filter(**edge) for b in bounded]
            branches = [Post.objects.filter(pk__in=[pk for _, pk in lead]), *bounded]
        posts = _feed(self._first(branches, limit)).order_by(*self.ordering)
        return list(posts if limit is None else posts[:limit])

    def _first(self, branches: Sequence[QuerySet[Post]], limit: int | None) -> QuerySet[Post]:
        """All `branches` together in the feed's order, as one queryset to cut at `limit`."""
        if len(branches) == 1:  # nothing to merge
            return branches[0].filter(kind__in=FEED_KINDS).order_by(*self.ordering)
        return Post.objects.filter(pk__in=self._union(branches, limit)).order_by(*self.ordering)

    def _union(self, branches: Sequence[QuerySet[Post]], limit: int | None) -> RawSQL:
        """SQL for the ids of the first `limit` posts of all `branches` together."""
        connection = connections[branches[0].db]
        quote = connection.ops.quote_name
        keys = [(name.lstrip("-"), name.startswith("-")) for name in self.ordering]
        fields = [name for name, _ in keys] + ([] if "id" in dict(keys) else ["id"])
        column = {name: quote(_column(name)) for name in fields}
        columns = ", ".join(column.values())
        parts: list[str] = []
        params: list[Any] = []
        for branch in branches:
            rows = branch.filter(kind__in=FEED_KINDS).order_by(*self.ordering).values_list(*fields)
            if limit is not None:
                rows = rows[:limit]
            sql, branch_params = rows.query.get_compiler(connection=connection).as_sql()
            # Wrapped so each branch keeps its own ORDER BY and LIMIT (SQLite allows them only
            # in a subquery) and the UNION lines up the same columns.
            parts.append(f"SELECT {columns} FROM ({sql}) {quote('branch')}")
            params.extend(branch_params)
        order = ", ".join(f"{column[name]} {'DESC' if desc else 'ASC'}" for name, desc in keys)
        union = " UNION ".join(parts) + f" ORDER BY {order}"
        if limit is not None:
            union += " LIMIT %s"
            params.append(limit)
        return RawSQL(f"SELECT {column['id']} FROM ({union}) {quote('page')}", params)


def home_feed(
    viewer: Any, *, everything: bool = False, sources: FeedSources | None = None
) -> MergedFeed:
    """Questions, updates and lessons from the viewer's spaces and the spaces, people and
    topics they follow; with `everything`, every such post the viewer may see.

    Pass `sources` when the caller has read them already (the home page lists the spaces)."""
    if everything:
        # Open spaces are many, so a page of "everything" is a short walk of created_at.
        return MergedFeed([visible_posts(viewer)])
    if sources is None:
        sources = feed_sources(viewer)
    # The space ids came through `visible_spaces` just now: these reads need no second gate.
    in_space = Post.objects.all()
    if len(sources.space_ids) <= SPACES_READ_ONE_BY_ONE:
        lead = [in_space.filter(space_id=pk) for pk in sources.space_ids]
    else:
        lead = [in_space.filter(space_id__in=sources.space_ids)]
    # People and topics reach into any space, so their reads go through the gate. A person
    # shares a few posts (`post_author_created` holds them newest first); a topic holds
    # thousands, in spaces the viewer may not see, so it is bounded by the rest.
    if sources.person_ids:
        lead.append(visible_posts(viewer).filter(author_id__in=sources.person_ids))
    bounded: list[QuerySet[Post]] = []
    if sources.topic_ids:
        tagged = Post.topics.through.objects.filter(topic_id__in=sources.topic_ids)
        bounded.append(visible_posts(viewer).filter(id__in=tagged.values("post_id")))
    return MergedFeed(lead, bounded)


def space_feed(viewer: Any, space: Space) -> QuerySet[Post]:
    """The questions, updates and lessons shared in one space (empty if it is hidden)."""
    return _feed(visible_posts(viewer).filter(space=space))


def topic_feed(viewer: Any, topic: Topic) -> QuerySet[Post]:
    """Visible questions, updates and lessons about one topic."""
    tagged = Post.topics.through.objects.filter(topic_id=topic.pk).values("post_id")
    return _feed(visible_posts(viewer).filter(id__in=tagged))


def person_feed(viewer: Any, person: Any) -> QuerySet[Post]:
    """What one person shared under their name, as far as the viewer may see it.

    Anonymous questions have no author, so they never appear here.
    """
    return _feed(visible_posts(viewer).filter(author_id=person.pk))
