"""Django models from syntax trees: which classes are models, their app labels and tables.

A class is a model when one of its bases is `django.db.models.Model` (however imported,
GIS included), a known abstract model from Django or a common third-party app
(`AbstractUser`, `MPTTModel`, `ClusterableModel`, ...), a Django contrib model (`User`) or
another model class of the analysed code. App labels follow Django's rules as far as they
can be read without settings: the app of a module is the longest package holding it that
has an `apps.py` AppConfig or a `models` module; its label is the AppConfig's `label`, else
the last part of its `name`, else the package's last name. `Meta.app_label` overrides it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from decomposer.model import AnalysisWarning
from decomposer.sources.models_ast import Namespace, OrmModels, literal
from decomposer.sources.models_django_fields import external_identity, model_links, parents
from decomposer.sources.models_facts import OrmFacts
from decomposer.model import DataLink, Table

__all__ = ["DjangoModel", "scan_django"]

_ROOTS = frozenset({
    "django.db.models.Model",
    "django.db.models.base.Model",
    "django.contrib.gis.db.models.Model",
})
# Abstract models that analysed code often derives from; their own fields stay unseen.
_ABSTRACT_BASES = frozenset({
    "AbstractBaseUser", "AbstractUser", "PermissionsMixin", "MPTTModel", "PolymorphicModel",
    "ClusterableModel", "TimeStampedModel", "TitleSlugDescriptionModel", "MP_Node", "NS_Node",
    "AL_Node", "OrderedModel", "SoftDeletableModel", "StatusModel", "TimeFramedModel",
})
_CONTRIB_MODELS = frozenset({
    "User", "Group", "Permission", "ContentType", "Site", "Session", "FlatPage", "Redirect",
    "LogEntry",
})
_META_KEYS = ("abstract", "proxy", "app_label", "db_table")


@dataclass(frozen=True, slots=True)
class DjangoModel:
    """A model class as the field scan needs it."""

    key: str  # "module.Class"
    identity: str  # "app_label.Class"
    app: str
    kind: str  # concrete | abstract | proxy
    module: str
    path: str
    node: ast.ClassDef
    bases: tuple[str, ...]  # direct bases that are models: analysed keys or external identities


def scan_django(namespace: Namespace, facts: tuple[OrmFacts, ...], auth_user_model: str) -> OrmModels:
    """Find the Django models, their tables and the relations between them.

    Args:
        namespace: resolves names across the analysed modules; the bodies of the classes
            that may be models are read from it.
        facts: `orm_facts` of the analysed modules, in the namespace's order.
        auth_user_model: AUTH_USER_MODEL as written in settings ("users.User").

    Returns:
        Tables (external models included), relation links and warnings.
    """
    warnings: list[AnalysisWarning] = []
    bases = _model_bases(namespace)
    labels = _app_labels(namespace)
    metas = {key: _meta(namespace.classes[key], namespace.path_of(key.rpartition(".")[0]), warnings)
             for key in bases}
    models = _models(bases, metas, labels, namespace, warnings)
    tables = _tables(models, metas)
    links, lookups, managers = model_links(models, namespace, facts, auth_user_model, warnings)
    return OrmModels(
        tables=tables,
        links=links + _inherit_links(models),
        warnings=tuple(warnings),
        classes={model.key: model.identity for model in models.values()},
        lookups=lookups,
        managers=managers,
    )


def _model_bases(namespace: Namespace) -> dict[str, tuple[str, ...]]:
    """Every model class key -> its model bases (analysed keys, or external identities)."""
    direct: dict[str, list[tuple[str, str]]] = {}
    for key in namespace.classes:
        module = key.rpartition(".")[0]
        direct[key] = []
        for base in namespace.bases(key):
            name = namespace.qualify_chain(module, base.chain)
            if name in namespace.classes:
                direct[key].append(("class", name))
            elif name and not namespace.is_analysed(name):
                direct[key].append((_external_kind(name), name))
    found: dict[str, bool] = {}
    result = {}
    for key in sorted(direct):
        if _is_model(key, direct, namespace, found, set()):
            result[key] = tuple(
                external_identity(name) if kind == "concrete" else name
                for kind, name in direct[key]
                if kind == "concrete" or (kind == "class" and found.get(name))
            )
    return result


def _external_kind(name: str) -> str:
    last = name.rpartition(".")[2]
    if name in _ROOTS:
        return "root"
    if last in _ABSTRACT_BASES or last.startswith("Abstract"):
        return "abstract"
    if name.startswith("django.contrib.") and last in _CONTRIB_MODELS:
        return "concrete"
    if not name.startswith("django.") and "models" in name.split(".")[1:-1]:
        return "maybe"  # a third-party app's model (`tree_queries.models.TreeNode`) if the body says so
    return "other"


def _is_model(key: str, direct: dict, namespace: Namespace, found: dict[str, bool], seen: set[str]) -> bool:
    if key in found:
        return found[key]
    if key in seen:  # a base cycle: not a model
        return False
    seen.add(key)
    answer = any(
        kind in ("root", "abstract", "concrete")
        or (kind == "maybe" and _looks_like_model(key, namespace.classes[key], namespace))
        or (kind == "class" and _is_model(name, direct, namespace, found, seen))
        for kind, name in direct.get(key, ())
    )
    found[key] = answer
    return answer


def _looks_like_model(key: str, node: ast.ClassDef, namespace: Namespace) -> bool:
    """A `class Meta`, or a field from `django.db.models` in the class body."""
    module = key.rpartition(".")[0]
    for item in node.body:
        if isinstance(item, ast.ClassDef) and item.name == "Meta":
            return True
        value = item.value if isinstance(item, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, ast.Call):
            name = namespace.qualify(module, value.func) or ""
            if name.startswith("django.db.models.") or name.startswith("django.contrib.gis.db.models."):
                return True
    return False


def _app_labels(namespace: Namespace) -> dict[str, str]:
    """App package -> app label, from AppConfig classes and `models` modules."""
    labels: dict[str, str] = {}
    for module in namespace.symbols:
        if module.module.endswith(".models"):
            package = module.module.rpartition(".")[0]
            labels.setdefault(package, package.rpartition(".")[2])
    configs: dict[str, str] = {}
    for key in sorted(namespace.classes):
        if not any(base.name.endswith("AppConfig") for base in namespace.bases(key)):
            continue
        values = _class_literals(namespace.classes[key])
        name = values.get("name") if isinstance(values.get("name"), str) else None
        module = key.rpartition(".")[0]
        package = module.rpartition(".")[0] if module.endswith(".apps") else module
        if name is not None and namespace.is_module(name):
            package = name
        label = values.get("label") if isinstance(values.get("label"), str) else None
        configs.setdefault(package, label or (name or package).rpartition(".")[2])
    labels.update(configs)
    return labels


def _app_of(module: str, labels: dict[str, str]) -> str:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        package = ".".join(parts[:end])
        if package in labels:
            return labels[package]
    if "models" in parts[1:]:
        return parts[len(parts) - 2 - parts[::-1].index("models")]
    return parts[-2] if len(parts) > 1 else parts[0]


def _meta(node: ast.ClassDef, path: str, warnings: list[AnalysisWarning]) -> dict[str, object]:
    """The `class Meta` options that decide the table: abstract, proxy, app_label, db_table."""
    for item in node.body:
        if isinstance(item, ast.ClassDef) and item.name == "Meta":
            values = _class_literals(item, keep_unknown=True)
            for name in _META_KEYS:
                if values.get(name, "") is None:
                    warnings.append(AnalysisWarning(
                        path, f"line {item.lineno}: {node.name}.Meta.{name} is not a literal; ignored"))
            return {"has_meta": True, **{name: values.get(name) for name in _META_KEYS}}
    return {"has_meta": False}


def _class_literals(node: ast.ClassDef, keep_unknown: bool = False) -> dict[str, object]:
    values: dict[str, object] = {}
    for item in node.body:
        if isinstance(item, ast.Assign):
            for target in item.targets:
                if isinstance(target, ast.Name):
                    value = literal(item.value)
                    if value is not None or keep_unknown:
                        values[target.id] = value
    return values


def _models(bases, metas, labels, namespace, warnings) -> dict[str, DjangoModel]:
    models: dict[str, DjangoModel] = {}
    seen: dict[str, str] = {}
    for key in sorted(bases):
        module, _, name = key.rpartition(".")
        app = _inherited_meta(key, "app_label", bases, metas) or _app_of(module, labels)
        kind = "abstract" if metas[key].get("abstract") is True else (
            "proxy" if metas[key].get("proxy") is True else "concrete")
        model = DjangoModel(key, f"{app}.{name}", app, kind, module, namespace.path_of(module),
                            namespace.classes[key], bases[key])
        # Abstract models may share a name (Django does not register them); others may not.
        if model.identity in seen and kind != "abstract":
            warnings.append(AnalysisWarning(model.path, (
                f"line {model.node.lineno}: {key} is a second model {model.identity} "
                f"(the first is {seen[model.identity]}); its links are merged with the first's")))
        seen.setdefault(model.identity, key)
        models[key] = model
    return models


def _inherited_meta(key: str, option: str, bases, metas) -> str | None:
    # Meta is inherited only from abstract bases, and only by a class without its own Meta.
    value = metas[key].get(option)
    if isinstance(value, str) or metas[key]["has_meta"]:
        return value if isinstance(value, str) else None
    for base in bases[key]:
        if base in metas and metas[base].get("abstract") is True:
            found = _inherited_meta(base, option, bases, metas)
            if found:
                return found
    return None


def _tables(models: dict[str, DjangoModel], metas: dict) -> tuple[Table, ...]:
    tables = []
    identities = set()
    for key, model in models.items():
        if model.identity in identities:
            continue  # the same identity again: the first class is the record
        identities.add(model.identity)
        parent = _proxied(key, models) if model.kind == "proxy" else ""
        if model.kind == "concrete":
            table = metas[key].get("db_table")
            table = table if isinstance(table, str) else f"{model.app}_{model.node.name.lower()}"
        else:
            table = ""
        tables.append(Table(model.identity, table, model.app, model.module, model.path,
                            model.node.lineno, model.kind, "django", parent))
    by_identity = {table.model: table for table in tables}
    return tuple(
        _with_parent_table(table, by_identity) if table.kind == "proxy" else table for table in tables
    )


def _proxied(key: str, models: dict[str, DjangoModel]) -> str:
    found = parents(key, models)
    if not found:
        return ""
    return models[found[0]].identity if found[0] in models else found[0]  # a proxy of auth.User


def _with_parent_table(table: Table, by_identity: dict[str, Table]) -> Table:
    parent, hops = by_identity.get(table.parent), 0
    while parent is not None and parent.kind == "proxy" and hops < 10:
        parent, hops = by_identity.get(parent.parent), hops + 1
    return table if parent is None else replace(table, table=parent.table)


def _inherit_links(models: dict[str, DjangoModel]) -> tuple[DataLink, ...]:
    links = []
    for key, model in models.items():
        if model.kind == "abstract":
            continue
        for parent in parents(key, models):
            target = models[parent].identity if parent in models else parent
            links.append(DataLink("inherit", model.identity, target, model.module, model.path,
                                  model.node.lineno))
    return tuple(links)
