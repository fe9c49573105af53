"""Brittle modules: ranked by coupling and churn, each with its reasons in plain words.

Every signal is turned into a percentile rank among the analysed modules, so one huge value
cannot dominate and signals in different units can be mixed::

    p_s(m)  = (modules whose value of s is below m's) / (modules - 1)        in [0, 1]
    score(m) = sum_s w_s * p_s(m) / sum_s w_s

The signals and their default weights are in `model.DEFAULT_SIGNAL_WEIGHTS`; without git history the
history signals are left out of both sums. A reason is given for every signal in which the
module is in the top 20% (and for any import cycle), strongest contribution first; an
import that grimp nominates to break a cycle between packages is named too.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict

import networkx as nx

from decomposer.model import HISTORY_SIGNALS, NOT_SERVICES, BrittleModule, ModuleChurn, ModuleRecord
from decomposer.stages.betweenness import betweenness as betweenness_of
from decomposer.stages.betweenness import sources_for

__all__ = ["import_betweenness", "rank_brittleness"]

_REASON_TOP = 20  # a signal is named as a reason when the module is in its top 20 percent
_HIGH = 0.75  # percentile from which churn or coupling counts as high for the hotspot quadrant


def rank_brittleness(
    records: tuple[ModuleRecord, ...],
    import_graph: nx.DiGraph,
    *,
    churn: tuple[ModuleChurn, ...],
    sum_of_coupling: dict[str, int],
    service_of: dict[str, str],
    cycle_breakers: tuple[tuple[str, str], ...],
    weights: dict[str, float],
    seed: int,
    recent_days: int,
    betweenness: dict[str, float] | None = None,
) -> tuple[BrittleModule, ...]:
    """Score, rank and explain every module; the most brittle first.

    Args:
        records: the analysed modules (fan-in, fan-out, lines of code).
        import_graph: importer -> imported edges between them.
        churn: per-module history figures; empty without history.
        sum_of_coupling: Code Maat's sum of coupling per module.
        service_of: each module's proposed service (or `shared`).
        cycle_breakers: (importer, imported) imports grimp nominates to cut package cycles.
        weights: signal -> weight (signals missing here get no weight).
        seed: seed of the betweenness sampling on large graphs.
        recent_days: the span of `recent_commits`, for the reason's wording.
        betweenness: `import_betweenness(import_graph, seed)` when the caller has it already.
    """
    cycles = _cycle_sizes(import_graph)
    values = _signals(records, import_graph, churn, sum_of_coupling, cycles,
                      import_betweenness(import_graph, seed) if betweenness is None else betweenness)
    ordered = {name: sorted(signal.values()) for name, signal in values.items()}
    used = {name: weight for name, weight in weights.items()
            if weight > 0 and name in values and (churn or name not in HISTORY_SIGNALS)}
    ranks = {name: _percentiles(values[name]) for name in values}
    breakers: defaultdict[str, list[str]] = defaultdict(list)
    for importer, imported in cycle_breakers:
        breakers[importer].append(imported)
    total = sum(used.values()) or 1.0
    scored = []
    for record in records:
        module = record.module
        score = sum(weight * ranks[name][module] for name, weight in used.items()) / total
        scored.append((round(score, 4), module))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return tuple(
        BrittleModule(
            module=module,
            instability=_instability(import_graph, module),
            betweenness=round(values["betweenness"][module], 4),
            cycle_size=cycles.get(module, 0),
            cycle_breakers=tuple(sorted(breakers[module])),
            services_importing=_other_services(import_graph.predecessors(module), module, service_of),
            services_imported=_other_services(import_graph.successors(module), module, service_of),
            **_counts_across(import_graph, module, service_of),
            score=score,
            rank=rank,
            hotspot=_hotspot(ranks, module, bool(churn)),
            reasons=_reasons(module, values, ordered, ranks, used, cycles, breakers[module], import_graph,
                             service_of, recent_days),
        )
        for rank, (score, module) in enumerate(scored, start=1)
    )


def import_betweenness(import_graph: nx.DiGraph, seed: int) -> dict[str, float]:
    """The betweenness signal: exact on small graphs, estimated from seeded sources on large ones
    (stages/betweenness.py)."""
    return betweenness_of(import_graph, sources_for(import_graph.number_of_nodes()), seed)


def _signals(records: tuple[ModuleRecord, ...], graph: nx.DiGraph, churn: tuple[ModuleChurn, ...],
             sum_of_coupling: dict[str, int], cycles: dict[str, int],
             betweenness: dict[str, float]) -> dict[str, dict[str, float]]:
    by_module = {figures.module: figures for figures in churn}
    signals: dict[str, dict[str, float]] = defaultdict(dict)
    for record in records:
        module, figures = record.module, by_module.get(record.module)
        signals["fan_in"][module] = record.fan_in
        signals["fan_out"][module] = record.fan_out
        signals["betweenness"][module] = betweenness.get(module, 0.0)
        signals["cycle_size"][module] = cycles.get(module, 0)
        signals["loc"][module] = record.loc
        signals["commits"][module] = figures.commits if figures else 0
        signals["lines_changed"][module] = figures.lines_added + figures.lines_deleted if figures else 0
        signals["recent_commits"][module] = figures.recent_commits if figures else 0
        signals["authors"][module] = figures.authors if figures else 0
        signals["sum_of_coupling"][module] = sum_of_coupling.get(module, 0)
    return signals


def _percentiles(values: dict[str, float]) -> dict[str, float]:
    """Each module's share of the other modules that have a strictly lower value."""
    ordered = sorted(values.values())
    others = max(len(ordered) - 1, 1)
    below: dict[float, int] = {}
    for index, value in enumerate(ordered):
        below.setdefault(value, index)
    return {module: below[value] / others for module, value in values.items()}


def _cycle_sizes(graph: nx.DiGraph) -> dict[str, int]:
    sizes = {}
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            sizes.update(dict.fromkeys(component, len(component)))
    return sizes


def _instability(graph: nx.DiGraph, module: str) -> float:
    fan_in, fan_out = graph.in_degree(module), graph.out_degree(module)
    return round(fan_out / (fan_in + fan_out), 4) if fan_in + fan_out else 0.0


def _other_services(neighbours, module: str, service_of: dict[str, str]) -> int:  # noqa: ANN001
    """Proposed services other than the module's own; the shared kernel is a library, not one."""
    own = service_of.get(module)
    return len({service_of[other] for other in neighbours if other in service_of} - {own} - NOT_SERVICES)


def _counts_across(graph: nx.DiGraph, module: str, service_of: dict[str, str]) -> dict[str, int]:
    """Fan-in and fan-out across the proposed boundaries, in modules and in statements."""
    own = service_of.get(module)

    def foreign(other: str) -> bool:
        return other in service_of and service_of[other] != own and service_of[other] not in NOT_SERVICES

    importers = [other for other in graph.predecessors(module) if foreign(other)]
    imported = [other for other in graph.successors(module) if foreign(other)]
    return {
        "fan_in_across": len(importers),
        "fan_out_across": len(imported),
        "imports_in_across": sum(graph.edges[other, module].get("weight", 1) for other in importers),
        "imports_out_across": sum(graph.edges[module, other].get("weight", 1) for other in imported),
    }


def _hotspot(ranks: dict[str, dict[str, float]], module: str, has_history: bool) -> str:
    hot = has_history and ranks["commits"][module] >= _HIGH
    central = max(ranks["fan_in"][module], ranks["fan_out"][module], ranks["betweenness"][module]) >= _HIGH
    return {(True, True): "hot and central", (True, False): "hot", (False, True): "central"}.get(
        (hot, central), "calm")


def _top(ordered: list[float], value: float) -> int:
    """The percent of modules at or above `value` (1 for the single highest of 100).

    `ordered` is the signal's values sorted ascending.
    """
    return math.ceil(100 * (len(ordered) - bisect.bisect_left(ordered, value)) / len(ordered))


def _reasons(module: str, values: dict[str, dict[str, float]], ordered: dict[str, list[float]],
             ranks: dict[str, dict[str, float]],
             used: dict[str, float], cycles: dict[str, int], breakers: list[str], graph: nx.DiGraph,
             service_of: dict[str, str], recent_days: int) -> tuple[str, ...]:
    found = []
    if breakers and not cycles.get(module):
        found.append((0.0, _package_cycle_reason(breakers)))
    for name, weight in used.items():
        value, rank = values[name][module], ranks[name][module]
        if name == "cycle_size" and value:
            found.append((weight * rank, _cycle_reason(int(value), breakers)))
        elif value and name != "cycle_size" and _top(ordered[name], value) <= _REASON_TOP:
            text = _REASON[name](value, graph, module, service_of, recent_days)
            found.append((weight * rank, f"{text} (top {_top(ordered[name], value)}%)"))
    found.sort(key=lambda item: (-item[0], item[1]))
    return tuple(text for _, text in found)


def _package_cycle_reason(breakers: list[str]) -> str:
    if len(breakers) == 1:
        return f"its import of {breakers[0]} closes an import cycle between packages; grimp would cut it"
    named = ", ".join(sorted(breakers)[:-1]) + f" and {sorted(breakers)[-1]}"
    return f"its imports of {named} close import cycles between packages; grimp would cut them"


def _cycle_reason(size: int, breakers: list[str]) -> str:
    text = f"in a {size}-module import cycle"
    if breakers:
        text += f"; grimp would cut its import of {', '.join(sorted(breakers))}"
    return text


def _across(neighbours, module: str, service_of: dict[str, str], verb: str) -> str:  # noqa: ANN001
    count = _other_services(neighbours, module, service_of)
    return f" {verb} {count} other service{'s' if count != 1 else ''}" if count else ""


_REASON = {
    "commits": lambda v, g, m, s, d: f"changed in {int(v)} commits",
    "lines_changed": lambda v, g, m, s, d: f"{int(v)} lines changed",
    "recent_commits": lambda v, g, m, s, d: f"changed {int(v)} times in the last {d} days",
    "authors": lambda v, g, m, s, d: f"changed by {int(v)} authors",
    "sum_of_coupling": lambda v, g, m, s, d: f"changed together with other modules {int(v)} times",
    "fan_in": lambda v, g, m, s, d: f"imported by {int(v)} modules{_across(g.predecessors(m), m, s, 'in')}",
    "fan_out": lambda v, g, m, s, d: f"imports {int(v)} modules{_across(g.successors(m), m, s, 'from')}",
    "betweenness": lambda v, g, m, s, d: f"on {100 * v:.1f}% of shortest import paths",
    "loc": lambda v, g, m, s, d: f"{int(v)} lines of code",
}
