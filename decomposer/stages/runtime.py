"""Runtime coupling: what the recorded calls (`decomposer trace`) say about a partition and a plan.

Formulas (docs/metrics.md, "Runtime coupling"), over the calls between analysed modules that
the trace files recorded and their use cases U (test files or markers; "(outside tests)" is not
a use case):

    runtime(a, b)          = ln(calls a->b + calls b->a) + 1       (the coupling graph's 4th signal)
    crossing runtime share = calls between groups / all calls
    BCP                    = (1/K) * sum over groups g of ln |U(g)|
                             U(g): the use cases in which a function of a module of g ran,
                             "Unknown" for a module of g that ran in none

BCP is Mono2Micro's business context purity (Kalia et al., ESEC/FSE 2021) exactly as its
replication package computes it (stages/literature.py, checked there against the published
figures): the entropy of a uniform distribution over each group's use cases, averaged. A group
serving one use case scores 0; lower is better.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict

from decomposer.model import KERNEL, BrittleModule, Plan, PlanStep, RuntimeTrace
from decomposer.stages.literature import business_context_purity as literature_bcp

__all__ = ["annotate_plan", "business_context_purity", "crossing_runtime_share", "runtime_pairs",
           "runtime_reasons"]

def runtime_pairs(trace: RuntimeTrace) -> dict[tuple[str, str], float]:
    """Each unordered module pair (smaller name first) with recorded calls: ln(calls) + 1, so a
    hot loop weighs like a few calls more, not thousands."""
    calls: Counter[tuple[str, str]] = Counter()
    for call in trace.calls:
        calls[min(call.caller, call.callee), max(call.caller, call.callee)] += call.calls
    return {pair: math.log(count) + 1 for pair, count in sorted(calls.items()) if count}


def crossing_runtime_share(group_of: dict[str, str], trace: RuntimeTrace) -> float:
    """The share of recorded calls whose caller and callee lie in different groups."""
    calls = [(call.calls, group_of[call.caller] != group_of[call.callee]) for call in trace.calls
             if call.caller in group_of and call.callee in group_of]
    total = sum(count for count, _ in calls)
    return sum(count for count, crossing in calls if crossing) / total if total else 0.0


def business_context_purity(group_of: dict[str, str], trace: RuntimeTrace) -> float:
    """BCP as Mono2Micro computes it (stages/literature.py): the mean over groups of ln(the
    distinct use cases its modules ran in), a module that ran in none counting as "Unknown"."""
    return literature_bcp(group_of, trace.use_cases_by_module()) if group_of else 0.0


def annotate_plan(plan: Plan, trace: RuntimeTrace) -> Plan:
    """Each step with the recorded calls across its boundary and the use cases on both sides of it."""
    by_case = trace.use_cases_by_module()
    return dataclasses.replace(plan, steps=tuple(_annotated(step, trace, by_case) for step in plan.steps))


def _annotated(step: PlanStep, trace: RuntimeTrace, by_case: dict[str, tuple[str, ...]]) -> PlanStep:
    inside = set(step.modules)
    calls = sum(call.calls for call in trace.calls if (call.caller in inside) != (call.callee in inside))
    within = {name for module in inside for name in by_case.get(module, ())}
    outside = {name for module, names in by_case.items() if module not in inside for name in names}
    return dataclasses.replace(step, runtime_calls=calls, runtime_use_cases=tuple(sorted(within & outside)))


def runtime_reasons(brittleness: tuple[BrittleModule, ...], trace: RuntimeTrace,
                    service_of: dict[str, str]) -> tuple[BrittleModule, ...]:
    """Each module called at runtime from other services gains the reason "called across N
    services at runtime": its own and those its callers belong to (the kernel is no service)."""
    callers: defaultdict[str, set[str]] = defaultdict(set)
    calls: Counter[str] = Counter()
    for call in trace.calls:
        source, target = service_of.get(call.caller), service_of.get(call.callee)
        if source and target and source != target and KERNEL != source:
            callers[call.callee].add(source)
            calls[call.callee] += call.calls
    return tuple(dataclasses.replace(entry, reasons=entry.reasons + (
        f"called across {len(callers[entry.module]) + 1} services at runtime "
        f"({calls[entry.module]} recorded call{'' if calls[entry.module] == 1 else 's'} from "
        f"{', '.join(sorted(callers[entry.module]))})",))
        if entry.module in callers else entry for entry in brittleness)
