"""A partition of the modules -> its quality figures (formulas and sources in docs/metrics.md).

Every partition is measured on the same graphs (the import graph and the coupling graph), so
the proposal, the current package layout and a random partition can be put side by side.
The shared kernel counts as one group like any other.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import combinations

import networkx as nx

from decomposer.model import CoChange, ImportEdge, QualityFigures

__all__ = ["inter_call_percentage", "partition_quality"]


def partition_quality(
    group_of: dict[str, str],
    imports: tuple[ImportEdge, ...],
    coupling_graph: nx.Graph,
    cochange: tuple[CoChange, ...] | None,
    ned_bounds: tuple[int, int],
    data: tuple[int, int] | None = None,
) -> QualityFigures:
    """Measure the partition `group_of` (module -> group name).

    Args:
        group_of: every analysed module's group.
        imports: import edges between analysed modules (weights: statement counts).
        coupling_graph: the combined coupling graph over the same modules.
        cochange: change-coupled pairs; None when there is no history.
        ned_bounds: a group is non-extreme when its module count lies within these bounds.
        data: (crossing, total) data links between modules of the partition (`stages.data.
            crossing_data`); None when the code has no ORM models.
    """
    sizes = Counter(group_of.values())
    edges = [edge for edge in imports if edge.importer in group_of and edge.imported in group_of]
    return QualityFigures(
        groups=len(sizes),
        modularity=_round(_modularity(group_of, coupling_graph)),
        sm=_round(_structural_modularity(group_of, sizes, edges)),
        icp=_round(inter_call_percentage(group_of, edges)),
        ifn=_round(_interface_number(group_of, sizes, edges)),
        ned=_round(_non_extreme_distribution(sizes, ned_bounds)),
        cochange_cohesion=None if not cochange else _round(_cochange_cohesion(group_of, cochange)),
        largest_share=_round(max(sizes.values()) / len(group_of)),
        crossing_data_links=None if data is None else data[0],
        crossing_data_share=None if data is None else _round(data[0] / data[1] if data[1] else 0.0),
    )


def _modularity(group_of: dict[str, str], graph: nx.Graph) -> float:
    """Newman's modularity (networkx's formula: the weight inside each group over the total,
    minus the squared share of the group's weighted degree), summed in a fixed order: networkx
    sums over sets, whose order follows string hashing, and a partition near zero then read
    `0.0` or `-0.0` depending on the run."""
    total = graph.size(weight="weight")
    if total == 0:
        return 0.0
    inside: defaultdict[str, float] = defaultdict(float)
    for a, b, weight in sorted((min(a, b), max(a, b), weight) for a, b, weight in graph.edges(data="weight")):
        if group_of[a] == group_of[b]:
            inside[group_of[a]] += weight
    degree: defaultdict[str, float] = defaultdict(float)
    for module in sorted(graph):
        degree[group_of[module]] += graph.degree(module, weight="weight")
    value = sum(inside[group] / total - (degree[group] / (2 * total)) ** 2 for group in sorted(degree))
    return value + 0.0  # never -0.0


def _structural_modularity(group_of: dict[str, str], sizes: Counter[str],
                           edges: list[ImportEdge]) -> float:
    inside: Counter[str] = Counter()
    between: Counter[tuple[str, str]] = Counter()
    for edge in edges:
        a, b = group_of[edge.importer], group_of[edge.imported]
        if a == b:
            inside[a] += 1
        else:
            between[min(a, b), max(a, b)] += 1
    groups = len(sizes)
    cohesion = sum(inside[group] / sizes[group] ** 2 for group in sizes) / groups
    if groups < 2:
        return cohesion
    coupling = sum(between[a, b] / (2 * sizes[a] * sizes[b]) for a, b in combinations(sorted(sizes), 2))
    return cohesion - coupling / (groups * (groups - 1) / 2)


def inter_call_percentage(group_of: dict[str, str], edges: list[ImportEdge] | tuple[ImportEdge, ...]) -> float:
    """ICP: the share of import weight between groups, an edge of n statements weighing ln(n) + 1.

    `edges` must join modules of `group_of` (unrounded; `partition_quality` rounds it).
    """
    weights = [(math.log(edge.count) + 1, group_of[edge.importer] != group_of[edge.imported])
               for edge in edges]
    total = sum(weight for weight, _ in weights)
    return sum(weight for weight, crossing in weights if crossing) / total if total else 0.0


def _interface_number(group_of: dict[str, str], sizes: Counter[str], edges: list[ImportEdge]) -> float:
    interfaces = {edge.imported for edge in edges if group_of[edge.importer] != group_of[edge.imported]}
    return len(interfaces) / len(sizes)


def _non_extreme_distribution(sizes: Counter[str], bounds: tuple[int, int]) -> float:
    low, high = bounds
    total = sum(sizes.values())
    return 1 - sum(size for size in sizes.values() if low <= size <= high) / total


def _cochange_cohesion(group_of: dict[str, str], cochange: tuple[CoChange, ...]) -> float:
    pairs = [pair for pair in cochange if pair.a in group_of and pair.b in group_of]
    total = sum(pair.degree for pair in pairs)
    inside = sum(pair.degree for pair in pairs if group_of[pair.a] == group_of[pair.b])
    return inside / total if total else 0.0


def _round(value: float) -> float:
    return round(value, 4)
