"""Steps 7 to 9: the proposed services (or the assigned ones), their quality and stability,
the tables' owners, and brittleness under those services."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import networkx as nx

from decomposer.config import HistorySettings, Settings
from decomposer.model import (
    KERNEL,
    PARTITIONS,
    TOOLING,
    Analysis,
    AnalysisWarning,
    BrittleModule,
    CoChange,
    Detection,
    ImportEdge,
    ModuleNames,
    Proposal,
    QualityFigures,
    Scoring,
    Service,
    SourceModule,
    Stability,
)
from decomposer.forks import can_fork, forked, shared, shut
from decomposer.stages.assignment import place_assignment
from decomposer.stages.brittleness import import_betweenness, rank_brittleness
from decomposer.stages.communities import induced_subgraph, search_resolution
from decomposer.stages.consensus import Consensus, consensus_services, module_confidence
from decomposer.stages.coupling import build_coupling_graph
from decomposer.stages.data import annotate_links, assign_owners, crossing_data, hidden_data_reasons, module_data_pairs
from decomposer.stages.facades import find_facades
from decomposer.stages.import_graph import build_import_graph
from decomposer.stages.kernel import find_shared_kernel
from decomposer.stages.layers import Layering, find_layers, tie_verticals
from decomposer.stages.quality import partition_quality
from decomposer.stages.runtime import business_context_purity, crossing_runtime_share, runtime_pairs, runtime_reasons
from decomposer.stages.services import name_services, random_partition, services_from_partition
from decomposer.stages.splits import (
    Pieces,
    data_in_pieces,
    find_split_modules,
    join_leftovers,
    join_pieces,
    split_into_pieces,
    subjects,
)
from decomposer.stages.sizing import fit_count, follow_shims, merge_toys, split_giants
from decomposer.stages.stability import far_seeds, measure_stability
from decomposer.sources.memo import digest

if TYPE_CHECKING:
    from decomposer.reports.writer import Memo

__all__: list[str] = []  # the package's own helpers: analysis, saved and graph call them

def _propose(analysis: Analysis, settings: Settings, import_graph: nx.DiGraph, shims: frozenset[str] = frozenset(),
             usage: tuple[CoChange, ...] = (), names: tuple[ModuleNames, ...] = (), memo: Memo | None = None
             ) -> tuple[Proposal, tuple[AnalysisWarning, ...]]:
    """Detect the services (the consensus of many seeded runs), or place every module as
    `settings.assignment` says (no detection). `shims`: re-export modules that follow what they
    re-export; `usage`: use-case links of a graph's lone nodes; `names`: each module's
    definitions (multi-domain modules are detected name by name: stages/splits.py); `memo`: the
    results cache, for the consensus under each seed (by its graph, settings and seed)."""
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
    kernel, pieces = _split_layers(analysis, names, layering, loc, kernel, tooling)
    module_graph = induced_subgraph(coupling, (module for module in coupling if module not in kernel | tooling))
    service_graph = _pieces_graph(analysis, detection, usage, pieces, kernel | tooling)
    service_graph = module_graph if service_graph is None else service_graph
    loc_detected = loc | pieces.loc
    service_graph = tie_verticals(service_graph, layering.verticals if layering else (), detection.vertical_tie)
    resolution = (search_resolution(service_graph, detection, detection.target_services)
                  if detection.target_services else detection.resolution)
    # What a user rerunning with another --seed gets: the whole detection under far-apart seeds.
    # Those reruns start first, in forked workers, while this process finds the proposal itself.
    sizing = (service_graph, loc_detected, shims, analysis.imports, detection, resolution, kernel, tooling,
              (pieces, module_graph, layering.verticals if layering else ()))
    far = far_seeds(detection.seed, detection.stability_runs)
    known = _Known(memo, service_graph, detection, resolution)
    with _Reruns(sizing, tuple(seed for seed in far if known.get(seed) is None)) as reruns:
        consensus = known.get(detection.seed) or known.keep(
            detection.seed, consensus_services(service_graph, detection, resolution, detection.seed))
        groups = _sized(consensus, service_graph, loc_detected, shims, analysis.imports, detection,
                        (pieces, module_graph, layering.verticals if layering else ()))
        computed = {}
        for seed, found, partition in reruns.results():
            known.keep(seed, found)
            computed[seed] = partition
    runs = [(seed, computed[seed] if seed in computed else _partition(known.get(seed), sizing)) for seed in far]
    services = name_services(groups, kernel, package_of, loc, tooling, _domain_of(layering), frozenset(pieces.split),
                             subjects(tuple(package_of), layering.layers, layering.verticals) if layering else {})
    proposed = {module: service.name for service in services for module in service.modules}
    stability = measure_stability(proposed, runs) if runs else None
    measured = _measured(analysis, detection, resolution, services, coupling, stability)
    first = tuple(join_pieces(run, pieces, module_graph) for run in consensus.first)
    return dataclasses.replace(measured, confidence=module_confidence(groups, first),
                               verticals=layering.verticals if layering else (),
                               platform=layering.platform if layering else (), split=pieces.split), ()


class _Known:
    """The consensus under each seed on one service graph, as the results cache holds it: the
    graph's digest is taken once for every seed (it is most of the key)."""

    def __init__(self, memo: Memo | None, graph: nx.Graph, detection: Detection, resolution: float) -> None:
        self.memo, self.found = memo, {}
        try:
            self.inputs = (digest(graph), detection, resolution) if memo is not None else None
        except TypeError:  # an input without a stable digest: no cache rather than a wrong one
            self.inputs = None

    def get(self, seed: int) -> Consensus | None:
        if seed not in self.found and self.inputs is not None:
            value = self.memo.load("consensus", (*self.inputs, seed))
            self.found[seed] = value if isinstance(value, Consensus) else None
        return self.found.get(seed)

    def keep(self, seed: int, consensus: Consensus) -> Consensus:
        if self.inputs is not None:
            self.memo.store("consensus", (*self.inputs, seed), consensus)
        return consensus


class _Reruns:
    """The stability reruns: each a full detection under one seed, in forked worker processes
    on a machine with two cores or more (else here, one after another), for `results()`."""

    def __init__(self, sizing: tuple, seeds: tuple[int, ...]) -> None:
        self.sizing, self.seeds, self.pool, self.futures = sizing, seeds, None, []

    def __enter__(self) -> _Reruns:
        if self.seeds and len(self.sizing[0]) > _PARALLEL_FROM and can_fork():
            self.pool, self.futures = forked(min(2, len(self.seeds)), self.sizing, _rerun_in_worker, self.seeds)
        return self

    def results(self) -> list[tuple[int, Consensus, dict[str, str]]]:
        """(seed, its consensus, the services it gives as a partition) for each seed."""
        if self.pool is None:
            return [(seed, *_detected(seed, self.sizing)) for seed in self.seeds]
        return [future.result() for future in self.futures]

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if self.pool is not None:
            shut(self.pool, stopping=kind is not None)


_PARALLEL_FROM = 300  # modules; below this a worker costs more than it saves


class _Betweenness:
    """The import graph's betweenness, brittleness' costliest signal (about 1.5 s at 20,000
    modules), computed in a forked worker while this process digests the proposal's inputs and
    detects (from `_BETWEENNESS_FROM` modules, two cores and fork), else here when asked."""

    def __init__(self, graph: nx.DiGraph, seed: int) -> None:
        self.graph, self.seed, self.pool, self.future = graph, seed, None, None

    def __enter__(self) -> _Betweenness:
        if self.graph.number_of_nodes() >= _BETWEENNESS_FROM and can_fork():
            self.pool, (self.future,) = forked(1, self.graph, _betweenness_in_worker, (self.seed,))
        return self

    def result(self) -> dict[str, float]:
        """The betweenness (the worker's, or computed here when there is none)."""
        return self.future.result() if self.future else import_betweenness(self.graph, self.seed)

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if self.pool is not None:
            shut(self.pool, stopping=kind is not None)


_BETWEENNESS_FROM = 2000  # modules (wagtail's 648: 0.03 s, less than the fork)

def _betweenness_in_worker(seed: int) -> dict[str, float]:
    return import_betweenness(shared(), seed)


def _rerun_in_worker(seed: int) -> tuple[int, Consensus, dict[str, str]]:
    return (seed, *_detected(seed, shared()))


def _detected(seed: int, sizing: tuple) -> tuple[Consensus, dict[str, str]]:
    """The whole detection under `seed`: its consensus and the partition it gives."""
    graph, _, _, _, detection, resolution, *_ = sizing
    consensus = consensus_services(graph, detection, resolution, seed)
    return consensus, _partition(consensus, sizing)


def _partition(consensus: Consensus, sizing: tuple) -> dict[str, str]:
    """The services `consensus` gives once sized, as a partition (kernel and tooling included)."""
    graph, loc, shims, imports, detection, _, kernel, tooling, split = sizing
    return _as_partition(_sized(consensus, graph, loc, shims, imports, detection, split), kernel, tooling)


def _coupling_graph(analysis: Analysis, detection: Detection, usage: tuple[CoChange, ...] = (),
                    pieces: Pieces | None = None) -> nx.Graph:
    """Imports, co-change (and `usage`), data links and recorded calls between the analysed
    modules, mixed by `detection`'s weights; with `pieces`, between those (split modules' data
    links and recorded calls are left out)."""
    modules = pieces.modules if pieces else tuple(sorted(record.module for record in analysis.modules))
    tables, links = data_in_pieces(pieces, analysis.tables, analysis.data_links) if pieces else (
        analysis.tables, analysis.data_links)
    return build_coupling_graph(modules, pieces.imports if pieces else analysis.imports,
                                analysis.cochange + usage, module_data_pairs(tables, links),
                                structural_weight=detection.structural_weight,
                                cochange_weight=detection.cochange_weight, data_weight=detection.data_weight,
                                runtime=runtime_pairs(analysis.runtime) if analysis.runtime else None,
                                runtime_weight=detection.runtime_weight)


def _measured(analysis: Analysis, detection: Detection, resolution: float, services: tuple[Service, ...],
              coupling: nx.Graph, stability: Stability | None) -> Proposal:
    """The proposal `services` with its quality next to the two baselines."""
    package_of = {record.module: record.package for record in analysis.modules}
    proposed = {module: service.name for service in services for module in service.modules}
    cochange = analysis.cochange if analysis.history else None
    sizes = [len(service.modules) for service in services]
    partitions = (proposed, package_of, random_partition(sizes, list(package_of), detection.seed))
    library = frozenset(module for module, name in proposed.items() if name == KERNEL)  # no crossing in any column
    quality = tuple(
        (name, _with_runtime(partition_quality(partition, analysis.imports, coupling, cochange, detection.ned_bounds,
                                               crossing_data(analysis.data_links, analysis.tables, partition)
                                               if analysis.tables else None), partition, analysis, library))
        for name, partition in zip(PARTITIONS, partitions)
    )
    return Proposal(detection, resolution, services, quality, stability)


def _with_runtime(figures: QualityFigures, group_of: dict[str, str], analysis: Analysis,
                  library: frozenset[str]) -> QualityFigures:
    """`figures` with BCP and the share of recorded calls between groups, calls into `library`
    (the proposed kernel's modules) no crossing in any partition (stages/runtime.py)."""
    if analysis.runtime is None:
        return figures
    bcp = business_context_purity(group_of, analysis.runtime)  # None: no module ran in a use case
    return dataclasses.replace(figures, bcp=None if bcp is None else round(bcp, 4),
                               crossing_runtime_share=round(crossing_runtime_share(group_of, analysis.runtime, library), 4))


def _pieces_graph(analysis: Analysis, detection: Detection, usage: tuple[CoChange, ...], pieces: Pieces,
                  left_out: frozenset[str]) -> nx.Graph | None:
    """The coupling graph with the split modules' pieces, without `left_out`; None with no split module."""
    if not pieces.split:
        return None
    return induced_subgraph(_coupling_graph(analysis, detection, usage, pieces),
                            (module for module in pieces.modules if module not in left_out))


def _split_layers(analysis: Analysis, names: tuple[ModuleNames, ...], layering: Layering | None,
                  loc: dict[str, int], kernel: frozenset[str], tooling: frozenset[str]) -> tuple[frozenset[str], Pieces]:
    """The kernel and the multi-domain modules cut into pieces (stages/splits.py). Once those
    are cut, a layer's platform modules (imported by most of its slices) are what still glues the
    layer: they join the kernel (on ansible/awx: stability of the far-seed reruns 0.85 -> 1.0);
    without multi-domain modules they stay (moving them made wagtail and taiga-back hinge on the seed)."""
    if layering is None:
        return kernel, split_into_pieces((), (), (), (), ())
    models = frozenset(table.module for table in analysis.tables)  # split by data ownership, not here
    platform = frozenset(layering.platform)
    split = find_split_modules(names, layering.verticals, loc, find_facades(analysis.imports, len(loc)),
                               kernel | tooling | models | platform)
    pieces = split_into_pieces(tuple(sorted(loc)), analysis.imports, split, names, layering.verticals)
    return (kernel | platform if pieces.split else kernel), pieces


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
           imports: tuple[ImportEdge, ...], detection: Detection,
           split: tuple[Pieces, nx.Graph, tuple[tuple[str, tuple[str, ...]], ...]]) -> tuple[frozenset[str], ...]:
    """No giants, shims with what they re-export, no toys (stages/sizing.py), in that order;
    with split modules (`split`: their pieces, the graph of whole modules and the verticals), each
    joins the group holding most of its pieces, a group holding no slice but mostly named after
    one domain joins that domain's group, and toys are merged once more among whole modules; with
    a service count asked for, as many services as the runs allow up to that count."""
    groups = consensus.services
    if detection.target_services is None:  # a service count asked for is kept; giants are then only named
        groups = split_giants(graph, groups, loc, detection, consensus.first)
    groups = merge_toys(graph, follow_shims(groups, shims, imports), loc, detection.min_service_share)
    pieces, module_graph, verticals = split
    runs = consensus.first
    if pieces.split:
        groups = join_leftovers(join_pieces(groups, pieces, module_graph), verticals, loc)
        groups = merge_toys(module_graph, groups, loc, detection.min_service_share)
        runs = tuple(join_pieces(run, pieces, module_graph) for run in runs) if detection.target_services else ()
    if detection.target_services:
        groups = fit_count(module_graph, groups, loc, detection.target_services, runs, detection.min_service_size)
    return groups


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
                 cycle_breakers: tuple[tuple[str, str], ...],
                 betweenness: dict[str, float] | None = None) -> tuple[BrittleModule, ...]:
    """Every module's brittleness under `analysis`'s services, with the hidden data links as a
    reason (`betweenness`: `import_betweenness(import_graph, seed)`, when computed already)."""
    service_of = analysis.service_of
    analysed = set(service_of) or {record.module for record in analysis.modules}
    breakers = tuple(pair for pair in cycle_breakers if pair[0] in analysed and pair[1] in analysed)
    scoring = analysis.scoring or Scoring()
    ranked = rank_brittleness(
        analysis.modules, import_graph, churn=analysis.churn, sum_of_coupling=dict(analysis.sum_of_coupling),
        service_of=service_of, cycle_breakers=breakers, weights=dict(scoring.weights),
        seed=seed, recent_days=analysis.recent_days or HistorySettings().recent_days, betweenness=betweenness,
    )
    owners = {table.model: table.service for table in analysis.tables if table.service}
    hidden = hidden_data_reasons(analysis.data_links, analysis.tables, owners)
    ranked = tuple(dataclasses.replace(entry, reasons=entry.reasons + (hidden[entry.module],))
                   if entry.module in hidden else entry for entry in ranked)
    return runtime_reasons(ranked, analysis.runtime, service_of) if analysis.runtime else ranked


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
