"""The short summary printed on the terminal after a run."""

from __future__ import annotations

from collections import Counter

from decomposer.model import (
    BORDERLINE,
    CUT,
    EXTRACT,
    KERNEL,
    LIBRARY,
    MIGRATION,
    PARTITIONS,
    RELATION_KINDS,
    SERVICE,
    SPLIT,
    SPLIT_DATA,
    SPLIT_MODULE,
    TEST,
    TOOLING,
    Analysis,
    Plan,
    QualityFigures,
    crossing_counts,
)
from decomposer.reports.markdown_report import OPTIONAL_ROWS, QUALITY_ROWS
from decomposer.reports.runtime_report import runtime_lines
from decomposer.schema import iso_time, sprint_count

__all__ = ["plan_lines", "reassigned_lines", "summary_lines"]

_TOP = 5


def summary_lines(analysis: Analysis) -> list[str]:
    """Return the summary as lines of plain text, most useful first."""
    repository = analysis.repository
    modules = analysis.modules
    statements = sum(edge.count for edge in analysis.imports)
    lines = [
        f"Repository: {repository.path} @ {repository.head[:12] if repository.head else 'no commit'}",
        f"Packages:   {repository.layout.reason}",
        f"Modules:    {len(modules)} analysed, {len(analysis.excluded)} excluded "
        f"({sum(record.loc for record in modules)} lines of code)",
        *_role_lines(analysis),
        f"Imports:    {len(analysis.imports)} module-to-module edges from {statements} import statements",
        f"Layout:     {len({record.package for record in modules})} packages at depth {analysis.package_depth}",
    ]
    most_imported = sorted(modules, key=lambda record: (-record.fan_in, record.module))[:_TOP]
    if most_imported and most_imported[0].fan_in:
        lines.append("Most imported:")
        lines += [f"  {record.fan_in:5d}  {record.module}" for record in most_imported if record.fan_in]
    lines += _history_lines(analysis)
    lines += _proposal_lines(analysis)
    lines += _data_lines(analysis)
    lines += runtime_lines(analysis)
    lines += _brittle_lines(analysis)
    lines += plan_lines(analysis.plan) if analysis.plan else []
    if analysis.warnings:
        lines.append(f"Warnings:   {len(analysis.warnings)}")
        lines += [f"  {warning.path}: {warning.message}" if warning.path else f"  {warning.message}"
                  for warning in analysis.warnings[:_TOP]]  # "": about the whole run (a trace file)
        if len(analysis.warnings) > _TOP:
            lines.append(f"  ... and {len(analysis.warnings) - _TOP} more in analysis.json")
    return lines


def reassigned_lines(before: Analysis, after: Analysis) -> list[str]:
    """What the edited boundaries change: services, crossing statements, ICP, crossing data links."""
    def figures(analysis: Analysis) -> tuple[int, int, float, int | None]:
        services = [service for service in analysis.proposal.services if service.kind == SERVICE]
        quality = dict(analysis.proposal.quality)["proposed"]
        return (len(services), sum(crossing_counts(analysis.imports, analysis.service_of).values()), quality.icp,
                quality.crossing_data_links)

    old, new = figures(before), figures(after)
    moved = sum(1 for module, service in after.service_of.items() if before.service_of.get(module) != service)
    lines = [f"Boundaries: {_plural(moved, 'module')} placed otherwise than in the analysis; "
             f"{new[0]} services (was {old[0]})",
             f"Crossing:   {new[1]} import statements (was {old[1]}), ICP {new[2]:.3f} (was {old[2]:.3f})"]
    if new[3] is not None:
        lines.append(f"Data links: {new[3]} cross the boundaries (was {old[3]})")
    return lines


def _history_lines(analysis: Analysis) -> list[str]:
    history = analysis.history
    if history is None:
        return ["History:    not analysed"]
    window = history.window
    since, until = iso_time(window.since), iso_time(window.until)
    lines = [
        f"History:    {history.commits_analyzed} commits, {since[:10] if since else '-'} to "
        f"{until[:10] if until else '-'} ({window.description}); "
        f"{_plural(history.skipped_large_commits, 'large commit')} left out of co-change",
    ]
    busiest = sorted((churn for churn in analysis.churn if churn.commits),
                     key=lambda churn: (-churn.commits, churn.module))[:_TOP]
    if busiest:
        lines.append("Changed most:")
        lines += [f"  {churn.commits:5d}  {churn.module}" for churn in busiest]
    if analysis.cochange:
        lines.append("Change together (degree %, shared commits):")
        lines += [f"  {pair.degree:5.1f}  {pair.shared_commits:4d}  {pair.a} + {pair.b}"
                  for pair in analysis.cochange[:_TOP]]
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _proposal_lines(analysis: Analysis) -> list[str]:
    proposal = analysis.proposal
    if proposal is None:
        return []
    detection = proposal.detection
    services = [service for service in proposal.services if service.kind == SERVICE]
    stability = (f"; full reruns under seeds {', '.join(map(str, proposal.stability.seeds))} agree at "
                 f"ARI {proposal.stability.mean_ari:.2f}" if proposal.stability else "")
    lines = [f"Services:   {_plural(len(services), 'service')} proposed ({detection.algorithm}, "
             f"resolution {proposal.resolution:g}, seed {detection.seed}){stability}"]
    for service in proposal.services:
        top = ", ".join(f"{package} ({count})" for package, count in service.packages[:2])
        lines.append(f"  {service.name:24s} {len(service.modules):5d} modules {service.loc:7d} loc   {top}")
    if proposal.stability and proposal.stability.moving:
        lines.append("  Moves under another seed: " + _named(module for module, _ in proposal.stability.moving))
    borderline = sorted((share, module) for module, share in proposal.confidence if share < BORDERLINE)
    if borderline:
        lines.append(f"  Borderline (with their service in under {BORDERLINE:.0%} of the consensus runs): "
                     + _named(module for _, module in borderline))
    lines += _giant_lines(proposal) + _count_lines(proposal)
    quality = dict(proposal.quality)
    lines.append(f"Quality:    {'':20s} {'proposed':>9s} {'layout':>9s} {'random':>9s}")
    for key, label, better in QUALITY_ROWS:
        values = [getattr(quality[name], key) for name in PARTITIONS]
        if all(value is None for value in values) and key in OPTIONAL_ROWS:
            continue  # no ORM models: no data rows; no traces: no runtime rows
        cells = " ".join(f"{'-':>9s}" if value is None else (f"{value:9d}" if isinstance(value, int)
                                                            else f"{value:9.3f}") for value in values)
        lines.append(f"  {label:30s} {cells}   ({better} is better)")
    return lines + _layout_hint(quality["proposed"], quality["package_layout"])


def _giant_lines(proposal) -> list[str]:
    """Services still over the giant share: explained, so nobody takes them for a plan."""
    total = sum(service.loc for service in proposal.services) or 1
    limit = proposal.detection.max_service_share
    return [f"  Note: {service.name} holds {service.loc / total:.0%} of the lines (over {limit:.0%}): "
            + ("kept whole because --services asked for that many" if proposal.detection.target_services
               else "its consensus runs never separate it, so split it by hand or raise --resolution")
            for service in proposal.services if service.kind == SERVICE and service.loc > limit * total]


def _count_lines(proposal) -> list[str]:
    """Fewer services than --services asked for: the runs never separate the rest."""
    target = proposal.detection.target_services
    found = sum(service.kind == SERVICE for service in proposal.services)
    if target is None or found == target:
        return []
    why = ("no consensus run separates the largest any further" if found < target
           else "the smallest are coupled to no other service")
    return [f"  Note: --services asked for {target}; {found} {'is' if found == 1 else 'are'} proposed, since {why}"]


def _role_lines(analysis: Analysis) -> list[str]:
    """Tests, migrations and tooling found by their code, so the user sees what was set apart."""
    counts = Counter(role.role for role in analysis.roles)
    lines = []
    left_out = [_plural(counts[role], name) for role, name in ((MIGRATION, "migration"), (TEST, "test module"))
                if counts[role]]
    if left_out:
        lines.append(f"            left out by their code: {' and '.join(left_out)}")
    if counts[TOOLING]:
        lines.append(f"            {_plural(counts[TOOLING], 'tooling module')} (lint plugins, scripts, settings) "
                     "kept out of the services (--keep-tooling to propose them)")
    return lines


def _named(modules) -> str:
    modules = list(modules)
    more = f" and {len(modules) - _TOP} more" if len(modules) > _TOP else ""
    return ", ".join(modules[:_TOP]) + more


def _layout_hint(proposed: QualityFigures, layout: QualityFigures) -> list[str]:
    """Say so when the current layout beats the proposal where it matters most."""
    worse_icp = proposed.icp > layout.icp
    worse_cochange = (proposed.cochange_cohesion is not None and layout.cochange_cohesion is not None
                      and proposed.cochange_cohesion < layout.cochange_cohesion)
    if not (worse_icp and (worse_cochange or proposed.cochange_cohesion is None)):
        return []
    giant = f" (its largest package holds {layout.largest_share:.0%} of the modules)" if layout.largest_share > 0.3 else ""
    return [f"  Note: the package layout{giant} beats this proposal on ICP"
            + (" and co-change cohesion" if worse_cochange else "")
            + "; read the proposal as where to split further, or try --granularity package or --services N."]


def _data_lines(analysis: Analysis) -> list[str]:
    """Tables, the data links that cross services, the hidden ones, and shared data."""
    if not analysis.tables or analysis.proposal is None:
        return []
    concrete = [table for table in analysis.tables if table.kind == "concrete"]
    crossing = [link for link in analysis.data_links if link.crossing]
    hidden = sum(1 for link in crossing if link.kind in RELATION_KINDS and not link.import_visible)
    shared = [table.model for table in concrete if table.service == KERNEL]
    moved = sorted({table.module for table in concrete if table.module in analysis.service_of
                    and table.service != analysis.service_of[table.module]})
    lines = [f"Data:       {len(concrete)} tables; {len(crossing)} of {len(analysis.data_links)} data links cross "
             f"services ({hidden} relation{'s' if hidden != 1 else ''} no import shows); data_links.csv lists each"]
    if shared:
        lines.append(f"  Shared data in the kernel (the plan gives each table an owner first): {', '.join(shared[:_TOP])}"
                     + (f" and {len(shared) - _TOP} more" if len(shared) > _TOP else ""))
    if moved:
        lines.append(f"  Models modules split between services: {', '.join(moved[:_TOP])}"
                     + (f" and {len(moved) - _TOP} more" if len(moved) > _TOP else ""))
    return lines


def _brittle_lines(analysis: Analysis) -> list[str]:
    if not analysis.brittleness:
        return []
    lines = ["Most brittle (score, hotspot, reasons):"]
    for entry in analysis.brittleness[:10]:
        lines.append(f"  {entry.rank:3d}. {entry.score:.2f}  {entry.module}  [{entry.hotspot}]")
        lines += [f"         - {reason}" for reason in entry.reasons[:3]]
    return lines


def plan_lines(plan: Plan) -> list[str]:
    """The extraction plan in a few lines: one per step."""
    lines = [f"Plan:       {len(plan.steps)} steps over {sprint_count(plan)} sprints of {plan.capacity} change points; "
             f"calls from extracted services into the monolith: {plan.outbound_weight} "
             f"(reverse order: {plan.reverse_outbound_weight})"]
    for step in plan.steps:
        what = {LIBRARY: "publish library", SPLIT_DATA: "split data", SPLIT: "split facade",
                SPLIT_MODULE: "split models", CUT: "break cycle", EXTRACT: "extract"}[step.kind]
        spans = f" (spans {step.sprints} sprints)" if step.sprints > 1 else ""
        lines.append(f"  {step.order:2d}. sprint {step.sprint:2d}  {what:15s} {step.service}  "
                     f"[cost {step.cost}, benefit {step.benefit:.1f}%]{spans}")
    return lines
