"""Louvain community detection on plain dicts: networkx's `louvain_communities`, step for step.

The consensus runs Louvain up to a hundred times per detection (stages/consensus.py), and in
networkx most of a run's time goes to building graph objects and iterating their views, not to
the moves themselves. This module runs the very same algorithm (networkx 3.x,
`networkx/algorithms/community/louvain.py`: Blondel et al. 2008, "Fast unfolding of
communities in large networks", J. Stat. Mech. P10008) on dicts of dicts of weights, keeping
every order networkx iterates in (nodes, adjacency, the edge walk that skips seen nodes, the
sets of ints of each community), every float summation in the same order and the same
`random.Random(seed)` shuffles, so it returns the same communities, in the same order. Checked
against networkx on the coupling and co-assignment graphs of real monoliths under many seeds
and resolutions (benchmarks/PROFILE.md); networkx stays the reference in the tests.

Only what decomposer passes is supported: an undirected `nx.Graph` whose edges carry a
"weight" (1 when missing) and the default threshold.
"""

from __future__ import annotations

import random

import networkx as nx

__all__ = ["louvain_communities"]

_THRESHOLD = 0.0000001  # networkx's default: a level must raise modularity by more than this

Adjacency = dict[int, dict[int, float]]


def louvain_communities(graph: nx.Graph, resolution: float, seed: int) -> list[set[int]]:
    """`nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)`."""
    nodes = list(graph)
    adjacency = {node: {neighbour: data.get("weight", 1) for neighbour, data in graph._adj[node].items()}
                 for node in nodes}
    partition = [{node} for node in nodes]
    if graph.number_of_edges() == 0:
        return partition
    rng = random.Random(seed)
    level = _modularity(nodes, adjacency, partition, resolution)
    # networkx copies the graph edge by edge first, which reorders each adjacency
    copied: Adjacency = {node: {} for node in nodes}
    for node, neighbour, weight in _edges(nodes, adjacency):
        copied[node][neighbour] = weight
        copied[neighbour][node] = weight
    adjacency = copied
    members: dict[int, set[int]] | None = None  # a level's node -> the original nodes it holds
    degrees = _degrees(nodes, adjacency)
    m = sum(degrees.values()) / 2
    partition, inner, _ = _one_level(nodes, adjacency, members, m, partition, resolution, rng)
    while True:
        found = [community.copy() for community in partition]
        mod = _modularity(nodes, adjacency, inner, resolution)
        if mod - level <= _THRESHOLD:
            return found
        level = mod
        nodes, adjacency, members = _next_level(nodes, adjacency, members, inner)
        partition, inner, improvement = _one_level(nodes, adjacency, members, m, partition, resolution, rng)
        if not improvement:  # networkx yields no level that moved nothing: the last one stands
            return found


def _edges(nodes: list[int], adjacency: Adjacency):
    """Each edge once, as networkx's EdgeView walks them: by node, skipping nodes already seen."""
    seen = set()
    for node in nodes:
        for neighbour, weight in adjacency[node].items():
            if neighbour not in seen:
                yield node, neighbour, weight
        seen.add(node)


def _degrees(nodes: list[int], adjacency: Adjacency) -> dict[int, float]:
    """Weighted degrees as networkx's DegreeView sums them (a self-loop counted twice)."""
    return {node: sum(adjacency[node].values()) + (node in adjacency[node] and adjacency[node][node])
            for node in nodes}


def _modularity(nodes: list[int], adjacency: Adjacency, communities: list[set[int]], resolution: float) -> float:
    """`nx.community.modularity` of an undirected graph, summed in networkx's order."""
    degree = _degrees(nodes, adjacency)
    deg_sum = sum(degree.values())
    m = deg_sum / 2
    norm = 1 / deg_sum**2

    def contribution(community: set[int]) -> float:
        comm = set(community)
        seen = {}
        inside = []
        for node in comm:
            for neighbour, weight in adjacency[node].items():
                if neighbour not in seen and neighbour in comm:
                    inside.append(weight)
            seen[node] = 1
        degree_sum = sum(degree[node] for node in comm)
        return sum(inside) / m - resolution * degree_sum * degree_sum * norm

    return sum(map(contribution, communities))


def _one_level(nodes: list[int], adjacency: Adjacency, members: dict[int, set[int]] | None, m: float,
               partition: list[set[int]], resolution: float,
               rng: random.Random) -> tuple[list[set[int]], list[set[int]], bool]:
    """One pass of local moves (networkx's `_one_level`, undirected)."""
    node2com = {node: index for index, node in enumerate(nodes)}
    inner = [{node} for node in nodes]
    degrees = _degrees(nodes, adjacency)
    stot = list(degrees.values())
    neighbours = {node: [(other, weight) for other, weight in adjacency[node].items() if other != node]
                  for node in nodes}
    order = list(nodes)
    rng.shuffle(order)
    moves, improvement = 1, False
    scale = 2 * m**2
    while moves > 0:
        moves = 0
        for node in order:
            best_mod = 0
            current = best_com = node2com[node]
            # weights to each neighbouring community, in the order networkx's defaultdict fills
            weights2com: dict[int, float] = {}
            for other, weight in neighbours[node]:
                community = node2com[other]
                weights2com[community] = weights2com.get(community, 0.0) + weight
            degree = degrees[node]
            stot[current] -= degree
            if current not in weights2com:  # networkx's defaultdict adds it on this read
                weights2com[current] = 0.0
            remove_cost = -weights2com[current] / m + resolution * (stot[current] * degree) / scale
            for community, weight in weights2com.items():
                gain = remove_cost + weight / m - resolution * (stot[community] * degree) / scale
                if gain > best_mod:
                    best_mod = gain
                    best_com = community
            stot[best_com] += degree
            if best_com != current:
                held = members[node] if members is not None else {node}
                partition[current].difference_update(held)
                inner[current].remove(node)
                partition[best_com].update(held)
                inner[best_com].add(node)
                improvement = True
                moves += 1
                node2com[node] = best_com
    return list(filter(len, partition)), list(filter(len, inner)), improvement


def _next_level(nodes: list[int], adjacency: Adjacency, members: dict[int, set[int]] | None,
                inner: list[set[int]]) -> tuple[list[int], Adjacency, dict[int, set[int]]]:
    """The graph of the communities (networkx's `_gen_graph`): summed weights, self-loops inside."""
    node2com = {}
    held: dict[int, set[int]] = {}
    for index, community in enumerate(inner):
        gathered = set()
        for node in community:
            node2com[node] = index
            gathered.update(members[node] if members is not None else {node})
        held[index] = gathered
    merged: Adjacency = {index: {} for index in range(len(inner))}
    for node, neighbour, weight in _edges(nodes, adjacency):
        a, b = node2com[node], node2com[neighbour]
        total = weight + merged[a].get(b, 0)
        merged[a][b] = total
        merged[b][a] = total
    return list(range(len(inner))), merged, held
