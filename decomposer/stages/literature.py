"""A partition -> the figures the decomposition literature reports (docs/metrics.md, "Literature").

Each function is written from the published definition, not copied; where the reference code of
a paper departs from its text, we follow the code, since its numbers are the published ones:

- BCP, ICP, SM, IFN, NED as IBM's Mono2Micro replication package computes them
  (Kalia et al., ESEC/FSE 2021, `metrics/metrics_util.py` of the package): calls are the
  distinct `caller -> callee` pairs of the call graph with their volume; `Root` and self-calls
  are left out of ICP and IFN.
- TurboMQ: Mitchell & Mancoridis, "On the automatic modularization of software systems using
  the Bunch tool", IEEE TSE 32(3), 2006.
- MoJoFM: Wen & Tzerpos, "An effectiveness measure for software clustering algorithms",
  IWPC 2004, with the optimal MoJo of Wen & Tzerpos, "An optimal algorithm for MoJo distance",
  IWPC 2003.
- ARI: Hubert & Arabie, "Comparing partitions", Journal of Classification 2, 1985.

A partition is `group_of` (node -> group name); calls are `{(caller, callee): volume}`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import combinations

import networkx as nx

from decomposer.model import LiteratureFigures

__all__ = [
    "adjusted_rand_index",
    "business_context_purity",
    "inter_call_percentage",
    "interface_number",
    "literature_figures",
    "mojofm",
    "non_extreme_distribution",
    "structural_modularity",
    "turbo_mq",
]

Calls = dict[tuple[str, str], int]


def literature_figures(group_of: dict[str, str], calls: Calls,
                       use_cases: dict[str, tuple[str, ...]] | None = None,
                       reference: dict[str, str] | None = None,
                       ned_bounds: tuple[int, int] = (5, 20)) -> LiteratureFigures:
    """Measure `group_of` on `calls`, with BCP when `use_cases` and MoJoFM/ARI when `reference`."""
    return LiteratureFigures(
        groups=len(set(group_of.values())),
        bcp=None if use_cases is None else _round(business_context_purity(group_of, use_cases)),
        icp=_round(inter_call_percentage(group_of, calls)),
        sm=_round(structural_modularity(group_of, calls)),
        ifn=_round(interface_number(group_of, calls)),
        ned=_round(non_extreme_distribution(group_of, ned_bounds)),
        turbo_mq=_round(turbo_mq(group_of, calls)),
        mojofm=None if reference is None else _round(mojofm(group_of, reference)),
        ari=None if reference is None else _round(adjusted_rand_index(group_of, reference)),
    )


def business_context_purity(group_of: dict[str, str], use_cases: dict[str, tuple[str, ...]]) -> float:
    """BCP: the mean over groups of ln(distinct use cases touching the group's classes).

    A class in no trace counts as the use case "Unknown" (as in Mono2Micro's code). The entropy
    of a uniform distribution over k labels is ln k, so a group serving one use case scores 0.
    """
    labels: defaultdict[str, set[str]] = defaultdict(set)
    for node, group in group_of.items():
        labels[group].update(use_cases.get(node) or ("Unknown",))
    return sum(math.log(len(cases)) for cases in labels.values()) / len(labels)


def inter_call_percentage(group_of: dict[str, str], calls: Calls) -> float:
    """ICP: the share of call weight between groups, each call pair weighing ln(volume) + 1."""
    total = crossing = 0.0
    for (caller, callee), volume in _between_nodes(group_of, calls):
        weight = math.log(volume) + 1
        total += weight
        crossing += weight if group_of[caller] != group_of[callee] else 0.0
    return crossing / total if total else math.inf


def structural_modularity(group_of: dict[str, str], calls: Calls) -> float:
    """SM = mean cohesion - mean coupling (Jin et al.'s SMQ, as Mono2Micro's code computes it).

    cohesion_i = mu_i / n_i^2 with mu_i the unordered pairs of classes of group i joined by a
    call either way; coupling_ij = sigma_ij / (2 n_i n_j) with sigma_ij the pairs across i and j
    joined by a call. The code sums coupling over ordered pairs (i, j) and (j, i) and divides by
    K(K-1)/2, i.e. it counts each pair of groups twice; we do the same. With one group,
    coupling is 0. The code's loop also counts a class calling itself as one pair of its group,
    except for the class listed last in the group (`for i in range(n - 1)`): we follow it, in
    the order of `group_of` (the order of the partition file).
    """
    linked = {frozenset(pair) for pair in calls if pair[0] != pair[1]}
    members: dict[str, list[str]] = defaultdict(list)
    for node, group in group_of.items():
        members[group].append(node)
    pairs: Counter[tuple[str, str]] = Counter()
    for pair in linked:
        a, b = sorted(pair)
        if a in group_of and b in group_of:
            pairs[min(group_of[a], group_of[b]), max(group_of[a], group_of[b])] += 1
    selfs = Counter(group_of[node] for (node, callee) in calls
                    if node == callee and node in group_of and members[group_of[node]][-1] != node)
    cohesion = sum((pairs[group, group] + selfs[group]) / len(nodes) ** 2
                   for group, nodes in members.items()) / len(members)
    k = len(members)
    if k == 1:
        return cohesion
    coupling = sum(2 * pairs[a, b] / (2 * len(members[a]) * len(members[b]))
                   for a, b in combinations(sorted(members), 2))
    return cohesion - coupling / (k * (k - 1) / 2)


def interface_number(group_of: dict[str, str], calls: Calls) -> float:
    """IFN as Mono2Micro's code computes it: pairs of classes in different groups joined by a
    call either way, divided by the number of groups."""
    crossing = {frozenset(pair) for pair, _ in _between_nodes(group_of, calls)
                if group_of[pair[0]] != group_of[pair[1]]}
    return len(crossing) / len(set(group_of.values()))


def non_extreme_distribution(group_of: dict[str, str], bounds: tuple[int, int] = (5, 20)) -> float:
    """NED: 1 - the share of classes in groups of `bounds[0]` to `bounds[1]` classes."""
    sizes = Counter(group_of.values())
    low, high = bounds
    return 1 - sum(size for size in sizes.values() if low <= size <= high) / len(group_of)


def turbo_mq(group_of: dict[str, str], calls: Calls) -> float:
    """TurboMQ = sum over groups of CF_i = 2 mu_i / (2 mu_i + sum_j (eps_ij + eps_ji)).

    mu_i: call volume inside group i; eps_ij: call volume from group i to group j (the weighted
    module dependency graph of Bunch). A group with no inside call has CF 0. Self-calls count
    as inside calls.
    """
    inside: Counter[str] = Counter()
    across: Counter[str] = Counter()
    for (caller, callee), volume in calls.items():
        if caller not in group_of or callee not in group_of:
            continue
        a, b = group_of[caller], group_of[callee]
        if a == b:
            inside[a] += volume
        else:
            across[a] += volume
            across[b] += volume
    return sum(2 * inside[group] / (2 * inside[group] + across[group]) for group in inside if inside[group])


def mojofm(group_of: dict[str, str], reference: dict[str, str]) -> float:
    """MoJoFM(A, B) = (1 - mno(A, B) / max over all A' of mno(A', B)) * 100, A = `group_of`.

    mno is the optimal MoJo distance: moves (each object outside its cluster's best tag) plus
    joins (clusters of A minus the groups a maximum bipartite matching can keep apart). Only the
    objects both partitions hold count. The maximum is n - g, g from B's sizes in ascending order.
    """
    nodes = sorted(set(group_of) & set(reference))
    members = _members({node: group_of[node] for node in nodes})
    moves, edges = 0, []
    for group, objects in members.items():
        tags = Counter(reference[node] for node in objects)
        best = max(tags.values())
        moves += len(objects) - best
        edges += [(("A", group), ("B", tag)) for tag, count in tags.items() if count == best]
    bipartite = nx.Graph(edges)
    matched = len(nx.bipartite.hopcroft_karp_matching(
        bipartite, top_nodes={("A", group) for group in members})) // 2
    mno = moves + len(members) - matched
    worst = len(nodes) - _max_groups(Counter(reference[node] for node in nodes).values())
    return 100.0 if worst == 0 else (1 - mno / worst) * 100


def adjusted_rand_index(group_of: dict[str, str], reference: dict[str, str]) -> float:
    """ARI over the nodes both partitions hold (Hubert & Arabie's correction for chance)."""
    nodes = sorted(set(group_of) & set(reference))
    pairs = Counter((group_of[node], reference[node]) for node in nodes)
    index = sum(math.comb(count, 2) for count in pairs.values())
    rows = sum(math.comb(count, 2) for count in Counter(group_of[node] for node in nodes).values())
    cols = sum(math.comb(count, 2) for count in Counter(reference[node] for node in nodes).values())
    expected = rows * cols / math.comb(len(nodes), 2) if len(nodes) > 1 else 0.0
    top = (rows + cols) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def _between_nodes(group_of: dict[str, str], calls: Calls) -> list[tuple[tuple[str, str], int]]:
    """Calls between two different nodes of the partition (so `Root` and self-calls drop out)."""
    return [(pair, volume) for pair, volume in sorted(calls.items())
            if pair[0] != pair[1] and pair[0] in group_of and pair[1] in group_of]


def _members(group_of: dict[str, str]) -> dict[str, list[str]]:
    members: defaultdict[str, list[str]] = defaultdict(list)
    for node in sorted(group_of):
        members[group_of[node]].append(node)
    return dict(members)


def _max_groups(sizes: object) -> int:
    groups = 0
    for size in sorted(sizes):  # type: ignore[call-overload]
        groups += groups < size
    return groups


def _round(value: float) -> float:
    return value if math.isinf(value) else round(value, 3)
