"""Value over time by space, topic and department (only what the viewer may see; a group shown
only when at least K people reported value in it), and the content that created the most value
rather than the most activity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.conftest import make_person
from waggle.exchange.actions import (
    do_answer_question,
    do_ask_question,
    do_comment,
    do_post_update,
)
from waggle.exchange.models import Post
from waggle.insights.value import most_valuable_content, value_over_time
from waggle.people.actions import do_create_department, do_update_profile
from waggle.people.models import Department, User
from waggle.spaces.actions import do_create_space, do_invite_to_space, do_respond_to_invitation
from waggle.spaces.models import Space
from waggle.value.actions import do_report_value
from waggle.value.impact import ValueSummary

NOW = timezone.now().replace(microsecond=0)


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def staff(name: str, n: int) -> list[User]:
    department = do_create_department(name)
    return [make_person(f"{name.lower()}{i}", department=department) for i in range(n)]


def report(people: list[User], post: Post, days: float = 3, **kinds: Any) -> None:
    for person in people:
        do_report_value(acting_user=person, post=post, created_at=ago(days),
                        **(kinds or {"solved_problem": True}))


def rows(result: Any) -> dict[str, ValueSummary]:
    return {row.name: row.total for row in result.rows}


@pytest.fixture
def finance() -> list[User]:
    return staff("Finance", 5)


@pytest.fixture
def legal() -> list[User]:
    return staff("Legal", 4)


@pytest.fixture
def howto(space: Space, host: User) -> Post:
    """An answer of the host's to a #postgres question in the open space."""
    question = do_ask_question(space, acting_user=host, title="Tuning #postgres for reports?")
    return do_answer_question(question, acting_user=host, body="Add the right index.")


def test_a_department_is_shown_from_k_people_who_reported_value(
    howto: Post, finance: list[User], legal: list[User], member: User
) -> None:
    report(finance, howto, saved_time=True, minutes_saved=30)
    report(legal, howto, changed_practice=True)
    result = value_over_time(member, by="department", now=NOW)
    assert rows(result) == {
        "Finance": ValueSummary(reports=5, saved_time=5, minutes_saved=150),
    }
    assert result.hidden_groups == 1  # Legal: four people
    fifth = make_person("legal4", department=Department.objects.get(name="Legal"))
    report([fifth], howto, changed_practice=True)
    shown = rows(value_over_time(member, by="department", now=NOW))
    assert shown["Legal"] == ValueSummary(reports=5, changed_practice=5)
    with override_settings(WAGGLE_MIN_GROUP_SIZE=6):
        assert rows(value_over_time(member, by="department", now=NOW)) == {}


def test_value_in_a_private_space_counts_only_for_its_members(
    host: User, private_space: Space, member: User, outsider: User, finance: list[User]
) -> None:
    for person in finance:
        invitation = do_invite_to_space(private_space, person, acting_user=host)
        do_respond_to_invitation(invitation, accept=True, acting_user=person)
    secret = do_post_update(private_space, acting_user=host, body="How we close the #deal.")
    report(finance, secret, learned_something=True)
    assert rows(value_over_time(member, by="space", now=NOW)) == {
        "Mergers": ValueSummary(reports=5, learned_something=5),
    }
    for by in ("space", "topic", "department"):
        hidden = value_over_time(outsider, by=by, now=NOW)  # type: ignore[arg-type]
        assert hidden.rows == [] and hidden.hidden_groups == 0
    assert most_valuable_content(outsider) == []


def test_value_counts_for_every_topic_of_its_thread_week_by_week(
    space: Space, host: User, howto: Post, finance: list[User], legal: list[User]
) -> None:
    assert howto.question is not None
    comment = do_comment(howto.question, acting_user=legal[0], body="We did the same.")
    report(finance[:3], howto, days=3, saved_time=True, minutes_saved=10)
    report(finance[3:], howto, days=10, solved_problem=True)
    for person in legal[1:]:
        do_report_value(acting_user=person, comment=comment, learned_something=True,
                        created_at=ago(17))
    report([legal[0]], howto, days=200)  # before the period: not counted
    result = value_over_time(host, by="topic", weeks=4, now=NOW)
    assert len(result.weeks) == 4 and result.weeks[-1] == NOW - dt.timedelta(weeks=1)
    [row] = result.rows
    assert row.name == "#postgres" and row.reporters == 8
    assert row.total == ValueSummary(reports=8, saved_time=3, solved_problem=2,
                                     learned_something=3, minutes_saved=30)
    assert [w.reports for w in row.weekly] == [0, 3, 2, 3]
    assert row.weekly[-1] == ValueSummary(reports=3, saved_time=3, minutes_saved=30)


def test_people_who_opted_out_count_for_nothing(
    howto: Post, finance: list[User], member: User
) -> None:
    report(finance, howto)
    assert rows(value_over_time(member, by="space", now=NOW))["Data Science"].reports == 5
    do_update_profile(finance[0], acting_user=finance[0], opt_out_analytics=True)
    result = value_over_time(member, by="space", now=NOW)
    assert result.rows == [] and result.hidden_groups == 1
    # Nor does value on the help of someone who opted out.
    with override_settings(WAGGLE_MIN_GROUP_SIZE=1):
        assert rows(value_over_time(member, by="space", now=NOW))["Data Science"].reports == 4
        host = howto.author
        assert host is not None
        do_update_profile(host, acting_user=host, opt_out_analytics=True)
        assert value_over_time(member, by="space", now=NOW).rows == []


def test_an_unknown_grouping_is_refused(member: User) -> None:
    with pytest.raises(ValueError):
        value_over_time(member, by="person")  # type: ignore[arg-type]


# --- the most valuable content ------------------------------------------------------------------


def test_the_most_valuable_content_is_what_helped_most_people_not_the_busiest(
    space: Space, host: User, member: User, other_member: User, finance: list[User],
    legal: list[User]
) -> None:
    busy = do_ask_question(space, acting_user=member, title="What is everyone's favourite IDE?")
    for person in finance:
        do_answer_question(busy, acting_user=person, body="Mine.")
        do_comment(busy, acting_user=person, body="And another thing.")
    runbook = do_post_update(space, acting_user=host, body="The incident runbook.")
    lesson = do_post_update(space, acting_user=other_member, body="What the outage taught us.")
    tip = do_post_update(space, acting_user=member, body="A small tip.")
    report(finance, runbook, saved_time=True, minutes_saved=60)
    report(legal + [finance[0]], lesson, changed_practice=True)
    report(legal[:2], tip)
    found = most_valuable_content(member)
    assert [c.post.pk for c in found] == [runbook.pk, lesson.pk, tip.pk]
    assert found[0].value == ValueSummary(reports=5, saved_time=5, minutes_saved=300)
    assert busy.pk not in [c.post.pk for c in found]
    assert [c.post.pk for c in most_valuable_content(member, limit=1)] == [runbook.pk]
    elsewhere = do_create_space("Elsewhere", acting_user=host)
    assert most_valuable_content(member, space=elsewhere) == []
    assert [c.post.pk for c in most_valuable_content(member, since=NOW)] == []
