"""A person's impact (waggle/value/impact.py): the value their help created, whom they helped
and their kudos, always as far as the viewer may see; and item value summaries."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_person
from waggle.exchange.actions import do_answer_question, do_comment
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos, do_report_value
from waggle.value.impact import impact_of, item_value_summaries, own_reports


def test_impact_counts_kinds_minutes_people_and_kudos(
    question: Post, answer: Post, member: User, other_member: User, host: User
) -> None:
    do_report_value(acting_user=member, post=answer, solved_problem=True, saved_time=True,
                    minutes_saved=60)
    do_report_value(acting_user=host, post=answer, learned_something=True, minutes_saved=15)
    comment = do_comment(question, acting_user=other_member, body="Also check the indexes")
    do_report_value(acting_user=member, comment=comment, changed_practice=True)
    do_give_kudos(acting_user=member, post=answer, message="You unblocked me")
    impact = impact_of(other_member, viewer=member)
    v = impact.value
    assert (v.reports, v.solved_problem, v.saved_time, v.learned_something,
            v.changed_practice, v.minutes_saved) == (3, 1, 1, 1, 1, 75)
    assert {p.username for p in impact.people_helped} == {"mira", "hana"}
    assert impact.people_helped_count == 2
    assert [k.message for k in impact.kudos] == ["You unblocked me"] and impact.kudos_count == 1
    assert impact  # something to show
    assert not impact_of(host, viewer=member)  # nothing yet


def test_impact_leaves_out_what_the_viewer_cannot_see(
    private_question: Post, member: User, host: User, outsider: User, guest: User,
    external_space: Space, admin_user: User,
) -> None:
    private_answer = do_answer_question(private_question, acting_user=host, body="Secret tip")
    do_report_value(acting_user=member, post=private_answer, solved_problem=True,
                    minutes_saved=30)
    do_give_kudos(acting_user=member, post=private_answer, message="About the deal")
    assert impact_of(host, viewer=member).value.reports == 1
    for viewer in (outsider, admin_user, guest):
        seen = impact_of(host, viewer=viewer)
        assert not seen and seen.kudos == [] and seen.people_helped == []
        assert seen.value.minutes_saved == 0


def test_a_guest_does_not_learn_names_outside_their_space(
    external_question: Post, guest: User, host: User, member: User
) -> None:
    # The member (not in the external space, so hidden from the guest) reports value on the
    # host's answer in the external space, and thanks them.
    answer = do_answer_question(external_question, acting_user=host, body="Use the nightly job")
    do_report_value(acting_user=member, post=answer, saved_time=True)
    do_report_value(acting_user=guest, post=answer, solved_problem=True)
    do_give_kudos(acting_user=member, post=answer, message="From a stranger")
    seen = impact_of(host, viewer=guest)
    assert [p.username for p in seen.people_helped] == ["gita"]
    assert seen.people_helped_count == 1
    assert seen.kudos == [] and seen.kudos_count == 0


def test_impact_takes_a_fixed_number_of_queries(
    question: Post, other_member: User, member: User
) -> None:
    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            impact_of(other_member, viewer=member)
        return len(ctx.captured_queries)

    base = measure()
    for i in range(12):
        helped = make_person(f"helped{i}")
        answer = do_answer_question(question, acting_user=other_member, body=f"Tip {i}")
        do_report_value(acting_user=helped, post=answer, saved_time=True, minutes_saved=1)
        do_give_kudos(acting_user=helped, post=answer, message="Thanks")
    assert measure() == base <= 4


def test_item_summaries_and_own_reports(
    question: Post, answer: Post, member: User, host: User, other_member: User, outsider: User
) -> None:
    comment = do_comment(answer, acting_user=member, body="Nice")
    do_report_value(acting_user=member, post=answer, solved_problem=True, minutes_saved=20)
    do_report_value(acting_user=host, post=answer, solved_problem=True, saved_time=True,
                    minutes_saved=10)
    do_report_value(acting_user=other_member, comment=comment, learned_something=True)
    with CaptureQueriesContext(connection) as ctx:
        summaries: dict[tuple[str, int], Any] = item_value_summaries(
            outsider, post_ids=[question.pk, answer.pk], comment_ids=[comment.pk]
        )
    assert len(ctx.captured_queries) == 1
    on_answer = summaries[("post", answer.pk)]
    assert (on_answer.reports, on_answer.solved_problem, on_answer.saved_time,
            on_answer.minutes_saved) == (2, 2, 1, 30)
    assert summaries[("comment", comment.pk)].learned_something == 1
    assert ("post", question.pk) not in summaries
    mine = own_reports(member, post_ids=[answer.pk], comment_ids=[comment.pk])
    assert set(mine) == {("post", answer.pk)} and mine[("post", answer.pk)].minutes_saved == 20
    assert item_value_summaries(member) == {} and own_reports(member) == {}


def test_impact_never_lists_who_reported_value_in_an_anonymous_thread(
    space: Space, member: User, other_member: User, host: User
) -> None:
    from waggle.exchange.actions import do_ask_question

    question = do_ask_question(space, acting_user=member, title="Is my salary band fair?",
                               anonymous=True)
    answer = do_answer_question(question, acting_user=other_member, body="Ask HR for the grid.")
    do_report_value(acting_user=member, post=answer, solved_problem=True, minutes_saved=20)
    impact = impact_of(other_member, viewer=other_member)
    # The value still counts for the answerer; the asker is not named, nor counted as a person.
    assert impact.value.reports == 1 and impact.value.minutes_saved == 20
    assert member not in impact.people_helped
    assert impact.people_helped_count == 0
