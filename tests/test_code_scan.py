"""The grimp edge: real files on disk, real grimp, no fakes."""

from __future__ import annotations

import sys
from pathlib import Path

from decomposer.model import AnalysisWarning, ImportEdge, SourceModule
from decomposer.sources.code import scan_code

FILES = {
    "app/__init__.py": "",
    "app/models.py": '"""Models."""\n\n# a comment\nimport os\n\nX = 1\n',
    "app/views.py": (
        "from typing import TYPE_CHECKING\n"
        "from app import models\n"
        "import app.models\n"
        "if TYPE_CHECKING:\n"
        "    from app.services import Service\n"
        "def view():\n"
        "    from app.services import run\n"
        "    return run()\n"
    ),
    "app/services.py": "from . import models\n\ndef run():\n    return models.X\n",
}


def test_every_statement_is_counted_with_its_line(make_repo):
    repo = make_repo(FILES)
    scan = scan_code(repo, repo, ("app",))
    assert scan.imports == (
        ImportEdge("app.services", "app.models", (1,)),
        ImportEdge("app.views", "app.models", (2, 3)),
        ImportEdge("app.views", "app.services", (5, 7), ("Service", "run")),
    )
    assert scan.modules == (
        SourceModule("app", "app/__init__.py", 0, True),
        SourceModule("app.models", "app/models.py", 3, False),
        SourceModule("app.services", "app/services.py", 3, False),
        SourceModule("app.views", "app/views.py", 8, False),
    )
    assert scan.warnings == ()


def test_type_checking_imports_can_be_left_out(make_repo):
    repo = make_repo(FILES)
    scan = scan_code(repo, repo, ("app",), exclude_type_checking=True)
    assert ImportEdge("app.views", "app.services", (7,), ("run",)) in scan.imports


def test_unparsable_and_binary_files_are_warnings(make_repo):
    repo = make_repo({
        **FILES,
        "app/broken.py": "def broken(:\n    pass\n",
        "app/blob.py": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        "app/latin.py": b"s = '\xe9t\xe9'\nimport app.models\n",
        "app/uses_broken.py": "from app import broken, models\n",
    })
    scan = scan_code(repo, repo, ("app",))
    assert scan.warnings == (
        AnalysisWarning("app/blob.py", "is a binary file, not Python source; its imports are left out"),
        AnalysisWarning("app/broken.py", "does not parse (line 1: invalid syntax); its imports are left out"),
        AnalysisWarning("app/latin.py", "is not text in its declared encoding; its imports are left out"),
    )
    # The broken files stay modules (others import them); only their own imports are lost.
    assert ImportEdge("app.uses_broken", "app.broken", (1,)) in scan.imports
    assert ImportEdge("app.uses_broken", "app.models", (1,)) in scan.imports
    assert [edge for edge in scan.imports if edge.importer in ("app.broken", "app.latin")] == []
    assert {"app.blob", "app.broken", "app.latin"} <= {source.module for source in scan.modules}


def test_grimp_cache_goes_to_cache_dir_not_the_repo(make_repo, tmp_path: Path):
    repo = make_repo(FILES, commit=True)
    before = sorted(path.relative_to(repo) for path in repo.rglob("*") if ".git" not in path.parts)
    cache_dir = tmp_path / "cache"
    first = scan_code(repo, repo, ("app",), cache_dir=cache_dir)
    second = scan_code(repo, repo, ("app",), cache_dir=cache_dir)
    after = sorted(path.relative_to(repo) for path in repo.rglob("*") if ".git" not in path.parts)
    assert first == second
    assert before == after
    assert [path.name for path in cache_dir.glob("grimp/*/app.meta.json")] == ["app.meta.json"]


def test_package_named_like_an_imported_module_is_scanned_from_the_repo(make_repo):
    # `decomposer` is imported in this very process; the repo's own `decomposer` must win.
    repo = make_repo({"decomposer/__init__.py": "", "decomposer/a.py": "import decomposer.b\n",
                      "decomposer/b.py": ""})
    scan = scan_code(repo, repo, ("decomposer",))
    assert [source.module for source in scan.modules] == ["decomposer", "decomposer.a", "decomposer.b"]
    assert scan.imports == (ImportEdge("decomposer.a", "decomposer.b", (1,)),)
    assert sys.modules["decomposer"].__file__.endswith("decomposer/__init__.py")
    assert not sys.modules["decomposer"].__file__.startswith(str(repo))


def test_imported_names_across_lines_and_relative_imports(make_repo):
    repo = make_repo({
        "app/__init__.py": "from .models import Base\n",
        "app/models.py": "class Base: pass\nclass Order(Base): pass\nLIMIT = 3\n",
        "app/orders/__init__.py": "",
        "app/orders/views.py": (
            "from app.models import (\n"
            "    Order,\n"
            "    LIMIT as MAX,\n"
            ")\n"
            "from ..models import Base\n"
            "from app.models import \\\n"
            "    Order\n"
        ),
    })
    imports = {(edge.importer, edge.imported): edge for edge in scan_code(repo, repo, ("app",)).imports}
    assert imports["app.orders.views", "app.models"] == ImportEdge(
        "app.orders.views", "app.models", (1, 5, 6), ("Base", "LIMIT", "Order"))
    assert imports["app", "app.models"].names == ("Base",)


def test_import_statement_names_by_pattern_and_by_ast_agree(tmp_path: Path):
    from decomposer.sources.code import _StatementReader
    module = tmp_path / "shop" / "orders" / "views.py"
    module.parent.mkdir(parents=True)
    module.write_text("from shop.orders.models import (\n    Order,\n    Line as OrderLine,\n)\n")
    reader = _StatementReader("shop.orders.views", module)
    cases = [  # (line, imported module) -> names taken from it
        ("from shop.orders.models import Order, Line as L", "shop.orders.models", {"Order", "Line"}),
        ("from . import models, services as s", "shop.orders", {"models", "services"}),
        ("from .models import *", "shop.orders.models", {"*"}),
        ("from ..payments import refunds", "shop.payments", {"refunds"}),
        ("from ..payments import refunds", "shop.orders.payments", set()),  # another module
        ("import shop.orders.models as m, shop.core", "shop.orders.models", set()),  # no names
        ("from shop.core import db  # noqa: F401", "shop.core", {"db"}),  # comment: parsed
        ("from shop.core import db; from shop.core import cache", "shop.core", {"db", "cache"}),
    ]
    assert [reader.names(1, line, imported) for line, imported, _ in cases] == [names for *_, names in cases]
    # An open parenthesis: the statement is read on from its line in the file.
    assert reader.names(1, "from shop.orders.models import (", "shop.orders.models") == {"Order", "Line"}


def test_a_module_added_later_gets_the_imports_of_unchanged_files_with_the_cache(make_repo, tmp_path: Path):
    # grimp keeps each file's imports resolved against the modules of its scan: pkg.a's import of
    # the missing pkg.b was no edge then, and must be one once pkg/b.py exists, as without a cache.
    repo = make_repo({"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import thing\n", "pkg/c.py": "import pkg.a\n"})
    cache = tmp_path / "cache"
    assert scan_code(repo, repo, ("pkg",), cache_dir=cache).imports == (ImportEdge("pkg.c", "pkg.a", (1,)),)
    (repo / "pkg" / "b.py").write_text("thing = 1\n")
    expected = (ImportEdge("pkg.a", "pkg.b", (1,), ("thing",)), ImportEdge("pkg.c", "pkg.a", (1,)))
    assert scan_code(repo, repo, ("pkg",), cache_dir=cache).imports == expected
    assert scan_code(repo, repo, ("pkg",)).imports == expected
    for module in ("d", "e", "f", "g", "h"):  # a new module set each time: the four most recent caches are kept
        (repo / "pkg" / f"{module}.py").write_text("")
        scan_code(repo, repo, ("pkg",), cache_dir=cache)
    assert len(list((cache / "grimp").iterdir())) == 4
