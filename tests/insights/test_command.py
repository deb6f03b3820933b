"""`waggle insights compute [--incremental]` and `waggle insights show`, as an operator runs
them (from a timer: daily incremental, weekly full), and the task that does the same."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import make_person
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.insights.models import InsightsSnapshot
from waggle.insights.tasks import compute_network_snapshot_task
from waggle.people.actions import do_create_department
from waggle.spaces.actions import do_create_space


def run(*args: str) -> str:
    out = StringIO()
    call_command("insights", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def organization(db: Any, tmp_path: Path) -> Any:
    """Two departments of five; everyone in Ops answers a question of someone in Dev."""
    with override_settings(VAR_DIR=tmp_path):
        ops, dev = do_create_department("Ops"), do_create_department("Dev")
        helpers = [make_person(f"ops{i}", department=ops) for i in range(5)]
        askers = [make_person(f"dev{i}", department=dev) for i in range(5)]
        space = do_create_space("Help desk", acting_user=helpers[0])
        for i, (helper, asker) in enumerate(zip(helpers, askers, strict=True)):
            question = do_ask_question(space, acting_user=asker, title=f"Deploys fail {i}?")
            do_answer_question(question, acting_user=helper, body="Retry with --force.")
        yield space


def test_show_before_anything_was_computed(organization: Any) -> None:
    assert "No help-network snapshot yet" in run("show")


def test_compute_prints_a_summary_and_stores_a_snapshot(organization: Any) -> None:
    out = run("compute")
    assert "Help network, full" in out
    assert "10 people, 5 help interactions (5 answers, 0 accepted, 0 value reports, 0 kudos)" in out
    assert "2 departments shown, 0 hidden" in out
    assert "1 flows between departments shown" in out
    assert InsightsSnapshot.objects.count() == 1
    assert "Help network, full" in run("show")


def test_incremental_compute_adds_the_day_s_help(organization: Any) -> None:
    assert "full (no saved state)" in run("compute", "--incremental")
    question = do_ask_question(organization, acting_user=make_person("newbie"),
                               title="Where are the runbooks?")
    do_answer_question(question, acting_user=organization.created_by, body="In the wiki.")
    out = run("compute", "--incremental")
    assert "Help network, incremental" in out
    assert "11 people, 6 help interactions" in out


def test_a_small_organization_shows_nothing(db: Any, tmp_path: Path) -> None:
    with override_settings(VAR_DIR=tmp_path):
        make_person("alone")
        assert "fewer than 5 people counted: nothing to show" in run("compute")


def test_the_task_computes_a_snapshot(organization: Any) -> None:
    result = compute_network_snapshot_task.enqueue(incremental=False)
    snapshot = InsightsSnapshot.objects.get(pk=result.return_value)
    assert snapshot.data["interactions"]["total"] == 5
