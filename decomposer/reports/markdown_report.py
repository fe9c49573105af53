"""report.md: the whole analysis on one page, with the service graph as a Mermaid block."""

from __future__ import annotations

from collections import Counter

from decomposer.model import KERNEL, PARTITIONS, RELATION_KINDS, TABLE_KINDS, Analysis, crossing_counts
from decomposer.reports.markdown_text import md_text, mermaid_label
from decomposer.reports.runtime_report import runtime_markdown
from decomposer.schema import iso_time, sprint_count

__all__ = ["OPTIONAL_ROWS", "QUALITY_ROWS", "report_markdown"]

# (QualityFigures field, label, which way is better)
QUALITY_ROWS = (
    ("modularity", "Modularity Q", "higher"),
    ("sm", "Structural modularity (SM)", "higher"),
    ("icp", "Inter-call percentage (ICP)", "lower"),
    ("ifn", "Interface number (IFN)", "lower"),
    ("ned", "Non-extreme distribution (NED)", "lower"),
    ("cochange_cohesion", "Co-change cohesion", "higher"),
    ("largest_share", "Largest service share", "lower"),
    ("crossing_data_links", "Data links across services", "lower"),
    ("crossing_data_share", "Share of data links across", "lower"),
    ("bcp", "Business context purity (BCP)", "lower"),
    ("crossing_runtime_share", "Share of runtime calls across", "lower"),
)
OPTIONAL_ROWS = frozenset({"crossing_data_links", "crossing_data_share", "bcp", "crossing_runtime_share"})  # None: not measured


def report_markdown(analysis: Analysis, figures: tuple[str, ...] = ()) -> str:
    """The report as Markdown; `figures` names the PNG files written beside it."""
    modules = analysis.modules
    lines = [f"# decomposer report: {md_text(analysis.title)}", "",
             f"- Packages: {md_text(analysis.repository.layout.reason)}",
             f"- Modules: {len(modules)} analysed ({sum(record.loc for record in modules)} lines of code), "
             f"{len(analysis.excluded)} excluded",
             f"- Imports: {len(analysis.imports)} module-to-module edges from "
             f"{sum(edge.count for edge in analysis.imports)} import statements"]
    history = analysis.history
    lines.append(f"- History: {history.commits_analyzed} commits, {_day(history.window.since)} to "
                 f"{_day(history.window.until)} ({md_text(history.window.description)})"
                 if history else "- History: not analysed")
    if analysis.warnings:
        lines.append(f"- Warnings: {len(analysis.warnings)} (see analysis.json)")
    lines += _services(analysis, figures) + _data(analysis, figures) + _quality(analysis)
    lines += runtime_markdown(analysis) + _brittle(analysis, figures) + _plan(analysis, figures)
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
    lines += [f"  {ids[service.name]}[\"{mermaid_label(service.name)} ({len(service.modules)})\"]"
              for service in proposal.services]
    edges = crossing_counts(analysis.imports, analysis.service_of, kernel=None)
    lines += [f"  {ids[a]} -->|{count}| {ids[b]}" for (a, b), count in sorted(edges.items())]
    lines += ["```", "", "| service | kind | modules | lines | packages |", "| --- | --- | ---: | ---: | --- |"]
    for service in proposal.services:
        packages = ", ".join(f"{md_text(package)} ({count})" for package, count in service.packages)
        lines.append(f"| {md_text(service.name)} | {service.kind} | {len(service.modules)} | {service.loc} | "
                     f"{packages} |")
    if "modules" in figures:
        lines += ["", "![Modules by service](modules.png)"]
    return lines


def _data(analysis: Analysis, figures: tuple[str, ...]) -> list[str]:
    if not analysis.tables or analysis.proposal is None:
        return []
    owned = [table for table in analysis.tables if table.service and table.kind != "abstract"]
    crossing = [link for link in analysis.data_links if link.crossing]
    hidden = [link for link in crossing if link.kind in RELATION_KINDS and not link.import_visible]
    lines = ["", "## Data ownership", "",
             f"{len(owned)} tables found in the code ({_count_kinds(analysis)}); "
             f"{len(crossing)} of {len(analysis.data_links)} data links cross the proposed services, "
             f"{len(hidden)} of them relations that no import shows. Every link with its file:line and "
             "a way to cut it is in data_links.csv."]
    if "data" in figures:
        lines += ["", "![Tables by owning service](data.png)"]
    lines += ["", "| service | tables |", "| --- | --- |"]
    for owner in sorted({table.service for table in owned}):
        names = ", ".join(md_text(f"{table.model} ({table.table})" if table.table else table.model)
                          for table in owned if table.service == owner)
        lines.append(f"| {md_text(owner)}{' (shared data: give each table an owner)' if owner == KERNEL else ''} "
                     f"| {names} |")
    return lines


def _count_kinds(analysis: Analysis) -> str:
    counts = Counter(table.kind for table in analysis.tables)
    return ", ".join(f"{counts[kind]} {kind}" for kind in TABLE_KINDS if counts[kind])


def _quality(analysis: Analysis) -> list[str]:
    if analysis.proposal is None:
        return []
    quality = dict(analysis.proposal.quality)
    lines = ["", "## Quality: the proposal next to the current package layout", "",
             "| figure | proposed | package layout | random | better |", "| --- | ---: | ---: | ---: | --- |"]
    for key, label, better in QUALITY_ROWS:
        cells = [getattr(quality[name], key) for name in PARTITIONS]
        if all(value is None for value in cells) and key in OPTIONAL_ROWS:
            continue  # no ORM models: no data rows; no traces: no runtime rows
        lines.append(f"| {label} | " + " | ".join(_figure(value) for value in cells) + f" | {better} |")
    lines.append("| Groups | " + " | ".join(str(quality[name].groups) for name in PARTITIONS) + " | |")
    return lines


def _figure(value: float | int | None) -> str:
    return "-" if value is None else (str(value) if isinstance(value, int) else f"{value:.3f}")


def _brittle(analysis: Analysis, figures: tuple[str, ...]) -> list[str]:
    ranked = analysis.brittleness[:10]
    if not ranked:
        return []
    lines = ["", "## Most brittle modules", ""]
    if "brittleness" in figures:
        lines += ["![Churn against coupling](brittleness.png)", ""]
    lines += ["| rank | module | score | hotspot | reasons |", "| ---: | --- | ---: | --- | --- |"]
    for entry in ranked:
        lines.append(f"| {entry.rank} | {md_text(entry.module)} | {entry.score:.2f} | "
                     f"{entry.hotspot} | {md_text('; '.join(entry.reasons))} |")
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
    lines += [f"| {step.order} | {step.sprint} | {step.kind} | {md_text(step.service)} | {step.cost} | "
              f"{step.benefit:.1f}% |" for step in plan.steps]
    return lines

