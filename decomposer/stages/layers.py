"""Module names -> technical layers and the domains sliced across them (verticals).

Code organised by technical layer keeps one folder per domain in each layer
(`project/api/views/inventory.py`, `project/main/models/inventory.py`); community detection
on such code cuts along the layers, since each layer's platform modules glue its slices
together. The rule (docs/concepts.md, "Layers and verticals"):

1. a package's *domain children* are its direct sub-modules and sub-packages whose names are
   not technical words (`models`, `views`, `api`, `utils`, ... : `TECHNICAL_NAMES`);
2. two packages *mirror* each other when they share at least `_MIN_SHARED` domain children;
   every package that mirrors another is a *layer*;
3. a *domain* is a domain child name found in at least two layers (`jobs` and `job` are one
   domain, named by its shortest spelling); its *slices* are the
   modules `layer.domain` and `layer.domain.*` of every layer that has it (a module under
   several domains belongs to the outermost, the one nearest the root);
4. a layer's *platform* modules are its other modules (not slices) imported by at least half
   of its slices: they serve the whole layer, not one domain.

Services are named after the domain they hold, and, with `vertical_tie` > 0, each domain's
slices are tied together in the coupling graph (`tie_verticals`). Modules serving most of the
domains are detected name by name (stages/splits.py); only then do the platform modules join
the kernel (pipeline/proposal.py): with those modules whole, moving them made the proposal
hinge on the seed on ansible/awx.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from decomposer.model import ImportEdge

__all__ = ["TECHNICAL_NAMES", "Layering", "find_layers", "singular", "tie_verticals"]

TECHNICAL_NAMES = frozenset({
    "__init__", "__main__", "admin", "api", "apps", "base", "common", "conf", "constants", "core", "db",
    "decorators", "exceptions", "fields", "filters", "forms", "handlers", "helpers", "managers", "middleware",
    "migrations", "mixins", "models", "permissions", "routers", "serializers", "services", "settings",
    "signals", "tasks", "templatetags", "tests", "types", "urls", "utils", "validators", "views", "viewsets",
    "widgets", "management", "commands", "schema", "schemas", "resolvers", "mutations", "queries",
    "choices", "enums", "events", "registry", "hooks", "abstract", "generic", "generics", "util",
})
_MIN_SHARED = 3


@dataclass(frozen=True, slots=True)
class Layering:
    """The layers found, their domains' slices, and the layers' platform modules."""

    layers: tuple[str, ...]  # packages that mirror another, sorted
    verticals: tuple[tuple[str, tuple[str, ...]], ...]  # (domain, its slice modules sorted), by domain
    platform: tuple[str, ...]  # modules serving a whole layer, sorted


def find_layers(modules: tuple[str, ...], imports: tuple[ImportEdge, ...]) -> Layering:
    """Find technical layers among the packages of `modules` (dotted names).

    >>> mods = tuple(f"app.{layer}.{name}" for layer in ("api", "models") for name in ("order", "user", "cart"))
    >>> find_layers(mods, ()).verticals[0]
    ('cart', ('app.api.cart', 'app.models.cart'))
    """
    children = _domain_children(modules)
    keys = {package: {singular(name) for name in names} for package, names in children.items()}
    layers = sorted({package for a, b in combinations(sorted(keys), 2)
                     if len(keys[a] & keys[b]) >= _MIN_SHARED for package in (a, b)})
    count: defaultdict[str, int] = defaultdict(int)
    for layer in layers:
        for key in keys[layer]:
            count[key] += 1
    domains = {key for key, layers_with in count.items() if layers_with >= 2}
    # A module under several domains' slices (`images.views.bulk_actions`) belongs to the
    # outermost one: the domain nearest the root is the most domain-like.
    members: defaultdict[str, list[str]] = defaultdict(list)
    prefixes = sorted(((f"{layer}.{name}", singular(name)) for layer in layers for name in children[layer]
                       if singular(name) in domains), key=lambda item: (item[0].count("."), item))
    rank = {}
    for index, (prefix, name) in enumerate(prefixes):
        rank.setdefault(prefix, (index, name))
    slice_of = {module: found for module in modules if (found := _first_prefix(module, rank))}
    for module in modules:
        if module in slice_of:
            members[slice_of[module][1]].append(module)
    shown: dict[str, str] = {}  # each domain shown as its shortest spelling
    for name in {name for names in children.values() for name in names}:
        key = singular(name)
        if key in members and (key not in shown or (len(name), name) < (len(shown[key]), shown[key])):
            shown[key] = name
    verticals = sorted((shown[key], tuple(sorted(group))) for key, group in members.items()
                       if len({slice_of[module][0].rsplit(".", 1)[0] for module in group}) >= 2)
    slices = {module for _, members in verticals for module in members}
    return Layering(tuple(layers), tuple(verticals), _platform(modules, layers, slices, imports))


def _first_prefix(module: str, rank: dict[str, tuple[int, str]]) -> tuple[str, str] | None:
    """The first of the ranked prefixes that is `module` or one of its packages, with its domain
    (the module's own dotted ancestors looked up: linear in the modules, not in modules x prefixes)."""
    parts = module.split(".")
    found = [(rank[prefix], prefix) for prefix in (".".join(parts[:depth]) for depth in range(1, len(parts) + 1))
             if prefix in rank]
    if not found:
        return None
    (_, name), prefix = min(found)
    return prefix, name


def _domain_children(modules: tuple[str, ...]) -> dict[str, set[str]]:
    children: defaultdict[str, set[str]] = defaultdict(set)
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts)):
            name = parts[depth]
            if name not in TECHNICAL_NAMES and not name.startswith("_"):
                children[".".join(parts[:depth])].add(name)
    return children


def singular(name: str) -> str:
    """`jobs` and `job`, `projects` and `project` name one domain (layers disagree on plurals)."""
    return name[:-1] if len(name) > 3 and name.endswith("s") and not name.endswith("ss") else name


def _platform(modules: tuple[str, ...], layers: list[str], slices: set[str],
              imports: tuple[ImportEdge, ...]) -> tuple[str, ...]:
    importers: defaultdict[str, set[str]] = defaultdict(set)
    for edge in imports:
        if edge.importer in slices:
            importers[edge.imported].add(edge.importer)
    inside: defaultdict[str, list[str]] = defaultdict(list)  # layer -> the modules under it
    wanted = set(layers)
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts)):
            if (layer := ".".join(parts[:depth])) in wanted:
                inside[layer].append(module)
    platform = set()
    for layer in layers:
        layer_slices = {module for module in inside[layer] if module in slices}
        for module in inside[layer]:
            if module not in slices and 2 * len(importers[module] & layer_slices) >= len(layer_slices) > 0:
                platform.add(module)
    return tuple(sorted(platform))


def tie_verticals(graph: nx.Graph, verticals: tuple[tuple[str, tuple[str, ...]], ...], ties: float) -> nx.Graph:
    """`graph` with each domain's slices tied to each other by `ties` typical couplings (the
    median edge weight) on top of what they already share, so detection leans towards vertical
    services; `graph` itself when `ties` is 0 (the default: measured, ties made wagtail and
    taiga-back hinge on the seed again, and hard pins did the same on ansible/awx)."""
    weights = sorted(weight for _, _, weight in graph.edges(data="weight"))
    if not weights or not verticals or not ties:
        return graph
    tie = ties * weights[len(weights) // 2]
    tied = graph.copy()
    for _, members in verticals:
        present = [module for module in members if module in graph]
        for a, b in combinations(present, 2):
            tied.add_edge(a, b, weight=tied.get_edge_data(a, b, {"weight": 0.0})["weight"] + tie)
    return tied
