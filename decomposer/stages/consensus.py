"""Many seeded detections -> one partition that does not hinge on the seed (consensus clustering).

A single Louvain run lands in one of many near-optimal partitions, and which one depends on
the seed: on large monoliths two seeds agree only at an adjusted Rand index of 0.6-0.7. The
consensus clustering of Lancichinetti & Fortunato (2012, "Consensus clustering in complex
networks", Sci. Rep. 2:336) removes that dependence:

1. detect services under the seeds `seed`, `seed + 1`, ..., in batches of ten, until few
   coupled pairs are undecided (`_first_runs`) or `consensus_runs` ran;
2. build the co-assignment graph: on every edge of the coupling graph, the share of runs that
   put its two modules in the same service (a sparse version of their consensus matrix, as in
   their "fast consensus" follow-up: only coupled pairs are counted);
3. drop the edges below `threshold` (default 0.5: together in most runs);
4. keep every connected component of that graph whose edges all have share 1 (no run
   separates what it holds); detect again, ten times, on the co-assignment graph of the
   other components (at the same resolution);
5. repeat 2-4 until every component is kept (at most `_MAX_ROUNDS` rounds). (With only coupled pairs counted,
   a component need not be a clique, so detecting once more could split it again.)
6. finish the components as a single detection finishes its communities (isolated modules,
   minimum size, pins: `Detector.settle`).

Each module's confidence is the share of the first-level runs in which it sits with the
service it gets (a run's group is matched to the service it overlaps most); modules with a
low confidence are the borderline ones a human should look at.
"""

from __future__ import annotations

import dataclasses
import operator
from collections import Counter

import networkx as nx

from decomposer.model import Detection
from decomposer.stages.communities import Detector, detect_under_seeds, induced_subgraph

__all__ = ["Consensus", "agreement_components", "consensus_services", "module_confidence"]

Partition = tuple[frozenset[str], ...]
_MAX_ROUNDS = 6
# Runs per later round: the co-assignment graph is nearly block-diagonal after the first
# round, so fewer runs agree on it (measured on wagtail and taiga-back: as stable as 50).
_ROUND_RUNS = 10
_BATCH, _MARGIN, _UNSETTLED = 10, 0.2, 0.01  # see `_first_runs`
# Above this many nodes a batch (and a later round) has fewer runs, the same work as a batch
# of `_BATCH` at this size, but never fewer than `_MIN_BATCH` (docs/concepts.md, "Consensus at
# scale"); no real repository measured comes near it (the largest service graph: 1,200 nodes).
_FULL_BATCH_UP_TO, _MIN_BATCH = 5000, 6


def runs_for(nodes: int) -> tuple[int, int]:
    """Runs per first-level batch and per later round on a graph of `nodes` nodes."""
    if nodes <= _FULL_BATCH_UP_TO:
        return _BATCH, _ROUND_RUNS
    return (max(_MIN_BATCH, _BATCH * _FULL_BATCH_UP_TO // nodes),
            max(_MIN_BATCH, _ROUND_RUNS * _FULL_BATCH_UP_TO // nodes))


@dataclasses.dataclass(frozen=True, slots=True)
class Consensus:
    """The consensus partition and how firmly each module holds to it."""

    services: Partition  # sorted by smallest module
    confidence: tuple[tuple[str, float], ...]  # (module, share of runs with its service), by module
    rounds: int  # co-assignment rounds until the runs agreed
    first: tuple[Partition, ...] = ()  # the first-level runs (to measure confidence in a later partition)


def consensus_services(graph: nx.Graph, detection: Detection, resolution: float, seed: int) -> Consensus:
    """The consensus of up to `detection.consensus_runs` detections under consecutive seeds from `seed`.

    With one run (or the deterministic greedy algorithm) this is that run, at confidence 1.
    """
    count = 1 if detection.algorithm == "greedy" else max(1, detection.consensus_runs)
    batch, round_runs = runs_for(graph.number_of_nodes())
    detector = Detector(graph, detection)  # the graph made ready once for the first runs and the finish
    first, together = _first_runs(detector, resolution, range(seed, seed + count), batch)
    runs, pending, settled, rounds, whole = first, graph, [], 0, 0.0
    while True:
        agreement = _coassignment_graph(pending, runs, detection.consensus_threshold,
                                        together if runs is first else None)
        components = [frozenset(component) for component in nx.connected_components(agreement)]
        done = _unanimous(agreement, components)
        settled += done
        rest = [component for component in components if component not in done]
        if not rest or rounds == _MAX_ROUNDS:
            break
        rounds += 1
        whole = whole if rounds > 1 else agreement.size(weight="weight")
        pending = induced_subgraph(agreement, frozenset().union(*rest))
        # The same resolution on the whole co-assignment graph: on a part, modularity's null
        # model scales with the part's weight, so the resolution does too (same optimum, less work).
        runs = detect_under_seeds(pending, detection, range(seed, seed + round_runs),
                                  resolution * pending.size(weight="weight") / whole if whole else resolution)
    # Every run holds each remaining edge's ends together: the services are the components.
    services = detector.settle(tuple(settled + rest))
    return Consensus(services, module_confidence(services, first), rounds, tuple(first))


def _first_runs(detector: Detector, resolution: float, seeds: range,
                batch: int = _BATCH) -> tuple[list[Partition], list[int]]:
    """Runs in batches of `batch` until few coupled pairs sit near the threshold, or all ran.

    A pair whose co-assignment share is within `_MARGIN` of the threshold may still fall on
    either side; once at most `_UNSETTLED` of the pairs are such, more runs change little
    (a clean monolith stops after one batch, a tangled one uses them all). Also returns how
    many of the runs hold each coupled pair (`_pairs`) together.
    """
    runs: list[Partition] = []
    threshold = detector.detection.consensus_threshold
    pairs = _pairs(detector.graph)
    together = [0] * len(pairs)  # runs so far that hold each pair together
    for start in range(0, len(seeds), batch):
        new = detector.runs(seeds[start:start + batch], resolution)
        together = _held_together(together, pairs, new)
        runs += new
        near = sum(abs(count / len(runs) - threshold) < _MARGIN for count in together)
        if near <= _UNSETTLED * max(1, len(pairs)):
            break
    return runs, together


def agreement_components(graph: nx.Graph, runs: list[Partition] | tuple[Partition, ...],
                         threshold: float) -> Partition:
    """The connected parts of `graph` after dropping the pairs that fewer than `threshold` of
    the runs hold together, sorted by smallest module."""
    agreement = _coassignment_graph(graph, list(runs), threshold)
    return tuple(sorted((frozenset(component) for component in nx.connected_components(agreement)), key=min))


def _unanimous(agreement: nx.Graph, components: list[frozenset[str]]) -> list[frozenset[str]]:
    """The components (of `agreement`) that no run separates: every pair in them has share 1."""
    index = {module: number for number, component in enumerate(components) for module in component}
    separated = {index[a] for a, _, share in agreement.edges(data="weight") if share != 1.0}
    return [component for number, component in enumerate(components) if number not in separated]


def module_confidence(services: Partition, runs: list[Partition]) -> tuple[tuple[str, float], ...]:
    """Each module's share of `runs` whose group holding it matches its own service (by overlap)."""
    service_of = {module: index for index, service in enumerate(services) for module in service}
    together: Counter[str] = Counter()
    for run in runs:
        for group in run:
            overlap = Counter(service_of[module] for module in group)
            match = min(overlap, key=lambda index: (-overlap[index], index))
            together.update(module for module in group if service_of[module] == match)
    return tuple((module, round(together[module] / len(runs), 4)) for module in sorted(service_of))


def _coassignment_graph(graph: nx.Graph, runs: list[Partition], threshold: float,
                        together: list[int] | None = None) -> nx.Graph:
    """The coupling graph's nodes, and its edges weighted by how often their ends share a service
    (`together`: those counts for `_pairs(graph)`, when known)."""
    agreement = nx.Graph()
    agreement.add_nodes_from(sorted(graph))
    agreement.add_weighted_edges_from(
        (a, b, share) for (a, b), share in _shares(graph, runs, together).items() if share >= threshold)
    return agreement


def _shares(graph: nx.Graph, runs: list[Partition], together: list[int] | None = None) -> dict[tuple[str, str], float]:
    """For each coupled pair (sorted), the share of `runs` that put both in the same group."""
    pairs = _pairs(graph)
    together = _held_together([0] * len(pairs), pairs, runs) if together is None else together
    return {pair: count / len(runs) for pair, count in zip(pairs, together)}


def _held_together(counts: list[int], pairs: list[tuple[str, str]], runs: list[Partition]) -> list[int]:
    """`counts` (one per pair) plus the runs among `runs` that put each pair in one group."""
    firsts, seconds = [a for a, _ in pairs], [b for _, b in pairs]
    for label in map(_labels, runs):
        # count + (label[a] == label[b]) for every pair, the loops in C (a True adds 1)
        counts = list(map(operator.add, counts, map(operator.eq, map(label.__getitem__, firsts),
                                                    map(label.__getitem__, seconds))))
    return counts


def _pairs(graph: nx.Graph) -> list[tuple[str, str]]:
    """The coupled pairs of `graph`, each sorted, in order."""
    return sorted(tuple(sorted(edge)) for edge in graph.edges() if edge[0] != edge[1])


def _labels(run: Partition) -> dict[str, int]:
    return {module: index for index, group in enumerate(run) for module in group}
