"""An edited assignment (module -> service) -> a partition of today's modules, and its figures.

A person who disagrees with the proposal moves modules in report.html and exports the result
(docs/assignments.md). This stage makes such a file fit the analysed modules, and measures an
assignment with the very figures the page recomputes after each move:

1. `place_assignment`: modules the file names but the analysis does not know are left out (a
   warning); analysed modules the file does not name go to the service they are most coupled to
   in the coupling graph (ties: the name), or, coupled to none, to a service named after their
   layout package (a warning lists them). A HEAD other than the analysis's is a warning too;
2. `assignment_figures`: crossing import statements (`model.crossing_counts`, the kernel left
   out), ICP (`stages.quality`, the kernel one group), crossing data links
   (`stages.data.crossing_data`), the largest service, and the moved item's cost;
3. `item_cost`: the plan's cost rule (stages/strangler.py) applied to the moved modules in
   their new service: each import statement from them into another service counts 2 (that
   service must grow an API), each statement from another service into them 1, each data link
   the same way, and each module moved 1. In the kernel: 2 per statement into a service, plus
   the modules (the library step's rule). Imports to or from the kernel cost nothing.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from decomposer.model import (
    KERNEL,
    AnalysisWarning,
    Assignment,
    AssignmentFigures,
    DataLink,
    ImportEdge,
    Table,
    crossing_counts,
    link_modules,
)
from decomposer.stages.data import crossing_data
from decomposer.stages.quality import inter_call_percentage

__all__ = ["assignment_figures", "item_cost", "place_assignment"]

_OUTBOUND_FACTOR = 2  # as in stages/strangler.py: an import into the rest of the monolith counts twice
_SHOWN = 5  # modules named in a warning before "and N more"


def place_assignment(assignment: Assignment, modules: tuple[str, ...], coupling_graph: nx.Graph,
                     package_of: dict[str, str], head: str | None) -> tuple[dict[str, str], tuple[AnalysisWarning, ...]]:
    """Every module of `modules` with its service from `assignment`, placed by coupling when missing.

    Args:
        assignment: the file's module -> service pairs.
        modules: the analysed modules.
        coupling_graph: the combined coupling graph (imports, co-change, data links).
        package_of: each module's layout package (the name of a service for an uncoupled module).
        head: the analysed HEAD, compared with the file's.

    Returns:
        (module -> service for every analysed module, warnings about what did not fit).
    """
    given = dict(assignment.services)
    known = set(modules)
    warnings = []
    if assignment.repository_head and head and assignment.repository_head != head:
        warnings.append(f"{assignment.source} was made against HEAD {assignment.repository_head[:12]}, "
                        f"the analysis is of {head[:12]}: modules that changed are placed as said below")
    unknown = sorted(set(given) - known)
    if unknown:
        warnings.append(f"{assignment.source} names {len(unknown)} module(s) the analysis does not have, "
                        f"left out: {_some(unknown)}")
    service_of = {module: given[module] for module in modules if module in given}
    missing = [module for module in modules if module not in given]
    for module in missing:
        service_of[module] = _most_coupled(module, coupling_graph, service_of) or package_of[module].rsplit(".", 1)[-1]
    if missing:
        warnings.append(f"{assignment.source} does not name {len(missing)} analysed module(s), placed with the "
                        f"service they are most coupled to: {_some(missing)}")
    return service_of, tuple(AnalysisWarning(assignment.source, message) for message in warnings)


def assignment_figures(service_of: dict[str, str], imports: tuple[ImportEdge, ...], tables: tuple[Table, ...],
                       data_links: tuple[DataLink, ...], moved: frozenset[str] = frozenset()) -> AssignmentFigures:
    """The figures report.html shows for the partition `service_of` (see the module docstring).

    Args:
        service_of: every analysed module's service (KERNEL for the kernel).
        imports: import edges between analysed modules.
        tables, data_links: the ORM models and their links (empty without models).
        moved: the modules of the item last moved, for its cost; empty: no cost.
    """
    edges = [edge for edge in imports if edge.importer in service_of and edge.imported in service_of]
    sizes = Counter(name for name in service_of.values() if name != KERNEL)
    largest = min(sizes, key=lambda name: (-sizes[name], name)) if sizes else ""
    return AssignmentFigures(
        crossing_imports=sum(crossing_counts(imports, service_of).values()),
        icp=round(inter_call_percentage(service_of, edges), 4),
        crossing_data_links=crossing_data(data_links, tables, service_of)[0] if tables else None,
        largest=largest,
        largest_modules=sizes[largest] if largest else 0,
        item_cost=item_cost(moved, service_of, imports, tables, data_links) if moved else None,
    )


def item_cost(item: frozenset[str], service_of: dict[str, str], imports: tuple[ImportEdge, ...],
              tables: tuple[Table, ...], data_links: tuple[DataLink, ...]) -> int:
    """Change points of the modules `item` (all of one service) where `service_of` puts them."""
    home = service_of[min(item)]
    outbound = inbound = 0
    pairs = [(edge.importer, edge.imported, edge.count) for edge in imports]
    module_of = {table.model: table.module for table in tables if table.module}
    pairs += [(source, target, 1) for source, target in (link_modules(link, module_of) for link in data_links)
              if source and target]
    for source, target, count in pairs:
        if source in item and target not in item and _other(service_of.get(target), home):
            outbound += count
        elif target in item and source not in item and _other(service_of.get(source), home) and home != KERNEL:
            inbound += count
    return _OUTBOUND_FACTOR * outbound + inbound + len(item)


def _other(service: str | None, home: str) -> bool:
    """A service other than `home` that is not the kernel (the kernel is a library, not a boundary)."""
    return service is not None and service != home and service != KERNEL


def _most_coupled(module: str, graph: nx.Graph, service_of: dict[str, str]) -> str | None:
    weights: Counter[str] = Counter()
    for other, data in (graph.adj[module].items() if module in graph else ()):
        if other in service_of:
            weights[service_of[other]] += data.get("weight", 1)
    return min(weights, key=lambda name: (-weights[name], name)) if weights else None


def _some(modules: list[str]) -> str:
    shown = ", ".join(modules[:_SHOWN])
    return shown + (f" and {len(modules) - _SHOWN} more" if len(modules) > _SHOWN else "")
