"""Django relation fields: ForeignKey, OneToOneField, ManyToManyField and generic relations.

A field is an assignment in a model's class body whose value calls a class named like a
relation field (`models.ForeignKey`, `ForeignKey`, `TreeForeignKey`, `ParentalKey`,
`ParentalManyToManyField`, an analysed subclass of one) or a generic relation
(`GenericForeignKey`, `GenericRelation`, `TaggableManager`); `Model.add_to_class("name",
ForeignKey(...))` counts too. Concrete models get their abstract bases' fields (the link
keeps the base's file and line); abstract models and proxies hold no links of their own.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from decomposer.model import AnalysisWarning
from decomposer.sources.models_ast import Namespace, call_name, chain_of, class_methods, literal
from decomposer.model import DataLink
from decomposer.sources.models_facts import RELATION_SUFFIXES, OrmFacts, is_djangos_own, relation_calls

__all__ = ["external_identity", "model_links", "parents"]

_SUFFIXES = tuple(zip(RELATION_SUFFIXES, ("fk", "fk", "o2o", "m2m"), strict=True))
_GENERIC = frozenset({"GenericForeignKey", "GenericRelation", "TaggableManager"})
_ALWAYS_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
_MAX_FIELD_BASES = 4  # analysed field classes followed up their first bases for a default target


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    kind: str  # fk | o2o | m2m | generic
    owner: str  # the class that writes it
    call: ast.Call
    module: str  # where the field is written (an abstract base's module for copied fields)
    path: str
    line: int


def model_links(models: dict, namespace: Namespace, facts: tuple[OrmFacts, ...],
                auth_user_model: str, warnings: list[AnalysisWarning]):
    """The relation links of every concrete model, with the lookups and managers queries use.

    Args:
        models: class key -> `DjangoModel` for every model class.
        namespace: resolves names across the analysed modules.
        facts: `orm_facts` of the analysed modules, in the namespace's order.
        auth_user_model: AUTH_USER_MODEL as written in settings.
        warnings: unresolved targets and fields outside class bodies are added here.

    Returns:
        (links, lookups: model -> {lookup name -> model}, managers: model -> names).
    """
    canonical = {(model.app, model.node.name.lower()): model.identity for model in models.values()}
    resolver = _Targets(namespace, models, canonical, _canonical(auth_user_model, canonical))
    own = {key: _own_fields(model, namespace) for key, model in models.items()}
    _add_to_class(own, models, namespace, facts)
    _warn_stray_fields(models, namespace, facts, warnings)
    links, forward, reverse = [], [], []
    for key, model in sorted(models.items()):
        if model.kind != "concrete":
            continue
        for field in _collected(key, models, own, set()).values():
            link, reverse_name = resolver.link(field, model, warnings)
            if link is not None:
                links.append(link)
                forward.append((link.source, field.name, link.target))
                if reverse_name:
                    reverse.append((link.target, reverse_name, link.source))
    lookups = _lookups(models, forward + reverse)
    return tuple(links), lookups, _managers(models)


def parents(key: str, models: dict) -> list[str]:
    """The non-abstract models `key` derives from, through abstract bases: analysed keys or
    external identities ("auth.User"), in base order."""
    found: list[str] = []
    pending, seen = list(models[key].bases), {key}
    while pending:
        base = pending.pop(0)
        if base in seen:
            continue
        seen.add(base)
        if base in models and models[base].kind == "abstract":
            pending[:0] = models[base].bases
        elif base not in found:
            found.append(base)
    return found


def external_identity(name: str) -> str:
    """The "app_label.Model" of a model imported from outside: `django.contrib.auth.models.User` -> "auth.User"."""
    parts = name.split(".")
    if "models" in parts[1:]:
        index = len(parts) - 1 - parts[::-1].index("models")
        return f"{parts[index - 1]}.{parts[-1]}"
    return f"{parts[-2]}.{parts[-1]}" if len(parts) > 1 else name


def _canonical(written: str, canonical: dict[tuple[str, str], str]) -> str:
    app, _, name = written.rpartition(".")
    return canonical.get((app, name.lower()), written)


def _field_kind(call: ast.Call, module: str, namespace: Namespace) -> str | None:
    return _kind(call_name(call), chain_of(call.func), module, namespace)


def _kind(name: str, chain: tuple[str, ...] | None, module: str, namespace: Namespace, depth: int = 0) -> str | None:
    """The field kind of a call to `chain` (named `name`) in `module`, if it is a relation field."""
    if name in _GENERIC:
        return "generic"
    for suffix, kind in _SUFFIXES:
        if name.endswith(suffix):
            return kind
    key = namespace.qualify_chain(module, chain)
    if depth < 5 and key in namespace.classes:  # an analysed subclass of a relation field
        for base in namespace.bases(key):
            kind = _kind(base.func_name, base.chain, key.rpartition(".")[0], namespace, depth + 1)
            if kind:
                return kind
    return None


def _own_fields(model, namespace: Namespace) -> list[_Field]:
    fields = []
    for item in model.node.body:
        target, value = _assignment(item)
        if target and isinstance(value, ast.Call):
            kind = _field_kind(value, model.module, namespace)
            if kind:
                fields.append(_Field(target, kind, model.node.name, value, model.module, model.path,
                                     item.lineno))
    return fields


def _assignment(item: ast.stmt) -> tuple[str | None, ast.AST | None]:
    if isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name):
        return item.targets[0].id, item.value
    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
        return item.target.id, item.value
    return None, None


def _add_to_class(own: dict, models: dict, namespace: Namespace, facts: tuple[OrmFacts, ...]) -> None:
    for parsed in (namespace.tree(module.module) for module in facts if module.adds_fields):
        for node in parsed.nodes or ast.walk(parsed.tree):
            if not (isinstance(node, ast.Call) and call_name(node) == "add_to_class"
                    and isinstance(node.func, ast.Attribute) and len(node.args) == 2
                    and isinstance(node.args[1], ast.Call)):
                continue
            key = namespace.qualify(parsed.module, node.func.value)
            name, kind = literal(node.args[0]), _field_kind(node.args[1], parsed.module, namespace)
            if key in models and isinstance(name, str) and kind:
                own[key].append(_Field(name, kind, models[key].node.name, node.args[1], parsed.module,
                                       parsed.path, node.lineno))


def _warn_stray_fields(models: dict, namespace: Namespace, facts: tuple[OrmFacts, ...], warnings: list) -> None:
    """A relation field from `django.` that is no model's field (`_own_fields`, `_add_to_class`)."""
    # Only a call named like a relation field can be one (`OrmFacts.relation_calls`), unless the
    # analysed code is Django's own: then an analysed subclass under `django.` may be, by any name.
    everything = any(is_djangos_own(module.module) for module in facts)
    for module in facts:
        calls = (relation_calls(namespace.tree(module.module), everything=True) if everything
                 else module.relation_calls)
        for call in calls:
            if (call.owner and f"{module.module}.{call.owner}" in models) or (
                    call.added_to is not None and namespace.qualify_chain(module.module, call.added_to) in models):
                continue  # a model's field
            name = namespace.qualify_chain(module.module, call.chain) or ""
            kind = _kind(call.name, call.chain, module.module, namespace) if name.startswith("django.") else None
            if kind in ("fk", "o2o", "m2m"):
                warnings.append(AnalysisWarning(namespace.path_of(module.module), (
                    f"line {call.line}: a {call.name} outside a model's class body "
                    "(assigned dynamically?) is left out")))


def _collected(key: str, models: dict, own: dict, seen: set[str]) -> dict[str, _Field]:
    """The model's own fields, then those of its abstract bases that it does not override."""
    seen.add(key)
    fields = {field.name: field for field in own[key]}
    for base in models[key].bases:
        if base in models and models[base].kind == "abstract" and base not in seen:
            for name, field in _collected(base, models, own, seen).items():
                fields.setdefault(name, field)
    return fields


class _Targets:
    """Turns a field's target expression into a model identity, as Django resolves it."""

    def __init__(self, namespace: Namespace, models: dict, canonical: dict, user_model: str) -> None:
        self.namespace, self.models, self.canonical, self.user_model = namespace, models, canonical, user_model

    def link(self, field: _Field, model, warnings: list) -> tuple[DataLink | None, str]:
        call, tail = field.call, call_name(field.call)
        if tail == "GenericForeignKey":
            target = "contenttypes.ContentType"
        elif tail == "TaggableManager":
            through = _keyword(call, "through")
            target = self.resolve(through, field, model) if through is not None else "taggit.Tag"
        else:
            expression = call.args[0] if call.args else _keyword(call, "to")
            if expression is None:
                expression = self._default_target(field)
            target = self.resolve(expression, field, model) if expression is not None else None
        if target is None:
            warnings.append(AnalysisWarning(field.path, (
                f"line {field.line}: the target of {field.owner}.{field.name} ({tail}) is not "
                "a model class, a literal or settings.AUTH_USER_MODEL; left out")))
            return None, ""
        through = _keyword(call, "through") if field.kind == "m2m" else None
        via = (self.resolve(through, field, model) or "") if through is not None else ""
        link = DataLink(field.kind, model.identity, target, field.module, field.path, field.line,
                        field.name, via)
        return link, self._reverse_name(field, model)

    def resolve(self, expression: ast.AST, field: _Field, model) -> str | None:
        value = literal(expression)
        if isinstance(value, str):
            if value == "self":
                return model.identity
            app, _, name = value.rpartition(".")
            return self.canonical.get((app or model.app, name.lower()), f"{app or model.app}.{name}")
        if isinstance(expression, ast.Attribute) and expression.attr == "AUTH_USER_MODEL":
            return self.user_model
        if isinstance(expression, ast.Call) and call_name(expression) == "get_user_model":
            return self.user_model
        if isinstance(expression, ast.Call) and call_name(expression) == "get_model_name":
            names = [literal(argument) for argument in expression.args]  # swapper.get_model_name
            if len(names) == 2 and all(isinstance(name, str) for name in names):
                return self.canonical.get((names[0], names[1].lower()), ".".join(names))
        key = self.namespace.qualify(field.module, expression)
        if key in self.models:
            return self.models[key].identity
        if key and not self.namespace.is_analysed(key) and key[:1].isalpha():
            return external_identity(key)
        return None

    def _default_target(self, field: _Field) -> ast.AST | None:
        """The target an analysed field class gives itself in its `__init__` when the call names
        none: `kwargs.setdefault("to", "Role")` or `kwargs["to"] = ...` (awx's ImplicitRoleField),
        in the class or an analysed base; a literal or settings.AUTH_USER_MODEL, read as Django
        reads it (a bare model name in the app of the model that declares the field)."""
        key = self.namespace.qualify(field.module, field.call.func)
        for _ in range(_MAX_FIELD_BASES):
            if key is None or key not in self.namespace.classes:
                return None
            module = key.rpartition(".")[0]
            for item in self.namespace.classes[key].body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__" and item.args.kwarg is not None:
                    found = _set_target(item, item.args.kwarg.arg)
                    if found is not None:
                        return found
            bases = self.namespace.bases(key)
            key = self.namespace.qualify_chain(module, bases[0].chain) if bases else None
        return None

    def _reverse_name(self, field: _Field, model) -> str:
        if field.kind == "generic":
            name = literal(_keyword(field.call, "related_query_name"))
            return name if isinstance(name, str) else ""
        for option in ("related_query_name", "related_name"):
            name = literal(_keyword(field.call, option))
            if isinstance(name, str):
                if name.endswith("+"):
                    return ""
                return name.replace("%(class)s", model.node.name.lower()).replace(
                    "%(app_label)s", model.app.lower())
        return model.node.name.lower()


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _lookups(models: dict, edges: list[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    lookups: dict[str, dict[str, str]] = {model.identity: {} for model in models.values()}
    for source, name, target in sorted(edges):
        lookups.setdefault(source, {}).setdefault(name, target)
    for key, model in sorted(models.items()):
        for base in parents(key, models) if model.kind == "concrete" else ():
            if base in models and models[base].kind == "concrete":
                parent = models[base]
                lookups[model.identity].setdefault(f"{parent.node.name.lower()}_ptr", parent.identity)
                lookups[parent.identity].setdefault(model.node.name.lower(), model.identity)
    for key, model in sorted(models.items()):  # children and proxies see their parents' fields
        for ancestor in _ancestors(key, models):
            if models[ancestor].kind != "abstract":
                for name, target in sorted(lookups[models[ancestor].identity].items()):
                    lookups[model.identity].setdefault(name, target)
    return lookups


def _ancestors(key: str, models: dict) -> list[str]:
    """Every analysed model class `key` derives from, nearest first."""
    found: list[str] = []
    pending = [base for base in models[key].bases if base in models]
    while pending:
        base = pending.pop(0)
        if base not in found and base != key:
            found.append(base)
            pending.extend(parent for parent in models[base].bases if parent in models)
    return found


def _managers(models: dict) -> dict[str, frozenset[str]]:
    managers = {}
    for key, model in models.items():
        names = set(_ALWAYS_MANAGERS)
        for class_key in [key, *_ancestors(key, models)]:
            names |= class_methods(models[class_key].node)
            for item in models[class_key].node.body:
                target, value = _assignment(item)
                if target and isinstance(value, ast.Call) and _is_manager(value):
                    names.add(target)
        managers[model.identity] = frozenset(names)
    return managers


def _is_manager(call: ast.Call) -> bool:
    name = call_name(call)
    if name in _GENERIC:
        return False
    return name.endswith("Manager") or name == "as_manager" or isinstance(call.func, ast.Call)


def _set_target(init: ast.FunctionDef, kwargs: str) -> ast.AST | None:
    """What `__init__` sets `kwargs["to"]` to when none is given: `kwargs.setdefault("to", X)` or
    `kwargs["to"] = X`; None when it sets none (or sets something that is no literal target)."""
    for node in ast.walk(init):
        value = None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == kwargs
                and len(node.args) == 2 and literal(node.args[0]) == "to"):
            value = node.args[1]
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript)
              and isinstance(node.targets[0].value, ast.Name) and node.targets[0].value.id == kwargs
              and literal(node.targets[0].slice) == "to"):
            value = node.value
        if value is not None and (isinstance(literal(value), str) or
                                  (isinstance(value, ast.Attribute) and value.attr == "AUTH_USER_MODEL")):
            return value
    return None
