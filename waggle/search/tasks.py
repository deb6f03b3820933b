"""Background tasks of search: embedding threads after their posts commit; keeping the recent
index (SQLite) to its size."""

from __future__ import annotations

from django_tasks import task

from waggle.search import embeddings, recent, vectors


@task()
def embed_threads(thread_ids: list[int]) -> int:
    """Bring these threads' embeddings up to date, then rebuild the approximate vector index
    when enough has changed since it was built; returns how many threads were encoded."""
    counts = embeddings.embed(thread_ids)
    vectors.rebuild_approximate_if_due()
    return counts.encoded


@task()
def maintain_recent_index() -> str:
    """Turn the recent index on, or drop its oldest entries, when due (`recent.py`)."""
    return recent.maintain()
