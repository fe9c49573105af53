"""Services a team would staff: no giants, no toys, shims with what they re-export.

After the consensus (`stages/consensus.py`), in this order (docs/concepts.md, "Sizes"):

1. **Giants.** A service holding more than `max_service_share` of the analysed lines is cut
   where the consensus runs agree least: its pairs' co-assignment shares are cut at ever
   higher thresholds until no piece is a giant. A giant that stays whole (its runs always
   hold it together) is coupled too tightly to split, and the summary says so.
2. **Shims.** A module that only imports and re-exports names (`from .a import *`, `__all__`)
   has no coupling of its own: it goes to the service holding most of the analysed modules it
   imports (by import statements; ties: the smaller service name), when there is one.
3. **Toys.** A service under `min_service_share` of the analysed lines merges into the
   service it is most coupled with (by total edge weight), or, coupled to nothing, into the
   one that shares the longest package prefix, smallest first (`merge_small_groups`).
4. **A count asked for** (`--services N`, `fit_count`): with too many services the smallest
   (in lines) merges into its most coupled one until N are left; with too few the largest is
   cut where its consensus runs agree least (as a giant is), until N, or until no run ever
   separates what is left: then there are fewer than N and the summary says so.
"""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx

from decomposer.model import Detection, ImportEdge
from decomposer.stages.communities import induced_subgraph, merge_small_groups
from decomposer.stages.consensus import agreement_components

__all__ = ["fit_count", "follow_shims", "merge_toys", "split_giants"]

Partition = tuple[frozenset[str], ...]
_SPLIT_THRESHOLDS = (0.6, 0.7, 0.8)


def split_giants(graph: nx.Graph, services: Partition, loc: dict[str, int], detection: Detection,
                 runs: tuple[Partition, ...]) -> Partition:
    """Each service over `detection.max_service_share` of the lines, split where its runs agree least.

    The co-assignment shares of the consensus' own runs (`runs`) are cut at ever higher
    thresholds (0.6, 0.7, 0.8: `_SPLIT_THRESHOLDS`) until the giant falls apart into pieces none of which
    is a giant; pieces under `min_service_size` modules join their most coupled piece. Reusing
    the runs' shares, not a new detection, keeps the split as stable as the consensus.
    """
    total = sum(loc.get(module, 0) for service in services for module in service)
    limit = detection.max_service_share * total
    result: list[frozenset[str]] = []
    for service in services:
        pieces: Partition = (service,)
        for threshold in _SPLIT_THRESHOLDS:
            if not runs or _lines(max(pieces, key=lambda piece: _lines(piece, loc)), loc) <= limit:
                break
            sub = induced_subgraph(graph, service)
            pieces = agreement_components(sub, [tuple(group & service for group in run) for run in runs], threshold)
            pieces = merge_small_groups(sub, pieces, {module: 1 for module in service}, detection.min_service_size)
        result += pieces
    return tuple(sorted(result, key=min))


def _lines(group: frozenset[str], loc: dict[str, int]) -> int:
    return sum(loc.get(module, 0) for module in group)


def follow_shims(services: Partition, shims: frozenset[str], imports: tuple[ImportEdge, ...]) -> Partition:
    """Move every re-exporting module to the service holding most of what it imports."""
    service_of = {module: index for index, service in enumerate(services) for module in service}
    moved = dict(service_of)
    for module in sorted(shims & service_of.keys()):
        targets: Counter[int] = Counter()
        for edge in imports:
            if edge.importer == module and edge.imported in service_of and edge.imported not in shims:
                targets[service_of[edge.imported]] += edge.count
        if targets:
            moved[module] = min(targets, key=lambda index: (-targets[index], min(services[index])))
    groups = [frozenset(module for module, index in moved.items() if index == own) for own in range(len(services))]
    return tuple(sorted((group for group in groups if group), key=min))


def merge_toys(graph: nx.Graph, services: Partition, loc: dict[str, int], min_share: float) -> Partition:
    """Services under `min_share` of the analysed lines, merged into their most coupled neighbour."""
    total = sum(loc.get(module, 0) for service in services for module in service)
    return merge_small_groups(graph, services, loc, math.ceil(min_share * total))


def fit_count(graph: nx.Graph, services: Partition, loc: dict[str, int], target: int,
              runs: tuple[Partition, ...], min_size: int) -> Partition:
    """Exactly `target` services where the runs allow it (step 4 of the module docstring).

    Args:
        graph: the coupling graph of the services' modules.
        services: the sized services; runs: the consensus' first-level runs over the same modules.
        min_size: pieces of a cut under this many modules join their most coupled piece.
    """
    groups = list(services)
    while len(groups) < target:
        largest = max(groups, key=lambda group: (_lines(group, loc), len(group), min(group)))
        pieces = _cut(graph, largest, runs, min_size)
        if len(pieces) < 2:
            break
        groups = [group for group in groups if group is not largest] + list(pieces)
    while len(groups) > target:
        smallest = min(groups, key=lambda group: (_lines(group, loc), len(group), min(group)))
        # only the smallest weighs 0, so only it merges (into its most coupled service)
        weights = {module: 0 if module in smallest else 1 for group in groups for module in group}
        merged = merge_small_groups(graph, tuple(groups), weights, 1)
        if len(merged) >= len(groups):
            break
        groups = list(merged)
    return tuple(sorted(groups, key=min))


def _cut(graph: nx.Graph, group: frozenset[str], runs: tuple[Partition, ...], min_size: int) -> Partition:
    """`group` in the pieces its runs hold together at the lowest threshold that cuts it at all."""
    sub = induced_subgraph(graph, group)
    for threshold in _SPLIT_THRESHOLDS + (0.9, 1.0):
        pieces = agreement_components(sub, [tuple(part & group for part in run) for run in runs], threshold)
        pieces = merge_small_groups(sub, pieces, {module: 1 for module in group}, min_size)
        if len(pieces) > 1:
            return pieces
    return (group,)
