"""The code reading after a commit (pipeline.cached.CodeReader): only the files that changed, and
those whose results genuinely depend on them, are parsed again; the traits, names and models
scan are those of a run without cache. Real files, real git, real parsing: the parser is only
counted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import commit_files, write_files
from decomposer.cli import main
from decomposer.model import SourceModule
from decomposer.pipeline.cached import CodeReader
from decomposer.sources import models_ast

FILES = {
    "shop/__init__.py": "",
    "shop/settings.py": 'AUTH_USER_MODEL = "accounts.Member"\n',
    "shop/accounts/__init__.py": "",
    "shop/accounts/apps.py": (
        "from django.apps import AppConfig\n"
        "\n"
        "\n"
        "class AccountsConfig(AppConfig):\n"
        '    name = "shop.accounts"\n'
    ),
    "shop/accounts/models.py": (
        "from django.contrib.auth.models import AbstractUser\n"
        "\n"
        "\n"
        "class Member(AbstractUser):\n"
        "    pass\n"
    ),
    "shop/catalog/__init__.py": "from shop.catalog.models import Product\n",
    "shop/catalog/models.py": (
        "from django.db import models\n"
        "\n"
        "\n"
        "class Product(models.Model):\n"
        "    name = models.CharField(max_length=50)\n"
    ),
    "shop/catalog/search.py": (
        "from shop.catalog import pricing\n"  # a module that does not exist yet
        "from shop.catalog.models import Product\n"
        "\n"
        "\n"
        "def find():\n"
        "    return Product.objects.all(), pricing\n"
    ),
    "shop/orders/__init__.py": "",
    "shop/orders/models.py": (
        "from django.conf import settings\n"
        "from django.db import models\n"
        "\n"
        "from shop.catalog import Product\n"  # a re-export
        "\n"
        "\n"
        "class Order(models.Model):\n"
        '    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="orders", on_delete=models.CASCADE)\n'
        "    product = models.ForeignKey(Product, on_delete=models.CASCADE)\n"
    ),
    "shop/orders/services.py": (
        "from django.db import transaction\n"
        "\n"
        "from shop.accounts.models import Member\n"
        "from shop.orders.models import Order\n"
        "\n"
        "\n"
        "def place(member_id):\n"
        "    with transaction.atomic():\n"
        "        member = Member.objects.get(pk=member_id)\n"
        "        return Order.objects.create(buyer=member)\n"
        "\n"
        "\n"
        "def big_buyers():\n"
        '    return Member.objects.filter(orders__product__name="x")\n'
        "\n"
        "\n"
        "class Report:\n"
        '    title = "monthly"\n'
    ),
    "shop/orders/views.py": (
        "from shop.orders import services\n"
        "\n"
        "\n"
        "def index(request):\n"
        "    return services.big_buyers()\n"
    ),
}
ADDED = "\n\ndef added():\n    return 1\n"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files parsed, in order: `parse_source` is where every file is parsed."""
    files: list[str] = []
    real = models_ast.parse_source

    def counted(file_path: Path):
        files.append(file_path.name if file_path.parent.name == "shop" else
                     f"{file_path.parent.name}/{file_path.name}")
        return real(file_path)

    monkeypatch.setattr(models_ast, "parse_source", counted)
    return files


def _modules(repo: Path) -> tuple[SourceModule, ...]:
    paths = sorted(path.relative_to(repo).as_posix() for path in (repo / "shop").rglob("*.py"))
    return tuple(SourceModule(path.removesuffix(".py").removesuffix("/__init__").replace("/", "."), path, 1,
                              path.endswith("__init__.py"))
                 for path in paths)


def _read(repo: Path, cache: Path | None) -> tuple:
    reader = CodeReader(repo, _modules(repo), cache)
    return reader.traits(), reader.names(), reader.models(reader.modules)


def _edit(repo: Path, path: str, old: str, new: str) -> None:
    text = (repo / path).read_text()
    assert text.count(old) == 1
    (repo / path).write_text(text.replace(old, new))


# (what the commit does, the files parsed again by the cached run)
STEPS = [
    ("a function appended to a module", lambda repo: _append(repo, "shop/orders/views.py"), ["orders/views.py"]),
    # also one of the repository's settings files, read only when no analysed module sets AUTH_USER_MODEL
    ("a function appended to the settings module", lambda repo: _append(repo, "shop/settings.py"), ["settings.py"]),
    # no analysed module sets AUTH_USER_MODEL: the repository's settings files are read (parsed)
    # instead, and Order.buyer points to Django's default user (services.py follows it)
    ("AUTH_USER_MODEL no longer set",
     lambda repo: _edit(repo, "shop/settings.py", 'AUTH_USER_MODEL = "accounts.Member"', "DEBUG = True"),
     ["settings.py", "settings.py", "accounts/apps.py", "accounts/models.py", "catalog/models.py",
      "orders/models.py", "orders/services.py"]),
    # a settings file outside the analysed code now sets it: the settings files and the models read again
    ("AUTH_USER_MODEL set outside the analysed code",
     lambda repo: write_files(repo, {"settings/production.py": 'AUTH_USER_MODEL = "accounts.Member"\n'}),
     ["settings/production.py", "settings.py", "accounts/apps.py", "accounts/models.py", "catalog/models.py",
      "orders/models.py", "orders/services.py"]),
    ("AUTH_USER_MODEL set in the analysed code again",
     lambda repo: _edit(repo, "shop/settings.py", "DEBUG = True", 'AUTH_USER_MODEL = "accounts.Member"  # again'),
     ["settings.py", "accounts/apps.py", "accounts/models.py", "catalog/models.py", "orders/models.py"]),
    # the classes' lines did not change: the cross-module scan is kept, and the other modules' queries
    ("a function appended to a models module", lambda repo: _append(repo, "shop/orders/models.py"),
     ["orders/models.py"]),
    # the name orders/models.py imports is bound to nothing now, its file unchanged: the models
    # scanned again (Order.product has no target), and the query that followed Order.product
    ("a re-export changed",
     lambda repo: _edit(repo, "shop/catalog/__init__.py", "models import Product", "models import Product as Item"),
     ["catalog/__init__.py", "accounts/apps.py", "accounts/models.py", "catalog/models.py", "orders/models.py",
      "orders/services.py"]),
    # a class body changed: every class body the models scan reads (models, the AppConfig), and
    # the module whose query follows the renamed relation
    ("a related name changed",
     lambda repo: _edit(repo, "shop/orders/models.py", 'related_name="orders"', 'related_name="purchases"'),
     ["orders/models.py", "accounts/apps.py", "accounts/models.py", "catalog/models.py", "orders/services.py"]),
    # a class no scan read becomes a model: the models scanned again
    ("a class that becomes a model", lambda repo: _edit(repo, "shop/orders/services.py", "Report:", "Report(Order):"),
     ["orders/services.py", "accounts/apps.py", "accounts/models.py", "catalog/models.py", "orders/models.py"]),
    # search.py imports it: its names (and its own queries, which ask nothing about it) are read again
    ("a module added", lambda repo: write_files(repo, {"shop/catalog/pricing.py": "RATE = 1\n"}),
     ["catalog/pricing.py", "catalog/search.py"]),
    ("a module renamed", lambda repo: (repo / "shop/orders/views.py").rename(repo / "shop/orders/pages.py"),
     ["orders/pages.py"]),
    ("a module deleted", lambda repo: (repo / "shop/catalog/search.py").unlink(), []),
    # catalog/__init__.py imports it (its names are read again) and the other models are scanned
    # again (services.py holds one now); no module's queries change
    ("a models module that no longer parses",
     lambda repo: _edit(repo, "shop/catalog/models.py", "max_length=50)", "max_length=50"),
     ["catalog/models.py", "catalog/__init__.py", "accounts/apps.py", "accounts/models.py", "orders/models.py",
      "orders/services.py"]),
    ("the models module repaired",
     lambda repo: _edit(repo, "shop/catalog/models.py", "max_length=50", "max_length=60)"),
     ["catalog/models.py", "catalog/__init__.py", "accounts/apps.py", "accounts/models.py", "orders/models.py",
      "orders/services.py"]),
    ("nothing changed", lambda repo: None, []),
]


def _append(repo: Path, path: str) -> None:
    (repo / path).write_text((repo / path).read_text() + ADDED)


def test_after_each_change_only_what_depends_on_it_is_parsed_and_the_results_are_those_without_cache(
        make_repo, tmp_path: Path, parsed: list[str]):
    repo, cache = make_repo(FILES), tmp_path / "cache"
    first = _read(repo, cache)
    assert len(parsed) == len(FILES)
    assert first == _read(repo, None)
    assert len(first[2].links) == 10
    for label, change, expected in STEPS:
        change(repo)
        parsed.clear()
        cached = _read(repo, cache)
        assert parsed == expected, (label, parsed)
        assert cached == _read(repo, None), label
        per_file = tmp_path / "per-file"  # a copy of the cache without the whole values: put together per file
        shutil.rmtree(per_file, ignore_errors=True)
        shutil.copytree(cache, per_file)
        for kind in ("traits", "names", "models"):
            shutil.rmtree(per_file / "results" / kind)
        parsed.clear()
        assert _read(repo, per_file) == cached, label
        assert parsed == [], label


def test_a_rerun_after_a_commit_parses_the_changed_file_only_and_writes_the_same_reports(
        make_repo, tmp_path: Path, parsed: list[str]):
    repo = make_repo(FILES, commit=True)
    cache, runner = tmp_path / "cache", CliRunner()

    def analyze(out: str, *cache_args: str) -> dict[str, bytes]:
        result = runner.invoke(main, ["analyze", str(repo), "--out", str(tmp_path / out), "--quiet", *cache_args])
        assert result.exit_code == 0, result.output
        return {path.name: path.read_bytes() for path in sorted((tmp_path / out).iterdir()) if path.is_file()}

    analyze("before", "--cache-dir", str(cache))
    views = repo / "shop/orders/views.py"
    commit_files(repo, {"shop/orders/views.py": views.read_text() + ADDED}, "one function more",
                 date="2025-01-02T12:00:00+00:00")
    parsed.clear()
    after = analyze("after", "--cache-dir", str(cache))
    assert parsed == ["orders/views.py"]
    assert after == analyze("slow", "--no-cache")


def test_djangos_own_code_a_new_module_is_read_whole_for_relation_fields(make_repo, tmp_path: Path):
    # Analysing Django itself, a relation field may be called by any name (an analysed subclass of
    # a `django.` field): a module added later must be read whole, not judged by its facts alone.
    repo = make_repo({"django/__init__.py": "", "app/__init__.py": "",
                      "django/fields.py": "class ForeignKey:\n    pass\n\n\nclass Link(ForeignKey):\n    pass\n"},
                     commit=True)
    cache, runner = tmp_path / "cache", CliRunner()

    def warnings(out: str, *cache_args: str) -> list[dict]:
        result = runner.invoke(main, ["analyze", str(repo), "--out", str(tmp_path / out), "--quiet",
                                      "--format", "json", *cache_args])
        assert result.exit_code == 0, result.output
        return json.loads((tmp_path / out / "analysis.json").read_text())["warnings"]

    assert warnings("before", "--cache-dir", str(cache)) == []
    commit_files(repo, {"app/util.py": 'from django.fields import Link\n\nx = Link("a.B")\n'}, "a stray field",
                 date="2025-01-02T12:00:00+00:00")
    expected = [{"path": "app/util.py",
                 "message": "line 3: a Link outside a model's class body (assigned dynamically?) is left out"}]
    assert warnings("after", "--cache-dir", str(cache)) == warnings("slow", "--no-cache") == expected
