"""The static import graph: scanned modules and edges -> filtered records and a DiGraph.

Edges point from importer to imported and weigh the number of import statements, so
`from shop.core import money` twice in one file (say, once under TYPE_CHECKING) weighs 2.
"""

from __future__ import annotations

from collections import Counter
from fnmatch import fnmatchcase

import networkx as nx

from decomposer.model import CodeScan, ImportEdge, ModuleRecord, SourceModule

__all__ = [
    "build_import_graph",
    "choose_package_depth",
    "exclude_modules",
    "is_excluded",
    "module_records",
    "package_of",
]


def exclude_modules(
    scan: CodeScan, patterns: tuple[str, ...]
) -> tuple[tuple[SourceModule, ...], tuple[ImportEdge, ...], tuple[str, ...]]:
    """Leave out the modules that match any pattern, and every import to or from them.

    Patterns are shell-style and match whole dotted names; `*` also matches dots, so
    `*.tests.*` matches `shop.orders.tests.test_checkout`.

    Returns:
        The kept modules, the kept imports, and the sorted names of the left-out modules.
    """
    excluded = {source.module for source in scan.modules if is_excluded(source.module, patterns)}
    modules = tuple(source for source in scan.modules if source.module not in excluded)
    imports = tuple(
        edge for edge in scan.imports
        if edge.importer not in excluded and edge.imported not in excluded
    )
    return modules, imports, tuple(sorted(excluded))


def is_excluded(module: str, patterns: tuple[str, ...]) -> bool:
    """Whether `module` matches an exclude pattern (`exclude_modules`)."""
    return any(fnmatchcase(module, pattern) for pattern in patterns)


def build_import_graph(
    modules: tuple[SourceModule, ...], imports: tuple[ImportEdge, ...]
) -> nx.DiGraph:
    """Return the module graph: one node per module, an edge per importer -> imported pair.

    Node attributes: `path`, `loc`. Edge attributes: `weight` (import statements), `lines`.
    """
    graph = nx.DiGraph()
    for source in modules:
        graph.add_node(source.module, path=source.path, loc=source.loc)
    for edge in imports:
        graph.add_edge(edge.importer, edge.imported, weight=edge.count, lines=edge.lines)
    return graph


def choose_package_depth(modules: tuple[SourceModule, ...], packages: tuple[str, ...]) -> int:
    """Pick the depth at which the current package layout is cut into groups.

    Several top-level packages of which none holds more than half the modules are the
    layout's groups (depth 1: Django apps at the repo root). Otherwise the groups are the
    first sub-package level (depth 2: `shop.orders`, `shop.catalog`).
    """
    if len(packages) < 2 or not modules:
        return 2
    sizes = Counter(source.module.split(".")[0] for source in modules)
    return 1 if max(sizes.values()) * 2 <= len(modules) else 2


def package_of(module: str, depth: int, sub_packages: frozenset[str]) -> str:
    """The module's group in the package layout: its ancestor package at `depth`.

    A module directly inside a shallower package (e.g. `shop.urls` at depth 2) belongs to that
    package; a package module at `depth` belongs to itself.

    >>> package_of("shop.orders.models", 2, frozenset({"shop", "shop.orders"}))
    'shop.orders'
    >>> package_of("shop.urls", 2, frozenset({"shop", "shop.orders"}))
    'shop'
    """
    parts = module.split(".")
    candidate = ".".join(parts[:depth])
    if candidate in sub_packages:
        return candidate
    for size in range(min(depth, len(parts)) - 1, 0, -1):
        ancestor = ".".join(parts[:size])
        if ancestor in sub_packages:
            return ancestor
    return parts[0]


def module_records(
    modules: tuple[SourceModule, ...], graph: nx.DiGraph, depth: int
) -> tuple[ModuleRecord, ...]:
    """One record per module with its fan-in/out, counted in modules and in statements."""
    sub_packages = frozenset(source.module for source in modules if source.is_package)
    return tuple(
        ModuleRecord(
            module=source.module,
            path=source.path,
            package=package_of(source.module, depth, sub_packages),
            loc=source.loc,
            fan_in=graph.in_degree(source.module),
            fan_out=graph.out_degree(source.module),
            imports_in=graph.in_degree(source.module, weight="weight"),
            imports_out=graph.out_degree(source.module, weight="weight"),
        )
        for source in modules
    )
