"""One run of `decomposer analyze`: the only place where the stages meet.

Principles: sources read the outside world and return plain records; stages are pure
functions of those records; reports only format an `Analysis`. Data flows in numbered steps:

1. check the path and discover the layout: which packages, under which source root;
2. scan the code with grimp: modules on disk and every import statement between them;
3. leave out excluded modules (tests, migrations, user patterns) and their imports;
4. build the import graph and one record per module (fan-in/out, package in the layout); read
   the ORM models (Django, SQLAlchemy) with `ast`: tables, relations, queries, transactions;
5. ask git for HEAD; mine the non-merge commits of the window that touch the analysed
   packages' Python files (from the cache when HEAD and settings are unchanged);
6. follow renames to HEAD's paths, then count churn per module and change coupling per pair;
7. find the shared kernel, build the coupling graph (imports + co-change + data links) without
   it, and detect communities: the proposed services, named after their dominant package; give
   each table an owning service and mark the data links that cross the boundaries;
8. measure the proposal, the current package layout and a random partition of the same sizes
   with the same figures, and rerun the detection under other seeds to measure its stability;
9. score every module's brittleness from its coupling, cycles and churn, with its reasons;
10. plan the extraction: kernel first, then the service with the fewest calls back into the
    monolith, cycles cut before their services leave, packed into sprints.

Every other command starts from a saved analysis.json, read back into the same typed
`Analysis` (`load_analysis`): `replan` redoes step 10 with other settings, `reassign` takes
the services from an assignment file (docs/assignments.md) and redoes steps 7 (as assigned),
8 and 10 (`analyze` with `Settings.assignment` does the same in place of the detection), `check` redoes
steps 2-3 and compares the imports that cross the saved boundaries, and the gates are a
report of the loaded analysis. Nothing here writes a file: reports.writer does, and it
refuses any folder inside the analysed repository.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from decomposer.config import HistorySettings, Settings
from decomposer.errors import PackageNotFound
from decomposer.model import (
    EXTRACT,
    KERNEL,
    PARTITIONS,
    Analysis,
    AnalysisWarning,
    Assignment,
    AssignmentFigures,
    BrittleModule,
    CheckResult,
    Detection,
    HistorySummary,
    HistoryWindow,
    Layout,
    MinedHistory,
    Plan,
    PlanInputs,
    Planning,
    Proposal,
    RepoState,
    Repository,
    Scoring,
    Service,
    SourceModule,
    Stability,
)
from decomposer.sources.analysis_file import read_analysis
from decomposer.sources.assignment_file import read_assignment
from decomposer.sources.cache import history_key, load_history, store_history
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.sources.git import WindowRequest, mine_history, read_repo_state
from decomposer.sources.models import scan_models
from decomposer.stages.assignment import assignment_figures as _figures_of, place_assignment
from decomposer.stages.brittleness import rank_brittleness
from decomposer.stages.communities import detect_over_seeds, search_resolution
from decomposer.stages.coupling import build_coupling_graph
from decomposer.stages.data import annotate_links, assign_owners, crossing_data, hidden_data_reasons, module_data_pairs
from decomposer.stages.history import (
    change_coupling,
    churn_by_module,
    follow_renames,
    months_before,
    parse_day,
)
from decomposer.stages.import_graph import (
    build_import_graph,
    choose_package_depth,
    exclude_modules,
    module_records,
)
from decomposer.stages.kernel import find_shared_kernel
from decomposer.stages.quality import partition_quality
from decomposer.stages.ratchet import check_crossings
from decomposer.stages.services import name_services, random_partition, services_from_partition
from decomposer.stages.stability import measure_stability
from decomposer.stages.strangler import plan_extraction

__all__ = ["analyze", "assignment_figures", "check", "load_analysis", "load_assignment", "plan_inputs",
           "python_pathspecs", "reassign", "replan", "repository_dir", "run"]

Progress = Callable[[str], None]


def analyze(settings: Settings, progress: Progress = lambda message: None) -> Analysis:
    """Analyse the repository named in `settings`.

    Args:
        settings: the run's settings.
        progress: called with a short message as each long step starts.

    Raises:
        DecomposerError: the input cannot be analysed; the message says why and what to do.
    """
    scan_settings = settings.scan
    repo_dir = check_repo_path(settings.repo_path)
    layout = discover_layout(repo_dir, scan_settings.packages, scan_settings.source_root)
    progress(f"Scanning imports in {', '.join(layout.packages)} (source root: {layout.source_root})")
    scan = scan_code(
        repo_dir,
        _real(repo_dir / layout.source_root),
        layout.packages,
        exclude_type_checking=scan_settings.exclude_type_checking,
        cache_dir=settings.cache_dir,
    )
    modules, imports, excluded = exclude_modules(scan, scan_settings.exclude_patterns)
    if not modules:
        raise PackageNotFound(
            f"all {len(excluded)} modules in {repo_dir} match the exclude patterns; "
            "check exclude or pass --no-default-excludes"
        )
    graph = build_import_graph(modules, imports)
    progress("Reading ORM models")
    models = scan_models(repo_dir, modules)
    depth = scan_settings.package_depth or choose_package_depth(modules, layout.packages)
    state = read_repo_state(repo_dir)
    mined, history_warnings = _mine(settings, repo_dir, layout, state, progress)
    analysis = Analysis(
        repository=Repository(path=str(repo_dir), head=state.head, layout=layout),
        modules=module_records(modules, graph, depth),
        imports=imports,
        excluded=excluded,
        exclude_patterns=scan_settings.exclude_patterns,
        package_depth=depth,
        warnings=history_warnings + scan.warnings + _new_paths(models.warnings, scan.warnings),
        tables=models.tables,
        data_links=models.links,
        scoring=settings.scoring,
        recent_days=settings.history.recent_days,
    )
    if mined is not None:
        analysis = _with_history(analysis, mined, {source.path: source.module for source in modules},
                                 settings.history, state)
    progress("Proposing services" if settings.assignment is None else "Placing modules as assigned")
    proposal, placed = _propose(analysis, settings, graph)
    analysis = _with_owners(dataclasses.replace(analysis, proposal=proposal, warnings=analysis.warnings + placed))
    progress("Ranking brittle modules")
    analysis = dataclasses.replace(analysis, brittleness=_brittleness(analysis, settings.detection.seed, graph,
                                                                      scan.cycle_breakers))
    progress("Planning the extraction")
    return replan(analysis, settings.planning)


run = analyze  # the name of the Python API's entry point since 0.1


def repository_dir(path: Path) -> Path:
    """The analysed repository's folder, resolved; a clear error when it cannot be analysed."""
    return check_repo_path(path)


def _real(path: Path) -> Path:
    """`path` with symlinks resolved; a symlink loop stays as it is (the scan then reports it)."""
    return Path(os.path.realpath(path))


def _new_paths(warnings: tuple[AnalysisWarning, ...],
               known: tuple[AnalysisWarning, ...]) -> tuple[AnalysisWarning, ...]:
    """`warnings` about files that `known` says nothing of (a file that does not parse is one warning)."""
    seen = {warning.path for warning in known if warning.path}
    return tuple(warning for warning in warnings if warning.path not in seen)


def _mine(settings: Settings, repo_dir: Path, layout: Layout, state: RepoState,
          progress: Progress) -> tuple[MinedHistory | None, tuple[AnalysisWarning, ...]]:
    """Read the history (or the cache); say plainly when there is none to read."""
    if not settings.history.enabled:
        return None, ()
    if not state.is_git:
        return None, (AnalysisWarning("", f"{repo_dir} is not in a git repository: analysed without "
                                          "history (churn and co-change need git)"),)
    if state.head is None or state.head_time is None:
        return None, (AnalysisWarning("", "the repository has no commits yet: analysed without history"),)
    request = _window_request(settings.history, state.head_time)
    pathspecs = python_pathspecs(layout)
    key = history_key(path=str(repo_dir), head=state.head, shallow=state.shallow,
                      partial=state.partial, pathspecs=pathspecs, request=request)
    mined = load_history(settings.cache_dir, key) if settings.cache_dir else None
    if mined is None:
        progress("Mining git history")
        mined = mine_history(repo_dir, pathspecs, request, line_counts=not state.partial,
                             progress=lambda count: progress(f"  {count} commits read"))
        if settings.cache_dir:
            store_history(settings.cache_dir, key, mined)
    return mined, _state_warnings(state, len(mined.commits)) + mined.warnings


def python_pathspecs(layout: Layout) -> tuple[str, ...]:
    """git pathspecs for the Python files of the analysed packages, relative to the repo."""
    prefix = "" if layout.source_root == "." else f"{layout.source_root}/"
    return tuple(f":(glob){prefix}{package}/**/*.py" for package in layout.packages)


def _window_request(history: HistorySettings, head_time: int) -> WindowRequest:
    if history.since is None:
        since, min_commits = months_before(head_time, history.months), history.min_commits
    else:
        since, min_commits = parse_day(history.since), 0
    until = parse_day(history.until, end_of_day=True) if history.until else head_time
    return WindowRequest(since, until, min_commits)


def _state_warnings(state: RepoState, commits: int) -> tuple[AnalysisWarning, ...]:
    warnings = []
    if state.shallow:
        warnings.append(AnalysisWarning("", (
            f"shallow clone: history is truncated, so churn and co-change cover only {commits} "
            "commits; run `git fetch --unshallow` for the full history")))
    if state.partial:
        warnings.append(AnalysisWarning("", (
            "partial clone: file contents are missing, so lines added and deleted are 0; "
            "commit counts and co-change are complete")))
    return tuple(warnings)


def _with_history(analysis: Analysis, mined: MinedHistory, module_by_path: dict[str, str],
                  history: HistorySettings, state: RepoState) -> Analysis:
    commits = follow_renames(mined.commits)
    coupling = change_coupling(commits, module_by_path, history.thresholds)
    summary = HistorySummary(
        window=mined.window,
        commits_analyzed=len(commits),
        coupling_commits=coupling.coupling_commits,
        skipped_large_commits=coupling.skipped_large_commits,
        shallow=state.shallow,
        unreadable_commits=mined.unreadable,
        thresholds=history.thresholds,
    )
    return dataclasses.replace(
        analysis,
        history=summary,
        churn=churn_by_module(commits, module_by_path, _recent_since(mined.window, history)),
        cochange=coupling.pairs,
        sum_of_coupling=coupling.sum_of_coupling,
    )


def _recent_since(window: HistoryWindow, history: HistorySettings) -> int | None:
    return None if window.until is None else window.until - history.recent_days * 86400


def _propose(analysis: Analysis, settings: Settings,
             import_graph: nx.DiGraph) -> tuple[Proposal, tuple[AnalysisWarning, ...]]:
    """Detect the services, or place every module as `settings.assignment` says (no detection)."""
    detection = settings.detection
    coupling = _coupling_graph(analysis, detection)
    package_of = {record.module: record.package for record in analysis.modules}
    loc = {record.module: record.loc for record in analysis.modules}
    if settings.assignment is not None:
        proposed, warnings = place_assignment(settings.assignment, tuple(package_of), coupling, package_of,
                                              analysis.repository.head)
        services = services_from_partition(proposed, package_of, loc)
        return _measured(analysis, detection, detection.resolution, services, coupling, None), warnings
    kernel = find_shared_kernel(import_graph, package_of, detection.kernel)
    service_graph = coupling.subgraph(module for module in coupling if module not in kernel).copy()
    resolution = (search_resolution(service_graph, detection, detection.target_services)
                  if detection.target_services else detection.resolution)
    (_, groups), other_runs = detect_over_seeds(service_graph, detection, resolution)
    services = name_services(groups, kernel, package_of, loc)
    proposed = {module: service.name for service in services for module in service.modules}
    runs = [(seed, _as_partition(partition, kernel)) for seed, partition in other_runs]
    stability = measure_stability(proposed, runs) if runs else None
    return _measured(analysis, detection, resolution, services, coupling, stability), ()


def _coupling_graph(analysis: Analysis, detection: Detection) -> nx.Graph:
    """Imports, co-change and data links between the analysed modules, mixed by `detection`'s weights."""
    return build_coupling_graph(tuple(sorted(record.module for record in analysis.modules)), analysis.imports,
                                analysis.cochange, module_data_pairs(analysis.tables, analysis.data_links),
                                structural_weight=detection.structural_weight,
                                cochange_weight=detection.cochange_weight, data_weight=detection.data_weight)


def _measured(analysis: Analysis, detection: Detection, resolution: float, services: tuple[Service, ...],
              coupling: nx.Graph, stability: Stability | None) -> Proposal:
    """The proposal `services` with its quality next to the two baselines."""
    package_of = {record.module: record.package for record in analysis.modules}
    proposed = {module: service.name for service in services for module in service.modules}
    cochange = analysis.cochange if analysis.history else None
    sizes = [len(service.modules) for service in services]
    quality = tuple(
        (name, partition_quality(partition, analysis.imports, coupling, cochange, detection.ned_bounds,
                                 crossing_data(analysis.data_links, analysis.tables, partition)
                                 if analysis.tables else None))
        for name, partition in zip(PARTITIONS, (
            proposed, package_of, random_partition(sizes, list(package_of), detection.seed)))
    )
    return Proposal(detection, resolution, services, quality, stability)


def _with_owners(analysis: Analysis) -> Analysis:
    """Each table's owning service, and which data links cross the proposed boundaries."""
    if not analysis.tables:
        return analysis
    service_of = analysis.service_of
    owners = assign_owners(analysis.tables, analysis.data_links, service_of)
    return dataclasses.replace(
        analysis,
        tables=tuple(dataclasses.replace(table, service=owners.get(table.model, "")) for table in analysis.tables),
        data_links=annotate_links(analysis.data_links, analysis.tables, owners, service_of, analysis.imports),
    )


def _brittleness(analysis: Analysis, seed: int, import_graph: nx.DiGraph,
                 cycle_breakers: tuple[tuple[str, str], ...]) -> tuple[BrittleModule, ...]:
    """Every module's brittleness under `analysis`'s services, with the hidden data links as a reason."""
    service_of = analysis.service_of
    analysed = set(service_of) or {record.module for record in analysis.modules}
    breakers = tuple(pair for pair in cycle_breakers if pair[0] in analysed and pair[1] in analysed)
    scoring = analysis.scoring or Scoring()
    ranked = rank_brittleness(
        analysis.modules, import_graph, churn=analysis.churn, sum_of_coupling=dict(analysis.sum_of_coupling),
        service_of=service_of, cycle_breakers=breakers, weights=dict(scoring.weights),
        seed=seed, recent_days=analysis.recent_days or HistorySettings().recent_days,
    )
    owners = {table.model: table.service for table in analysis.tables if table.service}
    hidden = hidden_data_reasons(analysis.data_links, analysis.tables, owners)
    return tuple(dataclasses.replace(entry, reasons=entry.reasons + (hidden[entry.module],))
                 if entry.module in hidden else entry for entry in ranked)


def _rescored(analysis: Analysis, seed: int) -> tuple[BrittleModule, ...]:
    """Brittleness again under the new services: the same scores, new counts across services and
    reasons; kept as saved when the analysis did not record its weights."""
    if analysis.scoring is None or not analysis.brittleness:
        return analysis.brittleness
    sources = tuple(SourceModule(record.module, record.path, record.loc, record.path.endswith("__init__.py"))
                    for record in analysis.modules)
    breakers = tuple(sorted((entry.module, imported) for entry in analysis.brittleness
                            for imported in entry.cycle_breakers))
    return _brittleness(analysis, seed, build_import_graph(sources, analysis.imports), breakers)


def _as_partition(groups: tuple[frozenset[str], ...], kernel: frozenset[str]) -> dict[str, str]:
    partition = {module: str(index) for index, group in enumerate(groups) for module in group}
    return partition | {module: KERNEL for module in kernel}


def plan_inputs(analysis: Analysis) -> PlanInputs:
    """What the extraction plan is computed from, as `analysis` records it."""
    return PlanInputs(
        services=analysis.proposal.services if analysis.proposal else (),
        imports=analysis.imports,
        paths={record.module: record.path for record in analysis.modules},
        commits={figures.module: figures.commits for figures in analysis.churn},
        loc={record.module: record.loc for record in analysis.modules},
        brittleness={entry.module: entry.score for entry in analysis.brittleness},
        tables=analysis.tables,
        data_links=analysis.data_links,
    )


def replan(analysis: Analysis, planning: Planning = Planning()) -> Analysis:
    """`analysis` with its extraction plan made anew under `planning` (no repository is read)."""
    plan: Plan | None = plan_extraction(plan_inputs(analysis), planning) if analysis.proposal else None
    return dataclasses.replace(analysis, plan=plan)


def reassign(analysis: Analysis, assignment: Assignment, planning: Planning = Planning()) -> Analysis:
    """`analysis` with the services `assignment` says, measured and planned anew (no repository is read).

    Services (names, lines, packages), quality, table owners and crossing data links,
    brittleness (the same scores; new counts across services and reasons) and the plan are
    redone; stability stays the detection's. What did not fit the file comes first in the
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
