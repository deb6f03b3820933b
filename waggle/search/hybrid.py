"""Hybrid ranking in the product: the lexical matches and the threads nearest the query in
meaning, in one order (`ranking.fuse`, the rule `waggle search eval` measures).

Lexical matches are entries (a question, an answer, a comment ...); meaning is measured per
thread, so an entry's semantic score is its thread's cosine with the query. A thread that is
near in meaning but shares no word with the query joins the results as its question (update,
lesson) when its cosine is at least MIN_COSINE; it is asked through the visibility gate and the
filters like every other result, in SQL, so nothing the viewer may not see is counted or shown.

A query that uses the query language ("a phrase", OR, -word) asks for exact matching: it is
ranked lexically only.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from waggle.search import embeddings, ranking, semantic, vectors
from waggle.search.language import ParsedQuery
from waggle.search.models import SearchEntry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from waggle.search.query import SearchFilters

log = logging.getLogger(__name__)

#: A thread this near in meaning may join the results without sharing a word with the query.
#: On the Stack Exchange sites, 92-99% of the known related questions are at least 0.3 near a
#: question's text; a short query is less near its answer ("laptop keeps getting kicked off
#: the company network" and a thread on VPN drops: 0.30-0.32), unrelated texts score below 0.1.
MIN_COSINE = 0.25
#: Threads asked of the vector index per query.
SEMANTIC_CANDIDATES = 50


def ready() -> vectors.VectorIndex | None:
    """The vector index when semantic ranking is on and has vectors; None: rank lexically."""
    if not embeddings.enabled():
        return None
    index = vectors.current()
    return index if len(index) else None


def warm_up() -> None:
    """Load the model and this process's vectors now (a web worker does this in a thread as
    it starts), so the first search does not wait the seconds they take."""
    from django.db import connection

    try:
        if ready() is not None:
            query_vector("warm up")
    except Exception:  # a failed warm-up leaves the first search to try again, and say why
        log.exception("warming up semantic search failed")
    finally:
        connection.close()  # this thread's own connection


def plain(query: ParsedQuery) -> bool:
    """Whether the query is just words (no phrase, OR or exclusion)."""
    return not query.excluded and all(
        len(group) == 1 and len(group[0]) == 1 for group in query.groups)


@functools.lru_cache(maxsize=512)
def query_vector(text: str) -> npt.NDArray[np.float32]:
    """The embedding of what was typed (the same query typed again is not encoded again)."""
    return semantic.encode([" ".join(text.split())])[0]


#: Encodes queries beside the request's thread: the model (torch, which lets go of the GIL)
#: works while the database finds the lexical matches, so a hybrid search waits for the slower
#: of the two, not for both. One worker: encodings of concurrent requests take turns rather
#: than share the cores with each other.
_encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="waggle-query-encoder")


def encoding(text: str) -> Future[npt.NDArray[np.float32]]:
    """Start encoding `text` (`query_vector`); `.result()` gives the vector."""
    return _encoder.submit(query_vector, text)


@dataclass
class HybridRows:
    rows: list[tuple[int, float]]  # (entry id, fused score), best first
    added: int  # entries found by meaning only (counted on top of the lexical matches)
    threads: dict[int, int]  # each entry's thread


def hybrid_rows(
    index: vectors.VectorIndex, text: str, lexical: Sequence[tuple[int, int, float]],
    entries: QuerySet[SearchEntry], *, visible_space_ids: Sequence[int],
    kinds: Sequence[str] | None = None, candidates: int = SEMANTIC_CANDIDATES,
    min_cosine: float = MIN_COSINE, encoded: Future[npt.NDArray[np.float32]] | None = None,
) -> HybridRows:
    """Fuse `lexical` ((entry id, thread id, score) of the matches ranked) with the threads
    nearest `text`. `entries`: what the viewer may see with the filters applied (the gate),
    from which the threads found by meaning are taken. `kinds`: of the threads to look for.
    `encoded`: `encoding(text)`, when the caller started it before finding `lexical`."""
    vector = encoded.result() if encoded is not None else query_vector(text)
    thread_kinds = [k for k in kinds or embeddings.ROOT_KINDS if k in embeddings.ROOT_KINDS]
    near = index.nearest(vector, candidates, spaces=visible_space_ids,
                         kinds=thread_kinds, min_cosine=min_cosine) if thread_kinds else []
    matched_threads = {thread for _, thread, _ in lexical}
    new_threads = [n.thread_id for n in near if n.thread_id not in matched_threads]
    # The gate and the filters decide, in SQL. A thread's own entry is its post's without a
    # comment; asked by post (the comments on it come too, and are left out here), because a
    # "comment IS NULL" in the statement led SQLite to that index: ~1M rows, 0.9 s.
    added = [(pk, thread) for pk, thread, comment in entries.filter(
        post_id__in=new_threads).values_list("id", "thread_id", "comment_id")
        if comment is None] if new_threads else []
    cosine = {n.thread_id: n.cosine for n in near}
    missing = {thread for _, thread, _ in lexical if thread not in cosine}
    cosine.update(index.cosines(vector, missing))
    lexical_scores = {pk: score for pk, _, score in lexical}
    threads = {pk: thread for pk, thread, _ in lexical} | dict(added)
    semantic_scores = {pk: cosine[thread] for pk, thread in threads.items() if thread in cosine}
    # Ties (equal fused scores) fall back to the lexical order, then the newest.
    order = {pk: i for i, (pk, _, _) in enumerate(lexical)}
    fused = ranking.fuse(lexical_scores, semantic_scores)
    fused.sort(key=lambda item: (-item[1], order.get(item[0], len(order)), -item[0]))
    return HybridRows(rows=[(pk, score) for pk, score in fused], added=len(added),
                      threads=threads)


def kinds_of(filters: SearchFilters | None) -> list[str] | None:
    return list(filters.kinds) if filters is not None and filters.kinds else None
