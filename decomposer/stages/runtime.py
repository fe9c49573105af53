"""Runtime coupling: what the recorded calls (`decomposer trace`) say about a partition and a plan.

Formulas (docs/metrics.md, "Runtime coupling"), over the calls between analysed modules that
the trace files recorded and their use cases U (test files or markers; "(outside tests)" is not
a use case):

    runtime(a, b)          = ln(calls a->b + calls b->a) + 1       (the coupling graph's 4th signal)
    crossing runtime share = calls between two groups, neither the shared kernel / all calls
    BCP                    = (1/K') * sum over groups g with a module that ran of ln |U(g)|
                             U(g): the use cases in which a function of a module of g ran;
                             K': the groups with such a module

One rule for the kernel everywhere (this share, the plan's steps, runtime_calls.csv, the
reports): a call into or out of the shared kernel (group `KERNEL`) is a library call, never a
crossing; it counts among all calls.

BCP is Mono2Micro's business context purity (Kalia et al., ESEC/FSE 2021), with the one formula
of stages/literature.py (which recomputes the published figures, "Unknown" for a class in no
trace). Here it is taken over the modules that ran in a use case only: Mono2Micro's traces cover
the classes its business flows touch, while a Python suite leaves many modules unrun (and
packages' `__init__` and settings define nothing that could run), and an "Unknown" use case per
group holding one of them would reward partitions for where the untested code lies, not for the
flows they serve (docs/metrics.md). A group serving one use case scores 0; lower is better.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict

from decomposer.model import KERNEL, BrittleModule, Plan, PlanStep, RuntimeTrace, crosses
from decomposer.stages.literature import business_context_purity as literature_bcp

__all__ = ["annotate_plan", "bcp_modules", "business_context_purity", "crossing_runtime_share", "runtime_pairs",
           "runtime_reasons"]


def runtime_pairs(trace: RuntimeTrace) -> dict[tuple[str, str], float]:
    """Each unordered module pair (smaller name first) with recorded calls: ln(calls) + 1, so a
    hot loop weighs like a few calls more, not thousands."""
    calls: Counter[tuple[str, str]] = Counter()
    for call in trace.calls:
        calls[min(call.caller, call.callee), max(call.caller, call.callee)] += call.calls
    return {pair: math.log(count) + 1 for pair, count in sorted(calls.items()) if count}


def crossing_runtime_share(group_of: dict[str, str], trace: RuntimeTrace,
                           library: frozenset[str] = frozenset()) -> float:
    """The share of recorded calls whose caller and callee lie in different groups, neither of
    them the shared kernel nor a module of `library` (the proposed kernel's modules, so that
    every partition compared leaves out the same library calls)."""
    calls = [(call.calls, crosses(group_of[call.caller], group_of[call.callee])
              and call.caller not in library and call.callee not in library) for call in trace.calls
             if call.caller in group_of and call.callee in group_of]
    total = sum(count for count, _ in calls)
    return sum(count for count, crossing in calls if crossing) / total if total else 0.0


def bcp_modules(group_of: dict[str, str], trace: RuntimeTrace) -> dict[str, str]:
    """The modules BCP is taken over: those of `group_of` that ran in a use case."""
    by_case = trace.use_cases_by_module()
    return {module: group for module, group in group_of.items() if by_case.get(module)}


def business_context_purity(group_of: dict[str, str], trace: RuntimeTrace) -> float | None:
    """BCP with Mono2Micro's formula (stages/literature.py) over the modules that ran in a use
    case: the mean over the groups holding one of ln(the distinct use cases its modules ran in).
    None when no module ran in any use case (nothing measured, not a perfect 0)."""
    measured = bcp_modules(group_of, trace)
    return literature_bcp(measured, trace.use_cases_by_module()) if measured else None


def annotate_plan(plan: Plan, trace: RuntimeTrace) -> Plan:
    """Each step with the recorded calls across its boundary and the use cases on both sides of
    it. A call with the kernel at its other end is a library call, not counted; the kernel's own
    step (kind "library") counts the calls into and out of the library."""
    by_case = trace.use_cases_by_module()
    kernel = frozenset(module for step in plan.steps if step.kind == "library" for module in step.modules)
    return dataclasses.replace(plan, steps=tuple(_annotated(step, trace, by_case, kernel) for step in plan.steps))


def _annotated(step: PlanStep, trace: RuntimeTrace, by_case: dict[str, tuple[str, ...]],
               kernel: frozenset[str]) -> PlanStep:
    inside = set(step.modules)
    library = frozenset() if step.kind == "library" else kernel
    calls = sum(call.calls for call in trace.calls if (call.caller in inside) != (call.callee in inside)
                and call.caller not in library and call.callee not in library)
    within = {name for module in inside for name in by_case.get(module, ())}
    outside = {name for module, names in by_case.items() if module not in inside for name in names}
    return dataclasses.replace(step, runtime_calls=calls, runtime_use_cases=tuple(sorted(within & outside)))


def runtime_reasons(brittleness: tuple[BrittleModule, ...], trace: RuntimeTrace,
                    service_of: dict[str, str]) -> tuple[BrittleModule, ...]:
    """Each module called at runtime from other services gains the reason "called across N
    services at runtime": its own (unless it is the kernel's) and those its callers belong to
    (the kernel is no service)."""
    callers: defaultdict[str, set[str]] = defaultdict(set)
    calls: Counter[str] = Counter()
    for call in trace.calls:
        source, target = service_of.get(call.caller), service_of.get(call.callee)
        if source and target and source != target and KERNEL != source:
            callers[call.callee].add(source)
            calls[call.callee] += call.calls
    return tuple(dataclasses.replace(entry, reasons=entry.reasons + (
        f"called across {len(callers[entry.module]) + (service_of.get(entry.module) != KERNEL)} services at runtime "
        f"({calls[entry.module]} recorded call{'' if calls[entry.module] == 1 else 's'} from "
        f"{', '.join(sorted(callers[entry.module]))})",))
        if entry.module in callers else entry for entry in brittleness)
