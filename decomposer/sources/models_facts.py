"""What the models scan reads of every module, taken from its syntax tree once (`orm_facts`).

The scan looks at every analysed module for a few things besides names (`models_ast.read_symbols`):
AUTH_USER_MODEL in settings modules, SQLAlchemy declarative roots and association tables at the
top level, and calls named like relation fields anywhere (a `ForeignKey(...)` outside a model's
class body is a warning). Kept as picklable facts, these let the results cache run the scan
again after a commit without parsing the modules that did not change; a module whose facts
say it holds `add_to_class` calls or association `Table(...)` statements is read whole again.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from decomposer.sources.models_ast import ParsedModule, call_name, chain_of, literal, top_level

__all__ = ["RELATION_SUFFIXES", "OrmFacts", "RelationCall", "is_djangos_own", "orm_facts", "relation_calls",
           "settings_values"]

# how Django relation fields' classes end (`models_django_fields`: fk, fk, o2o, m2m)
RELATION_SUFFIXES = ("ForeignKey", "ParentalKey", "OneToOneField", "ManyToManyField")
_ROOT_BASES = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})


@dataclass(frozen=True)  # no slots, as models_ast.Base
class RelationCall:
    """A call that may be a relation field (`models_django_fields._warn_stray_fields` reads it)."""

    line: int
    name: str  # call_name(call)
    chain: tuple[str, ...] | None  # chain_of(call.func)
    owner: str  # the top-level class whose body assigns it as a field (`x = ForeignKey(...)`), or ""
    # `X.add_to_class("name", call)` with a literal name: chain_of(X); else None
    added_to: tuple[str, ...] | None


@dataclass(frozen=True)  # no slots, as models_ast.Base
class OrmFacts:
    """What the models scan reads of one module besides its names."""

    module: str
    settings: tuple[str, ...]  # AUTH_USER_MODEL values at the top, in a module with "settings" in its name
    roots: dict[str, bool]  # SQLAlchemy declarative roots defined here -> whether Flask's `db.Model`
    associations: dict[str, str]  # "module.variable" -> table name of a top-level `Table("name", ...)`
    relation_calls: tuple[RelationCall, ...]  # calls named like a relation field (`RELATION_SUFFIXES`)
    adds_fields: bool  # calls `add_to_class`: the Django scan reads the whole tree
    tables: bool  # has top-level `Table(...)` statements: the SQLAlchemy scan reads the whole tree


def orm_facts(parsed: ParsedModule) -> OrmFacts:
    """The facts of one parsed module."""
    nodes = parsed.nodes or tuple(ast.walk(parsed.tree))
    statements = top_level(parsed.tree)
    return OrmFacts(
        module=parsed.module,
        settings=(tuple(settings_values(statements))
                  if any("settings" in part for part in parsed.module.split(".")) else ()),
        roots=_roots(parsed.module, statements),
        associations=_associations(parsed.module, statements),
        relation_calls=relation_calls(parsed, everything=False),
        adds_fields=any(isinstance(node, ast.Call) and call_name(node) == "add_to_class" for node in nodes),
        tables=any(_is_table(node) for node in statements),
    )


def is_djangos_own(module: str) -> bool:
    """Whether `module` is Django's own code: then a relation field may be called by any name (an
    analysed subclass of a `django.` field), and the scan reads every module's whole tree."""
    return module == "django" or module.startswith("django.")


def relation_calls(parsed: ParsedModule, *, everything: bool) -> tuple[RelationCall, ...]:
    """The module's calls named like a relation field, in walk order; with `everything`, all its
    calls (an analysed class under `django.` may be a relation field by any name)."""
    bound = {node.name: node for node in top_level(parsed.tree) if isinstance(node, ast.ClassDef)}  # the last of a name
    owners = {id(value): name for name, node in bound.items() for item in node.body
              for value in [_assigned(item)] if isinstance(value, ast.Call)}
    nodes = parsed.nodes or tuple(ast.walk(parsed.tree))
    added: dict[int, tuple[str, ...] | None] = {}
    for node in nodes:
        if (isinstance(node, ast.Call) and call_name(node) == "add_to_class" and isinstance(node.func, ast.Attribute)
                and len(node.args) == 2 and isinstance(node.args[1], ast.Call)
                and isinstance(literal(node.args[0]), str)):
            added[id(node.args[1])] = chain_of(node.func.value)
    return tuple(
        RelationCall(node.lineno, call_name(node), chain_of(node.func), owners.get(id(node), ""), added.get(id(node)))
        for node in nodes
        if isinstance(node, ast.Call) and (everything or call_name(node).endswith(RELATION_SUFFIXES))
    )


def settings_values(statements: list[ast.stmt]) -> list[str]:
    """AUTH_USER_MODEL values ("app.Model") assigned among a module's top-level statements."""
    return [
        value
        for node in statements
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "AUTH_USER_MODEL" for target in node.targets)
        for value in [literal(node.value)]
        if isinstance(value, str) and value.count(".") == 1
    ]


def _assigned(item: ast.stmt) -> ast.AST | None:
    """The value of a class-body field assignment as the Django scan reads fields (`_assignment`)."""
    if isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name):
        return item.value
    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
        return item.value
    return None


def _roots(module: str, statements: list[ast.stmt]) -> dict[str, bool]:
    """Dotted names of declarative roots -> whether they are Flask-SQLAlchemy's `db.Model`."""
    roots: dict[str, bool] = {}
    for node in statements:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            name = call_name(node.value)
            for target in node.targets:
                if not isinstance(target, ast.Name):
                    continue
                if name in ("declarative_base", "generate_base"):
                    roots[f"{module}.{target.id}"] = False
                elif name.endswith("SQLAlchemy"):
                    roots[f"{module}.{target.id}.Model"] = True
        elif isinstance(node, ast.ClassDef) and (
            any(call_name(base) in _ROOT_BASES for base in node.bases)
            or any(call_name(decorator) == "as_declarative" for decorator in node.decorator_list)
        ):
            roots[f"{module}.{node.name}"] = False
    return roots


def _is_table(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and call_name(node.value) == "Table" and bool(node.value.args))


def _associations(module: str, statements: list[ast.stmt]) -> dict[str, str]:
    """`Table("name", metadata, ...)` assigned at module level: "module.variable" -> table name."""
    found = {}
    for node in statements:
        if _is_table(node):
            name = literal(node.value.args[0])
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(name, str):
                    found[f"{module}.{target.id}"] = name
    return found
