"""Module traits -> roles: which modules are tests, migrations or developer tooling.

A module gets the first role that applies (docs/concepts.md, "Tests, migrations, tooling"):

1. **test**: a part of its dotted name is a test package (`tests`, `unittests`, `testing`,
   ...) or it is a `conftest`; or its code defines test cases (a `TestCase` subclass, a
   pytest `Test...` class, `test_` functions next to a test-framework import);
2. **migration**: its code defines a Django `Migration(migrations.Migration)` class or an
   alembic revision (`revision` and `down_revision`), whatever its folder is called;
3. **tooling**: it imports a linter (pylint, astroid, flake8, ...: a lint plugin); or it is a
   `manage` or `setup` module, or a settings module (a name part that contains `settings`,
   and code that is only imports and UPPER_CASE assignments), that no other analysed module
   imports (settings importing settings do not count); or it runs as a script
   (`if __name__ == "__main__":`) and no other analysed module imports it;
4. a package (`__init__`) with none of these gets the role all of its sub-modules share,
   so that an empty `db_migrations/__init__.py` goes with its migrations.

Tests and migrations describe no production coupling and are left out like the default
exclude patterns; tooling stays in the report as its own group, out of the services.
"""

from __future__ import annotations

from collections import defaultdict

from decomposer.model import MIGRATION, TEST, TOOLING, ImportEdge, ModuleRole, ModuleTraits, SourceModule

__all__ = ["TEST_PACKAGES", "classify_modules", "drop_modules"]

TEST_PACKAGES = frozenset({"tests", "test", "unittests", "unit_tests", "testing", "testutils", "test_utils",
                           "functional_tests", "integration_tests", "conftest"})
_TOOLS = frozenset({"manage", "setup"})
_PLURAL = {TEST: "tests", MIGRATION: "migrations", TOOLING: "tooling"}


def classify_modules(modules: tuple[SourceModule, ...], traits: tuple[ModuleTraits, ...],
                     imports: tuple[ImportEdge, ...]) -> tuple[ModuleRole, ...]:
    """The modules that are tests, migrations or tooling, with the reason, sorted by module.

    >>> source = SourceModule("app.db_migrations.0001_initial", "app/db_migrations/0001_initial.py", 9, False)
    >>> classify_modules((source,), (ModuleTraits(source.module, False, True, False, False),), ())
    (ModuleRole(module='app.db_migrations.0001_initial', role='migration', reason='defines a migration'),)
    """
    by_module = {trait.module: trait for trait in traits}
    # Settings import settings (`local_settings` from `settings`): that makes none of them code.
    settings = {module for module, trait in by_module.items() if _is_settings(module.split("."), trait)}
    imported = {edge.imported for edge in imports if edge.importer != edge.imported and edge.importer not in settings}
    roles = {}
    for source in modules:
        found = _role(source.module, by_module.get(source.module), source.module in imported)
        if found:
            roles[source.module] = found
    roles |= _package_roles([source for source in modules if source.is_package], [s.module for s in modules], roles)
    return tuple(ModuleRole(module, *roles[module]) for module in sorted(roles))


def drop_modules(modules: tuple[SourceModule, ...], imports: tuple[ImportEdge, ...],
                 dropped: frozenset[str]) -> tuple[tuple[SourceModule, ...], tuple[ImportEdge, ...]]:
    """`modules` and `imports` without the `dropped` modules and their imports either way."""
    return (tuple(source for source in modules if source.module not in dropped),
            tuple(edge for edge in imports if edge.importer not in dropped and edge.imported not in dropped))


def _role(module: str, traits: ModuleTraits | None, imported: bool) -> tuple[str, str] | None:
    parts = module.split(".")
    test_parts = [part for part in parts if part in TEST_PACKAGES]
    if test_parts:
        return TEST, f"in a test package `{test_parts[0]}`"
    if traits and traits.test:
        return TEST, "defines test cases"
    if traits and traits.migration:
        return MIGRATION, "defines a migration"
    if traits and traits.lint_plugin:
        return TOOLING, "a lint plugin"
    settings = _is_settings(parts, traits)
    if not imported and (parts[-1] in _TOOLS or settings):
        return TOOLING, "settings nobody imports" if settings else f"a `{parts[-1]}` script"
    if not imported and traits and traits.script:
        return TOOLING, "a script nobody imports"
    return None


def _is_settings(parts: list[str], traits: ModuleTraits | None) -> bool:
    """A name part that says settings, and code that is only constants (not a settings feature
    such as `wagtail.contrib.settings.models`)."""
    return any("settings" in part for part in parts) and traits is not None and traits.constants


def _package_roles(packages: list[SourceModule], modules: list[str],
                   roles: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    below: defaultdict[str, list[str]] = defaultdict(list)
    names = {source.module for source in packages}
    for module in modules:
        parts = module.split(".")
        for depth in range(1, len(parts)):
            prefix = ".".join(parts[:depth])
            if prefix in names:
                below[prefix].append(module)
    found = {}
    for package in sorted(names - set(roles)):
        shared = {roles[module][0] if module in roles else None for module in below[package]}
        if len(shared) == 1 and None not in shared:
            role = shared.pop()
            found[package] = (role, f"a package of {_PLURAL[role]}")
    return found
