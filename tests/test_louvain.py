"""stages.louvain returns what networkx's Louvain returns: the same communities, in the same order."""

from __future__ import annotations

import networkx as nx
import pytest

from decomposer.stages.louvain import louvain_communities


def _weighted(graph: nx.Graph, salt: int) -> nx.Graph:
    for a, b in graph.edges():
        graph[a][b]["weight"] = 0.5 + ((a * 31 + b * 17 + salt) % 11) / 4
    return graph


def _graphs() -> list[nx.Graph]:
    planted = _weighted(nx.planted_partition_graph(6, 12, 0.5, 0.03, seed=4), 1)
    karate = nx.karate_club_graph()  # weights from the data set
    sparse = _weighted(nx.gnm_random_graph(120, 260, seed=9), 2)
    looped = _weighted(nx.planted_partition_graph(3, 8, 0.7, 0.1, seed=2), 3)
    looped.add_edge(0, 0, weight=2.5)  # the co-assignment graphs carry none, a merged level does
    unweighted = nx.path_graph(9)  # no weight attribute: 1 each, as in networkx
    shares = _weighted(nx.planted_partition_graph(4, 10, 0.9, 0.05, seed=8), 4)
    for a, b in shares.edges():
        shares[a][b]["weight"] = round(shares[a][b]["weight"] / 3, 2)
    return [planted, karate, sparse, looped, unweighted, shares, nx.empty_graph(4)]


@pytest.mark.parametrize("resolution", [0.5, 1.0, 1.7])
def test_the_communities_of_networkx_under_every_seed(resolution: float):
    for graph in _graphs():
        for seed in range(12):
            expected = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
            found = louvain_communities(graph, resolution, seed)
            assert [sorted(community) for community in found] == [sorted(community) for community in expected]


def test_a_known_partition():
    graph = nx.Graph([(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)])
    assert louvain_communities(graph, 1.0, 7) == [{0, 1, 2}, {3, 4, 5}]
