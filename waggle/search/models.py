"""Search: one entry per searchable thing (a post or a comment), indexed by the database's
own full-text engine (SQLite FTS5 or PostgreSQL tsvector; see `engines.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SearchEntry(models.Model):
    """The searchable text of one post or comment, with what the filters and the visibility
    gate need (space, kind, author, date, thread) so a search is one query.

    `thread` is the question an answer belongs to, or the post itself; for a comment, the
    thread of the post it is on. `author` is empty for anonymous questions: a search by
    author never reveals who asked. The full-text index lives beside this table: an FTS5
    table kept in step by triggers (SQLite), or a generated `document` tsvector column with
    a GIN index (PostgreSQL). Neither is a Django field.
    """

    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        UPDATE = "update", "Update"
        LESSON = "lesson", "Lesson"
        COMMENT = "comment", "Comment"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    post = models.ForeignKey("exchange.Post", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "exchange.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey("exchange.Post", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["space", "kind"], name="search_space_kind"),
            models.Index(fields=["thread"], name="search_thread"),
            models.Index(fields=["author"], name="search_author"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(comment__isnull=True), name="search_one_per_post"
            ),
            models.UniqueConstraint(
                fields=["comment"], condition=Q(comment__isnull=False),
                name="search_one_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.comment_id or self.post_id}"


class ThreadEmbedding(models.Model):
    """The sentence embedding of one thread (a question, update or lesson with its answers and
    comments), for semantic ranking; written by the `embed_threads` task after the thread's
    posts commit (`embeddings.py`).

    `vector` holds float32 values, L2-normalized (a dot product is the cosine). `text_hash`
    identifies the text and model it was computed from, so unchanged threads are never encoded
    twice. `space` and `kind` repeat the thread's so the in-memory vector index can leave out
    what a viewer may not see before the database is asked (which still decides).
    `updated_at` lets each process fetch only the rows that changed since it last looked.
    """

    thread = models.OneToOneField(
        "exchange.Post", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    model = models.CharField(max_length=100)
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField()
    updated_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"embedding of thread {self.thread_id} ({self.model})"
