"""Which topics a person may see: a topic's name can itself be confidential (#acquire-foo in
a private space), so a topic is visible only where something visible carries it."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from waggle.core.errors import NotFound
from waggle.core.markdown import normalize_topic
from waggle.topics.models import Topic


def visible_topics(user: Any) -> QuerySet[Topic]:
    """Topics on at least one post `user` may see, or (for members, not guests) declared as a
    skill by someone or followed by `user`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Topic.objects.none()
    from waggle.exchange.access import visible_posts
    from waggle.exchange.models import Follow, Post

    on_visible_post = Exists(
        Post.topics.through.objects.filter(
            topic_id=OuterRef("pk"), post_id__in=visible_posts(user).values("id")
        )
    )
    if user.is_guest:
        return Topic.objects.filter(on_visible_post)
    declared = Exists(
        Topic.declared_by.through.objects.filter(topic_id=OuterRef("pk"))
    )
    followed = Exists(Follow.objects.filter(follower_id=user.pk, topic_id=OuterRef("pk")))
    return Topic.objects.filter(Q(on_visible_post) | Q(declared) | Q(followed))


def access_topic(user: Any, name: str) -> Topic:
    try:
        return visible_topics(user).get(name=normalize_topic("" if name is None else str(name)))
    except Topic.DoesNotExist:
        raise NotFound("No such topic.") from None
