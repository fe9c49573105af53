"""The data side of the extraction plan: which data links each step cuts, and how.

A service has not left the monolith while its tables hold foreign keys into the monolith's
tables, its queries join them, or one transaction writes both. For each crossing data link the
plan names the statement (file:line) and a way out, after Newman (*Monolith to Microservices*,
ch. 4: "Data decomposition patterns") and Richardson's saga pattern:

- fk, o2o: keep the ID, drop the constraint; read the row through the owner's API, or keep a
  local copy fed by the owner's events;
- m2m: move the join table to one side; the other keeps a list of IDs;
- inherit: split the table: the child keeps its own table keyed by the parent's ID;
- generic: store (type, ID) pairs and resolve them through the owners' APIs;
- query: re-route the join through the owner's API, or read a view or replica it publishes;
- transaction: turn the transaction into a saga, each step with its compensating action.

Two more steps come from the tables: a kernel that holds tables is a shared database, so its
tables get owners in a "split shared data" step right after the library is published; and a
models module whose tables belong to several services is split in a "split module" step just
before the first of those services leaves.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from decomposer.model import (
    DATA_PATTERNS,
    KERNEL,
    RELATION_KINDS,
    SPLIT_DATA,
    SPLIT_MODULE,
    DataCut,
    DataLink,
    PlanStep,
    Service,
    Table,
)

__all__ = ["DataSites", "data_cuts", "data_sites", "links_between", "split_data_step",
           "split_module_steps"]


DataSites = dict[tuple[str, str], list[DataLink]]  # (depending service, owning service) -> links


def data_sites(links: tuple[DataLink, ...], tables: tuple[Table, ...], services: tuple[Service, ...]) -> DataSites:
    """Crossing data links by (the service that depends, the service that owns the table)."""
    owner = {table.model: table.service for table in tables if table.service}
    service_of = {module: service.name for service in services for module in service.modules}
    sites: defaultdict[tuple[str, str], list[DataLink]] = defaultdict(list)
    for link in links:
        if not link.crossing:
            continue
        side = owner.get(link.source) if link.kind in RELATION_KINDS else service_of.get(link.module)
        if side and link.target in owner:
            sites[side, owner[link.target]].append(link)
    return dict(sites)


def links_between(name: str, others: set[str], sites: DataSites) -> tuple[list[DataLink], list[DataLink]]:
    """(outbound, inbound) crossing data links between service `name` and the services `others`."""
    outbound = [link for other in sorted(others - {name}) for link in sites.get((name, other), [])]
    inbound = [link for other in sorted(others - {name}) for link in sites.get((other, name), [])]
    return outbound, inbound


def data_cuts(outbound: list[DataLink], inbound: list[DataLink]) -> tuple[DataCut, ...]:
    """The links as cuts with their pattern, outbound first, each list in file:line order."""
    def cut(link: DataLink, out: bool) -> DataCut:
        return DataCut(link.kind, link.source, link.target, link.path, link.line, out, DATA_PATTERNS[link.kind])
    order = lambda link: (link.path, link.line, link.kind, link.source, link.target)  # noqa: E731
    return tuple([cut(link, True) for link in sorted(outbound, key=order)]
                 + [cut(link, False) for link in sorted(inbound, key=order)])


def split_data_step(kernel: Service, tables: tuple[Table, ...], sites: DataSites) -> PlanStep | None:
    """Give the kernel's tables owners before any service leaves; None when it holds none."""
    held = [table for table in tables if table.service == KERNEL and table.kind == "concrete"]
    if not held:
        return None
    inbound = [link for (side, owner), found in sorted(sites.items()) if owner == KERNEL for link in found]
    users: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for (side, owner), found in sites.items():
        if owner == KERNEL:
            for link in found:
                users[link.target][side] += 1
    proposals = "; ".join(
        f"{table.model} ({table.table or 'no table'}) -> "
        + (min(users[table.model].items(), key=lambda item: (-item[1], item[0]))[0] if users[table.model]
           else "stays in the library as reference data")
        for table in held)
    rationale = (f"The shared kernel holds {len(held)} table{'s' if len(held) > 1 else ''}: that is a shared "
                 f"database, not a library. Give each table one owning service before any service leaves "
                 f"(the service that uses it most is suggested): {proposals}. Others reach it through the "
                 f"owner's API; {len(inbound)} data link{'s' if len(inbound) != 1 else ''} must be re-routed.")
    modules = tuple(sorted({table.module for table in held}))
    return PlanStep(0, SPLIT_DATA, KERNEL, modules, len(held) + 2 * len(inbound), 0.0, (), (), (), (), (),
                    rationale, 0, 1, data_cuts([], inbound))


def split_module_steps(tables: tuple[Table, ...],
                       services: tuple[Service, ...]) -> list[tuple[frozenset[str], PlanStep]]:
    """A "split module" step per models module whose tables belong to several services, with the
    services involved (the module's own and the owners): it goes before the first of them leaves."""
    service_of = {module: service.name for service in services for module in service.modules}
    by_module: defaultdict[str, list[Table]] = defaultdict(list)
    for table in tables:
        if table.kind == "concrete" and table.service and table.module in service_of:
            by_module[table.module].append(table)
    steps = []
    for module, held in sorted(by_module.items()):
        owners = sorted({table.service for table in held})
        if len(owners) < 2:
            continue
        moves = "; ".join(f"{', '.join(t.model.rsplit('.', 1)[-1] for t in held if t.service == owner)} "
                          f"-> {owner}" for owner in owners)
        rationale = (f"Split {held[0].path}: its tables serve {len(owners)} services, so the module cannot "
                     f"leave whole. Move each model class to the service that owns its table: {moves}. "
                     "Keep the table names (db_table) so no data moves yet.")
        step = PlanStep(0, SPLIT_MODULE, f"{module} -> {', '.join(owners)}", (module,),
                        len(held), 0.0, (), (), (), (), (), rationale, 0, 1)
        steps.append((frozenset(owners) | {service_of[module]}, step))
    return steps
