"""Privacy by construction: no figure about a group smaller than K, no person in the stored
network figures (but the enablers who chose to share their impact), people who opted out of
analytics count for nothing anywhere, and no per-person view for administrators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import override_settings
from django.utils import timezone

from tests.conftest import make_person
from waggle.core.errors import NotAllowed
from waggle.exchange.actions import do_answer_question, do_ask_question, do_comment
from waggle.exchange.models import Post
from waggle.insights import snapshot
from waggle.insights.access import can_see_org_insights, can_see_space_health
from waggle.insights.edges import KINDS, People, help_edges
from waggle.insights.health import space_health
from waggle.insights.network import HelpArrays, HelpKind, HelpNetwork
from waggle.insights.value import value_over_time
from waggle.people.actions import do_create_department, do_update_profile
from waggle.people.models import User
from waggle.spaces.actions import do_create_space, do_join_space
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos, do_report_value

NOW = timezone.now().replace(microsecond=0)


def answered(space: Space, helper: User, asker: User, title: str) -> Post:
    question = do_ask_question(space, acting_user=asker, title=title)
    return do_answer_question(question, acting_user=helper, body="Here is how.")


@pytest.fixture
def org(db: Any, tmp_path: Path) -> Any:
    """Audit (6 people) helps Billing (6) one to one and inside itself; two Billing people help
    Audit back; Legal (3 people) helps itself. Billing reports value on Audit's answers."""
    with override_settings(VAR_DIR=tmp_path):
        people = {}
        for name, n in (("Audit", 6), ("Billing", 6), ("Legal", 3)):
            department = do_create_department(name)
            people[name] = [make_person(f"{name.lower()}{i}", department=department)
                            for i in range(n)]
        space = do_create_space("Everyone", acting_user=people["Audit"][0])
        audit, billing, legal = people["Audit"], people["Billing"], people["Legal"]
        for i in range(6):
            answer = answered(space, audit[i], billing[i], f"Billing question {i}?")
            do_report_value(acting_user=billing[i], post=answer, solved_problem=True)
            answered(space, audit[i], audit[(i + 1) % 6], f"Audit question {i}?")
        for i in range(2):
            answered(space, billing[i], audit[i], f"Audit asks Billing {i}?")
        for i in range(3):
            answered(space, legal[i], legal[(i + 1) % 3], f"Legal question {i}?")
        yield {"space": space, **people}


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """The figures, without what says how and when they were computed."""
    return {key: value for key, value in data.items()
            if key not in ("mode", "reason", "brokers_found_at")}


# --- groups smaller than K ----------------------------------------------------------------------


def test_no_network_figure_is_about_fewer_than_k_people(org: dict[str, Any]) -> None:
    data = snapshot.compute_network_snapshot().data
    assert data["k"] == 5
    assert [d["name"] for d in data["departments"]] == ["Audit", "Billing"]
    assert data["hidden_departments"] == 1  # Legal: three people
    audit, billing = (d["id"] for d in data["departments"])
    mixing = data["mixing"]
    assert mixing["departments"] == [audit, billing]
    # Audit -> Billing: six helpers, six helped; Billing -> Audit: the work of two people.
    assert mixing["helpers"] == [[6, 6], [None, 0]]
    assert mixing["interactions"] == [[6, 12], [None, 0]]
    assert [(f["from"], f["to"]) for f in data["flows"]] == [(audit, billing)]
    assert all(f["helpers"] >= 5 and f["helped"] >= 5 for f in data["flows"])
    for department in data["departments"]:
        assert department["size"] >= 5
        assert department["people_with_ties"] is None or department["people_with_ties"] >= 5


def test_readers_suppress_again_with_todays_k(org: dict[str, Any]) -> None:
    data = snapshot.compute_network_snapshot().data
    shown = snapshot.shown_network(data, k=7)
    assert shown["departments"] == [] and shown["hidden_departments"] == 3
    assert shown["mixing"]["departments"] == [] and shown["flows"] == []
    assert shown["people"] == 15  # the organization itself is large enough
    assert snapshot.shown_network(data, k=16)["people"] is None
    assert snapshot.shown_network(data, k=16)["modularity"] is None


# --- no person in the stored figures ------------------------------------------------------------


def relabelled_state(offset: int) -> snapshot.NetworkState:
    """The organization's network state with every person id moved by `offset`."""
    edges = help_edges()
    people = People(edges.people.ids + offset, edges.people.departments)
    helper, helped = edges.helper + offset, edges.helped + offset
    graph: HelpNetwork[int] = HelpNetwork.build(
        HelpArrays(helper, helped, edges.weight), people.department_of()
    )
    value = edges.of_kind(HelpKind.VALUE_REPORT)
    low, high = np.minimum(helper, helped), np.maximum(helper, helped)
    return snapshot.NetworkState(
        snapshot_id=0, cursor=edges.cursor, people=people, network=graph,
        ties=np.unique((low << 32) | high), accepted_questions=np.empty(0, dtype=np.int64),
        accepted_answers=np.empty(0, dtype=np.int64),
        value_helper=value.helper + offset, value_helped=value.helped + offset,
        interactions={str(kind): int((edges.kinds == code).sum())
                      for code, kind in enumerate(KINDS)},
    )


def test_the_snapshot_names_nobody(org: dict[str, Any]) -> None:
    """The figures do not change when every person gets another id: no person id is in them
    (the enablers, who chose to be named, aside)."""
    stored = snapshot.compute_network_snapshot().data
    moved = snapshot.network_figures(relabelled_state(1_000_000), 5)
    assert figures(moved) | {"enablers": []} == figures(stored) | {"enablers": []}


def keys_holding_people(value: Any, path: str = "") -> set[str]:
    if isinstance(value, dict):
        found = {path + "." + key for key in value if key in ("person", "people_ids", "user")}
        for key, item in value.items():
            found |= keys_holding_people(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return set().union(*(keys_holding_people(item, path + "[]") for item in value))
    return set()


def test_only_enablers_who_share_their_impact_are_listed(org: dict[str, Any]) -> None:
    audit = org["Audit"]
    data = snapshot.compute_network_snapshot().data
    assert data["enablers"] == []
    for person in audit[:2]:
        do_update_profile(person, acting_user=person, share_impact=True)
    data = snapshot.compute_network_snapshot().data
    assert keys_holding_people(data) == {".enablers[].person"}
    assert [e["person"] for e in data["enablers"]] == [audit[0].pk, audit[1].pk]
    # Who stops sharing is dropped by the reader at once, before the next computation.
    do_update_profile(audit[0], acting_user=audit[0], share_impact=False)
    assert snapshot.shown_network(data, 5)["enablers"] == [{"person": audit[1].pk}]


# --- opted out: counted nowhere -----------------------------------------------------------------


def test_someone_who_opted_out_changes_no_figure(org: dict[str, Any]) -> None:
    """Everything `ghost` does, once they opt out, leaves every figure as it was without them:
    the network, the space's health and the value over time."""
    space = org["space"]
    audit, billing = org["Audit"], org["Billing"]
    later = timezone.now() + dt.timedelta(hours=1)
    waiting = [do_ask_question(space, acting_user=person, title=f"Waiting question {i}?")
               for i, person in enumerate(billing)]
    with override_settings(WAGGLE_MIN_GROUP_SIZE=2):
        network_before = figures(snapshot.compute_network_snapshot().data)
        health_before = space_health(space, now=later)
        value_before = {by: value_over_time(audit[0], by=by, now=later)  # type: ignore[arg-type]
                        for by in ("space", "topic", "department")}

        ghost = make_person("ghost", department=audit[0].department)
        do_update_profile(ghost, acting_user=ghost, share_impact=True)
        do_join_space(space, acting_user=ghost)
        for question, person in zip(waiting, billing, strict=True):
            answer = do_answer_question(question, acting_user=ghost, body="Try this.")
            do_report_value(acting_user=person, post=answer, saved_time=True, minutes_saved=20)
            do_give_kudos(acting_user=person, post=answer, message="Thank you!")
            do_comment(question, acting_user=ghost, body="Did it work?")
        for answer in Post.objects.filter(kind=Post.Kind.ANSWER, author__in=audit):
            do_report_value(acting_user=ghost, post=answer, learned_something=True)
        do_ask_question(space, acting_user=ghost, title="What am I missing here?")
        assert figures(snapshot.update_network_snapshot().data) != network_before
        assert space_health(space, now=later) != health_before
        assert value_over_time(audit[0], by="space", now=later) != value_before["space"]

        do_update_profile(ghost, acting_user=ghost, opt_out_analytics=True)
        assert figures(snapshot.update_network_snapshot().data) == network_before
        assert space_health(space, now=later) == health_before
        for by, before in value_before.items():
            assert value_over_time(audit[0], by=by, now=later) == before  # type: ignore[arg-type]


# --- nobody gets a per-person view --------------------------------------------------------------


def test_administrators_get_no_insights_by_being_administrators(
    org: dict[str, Any], admin_user: User
) -> None:
    space = org["space"]
    assert not can_see_org_insights(admin_user)
    assert not can_see_space_health(admin_user, space)
    with pytest.raises(NotAllowed):
        snapshot.network_insights(admin_user)
    with pytest.raises(NotAllowed):
        snapshot.network_history(admin_user)


def test_enablers_see_the_organization_s_figures(org: dict[str, Any]) -> None:
    enabler = org["Legal"][0]
    with pytest.raises(NotAllowed):
        snapshot.network_insights(enabler)
    User.objects.filter(pk=enabler.pk).update(is_enabler=True)  # an administrator grants it
    enabler.refresh_from_db()
    assert snapshot.network_insights(enabler) is None  # nothing computed yet
    snapshot.compute_network_snapshot()
    snapshot.update_network_snapshot()
    seen = snapshot.network_insights(enabler)
    assert seen is not None and [d["name"] for d in seen.data["departments"]] == [
        "Audit", "Billing",
    ]
    assert len(snapshot.network_history(enabler)) == 2
