"""Multi-domain modules -> their names as pieces, so detection can cut them by domain.

Layered code often keeps one huge module per layer that serves every domain: ansible/awx's
`awx/api/serializers.py` (one serializer per model, 5,000 lines), `awx/api/views/__init__.py`
(every view that has no module of its own) and `awx/main/access.py`. As whole modules they
glue the layer together: every url module imports the views module, which imports every
serializer, so detection returns the layer (`api`) rather than verticals. The rule
(docs/concepts.md, "Layers and verticals"):

1. a module is *multi-domain* when the names it defines (or re-exports from its own
   sub-modules, as a package's `__init__` does) start with at least half of the layering's
   domains, and at least `_MIN_DOMAINS` (`InventorySerializer`, `JobTemplateSerializer`, ... :
   `inventory`, `job`; stages/layers.py finds the domains), it holds at least 1% of the
   analysed lines or is a facade (stages/facades.py), and it is no domain's slice itself;
2. during detection such a module is replaced by one *piece* per top-level name
   (`awx.api.serializers:InventorySerializer`): an importer is coupled to the pieces it names,
   a piece to what its own code uses (a piece of another multi-domain module when that is
   what it uses), each by one statement;
3. afterwards the module goes, whole, to the service that holds most of its pieces' lines;
   the plan then says which of its names each other service uses (a split step).

The quality figures are always measured on whole modules.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

import networkx as nx

from decomposer.model import DataLink, Definition, ImportEdge, ModuleNames, Table
from decomposer.stages.layers import singular

__all__ = ["Pieces", "data_in_pieces", "find_split_modules", "join_pieces", "split_into_pieces", "subjects"]

# Measured on the eight monoliths of benchmarks/RESULTS.md: ansible/awx's serializers, views,
# access and models modules serve 12 of its 15 domains; a module serving a few of few domains
# (taiga-back's 5) is an ordinary module with a cross-domain feature.
_MIN_DOMAINS, _MIN_DOMAIN_SHARE, _MIN_LINE_SHARE = 5, 0.5, 0.01
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


@dataclass(frozen=True, slots=True)
class Pieces:
    """The detection's input with every multi-domain module replaced by its pieces."""

    modules: tuple[str, ...]  # the other modules and the pieces, sorted
    imports: tuple[ImportEdge, ...]  # edges into or out of a split module now run to or from its pieces
    loc: dict[str, int]  # each piece's lines
    owner: dict[str, str]  # each piece's module
    split: tuple[str, ...] = ()  # the modules replaced by their pieces, sorted
    spans: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)  # module: (first, last line, piece)


def find_split_modules(names: tuple[ModuleNames, ...], verticals: tuple[tuple[str, tuple[str, ...]], ...],
                       loc: dict[str, int], facades: tuple[str, ...] = (),
                       keep: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The multi-domain modules among `names` (rule 1), sorted; never one of `keep` (the kernel, tooling).

    >>> defs = tuple(Definition(f"{name}Serializer", 1, 9, ()) for name in ("Order", "User", "Cart", "Item", "Tax"))
    >>> domains = tuple((name, ()) for name in ("order", "user", "cart", "item", "tax", "shipping"))
    >>> find_split_modules((ModuleNames("app.serializers", defs, ()),), domains, {"app.serializers": 50, "app": 50})
    ('app.serializers',)
    """
    domains = [_words(domain) for domain, _ in verticals]
    slices = {module for _, members in verticals for module in members}
    least = max(_MIN_DOMAINS, math.ceil(_MIN_DOMAIN_SHARE * len(domains)))
    total = sum(loc.values())
    found = []
    for record in names:
        if record.module in slices or record.module in keep or record.module not in loc:
            continue
        if loc[record.module] < _MIN_LINE_SHARE * total and record.module not in facades:
            continue
        served = {tuple(domain) for definition in record.definitions if _own(definition, record.module)
                  for domain in domains if _words(definition.name)[:len(domain)] == domain}
        if len(served) >= least:
            found.append(record.module)
    return tuple(sorted(found))


def split_into_pieces(modules: tuple[str, ...], imports: tuple[ImportEdge, ...], split: tuple[str, ...],
                      names: tuple[ModuleNames, ...], verticals: tuple[tuple[str, tuple[str, ...]], ...]) -> Pieces:
    """`modules` and `imports` with each `split` module replaced by its pieces (rule 2): one per
    domain its names start with, or else per first word of the name (`HostSerializer`,
    `HostList`: `host`).

    A name a split module only re-exports is no piece: whoever uses it is coupled to the
    module it comes from (`awx.main.models:Inventory` -> `awx.main.models.inventory`).
    """
    by_module = {record.module: record for record in names}
    split_set = frozenset(split) & by_module.keys()
    domains = sorted((_words(domain) for domain, _ in verticals), key=lambda words: (-len(words), words))
    defined = {(module, definition.name): (definition, f"{module}:{_key(definition.name, domains)}")
               for module in split_set for definition in by_module[module].definitions}
    edges = _importer_edges(imports, by_module, defined, split_set)
    loc: Counter[str] = Counter()
    spans = {}
    for module in sorted(split_set):
        own = [defined[module, definition.name] for definition in by_module[module].definitions if definition.lines]
        spans[module] = tuple(sorted((d.line, d.line + d.lines - 1, piece) for d, piece in own))
        for definition, piece in own:
            loc[piece] += definition.lines
            for target in {_resolve(used, defined, split_set) for used in definition.uses} - {None, piece}:
                edges[piece, target] += 1
    pieces = sorted(piece for pair in edges for piece in pair if piece in loc)
    return Pieces(
        modules=tuple(sorted({module for module in modules if module not in split_set} | set(pieces))),
        imports=tuple(ImportEdge(importer, imported, tuple(range(1, count + 1)))
                      for (importer, imported), count in sorted(edges.items()) if importer != imported),
        loc={piece: loc[piece] for piece in pieces},
        owner={piece: piece.partition(":")[0] for piece in pieces},
        split=tuple(sorted(split_set)),
        spans=spans,
    )


def _importer_edges(imports: tuple[ImportEdge, ...], by_module: dict[str, ModuleNames],
                    defined: dict[tuple[str, str], tuple[Definition, str]],
                    split: frozenset[str]) -> Counter[tuple[str, str]]:
    """Import statements by (importer, imported), those into a split module re-pointed at the
    pieces whose names the importer uses (one statement per name: a piece is coupled by what
    it gives); a split module's own imports are left to its pieces."""
    edges: Counter[tuple[str, str]] = Counter()
    for edge in imports:
        if edge.importer in split:
            continue
        if edge.imported not in split:
            edges[edge.importer, edge.imported] += edge.count
            continue
        used = {name for module, name in _uses(by_module, edge.importer) if module == edge.imported}
        for name in sorted(used or edge.names):
            target = _resolve((edge.imported, name), defined, split)
            if target:
                edges[edge.importer, target] += 1
    return edges


def data_in_pieces(pieces: Pieces, tables: tuple[Table, ...], links: tuple[DataLink, ...]
                   ) -> tuple[tuple[Table, ...], tuple[DataLink, ...]]:
    """`tables` and `links` with a split module's model or statement held by the piece whose
    lines hold it (a query in `InventorySerializer` ties that piece, not the whole module)."""
    def holder(module: str, line: int) -> str:
        return next((piece for first, last, piece in pieces.spans.get(module, ()) if first <= line <= last), module)

    return (tuple(replace(table, module=holder(table.module, table.line)) if table.module in pieces.spans else table
                  for table in tables),
            tuple(replace(link, module=holder(link.module, link.line)) if link.module in pieces.spans else link
                  for link in links))


def join_pieces(groups: tuple[frozenset[str], ...], pieces: Pieces,
                graph: nx.Graph | None = None) -> tuple[frozenset[str], ...]:
    """Groups of modules and pieces -> groups of modules: each split module joins the group
    that holds most of its pieces' lines (ties: more pieces, then the group with the smaller
    first module); groups left empty are dropped (rule 3). A split module without pieces (a
    package `__init__` that only re-exports) joins the group it is most coupled with in
    `graph` (whole modules), or else stays a group of its own.

    Returns:
        The groups, sorted by their smallest module.
    """
    if not pieces.split:
        return groups
    weight: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for index, group in enumerate(groups):
        for member in group:
            if member in pieces.owner:
                weight[pieces.owner[member]][index] += pieces.loc[member] * 1000 + 1  # lines, then pieces
    joined = [set(member for member in group if member not in pieces.owner) for group in groups]
    for module in pieces.split:
        votes = weight[module] or _coupling_votes(module, groups, graph)
        if votes:
            joined[min(votes, key=lambda index: (-votes[index], min(groups[index])))].add(module)
        else:  # none of its names is used or uses anything: a group of its own
            joined.append({module})
    return tuple(sorted((frozenset(group) for group in joined if group), key=min))


def _coupling_votes(module: str, groups: tuple[frozenset[str], ...], graph: nx.Graph | None) -> Counter[int]:
    votes: Counter[int] = Counter()
    if graph is not None and module in graph:
        index_of = {member: index for index, group in enumerate(groups) for member in group}
        for neighbour, data in graph[module].items():
            if neighbour in index_of:
                votes[index_of[neighbour]] += data["weight"]
    return votes


def _own(definition: Definition, module: str) -> bool:
    """Defined in the module, or re-exported from one of its own sub-modules (a package's `__init__`)."""
    return definition.lines > 0 or any(used.startswith(module + ".") for used, _ in definition.uses)


def _uses(by_module: dict[str, ModuleNames], module: str) -> tuple[tuple[str, str], ...]:
    record = by_module.get(module)
    return record.uses if record else ()


def _resolve(used: tuple[str, str], defined: dict[tuple[str, str], tuple[Definition, str]],
             split: frozenset[str]) -> str | None:
    """The node a use of (module, name) couples to: the module, a split module's piece, or
    what a split module's re-export comes from; None for a split module's other names."""
    for _ in range(8):  # re-exports of re-exports, not forever
        module, name = used
        if module not in split:
            return module
        if used not in defined:
            return None
        definition, piece = defined[used]
        if definition.lines:
            return piece
        used = definition.uses[0]
    return None


def subjects(modules: tuple[str, ...], layers: tuple[str, ...],
             verticals: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    """Each module directly in a layer package -> what it is about: the longest domain its name
    starts with, or else its name's first word (`awx.api.urls.workflow_job` -> `workflow`).

    >>> subjects(("app.api.order_lines", "app.api.util", "app.other.x"), ("app.api",), (("order", ()),))
    {'app.api.order_lines': 'order', 'app.api.util': 'util'}
    """
    domains = sorted((_words(domain) for domain, _ in verticals), key=lambda words: (-len(words), words))
    layer_set = frozenset(layers)
    return {module: _key(module.rpartition(".")[2], domains) for module in modules
            if module.rpartition(".")[0] in layer_set and not module.rpartition(".")[2].startswith("_")}


def _key(name: str, domains: list[list[str]]) -> str:
    """The piece a name goes to: the longest domain it starts with, or else its first word."""
    words = _words(name)
    domain = next((domain for domain in domains if words[:len(domain)] == domain), words[:1])
    return "_".join(domain) or name


def _words(name: str) -> list[str]:
    """`InventorySourceSerializer`, `inventory_sources` -> ['inventory', 'source', ...] (singular words)."""
    return [singular(word.lower()) for part in name.split("_") for word in _WORD.findall(part)]
