"""Parsed modules -> which analysed names each top-level definition uses.

A large module that serves many domains (a `serializers.py` with one serializer per model, a
views package whose `__init__` holds every view) glues those domains together in an import
graph of whole modules. `stages/splits.py` looks at it name by name instead: who imports
which of its names, and what each of those names uses. This module reads that from the code
with `ast`:

- each top-level class and function (and each top-level `from m import name`, a
  re-export) with its length in lines and the analysed names its body refers to: names
  bound by an import (at the top or inside the body), and `module.name` attributes of an
  imported module;
- for the whole module, the same references: what it takes from each module it imports.

A name is `(module, name)`; `(module, "*")` is a whole module (`import m` used as a value).
Only names of analysed modules are kept, so a module's names depend on its own tree and on
which names are analysed modules: `module_names` says which it asked about, and a cached
result holds while each is answered the same (a module added elsewhere changes nothing here
unless this module imports it).
"""

from __future__ import annotations

import ast
from collections.abc import Container

from decomposer.model import Definition, ModuleNames
from decomposer.sources.models_ast import ParsedModule

__all__ = ["module_names", "read_names"]

Name = tuple[str, str]


def read_names(parsed: tuple[ParsedModule, ...]) -> tuple[ModuleNames, ...]:
    """Every parsed module's definitions and the analysed names it uses, by module."""
    known = frozenset(record.module for record in parsed)
    return tuple(_module_names(record, known) for record in sorted(parsed, key=lambda record: record.module))


def module_names(record: ParsedModule, known: frozenset[str]) -> tuple[ModuleNames, dict[str, bool]]:
    """`read_names` of one module, given every analysed module's name (`known`), and each name
    it asked `known` about with the answer."""
    asked = _Asked(known)
    return _module_names(record, asked), asked.answers


class _Asked:
    """`known`, noting each name looked up in it and the answer."""

    def __init__(self, known: frozenset[str]) -> None:
        self.known, self.answers = known, {}

    def __contains__(self, name: str) -> bool:
        found = self.answers[name] = name in self.known
        return found


def _module_names(record: ParsedModule, known: Container[str]) -> ModuleNames:
    bound = _bindings(record.tree.body, record, known)
    definitions = []
    for node in record.tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            local = bound | _bindings(ast.walk(node), record, known)
            first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
            definitions.append(Definition(node.name, first, (node.end_lineno or node.lineno) - first + 1,
                                          _uses(ast.walk(node), local)))
        elif isinstance(node, ast.ImportFrom):
            definitions += [Definition(alias.asname or alias.name, node.lineno, 0, (target,))
                            for alias in node.names if alias.name != "*"
                            for target in [_from_target(node, alias.name, record, known)] if target]
    everything = bound | _bindings(record.nodes, record, known)
    return ModuleNames(record.module, tuple(sorted(definitions, key=lambda d: d.name)),
                       _uses(record.nodes, everything))


def _bindings(nodes, record: ParsedModule, known: Container[str]) -> dict[str, Name]:  # noqa: ANN001
    """Local name -> the analysed (module, name) an import statement among `nodes` binds it to."""
    bound: dict[str, Name] = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                target = _from_target(node, alias.name, record, known) if alias.name != "*" else None
                if target:
                    bound[alias.asname or alias.name] = target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in known:
                    bound[alias.asname] = (alias.name, "*")
    return bound


def _from_target(node: ast.ImportFrom, name: str, record: ParsedModule, known: Container[str]) -> Name | None:
    base = node.module or ""
    if node.level:
        package = record.module if record.is_package else record.module.rpartition(".")[0]
        parts = package.split(".")
        parts = parts[:len(parts) - (node.level - 1)] if node.level > 1 else parts
        base = ".".join(parts + ([node.module] if node.module else []))
    if f"{base}.{name}" in known:  # `from package import module`
        return (f"{base}.{name}", "*")
    return (base, name) if base in known else None


def _uses(nodes, bound: dict[str, Name]) -> tuple[Name, ...]:  # noqa: ANN001
    """The analysed names referred to among `nodes`: bound names, and `module.name` attributes."""
    nodes = tuple(nodes)
    found: set[Name] = set()
    qualified: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            target = bound.get(node.value.id)
            if target and target[1] == "*":
                found.add((target[0], node.attr))
                qualified.add(id(node.value))
    for node in nodes:
        if isinstance(node, ast.Name) and id(node) not in qualified and node.id in bound:
            found.add(bound[node.id])
    return tuple(sorted(found))
