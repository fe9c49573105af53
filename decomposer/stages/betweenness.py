"""Betweenness centrality of the import graph: Brandes' algorithm on plain lists, sampled at scale.

`betweenness(graph, sources, seed)` returns what
`networkx.betweenness_centrality(graph, k=sources, seed=seed, normalized=True)` returns, value for
value (the same sources drawn from `random.Random(seed)`, the same breadth-first order, the same
floating-point sums in the same order), about 3x faster: the nodes are numbered once and each
search walks lists of numbers instead of networkx's adjacency views (Brandes 2001, "A faster
algorithm for betweenness centrality").

`sources_for(n)` is how many sources a graph of `n` modules gets. Up to `EXACT_UP_TO` modules every
module is a source (exact); up to `FULL_SAMPLE_UP_TO`, `SAMPLE_SOURCES` seeded sources (Brandes and
Pich 2007, "Centrality estimation in large networks"); above that the sources shrink so that the
work (sources x modules) stays at `FULL_SAMPLE_UP_TO x SAMPLE_SOURCES`, but never below
`MIN_SOURCES`. The rank error of the smaller samples against the exact values is measured in
docs/metrics.md (betweenness); every real repository measured so far is below `FULL_SAMPLE_UP_TO`, so the
shrinking only applies to larger monoliths.
"""

from __future__ import annotations

import random

import networkx as nx

__all__ = ["EXACT_UP_TO", "FULL_SAMPLE_UP_TO", "MIN_SOURCES", "SAMPLE_SOURCES", "betweenness", "sources_for"]

EXACT_UP_TO = 1000  # up to this many modules every module is a source
SAMPLE_SOURCES = 256  # above it, this many seeded sources ...
FULL_SAMPLE_UP_TO = 5000  # ... up to this many modules; then fewer, the same total work
MIN_SOURCES = 64  # but never fewer than this


def sources_for(modules: int) -> int | None:
    """How many seeded sources the betweenness of `modules` modules is estimated from; None: exact."""
    if modules <= EXACT_UP_TO:
        return None
    if modules <= FULL_SAMPLE_UP_TO:
        return SAMPLE_SOURCES
    return max(MIN_SOURCES, SAMPLE_SOURCES * FULL_SAMPLE_UP_TO // modules)


def betweenness(graph: nx.DiGraph, sources: int | None, seed: int) -> dict[str, float]:
    """Normalised betweenness of every node of `graph` (unweighted, endpoints excluded).

    Args:
        graph: a directed graph; edge weights are ignored (shortest paths count hops).
        sources: how many seeded sources to estimate from; None (or every node): exact.
        seed: seed of the sources' draw.
    """
    names = list(graph)
    count = len(names)
    if sources == count:
        sources = None
    number = {name: index for index, name in enumerate(names)}
    adjacency = graph.adj
    successors = [[number[other] for other in adjacency[name]] for name in names]
    chosen = range(count) if sources is None else [number[name] for name in random.Random(seed).sample(names, sources)]
    totals = [0.0] * count
    for source in chosen:
        _accumulate(source, successors, totals)
    return dict(zip(names, _rescaled(totals, count, chosen if sources is not None else None), strict=True))


def _accumulate(source: int, successors: list[list[int]], totals: list[float]) -> None:
    """One source of Brandes' algorithm: a breadth-first search, then the dependencies back up."""
    order = [source]  # the search's queue, and afterwards the nodes by distance
    distance = {source: 0}
    paths = {source: 1.0}
    parents: dict[int, list[int]] = {source: []}
    position = 0
    while position < len(order):
        node = order[position]
        position += 1
        step = distance[node] + 1
        through = paths[node]
        for other in successors[node]:
            seen = distance.get(other)
            if seen is None:
                order.append(other)
                distance[other] = step
                paths[other] = through
                parents[other] = [node]
            elif seen == step:
                paths[other] += through
                parents[other].append(node)
    dependency = dict.fromkeys(order, 0.0)
    for node in reversed(order):
        share = (1 + dependency[node]) / paths[node]
        for parent in parents[node]:
            dependency[parent] += paths[parent] * share
        if node != source:
            totals[node] += dependency[node]


def _rescaled(totals: list[float], count: int, sampled: list[int] | None) -> list[float]:
    """networkx's normalisation: by the (source, target) pairs a path through a node could join."""
    pairs = count - 1  # targets other than the node itself
    if pairs < 2:
        return totals
    if sampled is None:
        scale = 1 / (pairs * (pairs - 1))
        return [value * scale for value in totals] if scale != 1 else totals
    size = len(sampled)
    scale_source = 1 / ((size - 1) * (pairs - 1)) if size > 1 else float("nan")
    scale_other = 1 / (size * (pairs - 1))
    drawn = set(sampled)
    return [value * (scale_source if index in drawn else scale_other) for index, value in enumerate(totals)]
