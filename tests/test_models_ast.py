"""Names followed across modules without importing them: re-exports, stars, relative imports."""

from __future__ import annotations

import ast

from decomposer.model import AnalysisWarning, SourceModule
from decomposer.sources.models_ast import Namespace, parse_modules

FILES = {
    "app/__init__.py": "from .core import models as core_models\nfrom .core.models import *\n",
    "app/core/__init__.py": "",
    "app/core/models.py": "from .base import *\n\n\nclass Thing:\n    pass\n",
    "app/core/base.py": "import django.db.models as dj\n\n\nclass Base(dj.Model):\n    pass\n\n\nAlias = Base\n",
    "app/web/__init__.py": "",
    "app/web/views.py": (
        "import app\n"
        "from .. import core_models\n"
        "from ..core.models import Alias as Renamed\n"
        "\n"
        "\n"
        "def view():\n"
        "    from app import Thing\n"
        "    return Thing\n"
    ),
}


def _namespace(make_repo) -> Namespace:
    repo = make_repo(FILES)
    modules = tuple(
        SourceModule(path.removesuffix(".py").removesuffix("/__init__").replace("/", "."), path, 1,
                     path.endswith("__init__.py"))
        for path in FILES
    )
    parsed, warnings = parse_modules(repo, modules)
    assert warnings == ()
    return Namespace(parsed)


def _qualify(namespace: Namespace, module: str, expression: str) -> str | None:
    return namespace.qualify(module, ast.parse(expression, mode="eval").body)


def test_names_are_followed_to_the_class_that_defines_them(make_repo):
    namespace = _namespace(make_repo)
    assert _qualify(namespace, "app.web.views", "Thing") == "app.core.models.Thing"  # import in a function
    assert _qualify(namespace, "app.web.views", "core_models.Base") == "app.core.base.Base"  # star
    assert _qualify(namespace, "app.web.views", "Renamed") == "app.core.base.Base"  # alias assignment
    assert _qualify(namespace, "app.web.views", "app.Thing.objects") == "app.core.models.Thing.objects"
    assert _qualify(namespace, "app.core.base", "dj.Model") == "django.db.models.Model"  # outside
    assert _qualify(namespace, "app.web.views", "unknown") is None
    assert sorted(namespace.classes) == ["app.core.base.Base", "app.core.models.Thing"]


def test_a_file_that_cannot_be_read_is_a_warning(make_repo):
    repo = make_repo({"app/__init__.py": "x = (\n"})
    parsed, warnings = parse_modules(repo, (
        SourceModule("app", "app/__init__.py", 1, True),
        SourceModule("app.gone", "app/gone.py", 1, False),
    ))
    assert parsed == ()
    assert warnings == (
        AnalysisWarning("app/__init__.py",
                        "does not parse (line 1: '(' was never closed); its models and queries are left out"),
        AnalysisWarning("app/gone.py",
                        "cannot be read (No such file or directory); its models and queries are left out"),
    )
