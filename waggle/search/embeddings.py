"""Keeps the thread embeddings (`ThreadEmbedding`) in step with the threads: what text of a
thread is embedded, and the work the `embed_threads` task and `waggle search embed` do.

The text comes from the search entries of the thread (already plain text), so the embedding
follows the same writes as the lexical index: `index.py` schedules the task when the entries of
a thread change, after the transaction commits. A thread whose text is unchanged (same hash of
text and model) is not encoded again; threads with the same text are encoded once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from waggle.search import ranking, semantic
from waggle.search.models import SearchEntry, ThreadEmbedding

#: The model's name as stored with each vector: a different model means every vector is stale.
MODEL_NAME = "all-MiniLM-L6-v2"
#: What of a thread's text is embedded: more than the model reads (256 word pieces, about
#: 1,100 characters of English), so a reply added far below the question changes nothing.
EMBEDDED_CHARS = 2000
#: Threads read and encoded per step.
CHUNK = 256
ROOT_KINDS = (SearchEntry.Kind.QUESTION, SearchEntry.Kind.UPDATE, SearchEntry.Kind.LESSON)


def enabled() -> bool:
    """Whether Waggle ranks by meaning: WAGGLE_SEMANTIC is not "off" and the extra is
    installed."""
    return getattr(settings, "WAGGLE_SEMANTIC", "auto") != "off" and semantic.available()


def why_disabled() -> str:
    """Why search is lexical only ("" when semantic ranking is enabled)."""
    if not semantic.available():
        return f"{semantic.MISSING} (install it with `{semantic.INSTALL}`)"
    if not enabled():
        return "WAGGLE_SEMANTIC is off"
    return ""


def schedule(thread_ids: Iterable[int]) -> None:
    """Embed these threads in a background task once the current transaction commits."""
    ids = sorted(set(thread_ids))
    if ids and enabled():
        from waggle.search.tasks import embed_threads

        for start in range(0, len(ids), CHUNK * 8):
            transaction.on_commit(partial(embed_threads.enqueue, ids[start:start + CHUNK * 8]))


@dataclass(frozen=True)
class ThreadText:
    text: str
    space_id: int
    kind: str

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(f"{MODEL_NAME}\n{self.text}".encode()).hexdigest()


def thread_texts(thread_ids: Iterable[int]) -> dict[int, ThreadText]:
    """What is embedded for each of these threads that exists: the question (update, lesson)
    then its answers and comments in the order they were written (`ranking.document_text`)."""
    roots: dict[int, tuple[str, str, int, str]] = {}
    replies: dict[int, list[str]] = {}
    rows = (SearchEntry.objects.filter(thread_id__in=list(thread_ids))
            .order_by("thread_id", "id")
            .values_list("thread_id", "post_id", "comment_id", "kind", "space_id", "title",
                         "body"))
    for thread_id, post_id, comment_id, kind, space_id, title, body in rows:
        if post_id == thread_id and comment_id is None:
            if kind in ROOT_KINDS:
                roots[thread_id] = (title, body, space_id, kind)
        else:
            replies.setdefault(thread_id, []).append(body)
    texts = {}
    for thread_id, (title, body, space_id, kind) in roots.items():
        text = ranking.document_text(title, body, replies.get(thread_id, ()))
        texts[thread_id] = ThreadText(text[:EMBEDDED_CHARS], space_id, kind)
    return texts


@dataclass
class EmbedCounts:
    encoded: int = 0  # threads whose vector was computed
    unchanged: int = 0  # ... already embedded from the same text
    moved: int = 0  # ... same text, now in another space (or of another kind)
    removed: int = 0  # embeddings of threads that no longer exist

    def add(self, other: EmbedCounts) -> None:
        self.encoded += other.encoded
        self.unchanged += other.unchanged
        self.moved += other.moved
        self.removed += other.removed


def embed(thread_ids: Iterable[int]) -> EmbedCounts:
    """Bring the embeddings of these threads up to date; returns what was done."""
    counts = EmbedCounts()
    ids = sorted(set(thread_ids))
    for start in range(0, len(ids), CHUNK):
        counts.add(_embed_chunk(ids[start:start + CHUNK]))
    return counts


def _embed_chunk(ids: list[int]) -> EmbedCounts:
    counts = EmbedCounts()
    texts = thread_texts(ids)
    stored = {row[0]: row[1:] for row in ThreadEmbedding.objects.filter(thread_id__in=ids)
              .values_list("thread_id", "model", "text_hash", "space_id", "kind")}
    gone = [pk for pk in stored if pk not in texts]
    stale: dict[int, ThreadText] = {}
    moved: list[ThreadEmbedding] = []
    now = timezone.now()
    for pk, thread in texts.items():
        model, text_hash, space_id, kind = stored.get(pk, ("", "", 0, ""))
        if model != MODEL_NAME or text_hash != thread.text_hash:
            stale[pk] = thread
        elif (space_id, kind) != (thread.space_id, thread.kind):
            moved.append(ThreadEmbedding(thread_id=pk, space_id=thread.space_id,
                                         kind=thread.kind, updated_at=now))
        else:
            counts.unchanged += 1
    vectors = _encode_once([t.text for t in stale.values()])
    with transaction.atomic():
        if gone:
            counts.removed = ThreadEmbedding.objects.filter(thread_id__in=gone).delete()[0]
        if moved:
            ThreadEmbedding.objects.bulk_update(moved, ["space", "kind", "updated_at"])
            counts.moved = len(moved)
        if stale:
            ThreadEmbedding.objects.bulk_create(
                [ThreadEmbedding(thread_id=pk, space_id=t.space_id, kind=t.kind,
                                 model=MODEL_NAME, text_hash=t.text_hash,
                                 vector=vectors[t.text], updated_at=now)
                 for pk, t in stale.items()],
                update_conflicts=True, unique_fields=["thread"],
                update_fields=["space", "kind", "model", "text_hash", "vector", "updated_at"],
            )
            counts.encoded = len(stale)
    return counts


def _encode_once(texts: list[str]) -> dict[str, bytes]:
    """The float32 bytes of each distinct text's vector."""
    distinct = list(dict.fromkeys(texts))
    if not distinct:
        return {}
    return {text: vector.tobytes() for text, vector in zip(distinct, semantic.encode(distinct),
                                                             strict=True)}


def root_thread_ids(after: int = 0) -> Iterable[list[int]]:
    """The ids of every thread (a question, update or lesson), in chunks, ascending."""
    last = after
    while True:
        chunk = list(SearchEntry.objects.filter(
            thread_id__gt=last, comment__isnull=True, kind__in=ROOT_KINDS,
        ).order_by("thread_id").values_list("thread_id", flat=True)[:CHUNK * 8])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def embed_all(progress: Callable[[int], None] | None = None) -> EmbedCounts:
    """Embed every thread whose embedding is missing or stale, and drop the embeddings of
    threads that are gone (`waggle search embed`)."""
    counts = EmbedCounts()
    for chunk in root_thread_ids():
        counts.add(embed(chunk))
        if progress:
            progress(len(chunk))
    live = SearchEntry.objects.filter(comment__isnull=True, kind__in=ROOT_KINDS)
    orphans = ThreadEmbedding.objects.exclude(thread_id__in=live.values("thread_id"))
    counts.removed += orphans.delete()[0]
    return counts


def embedded_count() -> int:
    return ThreadEmbedding.objects.filter(model=MODEL_NAME).count()


def thread_count() -> int:
    return SearchEntry.objects.filter(comment__isnull=True, kind__in=ROOT_KINDS).count()
