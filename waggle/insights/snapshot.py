"""The organization-wide help-network insights, computed in the background and stored as an
`InsightsSnapshot` (minutes of work at 100,000 people: never on a page).

**What is stored** (`InsightsSnapshot.data`, JSON; figures about groups of at least K =
WAGGLE_MIN_GROUP_SIZE people only, each with the group sizes it was checked against so that a
reader can check again against today's K):
```
version, k, mode ("full" | "incremental"), reason (why a full run, when it was asked to be
incremental)
people         counted people (active, not opted out of analytics), None below K
interactions   {"answer": n, "accepted_answer": n, "value_report": n, "kudos": n, "total": n}
ties           distinct pairs of people with help between them
departments    [{id, name, size, ties_internal, ties_external, people_with_ties, ei_index,
                 ei_index_weighted}] for departments of >= K counted people; the tie figures
                 and E-I indexes are None unless >= K of its people have help ties
hidden_departments   how many departments are left out (smaller than K)
mixing         {departments: [ids in the shown order], weight, interactions, helpers, helped}:
               matrices over the shown departments, row = helpers' department, column = the
               helped people's; a cell is None unless its flow is nothing or the work of >= K
               helpers towards >= K people (`MixingMatrix.shown`)
flows          the shown cells between two different departments with help, most weight first:
               [{from, to, weight, interactions, helpers, helped}]
modularity     of the department partition (Newman), None below K people
bridges        [{departments: [a, b], count}]: help ties between two shown departments whose
               loss would cut people off (no person named)
brokers        [{department, count}]: where the TOP_BROKERS people with the highest betweenness
               work (shown departments only; no person named)
brokers_found_at  when those were found (ISO): the daily run of a network of more than
               network.EXACT_BETWEENNESS_LIMIT people keeps the last full run's brokers
enablers       [{person}]: people whose help created the most value for others, best first,
               only those who chose to share their impact (`User.share_impact`): opt-in
               recognition, and the only person ids stored. Figures about them come from
               `waggle.value.impact.impact_of` through the viewer's gate.
```

**Incremental updates.** A full run (`compute_network_snapshot`) reads all help and saves the
network's state beside the snapshot, as a pickle under `VAR_DIR/insights/` (derived data like
the search vectors: it can be deleted at any time, the next run is then full). The daily run
(`update_network_snapshot`) loads it, reads only the help added since (`edges.help_edges` with
the saved cursor) and adds it (`HelpNetwork.add`, O(new help)); mixing, E-I and modularity
come from the matrices, bridges from the saved distinct ties, brokers from the last full run
(exact ones, in a network small enough, from the ties every day). It computes in full
instead whenever the help so far is not "the old help plus some new": nothing saved, or saved
for another snapshot (a restored database); a counted person gone (opted out, deactivated,
deleted) or moved to another department; an accepted answer changed or taken back; a value
report withdrawn; an import or a demo generation since; fewer or more rows at or below the
cursor than were read (a deletion, or a write that committed out of id order). So an opt-out
leaves every figure at the next daily run. Run `waggle insights compute` weekly as well, to
catch what no check sees (an audit entry committed out of order).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import pickle
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone

from waggle.insights import network
from waggle.insights.access import require_org_insights
from waggle.insights.edges import (
    KINDS,
    Acceptances,
    HelpCursor,
    HelpEdges,
    People,
    acceptance_edges,
    acceptances,
    changes_since,
    counted_people,
    help_edges,
    rows_at_or_below,
)
from waggle.insights.models import InsightsSnapshot
from waggle.insights.network import HelpArrays, HelpKind, HelpNetwork, IntArray
from waggle.people.models import Department, User

DATA_VERSION = 1
STATE_VERSION = 2
TOP_BROKERS = 50  # brokers counted by department
TOP_ENABLERS = 20  # enablers listed (opted-in only)
TREND_DAYS = 90  # the trends' period: the latest snapshot of each of these days
_LOW = np.int64(0xFFFFFFFF)


def min_group_size() -> int:
    return int(settings.WAGGLE_MIN_GROUP_SIZE)


def state_dir() -> Path:
    return Path(settings.VAR_DIR) / "insights"


# --- the saved state ----------------------------------------------------------------------------


@dataclass
class NetworkState:
    """What an incremental update needs from the last run."""

    snapshot_id: int
    cursor: HelpCursor
    people: People
    network: HelpNetwork[int]
    ties: IntArray  # sorted distinct (lower id << 32 | higher id) of help ties
    accepted_questions: IntArray  # every acceptance counted so far, sorted by question ...
    accepted_answers: IntArray  # ... and its answer
    value_helper: IntArray  # value-report edges (for enablers)
    value_helped: IntArray
    interactions: dict[str, int] = field(default_factory=dict)
    # The top brokers (person ids, best first) and when they were found: kept by the daily
    # run of a large network (see `_store`).
    brokers: list[int] = field(default_factory=list)
    brokers_at: dt.datetime | None = None
    version: int = STATE_VERSION


def _state_path() -> Path:
    return state_dir() / "network-state.pickle"


@contextmanager
def _locked() -> Iterator[None]:
    """One computation at a time (a task and a command may overlap)."""
    state_dir().mkdir(parents=True, exist_ok=True)
    with open(state_dir() / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load_state() -> NetworkState | None:
    # The file is written only by this module into Waggle's own var directory.
    try:
        with open(_state_path(), "rb") as f:
            state = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(state, NetworkState) or state.version != STATE_VERSION:
        return None
    return state


def _save_state(state: NetworkState) -> None:
    path = _state_path()
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


# --- computing --------------------------------------------------------------------------------


def _tie_keys(helper: IntArray, helped: IntArray) -> IntArray:
    low, high = np.minimum(helper, helped), np.maximum(helper, helped)
    return np.unique((low << 32) | high)


def _kind_counts(edges: HelpEdges) -> Counter[str]:
    counts = np.bincount(edges.kinds, minlength=len(KINDS))
    return Counter({str(kind): int(counts[code]) for code, kind in enumerate(KINDS)})


def compute_network_snapshot(
    *, now: dt.datetime | None = None, reason: str = ""
) -> InsightsSnapshot:
    """Reads all help, computes the figures, stores a snapshot and the state for the next
    incremental update."""
    with _locked():
        return _compute_full(now, reason)


def _compute_full(now: dt.datetime | None, reason: str) -> InsightsSnapshot:
    started = time.monotonic()
    people = counted_people()
    edges = help_edges(people=people)
    graph: HelpNetwork[int] = HelpNetwork.build(edges.arrays(), people.department_of())
    value = edges.of_kind(HelpKind.VALUE_REPORT)
    state = NetworkState(
        snapshot_id=0,
        cursor=edges.cursor,
        people=people,
        network=graph,
        ties=_tie_keys(edges.helper, edges.helped),
        accepted_questions=edges.acceptances.questions,
        accepted_answers=edges.acceptances.answers,
        value_helper=value.helper,
        value_helped=value.helped,
        interactions=dict(_kind_counts(edges)),
    )
    return _store(state, "full", reason, now, started)


def update_network_snapshot(*, now: dt.datetime | None = None) -> InsightsSnapshot:
    """The daily update: adds the help since the last run to the saved state (see the module's
    docstring for when it computes in full instead, and says why in `data["reason"]`)."""
    with _locked():
        started = time.monotonic()
        state = _load_state()
        latest = _latest_id()
        if state is None:
            return _compute_full(now, "no saved state")
        if latest != state.snapshot_id:
            return _compute_full(now, "the saved state is not the latest snapshot's")
        people = counted_people()
        if not _same_people(state.people, people):
            return _compute_full(now, "people left, opted out or changed department")
        read = (state.cursor.answers_read, state.cursor.value_reports_read,
                state.cursor.kudos_read)
        if rows_at_or_below(state.cursor) != read:
            return _compute_full(now, "help was removed or committed out of order")
        edges = help_edges(state.cursor, people=people)
        changes = changes_since(state.cursor, edges.cursor)
        if changes.removing:
            return _compute_full(now, "a value report was withdrawn or an archive imported")
        accepted = _new_acceptances(state, edges, changes.acceptance_changed)
        if accepted is None:
            return _compute_full(now, "an accepted answer changed")

        new_people = people.ids[~state.people.contains(people.ids)]
        joined = {
            int(p): (int(d) if d >= 0 else None)
            for p, d in zip(new_people.tolist(), people.departments_of(new_people).tolist(),
                            strict=True)
        }
        others = edges.kinds != KINDS.index(HelpKind.ACCEPTED_ANSWER)
        accepted_edges = acceptance_edges(accepted, people)
        helper = np.concatenate([edges.helper[others], accepted_edges.helper])
        helped = np.concatenate([edges.helped[others], accepted_edges.helped])
        weight = np.concatenate([edges.weight[others], accepted_edges.weight])
        state.network.add(HelpArrays(helper, helped, weight), new_people=joined)
        state.ties = network.merge_keys(state.ties, _tie_keys(helper, helped))
        questions = np.concatenate([state.accepted_questions, accepted.questions])
        order = np.argsort(questions, kind="stable")
        state.accepted_questions = questions[order]
        state.accepted_answers = np.concatenate([state.accepted_answers, accepted.answers])[order]
        value = edges.of_kind(HelpKind.VALUE_REPORT)
        state.value_helper = np.concatenate([state.value_helper, value.helper])
        state.value_helped = np.concatenate([state.value_helped, value.helped])
        counts = Counter(state.interactions) + _kind_counts(edges)
        counts[str(HelpKind.ACCEPTED_ANSWER)] = (
            state.interactions.get(str(HelpKind.ACCEPTED_ANSWER), 0) + len(accepted_edges.helper)
        )
        state.interactions = {str(kind): counts[str(kind)] for kind in KINDS}
        state.cursor = edges.cursor
        state.people = people
        return _store(state, "incremental", "", now, started)


def _same_people(before: People, now: People) -> bool:
    """Everyone counted before is still counted, in the same department."""
    if not len(before):
        return True
    if not now.contains(before.ids).all():
        return False
    return bool(np.array_equal(now.departments_of(before.ids), before.departments))


def _lookup(state: NetworkState, questions: IntArray) -> IntArray:
    """The answer counted as accepted for each question, -1 where none is."""
    counted = state.accepted_questions
    if not len(counted):
        return np.full(len(questions), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(counted, questions), len(counted) - 1)
    return np.where(counted[at] == questions, state.accepted_answers[at], -1)


def _new_acceptances(
    state: NetworkState, edges: HelpEdges, changed: IntArray
) -> Acceptances | None:
    """The acceptances to add: those of the new answers, and those set since on older answers.
    None when an acceptance counted before was changed or taken back (not an addition)."""
    found = acceptances(questions=changed)
    current = np.full(len(changed), -1, dtype=np.int64)
    current[np.searchsorted(changed, found.questions)] = found.answers
    before = _lookup(state, changed)
    if np.any((before >= 0) & (before != current)):
        return None
    # Set since on an answer read before (a newer answer's acceptance comes with its answer).
    late = found.take((_lookup(state, found.questions) < 0)
                      & (found.answers <= state.cursor.answer))
    candidates = Acceptances.join(edges.acceptances, late)
    _, first = np.unique(candidates.questions, return_index=True)
    candidates = candidates.take(first)
    before = _lookup(state, candidates.questions)
    if np.any((before >= 0) & (before != candidates.answers)):
        return None
    return candidates.take(before < 0)


def _latest_id() -> int | None:
    return (
        InsightsSnapshot.objects.filter(kind=InsightsSnapshot.Kind.NETWORK)
        .order_by("-computed_at", "-id")
        .values_list("id", flat=True)
        .first()
    )


def _store(
    state: NetworkState, mode: str, reason: str, now: dt.datetime | None, started: float
) -> InsightsSnapshot:
    # Brokers of a network too large for exact betweenness are estimated from sampled pivots
    # over every tie, which no added day can update: the weekly full run finds them, and the
    # daily run keeps them, with their date (bench/bench_insights.py: at 5,000,000
    # interactions, 5.8 s of a 10 s daily update went to 32 pivots). Smaller networks get
    # exact brokers every day. Only brokers' counts by department are stored.
    computed_at = now or timezone.now()
    keep_brokers = (mode != "full" and state.brokers_at is not None
                    and len(state.people) > network.EXACT_BETWEENNESS_LIMIT)
    data = network_figures(state, min_group_size(), brokers_at=None if keep_brokers
                           else computed_at)
    data.update(mode=mode, reason=reason)
    snapshot = InsightsSnapshot.objects.create(
        kind=InsightsSnapshot.Kind.NETWORK,
        computed_at=computed_at,
        data=data,
        seconds=round(time.monotonic() - started, 3),
    )
    state.snapshot_id = snapshot.pk
    _save_state(state)
    return snapshot


def _round(value: float) -> float:
    # Six digits: figures for people, and the same whether summed at once or day by day.
    return round(float(value), 6)


def network_figures(state: NetworkState, k: int, *, brokers_at: dt.datetime | None = None
                    ) -> dict[str, Any]:
    """The snapshot's figures (see the module's docstring), suppressed for groups below `k`.
    With `brokers_at`, the brokers are found now (exact up to EXACT_BETWEENNESS_LIMIT people,
    else from network.DEFAULT_PIVOTS sampled sources) and kept in `state` with that date;
    without, those kept in `state` are counted (by today's departments)."""
    people = state.people
    graph = state.network
    sizes = graph.department_sizes()
    shown = network.suppress_small(sizes, k)
    names = dict(Department.objects.filter(id__in=list(shown)).values_list("id", "name"))
    counted = len(people)
    big_enough = counted >= k

    # People with a department who have a tie with someone else with a department (the ties
    # the E-I index counts).
    ends = np.column_stack([state.ties >> 32, state.ties & _LOW]) if len(state.ties) else (
        np.empty((0, 2), dtype=np.int64))
    depts = people.departments_of(ends.ravel()).reshape(-1, 2)
    both = (depts[:, 0] >= 0) & (depts[:, 1] >= 0)
    tied = np.unique(ends[both].ravel())
    tied_in = Counter(people.departments_of(tied).tolist())

    department_ties = graph.department_ties()
    departments = []
    for dept in graph.departments:
        if dept not in shown:
            continue
        row: dict[str, Any] = {"id": dept, "name": names.get(dept, ""), "size": sizes[dept],
                               "ties_internal": None, "ties_external": None,
                               "people_with_ties": None, "ei_index": None,
                               "ei_index_weighted": None}
        ties = department_ties.get(dept)
        if ties is not None and tied_in[dept] >= k:
            row.update(
                ties_internal=ties.internal, ties_external=ties.external,
                people_with_ties=tied_in[dept], ei_index=_round(ties.ei_index()),
                ei_index_weighted=_round(ties.ei_index(weighted=True)),
            )
        departments.append(row)

    mixing = graph.mixing()
    cells = mixing.shown(k)
    index = [i for i, d in enumerate(mixing.departments) if d in shown]

    def matrix(values: Any, as_float: bool = False) -> list[list[Any]]:
        return [
            [
                (_round(values[i, j]) if as_float else int(values[i, j])) if cells[i, j] else None
                for j in index
            ]
            for i in index
        ]

    flows = [
        {
            "from": mixing.departments[i], "to": mixing.departments[j],
            "weight": _round(mixing.weight[i, j]),
            "interactions": int(mixing.interactions[i, j]),
            "helpers": int(mixing.helpers[i, j]), "helped": int(mixing.helped[i, j]),
        }
        for i in index
        for j in index
        if i != j and cells[i, j] and mixing.interactions[i, j] > 0
    ]
    flows.sort(key=lambda f: (-f["weight"], f["from"], f["to"]))

    tie_graph = network.tie_graph_of_keys(state.ties)  # built once, for bridges and brokers
    department_of = people.department_of()
    bridge_pairs: Counter[tuple[int, int]] = Counter()
    for bridge in network.bridges(tie_graph, department_of):
        a, b = (department_of.get(p) for p in bridge.people)
        if a is not None and b is not None and a in shown and b in shown:
            bridge_pairs[(min(a, b), max(a, b))] += 1
    if brokers_at is not None or state.brokers_at is None:
        state.brokers = [b.person for b in network.brokers(tie_graph, department_of,
                                                            limit=TOP_BROKERS)
                         if b.betweenness > 0]
        state.brokers_at = brokers_at or timezone.now()
    broker_departments: Counter[int] = Counter()
    for person in state.brokers:
        home = department_of.get(person)
        if home is not None and home in shown:
            broker_departments[home] += 1

    interactions = dict(state.interactions)
    interactions["total"] = sum(interactions.values())
    return {
        "version": DATA_VERSION,
        "k": k,
        "people": counted if big_enough else None,
        "interactions": interactions if big_enough else None,
        "ties": int(len(state.ties)) if big_enough else None,
        "departments": departments,
        "hidden_departments": len(sizes) - len(shown),
        "mixing": {
            "departments": [mixing.departments[i] for i in index],
            "weight": matrix(mixing.weight, as_float=True),
            "interactions": matrix(mixing.interactions),
            "helpers": matrix(mixing.helpers),
            "helped": matrix(mixing.helped),
        },
        "flows": flows,
        "modularity": _round(graph.modularity()) if big_enough else None,
        "bridges": [
            {"departments": [a, b], "count": n} for (a, b), n in sorted(bridge_pairs.items())
        ],
        "brokers": [
            {"department": d, "count": n} for d, n in sorted(broker_departments.items())
        ],
        "brokers_found_at": state.brokers_at.isoformat() if state.brokers_at else None,
        "enablers": [{"person": p} for p in _opted_in_enablers(state)],
    }


def _opted_in_enablers(state: NetworkState) -> list[int]:
    """The enablers who share their impact, best first (the value a report creates counts
    once; ties: more people helped, then lower id)."""
    value = HelpArrays(state.value_helper, state.value_helped, np.ones(len(state.value_helper)))
    ranked = [e.person for e in network.enablers(value)]
    sharing = set(
        User.objects.filter(id__in=ranked, share_impact=True, is_active=True,
                            opt_out_analytics=False).values_list("id", flat=True)
    )
    return [p for p in ranked if p in sharing][:TOP_ENABLERS]


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkInsights:
    """A snapshot as an enabler may see it today."""

    computed_at: dt.datetime
    seconds: float
    data: dict[str, Any]


def shown_network(data: Mapping[str, Any], k: int) -> dict[str, Any]:
    """`data` suppressed again for groups below `k` (K may have been raised since it was
    computed) and for enablers who no longer share their impact."""
    shown = dict(data)
    big_enough = (data.get("people") or 0) >= k
    for key in ("people", "interactions", "ties", "modularity"):
        if not big_enough:
            shown[key] = None
    departments = []
    hidden = data.get("hidden_departments", 0)
    for row in data.get("departments", []):
        if row["size"] < k:
            hidden += 1
            continue
        row = dict(row)
        if (row.get("people_with_ties") or 0) < k:
            row.update(ties_internal=None, ties_external=None, people_with_ties=None,
                       ei_index=None, ei_index_weighted=None)
        departments.append(row)
    shown["departments"] = departments
    shown["hidden_departments"] = hidden
    visible = {row["id"] for row in departments}

    mixing = data.get("mixing") or {"departments": []}
    keep = [i for i, d in enumerate(mixing["departments"]) if d in visible]

    def cell_shown(i: int, j: int) -> bool:
        interactions = mixing["interactions"][i][j]
        if interactions is None:
            return False
        return interactions == 0 or (
            mixing["helpers"][i][j] >= k and mixing["helped"][i][j] >= k
        )

    shown["mixing"] = {"departments": [mixing["departments"][i] for i in keep]} | {
        name: [[mixing[name][i][j] if cell_shown(i, j) else None for j in keep] for i in keep]
        for name in ("weight", "interactions", "helpers", "helped")
    }
    shown["flows"] = [
        f for f in data.get("flows", [])
        if f["from"] in visible and f["to"] in visible and f["helpers"] >= k and f["helped"] >= k
    ]
    shown["bridges"] = [
        b for b in data.get("bridges", []) if all(d in visible for d in b["departments"])
    ]
    shown["brokers"] = [b for b in data.get("brokers", []) if b["department"] in visible]
    listed = [e["person"] for e in data.get("enablers", [])]
    sharing = set(
        User.objects.filter(id__in=listed, share_impact=True, is_active=True,
                            opt_out_analytics=False).values_list("id", flat=True)
    )
    shown["enablers"] = [{"person": p} for p in listed if p in sharing]
    return shown


def latest_network_snapshot() -> InsightsSnapshot | None:
    """The newest stored network snapshot, unchecked (for commands and tasks)."""
    return (
        InsightsSnapshot.objects.filter(kind=InsightsSnapshot.Kind.NETWORK)
        .order_by("-computed_at", "-id")
        .first()
    )


def network_insights(viewer: Any) -> NetworkInsights | None:
    """The latest network insights for an enabler (NotAllowed for anyone else), None before the
    first computation."""
    require_org_insights(viewer)
    snapshot = latest_network_snapshot()
    if snapshot is None:
        return None
    return NetworkInsights(snapshot.computed_at, snapshot.seconds,
                           shown_network(snapshot.data, min_group_size()))


def network_history(viewer: Any, *, limit: int = 52) -> list[NetworkInsights]:
    """Past snapshots, oldest first (the trends: modularity, E-I indexes, flows over time)."""
    require_org_insights(viewer)
    snapshots = list(
        InsightsSnapshot.objects.filter(kind=InsightsSnapshot.Kind.NETWORK)
        .order_by("-computed_at", "-id")[:limit]
    )
    k = min_group_size()
    return [NetworkInsights(s.computed_at, s.seconds, shown_network(s.data, k))
            for s in reversed(snapshots)]


def network_trend(
    viewer: Any | None, *, days: int = TREND_DAYS, now: dt.datetime | None = None
) -> list[NetworkInsights]:
    """The latest snapshot of each of the last `days` days, oldest first: the points of the
    trends (a day with a weekly full run and a daily update counts once). With a viewer, an
    enabler's view (NotAllowed for anyone else); None: unchecked, for the commands (the
    figures are the same for every enabler, see `report.py`)."""
    if viewer is not None:
        require_org_insights(viewer)
    since = (now or timezone.now()) - dt.timedelta(days=days)
    latest_of_day: dict[dt.date, InsightsSnapshot] = {}
    for found in (
        InsightsSnapshot.objects.filter(kind=InsightsSnapshot.Kind.NETWORK,
                                        computed_at__gte=since)
        .order_by("computed_at", "id")
        .iterator(chunk_size=32)
    ):
        latest_of_day[timezone.localdate(found.computed_at)] = found
    k = min_group_size()
    return [NetworkInsights(s.computed_at, s.seconds, shown_network(s.data, k))
            for _, s in sorted(latest_of_day.items())]
