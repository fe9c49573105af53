"""The sample monolith end to end: its import graph, literally, as designed."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

from decomposer.config import load_settings
from decomposer.pipeline import analyze
from decomposer.schema import analysis_to_dict

# Every module-to-module import of the sample (tests and migrations excluded), importer ->
# imported, without the `shop.` prefix. Read it against sample_monolith/README.md: the
# orders <-> payments cycle, catalog.shipping_rates importing only shipping, notifications
# importing nothing but the kernel, orders.checkout importing five apps.
EXPECTED_IMPORTS = {
    "accounts.auth": ('accounts.models', 'core.db', 'core.errors', 'settings'),
    "accounts.models": ('core.db',),
    "accounts.permissions": ('accounts.models', 'core.errors'),
    "accounts.views": ('accounts.auth', 'accounts.models', 'core.utils', 'notifications.service'),
    "catalog.inventory": ('catalog.models', 'core.errors', 'core.events'),
    "catalog.models": ('core.db', 'core.money'),
    "catalog.pricing": ('catalog.models', 'core.money'),
    "catalog.search": ('catalog.models', 'core.utils'),
    "catalog.shipping_rates": ('core.money', 'shipping.carriers', 'shipping.zones'),
    "catalog.views": (
        'catalog.models', 'catalog.pricing', 'catalog.search', 'core.utils',
    ),
    "core.db": ('core.errors',),
    "core.money": ('core.errors',),
    "notifications.digest": (
        'notifications.email', 'notifications.preferences', 'notifications.templates',
    ),
    "notifications.email": ('settings',),
    "notifications.service": (
        'core.events', 'notifications.email', 'notifications.preferences', 'notifications.sms',
        'notifications.templates',
    ),
    "notifications.sms": ('settings',),
    "notifications.templates": ('core.errors',),
    "orders.cart": ('catalog.models', 'catalog.pricing', 'core.money', 'orders.models'),
    "orders.checkout": (
        'accounts.models', 'catalog.inventory', 'core.db', 'core.errors', 'core.events',
        'core.money', 'notifications.service', 'orders.cart', 'orders.models',
        'orders.services', 'payments.fraud', 'payments.gateway', 'settings',
        'shipping.services',
    ),
    "orders.history": ('core.db', 'orders.checkout', 'orders.models'),
    "orders.models": ('accounts.models', 'catalog.models', 'core.db', 'core.money'),
    "orders.returns": (
        'core.db', 'core.errors', 'orders.checkout', 'orders.models', 'orders.services',
    ),
    "orders.services": ('core.db', 'core.events', 'orders.models', 'payments.refunds'),
    "orders.signals": ('core.db', 'core.events', 'orders.models'),
    "orders.views": (
        'accounts.auth', 'accounts.permissions', 'core.db', 'orders.cart', 'orders.checkout',
        'orders.history', 'orders.models', 'orders.returns', 'orders.services',
    ),
    "payments.fraud": ('accounts.models', 'core.money'),
    "payments.gateway": (
        'core.errors', 'core.money', 'payments.ledger', 'payments.models',
        'payments.providers.card', 'payments.providers.paypal', 'settings',
    ),
    "payments.invoices": ('payments.ledger', 'payments.models'),
    "payments.ledger": ('core.money', 'payments.models'),
    "payments.models": ('core.db', 'core.money', 'orders.models'),
    "payments.providers.card": ('payments.providers.base',),
    "payments.providers.paypal": ('payments.providers.base',),
    "payments.refunds": (
        'core.db', 'core.errors', 'core.money', 'payments.gateway', 'payments.models',
    ),
    "payments.views": ('core.db', 'payments.invoices', 'payments.models', 'payments.webhooks'),
    "payments.webhooks": ('core.money', 'payments.ledger', 'payments.refunds'),
    "reporting.dashboards": ('core.db', 'reporting.sales', 'shipping.models'),
    "reporting.exports": ('core.utils', 'reporting.inventory_report', 'reporting.sales'),
    "reporting.inventory_report": ('catalog.inventory', 'catalog.models', 'core.db'),
    "reporting.sales": (
        'core.db', 'core.money', 'orders.checkout', 'orders.models', 'payments.models',
    ),
    "reporting.views": (
        'accounts.auth', 'accounts.permissions', 'reporting.dashboards', 'reporting.exports',
    ),
    "shipping.carriers": ('shipping.models',),
    "shipping.models": ('core.db',),
    "shipping.quotes": (
        'catalog.shipping_rates', 'core.money', 'shipping.carriers', 'shipping.zones',
    ),
    "shipping.services": (
        'catalog.shipping_rates', 'core.events', 'orders.models', 'shipping.carriers',
        'shipping.models',
    ),
    "shipping.tracking": ('core.db', 'core.events', 'shipping.carriers', 'shipping.models'),
    "shipping.views": ('core.db', 'shipping.models', 'shipping.quotes', 'shipping.tracking'),
    "shipping.zones": ('core.utils',),
    "urls": (
        'accounts.views', 'catalog.views', 'orders.views', 'payments.views', 'reporting.views',
        'shipping.views',
    ),
}


def _analyse(repo_dir: Path, *, history: bool = True) -> dict:
    return analysis_to_dict(analyze(load_settings(repo_dir, {"history": history}, use_config=False)))


def test_sample_import_graph_is_exactly_the_designed_one(sample_repo):
    document = _analyse(sample_repo)
    found: dict[str, list[str]] = {}
    for edge in document["imports"]:
        found.setdefault(edge["importer"].removeprefix("shop."), []).append(
            edge["imported"].removeprefix("shop.")
        )
    assert {importer: tuple(imported) for importer, imported in found.items()} == EXPECTED_IMPORTS
    assert document["summary"] == {
        "modules": 64, "imports": 160, "import_statements": 161, "loc": 857, "packages": 9,
        "excluded_modules": 4, "warnings": 0,
    }
    assert document["excluded_modules"] == [
        "shop.orders.migrations", "shop.orders.migrations.0001_initial", "shop.orders.tests",
        "shop.orders.tests.test_checkout",
    ]


def test_statement_counts_and_lines(sample_repo):
    imports = {(edge["importer"], edge["imported"]): edge for edge in _analyse(sample_repo)["imports"]}
    # reporting.views imports exports at the top and again inside low_stock_report().
    assert imports["shop.reporting.views", "shop.reporting.exports"] == {
        "importer": "shop.reporting.views", "imported": "shop.reporting.exports", "count": 2,
        "lines": [6, 18], "names": ["export_low_stock_csv", "export_orders_csv"],
    }
    # shipping.services imports orders.models only for type checking.
    assert imports["shop.shipping.services", "shop.orders.models"]["lines"] == [11]


def test_edges_equal_what_grimp_itself_builds(sample_repo):
    document = _analyse(sample_repo)
    sys.path.insert(0, str(sample_repo))
    try:
        graph = grimp.build_graph("shop", cache_dir=None)
    finally:
        sys.path.remove(str(sample_repo))
    included = {record["module"] for record in document["modules"]}
    grimp_edges = {
        (importer, imported)
        for importer in included
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported in included
    }
    assert {(edge["importer"], edge["imported"]) for edge in document["imports"]} == grimp_edges


def test_module_records(sample_repo):
    modules = {record["module"]: record for record in _analyse(sample_repo)["modules"]}
    assert modules["shop.orders.checkout"] == {
        "module": "shop.orders.checkout", "path": "shop/orders/checkout.py", "package": "shop.orders",
        "service": "orders", "confidence": 0.9167, "loc": 76, "fan_in": 4, "fan_out": 14, "imports_in": 4, "imports_out": 14,
        "commits": 76, "recent_commits": 24, "lines_added": 169, "lines_deleted": 74, "authors": 4,
        "first_change": "2024-06-07T12:00:00Z", "last_change": "2025-04-07T08:30:00Z",
        "sum_of_coupling": 72, "instability": 0.7778, "betweenness": 0.0429, "cycle_size": 0,
        "cycle_breakers": [], "services_importing": 1, "services_imported": 5, "fan_in_across": 1,
        "fan_out_across": 6, "imports_in_across": 1, "imports_out_across": 6, "brittleness": 0.9048,
        "brittleness_rank": 1, "hotspot": "hot and central",
        "reasons": [
            "changed in 76 commits (top 2%)",
            "imports 14 modules from 5 other services (top 2%)",
            "on 4.3% of shortest import paths (top 2%)",
            "changed together with other modules 72 times (top 4%)",
            "243 lines changed (top 2%)",
            "76 lines of code (top 2%)",
            "changed 24 times in the last 90 days (top 2%)",
            "changed by 4 authors (top 13%)",
        ],
    }
    assert modules["shop.core.db"]["fan_in"] == 19
    assert modules["shop.settings"]["package"] == "shop"
    assert modules["shop.catalog.shipping_rates"]["package"] == "shop.catalog"
    assert sorted({record["package"] for record in modules.values()}) == [
        "shop", "shop.accounts", "shop.catalog", "shop.core", "shop.notifications", "shop.orders",
        "shop.payments", "shop.reporting", "shop.shipping",
    ]


def test_the_sample_folder_and_its_replayed_history_have_the_same_graph(sample_repo):
    # The replay leaves the work tree exactly equal to sample_monolith/shop.
    in_place = _analyse(Path(__file__).resolve().parent.parent / "sample_monolith", history=False)
    replayed = _analyse(sample_repo, history=False)
    assert in_place["repository"]["layout_reason"] == "1 package (shop) at the repository root"
    assert in_place["imports"] == replayed["imports"]
    assert in_place["modules"] == replayed["modules"]
