"""Writes for the exchange: ask, answer, accept, share updates and lessons, comment, follow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from waggle.core import audit
from waggle.core.errors import Invalid, NotAllowed
from waggle.core.markdown import extract_mentions, extract_topics, render_markdown
from waggle.exchange.access import can_accept_answer, can_edit_post
from waggle.exchange.models import Comment, Follow, Mention, Post, PostLink
from waggle.expertise.actions import mark_invitation_answered
from waggle.expertise.index import schedule_update, thread_people
from waggle.notify.actions import notify_on_commit
from waggle.people.models import User
from waggle.search.index import index_comments, index_posts
from waggle.spaces.access import can_post_in, is_host, visible_spaces
from waggle.spaces.models import Membership, Space
from waggle.topics.actions import ensure_topics
from waggle.topics.models import Topic

TITLE_MIN, TITLE_MAX = 5, 300


def _require_signed_in(user: Any) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotAllowed("Sign in first.")


def _clean_text(value: str | None, field: str, *, required: bool, label: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"{label} cannot be empty.", field=field)
    if len(text) > settings.WAGGLE_MAX_POST_CHARS:
        raise Invalid(
            f"{label} is too long: at most {settings.WAGGLE_MAX_POST_CHARS} characters.",
            field=field,
        )
    return text


def _clean_title(value: str | None, *, required: bool) -> str:
    title = " ".join((value or "").split())
    if required and len(title) < TITLE_MIN:
        raise Invalid(f"A title needs at least {TITLE_MIN} characters.", field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(f"A title is at most {TITLE_MAX} characters.", field="title")
    return title


def _join_to_post(user: Any, space: Space) -> None:
    """Posting in an open or external space makes the author a member of it."""
    if not can_post_in(user, space):
        raise NotAllowed("You cannot post in this space.")
    Membership.objects.get_or_create(space=space, user=user)


def _set_topics(post: Post, chosen: Iterable[str], texts: Sequence[str]) -> None:
    names = list(chosen)
    for text in texts:
        names.extend(extract_topics(text))
    post.topics.set(ensure_topics(names))


def _people_named(names: Sequence[str]) -> list[User]:
    """The active people with these usernames, whatever the case written (@Mira is mira);
    exact names use the index, only the rest need a case-insensitive look-up."""
    active = User.objects.filter(is_active=True)
    people = {p.username.lower(): p for p in active.filter(username__in=names)}
    for name in names:
        if name.lower() not in people:
            person = active.filter(username__iexact=name).order_by("pk").first()
            if person is not None:
                people[name.lower()] = person
    return list({p.pk: p for p in people.values()}.values())


def _record_mentions(
    post: Post, comment: Comment | None, text: str, actor: Any, notify: bool
) -> None:
    names = extract_mentions(text)
    if not names:
        return
    people = _people_named(names)
    Mention.objects.bulk_create(
        [Mention(person=p, post=post, comment=comment) for p in people], ignore_conflicts=True
    )
    if notify:
        # Only people who can see the post hear about it: a mention never leaks a private post.
        seeing = [p for p in people if visible_spaces(p).filter(pk=post.space_id).exists()]
        notify_on_commit([
            {"recipient_id": p.pk, "verb": "mentioned", "actor_id": getattr(actor, "pk", None),
             "post_id": post.pk}
            for p in seeing
        ])


def _lesson_markdown(tried: str, happened: str, next_time: str) -> str:
    return (
        f"### What we tried\n\n{tried}\n\n### What happened\n\n{happened}\n\n"
        f"### What we would do next time\n\n{next_time}\n"
    )


def _new_post(
    *, kind: str, space: Space, author: Any, created_at: dt.datetime | None, **fields: Any
) -> Post:
    when = created_at or timezone.now()
    return Post.objects.create(
        kind=kind, space=space, author=author, created_at=when, updated_at=when,
        last_activity_at=when, **fields,
    )


def do_ask_question(
    space: Space,
    *,
    acting_user: Any,
    title: str,
    body: str = "",
    topics: Iterable[str] = (),
    anonymous: bool = False,
    notify: bool = True,
    route: bool = False,
    created_at: dt.datetime | None = None,
    source: str = "",
    external_id: str = "",
) -> Post:
    """Ask a question in a space. Anonymous questions keep the asker only in the audit log.
    With `route`, Waggle invites the people likeliest to know to answer it, after commit."""
    _require_signed_in(acting_user)
    title = _clean_title(title, required=True)
    body = _clean_text(body, "body", required=False, label="The question")
    with transaction.atomic():
        _join_to_post(acting_user, space)
        post = _new_post(
            kind=Post.Kind.QUESTION, space=space, author=None if anonymous else acting_user,
            is_anonymous=anonymous, title=title, body=body, body_html=render_markdown(body),
            created_at=created_at, source=source, external_id=external_id,
        )
        _set_topics(post, topics, [title, body])
        _record_mentions(post, None, body, None if anonymous else acting_user, notify)
        index_posts([post.pk])
        audit.record(acting_user, "ask_question", post, anonymous=anonymous)
        if route:
            from waggle.expertise.tasks import route_question_task

            transaction.on_commit(partial(route_question_task.enqueue, post.pk))
    return post


def do_answer_question(
    question: Post,
    *,
    acting_user: Any,
    body: str,
    notify: bool = True,
    created_at: dt.datetime | None = None,
    source: str = "",
    external_id: str = "",
) -> Post:
    _require_signed_in(acting_user)
    if question.kind != Post.Kind.QUESTION:
        raise Invalid("Only questions have answers.")
    body = _clean_text(body, "body", required=True, label="The answer")
    with transaction.atomic():
        _join_to_post(acting_user, question.space)
        answer = _new_post(
            kind=Post.Kind.ANSWER, space=question.space, author=acting_user, question=question,
            body=body, body_html=render_markdown(body), created_at=created_at, source=source,
            external_id=external_id,
        )
        Post.objects.filter(pk=question.pk).update(
            answer_count=F("answer_count") + 1, last_activity_at=answer.created_at
        )
        question.refresh_from_db(fields=["answer_count", "last_activity_at"])
        # The mention is in the answer: record it there (and do not repeat the question's).
        _record_mentions(answer, None, body, acting_user, notify)
        index_posts([answer.pk])
        mark_invitation_answered(question, acting_user)
        schedule_update([acting_user.pk])
        audit.record(acting_user, "answer_question", answer, question_id=question.pk)
        if notify:
            from waggle.exchange.access import asker_id

            notify_on_commit([{"recipient_id": asker_id(question), "verb": "answered",
                               "actor_id": acting_user.pk, "post_id": question.pk}])
    return answer


def do_accept_answer(question: Post, answer: Post | None, *, acting_user: Any) -> Post:
    """The asker or a host marks `answer` as accepted (None takes the acceptance back)."""
    _require_signed_in(acting_user)
    if question.kind != Post.Kind.QUESTION:
        raise Invalid("Only questions have an accepted answer.")
    if not can_accept_answer(acting_user, question):
        raise NotAllowed("Only the asker or a host can accept an answer.")
    if answer is not None and answer.question_id != question.pk:
        raise Invalid("That answer belongs to another question.", field="answer")
    with transaction.atomic():
        before = question.accepted_answer
        question.accepted_answer = answer
        question.save(update_fields=["accepted_answer"])
        schedule_update([getattr(before, "author_id", None), getattr(answer, "author_id", None)])
        audit.record(acting_user, "accept_answer", question,
                     answer_id=answer.pk if answer else None)
        if answer is not None and answer.author_id != acting_user.pk:
            # On an anonymous question the answerer is told, but not by whom: naming who
            # accepted would name the asker.
            actor_id = None if question.is_anonymous else acting_user.pk
            notify_on_commit([{"recipient_id": answer.author_id, "verb": "accepted",
                               "actor_id": actor_id, "post_id": question.pk}])
    return question


def do_post_update(
    space: Space,
    *,
    acting_user: Any,
    body: str,
    title: str = "",
    topics: Iterable[str] = (),
    notify: bool = True,
    created_at: dt.datetime | None = None,
    source: str = "",
    external_id: str = "",
) -> Post:
    """Share a work-out-loud update: what I am working on, what I found, where I am stuck."""
    _require_signed_in(acting_user)
    body = _clean_text(body, "body", required=True, label="The update")
    title = _clean_title(title, required=False)
    with transaction.atomic():
        _join_to_post(acting_user, space)
        post = _new_post(
            kind=Post.Kind.UPDATE, space=space, author=acting_user, title=title, body=body,
            body_html=render_markdown(body), created_at=created_at, source=source,
            external_id=external_id,
        )
        _set_topics(post, topics, [title, body])
        _record_mentions(post, None, body, acting_user, notify)
        index_posts([post.pk])
        schedule_update([acting_user.pk])
        audit.record(acting_user, "post_update", post)
    return post


def do_post_lesson(
    space: Space,
    *,
    acting_user: Any,
    title: str,
    tried: str,
    happened: str,
    next_time: str,
    topics: Iterable[str] = (),
    notify: bool = True,
    created_at: dt.datetime | None = None,
) -> Post:
    """Share a lesson learned: what we tried, what happened, what we would do next time."""
    _require_signed_in(acting_user)
    title = _clean_title(title, required=True)
    tried = _clean_text(tried, "tried", required=True, label="What you tried")
    happened = _clean_text(happened, "happened", required=True, label="What happened")
    next_time = _clean_text(next_time, "next_time", required=True,
                            label="What you would do next time")
    markdown = _lesson_markdown(tried, happened, next_time)
    with transaction.atomic():
        _join_to_post(acting_user, space)
        post = _new_post(
            kind=Post.Kind.LESSON, space=space, author=acting_user, title=title, tried=tried,
            happened=happened, next_time=next_time, body=markdown,
            body_html=render_markdown(markdown), created_at=created_at,
        )
        _set_topics(post, topics, [title, markdown])
        _record_mentions(post, None, markdown, acting_user, notify)
        index_posts([post.pk])
        schedule_update([acting_user.pk])
        audit.record(acting_user, "post_lesson", post)
    return post


def do_edit_post(
    post: Post,
    *,
    acting_user: Any,
    title: str | None = None,
    body: str | None = None,
    tried: str | None = None,
    happened: str | None = None,
    next_time: str | None = None,
    topics: Iterable[str] | None = None,
) -> Post:
    """The author edits their post; topics are re-read from the new text."""
    _require_signed_in(acting_user)
    if not can_edit_post(acting_user, post):
        raise NotAllowed("Only the author can edit this.")
    with transaction.atomic():
        if title is not None and post.kind != Post.Kind.ANSWER:
            post.title = _clean_title(
                title, required=post.kind in (Post.Kind.QUESTION, Post.Kind.LESSON)
            )
        if post.kind == Post.Kind.LESSON:
            post.tried = _clean_text(tried if tried is not None else post.tried, "tried",
                                     required=True, label="What you tried")
            post.happened = _clean_text(happened if happened is not None else post.happened,
                                        "happened", required=True, label="What happened")
            post.next_time = _clean_text(
                next_time if next_time is not None else post.next_time, "next_time",
                required=True, label="What you would do next time",
            )
            post.body = _lesson_markdown(post.tried, post.happened, post.next_time)
        elif body is not None:
            post.body = _clean_text(body, "body", required=post.kind != Post.Kind.QUESTION,
                                    label="The text")
        post.body_html = render_markdown(post.body)
        post.updated_at = timezone.now()
        post.save()
        if post.kind != Post.Kind.ANSWER:
            current = [t.name for t in post.topics.all()] if topics is None else list(topics)
            _set_topics(post, current, [post.title, post.body])
        index_posts([post.pk])
        if post.kind != Post.Kind.ANSWER:  # the thread's topics may have changed
            schedule_update(thread_people(post.pk))
        audit.record(acting_user, "edit_post", post)
    return post


def do_comment(
    post: Post,
    *,
    acting_user: Any,
    body: str,
    notify: bool = True,
    created_at: dt.datetime | None = None,
    source: str = "",
    external_id: str = "",
) -> Comment:
    _require_signed_in(acting_user)
    body = _clean_text(body, "body", required=True, label="The comment")
    with transaction.atomic():
        _join_to_post(acting_user, post.space)
        comment = Comment.objects.create(
            post=post, author=acting_user, body=body, body_html=render_markdown(body),
            created_at=created_at or timezone.now(), source=source, external_id=external_id,
        )
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        question = post.question
        thread = question if question is not None else post
        Post.objects.filter(pk=thread.pk).update(last_activity_at=comment.created_at)
        _record_mentions(post, comment, body, acting_user, notify)
        index_comments([comment.pk])
        schedule_update([acting_user.pk])
        audit.record(acting_user, "comment", comment, post_id=post.pk)
        if notify:
            from waggle.exchange.access import asker_id

            notify_on_commit([{"recipient_id": asker_id(post), "verb": "commented",
                               "actor_id": acting_user.pk, "post_id": thread.pk}])
    return comment


def canonical_question(question: Post) -> Post:
    """The question `question` is a duplicate of, followed to the end of the chain (a
    question marked as a duplicate of a duplicate points to the original)."""
    seen = {question.pk}
    current = question
    while True:
        link = (PostLink.objects.filter(post=current, kind=PostLink.Kind.DUPLICATE)
                .select_related("target").order_by("-created_at").first())
        if link is None or link.target_id in seen:
            return current
        seen.add(link.target_id)
        current = link.target


def do_mark_duplicate(question: Post, original: Post, *, acting_user: Any) -> PostLink:
    """A host of the question's space marks it as a duplicate of `original` (a question the
    host can see). The link points to the original's own original if it is a duplicate too;
    a question is a duplicate of at most one question, so an earlier mark is replaced."""
    from waggle.exchange.access import access_post, asker_id

    _require_signed_in(acting_user)
    if question.kind != Post.Kind.QUESTION:
        raise Invalid("Only questions can be marked as duplicates.")
    if not is_host(acting_user, question.space):
        raise NotAllowed("Only a host of this space can mark a question as a duplicate.")
    original = access_post(acting_user, original.pk)
    if original.kind != Post.Kind.QUESTION:
        raise Invalid("A question can only duplicate another question.", field="original")
    original = canonical_question(original)
    if original.pk == question.pk:
        raise Invalid("A question cannot be a duplicate of itself.", field="original")
    with transaction.atomic():
        PostLink.objects.filter(post=question, kind=PostLink.Kind.DUPLICATE).delete()
        link = PostLink.objects.create(post=question, target=original,
                                       kind=PostLink.Kind.DUPLICATE, created_at=timezone.now())
        audit.record(acting_user, "mark_duplicate", question, original_id=original.pk)
        notify_on_commit([{"recipient_id": asker_id(question), "verb": "duplicate",
                           "actor_id": acting_user.pk, "post_id": question.pk}])
    return link


def do_unmark_duplicate(question: Post, *, acting_user: Any) -> None:
    """A host takes back the duplicate mark of a question."""
    _require_signed_in(acting_user)
    if not is_host(acting_user, question.space):
        raise NotAllowed("Only a host of this space can change a duplicate mark.")
    with transaction.atomic():
        removed, _ = PostLink.objects.filter(post=question, kind=PostLink.Kind.DUPLICATE).delete()
        if removed:
            audit.record(acting_user, "unmark_duplicate", question)


def do_follow(
    *, acting_user: Any, person: Any = None, space: Space | None = None,
    topic: Topic | None = None,
) -> Follow:
    """Follow one person, space or topic: their posts appear in the home feed."""
    _require_signed_in(acting_user)
    targets = [t for t in (person, space, topic) if t is not None]
    if len(targets) != 1:
        raise Invalid("Follow exactly one person, space or topic.")
    if person is not None and person.pk == acting_user.pk:
        raise Invalid("You cannot follow yourself.")
    with transaction.atomic():
        follow, created = Follow.objects.get_or_create(
            follower=acting_user, person=person, space=space, topic=topic
        )
        if created:
            audit.record(acting_user, "follow", targets[0])
    return follow


def do_unfollow(
    *, acting_user: Any, person: Any = None, space: Space | None = None,
    topic: Topic | None = None,
) -> None:
    _require_signed_in(acting_user)
    targets = [t for t in (person, space, topic) if t is not None]
    if len(targets) != 1:
        raise Invalid("Unfollow exactly one person, space or topic.")
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(
            follower=acting_user, person=person, space=space, topic=topic
        ).delete()
        if deleted:
            audit.record(acting_user, "unfollow", targets[0])
