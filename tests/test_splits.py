"""Multi-domain modules (an awx-shaped app: models/, api/urls/, tasks/ by domain, one
serializers module and one views package serving every domain) are detected name by name,
so the services come out as verticals."""

from __future__ import annotations

from decomposer.config import load_settings
from decomposer.model import Assignment, Definition, ImportEdge, ModuleNames, SourceModule
from decomposer.pipeline import analyze, reassign
from decomposer.sources.definitions import read_names
from decomposer.sources.models_ast import parse_modules
from decomposer.stages.splits import find_split_modules, join_pieces, split_into_pieces

DOMAINS = ("credential", "inventory", "job", "project", "team")


def _awx_shaped_files() -> dict[str, str]:
    title = {domain: domain.title() for domain in DOMAINS}
    files = {
        "hub/__init__.py": "",
        "hub/models/__init__.py": "".join(f"from hub.models.{d} import {title[d]}\n" for d in DOMAINS),
        "hub/models/base.py": "class BaseModel:\n    created = None\n    modified = None\n",
        "hub/api/__init__.py": "",
        "hub/api/urls/__init__.py": "",
        "hub/tasks/__init__.py": "",
        "hub/api/serializers.py": "from hub.models import " + ", ".join(title[d] for d in DOMAINS) + "\n" + "".join(
            f"\n\nclass {title[d]}Serializer:\n    model = {title[d]}\n    fields = ('id', 'name')\n\n"
            f"    def validate(self, data):\n        return {title[d]}(**data)\n" for d in DOMAINS),
        "hub/api/views/__init__.py": (
            "from hub.api.serializers import " + ", ".join(f"{title[d]}Serializer" for d in DOMAINS) + "\n"
            "from hub.models import " + ", ".join(title[d] for d in DOMAINS) + "\n" + "".join(
                f"\n\nclass {title[d]}List:\n    model = {title[d]}\n    serializer_class = {title[d]}Serializer\n"
                f"\n\nclass {title[d]}Detail:\n    model = {title[d]}\n    serializer_class = {title[d]}Serializer\n"
                for d in DOMAINS)),
    }
    for d in DOMAINS:
        files[f"hub/models/{d}.py"] = (f"from hub.models.base import BaseModel\n\n\nclass {title[d]}(BaseModel):\n"
                                       f"    name = '{d}'\n\n    def run(self):\n        return self.name\n")
        files[f"hub/api/urls/{d}.py"] = (f"from hub.api.views import {title[d]}List, {title[d]}Detail\n\n"
                                         f"urls = [('{d}/', {title[d]}List), ('{d}/<id>/', {title[d]}Detail)]\n")
        files[f"hub/tasks/{d}.py"] = (f"from hub.models.{d} import {title[d]}\n\n\n"
                                      f"def sync_{d}():\n    return {title[d]}().run()\n")
    return files


def test_an_awx_shaped_app_gives_one_vertical_per_domain(make_repo):
    analysis = analyze(load_settings(make_repo(_awx_shaped_files()), {}, use_config=False))
    proposal = analysis.proposal
    assert proposal.split == ("hub.api.serializers", "hub.api.views", "hub.models")
    services = {service.name: service.modules for service in proposal.services}
    # The split modules go, whole, where their pieces' lines are (all tie: the first domain);
    # the models package only re-exports, so it follows its coupling; the layer's platform
    # module (every model's base) is the kernel.
    assert services == {
        "credential": ("hub", "hub.api", "hub.api.serializers", "hub.api.urls", "hub.api.urls.credential",
                       "hub.api.views", "hub.models", "hub.models.credential", "hub.tasks", "hub.tasks.credential"),
        "inventory": ("hub.api.urls.inventory", "hub.models.inventory", "hub.tasks.inventory"),
        "job": ("hub.api.urls.job", "hub.models.job", "hub.tasks.job"),
        "project": ("hub.api.urls.project", "hub.models.project", "hub.tasks.project"),
        "team": ("hub.api.urls.team", "hub.models.team", "hub.tasks.team"),
        "shared": ("hub.models.base",),
    }
    split = [step for step in analysis.plan.steps if step.kind == "split"]
    assert [(step.service, step.modules) for step in split] == [("hub.api.views", ("hub.api.views",))]
    assert split[0].surface == ("inventory: InventoryDetail, InventoryList", "job: JobDetail, JobList",
                              "project: ProjectDetail, ProjectList", "team: TeamDetail, TeamList")


def test_without_verticals_the_same_app_comes_out_by_layer(make_repo):
    analysis = analyze(load_settings(make_repo(_awx_shaped_files()), {"verticals": False}, use_config=False))
    assert analysis.proposal.split == ()
    assert {service.name: service.modules for service in analysis.proposal.services} == {
        "models": ("hub", "hub.api.serializers", "hub.models", "hub.models.base", "hub.models.credential",
                   "hub.models.inventory", "hub.models.job", "hub.models.project", "hub.models.team", "hub.tasks",
                   "hub.tasks.credential", "hub.tasks.inventory", "hub.tasks.job", "hub.tasks.project",
                   "hub.tasks.team"),
        "api": ("hub.api", "hub.api.urls", "hub.api.urls.credential", "hub.api.urls.inventory", "hub.api.urls.job",
                "hub.api.urls.project", "hub.api.urls.team", "hub.api.views"),
    }


def test_definitions_and_the_names_each_uses_are_read_from_the_code(make_repo):
    repo = make_repo({"app/__init__.py": "", "app/models.py": "class Order:\n    pass\n",
                      "app/views.py": ("from app import models\nfrom .models import Order as O\n\n\n"
                                       "@staticmethod\ndef show():\n    return models.Order, O\n\n\n"
                                       "class Page:\n    pass\n")})
    sources = tuple(SourceModule(module, path, 1, path.endswith("__init__.py")) for module, path in
                    (("app", "app/__init__.py"), ("app.models", "app/models.py"), ("app.views", "app/views.py")))
    views = read_names(parse_modules(repo, sources)[0])[2]
    assert views == ModuleNames("app.views", (
        Definition("O", 2, 0, (("app.models", "Order"),)),
        Definition("Page", 10, 2, ()),
        Definition("models", 1, 0, (("app.models", "*"),)),
        Definition("show", 5, 3, (("app.models", "Order"),)),
    ), (("app.models", "Order"),))


def test_a_module_serving_few_domains_or_few_lines_is_not_split():
    defs = tuple(Definition(f"{name}Serializer", 1, 9, ()) for name in ("Order", "User", "Cart", "Item", "Tax"))
    names = (ModuleNames("app.serializers", defs, ()), ModuleNames("app.small", defs, ()))
    five = tuple((name, ()) for name in ("order", "user", "cart", "item", "tax"))
    loc = {"app.serializers": 50, "app.small": 1, "app": 4000}
    assert find_split_modules(names, five, loc) == ("app.serializers",)
    assert find_split_modules(names, five, loc, facades=("app.small",)) == ("app.serializers", "app.small")
    assert find_split_modules(names, five + tuple((f"d{i}", ()) for i in range(6)), loc) == ()  # 5 of 11
    assert find_split_modules(names, five[:4], loc) == ()  # fewer than five domains


def test_pieces_take_the_imports_by_name_and_give_the_module_back_whole():
    names = (
        ModuleNames("app.views", (Definition("OrderList", 1, 4, (("app.orders", "Order"),)),
                                  Definition("OrderDetail", 6, 2, (("app.orders", "Order"),)),
                                  Definition("UserList", 9, 3, (("app.users", "User"),))), ()),
        ModuleNames("app.urls", (), (("app.views", "OrderList"), ("app.views", "UserList"))),
    )
    imports = (ImportEdge("app.urls", "app.views", (1,), ("OrderList", "UserList")),
               ImportEdge("app.views", "app.orders", (1,)), ImportEdge("app.views", "app.users", (2,)),
               ImportEdge("app.urls", "app.orders", (3,)))
    pieces = split_into_pieces(("app.orders", "app.urls", "app.users", "app.views"), imports, ("app.views",), names,
                               (("order", ()), ("user", ())))
    assert pieces.modules == ("app.orders", "app.urls", "app.users", "app.views:order", "app.views:user")
    assert [(edge.importer, edge.imported, edge.count) for edge in pieces.imports] == [
        ("app.urls", "app.orders", 1), ("app.urls", "app.views:order", 1), ("app.urls", "app.views:user", 1),
        ("app.views:order", "app.orders", 2), ("app.views:user", "app.users", 1)]
    assert pieces.loc == {"app.views:order": 6, "app.views:user": 3}
    groups = (frozenset({"app.orders", "app.views:order", "app.urls"}), frozenset({"app.users", "app.views:user"}))
    assert join_pieces(groups, pieces) == (frozenset({"app.orders", "app.urls", "app.views"}),
                                           frozenset({"app.users"}))


def test_a_reassigned_proposal_keeps_its_split_modules_and_their_steps(make_repo):
    analysis = analyze(load_settings(make_repo(_awx_shaped_files()), {}, use_config=False))
    moved = {module: service.name for service in analysis.proposal.services for module in service.modules}
    moved["hub.tasks.team"] = "inventory"
    edited = reassign(analysis, Assignment(tuple(sorted(moved.items())), analysis.repository.head, "edit.json"))
    assert edited.proposal.split == ("hub.api.serializers", "hub.api.views", "hub.models")
    assert edited.proposal.verticals == analysis.proposal.verticals
    split = [step for step in edited.plan.steps if step.kind == "split"]
    assert [(step.service, step.modules) for step in split] == [("hub.api.views", ("hub.api.views",))]
    assert split[0].surface == ("inventory: InventoryDetail, InventoryList", "job: JobDetail, JobList",
                              "project: ProjectDetail, ProjectList", "team: TeamDetail, TeamList")
