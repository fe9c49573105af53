"""Betweenness on plain lists: literal values, networkx's values exactly, and the source budget."""

from __future__ import annotations

import networkx as nx
import pytest

from decomposer.stages.betweenness import betweenness, sources_for


def test_exact_values_on_a_literal_graph():
    # a reaches c through b or d (half the shortest paths each) and e only through c.
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "c"), ("c", "e")])
    # Pairs through c: (a, e), (b, e), (d, e) -> 3; through b or d: half of (a, c) and (a, e) -> 1.
    # Normalised by the ordered pairs of the other 4 nodes: 4 * 3 = 12.
    assert betweenness(graph, None, seed=1) == {"a": 0.0, "b": 1 / 12, "c": 3 / 12, "d": 1 / 12, "e": 0.0}


@pytest.mark.parametrize(("sources", "seed"), [(None, 1), (40, 1), (40, 9), (299, 3), (300, 3)])
def test_same_values_as_networkx(sources, seed):
    graph = nx.relabel_nodes(nx.gnp_random_graph(300, 0.015, seed=4, directed=True), lambda n: f"m{n:03d}")
    graph.add_edge("m000", "m000")  # a self-import changes no path
    expected = nx.betweenness_centrality(graph, k=sources, seed=seed, normalized=True)
    assert list(betweenness(graph, sources, seed).items()) == list(expected.items())


def test_the_source_budget_shrinks_only_above_five_thousand_modules():
    assert [sources_for(n) for n in (1, 1000, 1001, 5000, 10_000, 20_216, 100_000)] == [
        None, None, 256, 256, 128, 64, 64]
