"""Brittleness: the score's formula on a literal graph, its reasons, and the sample's ranking."""

from __future__ import annotations


import networkx as nx
import pytest

from decomposer.model import ModuleChurn, ModuleRecord
from decomposer.schema import analysis_to_dict
from decomposer.stages.brittleness import rank_brittleness


def _records(graph: nx.DiGraph, loc: int = 10) -> tuple[ModuleRecord, ...]:
    return tuple(ModuleRecord(m, f"{m}.py", "pkg", loc, graph.in_degree(m), graph.out_degree(m),
                              graph.in_degree(m), graph.out_degree(m)) for m in sorted(graph))


def _churn(commits: dict[str, int]) -> tuple[ModuleChurn, ...]:
    return tuple(ModuleChurn(m, n, n, 0, 1 if n else 0, 0 if n else None, 0 if n else None, 0)
                 for m, n in sorted(commits.items()))


def _graph(nodes, edges) -> nx.DiGraph:  # noqa: ANN001
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph


def test_score_is_the_weighted_mean_of_percentile_ranks():
    graph = _graph("abcd", [("a", "b"), ("a", "c"), ("b", "c")])
    # commits 10, 2, 0, 5 -> percentiles 1, 1/3, 0, 2/3; fan-in 0, 1, 2, 0 -> 0, 2/3, 1, 0
    ranked = rank_brittleness(_records(graph), graph, churn=_churn({"a": 10, "b": 2, "c": 0, "d": 5}),
                              sum_of_coupling={}, service_of={}, cycle_breakers=(),
                              weights={"commits": 2.0, "fan_in": 1.0}, seed=1, recent_days=90)
    assert [(entry.module, entry.score, entry.rank) for entry in ranked] == [
        ("a", 0.6667, 1),  # (2 * 1 + 0) / 3
        ("b", 0.4444, 2),  # (2 * 1/3 + 2/3) / 3, ties broken by name
        ("d", 0.4444, 3),  # (2 * 2/3 + 0) / 3
        ("c", 0.3333, 4),  # (0 + 1) / 3
    ]
    assert [entry.instability for entry in ranked] == [1.0, 0.5, 0.0, 0.0]


def test_without_history_only_the_code_counts():
    graph = _graph("abc", [("a", "b"), ("c", "b")])
    ranked = rank_brittleness(_records(graph), graph, churn=(), sum_of_coupling={}, service_of={},
                              cycle_breakers=(), weights={"commits": 5.0, "fan_in": 1.0}, seed=1, recent_days=90)
    assert [(entry.module, entry.score) for entry in ranked] == [("b", 1.0), ("a", 0.0), ("c", 0.0)]
    assert {entry.hotspot for entry in ranked} == {"central", "calm"}


def test_reasons_name_the_figures_in_plain_words():
    nodes = [f"m{index}" for index in range(10)]
    edges = [(node, "m9") for node in nodes[:6]] + [("m9", "m8"), ("m8", "m9")]
    graph = _graph(nodes, edges)
    service_of = {node: ("core" if node in ("m8", "m9") else f"s{index % 3}") for index, node in enumerate(nodes)}
    churn = _churn({node: index for index, node in enumerate(nodes)})
    ranked = rank_brittleness(_records(graph), graph, churn=churn, sum_of_coupling={"m9": 30},
                              service_of=service_of, cycle_breakers=(("m9", "m8"),),
                              weights={"commits": 1.0, "fan_in": 1.0, "cycle_size": 0.5, "sum_of_coupling": 1.0},
                              seed=1, recent_days=90)
    top = ranked[0]
    assert (top.module, top.rank, top.cycle_size, top.cycle_breakers) == ("m9", 1, 2, ("m8",))
    assert top.reasons == (
        "changed in 9 commits (top 10%)",
        "changed together with other modules 30 times (top 10%)",  # equal contributions: by text
        "imported by 7 modules in 3 other services (top 10%)",
        "in a 2-module import cycle; grimp would cut its import of m8",
    )
    assert top.services_importing == 3
    # m0-m5 in three other services import it; m8 shares its service
    assert (top.fan_in_across, top.fan_out_across, top.imports_in_across, top.imports_out_across) == (6, 0, 6, 0)
    assert top.hotspot == "hot and central"


def test_betweenness_is_sampled_and_seeded_on_large_graphs():
    graph = nx.relabel_nodes(nx.gnp_random_graph(1200, 0.004, seed=2, directed=True), lambda n: f"m{n:04d}")
    first = rank_brittleness(_records(graph), graph, churn=(), sum_of_coupling={}, service_of={},
                             cycle_breakers=(), weights={"betweenness": 1.0}, seed=5, recent_days=90)
    again = rank_brittleness(_records(graph), graph, churn=(), sum_of_coupling={}, service_of={},
                             cycle_breakers=(), weights={"betweenness": 1.0}, seed=5, recent_days=90)
    assert first == again
    assert first[0].betweenness > 0


@pytest.fixture(scope="module")
def sample_modules(sample_analysis) -> dict[str, dict]:
    document = analysis_to_dict(sample_analysis)
    return {record["module"]: record for record in document["modules"]}


def test_the_designed_brittle_module_ranks_first(sample_modules):
    checkout = sample_modules["shop.orders.checkout"]
    assert (checkout["brittleness_rank"], checkout["hotspot"]) == (1, "hot and central")
    ranked = sorted(sample_modules.values(), key=lambda record: record["brittleness_rank"])
    assert [record["module"] for record in ranked[:5]] == [
        "shop.orders.checkout", "shop.payments.gateway", "shop.payments.refunds", "shop.payments.models",
        "shop.orders.services",
    ]


def test_the_leaf_app_ranks_low(sample_modules):
    leaf = {module: record for module, record in sample_modules.items()
            if module.startswith("shop.notifications")}
    # All in the less brittle half of the 64 modules; the most brittle of them is the entry
    # point other apps call.
    assert sorted(record["brittleness_rank"] for record in leaf.values()) == [
        36, 47, 49, 52, 53, 54, 62]
    assert min(leaf.values(), key=lambda record: record["brittleness_rank"])["module"] == (
        "shop.notifications.service")
    assert {module: record["hotspot"] for module, record in leaf.items() if record["hotspot"] != "calm"} == {
        "shop.notifications.service": "central"}


def test_the_package_cycle_is_named(sample_modules):
    assert sample_modules["shop.payments.models"]["cycle_breakers"] == ["shop.orders.models"]
    assert ("its import of shop.orders.models closes an import cycle between packages; grimp would "
            "cut it") in sample_modules["shop.payments.models"]["reasons"]
