"""Data ownership: which service owns each table, and which data links cross the boundaries.

Newman (*Monolith to Microservices*, ch. 4) puts the data first: a service is not extracted
while its tables hold foreign keys into the monolith's tables, its queries join them, or one
transaction spans both. The models source lists every table and every data link with its
file:line; this stage turns them into coupling and ownership:

1. a data link ties two modules: the module of the model that holds a relation field (or the
   module that queries a model, or holds a transaction) and the module that defines the target
   model. `module_data_pairs` counts them per pair: the third coupling signal;
2. each table is owned by the service of the module that defines it, except in a models module
   whose tables serve several services (a "god" models.py): there a table goes to the service
   whose code reads and writes it most (queries and transactions in its modules), when that is
   at least `MIN_USES` uses and more than the home service's; ties stay home. Relations do not
   count here: a table that others point at (a product, a user) is not theirs for that. The
   kernel's tables stay the kernel's: that is shared data, to be split first;
3. a link crosses when its two ends have different owners (for queries and transactions: the
   using module's service and the table's owner); it is import-visible when an import joins the
   two modules, and hidden otherwise (the string foreign keys Django encourages).
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

from decomposer.model import KERNEL, RELATION_KINDS, DataLink, ImportEdge, Table, link_modules

# A relation ties two tables in the schema itself; a query can be re-routed through an API.
# Measured on taiga-back (docs/metrics.md): relations alone make the models modules a layer of
# their own; relations weighing like queries are drowned by them (542 queries, 128 relations);
# at 5 the crossing foreign keys fall from 61 to 12 with ICP no worse.
RELATION_WEIGHT = 5
MIN_USES = 2  # a table moves out of its module's service only for a service that uses it this often

__all__ = ["MIN_USES", "RELATION_WEIGHT", "annotate_links", "assign_owners", "crossing_data", "hidden_data_reasons", "link_modules",
           "module_data_pairs"]


def module_data_pairs(tables: tuple[Table, ...], links: tuple[DataLink, ...]) -> dict[tuple[str, str], int]:
    """Data links between two different modules, by unordered pair (the smaller name first); a
    relation counts `RELATION_WEIGHT` times, a query or a transaction once."""
    module_of = _module_of(tables)
    pairs: Counter[tuple[str, str]] = Counter()
    for link in links:
        source, target = link_modules(link, module_of)
        if source and target and source != target:
            pairs[min(source, target), max(source, target)] += RELATION_WEIGHT if link.kind in RELATION_KINDS else 1
    return dict(sorted(pairs.items()))


def assign_owners(tables: tuple[Table, ...], links: tuple[DataLink, ...],
                  service_of: dict[str, str]) -> dict[str, str]:
    """Each analysed table's owning service (model identity -> service), as the docstring says."""
    module_of = _module_of(tables)
    owners = {table.model: service_of[table.module] for table in tables if table.module in service_of}
    per_module: defaultdict[str, list[str]] = defaultdict(list)
    for table in tables:
        if table.kind == "concrete" and table.model in owners:
            per_module[table.module].append(table.model)
    usage: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for link in links:
        source, _ = link_modules(link, module_of)
        user = service_of.get(source) if source else None
        if user and link.target in owners and link.kind not in RELATION_KINDS:
            usage[link.target][user] += 1
    for module, models in per_module.items():
        home = service_of[module]
        if len(models) < 2 or home == KERNEL:
            continue
        for model in models:
            ranked = sorted(usage[model].items(), key=lambda item: (-item[1], item[0] != home, item[0]))
            if ranked and ranked[0][0] not in (home, KERNEL) and ranked[0][1] >= MIN_USES \
                    and ranked[0][1] > usage[model][home]:
                owners[model] = ranked[0][0]
    return owners


def annotate_links(links: tuple[DataLink, ...], tables: tuple[Table, ...], owners: dict[str, str],
                   service_of: dict[str, str], imports: tuple[ImportEdge, ...]) -> tuple[DataLink, ...]:
    """`links` with `crossing` (different owners) and `import_visible` (an import joins the modules)."""
    module_of = _module_of(tables)
    joined = {(edge.importer, edge.imported) for edge in imports}
    annotated = []
    for link in links:
        source, target = link_modules(link, module_of)
        side = owners.get(link.source) if link.kind in RELATION_KINDS else service_of.get(link.module)
        other = owners.get(link.target)
        visible = bool(source and target and (source == target or (source, target) in joined
                                              or (target, source) in joined))
        annotated.append(dataclasses.replace(link, crossing=bool(side and other and side != other), import_visible=visible))
    return tuple(annotated)


def crossing_data(links: tuple[DataLink, ...], tables: tuple[Table, ...],
                  group_of: dict[str, str]) -> tuple[int, int]:
    """(crossing, total) data links between analysed modules under the partition `group_of`."""
    module_of = _module_of(tables)
    crossing = total = 0
    for link in links:
        source, target = link_modules(link, module_of)
        if source in group_of and target in group_of:
            total += 1
            crossing += group_of[source] != group_of[target]
    return crossing, total


def hidden_data_reasons(links: tuple[DataLink, ...], tables: tuple[Table, ...],
                        owners: dict[str, str]) -> dict[str, str]:
    """A brittleness reason per module whose tables hold crossing relations no import shows."""
    module_of = _module_of(tables)
    hidden: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for link in links:
        if link.kind in RELATION_KINDS and link.crossing and not link.import_visible:
            source, _ = link_modules(link, module_of)
            if source:
                hidden[source][owners[link.target]] += 1
    reasons = {}
    for module, by_service in sorted(hidden.items()):
        total = sum(by_service.values())
        where = ", ".join(f"{service} ({count})" for service, count in sorted(by_service.items(),
                                                                             key=lambda item: (-item[1], item[0])))
        reasons[module] = (f"holds {total} relation{'s' if total > 1 else ''} (foreign keys and the like) "
                           f"into the tables of {where} that no import shows")
    return reasons


def _module_of(tables: tuple[Table, ...]) -> dict[str, str]:
    return {table.model: table.module for table in tables if table.module}

