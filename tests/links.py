"""Post links as an import writes them (`PostLink` rows: only hosts' duplicate marks have an
action), for the page and API tests of links."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waggle.exchange.actions import do_ask_question
from waggle.exchange.models import Post, PostLink
from waggle.people.models import User
from waggle.spaces.models import Space

DUPLICATE = PostLink.Kind.DUPLICATE
RELATED = PostLink.Kind.RELATED


def link(post: Post, target: Post, kind: str, *, days_ago: float = 0) -> PostLink:
    return PostLink.objects.create(
        post=post,
        target=target,
        kind=kind,
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def ask(space: Space, author: User, title: str) -> Post:
    return do_ask_question(space, acting_user=author, title=title)
