"""Topics are found or made from the names people write or choose, one row per topic."""

from __future__ import annotations

import pytest

from waggle.core.errors import Invalid
from waggle.topics.actions import MAX_TOPICS_PER_ITEM, clean_topic_names, ensure_topics
from waggle.topics.models import Topic


def test_names_are_normalized_and_deduplicated() -> None:
    assert clean_topic_names(["Machine Learning", "#machine-learning", " ML ", "", "!!"]) == [
        "machine-learning", "ml"
    ]


def test_too_many_topics_are_refused() -> None:
    names = [f"t{i}" for i in range(MAX_TOPICS_PER_ITEM)]
    assert clean_topic_names(names) == names
    with pytest.raises(Invalid) as exc:
        clean_topic_names([*names, "one-more"])
    assert exc.value.field == "topics"


def test_ensure_topics_makes_the_missing_ones_once(db: None) -> None:
    (pg,) = ensure_topics(["postgres"])
    again = ensure_topics(["Postgres", "SQL"])
    assert [t.name for t in again] == ["postgres", "sql"]
    assert again[0].pk == pg.pk
    assert Topic.objects.count() == 2
    assert ensure_topics([]) == []
    assert str(pg) == "#postgres"
