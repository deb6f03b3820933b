"""`waggle insights report --format html|json [--output FILE] [--as USERNAME]`: the
organization's insights as an operator hands them on: a self-contained HTML page (nothing
fetched to open it; the charts' specs and the figure tables inside) and JSON with the same
figures; an enabler's view with `--as`, the network aggregates only without; bad arguments
are errors that say what is wrong."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.conftest import make_person
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.exchange.models import Post
from waggle.insights.report import organization_insights
from waggle.insights.snapshot import compute_network_snapshot, update_network_snapshot
from waggle.people.actions import do_create_department, do_set_enabler, do_update_profile
from waggle.people.models import User
from waggle.spaces.actions import do_create_space
from waggle.spaces.models import Space
from waggle.value.actions import do_report_value

PERSON_NAMES = re.compile(r"(Audit|Billing|Legal) Member \d")


@dataclass
class Organization:
    """Audit (6 people) answers each Billing person (6), who say it solved their problem and
    saved 30 minutes; Audit also helps itself, two Billing people help Audit back, and Legal (3
    people: below K) helps itself. Erin is the enabler (no department); Ada administers."""

    space: Space
    people: dict[str, list[User]]
    enabler: User
    admin: User


def answered(space: Space, helper: User, asker: User, title: str) -> Post:
    question = do_ask_question(space, acting_user=asker, title=title)
    return do_answer_question(question, acting_user=helper, body="Here is how.")


def build_organization() -> Organization:
    people = {}
    for name, n in (("Audit", 6), ("Billing", 6), ("Legal", 3)):
        department = do_create_department(name)
        people[name] = [
            make_person(f"{name.lower()}{i}", display_name=f"{name} Member {i}",
                        department=department)
            for i in range(n)
        ]
    audit, billing, legal = people["Audit"], people["Billing"], people["Legal"]
    space = do_create_space("Everyone", acting_user=audit[0])
    for i in range(6):
        answer = answered(space, audit[i], billing[i], f"How do we close the #ledger {i}?")
        do_report_value(acting_user=billing[i], post=answer, solved_problem=True,
                        minutes_saved=30)
        answered(space, audit[i], audit[(i + 1) % 6], f"Audit question {i}?")
    for i in range(2):
        answered(space, billing[i], audit[i], f"Audit asks Billing {i}?")
    for i in range(3):
        answered(space, legal[i], legal[(i + 1) % 3], f"Legal question {i}?")
    admin = make_person("ada", display_name="Ada Admin", is_staff=True)
    enabler = make_person("erin", display_name="Erin Enabler")
    enabler = do_set_enabler(enabler, True, acting_user=admin)
    return Organization(space=space, people=people, enabler=enabler, admin=admin)


@pytest.fixture
def organization(db: Any, settings: Any, tmp_path: Path) -> Organization:
    settings.VAR_DIR = tmp_path  # the network state of the incremental updates
    return build_organization()


def report(*args: str) -> str:
    out = StringIO()
    call_command("insights", "report", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_html_report_is_self_contained_with_the_charts_and_their_figures(
    organization: Organization,
) -> None:
    do_update_profile(organization.people["Audit"][0], acting_user=organization.people["Audit"][0],
                      share_impact=True)
    compute_network_snapshot()
    html = report("--format", "html", "--as", "erin")
    assert html.startswith("<!doctype html>")
    # Nothing to fetch: no external script, stylesheet, image or font.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "<script src" not in html
    assert "echarts" in html and "waggle-chart" in html  # the library and charts.js inlined
    # The charts' specs, as the page has them.
    for chart in ("mixing", "department-network", "value-department-minutes",
                  "value-space-solved", "value-topic-minutes"):
        assert f'id="{chart}-spec"' in html, chart
    spec = json.loads(re.search(r'id="mixing-spec"[^>]*>(.*?)</script>', html, re.S)[1])
    assert spec["kind"] == "heatmap" and spec["rows"] == ["Audit", "Billing"]
    assert spec["values"] == [[6, 12], [None, 0]]  # Billing -> Audit: the work of two people
    # The figures as tables, readable without the pictures.
    assert "<table class=\"departments\">" in html and "<table class=\"value-table\">" in html
    assert "1 department hidden: fewer than 5 people" in html  # Legal
    assert "Everyone" in html and "#ledger" in html and "Billing" in html
    assert "An answer to “How do we close the #ledger" in html  # most valuable content
    # People: the enabler who shares their impact, nobody else.
    assert "Audit Member 0" in html
    assert set(PERSON_NAMES.findall(html)) == {"Audit"}
    assert "Audit Member 1" not in html and "Billing Member" not in html
    assert "as seen by Erin Enabler" in html


def test_the_json_report_has_the_same_figures(organization: Organization) -> None:
    compute_network_snapshot()
    data = json.loads(report("--format", "json", "--as", "erin"))
    assert set(data) == {"generated_at", "as", "k", "weeks", "network", "trend", "enablers",
                         "value", "most_valuable", "charts"}
    assert data["trend"] is None  # one snapshot: no trend yet
    assert (data["as"], data["k"], data["weeks"]) == ("erin", 5, 12)
    network = data["network"]
    assert network["people"] == 17  # everyone active who did not opt out, Erin and Ada too
    assert network["hidden_departments"] == 1
    assert [d["name"] for d in network["departments"]] == ["Audit", "Billing"]
    assert network["mixing"]["departments"] == ["Audit", "Billing"]
    assert network["mixing"]["interactions"] == [[6, 12], [None, 0]]
    assert [(f["from"], f["to"]) for f in network["flows"]] == [("Audit", "Billing")]
    assert set(data["value"]) == {"department", "topic", "space"}
    billing = data["value"]["department"]["rows"][0]
    assert (billing["name"], billing["reporters"]) == ("Billing", 6)
    assert billing["total"]["solved_problem"] == 6 and billing["total"]["minutes_saved"] == 180
    assert len(billing["weekly"]) == 12
    assert [row["name"] for row in data["value"]["topic"]["rows"]] == ["#ledger"]
    assert data["most_valuable"][0]["value"]["reports"] == 1
    assert data["charts"]["mixing"]["kind"] == "heatmap"
    assert data["charts"]["department-network"]["kind"] == "network"
    assert data["charts"]["value-department-minutes"]["series"][0]["name"] == "Billing"
    assert data["enablers"] == []  # nobody shares their impact
    assert not PERSON_NAMES.search(json.dumps(data))


def test_without_as_only_the_network_aggregates(organization: Organization,
                                                tmp_path: Path) -> None:
    compute_network_snapshot()
    data = json.loads(report("--format", "json"))
    assert data["as"] is None and data["value"] is None and data["most_valuable"] is None
    assert data["network"]["departments"][0]["name"] == "Audit"
    assert set(data["charts"]) == {"mixing", "department-network"}
    target = tmp_path / "report.html"
    assert report("--output", str(target)) == ""
    html = target.read_text(encoding="utf-8")
    assert "run the report with <code>--as</code> an enabler" in html
    assert "from the organization's aggregates only" in html
    assert "Everyone" not in html  # a space's name is read through someone's gate


def test_before_the_first_snapshot_the_report_says_how_to_compute_it(
    organization: Organization,
) -> None:
    assert "waggle insights compute" in report("--as", "erin")
    assert json.loads(report("--format", "json"))["network"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xml"), "invalid choice"),
        (("--as", "nobody"), "Nobody has the username 'nobody'"),
        (("--as", "audit0"), "audit0 is not an enabler"),
        (("--as", "ada"), "ada is not an enabler"),  # administrators are not, by being one
        (("--weeks", "0"), "--weeks must be between 1 and 104"),
        (("--output", "/nonexistent/dir/report.html"), "Cannot write"),
    ],
)
def test_bad_arguments_are_errors(organization: Organization, args: tuple[str, ...],
                                  message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        report(*args)


def test_the_other_subcommands_still_work(organization: Organization) -> None:
    out = StringIO()
    call_command("insights", "compute", stdout=out)
    assert "Help network, full" in out.getvalue()
    out = StringIO()
    call_command("insights", "show", stdout=out)
    assert "2 departments shown, 1 hidden" in out.getvalue()


def test_trends_have_one_point_per_day_with_today_s_suppression(
    organization: Organization, settings: Any,
) -> None:
    """Snapshots on three days (two on the middle one: the later counts), with more help from
    Billing to Audit on the way: the trend follows it; Legal (below K) never appears."""
    now = timezone.now()
    audit, billing = organization.people["Audit"], organization.people["Billing"]
    compute_network_snapshot(now=now - dt.timedelta(days=2))
    update_network_snapshot(now=now - dt.timedelta(days=1, hours=2))
    for i in range(2, 6):  # now 5 Billing people help 6 of Audit: that cell is shown
        answered(organization.space, billing[(i + 1) % 6], audit[i], f"Audit asks again {i}?")
    update_network_snapshot(now=now - dt.timedelta(days=1))
    compute_network_snapshot(now=now)
    compute_network_snapshot(now=now - dt.timedelta(days=200))  # outside the period

    insights = organization_insights(organization.enabler, now=now)
    trend = insights.trend
    assert trend is not None
    assert trend.days == [timezone.localdate(now - dt.timedelta(days=d)) for d in (2, 1, 0)]
    # Audit -> Billing 12, Audit -> Audit 6, then Billing -> Audit 6 shown (2 before: hidden).
    assert trend.across == [round(12 / 18, 4), round(18 / 24, 4), round(18 / 24, 4)]
    assert trend.modularity[0] is not None and trend.modularity[1] < trend.modularity[0]
    assert set(trend.ei_index) == {"Audit", "Billing"}
    assert trend.ei_index["Billing"][1] == trend.ei_index["Billing"][2]
    assert trend.ei_index["Audit"][0] < trend.ei_index["Audit"][2]  # Audit gets help across
    assert [c.id for c in trend.charts] == ["trend-separation", "trend-ei"]
    assert trend.charts[0].spec["per"] == "day" and len(trend.charts[0].spec["weeks"]) == 3
    data = json.loads(report("--format", "json"))  # the same for every enabler: no --as needed
    assert data["trend"]["days"] == [day.isoformat() for day in trend.days]
    assert data["trend"]["across_departments"] == trend.across
    assert {"trend-separation", "trend-ei"} <= set(data["charts"])
    assert "Legal" not in json.dumps(data["trend"])

    settings.WAGGLE_MIN_GROUP_SIZE = 7  # raised since: every point is suppressed again
    raised = organization_insights(organization.enabler, now=now)
    assert raised.trend is not None and raised.trend.ei_index == {}  # Audit and Billing: 6
    assert [c.id for c in raised.trend.charts] == ["trend-separation"]
    assert raised.trend.across == [None, None, None]  # every cell is 6 helpers or fewer


def test_the_page_says_when_trends_will_appear(organization: Organization, client: Any) -> None:
    compute_network_snapshot()
    client.force_login(organization.enabler)
    page = client.get("/insights/")
    assert page.status_code == 200
    assert "Trends appear once snapshots with figures exist on two different days" in (
        page.content.decode())
    compute_network_snapshot(now=timezone.now() + dt.timedelta(days=1))
    page = client.get("/insights/")
    assert 'id="trend-separation-spec"' in page.content.decode()
