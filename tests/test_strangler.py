"""The extraction plan on small literal service graphs, and on the sample."""

from __future__ import annotations


import networkx as nx
import pytest

from decomposer.model import ImportEdge, PlanInputs, Planning, Service
from decomposer.schema import analysis_to_dict
from decomposer.stages.strangler import _cheapest_cut, plan_extraction


def _service(name: str, *modules: str, kind: str = "service") -> Service:
    return Service(name, kind, tuple(sorted(modules)), 10 * len(modules), ())


def _edge(importer: str, imported: str, statements: int = 1, names: tuple[str, ...] = ()) -> ImportEdge:
    return ImportEdge(importer, imported, tuple(range(1, statements + 1)), names)


SERVICES = (
    _service("a", "a.x", "a.y"),
    _service("b", "b.x"),
    _service("c", "c.x"),
    _service("d", "d.x", "d.y"),
    _service("shared", "k.util", kind="shared"),
)
IMPORTS = (
    _edge("b.x", "a.x", 1, ("run",)),  # b depends on the leaf a
    _edge("c.x", "d.x", 3),  # c <-> d: a cycle, cheapest to cut on d's side
    _edge("d.y", "c.x", 1, ("helper",)),
    _edge("a.y", "k.util"), _edge("c.x", "k.util"),
)
PATHS = {module: module.replace(".", "/") + ".py" for service in SERVICES for module in service.modules}


def _plan(capacity: int = 100, commits: dict[str, int] | None = None):
    inputs = PlanInputs(services=SERVICES, imports=IMPORTS, paths=PATHS, commits=commits or {},
                        loc={m: 10 for m in PATHS}, brittleness={})
    return plan_extraction(inputs, Planning(capacity))


def test_order_kernel_leaf_first_cycle_cut_before_its_services():
    plan = _plan()
    assert [(step.order, step.kind, step.service) for step in plan.steps] == [
        (1, "library", "shared"),
        (2, "extract", "a"),
        (3, "extract", "b"),
        (4, "cut", "d <-> c"),
        (5, "extract", "d"),
        (6, "extract", "c"),
    ]
    cut = plan.steps[3]
    assert [(site.importer, site.imported, site.path, site.lines, site.names) for site in cut.cuts] == [
        ("d.y", "c.x", "d/y.py", (1,), ("helper",))]
    assert plan.cycles == (("c", "d"),)


def test_every_service_in_exactly_one_step():
    extracted = [step.service for step in _plan().steps if step.kind == "extract"]
    assert sorted(extracted) == ["a", "b", "c", "d"]


def test_costs_sites_and_surface():
    steps = {step.service: step for step in _plan().steps}
    # a: nothing into the monolith, b.x calls it once, two modules: 0 * 2 + 1 + 2
    assert (steps["a"].cost, steps["a"].surface) == (3, ("a.x: run",))
    assert [(site.importer, site.lines) for site in steps["a"].inbound] == [("b.x", (1,))]
    # d: its import of c is cut first, c.x still calls it 3 times, two modules: 0 * 2 + 3 + 2
    assert steps["d"].cost == 5
    assert [(site.importer, site.imported, site.lines) for site in steps["d"].inbound] == [
        ("c.x", "d.x", (1, 2, 3))]
    # c leaves last: its 3 statements into d point at an extracted service, not the monolith
    assert (steps["c"].outbound, steps["c"].cost) == ((), 1)
    # the cut: twice the statements cut
    assert steps["d <-> c"].cost == 2


def test_outbound_weight_is_lower_than_in_reverse_order():
    plan = _plan()
    # In either order the cycle's cut (d -> c) is made. In order a, b, d, c nothing then points
    # at a service still in the monolith; in reverse order c -> d (3) and b -> a (1) do.
    assert (plan.outbound_weight, plan.reverse_outbound_weight) == (0, 4)


def test_sprints_pack_steps_in_order_and_flag_large_ones():
    plan = _plan(capacity=4)
    assert [(step.service, step.cost, step.sprint, step.sprints) for step in plan.steps] == [
        ("shared", 1, 1, 1), ("a", 3, 1, 1), ("b", 1, 2, 1), ("d <-> c", 2, 2, 1), ("d", 5, 3, 2),
        ("c", 1, 5, 1),
    ]


def test_benefit_is_the_share_of_commits():
    plan = _plan(commits={"a.x": 6, "c.x": 2, "k.util": 2})
    assert {step.service: step.benefit for step in plan.steps} == {
        "shared": 20.0, "a": 60.0, "b": 0.0, "d <-> c": 0.0, "d": 0.0, "c": 20.0}


@pytest.mark.parametrize(("edges", "expected"), [
    ([("a", "b", 2), ("b", "c", 2), ("c", "a", 1)], {("c", "a")}),
    ([("a", "b", 1), ("b", "a", 5), ("b", "c", 1), ("c", "b", 5)], {("a", "b"), ("b", "c")}),
])
def test_cheapest_cut_is_exact_on_small_cycles(edges, expected):
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(edges)
    assert _cheapest_cut(graph) == expected


def test_large_cycles_get_a_cut_that_leaves_no_cycle():
    graph = nx.complete_graph(6, create_using=nx.DiGraph)
    nx.set_edge_attributes(graph, 1, "weight")
    graph = nx.relabel_nodes(graph, str)
    cut = _cheapest_cut(graph)
    rest = graph.copy()
    rest.remove_edges_from(cut)
    assert nx.is_directed_acyclic_graph(rest)
    assert len(cut) == 15  # a tournament: half of the 30 edges point backwards in any order


@pytest.fixture(scope="module")
def sample_plan(sample_analysis) -> dict:
    document = analysis_to_dict(sample_analysis)
    return {**document["plan_summary"], "steps": document["plan"]}


def test_sample_leaf_app_first_and_cycle_broken_before_either_side(sample_plan):
    steps = [(step["kind"], step["service"]) for step in sample_plan["steps"]]
    assert steps == [
        ("library", "shared"),
        ("extract", "notifications"),  # the leaf app: no calls back into the monolith, no cut
        ("extract", "accounts"),
        ("cut", "shipping <-> orders"),
        ("extract", "shipping"),
        ("cut", "catalog <-> orders, reporting"),
        ("extract", "catalog"),
        # orders/models.py holds the refunds table only payments uses: split before payments leaves
        ("split-module", "shop.orders.models -> orders, payments"),
        ("cut", "payments <-> orders"),  # the designed orders <-> payments cycle, broken here
        ("extract", "payments"),
        ("extract", "orders"),
        ("extract", "reporting"),
    ]
    cuts = [(site["importer"], site["imported"], site["path"], site["lines"])
            for step in sample_plan["steps"] for site in step["cuts"]]
    assert cuts == [
        ("shop.shipping.services", "shop.orders.models", "shop/shipping/services.py", [11]),
        ("shop.urls", "shop.orders.views", "shop/urls.py", [5]),
        ("shop.urls", "shop.reporting.views", "shop/urls.py", [7]),
        ("shop.payments.models", "shop.orders.models", "shop/payments/models.py", [5]),
    ]
    assert sample_plan["cycles"] == [["catalog", "orders", "payments", "reporting", "shipping"]]


def test_sample_outbound_weight_beats_the_reverse_order(sample_plan):
    # Data links now weigh in the order too: catalog leaves before payments, one import still
    # pointing into the monolith, but no table of its own pointing there.
    assert (sample_plan["outbound_weight"], sample_plan["reverse_outbound_weight"]) == (1, 24)
    assert sample_plan["sprint_capacity"] == 30
    assert [step["sprint"] for step in sample_plan["steps"]] == [1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 6, 6]
