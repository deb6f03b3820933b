"""Every action is one transaction: if its last write (the audit entry) fails, nothing stays.

The database is made to fail the audit entry's INSERT (as a full disk or a lost connection
would); the test then compares every row of every table the actions write with a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DatabaseError, connection, models

from tests.conftest import make_person
from waggle.core.errors import Invalid
from waggle.core.models import AuditEntry
from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
    do_edit_post,
    do_follow,
    do_post_lesson,
    do_post_update,
    do_unfollow,
)
from waggle.exchange.models import Comment, Follow, Mention, Post
from waggle.notify.models import Notification
from waggle.people.actions import (
    do_create_department,
    do_create_person,
    do_create_team,
    do_update_profile,
)
from waggle.people.models import Department, Team, User
from waggle.spaces.actions import (
    do_create_space,
    do_invite_to_space,
    do_join_space,
    do_leave_space,
    do_respond_to_invitation,
    do_set_member_role,
)
from waggle.spaces.models import Invitation, Membership, Space
from waggle.topics.models import Topic
from waggle.value.actions import do_give_kudos, do_report_value, do_withdraw_value_report
from waggle.value.models import Kudos, ValueReport

TABLES: list[type[models.Model]] = [
    AuditEntry, Department, Team, User, User.skills.through, Space, Membership, Invitation,
    Topic, Post, Post.topics.through, Comment, Mention, Follow, ValueReport, Kudos,
    Notification,
]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in TABLES}


@contextmanager
def audit_write_fails() -> Iterator[list[str]]:
    """Make the database refuse to store audit entries; yields the refused statements."""
    refused: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                context: Any) -> Any:
        if sql.startswith(f'INSERT INTO "{AuditEntry._meta.db_table}"'):
            refused.append(sql)
            raise DatabaseError("simulated failure while writing the audit entry")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield refused


def _prepared_invitation(w: dict[str, Any]) -> Invitation:
    return do_invite_to_space(w["private_space"], w["outsider"], acting_user=w["host"])


def _prepared_report(w: dict[str, Any]) -> ValueReport:
    return do_report_value(acting_user=w["member"], post=w["answer"], solved_problem=True)


# Each case: (prepare, act). `prepare` runs normally; `act` runs while the audit write fails.
CASES: dict[str, tuple[Callable[[dict[str, Any]], Any], Callable[[dict[str, Any], Any], Any]]] = {
    "create_space": (lambda w: None, lambda w, _: do_create_space(
        "New space", acting_user=w["outsider"])),
    "join_space": (lambda w: None, lambda w, _: do_join_space(
        w["space"], acting_user=w["outsider"])),
    "leave_space": (lambda w: None, lambda w, _: do_leave_space(
        w["space"], acting_user=w["member"])),
    "invite_to_space": (lambda w: None, lambda w, _: do_invite_to_space(
        w["private_space"], w["outsider"], acting_user=w["host"])),
    "re_invite": (
        lambda w: do_respond_to_invitation(_prepared_invitation(w), accept=False,
                                           acting_user=w["outsider"]),
        lambda w, _: do_invite_to_space(w["private_space"], w["outsider"],
                                        acting_user=w["host"])),
    "accept_invitation": (_prepared_invitation, lambda w, inv: do_respond_to_invitation(
        inv, accept=True, acting_user=w["outsider"])),
    "join_with_invitation": (_prepared_invitation, lambda w, _: do_join_space(
        w["private_space"], acting_user=w["outsider"])),
    "set_member_role": (lambda w: None, lambda w, _: do_set_member_role(
        w["space"], w["member"], Membership.Role.HOST, acting_user=w["host"])),
    "create_person": (lambda w: None, lambda w, _: make_person("newcomer")),
    "create_department": (lambda w: None, lambda w, _: do_create_department("Legal")),
    "create_team": (lambda w: None, lambda w, _: do_create_team(
        "Platform", Department.objects.get())),
    "update_profile": (lambda w: None, lambda w, _: do_update_profile(
        w["member"], acting_user=w["member"], bio="New bio", opt_out_harvest=True,
        skills=["sql", "brand-new-skill"])),
    "ask_question": (lambda w: None, lambda w, _: do_ask_question(
        w["space"], acting_user=w["outsider"], title="A brand #new question",
        body="@otto?", topics=["chosen"])),
    "answer_question": (lambda w: None, lambda w, _: do_answer_question(
        w["question"], acting_user=w["outsider"], body="@hana knows")),
    "accept_answer": (lambda w: None, lambda w, _: do_accept_answer(
        w["question"], w["answer"], acting_user=w["member"])),
    "post_update": (lambda w: None, lambda w, _: do_post_update(
        w["space"], acting_user=w["outsider"], body="Shipping #today with @mira")),
    "post_lesson": (lambda w: None, lambda w, _: do_post_lesson(
        w["space"], acting_user=w["outsider"], title="Retro #lesson", tried="a",
        happened="b", next_time="c")),
    "edit_post": (lambda w: None, lambda w, _: do_edit_post(
        w["question"], acting_user=w["member"], title="Rewritten #title", body="New")),
    "comment": (lambda w: None, lambda w, _: do_comment(
        w["answer"], acting_user=w["outsider"], body="Thanks @otto")),
    "follow": (lambda w: None, lambda w, _: do_follow(
        acting_user=w["member"], space=w["space"])),
    "unfollow": (lambda w: do_follow(acting_user=w["member"], space=w["space"]),
                 lambda w, _: do_unfollow(acting_user=w["member"], space=w["space"])),
    "report_value": (lambda w: None, lambda w, _: do_report_value(
        acting_user=w["member"], post=w["answer"], saved_time=True, minutes_saved=20)),
    "update_value_report": (_prepared_report, lambda w, _: do_report_value(
        acting_user=w["member"], post=w["answer"], learned_something=True)),
    "withdraw_value_report": (_prepared_report, lambda w, report: do_withdraw_value_report(
        report, acting_user=w["member"])),
    "give_kudos": (lambda w: None, lambda w, _: do_give_kudos(
        acting_user=w["member"], post=w["answer"], message="Thanks")),
}


@pytest.fixture
def world(
    space: Space, private_space: Space, question: Post, answer: Post, host: User,
    member: User, other_member: User, outsider: User,
) -> dict[str, Any]:
    return {
        "space": space, "private_space": private_space, "question": question,
        "answer": answer, "host": host, "member": member, "other_member": other_member,
        "outsider": outsider,
    }


@pytest.mark.parametrize("case", list(CASES))
def test_a_failing_action_leaves_no_trace(
    world: dict[str, Any], case: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    prepare, act = CASES[case]
    prepared = prepare(world)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with audit_write_fails() as refused, pytest.raises(DatabaseError):
            act(world, prepared)
    assert refused, "the action never reached its audit entry"
    assert snapshot() == before
    assert callbacks == []


@pytest.mark.parametrize("case", list(CASES))
def test_the_same_action_succeeds_when_the_database_does(
    world: dict[str, Any], case: str
) -> None:
    # The control for the test above: each case does write something (and audits it).
    prepare, act = CASES[case]
    prepared = prepare(world)
    before = snapshot()
    act(world, prepared)
    after = snapshot()
    assert after != before
    assert len(after[AuditEntry._meta.label]) == len(before[AuditEntry._meta.label]) + 1


def test_do_create_person_is_atomic_on_a_taken_username(member: User) -> None:
    # The duplicate check and the insert are one transaction: no half-made account.
    before = snapshot()
    with pytest.raises(Invalid):
        do_create_person("MIRA", password="a-long-test-password-42")
    assert snapshot() == before
