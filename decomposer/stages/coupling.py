"""Structural and logical coupling -> one weighted, undirected graph over modules.

For two modules a and b::

    structural(a, b) = import statements a -> b  +  import statements b -> a
    cochange(a, b)   = degree(a, b) / 100        (change-coupled pairs only, docs/metrics.md)
    data(a, b)       = data links between a and b (relations between their tables, queries,
                       transactions: stages/data.py)
    runtime(a, b)    = ln(recorded calls between a and b) + 1   (stages/runtime.py)
    weight(a, b)     = alpha * structural / mean(structural) + beta * cochange / mean(cochange)
                       + gamma * data / mean(data) + delta * runtime / mean(runtime)

Each kind is divided by its own mean over the edges that have it, so a typical import edge, a
typical co-change edge and a typical data edge all weigh 1 before the mix (alpha, beta, gamma)
is applied: none swamps the others whatever the repository's size or history. Without history
(or without models) that signal is simply absent.
"""

from __future__ import annotations

import networkx as nx

from decomposer.model import CoChange, ImportEdge

__all__ = ["build_coupling_graph"]


def build_coupling_graph(
    modules: tuple[str, ...],
    imports: tuple[ImportEdge, ...],
    cochange: tuple[CoChange, ...],
    data: dict[tuple[str, str], int] | None = None,
    *,
    structural_weight: float = 1.0,
    cochange_weight: float = 1.0,
    data_weight: float = 1.0,
    runtime: dict[tuple[str, str], float] | None = None,
    runtime_weight: float = 0.0,
) -> nx.Graph:
    """Return the coupling graph: every module a node, edges weighted as the docstring says.

    Edge attributes: `structural` (statements), `cochange` (degree / 100), `data` (data links),
    `runtime` (ln(calls) + 1, stages/runtime.py), `weight` (the mix). `data` maps an unordered module pair (smaller name first) to its links.
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
    tables = {key: count for key, count in (data or {}).items() if key[0] in known and key[1] in known}
    calls = {key: value for key, value in (runtime or {}).items()
             if key[0] in known and key[1] in known and runtime_weight > 0}
    graph = nx.Graph()
    graph.add_nodes_from(modules)
    structural_mean, cochange_mean, data_mean, runtime_mean = (
        _mean(structural.values()), _mean(logical.values()), _mean(tables.values()), _mean(calls.values()))
    for key in sorted(set(structural) | set(logical) | set(tables) | set(calls)):
        statements, degree, links = structural.get(key, 0), logical.get(key, 0.0), tables.get(key, 0)
        called = calls.get(key, 0.0)
        weight = (structural_weight * statements / structural_mean if statements else 0.0) + (
            cochange_weight * degree / cochange_mean if degree else 0.0) + (
            data_weight * links / data_mean if links else 0.0) + (
            runtime_weight * called / runtime_mean if called else 0.0)
        if weight > 0:
            graph.add_edge(*key, structural=statements, cochange=degree, data=links, weight=weight,
                           **({"runtime": called} if called else {}))
    return graph


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _mean(values) -> float:  # noqa: ANN001 - any iterable of numbers
    values = list(values)
    return sum(values) / len(values) if values else 1.0
