"""Reading the analysed modules into syntax trees, and resolving names across them.

The models scan never imports the analysed code: a name such as `models.Model` or `Project`
is followed through the module's import statements, package `__init__` re-exports and
`from x import *` to the class that defines it ("pkg.module.Class"), or to the dotted
name of what it imports from outside ("django.db.models.Model").
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

from decomposer.model import AnalysisWarning, SourceModule
from decomposer.model import DataLink, Table

__all__ = [
    "Namespace",
    "OrmModels",
    "ParsedModule",
    "call_name",
    "class_methods",
    "literal",
    "parse_file",
    "parse_modules",
    "top_level",
]

_MAX_HOPS = 25  # import chains longer than this are cycles or stranger


@dataclass(frozen=True, slots=True)
class ParsedModule:
    """One analysed module with its syntax tree."""

    module: str
    path: str  # repository-relative
    is_package: bool
    tree: ast.Module
    # every node of the tree, walked once here: the scans look through each module several
    # times, and ast.walk was most of their time (wagtail: 3.2 of 5.6 s under the profiler)
    nodes: tuple[ast.AST, ...] = ()


@dataclass(frozen=True, slots=True)
class OrmModels:
    """What one ORM's scan found, with what the usage scan needs to find queries."""

    tables: tuple[Table, ...]
    links: tuple[DataLink, ...]
    warnings: tuple[AnalysisWarning, ...]
    classes: dict[str, str]  # class key "module.Class" -> model identity
    lookups: dict[str, dict[str, str]]  # model -> {name a query lookup may follow -> model}
    # model -> class attributes whose use is a query: managers (`objects`, `query`) and the
    # classmethods and staticmethods of the model and its bases (`Query.get_by_id(...)`)
    managers: dict[str, frozenset[str]]


def parse_modules(
    repo_dir: Path, modules: tuple[SourceModule, ...]
) -> tuple[tuple[ParsedModule, ...], tuple[AnalysisWarning, ...]]:
    """Parse every module's file; a file that cannot be read or parsed is a warning.

    Args:
        repo_dir: the repository; `SourceModule.path` is relative to it.
        modules: the analysed modules.

    Returns:
        The parsed modules sorted by name, and one warning per file left out.
    """
    parsed, warnings = [], []
    for source in sorted(modules, key=lambda record: record.module):
        tree, problem = parse_file(repo_dir / source.path)
        if tree is None:
            warnings.append(AnalysisWarning(source.path, f"{problem}; its models and queries are left out"))
        else:
            parsed.append(ParsedModule(source.module, source.path, source.is_package, tree, tuple(ast.walk(tree))))
    return tuple(parsed), tuple(warnings)


def parse_file(file_path: Path) -> tuple[ast.Module | None, str]:
    """The file's syntax tree, or None and why it cannot be had ("does not parse (line 3: ...)")."""
    try:
        data = file_path.read_bytes()
    except OSError as error:
        return None, f"cannot be read ({error.strerror})"
    if b"\0" in data:
        return None, "is a binary file, not Python source"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None, "is not text in its declared encoding"
    try:
        return ast.parse(text, filename=str(file_path)), ""
    except SyntaxError as error:
        return None, f"does not parse (line {error.lineno or '?'}: {error.msg})"
    except (ValueError, RecursionError, MemoryError):
        return None, "does not parse"


def top_level(tree: ast.Module) -> list[ast.stmt]:
    """The module's statements, with the bodies of top-level `if` and `try` opened."""
    found: list[ast.stmt] = []
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        found.append(node)
        if isinstance(node, ast.If):
            pending[:0] = node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending[:0] = node.body + [s for h in node.handlers for s in h.body] + node.orelse
    return found


def call_name(node: ast.AST) -> str:
    """The last name of what a call (or a bare name or attribute) refers to: `models.ForeignKey` -> "ForeignKey"."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def class_methods(node: ast.ClassDef) -> set[str]:
    """Names of the class's `@classmethod`s and `@staticmethod`s (a model's own query helpers)."""
    return {
        item.name
        for item in node.body
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(call_name(decorator) in ("classmethod", "staticmethod") for decorator in item.decorator_list)
    }


def literal(node: ast.AST | None) -> object:
    """The value of a literal expression, or None when it is not one."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


class Namespace:
    """Resolves names used in analysed modules to dotted names, following imports."""

    def __init__(self, parsed: tuple[ParsedModule, ...]) -> None:
        self._modules = {module.module: module for module in parsed}
        self._classes: dict[str, ast.ClassDef] = {}
        self._bindings: dict[str, dict[str, str]] = {}
        self._stars: dict[str, list[str]] = {}
        for module in parsed:
            self._read_module(module)

    @property
    def classes(self) -> dict[str, ast.ClassDef]:
        """Every top-level class of the analysed modules by key "module.Class"."""
        return self._classes

    def path_of(self, module: str) -> str:
        """The repository-relative file of an analysed module."""
        return self._modules[module].path

    def is_analysed(self, name: str) -> bool:
        """Whether `name` is an analysed module or something inside one."""
        return self._longest_module(name) is not None

    def qualify(self, module: str, node: ast.AST) -> str | None:
        """The dotted name a `Name` or `Attribute` in `module` stands for, resolved; None if unknown."""
        attributes: list[str] = []
        while isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        bound = self._bindings.get(module, {}).get(node.id) or self._from_star(module, node.id)
        if bound is None:
            return None
        name = self.resolve(bound)
        for attribute in reversed(attributes):  # each step may land in another module
            name = self.resolve(f"{name}.{attribute}")
        return name

    def resolve(self, name: str) -> str:
        """Follow re-exports until `name` is an analysed class, an analysed module or an outside name."""
        for _ in range(_MAX_HOPS):
            module = self._longest_module(name)
            if module is None or module == name:
                return name
            head, _, rest = name[len(module) + 1:].partition(".")
            if f"{module}.{head}" in self._classes:
                return name
            bound = self._bindings[module].get(head) or self._from_star(module, head)
            if bound is None or bound == f"{module}.{head}":
                return name
            name = f"{bound}.{rest}" if rest else bound
        return name

    def _read_module(self, parsed: ParsedModule) -> None:
        bindings: dict[str, str] = {}
        stars: list[str] = []
        for node in top_level(parsed.tree):
            if isinstance(node, ast.ClassDef):
                self._classes[f"{parsed.module}.{node.name}"] = node
                bindings[node.name] = f"{parsed.module}.{node.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                bindings[node.name] = f"{parsed.module}.{node.name}"
        # Imports anywhere count (Django code imports models inside functions to dodge
        # cycles); a top-level binding wins, then the first import by position.
        for node in [*top_level(parsed.tree), *(parsed.nodes or ast.walk(parsed.tree))]:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name, target in _imported(node, parsed):
                    if name == "*" and target not in stars:
                        stars.append(target)
                    elif name != "*":
                        bindings.setdefault(name, target)
        self._bindings[parsed.module] = bindings
        self._stars[parsed.module] = stars
        self._read_aliases(parsed, bindings)

    def _read_aliases(self, parsed: ParsedModule, bindings: dict[str, str]) -> None:
        # `Base = declarative_base()` is handled by the SQLAlchemy scan; here only `A = b.C`.
        for node in top_level(parsed.tree):
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                name = node.targets[0].id
                if isinstance(node.value, (ast.Name, ast.Attribute)):
                    target = _dotted(node.value, bindings)
                    if target and name not in bindings:
                        bindings[name] = target
                elif name not in bindings:
                    bindings[name] = f"{parsed.module}.{name}"

    def _from_star(self, module: str, name: str) -> str | None:
        for source in self._stars.get(module, ()):
            if source in self._modules and self._defines(source, name, depth=0):
                return f"{source}.{name}"
        return None

    def _defines(self, module: str, name: str, depth: int) -> bool:
        if name in self._bindings.get(module, {}):
            return True
        return depth < _MAX_HOPS and any(
            self._defines(source, name, depth + 1)
            for source in self._stars.get(module, ()) if source in self._modules
        )

    def _longest_module(self, name: str) -> str | None:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in self._modules:
                return candidate
        return None


def _imported(node: ast.Import | ast.ImportFrom, parsed: ParsedModule) -> list[tuple[str, str]]:
    if isinstance(node, ast.Import):
        return [(alias.asname or alias.name.split(".")[0], alias.name if alias.asname else alias.name.split(".")[0])
                for alias in node.names]
    base = node.module or ""
    if node.level:
        package = parsed.module if parsed.is_package else parsed.module.rpartition(".")[0]
        parts = package.split(".")
        parts = parts[: max(len(parts) - (node.level - 1), 0)]
        base = ".".join(parts + ([node.module] if node.module else []))
    return [(alias.asname or alias.name, f"{base}.{alias.name}" if alias.name != "*" else base)
            for alias in node.names]


def _dotted(node: ast.AST, bindings: dict[str, str]) -> str | None:
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in bindings:
        return None
    return ".".join([bindings[node.id], *reversed(attributes)])
