"""SQLAlchemy models from syntax trees: declarative classes, their tables and foreign keys.

Roots are `Base = declarative_base()` (or `registry().generate_base()`), classes deriving
from `DeclarativeBase`/`DeclarativeBaseNoMeta` or decorated with `@as_declarative`, and
Flask-SQLAlchemy's `db.Model` (`db = SQLAlchemy()` or a subclass of it; any `db.Model`
where `db` cannot be followed). A mapped class derives from a root or another mapped class.
Its table is `__tablename__` (or `__table__ = Table("name", ...)`); without one, a subclass
of a mapped model shares its parent's table (single-table inheritance, kind "proxy"),
except that Flask-SQLAlchemy gives a class with its own primary key a table named in
snake_case, and a subclass without its own primary key no table of its own even when it
names one (Flask-SQLAlchemy's `__table_cls__`).
"""

from __future__ import annotations

import ast
import re

from decomposer.model import AnalysisWarning
from decomposer.sources.models_ast import Namespace, OrmModels, class_methods, literal
from decomposer.model import DataLink, Table
from decomposer.sources.models_facts import OrmFacts
from decomposer.sources.models_sqlalchemy_links import (
    association_links,
    foreign_key_links,
    relationship_links,
)

__all__ = ["scan_sqlalchemy"]


def scan_sqlalchemy(namespace: Namespace, facts: tuple[OrmFacts, ...]) -> OrmModels:
    """Find the SQLAlchemy models, their tables and the links between them.

    Args:
        namespace: resolves names across the analysed modules; the bodies of mapped classes
            are read from it.
        facts: `orm_facts` of the analysed modules (roots, association tables), in the
            namespace's order.

    Returns:
        Tables (tables named by foreign keys but not mapped here are external), links, warnings.
    """
    warnings: list[AnalysisWarning] = []
    roots = {name: flask for module in facts for name, flask in module.roots.items()}
    mapped = _mapped_classes(namespace, roots)
    tables = _tables(mapped, namespace, warnings)
    associations = {name: table for module in facts for name, table in module.associations.items()}
    owners = _owners(tables)
    links = foreign_key_links(mapped, tables, namespace, owners)
    links += association_links(namespace, facts, owners, tables)
    links += _inherit_links(mapped, tables)
    links += relationship_links(mapped, tables, namespace, associations, links, warnings)
    return OrmModels(
        tables=tuple(tables.values()) + _external(links, tables),
        links=links,
        warnings=tuple(warnings),
        classes={key: key for key in tables},  # a SQLAlchemy model's identity is its class key
        lookups={},
        managers={key: _query_names(key, namespace) for key in tables},
    )


def _mapped_classes(namespace: Namespace, roots: dict[str, bool]) -> dict[str, dict]:
    """Class key -> {"flask": bool, "parents": mapped analysed bases, "mixins": other analysed bases}."""
    bases: dict[str, list[str]] = {}
    on_root: dict[str, bool] = {}  # classes deriving from a root -> whether it is Flask's
    for key in namespace.classes:
        module = key.rpartition(".")[0]
        bases[key] = []
        for base in namespace.bases(key):
            name = namespace.qualify_chain(module, base.chain) or ""
            if name in roots or (name.endswith(".db.Model") and name not in namespace.classes):
                on_root[key] = roots.get(name, True)
            bases[key].append(name)
    mapped: dict[str, dict] = {}
    for key in sorted(bases):
        if key not in roots and _is_mapped(key, bases, on_root, set()):
            mapped[key] = {"flask": _is_flask(key, bases, on_root, set())}
    for key, info in mapped.items():
        info["parents"] = [base for base in bases[key] if base in mapped]
        info["mixins"] = [base for base in bases[key] if base in namespace.classes and base not in mapped
                          and base not in roots]
    return mapped


def _is_mapped(key: str, bases: dict, on_root: dict, seen: set[str]) -> bool:
    if key in on_root:
        return True
    seen.add(key)
    return any(base in bases and base not in seen and _is_mapped(base, bases, on_root, seen)
               for base in bases.get(key, ()))


def _is_flask(key: str, bases: dict, on_root: dict, seen: set[str]) -> bool:
    if key in on_root:
        return on_root[key]
    seen.add(key)
    return any(base in bases and base not in seen and _is_flask(base, bases, on_root, seen)
               for base in bases.get(key, ()))


def _tables(mapped: dict, namespace: Namespace, warnings: list) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for key in sorted(mapped, key=lambda key: _depth(key, mapped)):
        module, _, name = key.rpartition(".")
        node, path, info = namespace.classes[key], namespace.path_of(module), mapped[key]
        values = _class_values(node)
        parent = next((tables[base] for base in info["parents"] if base in tables), None)
        if literal(values.get("__abstract__")) is True:
            kind, table = "abstract", ""
        elif parent and parent.kind != "abstract" and _shares_table(values, info, node):
            kind, table = "proxy", parent.table
        else:
            kind, table = "concrete", _table_name(values, info, node, path, warnings)
        tables[key] = Table(key, table, module, module, path, node.lineno, kind, "sqlalchemy",
                            parent.model if kind == "proxy" else "")
    return tables


def _depth(key: str, mapped: dict, seen: frozenset[str] = frozenset()) -> int:
    parents = [parent for parent in mapped[key]["parents"] if parent not in seen and parent != key]
    return 1 + max((_depth(parent, mapped, seen | {key}) for parent in parents), default=-1)


def _shares_table(values: dict, info: dict, node: ast.ClassDef) -> bool:
    if info["flask"]:
        return not _has_primary_key(node)
    return "__tablename__" not in values and "__table__" not in values


def _has_primary_key(node: ast.ClassDef) -> bool:
    return any(isinstance(item, ast.keyword) and item.arg == "primary_key" and literal(item.value) is True
               for item in ast.walk(node))


def _table_name(values: dict, info: dict, node: ast.ClassDef, path: str, warnings: list) -> str:
    if "__tablename__" in values:
        name = literal(values["__tablename__"])
        if isinstance(name, str):
            return name
    elif "__table__" in values and isinstance(values["__table__"], ast.Call):
        name = literal(values["__table__"].args[0]) if values["__table__"].args else None
        if isinstance(name, str):
            return name
    elif info["flask"]:
        return _snake_case(node.name)
    warnings.append(AnalysisWarning(path, (
        f"line {node.lineno}: {node.name} has no literal __tablename__ or __table__; "
        "foreign keys to its table cannot be matched to it")))
    return ""


def _snake_case(name: str) -> str:
    # Flask-SQLAlchemy 3's camel_to_snake_case, which names tables that have no __tablename__.
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower().lstrip("_")


def _class_values(node: ast.ClassDef) -> dict[str, ast.AST]:
    values: dict[str, ast.AST] = {}
    for item in node.body:
        if isinstance(item, ast.Assign):
            for target in item.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = item.value
        elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("__"):
            values[item.name] = item  # a `declared_attr` __tablename__ is not a literal
    return values


def _owners(tables: dict[str, Table]) -> dict[str, str]:
    """Table name -> the model that owns it (proxies share, they do not own)."""
    owners: dict[str, str] = {}
    for key in sorted(tables):
        if tables[key].kind == "concrete" and tables[key].table:
            owners.setdefault(tables[key].table, key)
            owners.setdefault(tables[key].table.rpartition(".")[2], key)  # "schema.table"
    return owners


def _inherit_links(mapped: dict, tables: dict[str, Table]) -> tuple[DataLink, ...]:
    links = []
    for key, info in sorted(mapped.items()):
        for parent in info["parents"]:
            if tables[key].kind != "abstract" and tables[parent].kind != "abstract":
                table = tables[key]
                links.append(DataLink("inherit", key, parent, table.module, table.path, table.line))
    return tuple(links)


def _query_names(key: str, namespace: Namespace) -> frozenset[str]:
    """`query` (Flask-SQLAlchemy) and the classmethods of the class and its analysed bases."""
    names, pending, seen = {"query"}, [key], set()
    while pending:
        class_key = pending.pop(0)
        if class_key in seen or class_key not in namespace.classes:
            continue
        seen.add(class_key)
        node = namespace.classes[class_key]
        names |= class_methods(node)
        pending.extend(namespace.qualify(class_key.rpartition(".")[0], base) or "" for base in node.bases)
    return frozenset(names)


def _external(links: tuple[DataLink, ...], tables: dict[str, Table]) -> tuple[Table, ...]:
    names = sorted({link.target for link in links if link.target not in tables}
                   | {link.source for link in links if link.source not in tables})
    return tuple(Table(name, name, "", "", "", 0, "external", "sqlalchemy") for name in names)
