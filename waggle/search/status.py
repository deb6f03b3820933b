"""What an administrator needs to know about search: which engine answers, whether the index
is in step with the posts, and whether ranking uses meaning (and if not, why). Counts only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waggle.exchange.models import Comment, Post
from waggle.search import embeddings, vectors
from waggle.search.models import SearchEntry
from waggle.search.query import engine_name


@dataclass(frozen=True)
class SearchStatus:
    engine: str
    entries: int
    expected: int  # one entry per post and per comment
    lexical_only_because: str  # "" when semantic ranking is on
    threads: int = 0
    embedded: int = 0  # threads with an up-to-date embedding of the current model
    approximate: dict[str, Any] | None = None  # the saved approximate vector index

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.entries)

    @property
    def in_step(self) -> bool:
        return self.entries == self.expected

    @property
    def semantic(self) -> bool:
        return not self.lexical_only_because

    @property
    def ranking(self) -> str:
        if not self.semantic:
            return f"Lexical only: {self.lexical_only_because}."
        waiting = max(0, self.threads - self.embedded)
        text = (f"Words and meaning (hybrid): {self.embedded:,} of {self.threads:,} threads "
                f"have an embedding ({embeddings.MODEL_NAME}).")
        if waiting:
            text += (f" {waiting:,} are waiting for the background task (or run "
                     "`waggle search embed`); until then they are found by their words only.")
        return text

    @property
    def vector_search(self) -> str:
        if not self.semantic:
            return "None."
        if self.approximate:
            return (f"Approximate (HNSW), {self.approximate['vectors']:,} vectors, built "
                    f"{self.approximate['built_at'][:16].replace('T', ' ')} UTC; newer ones "
                    "are searched exactly.")
        threshold = vectors.approximate_from()
        if self.embedded >= threshold:
            return (f"Exact, over {self.embedded:,} vectors: past {threshold:,} an approximate "
                    "index is faster; run `waggle search embed` to build it.")
        return f"Exact (an approximate index is built from {threshold:,} vectors on)."


def search_status() -> SearchStatus:
    reason = embeddings.why_disabled()
    return SearchStatus(
        engine=engine_name(), entries=SearchEntry.objects.count(),
        expected=Post.objects.count() + Comment.objects.count(),
        lexical_only_because=reason,
        threads=embeddings.thread_count() if not reason else 0,
        embedded=embeddings.embedded_count() if not reason else 0,
        approximate=vectors.approximate_status() if not reason else None,
    )
