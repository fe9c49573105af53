"""Import edges -> facade modules: imported from everywhere, importing widely.

A module like `wagtail.models` (149 importers, 19 imports) re-exports a whole model layer:
it is neither a service's private module nor a library. The rule (docs/concepts.md, "Core
facade modules"): a module is a *facade* when

1. at least `_MIN_FAN_IN` analysed modules, and at least `_MIN_FAN_IN_SHARE` of them, import
   it, and
2. it imports at least `_MIN_FAN_OUT` analysed modules.

A facade that imports only kernel code joins the kernel; any other is planned as a *split*
step (`stages/strangler.py`): which of its names serve which services.
"""

from __future__ import annotations

from collections import defaultdict

from decomposer.model import ImportEdge

__all__ = ["find_facades", "names_by_service"]

_MIN_FAN_IN, _MIN_FAN_IN_SHARE, _MIN_FAN_OUT = 20, 0.1, 10


def find_facades(imports: tuple[ImportEdge, ...], modules: int) -> tuple[str, ...]:
    """The facades among the modules of `imports` (out of `modules` analysed), sorted.

    >>> edges = tuple(ImportEdge(f"m{i}", "hub", (1,)) for i in range(20))
    >>> edges += tuple(ImportEdge("hub", f"x{i}", (1,)) for i in range(10))
    >>> find_facades(edges, 40)
    ('hub',)
    """
    importers: defaultdict[str, set[str]] = defaultdict(set)
    imported: defaultdict[str, set[str]] = defaultdict(set)
    for edge in imports:
        if edge.importer != edge.imported:
            importers[edge.imported].add(edge.importer)
            imported[edge.importer].add(edge.imported)
    threshold = max(_MIN_FAN_IN, _MIN_FAN_IN_SHARE * modules)
    return tuple(sorted(module for module, found in importers.items()
                        if len(found) >= threshold and len(imported[module]) >= _MIN_FAN_OUT))


def names_by_service(facade: str, imports: tuple[ImportEdge, ...],
                     service_of: dict[str, str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Which names each other service imports from `facade`: (service, names sorted), by service.

    A plain `import facade` counts as the name "*" (the whole module).
    """
    names: defaultdict[str, set[str]] = defaultdict(set)
    own = service_of.get(facade)
    for edge in imports:
        service = service_of.get(edge.importer)
        if edge.imported == facade and service and service != own:
            names[service] |= set(edge.names) or {"*"}
    return tuple((service, tuple(sorted(found))) for service, found in sorted(names.items()))
