"""The insights' charts in a real browser (Chromium through Playwright): a self-contained page
made the way the HTML report is made (`inline_assets()` + the chart include) draws a line chart,
a heat map with a cell hidden for privacy, and a network one can drag; each lists its figures in
a "Show the figures" table; nothing is fetched from anywhere. Charts swapped in by HTMX draw too.
Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from tests.web.test_browser import browser, shot  # noqa: F401 - `browser` is a fixture
from waggle.insights import pictures

pytestmark = pytest.mark.browser

VENDOR = Path(pictures.__file__).resolve().parents[1] / "web" / "static" / "vendor"
HIDDEN = "hidden (fewer than 5 people)"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Help network report</title>
{{ assets }}{{ extra_head }}</head>
<body>{% for chart in charts %}
{% include "web/includes/chart.html" with spec=chart.spec chart_id=chart.id %}
{% endfor %}{{ extra_body }}</body></html>"""

FRAGMENT = '{% include "web/includes/chart.html" with spec=spec chart_id=chart_id %}'


def render(template: str, **context: Any) -> str:
    return engines["django"].from_string(template).render(context)


def line_spec() -> dict[str, Any]:
    weeks = [dt.date(2025, 1, 6) + dt.timedelta(weeks=i) for i in range(12)]
    answered = [4, 6, 5, 8, None, 7, 9, 12.5, 10, 11, 13, 15]
    asked = [10, 9, 12, 11, 10, 14, 13, 12, 15, 16, 14, 18]
    return pictures.line_chart(
        "Questions asked and answered",
        weeks,
        {"Asked": asked, "Answered": answered},
        unit="questions",
    )


DEPARTMENTS = ["Engineering", "Sales", "Support", "Finance"]


def heatmap_spec() -> dict[str, Any]:
    values: list[list[float | None]] = [
        [120, 14, 30, 2],
        [8, 45, None, 0],  # Sales -> Support: the work of fewer than 5 people
        [25, 18, 60, 5],
        [3, 0, 4, 22],
    ]
    return pictures.heatmap(
        "Help between departments",
        DEPARTMENTS,
        DEPARTMENTS,
        values,
        "help interactions",
        row_label="Helpers' department",
        col_label="Helped people's department",
    )


PEOPLE = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hal", "Ida", "Jon", "Kai", "Lou"]


def network_spec() -> dict[str, Any]:
    nodes: list[pictures.NetworkNode] = [
        {"id": i, "label": name, "size": 1 + (i * 7) % 11, "group": DEPARTMENTS[i % 3]}
        for i, name in enumerate(PEOPLE)
    ]
    ties = [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (6, 7), (7, 8), (8, 6), (2, 3)]
    ties += [(5, 6), (9, 10), (10, 11), (11, 9), (8, 9), (1, 0)]
    edges: list[pictures.NetworkEdge] = [
        {"source": a, "target": b, "weight": 1 + (a + b) % 5} for a, b in ties
    ]
    return pictures.network(
        "Who helps whom",
        nodes,
        edges,
        size_label="People helped",
        weight_label="Help interactions",
    )


# Test helpers in the page: the ECharts instance of a chart, by the chart's id.
HELPERS = """
window.chartOf = (id) =>
  echarts.getInstanceByDom(document.querySelector(`#${id} .waggle-chart-plot`));
"""
STAND_IN = "http://waggle.test/"  # a server that exists only in the browser's routing


@dataclass
class Watched:
    """A page that may fetch nothing over the network (every http(s) request but the stand-in
    server's fails and is listed in `outside`), and the script errors it met."""

    page: Any
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:  # noqa: F811 - the fixture imported above
    # Motion reduced, so every picture is still (final) as soon as it is drawn.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    context.add_init_script(HELPERS)
    watched = Watched(context.new_page())

    def refuse(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http:", "https:")) and not url.startswith(STAND_IN):
            watched.outside.append(url)
            route.abort()
        else:
            route.fallback()

    context.route("**/*", refuse)
    watched.page.on("pageerror", lambda error: watched.errors.append(str(error)))
    watched.page.on(
        "console", lambda m: watched.errors.append(m.text) if m.type == "error" else None
    )
    yield watched
    context.close()


def chart_facts(page: Any, chart_id: str) -> dict[str, Any]:
    """What the ECharts instance in a chart holds, and the size of the canvas it drew on."""
    facts: dict[str, Any] = page.evaluate(
        """id => {
          const chart = chartOf(id);
          const box = chart.getDom().querySelector("canvas").getBoundingClientRect();
          const series = chart.getModel().getSeriesByIndex(0);
          return {width: box.width, height: box.height, series: chart.getOption().series.length,
                  points: series.getData().count(),
                  ties: series.getEdgeData ? series.getEdgeData().count() : null};
        }""",
        chart_id,
    )
    return facts


def next_frames(page: Any) -> None:
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_a_self_contained_report_draws_its_three_charts_and_lists_their_figures(
    watched: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = watched.page
    network = network_spec()
    html = render(
        PAGE,
        assets=pictures.inline_assets(),
        charts=[
            {"id": "over-time", "spec": line_spec()},
            {"id": "mixing", "spec": heatmap_spec()},
            {"id": "who-helps-whom", "spec": network},
        ],
    )
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    page.goto(report.as_uri())

    expect(page.locator("[data-chart-state=drawn]")).to_have_count(3)
    next_frames(page)
    for chart_id in ("over-time", "mixing", "who-helps-whom"):
        facts = chart_facts(page, chart_id)
        assert facts["width"] > 300 and facts["height"] > 200, facts
    # Each picture is named for a screen reader, and says where its figures are.
    expect(page.get_by_role("figure", name="Help between departments")).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile(r"^Who helps whom: network of 12"))
    ).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"heat map .* 1 cell hidden"))).to_be_visible()

    # The line chart: two lines over twelve weeks (the hidden week a gap).
    line = chart_facts(page, "over-time")
    assert (line["series"], line["points"]) == (2, 12)

    # The heat map: the hidden cell is grey (hatched), outside the honey color scale.
    colors = page.evaluate(
        """() => {
          const chart = chartOf("mixing");
          // ECharts draws on layered canvases: this is all of them, as the reader sees them.
          const canvas = chart.renderToCanvas({backgroundColor: "#ffffff"});
          const ratio = canvas.width / chart.getDom().getBoundingClientRect().width;
          const at = (col, row) => chart.convertToPixel({gridIndex: 0}, [col, row]);
          const [[x0, y0], [x1, y1]] = [at(0, 0), at(1, 1)];
          const pixel = (col, row) => {
            const [x, y] = at(col, row);  // off the cell's center, where its label is
            const [left, top] = [x - (x1 - x0) * 0.3, y - (y1 - y0) * 0.3].map(
              (v) => Math.round(v * ratio));
            return [...canvas.getContext("2d").getImageData(left, top, 1, 1).data].slice(0, 3);
          };
          return {hidden: pixel(2, 1), busiest: pixel(0, 0), center: at(2, 1),
                  hiddenCells: chart.getModel().getSeriesByIndex(1).getData().count()};
        }"""
    )
    r, g, b = colors["hidden"]
    assert max(r, g, b) - min(r, g, b) < 30 and max(r, g, b) < 240, colors  # grey, not white
    r, g, b = colors["busiest"]
    assert r - b > 60, colors  # the busiest cell is deep honey
    assert colors["hiddenCells"] == 1
    # Pointing at the hidden cell says why there is no figure.
    heat = page.locator("#mixing .waggle-chart-plot")
    box = heat.bounding_box()
    page.mouse.move(box["x"] + colors["center"][0], box["y"] + colors["center"][1])
    expect(heat).to_contain_text(f"Sales → Support{HIDDEN}")

    # The network: every person a node, every tie an arrow; a node can be dragged.
    facts = chart_facts(page, "who-helps-whom")
    assert (facts["points"], facts["ties"]) == (len(PEOPLE), len(network["edges"]))
    where_is_ana = """() => {
      const chart = chartOf("who-helps-whom");
      const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(0);
      return chart.convertToPixel({seriesIndex: 0}, layout);
    }"""
    graph = page.locator("#who-helps-whom .waggle-chart-plot")
    graph.scroll_into_view_if_needed()
    next_frames(page)
    x, y = page.evaluate(where_is_ana)
    box = graph.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    expect(graph).to_contain_text("AnaEngineeringPeople helped: 1")
    page.mouse.down()
    page.mouse.move(box["x"] + x + 60, box["y"] + y + 40, steps=5)
    page.mouse.up()
    moved_x, moved_y = page.evaluate(where_is_ana)
    assert abs(moved_x - x - 60) < 5 and abs(moved_y - y - 40) < 5, (x, y, moved_x, moved_y)
    shot(page, "30-insights-charts")

    # The figures, for anyone who would rather read them: hidden ones say why.
    for chart_id in ("over-time", "mixing", "who-helps-whom"):
        page.locator(f"#{chart_id}").get_by_text("Show the figures").click()
    over_time = page.locator("#over-time table")
    expect(over_time.locator("tbody tr")).to_have_count(12)
    expect(over_time.locator("thead")).to_have_text("Week ofAskedAnswered")
    expect(over_time.locator("tr", has_text="Feb 3, 2025")).to_have_text(f"Feb 3, 202510{HIDDEN}")
    expect(over_time.locator("tr", has_text="Feb 24, 2025")).to_have_text("Feb 24, 20251212.5")
    mixing = page.locator("#mixing table")
    expect(mixing.locator("caption")).to_have_text("Help between departments (help interactions)")
    expect(mixing.locator("tbody tr").nth(1)).to_have_text(f"Sales845{HIDDEN}0")
    expect(mixing.locator("td.chart-hidden")).to_have_count(1)
    people, ties = page.locator("#who-helps-whom table").all()
    expect(people.locator("tbody tr")).to_have_count(len(PEOPLE))
    expect(people.locator("thead")).to_have_text("NameGroupPeople helped")
    expect(people.locator("tr", has_text="Dev")).to_have_text("DevEngineering11")
    expect(ties.locator("tbody tr")).to_have_count(len(network["edges"]))
    expect(ties.locator("tr", has_text="CleoDev")).to_have_text("CleoDev1")
    shot(page, "31-insights-chart-figures")

    assert watched.outside == []
    assert watched.errors == []


def test_a_chart_swapped_in_by_htmx_is_drawn_and_the_one_it_replaces_is_released(
    watched: Watched,
) -> None:
    from playwright.sync_api import expect

    page = watched.page
    # The stand-in server: the page, htmx, and two fragments with a chart each.
    fragments = {
        "network": render(FRAGMENT, spec=network_spec(), chart_id="swapped"),
        "line": render(FRAGMENT, spec=line_spec(), chart_id="swapped"),
    }
    home = render(
        PAGE,
        assets=pictures.inline_assets(),
        charts=[],
        extra_head=mark_safe('<script src="/htmx.min.js"></script>'),
        extra_body=mark_safe(
            '<button hx-get="/network" hx-target="#slot">Network</button>'
            '<button hx-get="/line" hx-target="#slot">Line</button><div id="slot"></div>'
        ),
    )

    def serve(route: Any) -> None:
        path = route.request.url.removeprefix(STAND_IN)
        if path == "htmx.min.js":
            route.fulfill(path=str(VENDOR / "htmx.min.js"), content_type="text/javascript")
        else:
            route.fulfill(body=fragments.get(path, home), content_type="text/html")

    page.route(f"{STAND_IN}**", serve)
    page.goto(STAND_IN)
    page.get_by_role("button", name="Network").click()
    expect(page.locator("#swapped[data-chart-state=drawn]")).to_have_count(1)
    assert chart_facts(page, "swapped")["points"] == len(PEOPLE)
    page.evaluate("() => { window.before = chartOf('swapped').getDom(); }")

    page.get_by_role("button", name="Line").click()
    expect(page.locator("#swapped[data-chart-kind=line][data-chart-state=drawn]")).to_have_count(1)
    assert chart_facts(page, "swapped")["series"] == 2
    assert page.evaluate("() => echarts.getInstanceByDom(window.before) === undefined")
    expect(page.locator("#swapped details table tbody tr")).to_have_count(12)
    assert watched.outside == []
    assert watched.errors == []
