"""The help network on small hand-built graphs with known answers (bridges, mixing, E-I index,
modularity), on a generated organization with a planted silo and a planted bridge person, and
the rules around it: small groups suppressed, introductions, incremental updates."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from waggle.insights import network
from waggle.insights.network import Bridge, DepartmentTies, HelpArrays, HelpEdge, HelpNetwork


def ties(*pairs: tuple[int, int], weight: float = 1.0) -> list[HelpEdge]:
    return [HelpEdge(helper, helped, weight) for helper, helped in pairs]


# --- two cliques joined by one tie ------------------------------------------------------------

LEFT, RIGHT = [0, 1, 2, 3], [4, 5, 6, 7]
TWO_CLIQUES = ties(*itertools.combinations(LEFT, 2), *itertools.combinations(RIGHT, 2), (3, 4))
TWO_CLIQUE_DEPARTMENTS = {p: "left" for p in LEFT} | {p: "right" for p in RIGHT}


def test_the_tie_between_two_cliques_is_the_only_bridge() -> None:
    found = network.bridges(TWO_CLIQUES, TWO_CLIQUE_DEPARTMENTS)
    assert found == [Bridge(people=(3, 4), departments=("left", "right"), separated=4)]
    assert network.bridges(TWO_CLIQUES, TWO_CLIQUE_DEPARTMENTS, between_departments=False) == found


def test_the_ends_of_the_bridge_are_the_top_brokers() -> None:
    top = network.brokers(TWO_CLIQUES, TWO_CLIQUE_DEPARTMENTS, limit=3)
    assert {b.person for b in top[:2]} == {3, 4}
    # All 3 x 4 paths from the rest of one clique to the other pass through 3 (and 4), out of
    # the 7 * 6 / 2 pairs of other people.
    assert top[0].betweenness == pytest.approx(12 / 21)
    assert top[1].betweenness == pytest.approx(12 / 21)
    assert [top[0].departments, top[1].departments] == [1, 1]
    assert top[2].betweenness == 0.0 and top[2].departments == 0


@pytest.mark.parametrize("offset", [0, 10**6, 2**30])  # ids indexed by a table, or sorted
def test_one_tie_graph_serves_bridges_and_brokers_whatever_the_ids(offset: int) -> None:
    moved = [HelpEdge(e.helper + offset, e.helped + offset, e.weight) for e in TWO_CLIQUES]
    departments = {p + offset: d for p, d in TWO_CLIQUE_DEPARTMENTS.items()}
    graph = network.tie_graph(moved)
    assert list(graph.people) == [p + offset for p in LEFT + RIGHT]
    assert network.bridges(graph, departments) == [
        Bridge(people=(3 + offset, 4 + offset), departments=("left", "right"), separated=4)]
    assert {b.person for b in network.brokers(graph, departments, limit=2)} == {
        3 + offset, 4 + offset}
    assert network.brokers(graph, departments) == network.brokers(moved, departments)


def test_a_bridge_inside_one_department_is_not_between_departments() -> None:
    departments = dict.fromkeys(LEFT + RIGHT, "everyone")
    assert network.bridges(TWO_CLIQUES, departments) == []
    [inside] = network.bridges(TWO_CLIQUES, departments, between_departments=False)
    assert inside.people == (3, 4)


def test_bridges_count_the_people_cut_off_on_the_smaller_side() -> None:
    # A chain of blocks: triangle {0,1,2} - 2-3 - triangle {3,4,5} - 5-6 - lone person 6.
    chain = ties((0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3), (5, 6))
    departments = {0: "a", 1: "a", 2: "a", 3: "b", 4: "b", 5: "b", 6: "c"}
    assert network.bridges(chain, departments) == [
        Bridge(people=(2, 3), departments=("a", "b"), separated=3),
        Bridge(people=(5, 6), departments=("b", "c"), separated=1),
    ]


def test_betweenness_is_networkx_exact_betweenness() -> None:
    graph = nx.gnm_random_graph(60, 150, seed=3)
    edges = ties(*graph.edges())
    expected = nx.betweenness_centrality(graph)
    found = network.brokers(edges, {}, limit=None, k=10_000)
    assert len(found) == graph.number_of_nodes() - nx.number_of_isolates(graph)
    for broker in found:
        assert broker.betweenness == pytest.approx(expected[broker.person])


def test_betweenness_from_sampled_pivots_averages_to_the_exact_value() -> None:
    graph = nx.gnm_random_graph(40, 90, seed=4)
    edges = ties(*graph.edges())
    exact = nx.betweenness_centrality(graph)
    top = max(exact, key=exact.__getitem__)
    estimates = [
        next(
            b.betweenness
            for b in network.brokers(edges, {}, limit=None, k=8, seed=seed)
            if b.person == top
        )
        for seed in range(300)
    ]
    assert np.mean(estimates) == pytest.approx(exact[top], rel=0.1)


# --- department figures by hand ---------------------------------------------------------------

# sales: 1, 2 ; support: 3, 4 ; research: 5 ; person 9 has no department.
DEPARTMENTS: dict[int, str | None] = {
    1: "sales",
    2: "sales",
    3: "support",
    4: "support",
    5: "research",
    9: None,
}
HELP = [
    HelpEdge(1, 2, 1.0),  # sales -> sales
    HelpEdge(3, 1, 2.0),  # support -> sales
    HelpEdge(4, 1, 1.0),  # support -> sales
    HelpEdge(3, 2, 4.0),  # support -> sales
    HelpEdge(3, 1, 1.0),  # support -> sales again (same helper and helped)
    HelpEdge(5, 3, 3.0),  # research -> support
    HelpEdge(9, 5, 7.0),  # someone without a department: not in department figures
    HelpEdge(2, 2, 5.0),  # help to oneself: dropped
]


def test_mixing_matrix_by_hand() -> None:
    mixing = network.mixing_matrix(HELP, DEPARTMENTS)
    assert mixing.departments == ["research", "sales", "support"]
    # rows: helpers' department; columns: helped people's department.
    assert mixing.weight.tolist() == [
        [0.0, 0.0, 3.0],
        [0.0, 1.0, 0.0],
        [0.0, 8.0, 0.0],
    ]
    assert mixing.interactions.tolist() == [[0, 0, 1], [0, 1, 0], [0, 4, 0]]
    # support -> sales: helpers 3 and 4; helped 1 and 2.
    assert mixing.helpers.tolist() == [[0, 0, 1], [0, 1, 0], [0, 2, 0]]
    assert mixing.helped.tolist() == [[0, 0, 1], [0, 1, 0], [0, 2, 0]]
    assert mixing.sizes.tolist() == [1, 2, 2]


def test_ei_index_of_three_internal_ties_and_one_external_is_minus_a_half() -> None:
    departments = {1: "ops", 2: "ops", 3: "ops", 4: "design"}
    # Help repeated between the same two people, either way, is still one tie.
    help_ = ties((1, 2), (2, 1), (1, 2), (2, 3), (3, 1), (3, 4), weight=2.0)
    assert network.ei_index(help_, departments) == {"design": 1.0, "ops": (1 - 3) / 4}
    assert HelpNetwork.build(help_, departments).department_ties()["ops"] == DepartmentTies(
        internal=3, external=1, internal_weight=10.0, external_weight=2.0
    )
    assert network.ei_index(help_, departments, weighted=True)["ops"] == (2 - 10) / 12


def test_modularity_of_two_triangles_by_hand_and_by_networkx() -> None:
    # Two triangles joined by one tie: m = 7; each side has 3 internal ties and degree sum 7.
    edges = ties((0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3))
    departments = {0: "a", 1: "a", 2: "a", 3: "b", 4: "b", 5: "b"}
    by_hand = 2 * (3 / 7 - (7 / 14) ** 2)
    graph = nx.Graph([(e.helper, e.helped) for e in edges])
    by_networkx = nx.community.modularity(graph, [{0, 1, 2}, {3, 4, 5}])
    assert network.modularity(edges, departments) == pytest.approx(by_hand)
    assert by_networkx == pytest.approx(by_hand)


def test_weighted_modularity_is_networkx_modularity() -> None:
    rng = np.random.default_rng(5)
    people = 40
    departments: dict[int, str | None] = {p: "abcd"[int(rng.integers(4))] for p in range(people)}
    departments[0] = None
    helper = rng.integers(0, people, 300)
    helped = rng.integers(0, people, 300)
    weight = rng.choice([1.0, 2.0, 3.0, 4.0], 300)
    graph = nx.Graph()  # undirected: help either way adds up between the two people
    for a, b, w in zip(helper.tolist(), helped.tolist(), weight.tolist(), strict=True):
        if a != b and departments[a] is not None and departments[b] is not None:
            previous = graph.get_edge_data(a, b, {"weight": 0.0})["weight"]
            graph.add_edge(a, b, weight=previous + w)
    communities = [{p for p in graph if departments[p] == d} for d in "abcd"]
    expected = nx.community.modularity(graph, communities, weight="weight")
    found = network.modularity(HelpArrays(helper, helped, weight), departments)
    assert found == pytest.approx(expected)


# --- a generated organization with a planted silo and bridge person ---------------------------


def planted_organization(seed: int) -> tuple[HelpArrays, dict[int, str | None], int]:
    """Four departments of 25: "silo" only helps itself; "north" and "east" are joined only by
    one person of north (the bridge person); "west" and "east" help each other broadly."""
    rng = np.random.default_rng(seed)
    names = ["silo", "north", "east", "west"]
    members = {name: list(range(i * 25, (i + 1) * 25)) for i, name in enumerate(names)}
    departments: dict[int, str | None] = {p: name for name, ps in members.items() for p in ps}
    pairs: list[tuple[int, int]] = []
    for people in members.values():  # help inside every department
        for person in people:
            for colleague in rng.choice(people, 4, replace=False).tolist():
                pairs.append((person, colleague))
    for _ in range(40):  # west <-> east, many people
        pairs.append((int(rng.choice(members["west"])), int(rng.choice(members["east"]))))
        pairs.append((int(rng.choice(members["east"])), int(rng.choice(members["west"]))))
    bridge_person = members["north"][7]
    for colleague in rng.choice(members["east"], 6, replace=False).tolist():
        pairs.append((bridge_person, colleague))
    helper = np.array([a for a, _ in pairs], dtype=np.int64)
    helped = np.array([b for _, b in pairs], dtype=np.int64)
    weight = rng.choice([1.0, 3.0, 4.0], len(pairs))
    return HelpArrays(helper, helped, weight), departments, bridge_person


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_planted_silo_and_bridge_person_are_recovered(seed: int) -> None:
    edges, departments, bridge_person = planted_organization(seed)
    ei = network.ei_index(edges, departments)
    assert ei["silo"] == -1.0
    assert min(ei, key=ei.__getitem__) == "silo"
    assert all(value > -1.0 for name, value in ei.items() if name != "silo")
    exact = network.brokers(edges, departments, limit=3)
    sampled = network.brokers(edges, departments, limit=3, k=30, seed=seed)
    assert exact[0].person == bridge_person
    assert sampled[0].person == bridge_person
    assert exact[0].departments == 1
    mixing = network.mixing_matrix(edges, departments)
    silo = mixing.departments.index("silo")
    assert mixing.weight[silo].sum() == mixing.weight[silo, silo] > 0
    assert mixing.weight[:, silo].sum() == mixing.weight[silo, silo]
    assert network.modularity(edges, departments) > 0.5


# --- privacy: small groups --------------------------------------------------------------------


def test_suppress_small_hides_groups_below_k() -> None:
    sizes = {"sales": 12, "legal": 4, "ops": 5, "board": 1}
    assert network.suppress_small(sizes) == {"sales", "ops"}
    assert network.suppress_small(sizes, k=10) == {"sales"}


def test_mixing_cells_about_fewer_than_k_people_are_not_shown() -> None:
    big = {p: "big" for p in range(10)} | {p: "other" for p in range(10, 20)}
    departments = big | {20: "tiny", 21: "tiny"}
    help_ = ties(
        *[(p, p + 1) for p in range(9)],  # big -> big: 9 helpers, 9 helped
        *[(p, p + 10) for p in range(6)],  # big -> other: 6 helpers, 6 helped
        (10, 0),
        (11, 0),  # other -> big: 2 helpers only
        (20, 0),  # tiny -> big: a department of 2 people
    )
    mixing = network.mixing_matrix(help_, departments)
    assert mixing.departments == ["big", "other", "tiny"]
    assert mixing.shown().tolist() == [
        [True, True, False],
        [False, True, False],  # other -> other is nothing at all: showing 0 tells nothing
        [False, False, False],
    ]


# --- enablers ---------------------------------------------------------------------------------


def test_enablers_rank_by_value_created_for_others() -> None:
    value = [
        HelpEdge(1, 2, 3.0),
        HelpEdge(1, 2, 3.0),
        HelpEdge(1, 3, 1.0),  # 7.0 for 2 people
        HelpEdge(4, 5, 7.0),  # 7.0 for 1 person
        HelpEdge(6, 6, 50.0),  # to oneself: nothing
        HelpEdge(7, 2, 2.0),
    ]
    assert network.enablers(value) == [
        network.Enabler(person=1, value=7.0, people=2),
        network.Enabler(person=4, value=7.0, people=1),
        network.Enabler(person=7, value=2.0, people=1),
    ]
    assert [e.person for e in network.enablers(value, limit=1)] == [1]


# --- suggested introductions ------------------------------------------------------------------


def test_introductions_are_other_departments_never_met_ranked_by_shared_topics() -> None:
    topics_of = {
        1: {10, 11, 12},  # the person, in sales
        2: {10, 11, 12},  # sales too: never suggested
        3: {10, 11},  # support, two topics in common
        4: {10, 11, 12},  # support, three in common, but they already met
        5: {12},  # research, one topic
        6: {10, 11, 12},  # no department: never suggested
        7: {99},  # nothing in common
        8: {11, 12},  # research, two in common
    }
    departments = {
        1: "sales",
        2: "sales",
        3: "support",
        4: "support",
        5: "research",
        6: None,
        7: "support",
        8: "research",
    }
    found = network.suggested_introductions(1, topics_of, departments, interacted={(4, 1)})
    assert [(i.person, i.department, i.shared_topics) for i in found] == [
        (3, "support", frozenset({10, 11})),
        (8, "research", frozenset({11, 12})),
        (5, "research", frozenset({12})),
    ]
    assert [
        i.person
        for i in network.suggested_introductions(
            1, topics_of, departments, interacted={(1, 3), (5, 1)}, limit=2
        )
    ] == [4, 8]


# --- incremental updates ----------------------------------------------------------------------


def test_a_day_added_to_the_network_gives_the_figures_of_a_full_recompute() -> None:
    edges, departments, _ = planted_organization(7)
    newcomers = {100: "west", 101: "newteam", 102: "newteam"}
    day = HelpArrays(
        np.array([0, 100, 101, 26, 30]),
        np.array([1, 60, 102, 101, 31]),
        np.array([1.0, 2.0, 1.0, 3.0, 1.0]),
    )
    incremental = HelpNetwork.build(edges, departments)
    incremental.add(day, new_people=newcomers)
    everything = HelpArrays(*(np.concatenate([a, b]) for a, b in zip(edges, day, strict=True)))
    full = HelpNetwork.build(everything, departments | newcomers)

    assert incremental.departments == full.departments
    a, b = incremental.mixing(), full.mixing()
    for field in ("weight", "interactions", "helpers", "helped", "sizes"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert incremental.department_ties() == full.department_ties()
    assert incremental.modularity() == pytest.approx(full.modularity())
    assert incremental.department_sizes()["newteam"] == 2


def test_a_person_who_moved_department_needs_a_rebuild() -> None:
    help_network = HelpNetwork.build(HELP, DEPARTMENTS)
    with pytest.raises(ValueError, match="rebuild"):
        help_network.add([], new_people={1: "support"})


def test_help_to_oneself_is_dropped_and_ids_are_checked() -> None:
    arrays = network.help_arrays([HelpEdge(1, 1), HelpEdge(1, 2, 2.0)])
    assert arrays.helper.tolist() == [1] and arrays.weight.tolist() == [2.0]
    with pytest.raises(ValueError):
        network.help_arrays([HelpEdge(-1, 2)])
