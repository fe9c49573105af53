"""What the traces (`analyze --traces`) add to the reports: a summary, a report section, a CSV.

Every figure here is read from `Analysis.runtime` and the proposal; the formulas are in
stages/runtime.py and docs/metrics.md.
"""

from __future__ import annotations

from collections import Counter

from decomposer.model import OUTSIDE_TESTS, Analysis, PlanStep, crosses
from decomposer.reports.markdown_text import md_code, md_text

__all__ = ["join_use_cases", "module_csv_rows", "runtime_csv_rows", "runtime_lines", "runtime_markdown", "step_runtime_lines"]

_TOP = 5


def runtime_lines(analysis: Analysis) -> list[str]:
    """The terminal summary's lines: calls, use cases, modules run and never run, the hottest crossings."""
    trace = analysis.runtime
    if trace is None:
        return []
    modules, never = _never(analysis)
    use_cases = [use_case for use_case in trace.use_cases if use_case.name != OUTSIDE_TESTS]
    lines = [f"Runtime:    {sum(call.calls for call in trace.calls)} calls between {len(trace.calls)} module pairs "
             f"in {len(use_cases)} use cases ({len(trace.sources)} trace file{'s' if len(trace.sources) != 1 else ''}); "
             f"{len(trace.executed)} of {len(modules)} modules ran; runtime_calls.csv lists each pair"]
    lines.append(_bcp_line(analysis))
    hottest = _crossing(analysis).most_common(_TOP)
    if hottest:
        lines.append("  Hottest calls across services: " + ", ".join(
            f"{source} -> {target} ({calls})" for (source, target), calls in hottest))
    if never:
        lines.append(f"  Never executed by any use case ({len(never)}: dead code or untested): "
                     + ", ".join(never[:_TOP]) + (f" and {len(never) - _TOP} more" if len(never) > _TOP else ""))
    return lines


def runtime_markdown(analysis: Analysis) -> list[str]:
    """report.md's "Runtime coupling" section."""
    trace = analysis.runtime
    if trace is None:
        return []
    modules, never = _never(analysis)
    lines = ["", "## Runtime coupling", "",
             f"{sum(call.calls for call in trace.calls)} calls between {len(trace.calls)} module pairs recorded by "
             f"{md_text(', '.join(trace.sources))}; {len(trace.executed)} of {len(modules)} modules ran. "
             "BCP and the share of runtime calls across services are in the quality table; every pair is in "
             "runtime_calls.csv.", "", "| calls from | to | calls |", "| --- | --- | ---: |"]
    lines += [f"| {md_text(source)} | {md_text(target)} | {calls} |"
              for (source, target), calls in _crossing(analysis).most_common(10)]
    use_cases = [use_case for use_case in trace.use_cases if use_case.name != OUTSIDE_TESTS]
    if use_cases:
        service_of = analysis.service_of
        lines += ["", "| use case | modules run | services it runs in |", "| --- | ---: | --- |"]
        lines += [f"| {md_text(use_case.name)} | {len(use_case.modules)} | "
                  f"{md_text(', '.join(sorted({service_of.get(module, '?') for module in use_case.modules})))} |"
                  for use_case in use_cases]
    if never:
        lines += ["", f"Never executed by any use case ({len(never)} modules: dead code, or code no test reaches): "
                  + ", ".join(md_code(module) for module in never)]
    return lines


def step_runtime_lines(step: PlanStep) -> list[str]:
    """plan.md's lines for one step: the calls its new API will carry, the use cases it will split."""
    if step.runtime_calls is None:
        return []
    lines = ["", (f"Runtime calls into and out of this library in the traced use cases (library calls, "
                  f"not crossings): {step.runtime_calls}" if step.kind == "library" else
                  f"Runtime calls across this boundary in the traced use cases (calls into the shared kernel "
                  f"left out): {step.runtime_calls}")]
    if step.runtime_use_cases:
        lines.append("Use cases that will run on both sides of it: "
                     + ", ".join(md_text(name) for name in step.runtime_use_cases))
    return lines


def runtime_csv_rows(analysis: Analysis) -> list[dict[str, object]]:
    """runtime_calls.csv: every recorded module pair with its services, crossing ones first."""
    service_of = analysis.service_of
    rows = [{"caller": call.caller, "callee": call.callee, "calls": call.calls,
             "caller_service": service_of.get(call.caller, ""), "callee_service": service_of.get(call.callee, ""),
             "crossing": _across(service_of.get(call.caller), service_of.get(call.callee)),
             "use_cases": join_use_cases(call.use_cases)}
            for call in (analysis.runtime.calls if analysis.runtime else ())]
    return sorted(rows, key=lambda row: (not row["crossing"], -row["calls"], row["caller"], row["callee"]))


def module_csv_rows(analysis: Analysis) -> list[dict[str, object]]:
    """runtime_modules.csv: each analysed module's use cases and recorded calls, by module."""
    trace, service_of = analysis.runtime, analysis.service_of
    if trace is None:
        return []
    by_case, never = trace.use_cases_by_module(), set(_never(analysis)[1])
    calls_in: Counter[str] = Counter()
    calls_out: Counter[str] = Counter()
    callers: dict[str, set[str]] = {}
    for call in trace.calls:
        calls_in[call.callee] += call.calls
        calls_out[call.caller] += call.calls
        if _across(service_of.get(call.caller), service_of.get(call.callee)):
            callers.setdefault(call.callee, set()).add(service_of[call.caller])
    return [{"module": record.module, "service": service_of.get(record.module, ""),
             "ran": record.module in trace.executed, "never_executed": record.module in never,
             "use_cases": len(by_case.get(record.module, ())), "calls_in": calls_in[record.module],
             "calls_out": calls_out[record.module], "services_calling": len(callers.get(record.module, ())),
             "use_case_names": join_use_cases(by_case.get(record.module, ()))} for record in analysis.modules]


def join_use_cases(names) -> str:  # noqa: ANN001 - names, or (name, count) pairs
    """Use case names for one CSV cell, "; " between them; a name holding ";" or a double quote is
    written in double quotes (quotes doubled), so that no name reads as two."""
    cells = []
    for item in names:
        name, count = (item, None) if isinstance(item, str) else item
        if ";" in name or '"' in name:
            name = '"' + name.replace('"', '""') + '"'
        cells.append(name if count is None else f"{name} ({count})")
    return "; ".join(cells)


def _bcp_line(analysis: Analysis) -> str:
    """What BCP was taken over: the modules that ran in a use case, the proposed services holding one."""
    by_case = analysis.runtime.use_cases_by_module()
    measured = {module: service for module, service in analysis.service_of.items() if by_case.get(module)}
    services = {service.name for service in analysis.proposal.services} if analysis.proposal else set()
    return (f"  BCP is taken over the {len(measured)} modules that ran in a use case, in "
            f"{len(set(measured.values()) & services)} of {len(services)} proposed services (docs/metrics.md)")


def _never(analysis: Analysis) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The analysed modules, and those of them that never ran (with a trace read)."""
    modules = tuple(record.module for record in analysis.modules)
    return modules, analysis.runtime.never_executed(modules) if analysis.runtime else ()


def _crossing(analysis: Analysis) -> Counter[tuple[str, str]]:
    """Recorded calls per (calling service, called service), between two different services (not the kernel)."""
    service_of = analysis.service_of
    counts: Counter[tuple[str, str]] = Counter()
    for call in analysis.runtime.calls if analysis.runtime else ():
        source, target = service_of.get(call.caller), service_of.get(call.callee)
        if _across(source, target):
            counts[source, target] += call.calls
    return counts


def _across(source: str | None, target: str | None) -> bool:
    """Two different services; a call into or out of the shared kernel is a library call, no crossing."""
    return crosses(source, target)
