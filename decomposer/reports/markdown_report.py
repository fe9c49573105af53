"""report.md: the whole analysis on one page, with the service graph as a Mermaid block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from decomposer.model import Analysis
from decomposer.stages.ratchet import crossing_counts

__all__ = ["QUALITY_ROWS", "report_markdown", "write_markdown_report"]

QUALITY_ROWS = (
    ("modularity", "Modularity Q", "higher"),
    ("sm", "Structural modularity (SM)", "higher"),
    ("icp", "Inter-call percentage (ICP)", "lower"),
    ("ifn", "Interface number (IFN)", "lower"),
    ("ned", "Non-extreme distribution (NED)", "lower"),
    ("cochange_cohesion", "Co-change cohesion", "higher"),
    ("largest_share", "Largest service share", "lower"),
)


def report_markdown(analysis: Analysis, document: dict[str, Any], figures: tuple[str, ...] = ()) -> str:
    """The report as Markdown from `document` (`analysis_to_dict(analysis)`); `figures` names
    the PNG files written beside it."""
    repository, summary = document["repository"], document["summary"]
    head = (repository["head"] or "no commit")[:12]
    lines = [f"# decomposer report: {Path(repository['path']).name} @ {head}", "",
             f"- Packages: {repository['layout_reason']}",
             f"- Modules: {summary['modules']} analysed ({summary['loc']} lines of code), "
             f"{summary['excluded_modules']} excluded",
             f"- Imports: {summary['imports']} module-to-module edges from {summary['import_statements']} "
             "import statements"]
    history = document["history"]
    lines.append(f"- History: {history['commits_analyzed']} commits, {_day(history['window']['since'])} to "
                 f"{_day(history['window']['until'])} ({history['window']['description']})"
                 if history else "- History: not analysed")
    if document["warnings"]:
        lines.append(f"- Warnings: {len(document['warnings'])} (see analysis.json)")
    lines += _services(analysis, document, figures) + _quality(document) + _brittle(document, figures)
    lines += _plan(document, figures)
    return "\n".join(lines) + "\n"


def _day(moment: str | None) -> str:
    return moment[:10] if moment else "-"


def _services(analysis: Analysis, document: dict[str, Any], figures: tuple[str, ...]) -> list[str]:
    if not document["services"]:
        return []
    detection = document["detection"]
    lines = ["", "## Proposed services", "",
             f"{detection['algorithm']} at resolution {detection['resolution']:g}, seed {detection['seed']}"
             + (f"; agreement with {len(document['stability']['seeds'])} other seeds: adjusted Rand index "
                f"{document['stability']['mean_ari']:.2f}" if document["stability"] else "") + "."]
    if "services" in figures:
        lines += ["", "![Service graph](services.png)"]
    ids = {service["name"]: f"s{index}" for index, service in enumerate(document["services"])}
    lines += ["", "```mermaid", "graph LR"]
    lines += [f"  {ids[service['name']]}[\"{service['name']} ({service['size']})\"]" for service in document["services"]]
    service_of = {record["module"]: record["service"] for record in document["modules"]}
    edges = crossing_counts(analysis.imports, service_of, kernel=None)
    lines += [f"  {ids[a]} -->|{count}| {ids[b]}" for (a, b), count in sorted(edges.items())]
    lines += ["```", "", "| service | kind | modules | lines | packages |", "| --- | --- | ---: | ---: | --- |"]
    for service in document["services"]:
        packages = ", ".join(f"{item['package']} ({item['modules']})" for item in service["packages"])
        lines.append(f"| {service['name']} | {service['kind']} | {service['size']} | {service['loc']} | {packages} |")
    if "modules" in figures:
        lines += ["", "![Modules by service](modules.png)"]
    return lines


def _quality(document: dict[str, Any]) -> list[str]:
    if not document["quality"]:
        return []
    quality = document["quality"]
    lines = ["", "## Quality: the proposal next to the current package layout", "",
             "| figure | proposed | package layout | random | better |", "| --- | ---: | ---: | ---: | --- |"]
    for key, label, better in QUALITY_ROWS:
        cells = [quality[name][key] for name in ("proposed", "package_layout", "random")]
        lines.append(f"| {label} | " + " | ".join("-" if value is None else f"{value:.3f}" for value in cells)
                     + f" | {better} |")
    lines.append(f"| Groups | {quality['proposed']['groups']} | {quality['package_layout']['groups']} | "
                 f"{quality['random']['groups']} | |")
    return lines


def _brittle(document: dict[str, Any], figures: tuple[str, ...]) -> list[str]:
    ranked = sorted((record for record in document["modules"] if "brittleness_rank" in record),
                    key=lambda record: record["brittleness_rank"])[:10]
    if not ranked:
        return []
    lines = ["", "## Most brittle modules", ""]
    if "brittleness" in figures:
        lines += ["![Churn against coupling](brittleness.png)", ""]
    lines += ["| rank | module | score | hotspot | reasons |", "| ---: | --- | ---: | --- | --- |"]
    for record in ranked:
        lines.append(f"| {record['brittleness_rank']} | {record['module']} | {record['brittleness']:.2f} | "
                     f"{record['hotspot']} | {'; '.join(record['reasons'])} |")
    return lines


def _plan(document: dict[str, Any], figures: tuple[str, ...]) -> list[str]:
    steps, plan = document["plan"], document["plan_summary"]
    if not plan:
        return []
    lines = ["", "## Extraction plan", "",
             f"{plan['steps']} steps over {plan['sprints']} sprints of {plan['sprint_capacity']} change "
             f"points. Calls from extracted services into the monolith: {plan['outbound_weight']} "
             f"(reverse order: {plan['reverse_outbound_weight']}). Details in plan.md.", ""]
    if "plan" in figures:
        lines += ["![Plan timeline](plan.png)", ""]
    lines += ["| step | sprint | what | service | cost | benefit |", "| ---: | ---: | --- | --- | ---: | ---: |"]
    lines += [f"| {step['order']} | {step['sprint']} | {step['kind']} | {step['service']} | {step['cost']} | "
              f"{step['benefit']:.1f}% |" for step in steps]
    return lines


def write_markdown_report(analysis: Analysis, document: dict[str, Any], out_dir: Path,
                          figures: tuple[str, ...]) -> Path:
    """Write `report.md` into `out_dir` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.md"
    path.write_text(report_markdown(analysis, document, figures), encoding="utf-8")
    return path
