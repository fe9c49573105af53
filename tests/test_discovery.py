"""Repository discovery: which packages, under which source root, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from decomposer.errors import InvalidPath, PackageNotFound
from decomposer.model import Layout
from decomposer.sources.discovery import check_repo_path, discover_layout

INIT = {"__init__.py": ""}


def _package(prefix: str, *modules: str) -> dict[str, str]:
    files = {f"{prefix}/__init__.py": ""}
    files.update({f"{prefix}/{module}.py": "x = 1\n" for module in modules})
    return files


def test_flat_layout_with_tests_left_out(make_repo):
    repo = make_repo({**_package("shop", "models"), **_package("tests", "test_models"), "setup.py": ""})
    assert discover_layout(repo) == Layout(
        ".", ("shop",), "1 package (shop) at the repository root; left out: tests"
    )


def test_src_layout(make_repo):
    repo = make_repo({**_package("src/billing", "api"), **_package("src/billing_cli"), "pyproject.toml": ""})
    assert discover_layout(repo) == Layout(
        "src", ("billing", "billing_cli"), "2 packages (billing, billing_cli) in src/ (src layout)"
    )


def test_several_top_level_packages(make_repo):
    repo = make_repo({**_package("accounts", "models"), **_package("blog", "views"),
                      **_package("docs"), "manage.py": "", "not-a-package/__init__.py": ""})
    layout = discover_layout(repo)
    assert layout.source_root == "."
    assert layout.packages == ("accounts", "blog")
    assert layout.reason == "2 packages (accounts, blog) at the repository root; left out: docs"


def test_django_project_one_folder_down(make_repo):
    repo = make_repo({
        "manage.py": "",
        **_package("project/blog", "models", "views"),
        **_package("project/accounts", "models"),
        "project/settings.py": "",
        **_package("deploy/tools"),  # fewer modules: not chosen
        "requirements.txt": "",
    })
    assert discover_layout(repo) == Layout(
        "project", ("accounts", "blog"),
        "2 packages (accounts, blog) in project/ (the folder with most Python modules: 6)",
    )


def test_named_package_is_found_one_folder_down(make_repo):
    repo = make_repo({**_package("project/blog", "models"), **_package("project/accounts")})
    assert discover_layout(repo, packages=("blog",)) == Layout(
        "project", ("blog",), "1 package (blog) named by --package or [tool.decomposer]"
    )


def test_named_source_root(make_repo):
    repo = make_repo({**_package("code/app", "models"), **_package("other/app2")})
    assert discover_layout(repo, source_root="code").packages == ("app",)


def test_unknown_named_package(make_repo):
    repo = make_repo({**_package("shop", "models")})
    with pytest.raises(PackageNotFound) as error:
        discover_layout(repo, packages=("shopp",))
    assert str(error.value) == (
        f"package shopp not found in {repo} (packages found: shop); check --package"
    )


def test_dotted_package_name_is_refused(make_repo):
    repo = make_repo({**_package("shop/orders", "models"), "shop/__init__.py": ""})
    with pytest.raises(PackageNotFound, match="is not a top-level package name"):
        discover_layout(repo, packages=("shop.orders",))


def test_python_files_but_no_package(make_repo):
    repo = make_repo({"script.py": "print(1)\n", "tools/run.py": ""})
    with pytest.raises(PackageNotFound) as error:
        discover_layout(repo)
    assert str(error.value) == (
        f"no Python package (a folder with __init__.py) found in {repo} (2 .py files); "
        "name one with --package, or set source_root"
    )


def test_not_python_at_all(make_repo):
    repo = make_repo({"README.md": "# hi\n", "src/main.go": "package main\n"})
    with pytest.raises(PackageNotFound) as error:
        discover_layout(repo)
    assert str(error.value) == f"{repo} holds no Python files; point decomposer at a Python repository"


def test_virtualenv_is_never_a_package(make_repo):
    repo = make_repo({**_package("app", "models"), "myenv/pyvenv.cfg": "",
                      **_package("myenv/lib/site/requests")})
    assert discover_layout(repo).packages == ("app",)


def test_missing_path(tmp_path: Path):
    with pytest.raises(InvalidPath) as error:
        check_repo_path(tmp_path / "nope")
    assert str(error.value) == f"{tmp_path / 'nope'} does not exist; pass the folder of your repository"


def test_file_instead_of_folder(tmp_path: Path):
    file_path = tmp_path / "setup.py"
    file_path.write_text("")
    with pytest.raises(InvalidPath, match="is a file, not a folder"):
        check_repo_path(file_path)


def test_source_root_outside_repo(make_repo):
    repo = make_repo({**_package("app")})
    with pytest.raises(InvalidPath, match="source root '../elsewhere' is not a folder inside"):
        discover_layout(repo, source_root="../elsewhere")
