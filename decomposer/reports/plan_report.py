"""The extraction plan as JSON (inside analysis.json and plan.json), Markdown and CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from decomposer.model import ImportSite, Plan, PlanStep

__all__ = ["plan_markdown", "plan_steps", "plan_summary", "plan_to_dict", "write_plan_files"]

COST_UNIT = ("change points: one per import statement to cut or re-route and per module to move; "
             "an import into the monolith counts twice")


def plan_to_dict(plan: Plan | None) -> dict[str, Any]:
    """The `plan` (the steps, in order) and `plan_summary` sections of analysis.json."""
    return {"plan": plan_steps(plan), "plan_summary": plan_summary(plan)}


def plan_steps(plan: Plan | None) -> list[dict[str, Any]]:
    """Every step of the plan, in order."""
    return [] if plan is None else [_step(step) for step in plan.steps]


def plan_summary(plan: Plan | None) -> dict[str, Any] | None:
    """The facts about the plan as a whole: capacity, sprints, cycles, the order's figure."""
    if plan is None:
        return None
    return {
        "sprint_capacity": plan.capacity,
        "cost_unit": COST_UNIT,
        "sprints": _sprint_count(plan),
        "steps": len(plan.steps),
        "cycles": [list(cycle) for cycle in plan.cycles],
        "outbound_weight": plan.outbound_weight,
        "reverse_outbound_weight": plan.reverse_outbound_weight,
    }


def _step(step: PlanStep) -> dict[str, Any]:
    return {
        "order": step.order, "sprint": step.sprint, "sprints": step.sprints, "kind": step.kind,
        "service": step.service, "modules": list(step.modules), "cost": step.cost,
        "benefit": step.benefit,
        "outbound_imports": [_site(site) for site in step.outbound],
        "inbound_imports": [_site(site) for site in step.inbound],
        "cuts": [_site(site) for site in step.cuts],
        "surface": list(step.surface),
        "risk": [{"module": module, "brittleness": score} for module, score in step.risk],
        "rationale": step.rationale,
    }


def _site(site: ImportSite) -> dict[str, Any]:
    return {"importer": site.importer, "imported": site.imported, "path": site.path,
            "lines": list(site.lines), "names": list(site.names)}


def _sprint_count(plan: Plan) -> int:
    return max((step.sprint + step.sprints - 1 for step in plan.steps), default=0)


def plan_markdown(plan: Plan, title: str) -> str:
    """The plan as a Markdown page a tech lead can paste into a planning document."""
    lines = [
        f"# Extraction plan: {title}", "",
        f"A strangler-fig plan: the monolith keeps running while services leave it one at a time, "
        f"never a big-bang rewrite. {len(plan.steps)} steps over {_sprint_count(plan)} sprints of "
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
    heading = {"library": "Publish the shared kernel", "cut": "Break the cycle",
               "extract": "Extract"}[step.kind]
    spans = f" (spans {step.sprints} sprints)" if step.sprints > 1 else ""
    lines = ["", f"### Step {step.order}. {heading}: {step.service}{spans}", "", step.rationale]
    if step.surface:
        lines += ["", "Public surface (the API it must offer):"] + [f"- `{entry}`" for entry in step.surface]
    for label, sites in (("Imports to cut", step.cuts),
                         ("Calls from the monolith to re-route", step.inbound),
                         ("Calls into the monolith to replace", step.outbound)):
        if sites and not (label == "Imports to cut" and step.kind == "library" and sites == step.outbound):
            lines += ["", f"{label}:"] + [f"- {_where(site)}" for site in sites]
    if step.risk and step.kind != "cut":
        lines += ["", "Riskiest modules: " + ", ".join(f"`{module}` ({score:.2f})" for module, score in step.risk)]
    return lines


def _where(site: ImportSite) -> str:
    names = f": {', '.join(site.names)}" if site.names else ""
    places = ", ".join(f"{site.path}:{line}" for line in site.lines)
    return f"`{site.importer}` imports `{site.imported}`{names} ({places})"


def _count(sites: tuple[ImportSite, ...]) -> int:
    return sum(site.count for site in sites)


def write_plan_files(plan: Plan, out_dir: Path, title: str, *, with_json: bool = False) -> list[Path]:
    """Write plan.md and plan.csv (and plan.json) into `out_dir`; return their paths."""
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
