"""Data ownership: the sample's tables, who owns them, the links that cross, and the plan's data cuts."""

from __future__ import annotations


import pytest

from decomposer.model import DataLink, ImportEdge, Service, Table
from decomposer.stages.coupling import build_coupling_graph
from decomposer.stages.data import annotate_links, assign_owners, crossing_data, module_data_pairs
from decomposer.stages.data_plan import data_sites, split_data_step


@pytest.fixture(scope="module")
def analysis(sample_analysis):
    return sample_analysis


def test_every_table_has_its_owner(analysis):
    assert [(table.model, table.kind, table.table, table.service) for table in analysis.tables] == [
        ("accounts.Address", "concrete", "addresses", "accounts"),
        ("accounts.User", "concrete", "users", "accounts"),  # AUTH_USER_MODEL = "accounts.User"
        ("catalog.Category", "concrete", "categories", "catalog"),
        ("catalog.Product", "concrete", "products", "catalog"),
        ("core.Model", "abstract", "", "shared"),  # the abstract base: fields, no table
        ("orders.Order", "concrete", "orders", "orders"),
        ("orders.OrderLine", "concrete", "order_lines", "orders"),
        ("orders.Refund", "concrete", "refunds", "payments"),  # only payments' code uses it
        ("payments.Payment", "concrete", "payments", "payments"),
        ("shipping.Shipment", "concrete", "shipments", "shipping"),
    ]


def test_string_foreign_keys_no_import_shows_are_found_and_called_hidden(analysis):
    hidden = [(link.kind, link.source, link.target, link.path, link.line) for link in analysis.data_links
              if link.kind in ("fk", "o2o") and not link.import_visible]
    assert hidden == [
        ("fk", "shipping.Shipment", "accounts.Address", "shop/shipping/models.py", 10),
        ("o2o", "shipping.Shipment", "orders.Order", "shop/shipping/models.py", 9),
    ]
    shipping = next(entry for entry in analysis.brittleness if entry.module == "shop.shipping.models")
    assert shipping.reasons[-1] == ("holds 2 relations (foreign keys and the like) into the tables of "
                                    "accounts (1), orders (1) that no import shows")


def test_the_atomic_block_and_the_lookup_join_cross_services(analysis):
    crossing = {(link.kind, link.module, link.target, link.line, link.field) for link in analysis.data_links
                if link.crossing and link.kind in ("transaction", "query")}
    assert ("transaction", "shop.orders.checkout", "payments.Payment", 93, "mark_paid") in crossing
    assert ("query", "shop.reporting.sales", "catalog.Category", 30, "lines__product__category") in crossing
    assert sum(link.crossing for link in analysis.data_links) == 14
    proposed = dict(analysis.proposal.quality)["proposed"]
    assert (proposed.crossing_data_links, proposed.crossing_data_share) == (15, 0.4545)


def test_the_plan_splits_the_god_module_and_lists_each_data_cut(analysis):
    steps = {step.service: step for step in analysis.plan.steps}
    split = steps["shop.orders.models -> orders, payments"]
    assert split.rationale.startswith("Split shop/orders/models.py: its tables serve 2 services")
    assert "Order, OrderLine -> orders; Refund -> payments" in split.rationale
    payments = steps["payments"]
    assert [(cut.kind, cut.source, cut.target, cut.path, cut.line, cut.outbound) for cut in payments.data_cuts] == [
        ("fk", "orders.Refund", "orders.Order", "shop/orders/models.py", 47, True),
        ("fk", "payments.Payment", "orders.Order", "shop/payments/models.py", 10, True),
        ("transaction", "shop.orders.checkout", "payments.Payment", "shop/orders/checkout.py", 93, False),
        ("query", "shop.orders.checkout", "payments.Payment", "shop/orders/checkout.py", 95, False),
    ]
    assert payments.data_cuts[2].pattern == "turn the transaction into a saga, each step with a compensating action"
    assert "no calls back" not in payments.rationale
    assert "its data still reaches 1 of the monolith's tables through 2 foreign keys" in payments.rationale
    for step in analysis.plan.steps:  # "no calls back" is said only of steps with no data link out
        if any(cut.outbound for cut in step.data_cuts):
            assert "no calls back" not in step.rationale


def _table(model: str, module: str, kind: str = "concrete") -> Table:
    return Table(model, model.replace(".", "_").lower(), model.split(".")[0], module, module.replace(".", "/") + ".py",
                 1, kind, "django")


def _link(kind: str, source: str, target: str, module: str, line: int = 1) -> DataLink:
    return DataLink(kind, source, target, module, module.replace(".", "/") + ".py", line)


TABLES = (_table("a.One", "p.a.models"), _table("a.Two", "p.a.models"), _table("b.Three", "p.b.models"),
          _table("k.Shared", "p.k.models"))
SERVICE_OF = {"p.a.models": "a", "p.a.views": "a", "p.b.models": "b", "p.b.views": "b", "p.b.jobs": "b",
              "p.k.models": "shared"}


def test_a_table_moves_to_the_service_that_uses_it_most_and_at_least_twice():
    links = (_link("fk", "b.Three", "a.Two", "p.b.models"),  # relations never move a table
             _link("query", "p.b.views", "a.Two", "p.b.views"), _link("query", "p.b.jobs", "a.Two", "p.b.jobs"),
             _link("query", "p.a.views", "a.One", "p.a.views"), _link("query", "p.b.views", "a.One", "p.b.views"),
             _link("query", "p.a.views", "k.Shared", "p.a.views"), _link("query", "p.b.views", "k.Shared", "p.b.views"),
             _link("query", "p.b.jobs", "k.Shared", "p.b.jobs"))
    owners = assign_owners(TABLES, links, SERVICE_OF)
    assert owners == {"a.One": "a", "a.Two": "b", "b.Three": "b", "k.Shared": "shared"}
    annotated = annotate_links(links, TABLES, owners, SERVICE_OF, (ImportEdge("p.b.views", "p.a.models", (3,)),))
    assert [(link.crossing, link.import_visible) for link in annotated] == [
        (False, False), (False, True), (False, False), (False, False), (True, True), (True, False),
        (True, False), (True, False)]
    assert crossing_data(links, TABLES, {module: service for module, service in SERVICE_OF.items()}) == (7, 8)


def test_a_kernel_with_tables_gets_a_split_shared_data_step_first():
    tables = tuple(table if table.model != "k.Shared" else Table(
        table.model, table.table, table.app, table.module, table.path, table.line, table.kind, table.orm,
        service="shared") for table in TABLES)
    links = (DataLink("query", "p.b.views", "k.Shared", "p.b.views", "p/b/views.py", 4, crossing=True),
             DataLink("query", "p.b.jobs", "k.Shared", "p.b.jobs", "p/b/jobs.py", 9, crossing=True))
    services = (Service("b", "service", ("p.b.jobs", "p.b.views"), 10, ()),
                Service("shared", "shared", ("p.k.models",), 5, ()))
    step = split_data_step(services[1], tables, data_sites(links, tables, services))
    assert (step.kind, step.service, step.modules, step.cost) == ("split-data", "shared", ("p.k.models",), 5)
    assert "k.Shared (k_shared) -> b" in step.rationale
    assert [(cut.path, cut.line, cut.outbound) for cut in step.data_cuts] == [
        ("p/b/jobs.py", 9, False), ("p/b/views.py", 4, False)]


def test_data_links_are_a_third_coupling_signal():
    links = (_link("fk", "b.Three", "a.One", "p.b.models"), _link("query", "p.b.views", "a.One", "p.b.views"))
    pairs = module_data_pairs(TABLES, links)
    assert pairs == {("p.a.models", "p.b.models"): 5, ("p.a.models", "p.b.views"): 1}
    graph = build_coupling_graph(("p.a.models", "p.b.models", "p.b.views"), (), (), pairs, data_weight=2.0)
    assert sorted(graph.edges(data="weight")) == [("p.a.models", "p.b.models", 10 / 3),
                                                  ("p.a.models", "p.b.views", 2 / 3)]
