"""One run of `decomposer analyze`: the only place where the stages meet.

Principles: sources read the outside world and return plain records; stages are pure
functions of those records; reports only format an `Analysis`. Data flows in numbered steps:

1. check the path and discover the layout: which packages, under which source root;
2. scan the code with grimp: modules on disk and every import statement between them;
3. leave out excluded modules (tests, migrations, user patterns) and their imports, and
   read each module's code for what it is: tests and migrations found there are left out
   too, developer tooling (lint plugins, scripts, settings) is kept apart from the services;
4. build the import graph and one record per module (fan-in/out, package in the layout); read
   the ORM models (Django, SQLAlchemy) with `ast`: tables, relations, queries, transactions;
5. ask git for HEAD; mine the non-merge commits of the window that touch the analysed
   packages' Python files (only those the history cache does not hold: sources.incremental);
6. follow renames to HEAD's paths, then count churn per module and change coupling per pair;
7. find the shared kernel, build the coupling graph (imports + co-change + data links) without
   it, and detect communities under many seeds; their consensus is the proposed services, named
   after their domain, with each module's confidence; give each table an owning service and
   mark the data links that cross the boundaries;
8. measure the proposal, the current package layout and a random partition of the same sizes
   with the same figures, and rerun the whole detection under far-apart seeds to measure
   how stable it is;
9. score every module's brittleness from its coupling, cycles and churn, with its reasons;
10. plan the extraction: kernel first, then the service with the fewest calls back into the
    monolith, cycles cut before their services leave, packed into sprints.

`analyze_graph` runs the same steps 4-10 on a dependency graph read from a file (any language:
jdeps, dependency-cruiser, an edge list) instead of steps 1-3, with history when its nodes
name files of a git repository, and measures the partitions as the literature does.

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
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import networkx as nx

from decomposer.config import HistorySettings, ScanSettings, Settings
from decomposer.errors import PackageNotFound
from decomposer.model import (
    EXTRACT,
    KERNEL,
    PARTITIONS,
    TOOLING,
    Analysis,
    AnalysisWarning,
    Assignment,
    AssignmentFigures,
    BrittleModule,
    CheckResult,
    CoChange,
    DependencyGraph,
    Detection,
    HistorySummary,
    HistoryWindow,
    ImportEdge,
    Layout,
    LiteratureFigures,
    MinedHistory,
    ModuleRole,
    ModuleTraits,
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
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.sources.git import WindowRequest, read_repo_state
from decomposer.sources.graph_file import read_graph, read_reference
from decomposer.sources.incremental import mine_with_cache
from decomposer.sources.models import scan_models
from decomposer.sources.models_ast import parse_modules
from decomposer.sources.traits import traits_of
from decomposer.stages.assignment import assignment_figures as _figures_of, place_assignment
from decomposer.stages.brittleness import rank_brittleness
from decomposer.stages.communities import induced_subgraph, search_resolution
from decomposer.stages.consensus import Consensus, consensus_services, module_confidence
from decomposer.stages.coupling import build_coupling_graph
from decomposer.stages.data import annotate_links, assign_owners, crossing_data, hidden_data_reasons, module_data_pairs
from decomposer.stages.graph_input import graph_groups, graph_scan, use_case_links
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
from decomposer.stages.facades import find_facades
from decomposer.stages.kernel import find_shared_kernel
from decomposer.stages.layers import Layering, find_layers, tie_verticals
from decomposer.stages.literature import literature_figures
from decomposer.stages.quality import partition_quality
from decomposer.stages.ratchet import check_crossings
from decomposer.stages.roles import classify_modules, drop_modules
from decomposer.stages.services import name_services, random_partition, services_from_partition
from decomposer.stages.sizing import follow_shims, merge_toys, split_giants
from decomposer.stages.stability import far_seeds, measure_stability
from decomposer.stages.strangler import plan_extraction

__all__ = ["analyze", "analyze_graph", "assignment_figures", "check", "load_analysis", "load_assignment",
           "plan_inputs", "python_pathspecs", "reassign", "replan", "repository_dir", "run"]

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
    state = read_repo_state(repo_dir)
    with ThreadPoolExecutor(max_workers=1) as background:
        # `git log` streams in its own process while this one scans the code: two cores busy.
        history = background.submit(_mine, settings, repo_dir, python_pathspecs(layout), state, progress)
        progress(f"Scanning imports in {', '.join(layout.packages)} (source root: {layout.source_root})")
        scan = scan_code(
            repo_dir,
            _real(repo_dir / layout.source_root),
            layout.packages,
            exclude_type_checking=scan_settings.exclude_type_checking,
            cache_dir=settings.cache_dir,
        )
        modules, imports, excluded = exclude_modules(scan, scan_settings.exclude_patterns)
        # Every file parsed once, for the traits here and for the ORM models below.
        parsed = parse_modules(repo_dir, modules)
        traits = traits_of(parsed[0])
        roles = _roles(modules, imports, traits, scan_settings)
        left_out = frozenset(role.module for role in roles if role.role != TOOLING)
        modules, imports = drop_modules(modules, imports, left_out)
        excluded = tuple(sorted(set(excluded) | left_out))
        if not modules:
            raise PackageNotFound(
                f"all {len(excluded)} modules in {repo_dir} match the exclude patterns; "
                "check exclude or pass --no-default-excludes"
            )
        graph = build_import_graph(modules, imports)
        progress("Reading ORM models")
        models = scan_models(repo_dir, modules, parsed=parsed)
        mined, history_warnings = history.result()
    depth = scan_settings.package_depth or choose_package_depth(modules, layout.packages)
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
        roles=roles,
        scoring=settings.scoring,
        recent_days=settings.history.recent_days,
    )
    if mined is not None:
        analysis = _with_history(analysis, mined, {source.path: source.module for source in modules},
                                 settings.history, state)
    progress("Proposing services" if settings.assignment is None else "Placing modules as assigned")
    shims = frozenset(trait.module for trait in traits if trait.reexport)
    proposal, placed = _propose(analysis, settings, graph, shims)
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


def _roles(modules: tuple[SourceModule, ...], imports: tuple[ImportEdge, ...], traits: tuple[ModuleTraits, ...],
           scan: ScanSettings) -> tuple[ModuleRole, ...]:
    """The roles acted on: tests and migrations with the default excludes, tooling unless kept."""
    return tuple(role for role in classify_modules(modules, traits, imports)
                 if (not scan.keep_tooling if role.role == TOOLING else scan.default_excludes))


def _mine(settings: Settings, repo_dir: Path, pathspecs: tuple[str, ...], state: RepoState,
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
    mined = mine_with_cache(repo_dir, state, pathspecs, request, settings.cache_dir, progress)
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


def _propose(analysis: Analysis, settings: Settings, import_graph: nx.DiGraph, shims: frozenset[str] = frozenset(),
             usage: tuple[CoChange, ...] = ()) -> tuple[Proposal, tuple[AnalysisWarning, ...]]:
    """Detect the services (the consensus of many seeded runs), or place every module as
    `settings.assignment` says (no detection). `shims`: re-export modules that follow what they
    re-export; `usage`: use-case links of a graph's lone nodes."""
    detection = settings.detection
    coupling = _coupling_graph(analysis, detection, usage)
    package_of = {record.module: record.package for record in analysis.modules}
    loc = {record.module: record.loc for record in analysis.modules}
    if settings.assignment is not None:
        proposed, warnings = place_assignment(settings.assignment, tuple(package_of), coupling, package_of,
                                              analysis.repository.head)
        services = services_from_partition(proposed, package_of, loc)
        return _measured(analysis, detection, detection.resolution, services, coupling, None), warnings
    tooling = frozenset(role.module for role in analysis.roles if role.role == TOOLING)
    kernel = find_shared_kernel(import_graph.subgraph(module for module in import_graph if module not in tooling),
                                package_of, detection.kernel)
    kernel = kernel | _kernel_facades(analysis.imports, len(package_of), kernel, tooling)
    layering = find_layers(tuple(module for module in sorted(package_of) if module not in tooling),
                           analysis.imports) if detection.verticals else None
    service_graph = induced_subgraph(coupling, (module for module in coupling
                                                if module not in kernel and module not in tooling))
    service_graph = tie_verticals(service_graph, layering.verticals if layering else (), detection.vertical_tie)
    resolution = (search_resolution(service_graph, detection, detection.target_services)
                  if detection.target_services else detection.resolution)
    # What a user rerunning with another --seed gets: the whole detection under far-apart seeds.
    # Those reruns start first, in forked workers, while this process finds the proposal itself.
    sizing = (service_graph, loc, shims, analysis.imports, detection, resolution, kernel, tooling)
    with _Reruns(sizing, far_seeds(detection.seed, detection.stability_runs)) as reruns:
        consensus = consensus_services(service_graph, detection, resolution, detection.seed)
        groups = _sized(consensus, service_graph, loc, shims, analysis.imports, detection)
        runs = reruns.results()
    services = name_services(groups, kernel, package_of, loc, tooling, _domain_of(layering))
    proposed = {module: service.name for service in services for module in service.modules}
    stability = measure_stability(proposed, runs) if runs else None
    measured = _measured(analysis, detection, resolution, services, coupling, stability)
    return dataclasses.replace(measured, confidence=module_confidence(groups, consensus.first),
                               verticals=layering.verticals if layering else (),
                               platform=layering.platform if layering else ()), ()


_RERUN: tuple | None = None  # what the forked rerun workers read (never pickled)


class _Reruns:
    """The stability reruns: each a full detection under one seed, in forked worker processes
    on a machine with two cores or more (else here, one after another), for `results()`."""

    def __init__(self, sizing: tuple, seeds: tuple[int, ...]) -> None:
        self.sizing, self.seeds, self.pool, self.futures = sizing, seeds, None, []

    def __enter__(self) -> _Reruns:
        global _RERUN
        parallel = (len(self.seeds) > 0 and (os.cpu_count() or 1) > 1 and len(self.sizing[0]) > _PARALLEL_FROM
                    and "fork" in multiprocessing.get_all_start_methods())
        if parallel:
            _RERUN = self.sizing
            self.pool = ProcessPoolExecutor(min(2, len(self.seeds)), mp_context=multiprocessing.get_context("fork"))
            self.futures = [self.pool.submit(_rerun, seed) for seed in self.seeds]
            _RERUN = None  # forked already: the workers hold their own copy
        return self

    def results(self) -> list[tuple[int, dict[str, str]]]:
        if self.pool is None:
            global _RERUN
            _RERUN = self.sizing
            try:
                return [_rerun(seed) for seed in self.seeds]
            finally:
                _RERUN = None
        return [future.result() for future in self.futures]

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


_PARALLEL_FROM = 300  # modules; below this a worker costs more than it saves


def _rerun(seed: int) -> tuple[int, dict[str, str]]:
    graph, loc, shims, imports, detection, resolution, kernel, tooling = _RERUN
    groups = _sized(consensus_services(graph, detection, resolution, seed), graph, loc, shims, imports, detection)
    return seed, _as_partition(groups, kernel, tooling)


def _coupling_graph(analysis: Analysis, detection: Detection, usage: tuple[CoChange, ...] = ()) -> nx.Graph:
    """Imports, co-change (and `usage`) and data links between the analysed modules, mixed by
    `detection`'s weights."""
    return build_coupling_graph(tuple(sorted(record.module for record in analysis.modules)), analysis.imports,
                                analysis.cochange + usage, module_data_pairs(analysis.tables, analysis.data_links),
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


def _kernel_facades(imports: tuple[ImportEdge, ...], modules: int, kernel: frozenset[str],
                    tooling: frozenset[str]) -> frozenset[str]:
    """Facades (stages/facades.py) that import only kernel code belong to the kernel; the
    others are planned as split steps."""
    imported: dict[str, set[str]] = {}
    for edge in imports:
        imported.setdefault(edge.importer, set()).add(edge.imported)
    return frozenset(facade for facade in find_facades(imports, modules)
                     if facade not in tooling and imported.get(facade, set()) <= kernel)


def _domain_of(layering: Layering | None) -> dict[str, str]:
    """Each vertical slice's domain: the name its service takes (`inventory`, not `api.views`)."""
    return {module: domain for domain, members in (layering.verticals if layering else ()) for module in members}


def _sized(consensus: Consensus, graph: nx.Graph, loc: dict[str, int], shims: frozenset[str],
           imports: tuple[ImportEdge, ...], detection: Detection) -> tuple[frozenset[str], ...]:
    """No giants, shims with what they re-export, no toys (stages/sizing.py), in that order."""
    groups = consensus.services
    if detection.target_services is None:  # a service count asked for is kept; giants are then only named
        groups = split_giants(graph, groups, loc, detection, consensus.first)
    groups = follow_shims(groups, shims, imports)
    return merge_toys(graph, groups, loc, detection.min_service_share)


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


def _as_partition(groups: tuple[frozenset[str], ...], kernel: frozenset[str],
                  tooling: frozenset[str] = frozenset()) -> dict[str, str]:
    partition = {module: str(index) for index, group in enumerate(groups) for module in group}
    return partition | {module: KERNEL for module in kernel} | {module: TOOLING for module in tooling}


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


# `decomposer analyze PATH --graph FILE`: the same method on a graph from any language.

GraphResult = tuple[Analysis, tuple[tuple[str, LiteratureFigures], ...]]


def analyze_graph(settings: Settings, graph_path: Path, reference_path: Path | None = None,
                  progress: Progress = lambda message: None) -> GraphResult:
    """Analyse the dependency graph in `graph_path`; PATH (`settings.repo_path`) gives the history.

    Returns:
        The analysis, and the literature figures (docs/metrics.md) of the proposal, the layout
        in the file's groups and, with `reference_path`, the reference decomposition.

    Raises:
        DecomposerError: PATH or a file cannot be read; the message names the file and line.
    """
    repo_dir = check_repo_path(settings.repo_path)
    graph = read_graph(graph_path)
    reference = read_reference(reference_path) if reference_path else None
    modules, imports, excluded = exclude_modules(graph_scan(graph), settings.scan.exclude_patterns)
    if not modules:
        raise PackageNotFound(f"all {len(excluded)} nodes of {graph_path} match the exclude patterns; "
                              "check exclude or pass --no-default-excludes")
    groups = graph_groups(graph)
    import_graph = build_import_graph(modules, imports)
    layout = Layout(source_root=".", packages=tuple(sorted({groups[source.module] for source in modules})),
                    reason=f"read from {graph_path.name} ({graph.file_format}): {len(graph.nodes)} nodes, "
                           f"{len(graph.edges)} edges")
    state = read_repo_state(repo_dir)
    pathspecs = tuple(f":(literal){source.path}" for source in modules if source.path)
    mined, warnings = _mine(settings, repo_dir, pathspecs, state, progress) if pathspecs else (None, (
        AnalysisWarning("", f"the nodes of {graph_path.name} name no file: analysed without history"),))
    analysis = Analysis(
        repository=Repository(path=str(repo_dir), head=state.head, layout=layout),
        modules=tuple(dataclasses.replace(record, package=groups[record.module])
                      for record in module_records(modules, import_graph, 1)),
        imports=imports, excluded=excluded, exclude_patterns=settings.scan.exclude_patterns,
        package_depth=1, warnings=warnings,
    )
    if mined is not None:
        analysis = _with_history(analysis, mined, {source.path: source.module for source in modules if source.path},
                                 settings.history, state)
    if all(groups[source.module] == source.module for source in modules):
        # The kernel rule counts importing *packages*; with every node its own package, any node
        # called from three others would be a library (10 of daytrader's 74 classes): no kernel.
        settings = dataclasses.replace(settings, detection=dataclasses.replace(
            settings.detection, kernel=dataclasses.replace(settings.detection.kernel, min_packages=len(modules) + 1)))
        analysis = dataclasses.replace(analysis, warnings=analysis.warnings + (AnalysisWarning("", (
            f"the nodes of {graph_path.name} have no groups (packages, folders): no shared kernel proposed")),))
    progress("Proposing services")
    usage = use_case_links(graph, settings.history.thresholds.min_degree)
    proposal, _ = _propose(analysis, settings, import_graph, usage=usage)
    analysis = dataclasses.replace(analysis, proposal=proposal)
    analysis = dataclasses.replace(analysis, brittleness=_brittleness(analysis, settings.detection.seed,
                                                                      import_graph, ()))
    return replan(analysis, settings.planning), _literature(analysis, graph, reference)


def _literature(analysis: Analysis, graph: DependencyGraph,
                reference: dict[str, str] | None) -> tuple[tuple[str, LiteratureFigures], ...]:
    """The proposal, the layout and the reference, measured on the file's calls."""
    kept = {record.module: record.package for record in analysis.modules}
    calls = {(edge.source, edge.target): edge.weight for edge in graph.edges}
    use_cases = ({node.node: node.use_cases for node in graph.nodes}
                 if any(node.use_cases for node in graph.nodes) else None)
    partitions = [("proposed", analysis.service_of), ("package_layout", kept)]
    if reference:
        # in the file's order: SM depends on which class a group lists last (docs/metrics.md)
        partitions.append(("reference", {node: group for node, group in reference.items() if node in kept}))
    return tuple((name, literature_figures(partition, calls, use_cases, reference,
                                           analysis.proposal.detection.ned_bounds if analysis.proposal else (5, 20)))
                 for name, partition in partitions if partition)
