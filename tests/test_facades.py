"""Facade modules: found from the imports, and planned as split steps."""

from __future__ import annotations

from decomposer.model import SPLIT, ImportEdge, PlanInputs, Service
from decomposer.stages.facades import find_facades, names_by_service
from decomposer.stages.strangler import plan_extraction


def _hub_imports() -> tuple[ImportEdge, ...]:
    """core.models re-exports ten model modules and is imported by twenty view modules."""
    edges = [ImportEdge("core.models", f"core.m{i}", (i + 1,)) for i in range(10)]
    edges += [ImportEdge(f"shop.v{i}", "core.models", (1,), ("Order",) if i < 12 else ("User", "Site"))
              for i in range(20)]
    return tuple(sorted(edges, key=lambda edge: (edge.importer, edge.imported)))


def test_a_module_imported_from_everywhere_that_imports_widely_is_a_facade():
    assert find_facades(_hub_imports(), 40) == ("core.models",)
    assert find_facades(_hub_imports(), 400) == ()  # 20 importers are under 10% of 400 modules


def test_a_facade_in_a_service_is_split_by_the_names_each_service_uses():
    core = Service("core", "service", tuple(["core.models"] + [f"core.m{i}" for i in range(10)]), 110, ())
    orders = Service("orders", "service", tuple(f"shop.v{i}" for i in range(12)), 120, ())
    users = Service("users", "service", tuple(f"shop.v{i}" for i in range(12, 20)), 80, ())
    service_of = {module: service.name for service in (core, orders, users) for module in service.modules}
    assert names_by_service("core.models", _hub_imports(), service_of) == (
        ("orders", ("Order",)), ("users", ("Site", "User")))
    inputs = PlanInputs(services=(core, orders, users), imports=_hub_imports(), paths={}, commits={},
                        loc={module: 10 for module in service_of}, brittleness={})
    plan = plan_extraction(inputs)
    split = plan.steps[0]
    assert (split.kind, split.service, split.modules, split.cost) == (SPLIT, "core.models", ("core.models",), 21)
    assert split.surface == ("orders: Order", "users: Site, User")
    assert len(split.inbound) == 20


def test_a_facade_used_only_inside_its_own_service_needs_no_split():
    core = Service("core", "service", tuple(["core.models"] + [f"core.m{i}" for i in range(10)]
                                            + [f"shop.v{i}" for i in range(20)]), 300, ())
    inputs = PlanInputs(services=(core,), imports=_hub_imports(), paths={}, commits={},
                        loc={module: 10 for module in core.modules}, brittleness={})
    assert [step.kind for step in plan_extraction(inputs).steps] == ["extract"]
