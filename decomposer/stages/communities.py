"""Weighted coupling graph -> proposed services, by seeded community detection.

Steps, each deterministic for a given seed:

1. group modules into units: a module each (`granularity="module"`), or a package each
   (`"package"`: a sub-package is moved whole, except a module more coupled to another
   package than to its own, which is free to go), and modules pinned `together` into one unit;
2. detect communities among the units with Louvain (default: igraph's multilevel algorithm,
   Blondel et al. 2008, in C), greedy modularity, label propagation or Leiden, at the given
   resolution (higher: more, smaller services). Nodes are relabelled to integers in sorted order
   first, so string hashing never changes a result, and every random step is drawn from
   `random.Random(seed)`;
3. split every community that is not connected in the graph (Louvain can return such) into
   its connected parts, in the order of their smallest unit;
4. give units without any coupling to the service that holds most of their package;
5. merge groups smaller than `min_service_size` modules into the neighbour they are most
   coupled to (by total edge weight; ties go to the larger group, then the smaller name), or,
   for a group coupled to nothing, into the group that shares the longest package prefix;
6. pull apart modules pinned `apart` that landed together.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import random
import sys
from collections import Counter, defaultdict
from fnmatch import fnmatchcase

import networkx as nx

from decomposer.errors import InvalidConfig
from decomposer.model import ALGORITHMS, Detection

__all__ = ["Detector", "detect_services", "detect_under_seeds", "induced_subgraph", "merge_small_groups", "search_resolution",
           "unit_of_module"]

Partition = tuple[frozenset[str], ...]


def detect_services(
    graph: nx.Graph, detection: Detection, *, seed: int | None = None, resolution: float | None = None
) -> Partition:
    """Partition the nodes (modules) of `graph` into services.

    Args:
        graph: the coupling graph without the shared kernel (`build_coupling_graph`).
        detection: algorithm, resolution, seed, granularity, minimum size and pins.
        seed, resolution: override the ones in `detection` (stability runs, resolution search).

    Returns:
        The services as sets of modules, sorted by their smallest module.
    """
    seed = detection.seed if seed is None else seed
    return detect_under_seeds(graph, detection, (seed,), resolution)[0]


def detect_under_seeds(graph: nx.Graph, detection: Detection, seeds: tuple[int, ...] | range,
                       resolution: float | None = None) -> list[Partition]:
    """`detect_services` under each of `seeds`, preparing the graph once (consensus runs)."""
    return Detector(graph, detection).runs(seeds, resolution)


class Detector:
    """One coupling graph made ready for many runs: its units (step 1), their graph as plain
    dicts, igraph's copy of it and where each uncoupled unit looks for its package's group are
    built once, then read by every run (`runs`) and by `settle`. The graph must not change."""

    def __init__(self, graph: nx.Graph, detection: Detection) -> None:
        self.graph, self.detection = graph, detection
        self.unit_of = _release_misplaced(graph, {module: unit_of_module(module, detection) for module in graph})
        self.units = _unit_graph(graph, self.unit_of)
        self._numbered: tuple[list[str], object, list[float] | None] | None = None
        self._homes: tuple[tuple[str, tuple[str, ...] | None], ...] | None = None

    def runs(self, seeds: tuple[int, ...] | range, resolution: float | None = None) -> list[Partition]:
        """The services under each of `seeds` (steps 2-6), at `resolution` (default: the detection's)."""
        resolution = self.detection.resolution if resolution is None else resolution
        if self._numbered is None:
            self._numbered = _numbered_graph(self.units, self.detection.algorithm)
        found = _communities(self._numbered, self.detection.algorithm, resolution, seeds)
        return [self._finish(groups) for groups in found]

    def settle(self, groups: Partition) -> Partition:
        """Groups of modules found elsewhere (a consensus: a partition of the graph's modules)
        finished as a run's communities are (steps 3-6), each unit going to the group that holds
        most of its modules."""
        group_of = {module: index for index, group in enumerate(groups) for module in group}
        votes: defaultdict[str, Counter[int]] = defaultdict(Counter)
        for module, unit in self.unit_of.items():
            if module in group_of and self.units.adjacency[unit]:
                votes[unit][group_of[module]] += 1
        unit_groups: defaultdict[int, set[str]] = defaultdict(set)
        for unit, count in sorted(votes.items()):
            unit_groups[min(count, key=lambda index: (-count[index], index))].add(unit)
        return self._finish([unit_groups[index] for index in sorted(unit_groups)])

    def _finish(self, groups: list[set[str]]) -> Partition:
        """Steps 3-6 on `groups` of units."""
        units, detection = self.units, self.detection
        groups = _split_disconnected(units, groups)
        if self._homes is None:
            self._homes = _uncoupled_homes(units)
        groups = _attach_isolated(groups, self._homes)
        groups = _merge_small(units.adjacency, units.size, groups, detection.min_service_size, units.sharing)
        services = [frozenset().union(*(units.members[unit] for unit in group)) for group in groups]
        services = _pull_apart(self.graph, services, detection.apart)
        return tuple(sorted(services, key=min))


def unit_of_module(module: str, detection: Detection) -> str:
    """The unit a module is moved with: itself, its package, or its `together` pin."""
    for index, patterns in enumerate(detection.together):
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            return f"<together {index}>"
    if detection.granularity == "package":
        return module.rsplit(".", 1)[0] if "." in module else module
    return module


def search_resolution(graph: nx.Graph, detection: Detection, target: int) -> float:
    """The resolution whose proposal has the number of services closest to `target`.

    Bisects the resolution on a log scale between 0.01 and 100 (more resolution, more
    services); ties go to the lower resolution.
    """
    low, high = math.log(0.01), math.log(100.0)
    best: tuple[int, float] | None = None
    for _ in range(24):
        middle = (low + high) / 2
        count = len(detect_services(graph, detection, resolution=math.exp(middle)))
        candidate = (abs(count - target), middle)
        best = candidate if best is None or candidate < best else best
        if count == target:
            break
        low, high = (middle, high) if count < target else (low, middle)
    return round(math.exp(best[1]), 4)


def _release_misplaced(graph: nx.Graph, unit_of: dict[str, str]) -> dict[str, str]:
    """Let a module leave its package unit when it is more coupled to another unit.

    A module whose edge weight to some other unit exceeds its weight to the rest of its own
    unit lives in the wrong package: it becomes a unit of its own and can go where it belongs.
    Modules pinned `together` stay pinned.
    """
    released = dict(unit_of)
    for module in sorted(graph):
        unit = unit_of[module]
        if unit == module or unit.startswith("<together"):
            continue
        weight_to: Counter[str] = Counter()
        for neighbour, data in graph[module].items():
            weight_to[unit_of[neighbour]] += data["weight"]
        own = weight_to.pop(unit, 0.0)
        if weight_to and max(weight_to.values()) > own:
            released[module] = module
    return released


@dataclasses.dataclass(frozen=True, slots=True)
class _Units:
    """The graph of units as plain dicts: built once per batch of runs, read by every run."""

    names: tuple[str, ...]  # sorted
    size: dict[str, int]  # modules in the unit
    internal: dict[str, float]  # coupling between the unit's own modules
    adjacency: dict[str, dict[str, float]]  # unit -> other unit -> weight (no self-loops)
    members: dict[str, frozenset[str]]  # unit -> its modules
    sharing: dict[str, list[str]]  # dotted prefix -> the units under it (`_prefix_index`)


def _unit_graph(graph: nx.Graph, unit_of: dict[str, str]) -> _Units:
    members: defaultdict[str, set[str]] = defaultdict(set)
    for module, unit in unit_of.items():
        members[unit].add(module)
    names = tuple(sorted(members))
    internal = dict.fromkeys(names, 0.0)
    adjacency: dict[str, dict[str, float]] = {unit: {} for unit in names}
    for a, b, weight in graph.edges(data="weight"):
        ua, ub = unit_of[a], unit_of[b]
        if ua == ub:
            internal[ua] += weight
        else:
            adjacency[ua][ub] = adjacency[ua].get(ub, 0.0) + weight
            adjacency[ub][ua] = adjacency[ub].get(ua, 0.0) + weight
    return _Units(names, {unit: len(members[unit]) for unit in names}, internal, adjacency,
                  {unit: frozenset(members[unit]) for unit in names}, _prefix_index(names))


def _numbered(units: _Units) -> tuple[list[str], list[tuple[int, int, float]]]:
    """The units coupled to some other unit, sorted, and their edges between numbers 0, 1, ...
    (sorted). A unit's inner coupling stays in the graph as a self-loop, as in Louvain's own
    aggregation, so that modularity still sees how cohesive the unit is."""
    names = [unit for unit in units.names if units.adjacency[unit]]
    number = {unit: index for index, unit in enumerate(names)}
    edges = []
    for unit in names:
        a = number[unit]
        if units.internal[unit]:
            edges.append((a, a, units.internal[unit]))
        edges += [(a, number[other], weight) for other, weight in units.adjacency[unit].items() if number[other] > a]
    return names, sorted(edges)


def _numbered_graph(units: _Units, algorithm: str) -> tuple[list[str], object, list[float] | None]:
    """The coupled units' names and their graph between numbers, as `algorithm` takes it
    (igraph's graph and its weights, or networkx's)."""
    names, edges = _numbered(units)
    if algorithm in ("louvain", "leiden"):
        return (names, _igraph().Graph(n=len(names), edges=[(a, b) for a, b, _ in edges]),
                [weight for _, _, weight in edges])
    numbered = nx.Graph()
    numbered.add_nodes_from(range(len(names)))
    numbered.add_weighted_edges_from(edges)
    return names, numbered, None


def _communities(prepared: tuple[list[str], object, list[float] | None], algorithm: str, resolution: float,
                 seeds) -> list[list[set[str]]]:
    """The communities of the coupled units (`_numbered_graph`) under each seed."""
    names, numbered, weights = prepared
    if not names:
        return [[] for _ in seeds]
    return [[{names[index] for index in community}
             for community in _run_algorithm(numbered, weights, algorithm, resolution, seed)]
            for seed in seeds]


def _run_algorithm(graph, weights: list[float] | None, algorithm: str, resolution: float, seed: int) -> list[set[int]]:
    if algorithm == "louvain":
        return _louvain(graph, weights, resolution, seed)
    if algorithm == "greedy":
        return [set(c) for c in nx.community.greedy_modularity_communities(
            graph, weight="weight", resolution=resolution)]
    if algorithm == "label-propagation":
        return [set(c) for c in nx.community.asyn_lpa_communities(graph, weight="weight", seed=seed)]
    if algorithm == "leiden":
        return _leiden(graph, weights, resolution, seed)
    raise InvalidConfig(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")


def _louvain(graph, weights: list[float], resolution: float, seed: int) -> list[set[int]]:
    """igraph's multilevel algorithm (Louvain, in C: 12x the pure-Python run on wagtail's graph),
    its random steps (the order nodes are visited in) drawn from `random.Random(seed)`."""
    igraph = _igraph()
    igraph.set_random_number_generator(random.Random(seed))
    try:
        return [set(community) for community in graph.community_multilevel(weights=weights, resolution=resolution)]
    finally:
        igraph.set_random_number_generator(random)


def _leiden(graph, weights: list[float], resolution: float, seed: int) -> list[set[int]]:
    try:
        import leidenalg
    except ImportError:
        raise InvalidConfig(
            "the leiden algorithm needs the optional leidenalg package: "
            "pip install 'decomposer[leiden]', or choose --algorithm louvain"
        ) from None
    partition = leidenalg.find_partition(graph, leidenalg.RBConfigurationVertexPartition, weights=weights,
                                         resolution_parameter=resolution, seed=seed)
    return [set(community) for community in partition]


def _igraph():
    """igraph, imported when first needed, without pyplot: igraph's drawing module imports
    matplotlib.pyplot whenever matplotlib is installed (0.4-1.7 s, more than all of wagtail's
    runs), and decomposer never draws with igraph (igraph's own plotting through matplotlib is
    then unavailable in this process)."""
    if "igraph" in sys.modules:
        return sys.modules["igraph"]
    # While this is None, `import matplotlib` raises ImportError and igraph goes on without it;
    # matplotlib itself, when the caller loaded it already, is put back as it was.
    absent = object()
    loaded = sys.modules.get("matplotlib", absent)
    sys.modules["matplotlib"] = None
    try:
        import igraph
    finally:
        if loaded is absent:
            del sys.modules["matplotlib"]
        else:
            sys.modules["matplotlib"] = loaded
    return igraph


def _split_disconnected(units: _Units, groups: list[set[str]]) -> list[set[str]]:
    """Each group's connected parts, in the order of their smallest unit."""
    split = []
    for group in groups:
        seen: set[str] = set()
        for start in sorted(group):
            if start in seen:
                continue
            component, frontier = {start}, [start]
            while frontier:
                for neighbour in units.adjacency[frontier.pop()]:
                    if neighbour in group and neighbour not in component:
                        component.add(neighbour)
                        frontier.append(neighbour)
            seen |= component
            split.append(component)
    return split


def _uncoupled_homes(units: _Units) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """Each unit coupled to nothing outside itself, in order, with the units whose groups vote
    on where it goes (None: it stands alone, being cohesive or alone in its package), found once
    for every run: a package's own module looks to the units under it, a plain module to its
    siblings, among the coupled units and the uncoupled ones placed before it."""
    placed = sorted(unit for unit in units.names if units.adjacency[unit])
    homes = []
    for unit in (unit for unit in units.names if not units.adjacency[unit]):
        voters = None
        for prefix in (() if units.internal[unit] else
                       (unit + ".", unit.rsplit(".", 1)[0] + "." if "." in unit else None)):
            if prefix is None:
                continue
            start = bisect.bisect_left(placed, prefix)
            end = start
            while end < len(placed) and placed[end].startswith(prefix):
                end += 1
            if end > start:
                voters = tuple(placed[start:end])
                break
        homes.append((unit, voters))
        bisect.insort(placed, unit)
    return tuple(homes)


def _attach_isolated(groups: list[set[str]], homes: tuple[tuple[str, tuple[str, ...] | None], ...]) -> list[set[str]]:
    """`groups` (every coupled unit in one) with each unit coupled to nothing outside itself
    added (`_uncoupled_homes`): a cohesive package stands alone, while a lone module (an empty
    __init__.py, a constants file) goes where most of its package is (ties: the earlier group)."""
    group_of = {unit: index for index, group in enumerate(groups) for unit in group}
    for unit, voters in homes:
        if voters is None:
            groups.append({unit})
            group_of[unit] = len(groups) - 1
            continue
        votes = Counter(group_of[voter] for voter in voters)
        index = min(votes, key=lambda index: (-votes[index], index))
        groups[index].add(unit)
        group_of[unit] = index
    return groups


def induced_subgraph(graph: nx.Graph, nodes) -> nx.Graph:
    """The subgraph of `graph` on `nodes`, built in sorted order.

    networkx's `subgraph` iterates a small node set in hash order, and Louvain's result depends
    on the order it visits nodes and neighbours: building the copy sorted keeps every result
    independent of Python's string hashing.
    """
    keep = frozenset(nodes)
    sub = nx.Graph()
    sub.add_nodes_from(sorted(keep))
    sub.add_weighted_edges_from(sorted((min(a, b), max(a, b), weight) for a, b, weight in graph.edges(data="weight")
                                       if a in keep and b in keep))
    return sub


def merge_small_groups(graph: nx.Graph, groups: Partition, size: dict[str, int], min_size: int) -> Partition:
    """Merge every group whose modules' `size` sums under `min_size` as step 5 does (most coupled
    neighbour; coupled to nothing: the longest package prefix), smallest first.

    Returns:
        The groups, sorted by their smallest module.
    """
    adjacency: dict[str, dict[str, float]] = {module: {} for module in sorted(graph)}
    for a, b, weight in graph.edges(data="weight"):
        if a != b:
            adjacency[a][b] = adjacency[b][a] = weight
    merged = _merge_small(adjacency, {module: size.get(module, 0) for module in adjacency},
                          [set(group) for group in groups], min_size)
    return tuple(sorted((frozenset(group) for group in merged), key=min))


def _merge_small(adjacency: dict[str, dict[str, float]], size: dict[str, int], groups: list[set[str]],
                 min_size: int, sharing: dict[str, list[str]] | None = None) -> list[set[str]]:
    """`groups` with every group under `min_size` merged into its most coupled neighbour (or
    the group sharing the longest package prefix), smallest first; `adjacency` has no self-loops;
    `sharing`: `_prefix_index` of the units, when the caller has it."""
    groups = [set(group) for group in groups if group]
    sharing = _prefix_index(frozenset().union(*groups)) if sharing is None else sharing
    while True:
        sizes = [sum(size[unit] for unit in group) for group in groups]
        small = [index for index, size in enumerate(sizes) if size < min_size]
        target = None
        for index in sorted(small, key=lambda index: (sizes[index], min(groups[index]))):
            target = _best_neighbour(adjacency, groups, index, sizes, sharing)
            if target is not None:
                merged = groups[target] | groups[index]
                groups = [group for other, group in enumerate(groups) if other not in (index, target)]
                groups.append(merged)
                break
        if target is None:
            return groups


def _best_neighbour(adjacency: dict[str, dict[str, float]], groups: list[set[str]], index: int,
                    sizes: list[int], sharing: dict[str, list[str]]) -> int | None:
    group_of = {unit: other for other, group in enumerate(groups) for unit in group}
    weight_to: Counter[int] = Counter()
    for unit in sorted(groups[index]):
        for neighbour, weight in adjacency[unit].items():
            other = group_of[neighbour]
            if other != index:
                weight_to[other] += weight
    if not weight_to:
        return _nearest_by_package(groups, index, sizes, group_of, sharing)
    return min(weight_to, key=lambda other: (-weight_to[other], -sizes[other], min(groups[other])))


def _nearest_by_package(groups: list[set[str]], index: int, sizes: list[int], group_of: dict[str, int],
                        sharing: dict[str, list[str]]) -> int | None:
    """The group whose units share the longest dotted prefix with this group's units (at least
    the first part), then the larger, then the one with the smaller first unit."""
    deepest, found = 0, set()
    for unit in groups[index]:
        parts = unit.split(".")
        for depth in range(len(parts), deepest - 1, -1):
            if depth == 0:
                break
            near = {group_of[other] for other in sharing[".".join(parts[:depth])]} - {index}
            if near:
                deepest, found = (depth, found | near) if depth == deepest else (depth, near)
                break
    return min(found, key=lambda other: (-sizes[other], min(groups[other]))) if found else None


def _prefix_index(units) -> dict[str, list[str]]:  # noqa: ANN001
    """Each dotted prefix (`a`, `a.b`, `a.b.c` of `a.b.c`) -> the units that start with it."""
    sharing: defaultdict[str, list[str]] = defaultdict(list)
    for unit in sorted(units):
        parts = unit.split(".")
        for depth in range(1, len(parts) + 1):
            sharing[".".join(parts[:depth])].append(unit)
    return sharing


def _pull_apart(graph: nx.Graph, services: list[frozenset[str]],
                apart: tuple[tuple[str, ...], ...]) -> list[frozenset[str]]:
    for patterns in apart:
        result = []
        for service in services:
            sides = [frozenset(m for m in service if fnmatchcase(m, pattern)) for pattern in patterns]
            sides = [side for side in sides if side]
            if len(sides) < 2:
                result.append(service)
                continue
            keep = max(sides, key=lambda side: (len(side), sorted(side)))
            moved = frozenset().union(*(side for side in sides if side is not keep)) - keep
            result += [service - moved, moved]
        services = [service for service in result if service]
    return services
