"""One run of `decomposer analyze`: the only place where the stages meet.

Principles: sources read the outside world and return plain records; stages are pure
functions of those records; reports only format an `Analysis`. Data flows in numbered steps:

1. check the path and discover the layout: which packages, under which source root;
2. scan the code with grimp: modules on disk and every import statement between them;
3. leave out excluded modules (tests, migrations, user patterns) and their imports, and
   read each module's code for what it is: tests and migrations found there are left out
   too, developer tooling (lint plugins, scripts, settings) is kept apart from the services;
4. build the import graph and one record per module (fan-in/out, package in the layout);
5. ask git for HEAD; mine the non-merge commits of the window that touch the analysed
   packages' Python files (from the cache when HEAD and settings are unchanged);
6. follow renames to HEAD's paths, then count churn per module and change coupling per pair;
7. find the shared kernel, build the coupling graph (imports + co-change) without it, and
   detect communities under many seeds; their consensus is the proposed services, named
   after their dominant package, with each module's confidence;
8. measure the proposal, the current package layout and a random partition of the same sizes
   with the same figures, and rerun the whole detection under far-apart seeds to measure
   how stable it is;
9. score every module's brittleness from its coupling, cycles and churn, with its reasons;
10. plan the extraction: kernel first, then the service with the fewest calls back into the
    monolith, cycles cut before their services leave, packed into sprints.

Every other command starts from a saved analysis.json, read back into the same typed
`Analysis` (`load_analysis`): `replan` redoes step 10 with other settings, `check` redoes
steps 2-3 and compares the imports that cross the saved boundaries, and the gates are a
report of the loaded analysis. Nothing is ever written inside the analysed repository:
`output_dir` refuses such a folder before any work starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from decomposer.config import HistorySettings, ScanSettings, Settings
from decomposer.errors import OutputInsideRepository, PackageNotFound
from decomposer.model import (
    EXTRACT,
    KERNEL,
    PARTITIONS,
    TOOLING,
    PartitionName,
    QualityFigures,
    Analysis,
    AnalysisWarning,
    BrittleModule,
    CheckResult,
    CodeScan,
    Detection,
    HistorySummary,
    HistoryWindow,
    ImportEdge,
    Layout,
    MinedHistory,
    ModuleRole,
    ModuleTraits,
    Plan,
    PlanInputs,
    Planning,
    Proposal,
    RepoState,
    Repository,
    Service,
    SourceModule,
)
from decomposer.sources.analysis_file import read_analysis
from decomposer.sources.cache import history_key, load_history, store_history
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.sources.git import WindowRequest, mine_history, read_repo_state
from decomposer.sources.traits import read_traits
from decomposer.stages.brittleness import rank_brittleness
from decomposer.stages.communities import induced_subgraph, search_resolution
from decomposer.stages.consensus import Consensus, consensus_services, module_confidence
from decomposer.stages.coupling import build_coupling_graph
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
from decomposer.stages.quality import partition_quality
from decomposer.stages.ratchet import check_crossings
from decomposer.stages.roles import classify_modules, drop_modules
from decomposer.stages.services import name_services, random_partition
from decomposer.stages.sizing import follow_shims, merge_toys, split_giants
from decomposer.stages.stability import far_seeds, measure_stability
from decomposer.stages.strangler import plan_extraction

__all__ = ["analyze", "check", "load_analysis", "output_dir", "plan_inputs", "python_pathspecs",
           "replan", "repository_dir", "run"]

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
        (repo_dir / layout.source_root).resolve(),
        layout.packages,
        exclude_type_checking=scan_settings.exclude_type_checking,
        cache_dir=settings.cache_dir,
    )
    modules, imports, excluded = exclude_modules(scan, scan_settings.exclude_patterns)
    traits = read_traits(repo_dir, modules)
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
        warnings=history_warnings + scan.warnings,
        roles=roles,
    )
    if mined is not None:
        analysis = _with_history(analysis, mined, {source.path: source.module for source in modules},
                                 settings.history, state)
    progress("Proposing services")
    shims = frozenset(trait.module for trait in traits if trait.reexport)
    analysis = dataclasses.replace(analysis, proposal=_propose(analysis, settings, graph, shims))
    progress("Ranking brittle modules")
    analysis = dataclasses.replace(analysis, brittleness=_brittleness(analysis, settings, graph, scan))
    progress("Planning the extraction")
    return replan(analysis, settings.planning)


run = analyze  # the name of the Python API's entry point since 0.1


def repository_dir(path: Path) -> Path:
    """The analysed repository's folder, resolved; a clear error when it cannot be analysed."""
    return check_repo_path(path)


def output_dir(repo_dir: Path, target: Path, option: str) -> Path:
    """`target` resolved, after making sure it lies outside the analysed repository.

    Raises:
        OutputInsideRepository: decomposer never writes inside the analysed repository.
    """
    target = target.resolve()
    if target == repo_dir or target.is_relative_to(repo_dir):
        raise OutputInsideRepository(
            f"{option} {target} is inside the analysed repository {repo_dir}, and decomposer never "
            f"writes there; pass {option} with a folder outside it, e.g. "
            f"{option} {repo_dir.parent / (repo_dir.name + '-' + target.name)}"
        )
    return target


def _roles(modules: tuple[SourceModule, ...], imports: tuple[ImportEdge, ...], traits: tuple[ModuleTraits, ...],
           scan: ScanSettings) -> tuple[ModuleRole, ...]:
    """The roles acted on: tests and migrations with the default excludes, tooling unless kept."""
    return tuple(role for role in classify_modules(modules, traits, imports)
                 if (not scan.keep_tooling if role.role == TOOLING else scan.default_excludes))


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


def _propose(analysis: Analysis, settings: Settings, import_graph: nx.DiGraph, shims: frozenset[str]) -> Proposal:
    detection = settings.detection
    package_of = {record.module: record.package for record in analysis.modules}
    loc = {record.module: record.loc for record in analysis.modules}
    tooling = frozenset(role.module for role in analysis.roles if role.role == TOOLING)
    kernel = find_shared_kernel(import_graph.subgraph(module for module in import_graph if module not in tooling),
                                package_of, detection.kernel)
    kernel = kernel | _kernel_facades(analysis.imports, len(package_of), kernel, tooling)
    layering = find_layers(tuple(module for module in sorted(package_of) if module not in tooling),
                           analysis.imports) if detection.verticals else None
    coupling = build_coupling_graph(tuple(sorted(package_of)), analysis.imports, analysis.cochange,
                                    structural_weight=detection.structural_weight,
                                    cochange_weight=detection.cochange_weight)
    service_graph = induced_subgraph(coupling, (module for module in coupling
                                                if module not in kernel and module not in tooling))
    service_graph = tie_verticals(service_graph, layering.verticals if layering else (), detection.vertical_tie)
    resolution = (search_resolution(service_graph, detection, detection.target_services)
                  if detection.target_services else detection.resolution)
    consensus = consensus_services(service_graph, detection, resolution, detection.seed)
    groups = _sized(consensus, service_graph, loc, shims, analysis.imports, detection)
    services = name_services(groups, kernel, package_of, loc, tooling, _domain_of(layering))
    proposed = {module: service.name for service in services for module in service.modules}
    # What a user rerunning with another --seed gets: the whole detection, far-apart seeds.
    runs = [(seed, _as_partition(_sized(consensus_services(service_graph, detection, resolution, seed),
                                        service_graph, loc, shims, analysis.imports, detection),
                                 kernel, tooling))
            for seed in far_seeds(detection.seed, detection.stability_runs)]
    return Proposal(detection, resolution, services, _quality(analysis, coupling, services, detection),
                    measure_stability(proposed, runs) if runs else None,
                    module_confidence(groups, consensus.first), layering.verticals if layering else (),
                    layering.platform if layering else ())


def _quality(analysis: Analysis, coupling: nx.Graph, services: tuple[Service, ...],
             detection: Detection) -> tuple[tuple[PartitionName, QualityFigures], ...]:
    """The proposal, the package layout and a random partition of the same sizes, measured alike."""
    package_of = {record.module: record.package for record in analysis.modules}
    proposed = {module: service.name for service in services for module in service.modules}
    cochange = analysis.cochange if analysis.history else None
    sizes = [len(service.modules) for service in services]
    return tuple(
        (name, partition_quality(partition, analysis.imports, coupling, cochange, detection.ned_bounds))
        for name, partition in zip(PARTITIONS, (
            proposed, package_of, random_partition(sizes, list(package_of), detection.seed))))


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


def _brittleness(analysis: Analysis, settings: Settings, import_graph: nx.DiGraph,
                 scan: CodeScan) -> tuple[BrittleModule, ...]:
    service_of = analysis.service_of
    analysed = set(service_of) or {record.module for record in analysis.modules}
    breakers = tuple(pair for pair in scan.cycle_breakers if pair[0] in analysed and pair[1] in analysed)
    return rank_brittleness(
        analysis.modules, import_graph, churn=analysis.churn, sum_of_coupling=dict(analysis.sum_of_coupling),
        service_of=service_of, cycle_breakers=breakers, weights=dict(settings.scoring.weights),
        seed=settings.detection.seed, recent_days=settings.history.recent_days,
    )


def _as_partition(groups: tuple[frozenset[str], ...], kernel: frozenset[str],
                  tooling: frozenset[str]) -> dict[str, str]:
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
    )


def replan(analysis: Analysis, planning: Planning = Planning()) -> Analysis:
    """`analysis` with its extraction plan made anew under `planning` (no repository is read)."""
    plan: Plan | None = plan_extraction(plan_inputs(analysis), planning) if analysis.proposal else None
    return dataclasses.replace(analysis, plan=plan)


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
    scan = scan_code(repo_dir, (repo_dir / layout.source_root).resolve(), layout.packages, cache_dir=cache_dir)
    modules, imports, _ = exclude_modules(scan, analysis.exclude_patterns)
    steps = [(step.order, step.service) for step in (analysis.plan.steps if analysis.plan else ())
             if step.kind == EXTRACT]
    return check_crossings(analysis.imports, imports, analysis.service_of,
                           [source.module for source in modules], steps)
