"""Permissioned reads for posts and comments, built on the space gate."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from waggle.core.errors import NotFound
from waggle.core.models import AuditEntry
from waggle.exchange.models import Comment, Post
from waggle.spaces.access import is_host, visible_spaces


def visible_posts(user: Any) -> QuerySet[Post]:
    """All posts `user` may see (any kind). Every list of posts starts here."""
    return Post.objects.filter(space__in=visible_spaces(user).values("id"))


def visible_comments(user: Any) -> QuerySet[Comment]:
    return Comment.objects.filter(post__space__in=visible_spaces(user).values("id"))


def access_post(user: Any, post_id: int | str, kind: str | None = None) -> Post:
    """The post, if `user` may see it (and it is of `kind` when given); else NotFound."""
    try:
        pk = int(post_id)
        posts = visible_posts(user).select_related("space", "author")
        if kind is not None:
            posts = posts.filter(kind=kind)
        return posts.get(pk=pk)
    except (Post.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such post.") from None


def access_comment(user: Any, comment_id: int | str) -> Comment:
    try:
        return visible_comments(user).select_related("post", "post__space", "author").get(
            pk=int(comment_id)
        )
    except (Comment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such comment.") from None


def asker_id(post: Post) -> int | None:
    """Who asked: the author, or for an anonymous question the audit log's record of it.

    Only the gate uses this (to let the asker accept an answer); no page or endpoint shows it.
    """
    if post.author_id is not None:
        return post.author_id
    entry = (
        AuditEntry.objects.filter(
            action="ask_question", target_type="exchange.post", target_id=post.pk
        )
        .values_list("actor_id", flat=True)
        .first()
    )
    return entry


def is_asker(user: Any, post: Post) -> bool:
    return user is not None and user.is_authenticated and asker_id(post) == user.pk


def can_accept_answer(user: Any, question: Post) -> bool:
    """The asker or a host of the space chooses the accepted answer."""
    return is_asker(user, question) or is_host(user, question.space)


def can_edit_post(user: Any, post: Post) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if post.author_id is not None:
        return post.author_id == user.pk
    return is_asker(user, post)
