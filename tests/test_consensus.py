"""Consensus clustering: the proposal no longer hinges on the seed."""

from __future__ import annotations

import networkx as nx

from conftest import outputs_under_hash_seeds

from decomposer.model import Detection
from decomposer.stages.communities import detect_services
from decomposer.stages import consensus
from decomposer.stages.consensus import consensus_services, module_confidence, runs_for
from decomposer.stages.stability import adjusted_rand_index


def _labels(partition) -> dict[str, str]:
    return {module: str(index) for index, group in enumerate(partition) for module in group}


def _ring_of_cliques() -> nx.Graph:
    """Eight cliques of five in a ring, plus a module tied equally to two of them."""
    graph = nx.relabel_nodes(nx.ring_of_cliques(8, 5), lambda node: f"app.m{node:02d}")
    nx.set_edge_attributes(graph, 1.0, "weight")
    graph.add_edges_from([("app.bridge", "app.m00", {"weight": 1.0}), ("app.bridge", "app.m05", {"weight": 1.0})])
    return graph


def test_far_apart_seeds_give_the_same_services():
    # Six fuzzy communities of twenty: single runs disagree, their consensus much less.
    graph = nx.relabel_nodes(nx.planted_partition_graph(6, 20, 0.25, 0.04, seed=2), lambda n: f"m{n:03d}")
    nx.set_edge_attributes(graph, 1.0, "weight")
    single = [_labels(detect_services(graph, Detection(seed=seed))) for seed in (1, 100, 1000)]
    assert round(adjusted_rand_index(single[0], single[1]), 3) == 0.636
    consensus = [_labels(consensus_services(graph, Detection(), 1.0, seed).services) for seed in (1, 100, 1000)]
    assert round(adjusted_rand_index(consensus[0], consensus[1]), 3) == 0.975
    assert round(adjusted_rand_index(consensus[1], consensus[2]), 3) == 0.955


def test_the_cliques_are_the_services():
    consensus = consensus_services(_ring_of_cliques(), Detection(), 1.0, 42)
    assert sorted(sorted(service) for service in consensus.services) == [
        ["app.bridge", "app.m00", "app.m01", "app.m02", "app.m03", "app.m04"],
        ["app.m05", "app.m06", "app.m07", "app.m08", "app.m09"],
        ["app.m10", "app.m11", "app.m12", "app.m13", "app.m14"],
        ["app.m15", "app.m16", "app.m17", "app.m18", "app.m19"],
        ["app.m20", "app.m21", "app.m22", "app.m23", "app.m24"],
        ["app.m25", "app.m26", "app.m27", "app.m28", "app.m29"],
        ["app.m30", "app.m31", "app.m32", "app.m33", "app.m34"],
        ["app.m35", "app.m36", "app.m37", "app.m38", "app.m39"],
    ]
    assert {share for _, share in consensus.confidence} == {1.0}  # every run agrees
    assert consensus.rounds == 0


def test_one_run_is_that_run_at_full_confidence():
    graph = _ring_of_cliques()
    consensus = consensus_services(graph, Detection(consensus_runs=1), 1.0, 7)
    assert consensus.services == detect_services(graph, Detection(seed=7))
    assert {share for _, share in consensus.confidence} == {1.0}


def test_confidence_is_the_share_of_runs_with_the_own_service():
    services = (frozenset({"a", "b", "c"}), frozenset({"d", "e", "f"}))
    runs = [services, (frozenset({"a", "b"}), frozenset({"c", "d", "e", "f"}))]
    assert module_confidence(services, runs) == (
        ("a", 1.0), ("b", 1.0), ("c", 0.5), ("d", 1.0), ("e", 1.0), ("f", 1.0))


def test_consensus_does_not_depend_on_string_hashing():
    code = (
        "import networkx as nx\n"
        "from decomposer.model import Detection\n"
        "from decomposer.stages.consensus import consensus_services\n"
        "g = nx.relabel_nodes(nx.planted_partition_graph(6, 20, 0.25, 0.04, seed=2), lambda n: f'm{n:03d}')\n"
        "nx.set_edge_attributes(g, 1.0, 'weight')\n"
        "c = consensus_services(g, Detection(), 1.0, 5)\n"
        "print(sorted(sorted(s) for s in c.services), c.confidence)\n"
    )
    assert len(outputs_under_hash_seeds(code)) == 1



def test_fewer_runs_per_batch_only_above_five_thousand_nodes(monkeypatch):
    assert [runs_for(n) for n in (40, 5000, 5001, 6000, 8333, 10_000, 20_216)] == [
        (10, 10), (10, 10), (9, 9), (8, 8), (6, 6), (6, 6), (6, 6)]
    # A clean graph settles after one batch: ten runs on the ring's 42 nodes ...
    assert len(consensus_services(_ring_of_cliques(), Detection(), 1.0, 42).first) == 10
    # ... and seven (10 x 30 // 42) when the budget starts at 30 nodes.
    monkeypatch.setattr(consensus, "_FULL_BATCH_UP_TO", 30)
    assert len(consensus_services(_ring_of_cliques(), Detection(), 1.0, 42).first) == 7
