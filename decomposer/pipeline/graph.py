"""`decomposer analyze --graph`: steps 4 to 10 on a dependency graph read from a file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from decomposer.config import Settings
from decomposer.errors import PackageNotFound
from decomposer.model import Analysis, AnalysisWarning, DependencyGraph, Layout, LiteratureFigures, Repository
from decomposer.pipeline.analysis import Progress, _mine, _with_history, replan
from decomposer.pipeline.proposal import _brittleness, _propose
from decomposer.sources.discovery import check_repo_path
from decomposer.sources.git import read_repo_state
from decomposer.sources.graph_file import read_graph, read_reference
from decomposer.stages.graph_input import graph_groups, graph_scan, use_case_links
from decomposer.stages.import_graph import build_import_graph, exclude_modules, module_records
from decomposer.stages.literature import literature_figures

__all__ = ["GraphResult", "analyze_graph"]

GraphResult = tuple[Analysis, tuple[tuple[str, LiteratureFigures], ...]]  # the analysis and the literature figures

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
