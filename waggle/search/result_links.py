"""Where a search result leads: its thread's page, at the answer or comment it is about."""

from __future__ import annotations

from django.urls import reverse

from waggle.search.models import SearchEntry


def result_url(entry: SearchEntry) -> str:
    """The path of the thread page (`web:post`), with `#comment-<id>` for a comment and
    `#post-<id>` for an answer, the anchors the thread page gives them."""
    url = reverse("web:post", args=[entry.thread_id])
    if entry.comment_id is not None:
        return f"{url}#comment-{entry.comment_id}"
    if entry.post_id != entry.thread_id:
        return f"{url}#post-{entry.post_id}"
    return url
