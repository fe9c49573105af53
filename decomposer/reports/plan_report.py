"""The extraction plan as Markdown and CSV (and plan.json, the plan sections of analysis.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from decomposer.model import CUT, EXTRACT, LIBRARY, SPLIT, Analysis, ImportSite, Plan, PlanStep
from decomposer.schema import COST_UNIT, plan_to_dict, sprint_count

__all__ = ["plan_markdown", "write_plan_files"]


def plan_markdown(plan: Plan, title: str) -> str:
    """The plan as a Markdown page a tech lead can paste into a planning document."""
    lines = [
        f"# Extraction plan: {title}", "",
        f"A strangler-fig plan: the monolith keeps running while services leave it one at a time, "
        f"never a big-bang rewrite. {len(plan.steps)} steps over {sprint_count(plan)} sprints of "
        f"{plan.capacity} change points ({COST_UNIT}).", "",
        f"Import statements from each extracted service into what is left of the monolith, summed "
        f"over the plan: {plan.outbound_weight} in this order, {plan.reverse_outbound_weight} in the "
        "reverse order.", "",
        "| step | sprint | what | service | modules | cost | benefit | calls into the monolith | calls from the monolith |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in plan.steps:
        sprint = f"{step.sprint}-{step.sprint + step.sprints - 1}" if step.sprints > 1 else str(step.sprint)
        lines.append(f"| {step.order} | {sprint} | {step.kind} | {step.service} | {len(step.modules)} | "
                     f"{step.cost} | {step.benefit:.1f}% | {_count(step.outbound)} | {_count(step.inbound)} |")
    for sprint in sorted({step.sprint for step in plan.steps}):
        lines += ["", f"## Sprint {sprint}"]
        for step in (step for step in plan.steps if step.sprint == sprint):
            lines += _step_markdown(step)
    return "\n".join(lines) + "\n"


def _step_markdown(step: PlanStep) -> list[str]:
    heading = {LIBRARY: "Publish the shared kernel", SPLIT: "Split the module", CUT: "Break the cycle",
               EXTRACT: "Extract"}[step.kind]
    spans = f" (spans {step.sprints} sprints)" if step.sprints > 1 else ""
    lines = ["", f"### Step {step.order}. {heading}: {step.service}{spans}", "", step.rationale]
    if step.surface:
        lines += ["", "Public surface (the API it must offer):"] + [f"- `{entry}`" for entry in step.surface]
    for label, sites in (("Imports to cut", step.cuts),
                         ("Calls from the monolith to re-route", step.inbound),
                         ("Calls into the monolith to replace", step.outbound)):
        if sites and not (label == "Imports to cut" and step.kind == LIBRARY and sites == step.outbound):
            lines += ["", f"{label}:"] + [f"- {_where(site)}" for site in sites]
    if step.risk and step.kind != CUT:
        lines += ["", "Riskiest modules: " + ", ".join(f"`{module}` ({score:.2f})" for module, score in step.risk)]
    return lines


def _where(site: ImportSite) -> str:
    names = f": {', '.join(site.names)}" if site.names else ""
    places = ", ".join(f"{site.path}:{line}" for line in site.lines)
    return f"`{site.importer}` imports `{site.imported}`{names} ({places})"


def _count(sites: tuple[ImportSite, ...]) -> int:
    return sum(site.count for site in sites)


def write_plan_files(analysis: Analysis, out_dir: Path, *, with_json: bool = False) -> list[Path]:
    """Write the analysis's plan as plan.md and plan.csv (and plan.json) into `out_dir`; return
    their paths (none without a plan)."""
    plan, title = analysis.plan, analysis.title
    if plan is None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown_path = out_dir / "plan.md"
    markdown_path.write_text(plan_markdown(plan, title), encoding="utf-8")
    csv_path = out_dir / "plan.csv"
    rows = [{"order": step.order, "sprint": step.sprint, "sprints": step.sprints, "kind": step.kind,
             "service": step.service, "modules": len(step.modules), "cost": step.cost,
             "benefit": step.benefit, "outbound_imports": _count(step.outbound),
             "inbound_imports": _count(step.inbound), "cuts": _count(step.cuts),
             "rationale": step.rationale} for step in plan.steps]
    pd.DataFrame(rows).to_csv(csv_path, index=False, lineterminator="\n")
    written = [markdown_path, csv_path]
    if with_json:
        json_path = out_dir / "plan.json"
        json_path.write_text(json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        written.append(json_path)
    return written
