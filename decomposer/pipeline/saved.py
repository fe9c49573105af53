"""The commands that start from a saved analysis.json: load it, take edited boundaries from an
assignment file, compute what the review page shows, check a repository against it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from decomposer.model import EXTRACT, Analysis, Assignment, AssignmentFigures, CheckResult, Planning
from decomposer.pipeline.analysis import _real, replan
from decomposer.pipeline.proposal import _coupling_graph, _measured, _rescored, _with_owners
from decomposer.sources.analysis_file import read_analysis
from decomposer.sources.assignment_file import read_assignment
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path
from decomposer.stages.assignment import assignment_figures as _figures_of, place_assignment
from decomposer.stages.import_graph import exclude_modules
from decomposer.stages.ratchet import check_crossings
from decomposer.stages.services import services_from_partition

__all__ = ["assignment_figures", "check", "load_analysis", "load_assignment", "reassign"]


def reassign(analysis: Analysis, assignment: Assignment, planning: Planning = Planning()) -> Analysis:
    """`analysis` with the services `assignment` says, measured and planned anew (no repository is read).

    Services (names, lines, packages), quality, table owners and crossing data links,
    brittleness (the same scores; new counts across services and reasons) and the plan are
    redone; stability, the layers' verticals and the modules to split by name stay the
    detection's (a split module's step now names the services of this assignment). What did not fit the file comes first in the
    analysis's warnings (with the file's name as their path).
    """
    if analysis.proposal is None:
        return replan(analysis, planning)
    detection = analysis.proposal.detection
    coupling = _coupling_graph(analysis, detection)
    package_of = {record.module: record.package for record in analysis.modules}
    proposed, warnings = place_assignment(assignment, tuple(package_of), coupling, package_of,
                                          analysis.repository.head)
    services = services_from_partition(proposed, package_of, {record.module: record.loc for record in analysis.modules})
    proposal = _measured(analysis, detection, analysis.proposal.resolution, services, coupling,
                         analysis.proposal.stability)
    # What the code is (layers' verticals, platform and multi-domain modules) stays; the consensus
    # confidences were of the detected services, not of these.
    proposal = dataclasses.replace(proposal, verticals=analysis.proposal.verticals,
                                   platform=analysis.proposal.platform, split=analysis.proposal.split)
    earlier = tuple(warning for warning in analysis.warnings if warning.path != assignment.source)
    analysis = _with_owners(dataclasses.replace(analysis, proposal=proposal, warnings=warnings + earlier))
    analysis = dataclasses.replace(analysis, brittleness=_rescored(analysis, detection.seed))
    return replan(analysis, planning)


def assignment_figures(analysis: Analysis, service_of: dict[str, str],
                       moved: frozenset[str] = frozenset()) -> AssignmentFigures:
    """The figures report.html recomputes after a move, for the partition `service_of` (stages.assignment)."""
    return _figures_of(service_of, analysis.imports, analysis.tables, analysis.data_links, moved)


def load_assignment(json_path: Path) -> Assignment:
    """Read an assignment file (docs/assignments.md).

    Raises:
        InvalidPath: missing, not JSON, or not an assignment; the message names the problem.
    """
    return read_assignment(json_path)


def load_analysis(json_path: Path) -> Analysis:
    """Read back an analysis.json that `decomposer analyze` wrote.

    Raises:
        InvalidPath: missing, not JSON, another schema, or a field missing or of the wrong type.
    """
    return read_analysis(json_path)


def check(repo_path: Path, analysis: Analysis, cache_dir: Path | None = None) -> CheckResult:
    """Re-read the import graph at `repo_path` and compare its crossing imports with `analysis`.

    Uses the saved analysis's packages, source root and exclude patterns; reads no history.
    """
    repo_dir = check_repo_path(repo_path)
    layout = analysis.repository.layout
    scan = scan_code(repo_dir, _real(repo_dir / layout.source_root), layout.packages, cache_dir=cache_dir)
    modules, imports, _ = exclude_modules(scan, analysis.exclude_patterns)
    steps = [(step.order, step.service) for step in (analysis.plan.steps if analysis.plan else ())
             if step.kind == EXTRACT]
    return check_crossings(analysis.imports, imports, analysis.service_of,
                           [source.module for source in modules], steps)


# `decomposer analyze PATH --graph FILE`: the same method on a graph from any language.

