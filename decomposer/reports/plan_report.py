"""The extraction plan as Markdown and CSV (and plan.json, the plan sections of analysis.json)."""

from __future__ import annotations

import json


from decomposer.model import (
    CUT,
    EXTRACT,
    LIBRARY,
    SPLIT,
    SPLIT_DATA,
    SPLIT_MODULE,
    Analysis,
    ImportSite,
    Plan,
    PlanStep,
)
from decomposer.reports.csv_report import csv_text
from decomposer.reports.markdown_text import md_code, md_text
from decomposer.reports.runtime_report import join_use_cases, step_runtime_lines
from decomposer.schema import COST_UNIT, plan_to_dict, sprint_count

__all__ = ["plan_files", "plan_markdown"]


def plan_markdown(plan: Plan, title: str) -> str:
    """The plan as a Markdown page a tech lead can paste into a planning document."""
    lines = [
        f"# Extraction plan: {md_text(title)}", "",
        f"A strangler-fig plan: the monolith keeps running while services leave it one at a time, "
        f"never a big-bang rewrite. {len(plan.steps)} steps over {sprint_count(plan)} sprints of "
        f"{plan.capacity} change points ({COST_UNIT}).", "",
        f"Import statements from each extracted service into what is left of the monolith, summed "
        f"over the plan: {plan.outbound_weight} in this order, {plan.reverse_outbound_weight} in the "
        "reverse order.", "",
        "| step | sprint | what | service | modules | cost | benefit | calls into the monolith | calls from the monolith "
        "| data links to cut |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in plan.steps:
        sprint = f"{step.sprint}-{step.sprint + step.sprints - 1}" if step.sprints > 1 else str(step.sprint)
        lines.append(f"| {step.order} | {sprint} | {step.kind} | {md_text(step.service)} | {len(step.modules)} | "
                     f"{step.cost} | {step.benefit:.1f}% | {_count(step.outbound)} | {_count(step.inbound)} | "
                     f"{len(step.data_cuts)} |")
    for sprint in sorted({step.sprint for step in plan.steps}):
        lines += ["", f"## Sprint {sprint}"]
        for step in (step for step in plan.steps if step.sprint == sprint):
            lines += _step_markdown(step)
    return "\n".join(lines) + "\n"


def _step_markdown(step: PlanStep) -> list[str]:
    heading = {LIBRARY: "Publish the shared kernel", SPLIT_DATA: "Give the shared tables owners",
               SPLIT: "Split the module", SPLIT_MODULE: "Split a models module", CUT: "Break the cycle",
               EXTRACT: "Extract"}[step.kind]
    spans = f" (spans {step.sprints} sprints)" if step.sprints > 1 else ""
    lines = ["", f"### Step {step.order}. {heading}: {md_text(step.service)}{spans}", "", md_text(step.rationale)]
    if step.surface:
        lines += ["", "Public surface (the API it must offer):"] + [f"- {md_code(entry)}" for entry in step.surface]
    for label, sites in (("Imports to cut", step.cuts),
                         ("Calls from the monolith to re-route", step.inbound),
                         ("Calls into the monolith to replace", step.outbound)):
        if sites and not (label == "Imports to cut" and step.kind == LIBRARY and sites == step.outbound):
            lines += ["", f"{label}:"] + [f"- {_where(site)}" for site in sites]
    for label, outbound in (("Data links into the monolith to cut", True),
                            ("Data links from the monolith to re-route", False)):
        cuts = [cut for cut in step.data_cuts if cut.outbound == outbound]
        if cuts:
            lines += ["", f"{label}:"] + [
                f"- {cut.kind} {md_code(cut.source)} -> {md_code(cut.target)} ({md_text(cut.path)}:{cut.line}): "
                f"{cut.pattern}" for cut in cuts]
    lines += step_runtime_lines(step)
    if step.risk and step.kind not in (CUT, SPLIT_DATA, SPLIT_MODULE):
        lines += ["", "Riskiest modules: " + ", ".join(f"{md_code(module)} ({score:.2f})" for module, score in step.risk)]
    return lines


def _where(site: ImportSite) -> str:
    names = f": {md_text(', '.join(site.names))}" if site.names else ""
    places = ", ".join(f"{md_text(site.path)}:{line}" for line in site.lines)
    return f"{md_code(site.importer)} imports {md_code(site.imported)}{names} ({places})"


def _count(sites: tuple[ImportSite, ...]) -> int:
    return sum(site.count for site in sites)


def plan_files(analysis: Analysis, *, with_json: bool = False) -> dict[str, str]:
    """The analysis's plan as plan.md and plan.csv (and plan.json), by file name; none without a plan."""
    plan = analysis.plan
    if plan is None:
        return {}
    rows = [{"order": step.order, "sprint": step.sprint, "sprints": step.sprints, "kind": step.kind,
             "service": step.service, "modules": len(step.modules), "cost": step.cost,
             "benefit": step.benefit, "outbound_imports": _count(step.outbound),
             "inbound_imports": _count(step.inbound), "cuts": _count(step.cuts),
             "data_cuts_out": sum(cut.outbound for cut in step.data_cuts),
             "data_cuts_in": sum(not cut.outbound for cut in step.data_cuts),
             **({"runtime_calls": step.runtime_calls, "runtime_use_cases": join_use_cases(step.runtime_use_cases)}
                if analysis.runtime is not None else {}),
             "rationale": step.rationale} for step in plan.steps]
    files = {"plan.md": plan_markdown(plan, analysis.title),
             "plan.csv": csv_text(rows)}
    if with_json:
        files["plan.json"] = json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
    return files
