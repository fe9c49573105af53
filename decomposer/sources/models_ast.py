"""Reading the analysed modules into syntax trees, and resolving names across them.

The models scan never imports the analysed code: a name such as `models.Model` or `Project`
is followed through the module's import statements, package `__init__` re-exports and
`from x import *` to the class that defines it ("pkg.module.Class"), or to the dotted
name of what it imports from outside ("django.db.models.Model").

What the names need of a module is small and picklable (`ModuleSymbols`: its bindings, its
star imports, its classes with their bases), so the results cache keeps it per file and a
`Namespace` is built from it without parsing the file again; a class's own syntax tree is
parsed only when a scan reads the class's body (`Namespace.classes[key]`). The namespace notes
what it was asked (`Namespace.recording`), so a cached result that depends on other modules'
names can be checked by asking again (`pipeline.cached`).
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import re
import tokenize
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from decomposer.model import AnalysisWarning, SourceModule
from decomposer.model import DataLink, Table

__all__ = [
    "Base",
    "ClassSymbols",
    "ModuleSymbols",
    "Namespace",
    "OrmModels",
    "ParsedModule",
    "call_name",
    "chain_of",
    "class_methods",
    "literal",
    "parse_file",
    "parse_module",
    "parse_modules",
    "parse_source",
    "read_symbols",
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
    source: str = ""  # the decoded text, which each class's digest is taken from (`read_symbols`)


# Base, ClassSymbols and ModuleSymbols (and models_facts' records) have no slots: the results cache
# keeps thousands of them, and a slots dataclass unpickles through a Python-level __setstate__
# (wagtail's code reading after a commit: 0.16 s -> 0.145 s).
@dataclass(frozen=True)
class Base:
    """One base expression of a class, as the scans read it without the class's syntax tree."""

    chain: tuple[str, ...] | None  # `a.b.C` as ("a", "b", "C"): what `Namespace.qualify` follows; None otherwise
    name: str  # `call_name(base)`
    func_name: str  # `call_name` of a call to it: `name`, or "" when the base is itself a call


@dataclass(frozen=True)
class ClassSymbols:
    """A top-level class of a module (the last one of its name) and its bases."""

    name: str
    bases: tuple[Base, ...]
    # SHA-256 of its first line number and its lines, decorators included: the same digest is
    # the same syntax tree, positions included (a scan that read the body depends on nothing else)
    digest: str


@dataclass(frozen=True)
class ModuleSymbols:
    """What the names of one module are bound to, read from its syntax tree (`read_symbols`)."""

    module: str
    path: str
    is_package: bool
    classes: tuple[ClassSymbols, ...]  # in the order of their first definition
    bindings: dict[str, str]  # local name -> dotted name: classes, functions, imports, aliases
    stars: tuple[str, ...]  # modules imported with `from m import *`, in order


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
        found = parse_module(repo_dir, source)
        (parsed if isinstance(found, ParsedModule) else warnings).append(found)
    return tuple(parsed), tuple(warnings)


def parse_module(repo_dir: Path, source: SourceModule) -> ParsedModule | AnalysisWarning:
    """One module's file parsed (`parse_modules` of one module), or the warning that leaves it out."""
    tree, problem, text = parse_source(repo_dir / source.path)
    if tree is None:
        return AnalysisWarning(source.path, f"{problem}; its models and queries are left out")
    return ParsedModule(source.module, source.path, source.is_package, tree, tuple(ast.walk(tree)), text)


def parse_file(file_path: Path) -> tuple[ast.Module | None, str]:
    """The file's syntax tree, or None and why it cannot be had ("does not parse (line 3: ...)")."""
    tree, problem, _ = parse_source(file_path)
    return tree, problem


def parse_source(file_path: Path) -> tuple[ast.Module | None, str, str]:
    """`parse_file`, and the decoded text ("" when there is no tree): every file the scans parse is parsed here."""
    try:
        data = file_path.read_bytes()
    except OSError as error:
        return None, f"cannot be read ({error.strerror})", ""
    if b"\0" in data:
        return None, "is a binary file, not Python source", ""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None, "is not text in its declared encoding", ""
    try:
        return ast.parse(text, filename=str(file_path)), "", text
    except SyntaxError as error:
        return None, f"does not parse (line {error.lineno or '?'}: {error.msg})", ""
    except (ValueError, RecursionError, MemoryError):
        return None, "does not parse", ""


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


def chain_of(node: ast.AST) -> tuple[str, ...] | None:
    """`a.b.C` as ("a", "b", "C"): a name and its attributes; None for any other expression."""
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return (node.id, *reversed(attributes))


def read_symbols(parsed: ParsedModule) -> ModuleSymbols:
    """The module's bindings, star imports and top-level classes, as `Namespace` reads them."""
    bindings: dict[str, str] = {}
    stars: list[str] = []
    classes: dict[str, ast.ClassDef] = {}
    for node in top_level(parsed.tree):
        if isinstance(node, ast.ClassDef):
            classes[node.name] = node
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
    _read_aliases(parsed, bindings)
    lines = _line_starts(parsed.source)
    return ModuleSymbols(
        parsed.module, parsed.path, parsed.is_package,
        tuple(ClassSymbols(name, tuple(_base(base) for base in node.bases), _class_digest(node, parsed.source, lines))
              for name, node in classes.items()),
        bindings, tuple(stars))


class Namespace:
    """Resolves names used in analysed modules to dotted names, following imports.

    Built from parsed modules, or from their `ModuleSymbols` and a function that parses a
    module when a scan reads the body of one of its classes (`classes[key]`) or its whole tree
    (`tree`). Inside `recording(log)`, every `qualify` is noted in `log` with its answer, and
    every class body and tree read is noted in `log.bodies` and `log.trees`.
    """

    def __init__(self, parsed: tuple[ParsedModule, ...] = (), *, symbols: tuple[ModuleSymbols, ...] | None = None,
                 load: Callable[[str], ParsedModule] | None = None) -> None:
        if symbols is None:
            symbols = tuple(read_symbols(module) for module in parsed)
            load = {module.module: module for module in parsed}.__getitem__
        self.symbols = symbols
        self._load = load
        self._modules = {module.module: module for module in symbols}
        self._classes: dict[str, ClassSymbols] = {}
        self._bindings: dict[str, dict[str, str]] = {}
        self._stars: dict[str, tuple[str, ...]] = {}
        for module in symbols:
            for record in module.classes:
                self._classes[f"{module.module}.{record.name}"] = record
            self._bindings[module.module] = module.bindings
            self._stars[module.module] = module.stars
        self._nodes: dict[str, ast.ClassDef] = {}
        self._log: Log | None = None

    @property
    def classes(self) -> Mapping[str, ast.ClassDef]:
        """Every top-level class of the analysed modules by key "module.Class"; a class's node
        is parsed when it is read (iterating or testing keys parses nothing)."""
        return _Classes(self._classes, self._class_node)

    def bases(self, key: str) -> tuple[Base, ...]:
        """The bases of a class, read without its syntax tree."""
        return self._classes[key].bases

    def digest(self, key: str) -> str:
        """The digest of a class's lines (`ClassSymbols.digest`)."""
        return self._classes[key].digest

    def tree(self, module: str) -> ParsedModule:
        """An analysed module's whole syntax tree."""
        if self._log is not None:
            self._log.trees.add(module)
        return self._load(module)

    def path_of(self, module: str) -> str:
        """The repository-relative file of an analysed module."""
        return self._modules[module].path

    def is_analysed(self, name: str) -> bool:
        """Whether `name` is an analysed module or something inside one."""
        return self._asked(("analysed", name))

    def is_module(self, name: str) -> bool:
        """Whether `name` is an analysed module."""
        return self._asked(("module", name))

    @contextlib.contextmanager
    def recording(self, log: Log) -> Iterator[Log]:
        """Note in `log` what is asked of the namespace until the block ends."""
        self._log = log
        try:
            yield log
        finally:
            self._log = None

    def qualify(self, module: str, node: ast.AST) -> str | None:
        """The dotted name a `Name` or `Attribute` in `module` stands for, resolved; None if unknown."""
        return self.qualify_chain(module, chain_of(node))

    def qualify_chain(self, module: str, chain: tuple[str, ...] | None) -> str | None:
        """`qualify` of the expression `chain_of` gave."""
        return None if chain is None else self._asked(("q", module, chain))

    def answer(self, question: tuple) -> str | bool | None:
        """The answer now to a question `recording` noted: ("q", module, chain) for `qualify_chain`,
        ("analysed", name) for `is_analysed`, ("module", name) for `is_module`."""
        if question[0] == "q":
            return self._qualify(question[1], question[2])
        if question[0] == "analysed":
            return self._longest_module(question[1]) is not None
        return question[1] in self._modules

    def _asked(self, question: tuple) -> str | bool | None:
        found = self.answer(question)
        if self._log is not None:
            self._log[question] = found
        return found

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

    def _qualify(self, module: str, chain: tuple[str, ...]) -> str | None:
        bound = self._bindings.get(module, {}).get(chain[0]) or self._from_star(module, chain[0])
        if bound is None:
            return None
        name = self.resolve(bound)
        for attribute in chain[1:]:  # each step may land in another module
            name = self.resolve(f"{name}.{attribute}")
        return name

    def _class_node(self, key: str) -> ast.ClassDef:
        if key not in self._classes:
            raise KeyError(key)
        if self._log is not None:
            self._log.bodies.add(key)
        node = self._nodes.get(key)
        if node is None:
            module = key.rpartition(".")[0]
            for statement in top_level(self._load(module).tree):
                if isinstance(statement, ast.ClassDef):  # the last class of a name is the one bound
                    self._nodes[f"{module}.{statement.name}"] = statement
            node = self._nodes[key]
        return node

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


class Log(dict):
    """What a scan asked of a `Namespace` (`Namespace.recording`): each question with its
    answer, the classes whose bodies it read and the modules whose whole trees it read."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: set[str] = set()
        self.trees: set[str] = set()
        self.settings_files = False  # the repository's settings files were read (`models.settings_files`)


class _Classes(Mapping):
    """`Namespace.classes`: keys from the symbols, each node parsed when it is read."""

    def __init__(self, keys: dict[str, ClassSymbols], read: Callable[[str], ast.ClassDef]) -> None:
        self._keys, self._read = keys, read

    def __getitem__(self, key: str) -> ast.ClassDef:
        return self._read(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _read_aliases(parsed: ParsedModule, bindings: dict[str, str]) -> None:
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


def _base(node: ast.expr) -> Base:
    return Base(chain_of(node), call_name(node), call_name(ast.Call(func=node, args=[], keywords=[])))


# Python ends a line at \r\n, \r or \n only (a form feed or U+2028 inside a line does not),
# so these are the lines the syntax tree's line numbers count.
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _NEWLINE.finditer(text)), len(text)]


def _class_digest(node: ast.ClassDef, text: str, starts: list[int]) -> str:
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    last = min(node.end_lineno or node.lineno, len(starts) - 1)
    segment = text[starts[first - 1]:starts[last]]
    return hashlib.sha256(f"{first}\n{segment}".encode("utf-8", "surrogatepass")).hexdigest()


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
