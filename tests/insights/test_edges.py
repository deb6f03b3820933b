"""The help network read from the database (each kind of help points from the helper to the one
helped; anonymous askers, opted-out, inactive people and self-help are left out), and the
network snapshot kept up to date day by day: the daily update equals a full computation, and it
computes in full whenever help was removed or people changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.conftest import make_person
from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
)
from waggle.exchange.models import Post
from waggle.insights import network, snapshot
from waggle.insights.edges import KINDS, HelpEdges, help_edges
from waggle.insights.network import HELP_WEIGHTS, HelpKind
from waggle.people.actions import do_create_department, do_update_profile
from waggle.people.models import User
from waggle.spaces.actions import do_create_space
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos, do_report_value, do_withdraw_value_report
from waggle.value.models import ValueReport

ANSWER, ACCEPTED, VALUE, KUDOS = (
    HelpKind.ANSWER, HelpKind.ACCEPTED_ANSWER, HelpKind.VALUE_REPORT, HelpKind.KUDOS,
)


def listed(edges: HelpEdges) -> list[tuple[int, int, str]]:
    return sorted(
        (int(a), int(b), str(KINDS[k]))
        for a, b, k in zip(edges.helper, edges.helped, edges.kinds, strict=True)
    )


def helped(space: Space, helper: User, asker: User, n: int = 0, **kwargs: Any) -> Post:
    """`asker` asks in `space`, `helper` answers; returns the answer."""
    question = do_ask_question(space, acting_user=asker, title=f"How do we do thing {n}?",
                               **kwargs)
    return do_answer_question(question, acting_user=helper, body="Like this.")


@pytest.fixture
def commons(host: User) -> Space:
    return do_create_space("Commons", acting_user=host)


# --- edges --------------------------------------------------------------------------------------


def test_an_answer_is_help_from_the_answerer_to_the_asker(
    commons: Space, member: User, other_member: User
) -> None:
    helped(commons, other_member, member)
    assert listed(help_edges()) == [(other_member.pk, member.pk, ANSWER)]


def test_an_accepted_answer_adds_its_own_heavier_edge(
    commons: Space, member: User, other_member: User
) -> None:
    answer = helped(commons, other_member, member)
    do_accept_answer(answer.question, answer, acting_user=member)
    edges = help_edges()
    assert listed(edges) == [
        (other_member.pk, member.pk, ACCEPTED), (other_member.pk, member.pk, ANSWER),
    ]
    assert sorted(edges.weight.tolist()) == [HELP_WEIGHTS[ANSWER], HELP_WEIGHTS[ACCEPTED]]


def test_value_reports_and_kudos_point_from_the_author_to_who_was_helped(
    commons: Space, host: User, member: User, other_member: User, outsider: User
) -> None:
    update = helped(commons, host, member)  # host -> member (answer)
    comment = do_comment(update, acting_user=other_member, body="Also check the logs.")
    do_report_value(acting_user=outsider, post=update, learned_something=True)
    do_report_value(acting_user=member, comment=comment, saved_time=True, minutes_saved=30)
    do_give_kudos(acting_user=outsider, comment=comment, message="Thanks for the tip")
    assert listed(help_edges()) == sorted([
        (host.pk, member.pk, ANSWER),
        (host.pk, outsider.pk, VALUE),
        (other_member.pk, member.pk, VALUE),
        (other_member.pk, outsider.pk, KUDOS),
    ])


def test_anonymous_askers_opted_out_inactive_people_and_self_help_make_no_edge(
    commons: Space, host: User, member: User, other_member: User, outsider: User
) -> None:
    # An anonymous question: nobody is known to be helped, by the answer, its acceptance or
    # the asker's value report.
    answer = helped(commons, host, member, 1, anonymous=True)
    do_accept_answer(answer.question, answer, acting_user=member)
    do_report_value(acting_user=member, post=answer, solved_problem=True)
    # Help to and from someone who opted out of analytics, and from a deactivated account.
    do_update_profile(outsider, acting_user=outsider, opt_out_analytics=True)
    helped(commons, outsider, member, 2)
    helped(commons, member, outsider, 3)
    gone = make_person("gone")
    helped(commons, gone, member, 4)
    User.objects.filter(pk=gone.pk).update(is_active=False)  # an administrator deactivated it
    # Answering one's own question.
    helped(commons, other_member, other_member, 5)
    assert listed(help_edges()) == []
    # The same help between counted people is there.
    helped(commons, host, member, 6)
    assert listed(help_edges()) == [(host.pk, member.pk, ANSWER)]


def test_an_incremental_read_returns_only_the_help_added_since(
    commons: Space, host: User, member: User, other_member: User
) -> None:
    first = help_edges()
    answer = helped(commons, host, member, 1)
    do_accept_answer(answer.question, answer, acting_user=member)
    after_one = help_edges(first.cursor)
    assert listed(after_one) == [(host.pk, member.pk, ACCEPTED), (host.pk, member.pk, ANSWER)]
    do_report_value(acting_user=other_member, post=answer, solved_problem=True)
    do_give_kudos(acting_user=member, post=answer, message="Spot on")
    assert listed(help_edges(after_one.cursor)) == [
        (host.pk, member.pk, KUDOS), (host.pk, other_member.pk, VALUE),
    ]
    assert after_one.cursor.answers_read == 1
    assert listed(help_edges(help_edges().cursor)) == []


# --- the snapshot, full and incremental ---------------------------------------------------------


@pytest.fixture
def state_dir(tmp_path: Path) -> Any:
    with override_settings(VAR_DIR=tmp_path, WAGGLE_MIN_GROUP_SIZE=2):
        yield tmp_path


@pytest.fixture
def organization(db: Any, state_dir: Path) -> dict[str, Any]:
    """Three departments of three people, help inside and across them in one space."""
    people: dict[str, list[User]] = {}
    for name in ("Finance", "Legal", "Sales"):
        department = do_create_department(name)
        people[name] = [
            make_person(f"{name.lower()}{i}", department=department) for i in range(3)
        ]
    space = do_create_space("Everyone", acting_user=people["Finance"][0])
    f, legal, s = people["Finance"], people["Legal"], people["Sales"]
    n = 0
    for helpers, askers in ((f, f), (f, s), (s, f), (legal, legal), (s, s)):
        for helper in helpers:
            for asker in askers:
                if helper != asker:
                    n += 1
                    answer = helped(space, helper, asker, n)
                    if n % 3 == 0:
                        do_accept_answer(answer.question, answer, acting_user=asker)
                    if n % 4 == 0:
                        do_report_value(acting_user=asker, post=answer, solved_problem=True)
    return {"space": space, **people}


def figures(snap: Any) -> dict[str, Any]:
    return {key: value for key, value in snap.data.items()
            if key not in ("mode", "reason", "brokers_found_at")}


def add_a_days_help(org: dict[str, Any]) -> None:
    space = org["space"]
    f, legal, s = org["Finance"], org["Legal"], org["Sales"]
    newcomer = make_person("newcomer", department=legal[0].department)
    answer = helped(space, legal[1], f[2], 100)
    do_accept_answer(answer.question, answer, acting_user=f[2])
    do_report_value(acting_user=f[2], post=answer, saved_time=True, minutes_saved=45)
    do_give_kudos(acting_user=f[2], post=answer, message="Saved my day")
    helped(space, newcomer, s[0], 101)
    helped(space, s[1], newcomer, 102)
    # An older answer accepted today.
    older = Post.objects.filter(kind=Post.Kind.QUESTION, accepted_answer__isnull=True,
                                author=s[2]).first()
    assert older is not None
    do_accept_answer(older, older.answers.first(), acting_user=s[2])


def test_the_daily_update_equals_a_full_computation(organization: dict[str, Any]) -> None:
    first = snapshot.compute_network_snapshot()
    add_a_days_help(organization)
    daily = snapshot.update_network_snapshot()
    assert daily.data["mode"] == "incremental"
    full = snapshot.compute_network_snapshot()
    assert figures(daily) == figures(full)
    assert figures(daily) != figures(first)
    assert daily.data["interactions"]["total"] == first.data["interactions"]["total"] + 7
    # Nothing new: the next update changes nothing.
    again = snapshot.update_network_snapshot()
    assert again.data["mode"] == "incremental"
    assert figures(again) == figures(full)


def test_the_daily_update_of_a_large_network_keeps_the_weekly_brokers(
    organization: dict[str, Any], monkeypatch: Any,
) -> None:
    """Sampled brokers come from every tie: the daily run of a network above the exact limit
    keeps the full run's (and says when they were found); the next full run finds them
    again. Everything else is the day's."""
    monkeypatch.setattr(network, "EXACT_BETWEENNESS_LIMIT", 3)  # this network is "large"
    weekly = snapshot.compute_network_snapshot(now=timezone.now() - dt.timedelta(days=1))
    assert weekly.data["brokers_found_at"] == weekly.computed_at.isoformat()
    add_a_days_help(organization)
    daily = snapshot.update_network_snapshot()
    assert daily.data["mode"] == "incremental"
    assert daily.data["brokers_found_at"] == weekly.computed_at.isoformat()
    assert daily.data["brokers"] == weekly.data["brokers"]
    full = snapshot.compute_network_snapshot()
    assert full.data["brokers_found_at"] == full.computed_at.isoformat()
    assert {k: v for k, v in figures(daily).items() if k != "brokers"} == {
        k: v for k, v in figures(full).items() if k != "brokers"}
    # Small networks get exact brokers every day.
    monkeypatch.setattr(network, "EXACT_BETWEENNESS_LIMIT", 2_000)
    add_a_days_help_again(organization)
    small = snapshot.update_network_snapshot()
    assert small.data["mode"] == "incremental"
    assert small.data["brokers_found_at"] == small.computed_at.isoformat()


def add_a_days_help_again(org: dict[str, Any]) -> None:
    helped(org["space"], org["Sales"][0], org["Legal"][2], 200)


def withdraw(org: dict[str, Any]) -> None:
    report = ValueReport.objects.select_related("reporter").first()
    assert report is not None
    do_withdraw_value_report(report, acting_user=report.reporter)


def change_acceptance(org: dict[str, Any]) -> None:
    question = Post.objects.filter(kind=Post.Kind.QUESTION, accepted_answer__isnull=False).first()
    assert question is not None
    do_accept_answer(question, None, acting_user=question.author)


def opt_out(org: dict[str, Any]) -> None:
    person = org["Sales"][1]
    do_update_profile(person, acting_user=person, opt_out_analytics=True)


def move(org: dict[str, Any]) -> None:
    person = org["Sales"][1]
    do_update_profile(person, acting_user=person, department=org["Legal"][0].department)


def lose_the_state(org: dict[str, Any]) -> None:
    (snapshot.state_dir() / "network-state.pickle").unlink()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (withdraw, "removed"),
        (change_acceptance, "accepted answer changed"),
        (opt_out, "opted out"),
        (move, "changed department"),
        (lose_the_state, "no saved state"),
    ],
)
def test_the_update_computes_in_full_when_help_was_removed_or_people_changed(
    organization: dict[str, Any], change: Any, reason: str
) -> None:
    snapshot.compute_network_snapshot()
    change(organization)
    daily = snapshot.update_network_snapshot()
    assert daily.data["mode"] == "full"
    assert reason in daily.data["reason"]
    assert figures(daily) == figures(snapshot.compute_network_snapshot())


def test_an_opt_out_leaves_the_figures_at_the_next_daily_update(
    organization: dict[str, Any]
) -> None:
    before = snapshot.compute_network_snapshot()
    opt_out(organization)
    after = snapshot.update_network_snapshot()
    sizes = {row["name"]: row["size"] for row in after.data["departments"]}
    assert sizes["Sales"] == 2
    assert after.data["people"] == before.data["people"] - 1
    assert after.data["interactions"]["total"] < before.data["interactions"]["total"]


def test_a_state_saved_for_another_snapshot_is_not_trusted(
    organization: dict[str, Any]
) -> None:
    snapshot.compute_network_snapshot()
    snapshot.InsightsSnapshot.objects.all().delete()  # a restored database, say
    daily = snapshot.update_network_snapshot()
    assert daily.data["mode"] == "full"
    assert "not the latest" in daily.data["reason"]
