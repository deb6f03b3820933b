"""Feeds: the ordered lists of posts a person reads (home, space, topic, person), all gated.

Every feed starts from `visible_posts(viewer)` and is ordered newest first by the unique pair
(created_at, id), so callers page through it with a keyset ("older than this post") instead
of OFFSET or COUNT(*): on PostgreSQL each page is a short backward walk of a created_at index
(`post_space_created`, `post_author_created` or the created_at index itself), however many
million posts there are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from waggle.exchange.access import visible_posts
from waggle.exchange.models import Follow, Post
from waggle.spaces.models import Membership, Space
from waggle.topics.models import Topic

# Answers are read inside their question, never as feed items of their own.
FEED_KINDS = (Post.Kind.QUESTION, Post.Kind.UPDATE, Post.Kind.LESSON)
FEED_ORDER = ("-created_at", "-id")


def _feed(posts: QuerySet[Post]) -> QuerySet[Post]:
    """What every feed list needs to render without a query per item."""
    return (
        posts.filter(kind__in=FEED_KINDS)
        .select_related("space", "author")
        .prefetch_related("topics")
        .order_by(*FEED_ORDER)
    )


def home_feed(viewer: Any, *, everything: bool = False) -> QuerySet[Post]:
    """Questions, updates and lessons from the viewer's spaces and the spaces, people and
    topics they follow; with `everything`, every such post the viewer may see."""
    posts = visible_posts(viewer)
    if not everything:
        follows = Follow.objects.filter(follower_id=viewer.pk)
        topic_posts = Post.topics.through.objects.filter(
            topic_id__in=follows.filter(topic__isnull=False).values("topic_id")
        ).values("post_id")
        posts = posts.filter(
            Q(space_id__in=Membership.objects.filter(user_id=viewer.pk).values("space_id"))
            | Q(space_id__in=follows.filter(space__isnull=False).values("space_id"))
            | Q(author_id__in=follows.filter(person__isnull=False).values("person_id"))
            | Q(id__in=topic_posts)
        )
    return _feed(posts)


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
