"""Value reports ("this helped me") and kudos: their rules, the database's guarantees, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from waggle.core.errors import Invalid, NotAllowed
from waggle.core.models import AuditEntry
from waggle.exchange.actions import do_answer_question, do_ask_question, do_comment
from waggle.exchange.models import Comment, Post
from waggle.people.models import User
from waggle.spaces.models import Space
from waggle.value.actions import (
    MAX_MINUTES_SAVED,
    do_give_kudos,
    do_report_value,
    do_withdraw_value_report,
)
from waggle.value.models import Kudos, ValueReport


@pytest.fixture
def comment(answer: Post, host: User) -> Comment:
    return do_comment(answer, acting_user=host, body="Also look at pg_stat_statements.")


# --- value reports ------------------------------------------------------------------------


def test_the_asker_reports_that_an_answer_helped(
    answer: Post, member: User, other_member: User
) -> None:
    report = do_report_value(acting_user=member, post=answer, solved_problem=True,
                             saved_time=True, minutes_saved=90, note="  Fixed our report ")
    assert report.helper == other_member
    assert report.kinds == ["solved a problem", "saved time"]
    assert report.minutes_saved == 90
    assert report.note == "Fixed our report"
    assert not report.harvested
    entry = AuditEntry.objects.get(action="report_value")
    assert entry.actor == member and entry.target_id == report.pk
    assert entry.data == {"kinds": ["solved_problem", "saved_time"], "minutes_saved": 90}


def test_a_second_report_on_the_same_item_updates_the_first(
    answer: Post, member: User
) -> None:
    first = do_report_value(acting_user=member, post=answer, learned_something=True)
    second = do_report_value(acting_user=member, post=answer, changed_practice=True,
                             note="We now EXPLAIN everything")
    assert first.pk == second.pk
    assert ValueReport.objects.count() == 1
    stored = ValueReport.objects.get()
    assert stored.kinds == ["changed how I work"]
    assert stored.note == "We now EXPLAIN everything"
    assert stored.created_at == first.created_at <= stored.updated_at
    assert list(AuditEntry.objects.filter(target_type="value.valuereport")
                .order_by("id").values_list("action", flat=True)) == [
        "report_value", "update_value_report"
    ]


def test_the_database_keeps_one_report_per_person_per_item(answer: Post, member: User) -> None:
    report = do_report_value(acting_user=member, post=answer, solved_problem=True)
    now = timezone.now()
    # Even a writer that skips the action (a racing request, a buggy importer) cannot add one.
    with pytest.raises(IntegrityError), transaction.atomic():
        ValueReport.objects.create(reporter=member, post=answer, helper=report.helper,
                                   saved_time=True, created_at=now, updated_at=now)
    assert ValueReport.objects.count() == 1


def test_the_database_refuses_a_report_without_a_kind(answer: Post, member: User) -> None:
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ValueReport.objects.create(reporter=member, post=answer, created_at=now, updated_at=now)


def test_a_report_says_how_it_helped(answer: Post, member: User) -> None:
    with pytest.raises(Invalid) as exc:
        do_report_value(acting_user=member, post=answer, minutes_saved=10)
    assert exc.value.field == "kinds"
    assert not ValueReport.objects.exists()


@pytest.mark.parametrize("minutes", [-1, MAX_MINUTES_SAVED + 1, 1.5, "30", True])
def test_minutes_saved_must_be_a_sensible_whole_number(
    answer: Post, member: User, minutes: object
) -> None:
    with pytest.raises(Invalid) as exc:
        do_report_value(acting_user=member, post=answer, saved_time=True,
                        minutes_saved=minutes)  # type: ignore[arg-type]
    assert exc.value.field == "minutes_saved"
    assert not ValueReport.objects.exists()


@pytest.mark.parametrize("minutes", [0, MAX_MINUTES_SAVED, None])
def test_minutes_saved_bounds_are_inclusive(
    answer: Post, member: User, minutes: int | None
) -> None:
    report = do_report_value(acting_user=member, post=answer, saved_time=True,
                             minutes_saved=minutes)
    assert report.minutes_saved == minutes


def test_a_note_is_at_most_2000_characters(answer: Post, member: User) -> None:
    with pytest.raises(Invalid) as exc:
        do_report_value(acting_user=member, post=answer, saved_time=True, note="n" * 2001)
    assert exc.value.field == "note"


def test_no_report_on_your_own_contribution(
    question: Post, answer: Post, member: User, other_member: User, comment: Comment,
    host: User,
) -> None:
    with pytest.raises(Invalid):
        do_report_value(acting_user=other_member, post=answer, saved_time=True)
    with pytest.raises(Invalid):
        do_report_value(acting_user=member, post=question, saved_time=True)
    with pytest.raises(Invalid):
        do_report_value(acting_user=host, comment=comment, saved_time=True)
    assert not ValueReport.objects.exists()


def test_no_report_on_your_own_anonymous_question(space: Space, member: User) -> None:
    q = do_ask_question(space, acting_user=member, title="Anonymous worry", anonymous=True)
    with pytest.raises(Invalid):
        do_report_value(acting_user=member, post=q, learned_something=True)
    assert not ValueReport.objects.exists()


def test_value_on_an_anonymous_question_names_no_helper(
    space: Space, member: User, other_member: User
) -> None:
    q = do_ask_question(space, acting_user=member, title="Good anonymous question",
                        anonymous=True)
    report = do_report_value(acting_user=other_member, post=q, learned_something=True)
    assert report.helper is None


def test_a_report_on_exactly_one_post_or_comment(
    answer: Post, comment: Comment, member: User
) -> None:
    with pytest.raises(Invalid):
        do_report_value(acting_user=member, saved_time=True)
    with pytest.raises(Invalid):
        do_report_value(acting_user=member, post=answer, comment=comment, saved_time=True)


def test_a_comment_can_help_too(comment: Comment, member: User, host: User) -> None:
    report = do_report_value(acting_user=member, comment=comment, learned_something=True)
    assert report.comment == comment and report.post is None
    assert report.helper == host
    # One per person per comment as well.
    again = do_report_value(acting_user=member, comment=comment, saved_time=True)
    assert again.pk == report.pk
    assert ValueReport.objects.count() == 1


def test_an_import_may_mark_a_report_harvested(answer: Post, member: User) -> None:
    when = timezone.now() - dt.timedelta(days=30)
    report = do_report_value(acting_user=member, post=answer, solved_problem=True,
                             harvested=True, notify=False, created_at=when)
    assert report.harvested and report.created_at == when


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()])
def test_a_visitor_who_is_not_signed_in_reports_nothing(
    answer: Post, anonymous: AnonymousUser | None
) -> None:
    with pytest.raises(NotAllowed):
        do_report_value(acting_user=anonymous, post=answer, saved_time=True)
    with pytest.raises(NotAllowed):
        do_give_kudos(acting_user=anonymous, post=answer, message="Thanks")


def test_the_reporter_withdraws_a_report(answer: Post, member: User, host: User) -> None:
    report = do_report_value(acting_user=member, post=answer, solved_problem=True)
    with pytest.raises(NotAllowed):
        do_withdraw_value_report(report, acting_user=host)
    with pytest.raises(NotAllowed):
        do_withdraw_value_report(report, acting_user=AnonymousUser())
    assert ValueReport.objects.filter(pk=report.pk).exists()
    report_pk = report.pk
    do_withdraw_value_report(report, acting_user=member)
    assert not ValueReport.objects.exists()
    entry = AuditEntry.objects.get(action="withdraw_value_report")
    assert entry.actor == member and entry.target_id == report_pk


# --- kudos --------------------------------------------------------------------------------


def test_kudos_go_to_the_author_of_a_contribution(
    answer: Post, comment: Comment, member: User, other_member: User, host: User
) -> None:
    k = do_give_kudos(acting_user=member, post=answer, message="  You saved my week ")
    assert k.receiver == other_member and k.giver == member
    assert k.message == "You saved my week"
    on_comment = do_give_kudos(acting_user=member, comment=comment, message="Great tip")
    assert on_comment.receiver == host
    entry = AuditEntry.objects.get(action="give_kudos", target_id=k.pk)
    assert entry.actor == member and entry.data == {"receiver_id": other_member.pk}


def test_kudos_are_never_to_yourself(answer: Post, other_member: User) -> None:
    with pytest.raises(Invalid):
        do_give_kudos(acting_user=other_member, post=answer, message="Well done me")
    assert not Kudos.objects.exists()


def test_the_database_refuses_kudos_to_yourself(answer: Post, member: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Kudos.objects.create(giver=member, receiver=member, post=answer, message="Me!",
                             created_at=timezone.now())


def test_no_kudos_on_an_anonymous_post(space: Space, member: User, other_member: User) -> None:
    q = do_ask_question(space, acting_user=member, title="Anonymous but great",
                        anonymous=True)
    with pytest.raises(Invalid):
        do_give_kudos(acting_user=other_member, post=q, message="Brave question")
    assert not Kudos.objects.exists()


@pytest.mark.parametrize("message", ["", "   ", "m" * 1001])
def test_kudos_need_a_message(answer: Post, member: User, message: str) -> None:
    with pytest.raises(Invalid) as exc:
        do_give_kudos(acting_user=member, post=answer, message=message)
    assert exc.value.field == "message"
    assert not Kudos.objects.exists()


def test_kudos_go_with_exactly_one_item(answer: Post, comment: Comment, member: User) -> None:
    with pytest.raises(Invalid):
        do_give_kudos(acting_user=member, message="Thanks")
    with pytest.raises(Invalid):
        do_give_kudos(acting_user=member, post=answer, comment=comment, message="Thanks")


def test_kudos_may_be_given_again_for_another_contribution(
    question: Post, member: User, other_member: User
) -> None:
    first = do_answer_question(question, acting_user=other_member, body="Try this")
    second = do_answer_question(question, acting_user=other_member, body="And this")
    do_give_kudos(acting_user=member, post=first, message="Thanks")
    do_give_kudos(acting_user=member, post=second, message="Thanks again")
    assert Kudos.objects.filter(receiver=other_member).count() == 2


def test_an_anonymous_asker_cannot_reveal_themselves_with_kudos(
    space: Space, member: User, other_member: User
) -> None:
    question = do_ask_question(space, acting_user=member, title="Is my salary band fair?",
                               anonymous=True)
    answer = do_answer_question(question, acting_user=other_member, body="Ask HR for the grid.")
    with pytest.raises(Invalid, match="anonymously"):
        do_give_kudos(acting_user=member, post=answer, message="Thanks!")
    assert not Kudos.objects.exists()
    # Value reports stay possible: they never show who made them.
    do_report_value(acting_user=member, post=answer, solved_problem=True)
