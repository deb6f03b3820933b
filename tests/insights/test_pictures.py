"""The chart specs: what goes in is checked (lengths, names, numbers; None is a hidden figure),
what comes out is plain JSON, and the HTML report's assets carry the library itself, not a link
to one."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from waggle.insights import pictures
from waggle.insights.network import HelpEdge, mixing_matrix

WEEKS = [dt.date(2025, 1, 6), dt.date(2025, 1, 13), dt.date(2025, 1, 20)]


def round_trip(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as a page or the JSON report reads it back (strict JSON: no NaN)."""
    decoded: dict[str, Any] = json.loads(json.dumps(spec, allow_nan=False))
    return decoded


# --- line charts ----------------------------------------------------------------------------


def test_a_line_chart_has_a_line_per_series_with_hidden_weeks_kept_as_gaps() -> None:
    spec = pictures.line_chart(
        "Questions answered",
        WEEKS,
        {"Engineering": [3, None, 5.5], "Sales": [np.int64(1), np.float64(2.0), Decimal("0.5")]},
        unit="answers",
    )
    assert round_trip(spec) == {
        "kind": "line",
        "title": "Questions answered",
        "unit": "answers",
        "hidden_label": "hidden (fewer than 5 people)",
        "weeks": ["2025-01-06", "2025-01-13", "2025-01-20"],
        "per": "week",
        "series": [
            {"name": "Engineering", "values": [3, None, 5.5]},
            {"name": "Sales", "values": [1, 2.0, 0.5]},
        ],
    }


@pytest.mark.parametrize(
    ("weeks", "series", "error"),
    [
        (WEEKS, {"a": [1, 2]}, "2 values for 3 weeks"),
        (WEEKS, {}, "at least one series"),
        (list(reversed(WEEKS)), {"a": [1, 2, 3]}, "in order"),
        ([WEEKS[0], WEEKS[0]], {"a": [1, 2]}, "distinct"),
        (WEEKS, {"a": [1, math.nan, 3]}, "finite"),
        (WEEKS, {"a": [1, math.inf, 3]}, "finite"),
    ],
)
def test_a_line_chart_refuses_figures_that_do_not_line_up(
    weeks: list[dt.date], series: dict[str, list[float | None]], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        pictures.line_chart("t", weeks, series)


def test_a_line_chart_says_whether_its_dates_are_weeks_or_days() -> None:
    assert pictures.line_chart("t", WEEKS, {"a": [1, 2, 3]})["per"] == "week"
    assert pictures.line_chart("t", WEEKS, {"a": [1, 2, 3]}, per="day")["per"] == "day"
    with pytest.raises(ValueError, match="per must be one of week, day, not 'month'"):
        pictures.line_chart("t", WEEKS, {"a": [1, 2, 3]}, per="month")


@pytest.mark.parametrize(
    ("weeks", "values"),
    [
        (["2025-01-06"], [1]),  # a string is not a date
        ([dt.datetime(2025, 1, 6, 9, 30)], [1]),  # its isoformat() would carry the time
        ([WEEKS[0]], [True]),  # a boolean is not a figure
        ([WEEKS[0]], ["3"]),
    ],
)
def test_a_line_chart_refuses_values_of_the_wrong_type(weeks: list[Any], values: list[Any]) -> None:
    with pytest.raises(TypeError):
        pictures.line_chart("t", weeks, {"a": values})


# --- heat maps ------------------------------------------------------------------------------


def test_a_heat_map_keeps_hidden_cells_and_says_how_small_a_group_is_hidden() -> None:
    spec = pictures.heatmap(
        "Help between departments",
        ["Engineering", "Sales"],
        ["Engineering", "Sales", "Support"],
        [[10, None, 2.5], [0, 4, None]],
        "help interactions",
        row_label="Helpers' department",
        col_label="Helped people's department",
        min_group=7,
    )
    assert round_trip(spec) == spec
    assert spec["values"] == [[10, None, 2.5], [0, 4, None]]
    assert spec["hidden_label"] == "hidden (fewer than 7 people)"
    assert (spec["kind"], spec["unit"]) == ("heatmap", "help interactions")
    assert (spec["row_label"], spec["col_label"]) == (
        "Helpers' department",
        "Helped people's department",
    )


@pytest.mark.parametrize(
    ("rows", "cols", "values", "error"),
    [
        (["a", "b"], ["x"], [[1]], "1 rows of values for 2 rows"),
        (["a"], ["x", "y"], [[1]], "row 'a' has 1 values for 2 columns"),
        (["a", "a"], ["x"], [[1], [2]], "distinct"),
        (["a"], ["x", "x"], [[1, 2]], "distinct"),
        (["a"], ["x"], [[math.nan]], "finite"),
    ],
)
def test_a_heat_map_refuses_a_matrix_of_the_wrong_shape(
    rows: list[str], cols: list[str], values: list[list[float | None]], error: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        pictures.heatmap("t", rows, cols, values)


def test_the_mixing_matrix_becomes_a_heat_map_with_its_small_cells_hidden() -> None:
    # Five people in each of two departments; everyone in a helps everyone in b, and one
    # person in b helps one in a (a cell that would show what one person did).
    a, b = range(5), range(5, 10)
    department_of = {p: "a" for p in a} | {p: "b" for p in b}
    edges = [HelpEdge(x, y) for x in a for y in b] + [HelpEdge(5, 0)]
    mixing = mixing_matrix(edges, department_of)
    values = [
        [int(v) if shown else None for v, shown in zip(row, shown_row, strict=True)]
        for row, shown_row in zip(mixing.interactions, mixing.shown(), strict=True)
    ]
    spec = pictures.heatmap("Help", mixing.departments, mixing.departments, values)
    assert spec["values"] == [[0, 25], [None, 0]]
    assert round_trip(spec) == spec


# --- networks -------------------------------------------------------------------------------

NODES: list[pictures.NetworkNode] = [
    {"id": 1, "label": "Ana", "size": 4, "group": "Engineering"},
    {"id": 2, "label": "Ben", "size": 0, "group": "Sales"},
    {"id": "3", "label": "Cleo", "size": 2.5, "group": "Sales"},
]


def test_a_network_names_nodes_by_string_ids_and_keeps_direction_and_weight() -> None:
    spec = pictures.network(
        "Who helps whom",
        NODES,
        [
            pictures.NetworkEdge(source=1, target=2, weight=3),
            pictures.NetworkEdge(source=2, target="3", weight=0.5),
        ],
        size_label="People helped",
        weight_label="Help interactions",
    )
    assert round_trip(spec) == spec
    assert [n["id"] for n in spec["nodes"]] == ["1", "2", "3"]
    assert spec["edges"] == [
        {"source": "1", "target": "2", "weight": 3},
        {"source": "2", "target": "3", "weight": 0.5},
    ]
    assert (spec["size_label"], spec["weight_label"]) == ("People helped", "Help interactions")


@pytest.mark.parametrize(
    ("nodes", "edges", "error"),
    [
        (NODES, [{"source": 1, "target": 9, "weight": 1}], "names no node '9'"),
        (NODES, [{"source": 1, "target": 2, "weight": 0}], "must be positive"),
        (NODES + [{"id": "1", "label": "Dup", "size": 1, "group": "x"}], [], "distinct"),
        ([{"id": 1, "label": "Ana", "size": -1, "group": "x"}], [], "negative"),
    ],
)
def test_a_network_refuses_edges_to_nowhere_and_impossible_figures(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        pictures.network("t", nodes, edges)


def test_a_network_too_big_to_draw_is_refused() -> None:
    nodes = [
        {"id": i, "label": str(i), "size": 1, "group": "g"}
        for i in range(pictures.MAX_NETWORK_NODES + 1)
    ]
    with pytest.raises(ValueError, match="more than a picture can show"):
        pictures.network("t", nodes, [])


def test_a_network_refuses_a_hidden_size_since_a_node_is_one_person() -> None:
    with pytest.raises(TypeError):
        pictures.network("t", [{"id": 1, "label": "Ana", "size": None, "group": "x"}], [])


# --- the report's assets --------------------------------------------------------------------


def test_the_report_assets_carry_the_library_and_charts_js_inline_with_no_link_out() -> None:
    html = pictures.inline_assets()
    assert "Licensed to the Apache Software Foundation" in html  # ECharts' own header
    assert "getInstanceByDom" in html  # the library's code, not a reference to it
    assert "data-waggle-chart" in html  # charts.js
    assert ".waggle-chart-plot" in html  # charts.css
    assert len(html) > 500_000
    # Every <script> is inline: none has a src, so nothing is fetched from anywhere.
    openings = re.findall(r"<script\b[^>]*>", html, flags=re.I)
    assert openings == ["<script>", "<script>"]
    assert html.lower().count("</script") == 2  # no early end inside the inlined code
    assert not re.search(r"<(link|script)[^>]*\b(src|href)\s*=\s*[\"']?\s*http", html, re.I)
    assert "<link" not in html.lower()
