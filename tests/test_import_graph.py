"""The import-graph stage on tiny literal inputs."""

from __future__ import annotations

from decomposer.model import CodeScan, ImportEdge, ModuleRecord, SourceModule
from decomposer.stages.import_graph import (
    build_import_graph,
    choose_package_depth,
    exclude_modules,
    module_records,
    package_of,
)


def _module(name: str, *, package: bool = False, loc: int = 10) -> SourceModule:
    path = name.replace(".", "/") + ("/__init__.py" if package else ".py")
    return SourceModule(name, path, loc, package)


MODULES = (
    _module("shop", package=True, loc=1),
    _module("shop.orders", package=True, loc=0),
    _module("shop.orders.models", loc=40),
    _module("shop.orders.tests", package=True, loc=0),
    _module("shop.orders.tests.test_models", loc=12),
    _module("shop.payments", package=True, loc=0),
    _module("shop.payments.gateway", loc=25),
    _module("shop.urls", loc=5),
)
IMPORTS = (
    ImportEdge("shop.orders.tests.test_models", "shop.orders.models", (1,)),
    ImportEdge("shop.payments.gateway", "shop.orders.models", (3, 9)),
    ImportEdge("shop.urls", "shop.orders.models", (1,)),
    ImportEdge("shop.urls", "shop.payments.gateway", (2,)),
)


def test_exclude_modules_drops_matches_and_their_edges():
    modules, imports, excluded = exclude_modules(CodeScan(MODULES, IMPORTS, ()), ("*.tests", "*.tests.*"))
    assert excluded == ("shop.orders.tests", "shop.orders.tests.test_models")
    assert [source.module for source in modules] == [
        "shop", "shop.orders", "shop.orders.models", "shop.payments", "shop.payments.gateway", "shop.urls",
    ]
    assert imports == IMPORTS[1:]


def test_records_count_modules_and_statements():
    modules, imports, _ = exclude_modules(CodeScan(MODULES, IMPORTS, ()), ("*.tests*",))
    records = {record.module: record for record in module_records(modules, build_import_graph(modules, imports), 2)}
    assert records["shop.orders.models"] == ModuleRecord(
        "shop.orders.models", "shop/orders/models.py", "shop.orders", 40,
        fan_in=2, fan_out=0, imports_in=3, imports_out=0,
    )
    assert records["shop.urls"] == ModuleRecord(
        "shop.urls", "shop/urls.py", "shop", 5, fan_in=0, fan_out=2, imports_in=0, imports_out=2,
    )
    assert records["shop.payments.gateway"].imports_out == 2


def test_graph_edges_carry_statement_counts_and_lines():
    graph = build_import_graph(MODULES, IMPORTS)
    assert graph.edges["shop.payments.gateway", "shop.orders.models"] == {"weight": 2, "lines": (3, 9)}
    assert graph.nodes["shop.urls"] == {"path": "shop/urls.py", "loc": 5}


def test_package_of_at_each_depth():
    packages = frozenset({"shop", "shop.orders", "shop.orders.api"})
    assert package_of("shop.orders.api.views", 2, packages) == "shop.orders"
    assert package_of("shop.orders.api.views", 3, packages) == "shop.orders.api"
    assert package_of("shop.orders.models", 3, packages) == "shop.orders"
    assert package_of("shop.settings", 2, packages) == "shop"
    assert package_of("shop.orders.api.views", 1, packages) == "shop"


def test_package_depth_is_one_for_several_even_packages():
    even = (_module("blog", package=True), _module("blog.views"), _module("shop", package=True),
            _module("shop.models"))
    assert choose_package_depth(even, ("blog", "shop")) == 1


def test_package_depth_is_two_when_one_package_dominates():
    lopsided = (_module("lint", package=True), _module("app", package=True), _module("app.a"),
                _module("app.b"))
    assert choose_package_depth(lopsided, ("app", "lint")) == 2
    assert choose_package_depth(lopsided, ("app",)) == 2
