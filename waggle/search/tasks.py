"""Background tasks of search: embedding threads after their posts commit."""

from __future__ import annotations

from django_tasks import task

from waggle.search import embeddings, vectors


@task()
def embed_threads(thread_ids: list[int]) -> int:
    """Bring these threads' embeddings up to date, then rebuild the approximate vector index
    when enough has changed since it was built; returns how many threads were encoded."""
    counts = embeddings.embed(thread_ids)
    vectors.rebuild_approximate_if_due()
    return counts.encoded
