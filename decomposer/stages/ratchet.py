"""Keep the plan honest: crossing imports between services now, against a saved analysis.

A crossing import is an import statement from a module of one service into a module of
another (the shared kernel is a library: imports into it never cross). New modules, unknown
to the saved analysis, belong to the service of the known module that shares the longest
dotted prefix with them (`shop.orders.refunds_v2` -> the service of `shop.orders.*`).
"""

from __future__ import annotations

from collections import Counter

from decomposer.model import CheckResult, ImportEdge, PairChange, crossing_counts

__all__ = ["UNASSIGNED", "assign_services", "check_crossings", "compare_crossings"]

UNASSIGNED = "unassigned"


def compare_crossings(before: Counter[tuple[str, str]], after: Counter[tuple[str, str]]) -> tuple[PairChange, ...]:
    """Every pair with crossing imports then or now, grown ones first, then by name."""
    pairs = sorted(set(before) | set(after))
    changes = [PairChange(a, b, before.get((a, b), 0), after.get((a, b), 0)) for a, b in pairs]
    return tuple(sorted(changes, key=lambda change: (not change.grew, change.source, change.target)))


def assign_services(modules: list[str], known: dict[str, str]) -> dict[str, str]:
    """Each module's service: the saved one, else the one of its nearest known relative."""
    assigned = {}
    for module in modules:
        if module in known:
            assigned[module] = known[module]
            continue
        best, best_length = UNASSIGNED, 0
        for other, service in sorted(known.items()):
            length = _shared_parts(module, other)
            if length > best_length:
                best, best_length = service, length
        assigned[module] = best
    return assigned


def _shared_parts(a: str, b: str) -> int:
    count = 0
    for left, right in zip(a.split(".")[:-1], b.split(".")[:-1]):
        if left != right:
            break
        count += 1
    return count


def check_crossings(saved: tuple[ImportEdge, ...], now: tuple[ImportEdge, ...], service_of: dict[str, str],
                    now_modules: list[str], plan_steps: list[tuple[int, str]]) -> CheckResult:
    """Compare crossing imports now with the saved analysis, per service pair and per plan step.

    Args:
        saved: the import edges of the saved analysis.
        now: the import edges of the code today.
        service_of: the saved module -> service mapping (the kernel is `model.KERNEL`).
        now_modules: today's analysed modules.
        plan_steps: (order, service) of the saved plan's extraction steps.
    """
    assigned = assign_services(now_modules, service_of)
    before, after = crossing_counts(saved, service_of), crossing_counts(now, assigned)
    steps = tuple(
        (order, service, _touching(before, service), _touching(after, service)) for order, service in plan_steps
    )
    new = tuple(sorted((module, service) for module, service in assigned.items() if module not in service_of))
    return CheckResult(compare_crossings(before, after), steps, new)


def _touching(counts: Counter[tuple[str, str]], service: str) -> int:
    return sum(count for (a, b), count in counts.items() if service in (a, b))
