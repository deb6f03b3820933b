"""Writes for value and recognition: report that something helped; give kudos."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from waggle.core import audit
from waggle.core.errors import Invalid, NotAllowed
from waggle.exchange.access import asker_id
from waggle.exchange.models import Comment, Post
from waggle.expertise.index import schedule_update
from waggle.notify.actions import notify_on_commit
from waggle.value.models import Kudos, ValueReport

MAX_MINUTES_SAVED = 60 * 24 * 30  # a month of working time; beyond that it is a typo
KINDS = ("solved_problem", "saved_time", "learned_something", "changed_practice")


def _item_author_id(post: Post | None, comment: Comment | None) -> int | None:
    if comment is not None:
        return comment.author_id
    assert post is not None
    return post.author_id


def _asked_anonymously_by(user: Any, post: Post | None, comment: Comment | None) -> bool:
    """True when `user` is the hidden asker of the anonymous question this item belongs to."""
    from waggle.exchange.access import is_asker

    if post is None:
        assert comment is not None  # the callers pass exactly one of post and comment
        post = comment.post
    question = post.question
    thread = question if question is not None else post
    return bool(thread.is_anonymous) and is_asker(user, thread)


def do_report_value(
    *,
    acting_user: Any,
    post: Post | None = None,
    comment: Comment | None = None,
    solved_problem: bool = False,
    saved_time: bool = False,
    learned_something: bool = False,
    changed_practice: bool = False,
    minutes_saved: int | None = None,
    note: str = "",
    harvested: bool = False,
    notify: bool = True,
    created_at: dt.datetime | None = None,
    source: str = "",
    external_id: str = "",
) -> ValueReport:
    """Say "this helped me" about a post or comment; a second report by the same person on the
    same item updates the first one."""
    if acting_user is None or not acting_user.is_authenticated:
        raise NotAllowed("Sign in first.")
    if (post is None) == (comment is None):
        raise Invalid("Report value on exactly one post or comment.")
    flags = {
        "solved_problem": bool(solved_problem), "saved_time": bool(saved_time),
        "learned_something": bool(learned_something), "changed_practice": bool(changed_practice),
    }
    if not any(flags.values()):
        raise Invalid(
            "Say how it helped: solved a problem, saved time, learned something or changed "
            "how you work.", field="kinds",
        )
    if minutes_saved is not None:
        if not isinstance(minutes_saved, int) or isinstance(minutes_saved, bool):
            raise Invalid("Minutes saved must be a whole number.", field="minutes_saved")
        if minutes_saved < 0 or minutes_saved > MAX_MINUTES_SAVED:
            raise Invalid(f"Minutes saved is between 0 and {MAX_MINUTES_SAVED}.",
                          field="minutes_saved")
    note = (note or "").strip()
    if len(note) > 2000:
        raise Invalid("A note is at most 2000 characters.", field="note")
    helper_id = _item_author_id(post, comment)
    # An anonymous question has no author, but its asker must not report value on it either.
    own_anonymous = post is not None and post.is_anonymous and asker_id(post) == acting_user.pk
    if (helper_id is not None and helper_id == acting_user.pk) or own_anonymous:
        raise Invalid("Value reports are for what others shared with you.")
    now = created_at or timezone.now()
    with transaction.atomic():
        item: dict[str, Post | Comment | None] = (
            {"post": post} if post is not None else {"comment": comment}
        )
        report = ValueReport.objects.select_for_update().filter(
            reporter=acting_user, **item
        ).first()
        created = report is None
        if report is None:
            report = ValueReport(reporter=acting_user, helper_id=helper_id, created_at=now,
                                 harvested=harvested, source=source, external_id=external_id,
                                 **item)
        for key, value in flags.items():
            setattr(report, key, value)
        report.minutes_saved = minutes_saved
        report.note = note
        report.updated_at = now
        report.save()
        schedule_update([helper_id])
        audit.record(acting_user, "report_value" if created else "update_value_report", report,
                     kinds=[k for k, v in flags.items() if v], minutes_saved=minutes_saved)
        if notify and created:
            post_id = post.pk if post is not None else comment.post_id  # type: ignore[union-attr]
            notify_on_commit([{"recipient_id": helper_id, "verb": "value",
                               "actor_id": acting_user.pk, "post_id": post_id}])
    return report


def do_withdraw_value_report(report: ValueReport, *, acting_user: Any) -> None:
    if acting_user is None or not acting_user.is_authenticated:
        raise NotAllowed("Sign in first.")
    if report.reporter_id != acting_user.pk:
        raise NotAllowed("Only the reporter can withdraw a value report.")
    with transaction.atomic():
        audit.record(acting_user, "withdraw_value_report", report)
        schedule_update([report.helper_id])
        report.delete()


def do_give_kudos(
    *,
    acting_user: Any,
    message: str,
    post: Post | None = None,
    comment: Comment | None = None,
    notify: bool = True,
) -> Kudos:
    """Thank the author of a concrete post or comment, with a message."""
    if acting_user is None or not acting_user.is_authenticated:
        raise NotAllowed("Sign in first.")
    if (post is None) == (comment is None):
        raise Invalid("Kudos go with exactly one post or comment.")
    receiver_id = _item_author_id(post, comment)
    if receiver_id is None:
        raise Invalid("This was shared anonymously; there is nobody to send kudos to.")
    if receiver_id == acting_user.pk:
        raise Invalid("Kudos are for others.")
    if _asked_anonymously_by(acting_user, post, comment):
        # Kudos carry the giver's name; on their own anonymous question they would reveal it.
        raise Invalid(
            "You asked this question anonymously: kudos show your name, so they would reveal "
            "you. Report value instead; value reports never show who made them."
        )
    message = (message or "").strip()
    if not message:
        raise Invalid("Say what you are thanking them for.", field="message")
    if len(message) > 1000:
        raise Invalid("A kudos message is at most 1000 characters.", field="message")
    with transaction.atomic():
        kudos = Kudos.objects.create(
            giver=acting_user, receiver_id=receiver_id, post=post, comment=comment,
            message=message, created_at=timezone.now(),
        )
        schedule_update([receiver_id])
        audit.record(acting_user, "give_kudos", kudos, receiver_id=receiver_id)
        if notify:
            post_id = post.pk if post is not None else comment.post_id  # type: ignore[union-attr]
            notify_on_commit([{"recipient_id": receiver_id, "verb": "kudos",
                               "actor_id": acting_user.pk, "post_id": post_id}])
    return kudos
