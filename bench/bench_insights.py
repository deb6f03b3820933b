"""The help network at scale: a generated organization of 100,000 people and 5,000,000 help
interactions with planted silos and brokers, the same computation with networkx alone, and the
database path on the routing benchmark's organization.

Measures, each step in a fresh process (so that its peak RSS is its own):

1. **Full recompute**, exactly the calls `waggle.insights.snapshot` makes after reading the help
   (`_compute_full` then `network_figures`, then saving the state): `HelpNetwork.build`, the
   distinct ties, department ties and E-I indexes, the mixing matrix and its shown cells, flows,
   modularity, `bridges`, `brokers(limit=TOP_BROKERS)` (DEFAULT_PIVOTS sampled pivots, seed 0),
   `enablers`, and the pickled state. Time per step, total, peak RSS. The help of the first
   days - 1 days; reading it from a database is not in this figure (see 4.).
2. **Daily update**, what `update_network_snapshot` does with a day's help once its checks have
   passed: load the state, `HelpNetwork.add`, the union of ties, then `network_figures` again
   (bridges are recomputed from all ties; brokers, sampled from every tie, are the full run's,
   kept in the state) and save the state.
3. **networkx alone**: the same figures with networkx (and plain Python loops where networkx
   has no function: the mixing matrix's distinct helpers, the E-I counts): a weighted DiGraph of
   the help, the undirected tie graph, `nx.community.modularity`, `nx.betweenness_centrality`
   with the same number of pivots, `nx.bridges` and the people each one separates. Time-limited
   (`--nx-timeout`): past it, the figure is "> N s, stopped".
4. **Database path** on the routing benchmark's PostgreSQL organization (the demo generator,
   100,000 people, 1,000,000 posts; reused, never regenerated): `compute_network_snapshot()`
   (reading every interaction included) time and peak RSS, then `update_network_snapshot()`.
   Only InsightsSnapshot rows are written (and deleted again); the saved state goes to a
   temporary WAGGLE_VAR_DIR.

The generated organization (numpy, seeded): people in departments of unequal sizes, each with
a circle of regular contacts (80% in their own department) and an activity drawn from a
log-normal; interactions pick a helper by activity, then mostly someone of their circle, else
someone new (two thirds in their department). Kinds: 60% answers, 15% accepted answers, 15%
value reports, 10% kudos, weighted as HELP_WEIGHTS. Days uniform over `--days`. Planted:
- two silos (the two smallest departments), whose help never leaves them, except:
- one tie between a person of the first silo and a person of department 2 (a bridge: its loss
  cuts the whole silo off; both ends broker every path out of it);
- two brokers of the second silo, each with ties to eight people of department 5 (the only
  ways out of that silo: no bridge, but the highest betweenness).

    .venv/bin/python bench/bench_insights.py                      # everything, recorded
    .venv/bin/python bench/bench_insights.py --no-db --no-networkx --no-record
    .venv/bin/python bench/bench_insights.py --people 10000 --interactions 500000 --no-db
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
import common  # noqa: E402 - the benchmarks' shared module

from waggle.insights import network  # noqa: E402 - framework-free, after the path is set
from waggle.insights.network import HELP_WEIGHTS, HelpArrays, HelpKind, HelpNetwork  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/waggle_bench_routing"
TARGET_FULL_S = 120.0
TARGET_PEAK_GB = 4.0
TARGET_DAILY_S = 10.0
TOP_BROKERS = 50  # waggle.insights.snapshot.TOP_BROKERS
K = 5  # WAGGLE_MIN_GROUP_SIZE's default
LOW = np.int64(0xFFFFFFFF)

# The kinds in the order of their codes (waggle.insights.edges.KINDS) and their shares here.
KINDS = (HelpKind.ANSWER, HelpKind.ACCEPTED_ANSWER, HelpKind.VALUE_REPORT, HelpKind.KUDOS)
KIND_SHARES = (0.60, 0.15, 0.15, 0.10)
WEIGHT_OF_CODE = np.array([HELP_WEIGHTS[kind] for kind in KINDS], dtype=np.float64)
VALUE_CODE = KINDS.index(HelpKind.VALUE_REPORT)
DEPARTMENT_SHARES = (16, 14, 12, 11, 10, 9, 8, 7, 6, 4, 2.2, 1.8)  # the last two: the silos
CONTACTS = 24  # regular contacts per person
FRESH = 0.3  # share of interactions with someone outside the circle


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--nx-timeout", type=int, default=600,
                        help="seconds networkx may take before it is stopped")
    parser.add_argument("--nx-fraction", type=float, default=1.0,
                        help="run networkx (and igraph again, for the ratio) on an organization "
                             "this fraction of the size")
    parser.add_argument("--no-networkx", action="store_true")
    parser.add_argument("--no-db", action="store_true", help="skip the database path")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--no-record", action="store_true",
                        help="print the figures but do not append them to bench/RESULTS.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Steps:
    """Wall time of named steps, printed as they end (a child's parent reads them even when it
    has to stop the child)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.seconds[name] = time.monotonic() - started
        print("STEP " + json.dumps({"step": name, "seconds": self.seconds[name],
                                    "peak_rss_mb": peak_rss_mb()}), flush=True)


# --------------------------------------------------------------------------------------------
# The generated organization


def generate(people: int, interactions: int, days: int, seed: int) -> dict[str, Any]:
    """The organization as arrays (see the module's docstring): people and departments, the help
    interactions (helper, helped, kind code, day) and the planted people."""
    rng = np.random.default_rng(seed)
    shares = np.array(DEPARTMENT_SHARES)
    sizes = np.round(shares / shares.sum() * people).astype(np.int64)
    sizes[0] += people - sizes.sum()
    d = len(sizes)
    silos = (d - 1, d)
    ids = np.arange(1, people + 1, dtype=np.int64)
    dept = np.repeat(np.arange(1, d + 1, dtype=np.int64), sizes)
    rng.shuffle(dept)
    members = {k: ids[dept == k] for k in range(1, d + 1)}
    open_people = ids[~np.isin(dept, silos)]
    activity = rng.lognormal(0.0, 1.0, people)

    contacts = np.empty((people, CONTACTS), dtype=np.int64)
    same = rng.random((people, CONTACTS)) < 0.8
    for k, mine in members.items():
        rows = mine - 1
        contacts[rows] = rng.choice(mine, size=(len(mine), CONTACTS))
        if k in silos:
            continue
        others = open_people[dept[open_people - 1] != k]
        r, c = np.nonzero(~same[rows])
        contacts[rows[r], c] = rng.choice(others, size=len(r))

    helper = rng.choice(ids, size=interactions, p=activity / activity.sum())
    slot = np.minimum(rng.geometric(0.15, size=interactions) - 1, CONTACTS - 1)
    helped = contacts[helper - 1, slot]
    fresh = np.nonzero(rng.random(interactions) < FRESH)[0]
    inside = rng.random(len(fresh)) < 2 / 3
    home = dept[helper[fresh] - 1]
    for k, mine in members.items():
        pick = fresh[(home == k) & (inside | (k in silos))]
        weights = activity[mine - 1]
        helped[pick] = rng.choice(mine, size=len(pick), p=weights / weights.sum())
    pick = fresh[~inside & ~np.isin(home, silos)]
    weights = activity[open_people - 1]
    helped[pick] = rng.choice(open_people, size=len(pick), p=weights / weights.sum())

    # Help people gave themselves is never read (waggle.insights.edges): draw again.
    for _ in range(20):
        again = np.nonzero(helped == helper)[0]
        if not len(again):
            break
        helped[again] = contacts[helper[again] - 1, rng.integers(0, CONTACTS, size=len(again))]

    # The planted ways out of the silos: a few interactions each, on random days.
    first_silo, second_silo = members[silos[0]], members[silos[1]]
    bridge_inside, bridge_outside = int(first_silo[0]), int(members[2][0])
    brokers_inside = [int(second_silo[0]), int(second_silo[1])]
    planted_helper, planted_helped = [], []
    for _ in range(3):
        planted_helper += [bridge_inside, bridge_outside]
        planted_helped += [bridge_outside, bridge_inside]
    for broker in brokers_inside:
        for contact in members[5][rng.choice(len(members[5]), size=8, replace=False)]:
            planted_helper += [broker, int(contact)]
            planted_helped += [int(contact), broker]
    helper[-len(planted_helper):] = planted_helper  # in place of the last few drawn
    helped[-len(planted_helped):] = planted_helped
    kind = rng.choice(len(KINDS), size=interactions, p=KIND_SHARES).astype(np.int8)
    day = rng.integers(0, days, size=interactions)
    day[-len(planted_helper):] = rng.integers(0, days - 1, size=len(planted_helper))
    order = np.argsort(day, kind="stable")
    return {
        "person_ids": ids, "departments": dept,
        "helper": helper[order], "helped": helped[order], "kind": kind[order], "day": day[order],
        "silos": np.array(silos), "bridge": np.array([bridge_inside, bridge_outside]),
        "brokers": np.array(brokers_inside),
    }


def save_organization(org: dict[str, Any], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez(folder / "org.npz", **org)


def load_organization(folder: Path) -> dict[str, Any]:
    with np.load(folder / "org.npz") as data:
        return {name: data[name] for name in data.files}


# --------------------------------------------------------------------------------------------
# What waggle.insights.snapshot computes, without the database


class People:
    """`waggle.insights.edges.People` without Django: sorted ids and their departments."""

    def __init__(self, ids: Any, departments: Any) -> None:
        self.ids, self.departments = ids, departments

    def departments_of(self, people: Any) -> Any:
        at = np.minimum(np.searchsorted(self.ids, people), len(self.ids) - 1)
        return np.where(self.ids[at] == people, self.departments[at], -1)

    def department_of(self) -> dict[int, int | None]:
        return {int(p): (int(d) if d != -1 else None)
                for p, d in zip(self.ids.tolist(), self.departments.tolist(), strict=True)}


def tie_keys(helper: Any, helped: Any) -> Any:
    low, high = np.minimum(helper, helped), np.maximum(helper, helped)
    return np.unique((low << 32) | high)


def network_figures(state: dict[str, Any], steps: Steps, k: int = K,
                    keep_brokers: bool = False) -> dict[str, Any]:
    """`snapshot.network_figures` less its two small queries (department names, who shares their
    impact): the same network calls with the same arguments (`keep_brokers`: the daily run of a
    network this large counts the brokers the full run found)."""
    people: People = state["people"]
    graph: HelpNetwork[int] = state["network"]
    with steps("department figures (ties, E-I, mixing, flows, modularity)"):
        sizes = graph.department_sizes()
        shown = network.suppress_small(sizes, k)
        ties = state["ties"]
        ends = np.column_stack([ties >> 32, ties & LOW])
        depts = people.departments_of(ends.ravel()).reshape(-1, 2)
        both = (depts[:, 0] >= 0) & (depts[:, 1] >= 0)
        tied = np.unique(ends[both].ravel())
        tied_in = Counter(people.departments_of(tied).tolist())
        department_ties = graph.department_ties()
        ei = {}
        for dept in graph.departments:
            t = department_ties.get(dept)
            if dept in shown and t is not None and tied_in[dept] >= k:
                ei[dept] = (t.ei_index(), t.ei_index(weighted=True), t.internal, t.external)
        mixing = graph.mixing()
        cells = mixing.shown(k)
        index = [i for i, d in enumerate(mixing.departments) if d in shown]
        matrices = {name: [[float(values[i, j]) if cells[i, j] else None for j in index]
                           for i in index]
                    for name, values in (("weight", mixing.weight),
                                         ("interactions", mixing.interactions),
                                         ("helpers", mixing.helpers), ("helped", mixing.helped))}
        flows = sorted(
            ((float(mixing.weight[i, j]), mixing.departments[i], mixing.departments[j])
             for i in index for j in index
             if i != j and cells[i, j] and mixing.interactions[i, j] > 0), reverse=True)
        modularity = graph.modularity()
    with steps("tie graph (built once for bridges and brokers)"):
        tie_graph = network.tie_graph_of_keys(ties)
        department_of = people.department_of()
    with steps("bridges"):
        found_bridges = network.bridges(tie_graph, department_of)
    with steps("brokers"):
        if not keep_brokers:
            state["brokers"] = [
                (b.person, b.betweenness, b.departments)
                for b in network.brokers(tie_graph, department_of, limit=TOP_BROKERS)]
        homes = Counter(department_of.get(b[0]) for b in state["brokers"] if b[1] > 0)
    with steps("enablers"):
        value = HelpArrays(state["value_helper"], state["value_helped"],
                           np.ones(len(state["value_helper"])))
        found_enablers = network.enablers(value, limit=20)
    return {
        "ties": int(len(ties)), "ei": ei, "modularity": modularity, "flows": len(flows),
        "shown_cells": int(sum(v is not None for row in matrices["weight"] for v in row)),
        "bridges": [(b.people, b.departments, b.separated) for b in found_bridges],
        "brokers": state["brokers"],
        "broker_departments": len(homes),
        "enablers": [e.person for e in found_enablers],
    }


def child_full(work: Path) -> dict[str, Any]:
    """1. The full recompute (what `_compute_full` does once the rows are read)."""
    steps = Steps()
    org = load_organization(work)
    last = org["day"].max()
    before = org["day"] < last
    helper, helped, kind = org["helper"][before], org["helped"][before], org["kind"][before]
    people = People(org["person_ids"], org["departments"])
    del org
    rss_loaded = rss_mb()
    started = time.monotonic()
    with steps("build (HelpNetwork.build)"):
        graph: HelpNetwork[int] = HelpNetwork.build(
            HelpArrays(helper, helped, WEIGHT_OF_CODE[kind]), people.department_of())
    with steps("distinct ties, value edges, kind counts"):
        value = kind == VALUE_CODE
        state = {
            "people": people, "network": graph, "ties": tie_keys(helper, helped),
            "value_helper": helper[value], "value_helped": helped[value],
            "interactions": np.bincount(kind, minlength=len(KINDS)).tolist(),
        }
    figures = network_figures(state, steps)
    with steps("save the state (pickle)"):
        with open(work / "state.pickle", "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    seconds = time.monotonic() - started
    return {"seconds": seconds, "steps": steps.seconds, "interactions": int(len(helper)),
            "peak_rss_mb": peak_rss_mb(), "rss_loaded_mb": rss_loaded,
            "state_mb": (work / "state.pickle").stat().st_size / 2**20, "figures": figures}


def child_daily(work: Path) -> dict[str, Any]:
    """2. The daily update (what `update_network_snapshot` does once its checks have passed)."""
    steps = Steps()
    org = load_organization(work)
    last = org["day"] == org["day"].max()
    helper, helped, kind = org["helper"][last], org["helped"][last], org["kind"][last]
    del org
    started = time.monotonic()
    with steps("load the state (unpickle)"):
        with open(work / "state.pickle", "rb") as f:
            state = pickle.load(f)
    with steps("HelpNetwork.add"):
        state["network"].add(HelpArrays(helper, helped, WEIGHT_OF_CODE[kind]), new_people={})
    with steps("union of ties, value edges"):
        state["ties"] = network.merge_keys(state["ties"], tie_keys(helper, helped))
        value = kind == VALUE_CODE
        state["value_helper"] = np.concatenate([state["value_helper"], helper[value]])
        state["value_helped"] = np.concatenate([state["value_helped"], helped[value]])
    figures = network_figures(state, steps, keep_brokers=True)
    with steps("save the state (pickle)"):
        with open(work / "state.pickle", "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"seconds": time.monotonic() - started, "steps": steps.seconds,
            "interactions": int(len(helper)), "peak_rss_mb": peak_rss_mb(), "figures": figures}


# --------------------------------------------------------------------------------------------
# 3. networkx alone


def child_networkx(work: Path) -> dict[str, Any]:
    """The same figures with networkx: a weighted DiGraph of the help (mixing, enablers), the
    undirected weighted tie graph (E-I, modularity, betweenness, bridges)."""
    import networkx as nx

    steps = Steps()
    org = load_organization(work)
    before = org["day"] < org["day"].max()
    helper = org["helper"][before].tolist()
    helped = org["helped"][before].tolist()
    weight = WEIGHT_OF_CODE[org["kind"][before]].tolist()
    is_value = (org["kind"][before] == VALUE_CODE).tolist()
    department = dict(zip(org["person_ids"].tolist(), org["departments"].tolist(), strict=True))
    del org
    started = time.monotonic()
    with steps("build (DiGraph of help, Graph of ties)"):
        help_graph = nx.DiGraph()
        for u, v, w in zip(helper, helped, weight, strict=True):
            if u == v:
                continue
            data = help_graph.get_edge_data(u, v)
            if data is None:
                help_graph.add_edge(u, v, weight=w, interactions=1)
            else:
                data["weight"] += w
                data["interactions"] += 1
        nx.set_node_attributes(help_graph, department, "department")
        ties = nx.Graph()
        for u, v, data in help_graph.edges(data=True):
            if ties.has_edge(u, v):
                ties[u][v]["weight"] += data["weight"]
            else:
                ties.add_edge(u, v, weight=data["weight"])
    with steps("department figures (ties, E-I, mixing, flows, modularity)"):
        mixing: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0])
        helpers: dict[tuple[int, int], set[int]] = defaultdict(set)
        helped_people: dict[tuple[int, int], set[int]] = defaultdict(set)
        for u, v, data in help_graph.edges(data=True):
            cell = (department[u], department[v])
            mixing[cell][0] += data["weight"]
            mixing[cell][1] += data["interactions"]
            helpers[cell].add(u)
            helped_people[cell].add(v)
        internal: Counter[int] = Counter()
        external: Counter[int] = Counter()
        for u, v in ties.edges():
            if department[u] == department[v]:
                internal[department[u]] += 1
            else:
                external[department[u]] += 1
                external[department[v]] += 1
        ei = {d: (external[d] - internal[d]) / (external[d] + internal[d])
              for d in set(internal) | set(external)}
        communities: dict[int, set[int]] = defaultdict(set)
        for person in ties:
            communities[department[person]].add(person)
        modularity = nx.community.modularity(ties, communities.values(), weight="weight")
    with steps("bridges"):
        between_departments = [(u, v) for u, v in nx.bridges(ties)
                               if department[u] != department[v]]
        separated = []
        for u, v in between_departments:
            ties.remove_edge(u, v)
            side = len(nx.node_connected_component(ties, u))
            separated.append(min(side, ties.number_of_nodes() - side))
            ties.add_edge(u, v)
    with steps("brokers"):
        large = ties.number_of_nodes() > network.EXACT_BETWEENNESS_LIMIT
        pivots = network.DEFAULT_PIVOTS if large else None
        betweenness = nx.betweenness_centrality(ties, k=pivots, seed=0)
        top = sorted(betweenness, key=lambda p: (-betweenness[p], p))[:TOP_BROKERS]
    with steps("enablers"):
        value: Counter[int] = Counter()
        for u, keep in zip(helper, is_value, strict=True):
            if keep:
                value[u] += 1
        found_enablers = [p for p, _ in value.most_common(20)]
    return {"seconds": time.monotonic() - started, "steps": steps.seconds,
            "peak_rss_mb": peak_rss_mb(),
            "figures": {"ties": ties.number_of_edges(), "ei": ei, "modularity": modularity,
                        "bridges": sorted(zip(separated, between_departments, strict=True),
                                           reverse=True)[:5],
                        "brokers": top, "enablers": found_enablers,
                        "cells": len(mixing), "helpers": len(helpers) + len(helped_people)}}


# --------------------------------------------------------------------------------------------
# 4. The database path


def child_database(database_url: str, work: Path) -> dict[str, Any]:
    """`compute_network_snapshot()` then `update_network_snapshot()` on the routing benchmark's
    organization (the state in a temporary var folder); the snapshots made are deleted."""
    os.environ["WAGGLE_VAR_DIR"] = str(work / "var")
    from common import setup_django

    setup_django(database_url, reuse=True, recreate=False)
    from waggle.exchange.models import Post
    from waggle.insights.models import InsightsSnapshot
    from waggle.insights.snapshot import compute_network_snapshot, update_network_snapshot
    from waggle.people.models import Department, User

    if not Post.objects.exists():
        return {"error": f"{database_url} holds no posts: run bench/bench_routing.py first"}
    existing = set(InsightsSnapshot.objects.values_list("id", flat=True))
    rss_before = rss_mb()
    started = time.monotonic()
    full = compute_network_snapshot(reason="bench_insights")
    full_seconds = time.monotonic() - started
    full_peak = peak_rss_mb()
    started = time.monotonic()
    daily = update_network_snapshot()
    daily_seconds = time.monotonic() - started
    data = full.data
    result = {
        "full_seconds": full_seconds, "full_stored_seconds": full.seconds,
        "full_peak_rss_mb": full_peak, "rss_before_mb": rss_before,
        "daily_seconds": daily_seconds, "daily_mode": daily.data.get("mode"),
        "daily_reason": daily.data.get("reason"), "daily_peak_rss_mb": peak_rss_mb(),
        "people": data.get("people"), "users": User.objects.count(),
        "departments": Department.objects.count(), "interactions": data.get("interactions"),
        "ties": data.get("ties"), "modularity": data.get("modularity"),
        "bridges": sum(b["count"] for b in data.get("bridges", [])),
        "brokers": sum(b["count"] for b in data.get("brokers", [])),
        "ei": sorted((row["ei_index"], row["name"]) for row in data.get("departments", [])
                     if row.get("ei_index") is not None),
        "state_mb": sum(p.stat().st_size for p in (work / "var").rglob("*.pickle")) / 2**20,
    }
    InsightsSnapshot.objects.exclude(id__in=existing).delete()
    return result


# --------------------------------------------------------------------------------------------
# Running the steps


def run_child(name: str, work: Path, timeout: float | None = None,
              extra: list[str] | None = None) -> tuple[dict[str, Any] | None, dict[str, float]]:
    """Runs a step in a fresh process; its result, or None if it was stopped (with the steps it
    finished)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name,
               "--work", str(work), *(extra or [])]
    print(f"\n[{name}] ...", flush=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    finished: dict[str, float] = {}
    result = None
    deadline = None if timeout is None else time.monotonic() + timeout

    def read() -> None:
        nonlocal result
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("STEP "):
                step = json.loads(line[5:])
                finished[step["step"]] = step["seconds"]
                print(f"  {step['step']}: {step['seconds']:.1f} s "
                      f"(peak RSS {step['peak_rss_mb']:,.0f} MB)", flush=True)
            elif line.startswith("RESULT "):
                result = json.loads(line[7:])
            else:
                print("  " + line.rstrip(), flush=True)

    import threading

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process.wait(timeout=None if deadline is None else max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        print(f"  stopped after {timeout:.0f} s", flush=True)
    reader.join(timeout=10)
    if process.returncode not in (0, -9) and result is None:
        raise SystemExit(f"step {name} failed (exit {process.returncode})")
    return result, finished


def child_main(args: argparse.Namespace) -> int:
    work = Path(args.work)
    children: dict[str, Callable[[], dict[str, Any]]] = {
        "full": lambda: child_full(work),
        "daily": lambda: child_daily(work),
        "networkx": lambda: child_networkx(work),
        "database": lambda: child_database(args.database_url, work),
    }
    result = children[args.child]()
    print("RESULT " + json.dumps(result, default=str), flush=True)
    return 0


# --------------------------------------------------------------------------------------------
# Reporting


def recovered(org: dict[str, Any], figures: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The planted structure, checked against what the network shows: (what, found, ok)."""
    silos = [int(s) for s in org["silos"]]
    ei = {int(d): v for d, v in figures["ei"].items()}
    lowest = sorted(ei, key=lambda d: ei[d][0])[:2]
    rows = [(
        "the two silos have the lowest E-I indexes",
        "lowest: " + ", ".join(f"department {d} {ei[d][0]:+.4f}" for d in lowest)
        + "; others from " + f"{min(v[0] for d, v in ei.items() if d not in silos):+.3f}",
        sorted(lowest) == sorted(silos),
    )]
    bridge = tuple(sorted(int(p) for p in org["bridge"]))
    before = org["day"] < org["day"].max()
    active = np.union1d(org["helper"][before], org["helped"][before])
    size = int((org["departments"][active - 1] == silos[0]).sum())  # silo people with ties
    found = figures["bridges"]
    top = found[0] if found else None
    rows.append((
        f"the planted tie out of silo {silos[0]} is the bridge that separates most people",
        (f"{len(found)} bridges between departments; first: people {tuple(top[0])}, "
         f"departments {tuple(top[1])}, separates {top[2]:,} (the silo's people with ties: "
         f"{size:,})") if top else "none",
        top is not None and tuple(top[0]) == bridge and top[2] == size,
    ))
    rank = {int(b[0]): i + 1 for i, b in enumerate(figures["brokers"])}
    planted = [int(p) for p in org["bridge"]] + [int(p) for p in org["brokers"]]
    rows.append((
        f"the 4 planted people are among the top {TOP_BROKERS} brokers",
        "ranks " + ", ".join(f"{p}: {rank.get(p, '-')}" for p in planted),
        all(p in rank for p in planted),
    ))
    return rows


def table(header: list[str], rows: list[list[str]], align: str) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def machine() -> str:
    import igraph
    import networkx

    return (f"{common.machine()}; Python {platform.python_version()}, numpy {np.__version__}, "
            f"python-igraph {igraph.__version__}, networkx {networkx.__version__}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    load_before = os.getloadavg()
    started_all = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="bench-insights-"))
    sections: list[str] = []
    notes: list[str] = []
    try:
        work = base / "full"
        print(f"Generating {args.people:,} people and {args.interactions:,} interactions over "
              f"{args.days} days (seed {args.seed}) ...", flush=True)
        started = time.monotonic()
        org = generate(args.people, args.interactions, args.days, args.seed)
        generated_s = time.monotonic() - started
        save_organization(org, work)
        sizes = np.bincount(org["departments"])[1:]
        data = (f"generated (numpy, seed {args.seed}) in {generated_s:.0f} s: "
                f"{args.people:,} people in {len(sizes)} departments "
                f"({', '.join(f'{n:,}' for n in sizes.tolist())} people), "
                f"{args.interactions:,} help interactions over {args.days} days "
                f"(60% answers, 15% accepted answers, 15% value reports, 10% kudos); planted: "
                f"silos {org['silos'][0]} and {org['silos'][1]}, one bridge tie "
                f"{tuple(int(p) for p in org['bridge'])} out of silo {org['silos'][0]}, two "
                f"brokers {tuple(int(p) for p in org['brokers'])} out of silo {org['silos'][1]}")
        print(data, flush=True)

        full, _ = run_child("full", work)
        daily, _ = run_child("daily", work)
        assert full is not None and daily is not None
        f_fig = full["figures"]
        full_ok = full["seconds"] <= TARGET_FULL_S
        peak_ok = full["peak_rss_mb"] / 1024 <= TARGET_PEAK_GB
        daily_ok = daily["seconds"] <= TARGET_DAILY_S
        tie_s = daily["steps"]["tie graph (built once for bridges and brokers)"]
        step_names = list(dict.fromkeys([*full["steps"], *daily["steps"]]))
        sections.append(
            f"Generated organization: full recompute over days 1-{args.days - 1} "
            f"({full['interactions']:,} interactions, {f_fig['ties']:,} ties), then the daily "
            f"update with day {args.days} ({daily['interactions']:,} interactions). Peak RSS: the "
            f"step's process, the help arrays loaded included ({full['rss_loaded_mb']:,.0f} MB "
            f"once loaded, Python with numpy and igraph). State saved: "
            f"{full['state_mb']:,.0f} MB.\n\n"
            + table(["step", "full recompute s", "daily update s"],
                    [[name, f"{full['steps'][name]:.2f}" if name in full["steps"] else "-",
                      f"{daily['steps'][name]:.2f}" if name in daily["steps"] else "-"]
                     for name in step_names]
                    + [["**total**", f"**{full['seconds']:.1f}**", f"**{daily['seconds']:.1f}**"],
                       ["peak RSS MB", f"{full['peak_rss_mb']:,.0f}",
                        f"{daily['peak_rss_mb']:,.0f}"]], "lrr")
            + "\n\n"
            + table(["target", "measured", "met"], [
                [f"full recompute <= {TARGET_FULL_S:.0f} s", f"{full['seconds']:.1f} s",
                 yes(full_ok)],
                [f"peak memory <= {TARGET_PEAK_GB:.0f} GB", f"{full['peak_rss_mb'] / 1024:.2f} GB",
                 yes(peak_ok)],
                [f"daily update <= {TARGET_DAILY_S:.0f} s", f"{daily['seconds']:.1f} s",
                 yes(daily_ok)]], "lrl")
            + f"\n\nOf the daily update, bridges ({daily['steps']['bridges']:.1f} s, with the "
            f"tie graph {tie_s:.1f} s)"
            f" are recomputed from all {daily['figures']['ties']:,} ties; brokers are the full "
            f"run's ({full['steps']['brokers']:.1f} s there, {network.DEFAULT_PIVOTS} pivots); "
            f"the rest takes {daily['seconds'] - daily['steps']['bridges'] - tie_s:.1f} s.")
        print("\n" + sections[-1], flush=True)

        checks = recovered(org, f_fig)
        sections.append(
            f"Planted structure (modularity of the department partition "
            f"{f_fig['modularity']:.3f}; {f_fig['flows']} flows between departments shown):\n\n"
            + table(["planted", "what the network shows", "recovered"],
                    [[what, found, yes(ok)] for what, found, ok in checks], "lll"))
        print("\n" + sections[-1], flush=True)

        if not args.no_networkx:
            nx_work = work
            igraph_s = full["seconds"]
            scale = "the same organization"
            ig_result = full
            if args.nx_fraction < 1.0:
                nx_work = base / "fraction"
                people = int(args.people * args.nx_fraction)
                interactions = int(args.interactions * args.nx_fraction)
                save_organization(generate(people, interactions, args.days, args.seed), nx_work)
                small, _ = run_child("full", nx_work)
                assert small is not None
                ig_result = small
                igraph_s = small["seconds"]
                scale = (f"an organization of {args.nx_fraction:.0%} the size ({people:,} people, "
                         f"{interactions:,} interactions, same generator); igraph on it: "
                         f"{igraph_s:.1f} s")
            nx_result, nx_steps = run_child("networkx", nx_work, timeout=args.nx_timeout)
            ig_steps = ig_result["steps"]
            planted = [*org["bridge"].tolist(), *org["brokers"].tolist()]
            rows = []
            for name in ("build", "department figures", "bridges", "brokers", "enablers"):
                mine = sum(s for n, s in ig_steps.items() if n.startswith(name))
                if name == "build":
                    mine += ig_steps.get("distinct ties, value edges, kind counts", 0.0)
                theirs = next((s for n, s in nx_steps.items() if n.startswith(name)), None)
                rows.append([name, f"{mine:.2f}",
                             f"{theirs:.2f}" if theirs is not None else "stopped / not reached",
                             f"{theirs / mine:.0f}x" if theirs is not None and mine else "-"])
            if nx_result is not None:
                nx_total = nx_result["seconds"]
                total = f"{nx_total:.1f}"
                ratio = f"{nx_total / igraph_s:.1f}x"
                peak = f"{nx_result['peak_rss_mb']:,.0f}"
                nx_fig = nx_result["figures"]
                found_by_nx = (f"{sum(p in nx_fig['brokers'] for p in planted)} of 4"
                               if nx_work == work else "n/a (another organization)")
                agree = (f"networkx's figures: {nx_fig['ties']:,} ties, modularity "
                         f"{nx_fig['modularity']:.3f}, top bridge separating "
                         f"{nx_fig['bridges'][0][0] if nx_fig['bridges'] else 0:,}, planted "
                         f"people among its top {TOP_BROKERS} brokers: {found_by_nx}.")
            else:
                total = f"> {args.nx_timeout} (stopped)"
                ratio = f"> {args.nx_timeout / igraph_s:.0f}x"
                peak = "-"
                agree = "networkx was stopped before it finished."
            rows.append(["**total** (saving the state not counted for networkx)",
                         f"**{igraph_s:.1f}**", f"**{total}**", f"**{ratio}**"])
            rows.append(["peak RSS MB", f"{ig_result['peak_rss_mb']:,.0f}", peak, ""])
            sections.append(
                f"The same computation with networkx alone, on {scale}: a weighted DiGraph of "
                f"the help and an undirected Graph of the ties, mixing and E-I by loops over "
                f"their edges, `nx.community.modularity`, `nx.bridges` (and a component search "
                f"per bridge between departments for the people it separates), "
                f"`nx.betweenness_centrality(k={network.DEFAULT_PIVOTS}, seed=0)`, enablers by a "
                f"Counter. Time limit {args.nx_timeout} s. {agree}\n\n"
                + table(["step", "waggle (numpy + igraph) s", "networkx s", "networkx / waggle"],
                        rows, "lrrr"))
            print("\n" + sections[-1], flush=True)

        if not args.no_db:
            db, _ = run_child("database", base, extra=["--database-url", args.database_url])
            assert db is not None
            if "error" in db:
                sections.append(f"Database path: not measured ({db['error']}).")
            else:
                inter = db["interactions"] or {}
                sections.append(
                    f"Database path on `{args.database_url.rsplit('/', 1)[-1]}` (the demo "
                    f"generator, seed 42: {db['users']:,} people, {db['departments']} "
                    f"departments; reused as generated): {db['people']:,} people counted, "
                    f"{inter.get('total', 0):,} help interactions ({inter.get('answer', 0):,} "
                    f"answers, {inter.get('accepted_answer', 0):,} accepted answers, "
                    f"{inter.get('value_report', 0):,} value reports, {inter.get('kudos', 0):,} "
                    f"kudos), {db['ties']:,} ties; modularity {db['modularity']}, {db['bridges']} "
                    f"bridges between shown departments, {db['brokers']} top brokers in shown "
                    f"departments; E-I indexes from {db['ei'][0][0]:+.3f} to "
                    f"{db['ei'][-1][0]:+.3f}. The daily update ran with no new help (the data "
                    f"set is not modified): its fixed cost.\n\n"
                    + table(["call", "s", "peak RSS MB"], [
                        ["`compute_network_snapshot()` (reads every interaction, computes, "
                         "stores the snapshot and the state)", f"{db['full_seconds']:.1f}",
                         f"{db['full_peak_rss_mb']:,.0f} (Django loaded: "
                         f"{db['rss_before_mb']:,.0f})"],
                        [f"`update_network_snapshot()` (mode: {db['daily_mode']}"
                         f"{', ' + db['daily_reason'] if db['daily_reason'] else ''})",
                         f"{db['daily_seconds']:.1f}", f"{db['daily_peak_rss_mb']:,.0f}"],
                    ], "lrr"))
            print("\n" + sections[-1], flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    load = f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
    notes.append(f"Whole run: {time.monotonic() - started_all:.0f} s.")
    print(f"\nLoad average (1 min): {load}. " + " ".join(notes))
    if not args.no_record:
        command = " ".join([".venv/bin/python bench/bench_insights.py", shlex.join(argv)]).strip()
        now = dt.datetime.now(dt.UTC)
        lines = [
            f"\n## {now:%Y-%m-%d %H:%M} UTC: the help network at {args.people:,} people and "
            f"{args.interactions:,} interactions\n",
            f"- Machine: {machine()}.",
            f"- Data set: {data}.",
            f"- Load average (1 min) while measuring: {load} (other work on the machine shows "
            "up here).",
            *[f"- {n}" for n in notes],
            f"- Command: `{command}`",
            "",
            "\n\n".join(sections),
            "",
        ]
        with RESULTS.open("a") as out:
            out.write("\n".join(lines))
        print(f"\nAppended to {RESULTS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
