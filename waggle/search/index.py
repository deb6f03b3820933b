"""Keeps the search entries in step with posts and comments: the actions call `index_posts` and
`index_comments` inside their transaction (an entry exists exactly when its post does, and a
rolled-back write leaves no entry); `rebuild_index` starts over (`waggle search rebuild`).
Both also schedule the threads' embeddings (`embeddings.py`), computed after the commit."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import nh3
from django.db import connection, transaction

from waggle.exchange.models import Comment, Post
from waggle.search import embeddings
from waggle.search.models import SearchEntry

# A body longer than this is indexed by its beginning: PostgreSQL refuses tsvectors over 1 MB,
# and what matters for finding a post is in its first pages.
BODY_LIMIT = 100_000
CHUNK = 2000


def plain_text(body_html: str, fallback: str = "") -> str:
    """The words of a rendered body, without markup (the markdown source has syntax noise)."""
    if not body_html:
        return fallback[:BODY_LIMIT]
    text = html.unescape(nh3.clean(body_html, tags=set()))
    return " ".join(text.split())[:BODY_LIMIT]


def _post_entry(post: Post) -> SearchEntry:
    return SearchEntry(
        kind=post.kind, post_id=post.pk, thread_id=post.question_id or post.pk,
        space_id=post.space_id, author_id=None if post.is_anonymous else post.author_id,
        created_at=post.created_at,
        # Answers carry no title: the question's title would rank every answer of a thread
        # alike; results show the thread's title instead.
        title="" if post.kind == Post.Kind.ANSWER else post.title,
        body=plain_text(post.body_html, post.body),
    )


def _comment_entry(comment: Comment, post: Post) -> SearchEntry:
    return SearchEntry(
        kind=SearchEntry.Kind.COMMENT, post_id=post.pk, comment_id=comment.pk,
        thread_id=post.question_id or post.pk, space_id=post.space_id,
        author_id=comment.author_id, created_at=comment.created_at,
        body=plain_text(comment.body_html, comment.body),
    )


_POST_FIELDS = ("id", "kind", "question_id", "space_id", "author_id", "is_anonymous",
                "created_at", "title", "body", "body_html")


def index_posts(post_ids: Iterable[int]) -> None:
    """(Re)index these posts, and the comments on them (whose space and thread follow)."""
    ids = list(set(post_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with transaction.atomic():
            SearchEntry.objects.filter(post_id__in=chunk).delete()
            posts = {p.pk: p for p in Post.objects.filter(pk__in=chunk).only(*_POST_FIELDS)}
            entries = [_post_entry(p) for p in posts.values()]
            comments = Comment.objects.filter(post_id__in=chunk).only(
                "id", "post_id", "author_id", "created_at", "body", "body_html"
            )
            entries += [_comment_entry(c, posts[c.post_id]) for c in comments]
            SearchEntry.objects.bulk_create(entries, batch_size=500)
            embeddings.schedule(p.question_id or p.pk for p in posts.values())


def index_comments(comment_ids: Iterable[int]) -> None:
    """(Re)index these comments."""
    ids = list(set(comment_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with transaction.atomic():
            SearchEntry.objects.filter(comment_id__in=chunk).delete()
            comments = list(Comment.objects.filter(pk__in=chunk).only(
                "id", "post_id", "author_id", "created_at", "body", "body_html"
            ))
            posts = {p.pk: p for p in Post.objects.filter(
                pk__in={c.post_id for c in comments}
            ).only("id", "kind", "question_id", "space_id")}
            SearchEntry.objects.bulk_create(
                [_comment_entry(c, posts[c.post_id]) for c in comments], batch_size=500
            )
            embeddings.schedule(p.question_id or p.pk for p in posts.values())


def _ids(model: Any, after: int = 0) -> Iterator[list[int]]:
    """The primary keys of `model` above `after`, in chunks, walking the index (no OFFSET)."""
    last = after
    while True:
        chunk = list(model.objects.filter(pk__gt=last).order_by("pk")
                     .values_list("pk", flat=True)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def index_posts_after(after: int, progress: Callable[[int], None] | None = None) -> None:
    """Index every post whose id is above `after` (what a bulk writer just added)."""
    for chunk in _ids(Post, after):
        index_posts(chunk)
        if progress:
            progress(len(chunk))


def rebuild_index(progress: Callable[[int], None] | None = None) -> int:
    """Drop every entry and index all posts and comments again; returns the entries written.

    `progress` is called with the number of posts done after each chunk. Each chunk commits on
    its own, so a search during a rebuild sees a partial index, never a locked one.
    """
    SearchEntry.objects.all().delete()
    index_posts_after(0, progress)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Merge the index segments the chunks wrote: later searches read one b-tree.
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return SearchEntry.objects.count()
