"""The shared kernel: modules every part of the monolith imports, which would glue services together.

A module m belongs to the kernel when all three hold (thresholds in `KernelRule`):

1. it is imported from at least `min_packages` packages other than its own (the package
   layout, docs/concepts.md), so several future services would need it;
2. at least `min_outside_share` of the modules that import it are outside its own package, so
   it is not the private core of one package that others merely reach into;
3. it imports little: its instability Ce / (Ca + Ce) is at most `max_instability`, where
   Ca is its fan-in and Ce its fan-out (Martin);
4. everything it imports is in the kernel too: a library that calls back into the services
   could not be shared. (Modules failing this are dropped until none does: a package
   `__init__` that re-exports a whole model layer is a facade, not a kernel.)

A module that neither imports nor is imported (a package's `__init__.py`, a constants file)
joins the kernel when most of the modules in its package are kernel modules (`shop.core` with
`shop.core.db`, ...).

Kernel modules are reported as one `shared` group, a library candidate, and are left out of
community detection so that they do not pull every service into one.
"""

from __future__ import annotations

import bisect

import networkx as nx

from decomposer.model import KernelRule

__all__ = ["find_shared_kernel"]


def find_shared_kernel(
    import_graph: nx.DiGraph, package_of: dict[str, str], rule: KernelRule
) -> frozenset[str]:
    """Return the modules of the shared kernel.

    Args:
        import_graph: importer -> imported edges between analysed modules.
        package_of: each module's package in the current layout.
        rule: the thresholds.

    >>> graph = nx.DiGraph([("a.x", "k.util"), ("b.y", "k.util"), ("c.z", "k.util"), ("a.x", "b.y")])
    >>> packages = {"a.x": "a", "b.y": "b", "c.z": "c", "k.util": "k"}
    >>> sorted(find_shared_kernel(graph, packages, KernelRule()))
    ['k.util']
    """
    kernel = {module for module in import_graph if _is_kernel(module, import_graph, package_of, rule)}
    while leaking := {module for module in kernel if any(other not in kernel for other in import_graph[module])}:
        kernel -= leaking
    return frozenset(kernel | _kernel_packages(import_graph, kernel))


def _kernel_packages(graph: nx.DiGraph, kernel: set[str]) -> set[str]:
    """Modules with no import either way (an empty package `__init__`, a lone constant) whose
    sub-modules, or else siblings, are mostly kernel."""
    joined = set()
    names = sorted(graph)  # the modules under a prefix are one slice of it
    for module in graph:
        if graph.degree(module) or module in kernel:
            continue
        below = _under(names, module + ".")
        parent = module.rsplit(".", 1)[0] + "." if "." in module else None
        mates = below or ([other for other in _under(names, parent) if other != module] if parent else [])
        if mates and 2 * sum(other in kernel for other in mates) > len(mates):
            joined.add(module)
    return joined


def _under(names: list[str], prefix: str) -> list[str]:
    """The names in sorted `names` that start with `prefix`."""
    start = bisect.bisect_left(names, prefix)
    end = start
    while end < len(names) and names[end].startswith(prefix):
        end += 1
    return names[start:end]


def _is_kernel(module: str, graph: nx.DiGraph, package_of: dict[str, str], rule: KernelRule) -> bool:
    importers = list(graph.predecessors(module))
    if not importers:
        return False
    own = package_of[module]
    outside = [importer for importer in importers if package_of[importer] != own]
    fan_in, fan_out = len(importers), graph.out_degree(module)
    return (
        len({package_of[importer] for importer in outside}) >= rule.min_packages
        and len(outside) >= rule.min_outside_share * fan_in
        and fan_out <= rule.max_instability * (fan_in + fan_out)
    )
