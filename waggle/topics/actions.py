"""Finding or creating topics from names people write or choose."""

from __future__ import annotations

from collections.abc import Iterable

from waggle.core.errors import Invalid
from waggle.core.markdown import normalize_topic
from waggle.topics.models import Topic

MAX_TOPICS_PER_ITEM = 10


def clean_topic_names(names: Iterable[str]) -> list[str]:
    """Normalized, de-duplicated topic names; raises Invalid for too many."""
    cleaned: dict[str, None] = {}
    for raw in names:
        name = normalize_topic(str(raw))
        if name:
            cleaned.setdefault(name, None)
    if len(cleaned) > MAX_TOPICS_PER_ITEM:
        raise Invalid(f"At most {MAX_TOPICS_PER_ITEM} topics, please.", field="topics")
    return list(cleaned)


def ensure_topics(names: Iterable[str]) -> list[Topic]:
    """The Topic rows for `names`, creating the missing ones (call inside a transaction)."""
    wanted = clean_topic_names(names)
    if not wanted:
        return []
    existing = {t.name: t for t in Topic.objects.filter(name__in=wanted)}
    missing = [Topic(name=n) for n in wanted if n not in existing]
    if missing:
        Topic.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Topic.objects.filter(name__in=wanted)}
    return [existing[n] for n in wanted]
