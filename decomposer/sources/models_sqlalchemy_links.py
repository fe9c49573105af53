"""SQLAlchemy links: foreign keys, association tables and relationships between mapped classes.

- fk: every `ForeignKey("table.column")` (or `ForeignKey(Model.id)`) in a class attribute,
  a `declared_attr` of a mixin, `__table__` or a `ForeignKeyConstraint` in `__table_args__`,
  from the mapped class to the model owning that table. Columns of mixins and abstract
  bases count for each mapped subclass. A joined-table subclass's key to its parent is the
  `inherit` link, not an fk as well.
- m2m: an association `Table("name", metadata, Column(ForeignKey(...)), ...)` at module
  level joins the models its foreign keys point to (one link per pair, in column order).
- relationship("Class") adds an fk link only when no fk or inherit link already joins the
  pair (either way round): the foreign key is the fact, a relationship only a view of it,
  and it is often declared on both sides. With `secondary=` it adds an m2m link only when
  no association table already joins the pair.
"""

from __future__ import annotations

import ast

from decomposer.model import AnalysisWarning
from decomposer.sources.models_ast import Namespace, call_name, literal, top_level
from decomposer.model import DataLink, Table
from decomposer.sources.models_facts import OrmFacts

__all__ = ["association_links", "foreign_key_links", "relationship_links"]


def foreign_key_links(mapped: dict, tables: dict[str, Table], namespace: Namespace,
                      owners: dict[str, str]) -> tuple[DataLink, ...]:
    """One fk link per foreign key column of every mapped, non-abstract class.

    Args:
        mapped: class key -> {"parents", "mixins", "flask"} for every mapped class.
        tables: class key -> its table record.
        namespace: resolves names across the analysed modules.
        owners: table name -> the class key that owns it.

    Returns:
        The links, in class order.
    """
    links = {}
    for key in sorted(mapped):
        if tables[key].kind == "abstract":
            continue
        for class_key in _attribute_classes(key, mapped, tables, namespace):
            module = class_key.rpartition(".")[0]
            for name, statement in _statements(namespace.classes[class_key]):
                for call in _calls(statement, ("ForeignKey", "ForeignKeyConstraint")):
                    for target in _fk_targets(call, module, namespace, owners, tables):
                        if target in mapped[key]["parents"]:
                            continue  # the joined-table key: an inherit link
                        link = DataLink("fk", key, target, module, _path(class_key, tables, namespace),
                                        statement.lineno, name)
                        links.setdefault((link.source, link.target, link.field), link)
    return tuple(links.values())


def association_links(namespace: Namespace, facts: tuple[OrmFacts, ...],
                      owners: dict[str, str], tables: dict[str, Table]) -> tuple[DataLink, ...]:
    """m2m links between the models that each module-level association `Table(...)` joins."""
    links = []
    for module in (namespace.tree(module.module) for module in facts if module.tables):
        for node in top_level(module.tree):
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and call_name(node.value) == "Table" and node.value.args):
                continue
            name = literal(node.value.args[0])
            joined: list[str] = []
            for call in _calls(node.value, ("ForeignKey",)):
                for target in _fk_targets(call, module.module, namespace, owners, tables):
                    if target not in joined:
                        joined.append(target)
            variable = next((t.id for t in node.targets if isinstance(t, ast.Name)), "")
            for index, source in enumerate(joined):
                for target in joined[index + 1:]:
                    links.append(DataLink("m2m", source, target, module.module, module.path,
                                          node.lineno, variable, name if isinstance(name, str) else ""))
    return tuple(links)


def relationship_links(mapped: dict, tables: dict[str, Table], namespace: Namespace,
                       associations: dict[str, str], links: tuple[DataLink, ...],
                       warnings: list[AnalysisWarning]) -> tuple[DataLink, ...]:
    """Links that only a `relationship()` shows: no foreign key or association table joins the pair."""
    joined = {frozenset((link.source, link.target)) for link in links if link.kind in ("fk", "inherit")}
    paired = {frozenset((link.source, link.target)) for link in links if link.kind == "m2m"}
    names = _class_names(mapped)
    found = []
    for key in sorted(mapped):
        if tables[key].kind == "abstract":
            continue
        module, table = key.rpartition(".")[0], tables[key]
        for name, statement in _statements(namespace.classes[key]):
            call = _relationship_call(statement)
            if call is None:
                continue
            target = _class_target(_relationship_argument(call, statement), module, namespace, tables, names)
            if target is None:
                warnings.append(AnalysisWarning(table.path, (
                    f"line {statement.lineno}: the target of relationship {name} is not a mapped class; "
                    "left out")))
                continue
            secondary = _secondary(call, module, namespace, associations)
            pair, seen = frozenset((key, target)), paired if secondary is not None else joined
            if pair not in seen:
                seen.add(pair)
                kind = "m2m" if secondary is not None else "fk"
                found.append(DataLink(kind, key, target, module, table.path, statement.lineno, name,
                                      secondary or ""))
    return tuple(found)


def _attribute_classes(key: str, mapped: dict, tables: dict, namespace: Namespace) -> list[str]:
    """The class and the mixins and abstract mapped bases whose columns it gets."""
    found, pending = [key], list(mapped[key]["mixins"]) + [
        parent for parent in mapped[key]["parents"] if tables[parent].kind == "abstract"]
    while pending:
        base = pending.pop(0)
        if base in found:
            continue
        found.append(base)
        node = namespace.classes[base]
        module = base.rpartition(".")[0]
        for expression in node.bases:
            name = namespace.qualify(module, expression)
            if name in namespace.classes and (name not in mapped or tables[name].kind == "abstract"):
                pending.append(name)
    return found


def _statements(node: ast.ClassDef):
    """(attribute name, statement) for assignments and `declared_attr` methods of a class body."""
    for item in node.body:
        if isinstance(item, ast.Assign):
            for target in item.targets:
                if isinstance(target, ast.Name):
                    yield target.id, item
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value:
            yield item.target.id, item
        elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                call_name(decorator) == "declared_attr" or "declared_attr" in ast.unparse(decorator)
                for decorator in item.decorator_list):
            yield item.name, item


def _calls(node: ast.AST, names: tuple[str, ...]) -> list[ast.Call]:
    return [call for call in ast.walk(node) if isinstance(call, ast.Call) and call_name(call) in names]


def _fk_targets(call: ast.Call, module: str, namespace: Namespace, owners: dict[str, str],
                tables: dict) -> list[str]:
    if call_name(call) == "ForeignKeyConstraint":
        columns = call.args[1] if len(call.args) > 1 else _keyword(call, "refcolumns")
        references = columns.elts if isinstance(columns, (ast.List, ast.Tuple)) else []
    else:
        references = call.args[:1] or [_keyword(call, "column")]
    targets = []
    for reference in references:
        target = _fk_target(reference, module, namespace, owners, tables)
        if target and target not in targets:
            targets.append(target)
    return targets


def _fk_target(reference, module: str, namespace: Namespace, owners: dict, tables: dict) -> str | None:
    value = literal(reference)
    if isinstance(value, str) and "." in value:
        table = value.rpartition(".")[0]
        return owners.get(table) or owners.get(table.rpartition(".")[2]) or table
    if isinstance(reference, ast.Attribute):
        key = namespace.qualify(module, reference.value)
        if key in tables:
            return key
    return None


def _relationship_call(statement: ast.stmt) -> ast.Call | None:
    value = getattr(statement, "value", None)
    if isinstance(value, ast.Call) and call_name(value) in ("relationship", "relation"):
        return value
    return None


def _relationship_argument(call: ast.Call, statement: ast.stmt) -> ast.AST | None:
    argument = call.args[0] if call.args else _keyword(call, "argument")
    if argument is None and isinstance(statement, ast.AnnAssign):
        argument = statement.annotation  # SQLAlchemy 2: `children: Mapped[list["Child"]] = relationship()`
        while isinstance(argument, ast.Subscript):
            argument = argument.slice
    if isinstance(argument, ast.Lambda):
        argument = argument.body
    return argument


def _class_target(argument, module: str, namespace: Namespace, tables: dict, names: dict) -> str | None:
    value = literal(argument)
    if isinstance(value, str):
        if value in tables:
            return value
        candidates = names.get(value.rpartition(".")[2], [])
        same_module = [key for key in candidates if key.rpartition(".")[0] == module]
        return (same_module or candidates or [None])[0]
    key = namespace.qualify(module, argument) if argument is not None else None
    return key if key in tables else None


def _secondary(call: ast.Call, module: str, namespace: Namespace, associations: dict) -> str | None:
    expression = _keyword(call, "secondary")
    if expression is None:
        return None
    value = literal(expression)
    if isinstance(value, str):
        return value
    key = namespace.qualify(module, expression)
    return associations.get(key, key or "")


def _class_names(mapped: dict) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for key in sorted(mapped):
        names.setdefault(key.rpartition(".")[2], []).append(key)
    return names


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _path(key: str, tables: dict, namespace: Namespace) -> str:
    return tables[key].path if key in tables else namespace.path_of(key.rpartition(".")[0])
