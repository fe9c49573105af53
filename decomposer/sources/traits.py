"""Python files -> what each module's own code says it is: tests, migrations, tooling, shims.

Folder names miss a lot (`db_migrations`, a top-level `unittests` package, a pylint plugin
package), so each analysed file is parsed with `ast` and a few facts about its top level are
recorded; `decomposer/stages/roles.py` turns them into roles. A file that cannot be read or
parsed has no traits (grimp's scan already warns about it).
"""

from __future__ import annotations

import ast
from pathlib import Path

from decomposer.model import ModuleTraits, SourceModule
from decomposer.sources.models_ast import ParsedModule

__all__ = ["module_traits", "read_traits", "traits_of"]

_TEST_IMPORTS = frozenset({"pytest", "unittest", "nose", "hypothesis"})
_LINT_IMPORTS = frozenset({"pylint", "astroid", "flake8", "pycodestyle", "pyflakes"})


def read_traits(repo_dir: Path, modules: tuple[SourceModule, ...]) -> tuple[ModuleTraits, ...]:
    """The traits of every module whose file parses, in the order of `modules`.

    Args:
        repo_dir: the repository; `SourceModule.path` is relative to it.
        modules: the scanned modules.
    """
    traits = []
    for source in modules:
        try:
            tree = ast.parse((repo_dir / source.path).read_bytes(), filename=source.path)
        except (OSError, SyntaxError, ValueError):
            continue
        traits.append(_traits(source.module, tree))
    return tuple(traits)


def traits_of(parsed: tuple[ParsedModule, ...]) -> tuple[ModuleTraits, ...]:
    """The traits of modules already parsed (`models_ast.parse_modules`), in their order."""
    return tuple(module_traits(module) for module in parsed)


def module_traits(parsed: ParsedModule) -> ModuleTraits:
    """The traits of one parsed module: its name and its own syntax tree are all they depend on."""
    return _traits(parsed.module, parsed.tree)


def _traits(module: str, tree: ast.Module) -> ModuleTraits:
    imported = _top_level_imports(tree)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    functions = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    assigned = {target.id for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    return ModuleTraits(
        module=module,
        test=any(_is_test_class(node) for node in classes) or (
            any(name.startswith("test_") for name in functions) and bool(imported & _TEST_IMPORTS)),
        migration=any(node.name == "Migration" and any(_base_name(base) == "Migration" for base in node.bases)
                      for node in classes) or {"revision", "down_revision"} <= assigned,
        lint_plugin=bool(imported & _LINT_IMPORTS),
        script=any(_is_main_guard(node) for node in tree.body),
        reexport=_is_reexport(tree),
        constants=bool(tree.body) and all(_is_constant_statement(node) for node in tree.body),
    )


def _is_constant_statement(node: ast.stmt) -> bool:
    """What a settings file is made of: imports, a docstring, UPPER_CASE (or dunder) names
    assigned, and `if`/`try` blocks of the same (`try: from .local import *`)."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return all(isinstance(target, ast.Name) and (target.id.isupper() or target.id.startswith("__"))
                   for target in targets)
    if isinstance(node, (ast.If, ast.Try)):
        blocks = [node.body, node.orelse] + ([handler.body for handler in node.handlers] + [node.finalbody]
                                             if isinstance(node, ast.Try) else [])
        return all(_is_constant_statement(child) for block in blocks for child in block)
    return False


def _is_reexport(tree: ast.Module) -> bool:
    """Only imports, `__all__`, a docstring and `del`/`pass`: a shim that re-exports names."""
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    imports = [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
    rest = [node for node in body if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Delete, ast.Pass))]
    return bool(imports) and all(
        isinstance(node, (ast.Assign, ast.AugAssign)) and _targets_all(node) for node in rest)


def _targets_all(node: ast.Assign | ast.AugAssign) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return all(isinstance(target, ast.Name) and target.id == "__all__" for target in targets)


def _top_level_imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _is_test_class(node: ast.ClassDef) -> bool:
    """A TestCase subclass, or a pytest-style `Test...` class with `test_` methods."""
    if any(_base_name(base).endswith("TestCase") for base in node.bases):
        return True
    methods = [item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return node.name.startswith("Test") and any(name.startswith("test_") for name in methods)


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""


def _is_main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` at the top level."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    return (any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
            and any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides))
