"""Topics are visible to every signed-in person; what is shown under a topic is gated."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from waggle.core.errors import NotFound
from waggle.core.markdown import normalize_topic
from waggle.topics.models import Topic


def visible_topics(user: Any) -> QuerySet[Topic]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Topic.objects.none()
    if user.is_guest:
        from waggle.exchange.access import visible_posts

        return Topic.objects.filter(posts__in=visible_posts(user).values("id")).distinct()
    return Topic.objects.all()


def access_topic(user: Any, name: str) -> Topic:
    try:
        return visible_topics(user).get(name=normalize_topic(name))
    except Topic.DoesNotExist:
        raise NotFound("No such topic.") from None
