"""Tests, migrations and tooling found by their code: real files, real grimp, the real pipeline."""

from __future__ import annotations

from decomposer.config import Settings, load_settings
from decomposer.model import ImportEdge, ModuleRole, ModuleTraits, SourceModule
from decomposer.pipeline import analyze
from decomposer.sources.traits import read_traits
from decomposer.stages.roles import classify_modules

MIGRATION = (
    "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n"
    "    dependencies = []\n"
    "    operations = [migrations.CreateModel(name='Order', fields=[])]\n"
)
LINT_CHECKER = (
    "from pylint.checkers import BaseChecker\n\n\n"
    "class RawSqlChecker(BaseChecker):\n"
    "    name = 'raw-sql'\n"
)
FILES = {
    "shop/__init__.py": "",
    "shop/orders.py": "from shop import payments\n\n\ndef order():\n    return payments.pay()\n",
    "shop/payments.py": "def pay():\n    return 1\n",
    # migrations in a folder whose name no pattern knows
    "shop/db_changes/__init__.py": "",
    "shop/db_changes/0001_initial.py": MIGRATION,
    "shop/db_changes/0002_more.py": MIGRATION,
    # a test package with an odd name, and a test module outside any test package
    "shop/unittests/__init__.py": "",
    "shop/unittests/base.py": "from django.test import TestCase\n\n\nclass ShopCase(TestCase):\n    pass\n",
    "shop/checks.py": "import pytest\nfrom shop import orders\n\n\ndef test_order():\n    assert orders.order()\n",
    # a pylint plugin package, a script and settings nobody imports
    "shop/lint/__init__.py": "from shop.lint import raw_sql\n\n\ndef register(linter):\n    raw_sql.register(linter)\n",
    "shop/lint/raw_sql.py": LINT_CHECKER,
    "shop/reindex.py": "from shop import orders\n\nif __name__ == '__main__':\n    orders.order()\n",
    "shop/settings.py": "DEBUG = False\n",
}


def test_traits_are_read_from_the_code(make_repo):
    repo = make_repo(FILES)
    modules = tuple(SourceModule(module, path, 1, path.endswith("__init__.py")) for module, path in (
        ("shop.db_changes.0001_initial", "shop/db_changes/0001_initial.py"),
        ("shop.checks", "shop/checks.py"), ("shop.lint.raw_sql", "shop/lint/raw_sql.py"),
        ("shop.reindex", "shop/reindex.py"), ("shop.unittests.base", "shop/unittests/base.py")))
    assert read_traits(repo, modules) == (
        ModuleTraits("shop.db_changes.0001_initial", test=False, migration=True, lint_plugin=False, script=False),
        ModuleTraits("shop.checks", test=True, migration=False, lint_plugin=False, script=False),
        ModuleTraits("shop.lint.raw_sql", test=False, migration=False, lint_plugin=True, script=False),
        ModuleTraits("shop.reindex", test=False, migration=False, lint_plugin=False, script=True),
        ModuleTraits("shop.unittests.base", test=True, migration=False, lint_plugin=False, script=False),
    )


def test_a_script_that_others_import_is_production_code():
    source = SourceModule("app.jobs", "app/jobs.py", 5, False)
    traits = (ModuleTraits("app.jobs", test=False, migration=False, lint_plugin=False, script=True),)
    assert classify_modules((source,), traits, ()) == (ModuleRole("app.jobs", "tooling", "a script nobody imports"),)
    assert classify_modules((source,), traits, (ImportEdge("app.views", "app.jobs", (1,)),)) == ()


def test_tests_and_migrations_are_left_out_and_tooling_is_kept_apart(make_repo):
    analysis = analyze(Settings(repo_path=make_repo(FILES)))
    assert [(role.module, role.role, role.reason) for role in analysis.roles] == [
        ("shop.checks", "test", "defines test cases"),
        ("shop.db_changes", "migration", "a package of migrations"),
        ("shop.db_changes.0001_initial", "migration", "defines a migration"),
        ("shop.db_changes.0002_more", "migration", "defines a migration"),
        ("shop.lint", "tooling", "a package of tooling"),
        ("shop.lint.raw_sql", "tooling", "a lint plugin"),
        ("shop.reindex", "tooling", "a script nobody imports"),
        ("shop.settings", "tooling", "settings nobody imports"),
        ("shop.unittests", "test", "in a test package `unittests`"),
        ("shop.unittests.base", "test", "in a test package `unittests`"),
    ]
    assert analysis.excluded == ("shop.checks", "shop.db_changes", "shop.db_changes.0001_initial",
                                 "shop.db_changes.0002_more", "shop.unittests", "shop.unittests.base")
    groups = {service.name: (service.kind, service.modules) for service in analysis.proposal.services}
    assert groups["tooling"] == ("tooling", ("shop.lint", "shop.lint.raw_sql", "shop.reindex", "shop.settings"))
    assert all("shop.lint" not in modules for kind, modules in groups.values() if kind == "service")


def test_flags_keep_them(make_repo):
    repo = make_repo(FILES)
    kept = analyze(load_settings(repo, {"keep_tooling": True, "default_excludes": False}))
    assert kept.roles == () and kept.excluded == ()
    assert "tooling" not in {service.kind for service in kept.proposal.services}


def test_settings_imported_only_by_settings_are_tooling():
    modules = (SourceModule("tcms.settings.common", "tcms/settings/common.py", 9, False),
               SourceModule("tcms_settings_dir", "tcms_settings_dir/__init__.py", 1, True))
    traits = tuple(ModuleTraits(source.module, False, False, False, False, constants=True) for source in modules)
    imports = (ImportEdge("tcms.settings.common", "tcms_settings_dir", (3,)),)
    assert [(role.module, role.reason) for role in classify_modules(modules, traits, imports)] == [
        ("tcms.settings.common", "settings nobody imports"), ("tcms_settings_dir", "settings nobody imports")]


def test_a_settings_feature_is_not_settings(make_repo):
    repo = make_repo({"site/settings/models.py": "class SiteSetting:\n    pass\n",
                      "site/settings.py": '"""Settings."""\nDEBUG = False\ntry:\n    from .local import *\nexcept ImportError:\n    pass\n'})
    modules = (SourceModule("site.settings.models", "site/settings/models.py", 2, False),
               SourceModule("site.settings", "site/settings.py", 5, False))
    assert [role.module for role in classify_modules(modules, read_traits(repo, modules), ())] == ["site.settings"]
