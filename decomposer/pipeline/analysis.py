"""`decomposer analyze`: steps 1 to 10 of the run (see the package's docstring), and `replan`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from decomposer.config import HistorySettings, ScanSettings, Settings
from decomposer.errors import PackageNotFound
from decomposer.model import (
    TOOLING,
    Analysis,
    AnalysisWarning,
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
    RepoState,
    Repository,
    SourceModule,
)
from decomposer.pipeline.cached import propose_cached
from decomposer.pipeline.code_beside import CodeBeside
from decomposer.pipeline.proposal import _Betweenness, _brittleness, _with_owners
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.sources.git import WindowRequest, read_repo_state
from decomposer.sources.incremental import mine_with_cache
from decomposer.sources.package_files import ModuleFiles, find_module_files
from decomposer.sources.trace_file import read_traces
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
    is_excluded,
    module_records,
)
from decomposer.stages.roles import classify_modules, drop_modules
from decomposer.stages.runtime import annotate_plan
from decomposer.stages.strangler import plan_extraction

__all__ = ["analyze", "plan_inputs", "python_pathspecs", "replan", "repository_dir", "run"]

Progress = Callable[[str], None]


def analyze(settings: Settings, progress: Progress = lambda message: None,
            idle: Callable[[], None] = lambda: None) -> Analysis:
    """Analyse the repository named in `settings`.

    Args:
        settings: the run's settings.
        progress: called with a short message as each long step starts.
        idle: called at most once, when the code is read and `git log` is still running, so this
            process has nothing to do until it ends (the CLI loads the report libraries there).

    Raises:
        DecomposerError: the input cannot be analysed; the message says why and what to do.
    """
    scan_settings = settings.scan
    repo_dir = check_repo_path(settings.repo_path)
    layout = discover_layout(repo_dir, scan_settings.packages, scan_settings.source_root)
    state = read_repo_state(repo_dir)
    source_dir = _real(repo_dir / layout.source_root)
    found = find_module_files(repo_dir, source_dir, layout.packages)
    # On a large repository the code is read in a worker while this process scans the imports.
    with (CodeBeside(repo_dir, found, scan_settings.exclude_patterns, settings.cache_dir) as beside,
          ThreadPoolExecutor(max_workers=1) as background):
        # `git log` streams in its own process while this one scans the code: two cores busy.
        history = background.submit(_mine, settings, repo_dir, python_pathspecs(layout), state, progress)
        progress(f"Scanning imports in {', '.join(layout.packages)} (source root: {layout.source_root})")
        scan = scan_code(
            repo_dir,
            source_dir,
            layout.packages,
            exclude_type_checking=scan_settings.exclude_type_checking,
            cache_dir=settings.cache_dir,
            found=found,
        )
        modules, imports, excluded = exclude_modules(scan, scan_settings.exclude_patterns)
        # Every file parsed once (or never, when cached), for the traits here and the ORM models below.
        code = beside.reader(modules)
        traits = code.traits()
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
        models = code.models(modules)
        names = code.names()
        if not history.done():
            idle()
        mined, history_warnings = history.result()
    # The import graph's betweenness (brittleness' costliest signal) is computed in a worker from here,
    # beside the history's churn and co-change and the proposal, on large graphs.
    with _Betweenness(graph, settings.detection.seed) as betweenness:
        depth = scan_settings.package_depth or choose_package_depth(modules, layout.packages)
        analysis = Analysis(
            repository=Repository(path=str(repo_dir), head=state.head, layout=layout),
            modules=module_records(modules, graph, depth),
            imports=imports,
            excluded=excluded,
            exclude_patterns=scan_settings.exclude_patterns,
            package_depth=depth,
            warnings=(history_warnings + _said(scan.warnings, found, scan_settings.exclude_patterns)
                      + _new_paths(models.warnings, scan.warnings)),
            tables=models.tables,
            data_links=models.links,
            roles=roles,
            scoring=settings.scoring,
            recent_days=settings.history.recent_days,
        )
        if mined is not None:
            analysis = _with_history(analysis, mined, {source.path: source.module for source in modules},
                                     settings.history, state)
        if settings.traces:
            runtime, trace_warnings = read_traces(
                settings.traces, frozenset(record.module for record in analysis.modules), state.head,
                frozenset(analysis.excluded))
            analysis = dataclasses.replace(analysis, runtime=runtime, warnings=analysis.warnings + trace_warnings)
        progress("Proposing services" if settings.assignment is None else "Placing modules as assigned")
        shims = frozenset(trait.module for trait in traits if trait.reexport)
        proposal, placed = propose_cached(analysis, settings, graph, shims, names)
        analysis = _with_owners(dataclasses.replace(analysis, proposal=proposal, warnings=analysis.warnings + placed))
        progress("Ranking brittle modules")
        analysis = dataclasses.replace(analysis, brittleness=_brittleness(
            analysis, settings.detection.seed, graph, scan.cycle_breakers, betweenness.result()))
    progress("Planning the extraction")
    return replan(analysis, settings.planning)


run = analyze  # the name of the Python API's entry point since 0.1


def repository_dir(path: Path) -> Path:
    """The analysed repository's folder, resolved; a clear error when it cannot be analysed."""
    return check_repo_path(path)


def _real(path: Path) -> Path:
    """`path` with symlinks resolved; a symlink loop stays as it is (the scan then reports it)."""
    return Path(os.path.realpath(path))


def _said(warnings: tuple[AnalysisWarning, ...], found: ModuleFiles,
          patterns: tuple[str, ...]) -> tuple[AnalysisWarning, ...]:
    """`warnings` without those about folders lacking an __init__.py whose modules the exclude
    patterns would all leave out anyway (awx: 11 test folders): adding the file would change nothing."""
    moot = {path for path, modules in found.hidden
            if modules and all(is_excluded(module, patterns) for module in modules)}
    return tuple(warning for warning in warnings if warning.path not in moot)


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
        split=analysis.proposal.split if analysis.proposal else (),
    )


def replan(analysis: Analysis, planning: Planning = Planning()) -> Analysis:
    """`analysis` with its extraction plan made anew under `planning` (no repository is read)."""
    plan: Plan | None = plan_extraction(plan_inputs(analysis), planning) if analysis.proposal else None
    if plan is not None and analysis.runtime is not None:
        plan = annotate_plan(plan, analysis.runtime)
    return dataclasses.replace(analysis, plan=plan)
