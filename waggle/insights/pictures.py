"""The insights' pictures as data: JSON chart specs (time series, heat map, network) that the web
UI's charts.js draws with Apache ECharts, and the inlined assets of a self-contained HTML report.

A spec is a plain JSON-serializable dict that names no charting library, so the same spec feeds
a page (`{% include "web/includes/chart.html" with spec=... chart_id=... %}`), the HTML report
(`inline_assets()` + the same include) and the JSON report (the spec itself). Every spec has
`"kind"` ("line", "heatmap" or "network"), `"title"` and `"hidden_label"`; charts.js turns each
into a picture and a "Show the figures" table, so the numbers can be read without the picture.

A value of None is a figure hidden for privacy (a group smaller than `MIN_GROUP_SIZE` people):
a gap in a line, a grey hatched cell in the heat map, "hidden (fewer than K people)" in the
tables. Which figures to hide is the caller's decision (`MixingMatrix.shown`, `suppress_small`).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib.resources import files
from typing import Any, TypedDict

import numpy as np
from django.utils.safestring import mark_safe

from waggle.insights.network import MIN_GROUP_SIZE

ChartSpec = dict[str, Any]
# A figure: numpy's numbers and Decimal too (figures come from arrays and aggregates), None
# where it is hidden.
Value = float | Decimal | np.integer[Any] | np.floating[Any] | None

# Past this many nodes a force layout in a browser stops being readable or quick (each step
# costs nodes**2): the caller shows the busiest part (top brokers, a department's ties) instead.
MAX_NETWORK_NODES = 500

# What each date of a line chart stands for.
PERIODS = ("week", "day")

# The files a self-contained report inlines, in load order (the library before charts.js).
_REPORT_ASSETS = ("vendor/echarts.min.js", "web/charts.css", "web/charts.js")


class NetworkNode(TypedDict):
    id: str | int
    label: str
    size: float
    group: str


class NetworkEdge(TypedDict):
    source: str | int
    target: str | int
    weight: float


def _hidden_label(min_group: int) -> str:
    return f"hidden (fewer than {min_group} people)"


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {type(value).__name__}")
    return value


def _number(value: object, what: str, *, hidden_allowed: bool = True) -> float | int | None:
    """A finite number as a plain int or float (numpy's and Decimal too: figures often come from
    arrays or aggregates), or None for a hidden figure. JSON has no NaN or infinity."""
    if value is None and hidden_allowed:
        return None
    # bool is an int to Python but never a figure.
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | Decimal):
        raise TypeError(
            f"{what} must be a number{' or None' if hidden_allowed else ''}, not {value!r}"
        )
    number = int(value) if isinstance(value, numbers.Integral) else float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, not {value!r}")
    return number


def _distinct(names: Sequence[str], what: str) -> list[str]:
    checked = [_text(name, what) for name in names]
    if len(set(checked)) != len(checked):
        raise ValueError(f"{what}s must be distinct: {checked!r}")
    return checked


def line_chart(
    title: str,
    weeks: Sequence[dt.date],
    series: Mapping[str, Sequence[Value]],
    *,
    unit: str = "",
    min_group: int = MIN_GROUP_SIZE,
    per: str = "week",
) -> ChartSpec:
    """Figures per week, one line per series (values in the order of `weeks`; None is hidden,
    drawn as a gap). `unit` names what is counted ("questions answered"). `per`: "week" (each
    date starts a week) or "day" (each date is one day's figures, as trends across snapshots)."""
    if per not in PERIODS:
        raise ValueError(f"per must be one of {', '.join(PERIODS)}, not {per!r}")
    days = list(weeks)
    for day in days:
        # A datetime is a date to Python, but its isoformat() carries a time of day.
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise TypeError(f"weeks must be dates (the first day of each week), not {day!r}")
    if len(set(days)) != len(days) or days != sorted(days):
        raise ValueError("weeks must be distinct and in order")
    if not series:
        raise ValueError("a line chart needs at least one series")
    lines = []
    for name, values in series.items():
        _text(name, "a series name")
        if len(values) != len(days):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(days)} weeks")
        lines.append({"name": name, "values": [_number(v, f"a value of {name!r}") for v in values]})
    return {
        "kind": "line",
        "title": _text(title, "the title"),
        "unit": _text(unit, "the unit"),
        "hidden_label": _hidden_label(min_group),
        "weeks": [day.isoformat() for day in days],
        "per": per,
        "series": lines,
    }


def heatmap(
    title: str,
    rows: Sequence[str],
    cols: Sequence[str],
    values: Sequence[Sequence[Value]],
    unit: str = "",
    *,
    row_label: str = "",
    col_label: str = "",
    min_group: int = MIN_GROUP_SIZE,
) -> ChartSpec:
    """A matrix as a heat map: `values[i][j]` is the figure of row i and column j, None where
    it is hidden for privacy. For the mixing matrix: rows are the helpers' departments
    (`row_label="Helpers' department"`), columns the helped people's."""
    row_names = _distinct(rows, "a row name")
    col_names = _distinct(cols, "a column name")
    if len(values) != len(row_names):
        raise ValueError(f"{len(values)} rows of values for {len(row_names)} rows")
    matrix = []
    for name, row in zip(row_names, values, strict=True):
        if len(row) != len(col_names):
            raise ValueError(f"row {name!r} has {len(row)} values for {len(col_names)} columns")
        matrix.append([_number(v, f"a value in row {name!r}") for v in row])
    return {
        "kind": "heatmap",
        "title": _text(title, "the title"),
        "unit": _text(unit, "the unit"),
        "hidden_label": _hidden_label(min_group),
        "rows": row_names,
        "cols": col_names,
        "row_label": _text(row_label, "the row label"),
        "col_label": _text(col_label, "the column label"),
        "values": matrix,
    }


def network(
    title: str,
    nodes: Sequence[NetworkNode] | Sequence[Mapping[str, Any]],
    edges: Sequence[NetworkEdge] | Sequence[Mapping[str, Any]],
    *,
    size_label: str = "Size",
    weight_label: str = "Weight",
    min_group: int = MIN_GROUP_SIZE,
) -> ChartSpec:
    """A directed network: nodes sized by `size` and colored by `group`, an edge source ->
    target (source helped target) as wide as its `weight`. Node ids become strings (ECharts
    names nodes by string); `size_label` and `weight_label` say what size and weight count."""
    if len(nodes) > MAX_NETWORK_NODES:
        raise ValueError(
            f"{len(nodes)} nodes is more than a picture can show "
            f"({MAX_NETWORK_NODES}): pick the part of the network to show"
        )
    spec_nodes = []
    for node in nodes:
        node_id = node["id"]
        if isinstance(node_id, bool) or not isinstance(node_id, str | int):
            raise TypeError(f"a node id must be a string or an integer, not {node_id!r}")
        size = _number(node["size"], f"the size of node {node_id!r}", hidden_allowed=False)
        assert size is not None  # for mypy: hidden_allowed=False never returns None
        if size < 0:
            raise ValueError(f"the size of node {node_id!r} is negative")
        spec_nodes.append(
            {
                "id": str(node_id),
                "label": _text(node["label"], "a node label"),
                "size": size,
                "group": _text(node["group"], "a node group"),
            }
        )
    ids = {node["id"] for node in spec_nodes}
    if len(ids) != len(spec_nodes):
        raise ValueError("node ids must be distinct")
    spec_edges = []
    for edge in edges:
        source, target = str(edge["source"]), str(edge["target"])
        for end in (source, target):
            if end not in ids:
                raise ValueError(f"edge {source!r} -> {target!r} names no node {end!r}")
        weight = _number(
            edge["weight"], f"the weight of edge {source!r} -> {target!r}", hidden_allowed=False
        )
        assert weight is not None  # for mypy: hidden_allowed=False never returns None
        if weight <= 0:
            raise ValueError(f"the weight of edge {source!r} -> {target!r} must be positive")
        spec_edges.append({"source": source, "target": target, "weight": weight})
    return {
        "kind": "network",
        "title": _text(title, "the title"),
        "hidden_label": _hidden_label(min_group),
        "size_label": _text(size_label, "the size label"),
        "weight_label": _text(weight_label, "the weight label"),
        "nodes": spec_nodes,
        "edges": spec_edges,
    }


def _inline(name: str, text: str) -> str:
    if name.endswith(".css"):
        if "</style" in text.lower():
            raise ValueError(f"{name} would end its <style> element early")
        return f"<style>/* {name} */\n{text}\n</style>"
    # An HTML parser ends a script at "</script" whatever the JavaScript means by it.
    if "</script" in text.lower() or "<!--" in text:
        raise ValueError(f"{name} cannot be inlined in a <script> element as it is")
    return f"<script>/* {name} */\n{text}\n</script>"


def inline_assets() -> str:
    """The <style> and <script> elements that draw charts in a page with no server behind it
    (the HTML report): the vendored ECharts and charts.js inlined, so the file needs no
    network. Marked safe for templates: it is our own files, never user input."""
    static = files("waggle.web").joinpath("static")
    parts = [
        _inline(name, static.joinpath(name).read_text(encoding="utf-8")) for name in _REPORT_ASSETS
    ]
    return mark_safe("\n".join(parts))
