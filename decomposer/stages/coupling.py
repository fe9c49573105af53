"""Structural and logical coupling -> one weighted, undirected graph over modules.

For two modules a and b::

    structural(a, b) = import statements a -> b  +  import statements b -> a
    cochange(a, b)   = degree(a, b) / 100        (change-coupled pairs only, docs/metrics.md)
    weight(a, b)     = alpha * structural / mean(structural) + beta * cochange / mean(cochange)

Each kind is divided by its own mean over the edges that have it, so a typical import edge and a
typical co-change edge both weigh 1 before the mix (alpha, beta) is applied: neither swamps the
other whatever the repository's size or history. Without history the graph is structure alone.
"""

from __future__ import annotations

import networkx as nx

from decomposer.model import CoChange, ImportEdge

__all__ = ["build_coupling_graph"]


def build_coupling_graph(
    modules: tuple[str, ...],
    imports: tuple[ImportEdge, ...],
    cochange: tuple[CoChange, ...],
    *,
    structural_weight: float = 1.0,
    cochange_weight: float = 1.0,
) -> nx.Graph:
    """Return the coupling graph: every module a node, edges weighted as the docstring says.

    Edge attributes: `structural` (statements), `cochange` (degree / 100), `weight` (the mix).
    Nodes are added in the order given, so callers pass them sorted for reproducible results.

    >>> from decomposer.model import CoChange, ImportEdge
    >>> graph = build_coupling_graph(("a", "b", "c"), (ImportEdge("a", "b", (1, 2)),),
    ...                              (CoChange("b", "c", 6, 60.0),))
    >>> sorted(graph.edges(data="weight"))
    [('a', 'b', 1.0), ('b', 'c', 1.0)]
    """
    known = set(modules)
    structural: dict[tuple[str, str], int] = {}
    for edge in imports:
        if edge.importer in known and edge.imported in known and edge.importer != edge.imported:
            key = _pair(edge.importer, edge.imported)
            structural[key] = structural.get(key, 0) + edge.count
    logical = {_pair(pair.a, pair.b): pair.degree / 100 for pair in cochange
               if pair.a in known and pair.b in known}
    graph = nx.Graph()
    graph.add_nodes_from(modules)
    structural_mean = _mean(structural.values())
    cochange_mean = _mean(logical.values())
    for key in sorted(set(structural) | set(logical)):
        statements, degree = structural.get(key, 0), logical.get(key, 0.0)
        weight = (structural_weight * statements / structural_mean if statements else 0.0) + (
            cochange_weight * degree / cochange_mean if degree else 0.0)
        if weight > 0:
            graph.add_edge(*key, structural=statements, cochange=degree, weight=weight)
    return graph


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _mean(values) -> float:  # noqa: ANN001 - any iterable of numbers
    values = list(values)
    return sum(values) / len(values) if values else 1.0
