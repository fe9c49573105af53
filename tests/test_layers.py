"""Layered code: a graphql layer mirroring the apps gives vertical services named by domain."""

from __future__ import annotations

from decomposer.config import load_settings
from decomposer.model import ImportEdge
from decomposer.pipeline import analyze
from decomposer.stages.layers import find_layers
from decomposer.stages.services import name_services
from decomposer.stages.splits import subjects

APPS = ("orders", "payments", "users")


def _layered_files() -> dict[str, str]:
    files = {"shop/__init__.py": "", "shop/graphql/__init__.py": "",
             "shop/graphql/base.py": "class Node:\n    pass\n\n\nclass Query:\n    pass\n"}
    for app in APPS:
        files[f"shop/{app}/__init__.py"] = ""
        files[f"shop/{app}/models.py"] = f"class {app.title()}:\n    name = '{app}'\n    size = 1\n"
        files[f"shop/{app}/services.py"] = (f"from shop.{app}.models import {app.title()}\n\n\n"
                                            f"def create():\n    return {app.title()}()\n")
        files[f"shop/graphql/{app}.py"] = (f"from shop.graphql.base import Node, Query\n"
                                           f"from shop.{app} import models, services\n\n\n"
                                           f"class {app.title()}Node(Node):\n    model = models.{app.title()}\n\n\n"
                                           f"def resolve():\n    return services.create()\n")
    return files


def test_a_layer_mirroring_the_apps_is_found_with_its_domains_and_platform():
    modules = tuple(sorted(path[:-3].replace("/__init__", "").replace("/", ".") for path in _layered_files()))
    imports = tuple(ImportEdge(f"shop.graphql.{app}", "shop.graphql.base", (1,)) for app in APPS)
    layering = find_layers(modules, imports)
    assert layering.layers == ("shop", "shop.graphql")
    assert layering.verticals == (
        ("orders", ("shop.graphql.orders", "shop.orders", "shop.orders.models", "shop.orders.services")),
        ("payments", ("shop.graphql.payments", "shop.payments", "shop.payments.models", "shop.payments.services")),
        ("users", ("shop.graphql.users", "shop.users", "shop.users.models", "shop.users.services")),
    )
    assert layering.platform == ("shop.graphql.base",)


def test_services_are_verticals_named_after_their_domain(make_repo):
    analysis = analyze(load_settings(make_repo(_layered_files()), {}, use_config=False))
    services = {service.name: service.modules for service in analysis.proposal.services if service.kind == "service"}
    verticals = {app: (f"shop.graphql.{app}", f"shop.{app}", f"shop.{app}.models", f"shop.{app}.services")
                 for app in APPS}
    # The layer's platform module (and the empty package modules) is too small for a service of
    # its own, so it joins the vertical it is most coupled with (ties: the smaller name).
    verticals["orders"] = ("shop", "shop.graphql", "shop.graphql.base") + verticals["orders"]
    assert services == verticals
    assert analysis.proposal.verticals[0][0] == "orders"


def test_two_services_named_after_one_domain_get_distinct_names():
    groups = (frozenset({"app.api.order", "app.api.cart"}), frozenset({"app.models.order", "app.models.user"}))
    package_of = {module: module.rsplit(".", 1)[0] for group in groups for module in group}
    loc = {module: 10 for module in package_of}
    domain_of = {"app.api.order": "order", "app.models.order": "order"}
    names = [service.name for service in name_services(groups, frozenset(), package_of, loc, frozenset(), domain_of)]
    # The one holding less of the domain qualifies the name by its parent, as no `-2` would tell.
    assert names == ["order", "models.order"]


def test_a_service_that_loses_its_name_takes_the_free_name_of_a_package_it_largely_holds():
    # mitmproxy's shape: two services mostly of `proxy` by lines; the smaller's next package by
    # lines is `addons`, another service's name, but it also holds 4 of its 7 modules in
    # `platform`, so it is `platform`, not `proxy-2`.
    proxy = frozenset({"app.proxy.server", "app.proxy.layers", "app.proxy.events"})
    modes = frozenset({"app.proxy.modes", "app.platform", "app.platform.linux", "app.platform.osx",
                       "app.platform.windows", "app.net.local_ip", "app.addons.proxyauth"})
    addons = frozenset({"app.addons.dump", "app.addons.save", "app.addons.script", "app.addons.view"})
    package_of = {module: ".".join(module.split(".")[:2]) for module in proxy | modes | addons}
    loc = {module: 10 for module in package_of} | {"app.proxy.modes": 60, "app.proxy.server": 40,
                                                   "app.addons.proxyauth": 45}
    names = [service.name for service in name_services((modes, addons, proxy), frozenset(), package_of, loc)]
    assert names == ["platform", "addons", "proxy"]


def test_a_service_no_domain_names_is_named_after_what_its_layer_modules_are_about():
    workflow = frozenset({"app.api.urls.workflow_job", "app.api.urls.workflow_node", "app.main.models.workflow",
                          "app.main.scheduler"})
    mixed = frozenset({"app.main.dispatch", "app.main.worker", "app.main.utils", "app.api.urls.debug"})
    groups = (workflow, mixed)
    package_of = {module: module.rsplit(".", 1)[0] for group in groups for module in group}
    loc = {module: 10 for module in package_of}
    subject_of = subjects(tuple(sorted(package_of)), ("app.api.urls", "app.main.models"), ())
    assert subject_of == {"app.api.urls.debug": "debug", "app.api.urls.workflow_job": "workflow",
                          "app.api.urls.workflow_node": "workflow", "app.main.models.workflow": "workflow"}
    names = [service.name for service in name_services(groups, frozenset(), package_of, loc, subject_of=subject_of)]
    # one module of four in a layer package is too few to name a service after it
    assert names == ["main", "workflow"]  # by size, then first module


def test_a_technical_word_is_no_name_on_its_own():
    # healthchecks' shape: the API's views, urls and forms apart from the rest of `api`.
    api = frozenset({"hc.api", "hc.api.models", "hc.api.transports", "hc.api.admin"})
    views = frozenset({"hc.api.views", "hc.api.urls", "hc.api.forms"})
    package_of = {module: "hc.api" for module in api | views}
    loc = {module: 10 for module in package_of} | {"hc.api.views": 500}
    names = [service.name for service in name_services((api, views), frozenset(), package_of, loc)]
    assert names == ["api", "api.views"]
