"""report.md: the whole analysis on one page, with the service graph as a Mermaid block."""

from __future__ import annotations

from pathlib import Path

from decomposer.model import PARTITIONS, Analysis, crossing_counts
from decomposer.schema import iso_time, sprint_count

__all__ = ["QUALITY_ROWS", "report_markdown", "write_markdown_report"]

# (QualityFigures field, label, which way is better)
QUALITY_ROWS = (
    ("modularity", "Modularity Q", "higher"),
    ("sm", "Structural modularity (SM)", "higher"),
    ("icp", "Inter-call percentage (ICP)", "lower"),
    ("ifn", "Interface number (IFN)", "lower"),
    ("ned", "Non-extreme distribution (NED)", "lower"),
    ("cochange_cohesion", "Co-change cohesion", "higher"),
    ("largest_share", "Largest service share", "lower"),
)


def report_markdown(analysis: Analysis, figures: tuple[str, ...] = ()) -> str:
    """The report as Markdown; `figures` names the PNG files written beside it."""
    modules = analysis.modules
    lines = [f"# decomposer report: {analysis.title}", "",
             f"- Packages: {analysis.repository.layout.reason}",
             f"- Modules: {len(modules)} analysed ({sum(record.loc for record in modules)} lines of code), "
             f"{len(analysis.excluded)} excluded",
             f"- Imports: {len(analysis.imports)} module-to-module edges from "
             f"{sum(edge.count for edge in analysis.imports)} import statements"]
    history = analysis.history
    lines.append(f"- History: {history.commits_analyzed} commits, {_day(history.window.since)} to "
                 f"{_day(history.window.until)} ({history.window.description})"
                 if history else "- History: not analysed")
    if analysis.warnings:
        lines.append(f"- Warnings: {len(analysis.warnings)} (see analysis.json)")
    lines += _services(analysis, figures) + _quality(analysis) + _brittle(analysis, figures)
    lines += _plan(analysis, figures)
    return "\n".join(lines) + "\n"


def _day(seconds: int | None) -> str:
    moment = iso_time(seconds)
    return moment[:10] if moment else "-"


def _services(analysis: Analysis, figures: tuple[str, ...]) -> list[str]:
    proposal = analysis.proposal
    if proposal is None or not proposal.services:
        return []
    detection, stability = proposal.detection, proposal.stability
    lines = ["", "## Proposed services", "",
             f"Consensus of up to {detection.consensus_runs} {detection.algorithm} runs at resolution "
             f"{proposal.resolution:g}, seed {detection.seed}"
             + (f"; full reruns under seeds {', '.join(map(str, stability.seeds))} agree at adjusted Rand "
                f"index {stability.mean_ari:.2f}" if stability else "") + "."]
    if "services" in figures:
        lines += ["", "![Service graph](services.png)"]
    ids = {service.name: f"s{index}" for index, service in enumerate(proposal.services)}
    lines += ["", "```mermaid", "graph LR"]
    lines += [f"  {ids[service.name]}[\"{service.name} ({len(service.modules)})\"]" for service in proposal.services]
    edges = crossing_counts(analysis.imports, analysis.service_of, kernel=None)
    lines += [f"  {ids[a]} -->|{count}| {ids[b]}" for (a, b), count in sorted(edges.items())]
    lines += ["```", "", "| service | kind | modules | lines | packages |", "| --- | --- | ---: | ---: | --- |"]
    for service in proposal.services:
        packages = ", ".join(f"{package} ({count})" for package, count in service.packages)
        lines.append(f"| {service.name} | {service.kind} | {len(service.modules)} | {service.loc} | {packages} |")
    if "modules" in figures:
        lines += ["", "![Modules by service](modules.png)"]
    return lines


def _quality(analysis: Analysis) -> list[str]:
    if analysis.proposal is None:
        return []
    quality = dict(analysis.proposal.quality)
    lines = ["", "## Quality: the proposal next to the current package layout", "",
             "| figure | proposed | package layout | random | better |", "| --- | ---: | ---: | ---: | --- |"]
    for key, label, better in QUALITY_ROWS:
        cells = [getattr(quality[name], key) for name in PARTITIONS]
        lines.append(f"| {label} | " + " | ".join("-" if value is None else f"{value:.3f}" for value in cells)
                     + f" | {better} |")
    lines.append("| Groups | " + " | ".join(str(quality[name].groups) for name in PARTITIONS) + " | |")
    return lines


def _brittle(analysis: Analysis, figures: tuple[str, ...]) -> list[str]:
    ranked = analysis.brittleness[:10]
    if not ranked:
        return []
    lines = ["", "## Most brittle modules", ""]
    if "brittleness" in figures:
        lines += ["![Churn against coupling](brittleness.png)", ""]
    lines += ["| rank | module | score | hotspot | reasons |", "| ---: | --- | ---: | --- | --- |"]
    for entry in ranked:
        lines.append(f"| {entry.rank} | {entry.module} | {entry.score:.2f} | "
                     f"{entry.hotspot} | {'; '.join(entry.reasons)} |")
    return lines


def _plan(analysis: Analysis, figures: tuple[str, ...]) -> list[str]:
    plan = analysis.plan
    if not plan:
        return []
    lines = ["", "## Extraction plan", "",
             f"{len(plan.steps)} steps over {sprint_count(plan)} sprints of {plan.capacity} change "
             f"points. Calls from extracted services into the monolith: {plan.outbound_weight} "
             f"(reverse order: {plan.reverse_outbound_weight}). Details in plan.md.", ""]
    if "plan" in figures:
        lines += ["![Plan timeline](plan.png)", ""]
    lines += ["| step | sprint | what | service | cost | benefit |", "| ---: | ---: | --- | --- | ---: | ---: |"]
    lines += [f"| {step.order} | {step.sprint} | {step.kind} | {step.service} | {step.cost} | "
              f"{step.benefit:.1f}% |" for step in plan.steps]
    return lines


def write_markdown_report(analysis: Analysis, out_dir: Path, figures: tuple[str, ...]) -> Path:
    """Write `report.md` into `out_dir` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.md"
    path.write_text(report_markdown(analysis, figures), encoding="utf-8")
    return path
