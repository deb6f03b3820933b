"""The organization's insights in one place, as an enabler sees them: the `/insights/` page and
`waggle insights report` (HTML and JSON) show the same figures, charts and tables, built here.

What is in it (all of it about groups, never a person's activity):
- the **help network** between departments from the latest snapshot (`snapshot.py`), suppressed
  again with today's K: the mixing matrix (a heat map, hidden cells grey), the E-I index and the
  ties of each department, modularity, bridges and brokers counted by department, and the
  department network (departments sized by their people, arrows by the help between them);
- its **trends**, day by day over the last `TREND_DAYS` days of snapshots (the latest of each
  day, each suppressed with today's K): modularity and the share of the shown help that crosses
  departments, and the E-I index of the departments most inside themselves now;
- **value over time** by department, topic or space (`value.py`): minutes saved and problems
  solved per week for the groups with the most value, and a table of every group shown;
- the **most valuable content** of the period (posts that helped the most people);
- the **enablers who share their impact** (`User.share_impact`), by name only.

**Whose view.** With a viewer (an enabler: anyone else gets NotAllowed), everything goes through
their gate, exactly as on the page. Without one (`waggle insights report` run without `--as`)
only the help-network aggregates are given, as `waggle insights show` prints them: they are the
same for every enabler (computed over all help, every group below K suppressed), while value and
content are read through a person's visibility gate (space and topic names, post titles can be
confidential) and need `--as`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from waggle.insights import pictures
from waggle.insights.access import require_org_insights
from waggle.insights.snapshot import (
    TOP_BROKERS,
    TREND_DAYS,
    NetworkInsights,
    latest_network_snapshot,
    min_group_size,
    network_insights,
    network_trend,
    shown_network,
)
from waggle.insights.value import (
    GroupBy,
    ValuableContent,
    ValueOverTime,
    most_valuable_content,
    value_over_time,
)
from waggle.people.access import visible_people
from waggle.people.models import User
from waggle.value.impact import KIND_FIELDS, ValueSummary

WEEKS = 12
# The value sections in the order the page's tabs and the report show them.
VALUE_GROUPINGS: tuple[GroupBy, ...] = ("department", "topic", "space")
CHART_SERIES = 5  # groups drawn in a value chart (every shown group is in the table)
TREND_SERIES = 6  # departments drawn in the E-I trend (those most inside themselves now)
VALUABLE = 10
GROUPING_LABELS: dict[GroupBy, str] = {
    "department": "department", "topic": "topic", "space": "space",
}
# What an E-I index says, from -1 (all help stays inside) to +1 (all of it goes across).
EI_WORDS = (
    (-1.0, "all help stays inside: a silo"),
    (-0.6, "mostly inside"),
    (-0.2, "more inside than across"),
    (0.2, "balanced"),
    (0.6, "more across than inside"),
    (1.0, "mostly across"),
)
MODULARITY_EXPLAINED = (
    "Modularity compares the help inside departments with what chance would give: 0 means "
    "departments make no difference to who helps whom (below 0, help crosses them more than "
    "chance would); above 0.3 they are clearly separate groups; near 1 they are islands."
)


def ei_words(ei: float | None) -> str:
    """An E-I index in words."""
    if ei is None:
        return ""
    if ei >= 1.0:
        return "all help goes across"
    for upper, words in EI_WORDS:
        if ei <= upper:
            return words
    return EI_WORDS[-1][1]


@dataclass(frozen=True)
class DepartmentRow:
    """One department shown (at least K people)."""

    id: int
    name: str
    size: int
    ei_index: float | None  # None: fewer than K of its people have help ties
    ei_index_weighted: float | None
    ties_internal: int | None
    ties_external: int | None
    bridges: int  # help ties to other shown departments whose loss would cut people off
    brokers: int  # of the people who link the most others, how many work here

    @property
    def ei_words(self) -> str:
        return ei_words(self.ei_index)

    @property
    def silo(self) -> bool:
        return self.ei_index is not None and self.ei_index <= -0.6


@dataclass(frozen=True)
class Bridge:
    departments: tuple[str, str]
    count: int


@dataclass(frozen=True)
class Chart:
    """A chart for `web/includes/chart.html`: its element id and its spec."""

    id: str
    spec: pictures.ChartSpec


@dataclass(frozen=True)
class ValueSection:
    """Value over time by one grouping: its charts and its table."""

    by: GroupBy
    over_time: ValueOverTime
    charts: list[Chart]

    @property
    def label(self) -> str:
        return GROUPING_LABELS[self.by]


@dataclass(frozen=True)
class Trend:
    """The help network day by day: one point per day with a snapshot, oldest first. A figure
    is None where it is hidden (fewer than K people) or was not computed."""

    days: list[dt.date]
    modularity: list[float | None]
    across: list[float | None]  # share of the shown help interactions between departments
    ei_index: dict[str, list[float | None]]  # department name -> its E-I index each day
    charts: list[Chart]

    def as_json(self) -> dict[str, Any]:
        return {"days": [day.isoformat() for day in self.days], "modularity": self.modularity,
                "across_departments": self.across, "ei_index": self.ei_index}


@dataclass
class OrganizationInsights:
    viewer: User | None
    now: dt.datetime
    k: int
    weeks: int
    network: NetworkInsights | None
    departments: list[DepartmentRow] = field(default_factory=list)
    bridges: list[Bridge] = field(default_factory=list)
    mixing_chart: Chart | None = None
    network_chart: Chart | None = None
    trend: Trend | None = None  # None: fewer than two days with snapshots
    brokers_found_at: dt.datetime | None = None  # the weekly run's, on a daily snapshot
    value: list[ValueSection] | None = None  # None: no viewer, no value figures
    valuable: list[ValuableContent] | None = None
    enablers: list[User] = field(default_factory=list)

    @property
    def modularity_explained(self) -> str:
        return MODULARITY_EXPLAINED

    @property
    def top_brokers(self) -> int:
        return TOP_BROKERS

    @property
    def silos(self) -> list[DepartmentRow]:
        return [d for d in self.departments if d.silo]

    @property
    def trend_days(self) -> int:
        return TREND_DAYS

    def charts(self) -> list[Chart]:
        found = [c for c in (self.mixing_chart, self.network_chart) if c is not None]
        if self.trend is not None:
            found += self.trend.charts
        for section in self.value or ():
            found += section.charts
        return found

    def as_json(self) -> dict[str, Any]:
        """The same figures as plain JSON (the report's `--format json`)."""
        return {
            "generated_at": self.now.isoformat(),
            "as": self.viewer.username if self.viewer is not None else None,
            "k": self.k,
            "weeks": self.weeks,
            "network": self._network_json(),
            "trend": None if self.trend is None else self.trend.as_json(),
            "enablers": [{"username": p.username, "name": p.name} for p in self.enablers],
            "value": None if self.value is None else {
                section.by: _value_json(section.over_time) for section in self.value
            },
            "most_valuable": None if self.valuable is None else [
                _content_json(item) for item in self.valuable
            ],
            "charts": {chart.id: chart.spec for chart in self.charts()},
        }

    def _network_json(self) -> dict[str, Any] | None:
        if self.network is None:
            return None
        data = self.network.data
        names = {d.id: d.name for d in self.departments}
        mixing = data.get("mixing") or {"departments": []}
        return {
            "computed_at": self.network.computed_at.isoformat(),
            "people": data.get("people"),
            "interactions": data.get("interactions"),
            "ties": data.get("ties"),
            "modularity": data.get("modularity"),
            "hidden_departments": data.get("hidden_departments", 0),
            "departments": [
                {"name": d.name, "size": d.size, "ei_index": d.ei_index,
                 "ei_index_weighted": d.ei_index_weighted, "ties_internal": d.ties_internal,
                 "ties_external": d.ties_external, "bridges": d.bridges, "brokers": d.brokers}
                for d in self.departments
            ],
            "mixing": {
                "departments": [names.get(d, "") for d in mixing["departments"]],
                **{key: mixing.get(key, []) for key in ("interactions", "weight", "helpers",
                                                         "helped")},
            },
            "flows": [
                {**flow, "from": names.get(flow["from"], ""), "to": names.get(flow["to"], "")}
                for flow in data.get("flows", [])
            ],
            "brokers_found_at": data.get("brokers_found_at"),
            "bridges": [{"departments": list(b.departments), "count": b.count}
                        for b in self.bridges],
        }


def _summary_json(summary: ValueSummary) -> dict[str, int]:
    return {"reports": summary.reports, **{name: getattr(summary, name) for name in KIND_FIELDS},
            "minutes_saved": summary.minutes_saved}


def _value_json(over_time: ValueOverTime) -> dict[str, Any]:
    return {
        "weeks": [week.date().isoformat() for week in over_time.weeks],
        "hidden_groups": over_time.hidden_groups,
        "rows": [
            {"name": row.name, "reporters": row.reporters, "total": _summary_json(row.total),
             "weekly": [_summary_json(week) for week in row.weekly]}
            for row in over_time.rows
        ],
    }


def _content_json(item: ValuableContent) -> dict[str, Any]:
    post = item.post
    root = post.question if post.question_id else post
    return {"post": post.pk, "kind": post.kind, "title": root.title if root else "",
            "space": post.space.name, "value": _summary_json(item.value)}


def organization_insights(
    viewer: User | None, *, groupings: Sequence[GroupBy] = VALUE_GROUPINGS, weeks: int = WEEKS,
    now: dt.datetime | None = None,
) -> OrganizationInsights:
    """The organization's insights for `viewer` (an enabler; NotAllowed for anyone else), or,
    with no viewer, the help-network aggregates only (see the module's docstring).
    `groupings`: which value-over-time sections to compute (the page shows one at a time)."""
    now = now or timezone.now()
    k = min_group_size()
    if viewer is not None:
        require_org_insights(viewer)
        network = network_insights(viewer)
    else:
        latest = latest_network_snapshot()
        network = None if latest is None else NetworkInsights(
            latest.computed_at, latest.seconds, shown_network(latest.data, k))
    insights = OrganizationInsights(viewer=viewer, now=now, k=k, weeks=weeks, network=network)
    if network is not None:
        _add_network(insights, network.data)
        insights.trend = _trend(network_trend(viewer, now=now), insights.departments, k)
    if viewer is not None:
        insights.value = [_value_section(viewer, by, weeks, now, k) for by in groupings]
        insights.valuable = most_valuable_content(
            viewer, since=now - dt.timedelta(weeks=weeks), limit=VALUABLE)
    return insights


def _distinct_names(names: Iterable[tuple[Any, str]]) -> dict[Any, str]:
    """Names for a chart's rows or lines, made distinct (two departments may share a name)."""
    pairs = list(names)
    counts = Counter(name for _, name in pairs)
    return {key: name if counts[name] == 1 else f"{name} ({key})" for key, name in pairs}


def _add_network(insights: OrganizationInsights, data: Mapping[str, Any]) -> None:
    k = insights.k
    bridges_of: Counter[int] = Counter()
    for bridge in data.get("bridges", []):
        for department in bridge["departments"]:
            bridges_of[department] += bridge["count"]
    brokers_of = {b["department"]: b["count"] for b in data.get("brokers", [])}
    found_at = data.get("brokers_found_at")
    if found_at and insights.network is not None:
        when = dt.datetime.fromisoformat(found_at)
        insights.brokers_found_at = when if when < insights.network.computed_at else None
    insights.departments = [
        DepartmentRow(
            id=d["id"], name=d["name"], size=d["size"], ei_index=d["ei_index"],
            ei_index_weighted=d["ei_index_weighted"], ties_internal=d["ties_internal"],
            ties_external=d["ties_external"], bridges=bridges_of[d["id"]],
            brokers=brokers_of.get(d["id"], 0),
        )
        for d in data.get("departments", [])
    ]
    names = _distinct_names((d.id, d.name) for d in insights.departments)
    insights.bridges = [
        Bridge(departments=(names[a], names[b]), count=bridge["count"])
        for bridge in data.get("bridges", [])
        for a, b in [bridge["departments"]]
    ]
    mixing = data.get("mixing") or {"departments": []}
    at = [i for i, d in enumerate(mixing["departments"]) if d in names]
    if at:
        labels = [names[mixing["departments"][i]] for i in at]
        cells = [[mixing["interactions"][i][j] for j in at] for i in at]
        insights.mixing_chart = Chart("mixing", pictures.heatmap(
            "Help between departments", labels, labels, cells,
            "help interactions", row_label="Helpers' department",
            col_label="Helped people's department", min_group=k,
        ))
    if insights.departments:
        insights.network_chart = Chart("department-network", pictures.network(
            "How help flows between departments",
            [{"id": d.id, "label": names[d.id], "size": d.size, "group": names[d.id]}
             for d in insights.departments],
            [{"source": f["from"], "target": f["to"], "weight": f["interactions"]}
             for f in data.get("flows", []) if f["from"] in names and f["to"] in names],
            size_label="People", weight_label="Help interactions", min_group=k,
        ))
    listed = [e["person"] for e in data.get("enablers", [])]
    people = (visible_people(insights.viewer) if insights.viewer is not None
              else User.objects.filter(is_active=True))
    found = people.filter(id__in=listed, share_impact=True).select_related("department")
    by_id = {person.pk: person for person in found}
    insights.enablers = [by_id[p] for p in listed if p in by_id]


def _across_share(data: Mapping[str, Any]) -> float | None:
    """The share of the help interactions shown in the mixing matrix that go from one
    department to another (None when none is shown)."""
    cells = (data.get("mixing") or {}).get("interactions") or []
    total = across = 0
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            if value is not None:
                total += value
                across += value if i != j else 0
    return round(across / total, 4) if total else None


def _trend(
    history: Sequence[NetworkInsights], departments: Sequence[DepartmentRow], k: int
) -> Trend | None:
    """The trend charts over `history` (oldest first); None below two days with figures. The
    E-I lines are the `TREND_SERIES` shown departments with the lowest E-I index today."""
    points = [h for h in history if h.data.get("people") is not None]
    if len(points) < 2:
        return None
    days = [timezone.localdate(p.computed_at) for p in points]
    modularity = [p.data.get("modularity") for p in points]
    across = [_across_share(p.data) for p in points]
    charts = [Chart("trend-separation", pictures.line_chart(
        "How separate departments are, day by day", days,
        {"Modularity": modularity, "Share of the help shown that crosses departments": across},
        min_group=k, per="day",
    ))]
    inside = sorted((d for d in departments if d.ei_index is not None),
                    key=lambda d: (d.ei_index, d.name))[:TREND_SERIES]
    names = _distinct_names((d.id, d.name) for d in inside)
    of_day = [{row["id"]: row["ei_index"] for row in p.data.get("departments", [])}
              for p in points]
    ei_index = {names[d.id]: [found.get(d.id) for found in of_day] for d in inside}
    if ei_index:
        charts.append(Chart("trend-ei", pictures.line_chart(
            "E-I index of the departments most inside themselves today, day by day", days,
            ei_index, unit="E-I index (−1 all inside, +1 all across)", min_group=k, per="day",
        )))
    return Trend(days=days, modularity=modularity, across=across, ei_index=ei_index,
                 charts=charts)


def _value_section(
    viewer: User, by: GroupBy, weeks: int, now: dt.datetime, k: int
) -> ValueSection:
    over_time = value_over_time(viewer, by=by, weeks=weeks, now=now)
    charts = []
    top = over_time.rows[:CHART_SERIES]
    if top:
        days = [week.date() for week in over_time.weeks]
        names = _distinct_names((row.group, row.name) for row in top)
        label = GROUPING_LABELS[by]
        charts = [
            Chart(f"value-{by}-minutes", pictures.line_chart(
                f"Minutes saved per week, by {label}", days,
                {names[row.group]: [w.minutes_saved for w in row.weekly] for row in top},
                unit="minutes saved", min_group=k,
            )),
            Chart(f"value-{by}-solved", pictures.line_chart(
                f"Problems solved per week, by {label}", days,
                {names[row.group]: [w.solved_problem for w in row.weekly] for row in top},
                unit="problems solved", min_group=k,
            )),
        ]
    return ValueSection(by=by, over_time=over_time, charts=charts)
