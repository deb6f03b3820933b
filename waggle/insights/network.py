"""The help network: who helps whom, in aggregate. Framework-free: fed plain arrays by a query,
used by the insights pages, the API and the benchmarks alike.

An edge A -> B means A helped B: an answer to B's question, an accepted answer, a value report B
made on A's post, kudos B gave A. What the network shows an organization:
- the **mixing matrix**: how much help flows from each department to each other one;
- a **silo score** per department: the E-I index of its help ties (Krackhardt & Stern), and the
  modularity of the department partition as a whole (Newman);
- **brokers** (people on many shortest paths between others: betweenness, estimated from sampled
  pivots in large networks, with how many other departments they have help ties with) and
  **bridges** (help ties between departments whose loss would cut people off from the rest);
- **enablers**: people whose help created the most value for others;
- **suggested introductions**: people on the same topics in other departments, never met.

What the caller owns:
- *Who is in it.* People who opted out of analytics are removed before anything reaches this
  module, from the edges and from `department_of` alike (so they are not counted in a
  department's size either).
- *What may be shown.* No figure about a group smaller than `MIN_GROUP_SIZE` people is shown
  anywhere: `suppress_small` decides for department figures, `MixingMatrix.shown` for the cells
  of the matrix; figures about one person (brokers, enablers, introductions) follow the
  product's rules on personal impact and visibility.

Person ids are non-negative integers below 2**31 (database ids): the aggregated state packs two
of them, or a person and a department, into one 64-bit key. Help a person gives themselves is
dropped. A person with no department (`None`, or missing from `department_of`) takes part in
brokers, bridges and enablers, but not in department figures.

**Incremental updates.** `HelpNetwork` keeps what the department figures need (weight and
interaction matrices, the distinct helpers, helped people and ties seen so far as sorted key
arrays, tie counts per pair of departments), so `HelpNetwork.add(day_edges)` costs O(new edges
log total) plus copying the key arrays; the mixing matrix, E-I indexes and modularity are then
read from the matrices in O(departments**2). A person's department is fixed when they are first
added: a move between departments needs a rebuild (`HelpNetwork.build`). Brokers and bridges
are path properties of the whole network and are recomputed from all ties each time (sampled
pivots keep that O(pivots x ties)).

The graph library is igraph, chosen by measurement against rustworkx and networkx (20,000 people,
197,000 help ties, one core): betweenness from 256 sampled pivots 1.1 s (networkx 51 s; rustworkx
offers only the exact betweenness, and took twice igraph's time per source), bridges 0.01 s
(networkx 1.6 s; rustworkx 0.01 s), building the graph 0.08 s (networkx 0.4 s). The full-scale
figures (100,000 people, 5,000,000 interactions) belong in bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

import igraph as ig
import numpy as np
import numpy.typing as npt

D = TypeVar("D", bound=Hashable)
K = TypeVar("K", bound=Hashable)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# No figure about a group smaller than this is shown anywhere (the K).
MIN_GROUP_SIZE = 5
# Up to this many people betweenness is exact; above, it is estimated from DEFAULT_PIVOTS
# sampled sources (Brandes & Pich 2007), the estimate networkx gives for betweenness(k=...).
# One pivot took 0.09 s at 100,000 people and 1,000,000 ties (so about 0.45 s at 5,000,000):
# 64 pivots keep a full recompute well inside its 120 s.
EXACT_BETWEENNESS_LIMIT = 2_000
DEFAULT_PIVOTS = 64

_PERSON_LIMIT = 2**31
_LOW = np.int64(0xFFFFFFFF)


class HelpKind(StrEnum):
    """What made an edge A -> B (A helped B)."""

    ACCEPTED_ANSWER = "accepted_answer"  # A's answer to B's question was accepted
    VALUE_REPORT = "value_report"  # B reported that A's post or comment helped
    KUDOS = "kudos"  # B thanked A for a contribution
    ANSWER = "answer"  # A answered B's question


# How much each kind of help weighs: the evidence weights of expertise/scoring.py, so that the
# network and "who knows" agree on what counts as more help.
HELP_WEIGHTS: dict[HelpKind, float] = {
    HelpKind.ACCEPTED_ANSWER: 4.0,
    HelpKind.VALUE_REPORT: 3.0,
    HelpKind.KUDOS: 2.0,
    HelpKind.ANSWER: 1.0,
}


@dataclass(frozen=True, slots=True)
class HelpEdge:
    """One help interaction: `helper` helped `helped`."""

    helper: int
    helped: int
    weight: float = 1.0
    kind: str = HelpKind.ANSWER
    at: dt.datetime | None = None


class HelpArrays(NamedTuple):
    """Help interactions as columns (what a query of millions of rows should hand over)."""

    helper: IntArray
    helped: IntArray
    weight: FloatArray


Edges = Iterable[HelpEdge] | HelpArrays


def help_arrays(edges: Edges) -> HelpArrays:
    """The edges as int64/float64 columns, help people gave themselves dropped."""
    if isinstance(edges, HelpArrays):
        helper = np.asarray(edges.helper, dtype=np.int64)
        helped = np.asarray(edges.helped, dtype=np.int64)
        weight = np.asarray(edges.weight, dtype=np.float64)
    else:
        rows = list(edges)
        helper = np.fromiter((e.helper for e in rows), dtype=np.int64, count=len(rows))
        helped = np.fromiter((e.helped for e in rows), dtype=np.int64, count=len(rows))
        weight = np.fromiter((e.weight for e in rows), dtype=np.float64, count=len(rows))
    if not (len(helper) == len(helped) == len(weight)):
        raise ValueError("helper, helped and weight must have the same length")
    if len(helper) and (
        min(helper.min(), helped.min()) < 0 or max(helper.max(), helped.max()) >= _PERSON_LIMIT
    ):
        raise ValueError("person ids must be in [0, 2**31)")
    others = helper != helped
    return HelpArrays(helper[others], helped[others], weight[others])


def suppress_small(groups: Mapping[K, int], k: int = MIN_GROUP_SIZE) -> set[K]:
    """The groups that may be shown: those of at least `k` people (`groups` maps a group to its
    number of people). Every aggregate figure passes through this before it is displayed."""
    return {group for group, size in groups.items() if size >= k}


# --- people and their departments -------------------------------------------------------------


def _department_order(department: Hashable) -> tuple[str, Any]:
    # Departments are ids or names; sort by type first so a mix never compares int with str.
    return (type(department).__name__, department)


class _Directory(Generic[D]):
    """People -> department codes (ints in order of arrival, -1 for none), vectorized."""

    def __init__(self) -> None:
        self.names: list[D] = []
        self._code_of_name: dict[D, int] = {}
        self.ids: IntArray = np.empty(0, dtype=np.int64)  # sorted person ids
        self.codes: IntArray = np.empty(0, dtype=np.int64)  # their department codes

    def add_people(self, department_of: Mapping[int, D | None]) -> None:
        if not department_of:
            return
        ids = np.fromiter(department_of.keys(), dtype=np.int64, count=len(department_of))
        codes = np.fromiter(
            (self._code(d) for d in department_of.values()),
            dtype=np.int64,
            count=len(department_of),
        )
        if len(ids) and (ids.min() < 0 or ids.max() >= _PERSON_LIMIT):
            raise ValueError("person ids must be in [0, 2**31)")
        known = self.lookup(ids)
        seen = known != -2
        if np.any(seen & (known != codes)):
            moved = ids[seen & (known != codes)][:5].tolist()
            raise ValueError(f"people changed department, rebuild the network: {moved}")
        ids, codes = ids[~seen], codes[~seen]
        all_ids = np.concatenate([self.ids, ids])
        order = np.argsort(all_ids, kind="stable")
        self.ids = all_ids[order]
        self.codes = np.concatenate([self.codes, codes])[order]

    def _code(self, department: D | None) -> int:
        if department is None:
            return -1
        code = self._code_of_name.get(department)
        if code is None:
            code = self._code_of_name[department] = len(self.names)
            self.names.append(department)
        return code

    def lookup(self, people: IntArray) -> IntArray:
        """Department codes of `people`: -1 for no department, -2 for unknown people."""
        if not len(self.ids):
            return np.full(len(people), -2, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.ids, people), len(self.ids) - 1)
        return np.where(self.ids[at] == people, self.codes[at], -2)

    def departments_of(self, people: IntArray) -> IntArray:
        """Department codes of `people`, -1 where there is none."""
        return np.maximum(self.lookup(people), -1)

    def sizes(self) -> IntArray:
        known = self.codes[self.codes >= 0]
        return np.bincount(known, minlength=len(self.names)).astype(np.int64)

    def order(self) -> IntArray:
        """Codes in the order departments are shown (sorted by id or name)."""
        return np.array(
            sorted(range(len(self.names)), key=lambda c: _department_order(self.names[c])),
            dtype=np.int64,
        )


def _distinct(keys: IntArray) -> IntArray:
    """The sorted distinct keys: sorting and dropping repeats takes a sixth of the time of
    np.unique's hashing (numpy 2.4) on millions of keys."""
    keys = np.sort(keys)
    if len(keys) < 2:
        return keys
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))]


def _merge_keys(existing: IntArray, keys: IntArray) -> tuple[IntArray, IntArray]:
    """Adds `keys` to the sorted unique `existing`; returns (merged, the keys that were new)."""
    keys = _distinct(keys)
    if not len(existing):
        return keys, keys
    at = np.searchsorted(existing, keys)
    present = existing[np.minimum(at, len(existing) - 1)] == keys
    fresh = keys[~present]
    return np.insert(existing, at[~present], fresh), fresh


def merge_keys(existing: IntArray, keys: IntArray) -> IntArray:
    """The sorted distinct `existing` with `keys` added (a day's ties into all of them: a
    binary search per new key, ~300x faster than np.union1d on millions)."""
    return _merge_keys(existing, keys)[0]


# --- department figures (incremental) ---------------------------------------------------------


@dataclass(frozen=True)
class MixingMatrix(Generic[D]):
    """How help flows between departments. Row i = helpers' department, column j = the helped
    people's department; `departments` gives the order."""

    departments: list[D]
    weight: FloatArray  # [i, j] total help weight from people of i to people of j
    interactions: IntArray  # [i, j] number of help interactions
    helpers: IntArray  # [i, j] distinct people of i who helped someone of j
    helped: IntArray  # [i, j] distinct people of j helped by someone of i
    sizes: IntArray  # [i] people in department i

    def shown(self, k: int = MIN_GROUP_SIZE) -> BoolArray:
        """Which cells may be shown: both departments have at least `k` people and the flow is
        either nothing or the work of at least `k` helpers towards at least `k` people (a cell
        with 2 helpers would show what those two did)."""
        big = self.sizes >= k
        crowd = (self.helpers >= k) & (self.helped >= k)
        return np.outer(big, big) & ((self.interactions == 0) | crowd)


@dataclass(frozen=True, slots=True)
class DepartmentTies:
    """A department's help ties (distinct pairs of people with any help between them)."""

    internal: int  # ties between two people of the department
    external: int  # ties between one of its people and someone of another department
    internal_weight: float
    external_weight: float

    def ei_index(self, weighted: bool = False) -> float:
        """Krackhardt & Stern's E-I index (E - I) / (E + I): -1 all help stays inside
        (a silo), +1 all help crosses the department's border."""
        e, i = (
            (self.external_weight, self.internal_weight)
            if weighted
            else (float(self.external), float(self.internal))
        )
        return (e - i) / (e + i)


class HelpNetwork(Generic[D]):
    """The aggregated help network between departments, built once and updated with each day's
    help in O(new edges) (see the module's docstring)."""

    def __init__(self, department_of: Mapping[int, D | None]) -> None:
        self._directory: _Directory[D] = _Directory()
        self._directory.add_people(department_of)
        d = len(self._directory.names)
        self._weight = np.zeros((d, d))
        self._interactions = np.zeros((d, d), dtype=np.int64)
        self._helpers = np.zeros((d, d), dtype=np.int64)
        self._helped = np.zeros((d, d), dtype=np.int64)
        self._ties = np.zeros((d, d), dtype=np.int64)
        self._helper_keys: IntArray = np.empty(0, dtype=np.int64)  # helper << 32 | helped's dept
        self._helped_keys: IntArray = np.empty(0, dtype=np.int64)  # helped << 32 | helper's dept
        self._tie_keys: IntArray = np.empty(0, dtype=np.int64)  # min << 32 | max person

    @classmethod
    def build(cls, edges: Edges, department_of: Mapping[int, D | None]) -> HelpNetwork[D]:
        """The full computation: everyone's department, then all help so far."""
        network = cls(department_of)
        network.add(edges)
        return network

    def add(self, edges: Edges, new_people: Mapping[int, D | None] | None = None) -> None:
        """Adds help interactions (a day's worth, say), and the departments of people who joined
        since (a known person with another department raises: rebuild instead)."""
        if new_people:
            self._directory.add_people(new_people)
            self._grow()
        helper, helped, weight = help_arrays(edges)
        of = self._directory.departments_of
        from_, to = of(helper), of(helped)
        both = (from_ >= 0) & (to >= 0)
        helper, helped, weight, from_, to = (
            helper[both],
            helped[both],
            weight[both],
            from_[both],
            to[both],
        )
        d = len(self._directory.names)
        cells = from_ * d + to
        self._weight += np.bincount(cells, weights=weight, minlength=d * d).reshape(d, d)
        self._interactions += np.bincount(cells, minlength=d * d).reshape(d, d)

        self._helper_keys, fresh = _merge_keys(self._helper_keys, (helper << 32) | to)
        self._helpers += self._count(of(fresh >> 32), fresh & _LOW, d)
        self._helped_keys, fresh = _merge_keys(self._helped_keys, (helped << 32) | from_)
        self._helped += self._count(fresh & _LOW, of(fresh >> 32), d)

        low, high = np.minimum(helper, helped), np.maximum(helper, helped)
        self._tie_keys, fresh = _merge_keys(self._tie_keys, (low << 32) | high)
        a, b = of(fresh >> 32), of(fresh & _LOW)
        ties = self._count(a, b, d)
        self._ties += ties + ties.T - np.diag(np.diag(ties))

    @staticmethod
    def _count(rows: IntArray, columns: IntArray, d: int) -> IntArray:
        return np.bincount(rows * d + columns, minlength=d * d).reshape(d, d).astype(np.int64)

    def _grow(self) -> None:
        d = len(self._directory.names)
        old = self._weight.shape[0]
        if d == old:
            return
        for name in ("_weight", "_interactions", "_helpers", "_helped", "_ties"):
            matrix = getattr(self, name)
            grown = np.zeros((d, d), dtype=matrix.dtype)
            grown[:old, :old] = matrix
            setattr(self, name, grown)

    @property
    def departments(self) -> list[D]:
        return [self._directory.names[c] for c in self._directory.order()]

    def department_sizes(self) -> dict[D, int]:
        """People per department (the group size every department figure is checked against)."""
        sizes = self._directory.sizes()
        return {self._directory.names[c]: int(sizes[c]) for c in self._directory.order()}

    def mixing(self) -> MixingMatrix[D]:
        order = self._directory.order()
        ix = np.ix_(order, order)
        return MixingMatrix(
            departments=self.departments,
            weight=self._weight[ix].copy(),
            interactions=self._interactions[ix].copy(),
            helpers=self._helpers[ix].copy(),
            helped=self._helped[ix].copy(),
            sizes=self._directory.sizes()[order],
        )

    def department_ties(self) -> dict[D, DepartmentTies]:
        """Internal and external ties of each department that has any."""
        ties, weight = self._ties, self._weight
        result: dict[D, DepartmentTies] = {}
        for c in self._directory.order():
            internal = int(ties[c, c])
            external = int(ties[c].sum()) - internal
            if internal + external == 0:
                continue
            inside = float(weight[c, c])
            result[self._directory.names[c]] = DepartmentTies(
                internal=internal,
                external=external,
                internal_weight=inside,
                external_weight=float(weight[c].sum() + weight[:, c].sum()) - 2 * inside,
            )
        return result

    def ei_index(self, weighted: bool = False) -> dict[D, float]:
        """The E-I index of each department with help ties: (E - I) / (E + I) where E counts
        the ties (distinct pairs of people who helped one another, either way) between one of
        its people and someone of another department, I the ties between two of its people
        (Krackhardt & Stern 1988). -1 is a silo, +1 all help crosses its border. `weighted`
        uses the help weight instead of the number of ties. Ties with someone without a
        department are not counted."""
        return {name: t.ei_index(weighted) for name, t in self.department_ties().items()}

    def modularity(self) -> float:
        """Newman's modularity of the department partition of the undirected help network
        (each interaction adds its weight between helper and helped; people without a
        department left out): Q = sum_i (e_ii - a_i**2), e from the symmetrized mixing matrix.
        0.0 when there is no help."""
        both_ways = self._weight + self._weight.T
        total = both_ways.sum()
        if total == 0:
            return 0.0
        share = both_ways.sum(axis=1) / total
        return float(np.trace(both_ways) / total - np.sum(share**2))


def mixing_matrix(edges: Edges, department_of: Mapping[int, D | None]) -> MixingMatrix[D]:
    """How much help flows from each department to each other one (see `MixingMatrix`)."""
    return HelpNetwork.build(edges, department_of).mixing()


def ei_index(
    edges: Edges, department_of: Mapping[int, D | None], weighted: bool = False
) -> dict[D, float]:
    """The E-I index of each department (see `HelpNetwork.ei_index`)."""
    return HelpNetwork.build(edges, department_of).ei_index(weighted)


def modularity(edges: Edges, department_of: Mapping[int, D | None]) -> float:
    """The modularity of the department partition (see `HelpNetwork.modularity`)."""
    return HelpNetwork.build(edges, department_of).modularity()


# --- brokers and bridges (recomputed from all ties) -------------------------------------------


class TieGraph(NamedTuple):
    """The undirected network of help ties, built once for both `brokers` and `bridges`."""

    graph: Any  # igraph.Graph, undirected, one edge per tie
    people: IntArray  # vertex index -> person id
    ends: IntArray  # edge index -> (vertex, vertex)


def tie_graph(edges: Edges) -> TieGraph:
    """The ties of `edges` (any help between two people, either way, counted once)."""
    helper, helped, _ = help_arrays(edges)
    low, high = np.minimum(helper, helped), np.maximum(helper, helped)
    return tie_graph_of_keys(_distinct((low << 32) | high))


def tie_graph_of_keys(keys: IntArray) -> TieGraph:
    """The ties given as sorted distinct keys (lower id << 32 | higher id), as the insights'
    saved state keeps them: no sorting again."""
    ends = np.column_stack([keys >> 32, keys & _LOW])
    people, ends = _vertices(ends)
    graph = ig.Graph(n=len(people), directed=False)
    graph.add_edges(ends)  # from an array: half the time of Graph(edges=...) at 1M ties
    return TieGraph(graph, people, ends)


# Person ids up to this many per tie end are indexed through a table as long as the largest id
# (0.1 s for 5 million ends, against 1 s to sort them and search each).
_DENSE_IDS = 8


def _vertices(ends: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct people of `ends` (sorted) and `ends` as indexes into them."""
    flat = ends.ravel()
    if not len(flat):
        return flat, ends
    largest = int(flat.max())
    if int(flat.min()) >= 0 and largest < _DENSE_IDS * len(flat) + 1_000_000:
        present = np.zeros(largest + 1, dtype=bool)
        present[flat] = True
        index = np.cumsum(present, dtype=np.int64) - 1
        return np.flatnonzero(present).astype(np.int64), index[ends]
    people = _distinct(flat)
    return people, np.searchsorted(people, ends)


def _ties(edges: Edges | TieGraph) -> TieGraph:
    return edges if isinstance(edges, TieGraph) else tie_graph(edges)


@dataclass(frozen=True, slots=True)
class Broker:
    """A person many help paths go through."""

    person: int
    # Share of the shortest paths between two other people that pass through this person (0-1;
    # estimated from sampled pivots in large networks).
    betweenness: float
    # How many departments other than their own they have help ties with (either way).
    departments: int


def brokers(
    edges: Edges | TieGraph,
    department_of: Mapping[int, Hashable | None],
    limit: int | None = 20,
    k: int | None = None,
    seed: int = 0,
) -> list[Broker]:
    """The people with the highest betweenness in the undirected network of help ties (a tie:
    any help between two people, either way; unweighted, as a shortest path is the fewest
    introductions), best first (ties: more departments, then lower id).

    Betweenness is exact when `k` is None and the network has at most EXACT_BETWEENNESS_LIMIT
    people, or when `k` >= the number of people; otherwise it is estimated from `k` (default
    DEFAULT_PIVOTS) sources drawn with `seed`, scaled by people / k as networkx does."""
    ties = _ties(edges)
    n = len(ties.people)
    if n == 0:
        return []
    if k is None:
        k = n if n <= EXACT_BETWEENNESS_LIMIT else DEFAULT_PIVOTS
    if k >= n:
        raw = np.asarray(ties.graph.betweenness(directed=False), dtype=np.float64)
    else:
        pivots = np.random.default_rng(seed).choice(n, size=k, replace=False)
        sampled = ties.graph.betweenness(directed=False, sources=pivots.tolist())
        raw = np.asarray(sampled, dtype=np.float64) * (n / k)
    pairs = (n - 1) * (n - 2) / 2
    between = raw / pairs if pairs > 0 else np.zeros(n)

    directory: _Directory[Hashable] = _Directory()
    directory.add_people(department_of)
    spanned = _departments_spanned(ties, directory.departments_of(ties.people))
    order = np.lexsort((ties.people, -spanned, -between))
    if limit is not None:
        order = order[:limit]
    return [Broker(int(ties.people[v]), float(between[v]), int(spanned[v])) for v in order]


def _departments_spanned(ties: TieGraph, department: IntArray) -> IntArray:
    """For each vertex, the number of distinct departments other than its own among the people
    it has ties with."""
    a, b = ties.ends[:, 0], ties.ends[:, 1]
    person = np.concatenate([a, b])
    other = np.concatenate([department[b], department[a]])
    crossing = (other >= 0) & (other != department[person])
    keys = _distinct((person[crossing] << 32) | other[crossing])
    return np.bincount(keys >> 32, minlength=len(ties.people)).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Bridge:
    """A help tie whose loss would disconnect the network."""

    people: tuple[int, int]  # lower id first
    departments: tuple[Hashable | None, Hashable | None]
    separated: int  # people on the smaller side, who would have no path left to the others


def bridges(
    edges: Edges | TieGraph,
    department_of: Mapping[int, Hashable | None],
    between_departments: bool = True,
) -> list[Bridge]:
    """The bridges of the undirected network of help ties (ties whose removal disconnects it),
    most people separated first; by default only those between two different departments."""
    ties = _ties(edges)
    bridge_ids = np.asarray(ties.graph.bridges(), dtype=np.int64)
    if not len(bridge_ids):
        return []
    separated = _separated(ties, bridge_ids)
    directory: _Directory[Hashable] = _Directory()
    directory.add_people(department_of)
    ends = ties.ends[bridge_ids]
    people = ties.people[ends]
    codes = directory.departments_of(people.ravel()).reshape(-1, 2)
    keep = np.ones(len(bridge_ids), dtype=bool)
    if between_departments:
        keep = (codes[:, 0] >= 0) & (codes[:, 1] >= 0) & (codes[:, 0] != codes[:, 1])
    names = directory.names
    order = [i for i in np.lexsort((people[:, 0], -separated)) if keep[i]]
    return [
        Bridge(
            people=(int(people[i, 0]), int(people[i, 1])),
            departments=(
                names[codes[i, 0]] if codes[i, 0] >= 0 else None,
                names[codes[i, 1]] if codes[i, 1] >= 0 else None,
            ),
            separated=int(separated[i]),
        )
        for i in order
    ]


def _separated(ties: TieGraph, bridge_ids: IntArray) -> IntArray:
    """For each bridge, the people on the smaller side of it. Without its bridges the network
    falls into 2-edge-connected blocks; blocks joined by bridges form a forest, and a bridge's
    smaller side is the smaller of its subtree and the rest of its tree."""
    rest = ties.graph.copy()
    rest.delete_edges(bridge_ids.tolist())
    block = np.asarray(rest.connected_components().membership, dtype=np.int64)
    ends = block[ties.ends[bridge_ids]]
    touched, local = np.unique(ends, return_inverse=True)
    local = local.reshape(-1, 2)
    weight = np.bincount(block)[touched].astype(np.int64)
    forest = ig.Graph(n=len(touched), edges=local, directed=False)
    tree = np.asarray(forest.connected_components().membership, dtype=np.int64)
    # One search from an added root tied to one block of each tree orders every tree at once.
    root = len(touched)
    first_of_tree = np.unique(tree, return_index=True)[1]
    forest.add_vertices(1)
    forest.add_edges([(root, int(v)) for v in first_of_tree])
    visited, _, parents = forest.bfs(root)
    parent = np.asarray(parents, dtype=np.int64)
    subtree = np.concatenate([weight, [0]])
    for v in reversed(visited[1:]):
        if parent[v] != root:
            subtree[parent[v]] += subtree[v]
    total = subtree[first_of_tree][tree]  # each block's tree, in people
    child = np.where(parent[local[:, 1]] == local[:, 0], local[:, 1], local[:, 0])
    below = subtree[child]
    return np.minimum(below, total[child] - below)


# --- enablers ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enabler:
    """A person whose help created value for others."""

    person: int
    value: float  # total weight of the value their help created for others
    people: int  # distinct others who got it


def enablers(value_edges: Edges, limit: int | None = None) -> list[Enabler]:
    """People by the value their help created for others (edges helper -> helped weighted by
    value: a value report's weight, minutes saved, ...), most first; ties: more people helped,
    then lower id. Who may see the list is the caller's rule (impact is personal)."""
    helper, helped, weight = help_arrays(value_edges)
    if not len(helper):
        return []
    people = _distinct(helper)
    index = np.searchsorted(people, helper)
    value = np.bincount(index, weights=weight)
    distinct = _distinct((helper << 32) | helped) >> 32
    reached = np.bincount(np.searchsorted(people, distinct), minlength=len(people))
    order = np.lexsort((people, -reached, -value))
    if limit is not None:
        order = order[:limit]
    return [Enabler(int(people[i]), float(value[i]), int(reached[i])) for i in order]


# --- suggested introductions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Introduction:
    """Someone in another department working on the same topics, never met."""

    person: int
    department: Hashable
    shared_topics: frozenset[int]


class IntroductionIndex:
    """Topic -> people, built once for a whole organization, so each suggestion only visits the
    people who share a topic with the person (no pass over everyone)."""

    def __init__(
        self,
        topics_of: Mapping[int, Collection[int]],
        department_of: Mapping[int, Hashable | None],
    ) -> None:
        self._topics_of = topics_of
        self._department_of = department_of
        self._people_on: dict[int, list[int]] = defaultdict(list)
        for person, topics in topics_of.items():
            for topic in topics:
                self._people_on[topic].append(person)

    def suggest(
        self, person: int, met: Collection[int] = (), limit: int = 10
    ) -> list[Introduction]:
        """People sharing most topics with `person`, in a department other than theirs (people
        without a department are never suggested), excluding everyone in `met` (people they
        have interacted with), most shared topics first, then lower id."""
        own = self._department_of.get(person)
        met = set(met)
        shared: Counter[int] = Counter()
        for topic in self._topics_of.get(person, ()):
            for other in self._people_on.get(topic, ()):
                shared[other] += 1
        candidates = [
            other
            for other in shared
            if other != person
            and other not in met
            and (department := self._department_of.get(other)) is not None
            and department != own
        ]
        candidates.sort(key=lambda other: (-shared[other], other))
        mine = set(self._topics_of.get(person, ()))
        return [
            Introduction(
                person=other,
                department=self._department_of[other],
                shared_topics=frozenset(mine.intersection(self._topics_of[other])),
            )
            for other in candidates[:limit]
        ]


def suggested_introductions(
    person: int,
    topics_of: Mapping[int, Collection[int]],
    department_of: Mapping[int, Hashable | None],
    interacted: Iterable[tuple[int, int]] = (),
    limit: int = 10,
) -> list[Introduction]:
    """`IntroductionIndex(...).suggest` for one person; `interacted` holds pairs of people who
    have interacted, in either order. For many people, build the index once."""
    met = {b if a == person else a for a, b in interacted if person in (a, b)}
    return IntroductionIndex(topics_of, department_of).suggest(person, met, limit)
