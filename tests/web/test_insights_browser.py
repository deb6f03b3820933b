"""The insights pages in a real browser (Debian's Chromium through Playwright) against a live
server: an enabler opens Insights from the menu and sees the heat map of help between
departments (the small group's cell hidden) and the department network drawn; a host opens a
space's health from the space page and sees the weekly chart. Screenshots go to
test-artifacts/browser/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.insights.test_report import build_organization
from tests.web.test_browser import browser, shot, sign_in  # noqa: F401 - `browser` is a fixture
from tests.web.test_insights_pages import crowd
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.insights.snapshot import compute_network_snapshot
from waggle.people.models import User
from waggle.spaces.actions import do_create_space, do_join_space

pytestmark = pytest.mark.browser

# What ECharts holds for a chart (by its element id): the canvas size, series and points.
FACTS = """id => {
  const chart = echarts.getInstanceByDom(document.querySelector(`#${id} .waggle-chart-plot`));
  const box = chart.getDom().querySelector("canvas").getBoundingClientRect();
  const series = chart.getModel().getSeriesByIndex(0);
  return {width: box.width, height: box.height, series: chart.getOption().series.length,
          points: series.getData().count(),
          ties: series.getEdgeData ? series.getEdgeData().count() : null};
}"""


def test_an_enabler_sees_the_help_network_drawn(
    transactional_db: Any, live_server: Any, browser: Any,  # noqa: F811 - fixture
    settings: Any, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    settings.VAR_DIR = tmp_path
    build_organization()
    compute_network_snapshot(now=timezone.now() - dt.timedelta(days=1))  # yesterday's ...
    compute_network_snapshot()  # ... and today's: a trend of two days
    page = sign_in(browser, live_server.url, "erin")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    expect(page.locator("#mixing[data-chart-state=drawn]")).to_have_count(1)
    expect(page.locator("#department-network[data-chart-state=drawn]")).to_have_count(1)
    mixing = page.evaluate(FACTS, "mixing")
    assert mixing["width"] > 300 and mixing["height"] > 200, mixing
    # Audit and Billing shown (Legal is too small); Billing -> Audit hidden, named as such.
    expect(page.get_by_role("img", name="Help between departments: heat map of 2 rows by 2 "
                                        "columns, 1 cell hidden (fewer than 5 people)")
           ).to_have_count(1)
    network = page.evaluate(FACTS, "department-network")
    assert (network["points"], network["ties"]) == (2, 1)
    expect(page.locator("#value-department-minutes[data-chart-state=drawn]")).to_have_count(1)
    expect(page.locator("#trend-separation[data-chart-state=drawn]")).to_have_count(1)
    assert page.evaluate(FACTS, "trend-ei")["points"] == 2  # a department's E-I, two days
    page.locator("#trend-separation").get_by_text("Show the figures").click()
    expect(page.locator("#trend-separation thead")).to_have_text(
        "DayModularityShare of the help shown that crosses departments")
    # The figures behind the heat map, for anyone who would rather read them.
    page.locator("#mixing").get_by_text("Show the figures").click()
    expect(page.locator("#mixing td.chart-hidden")).to_have_count(1)
    shot(page, "40-insights-organization")

    page.get_by_role("link", name="By topic").click()
    expect(page.locator("#value-topic-minutes[data-chart-state=drawn]")).to_have_count(1)
    assert errors == []


def test_a_host_sees_the_weekly_chart_of_the_space_s_health(
    transactional_db: Any, live_server: Any, browser: Any,  # noqa: F811 - fixture
) -> None:
    from playwright.sync_api import expect

    from tests.conftest import make_person

    host: User = make_person("hana", display_name="Hana Host")
    team = crowd("teammate", 5)
    space = do_create_space("Platform Team", acting_user=host)
    for person in team:
        do_join_space(space, acting_user=person)
    for i in range(3):
        question = do_ask_question(space, acting_user=team[i], title=f"How do we ship {i}?")
        do_answer_question(question, acting_user=team[i + 1], body="Like this.")

    page = sign_in(browser, live_server.url, "hana")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/spaces/{space.slug}/")
    page.get_by_role("link", name="Health").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Health of Platform Team")
    expect(page.locator("#space-weekly[data-chart-state=drawn]")).to_have_count(1)
    facts = page.evaluate(FACTS, "space-weekly")
    assert facts["width"] > 300 and facts["height"] > 200, facts
    assert (facts["series"], facts["points"]) == (3, 12)
    page.locator("#space-weekly").get_by_text("Show the figures").click()
    expect(page.locator("#space-weekly table tbody tr")).to_have_count(12)
    shot(page, "41-insights-space-health")
    assert errors == []
