"""Settings: CLI flag > [tool.decomposer] > default, and every config problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from decomposer.config import DEFAULT_EXCLUDES, Settings, load_settings
from decomposer.errors import InvalidConfig


def _repo(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(toml)
    return tmp_path


def test_defaults_without_pyproject(tmp_path: Path):
    settings = load_settings(tmp_path, {"packages": (), "package_depth": None})
    assert settings == Settings(repo_path=tmp_path)
    assert settings.exclude_patterns == DEFAULT_EXCLUDES


def test_repo_table_then_flags(tmp_path: Path):
    repo = _repo(tmp_path, (
        "[tool.decomposer]\npackages = ['shop']\nsource-root = 'src'\nexclude = ['shop.legacy.*']\n"
        "default_excludes = false\npackage_depth = 3\n"
    ))
    from_repo = load_settings(repo, {})
    assert (from_repo.packages, from_repo.source_root, from_repo.package_depth) == (("shop",), "src", 3)
    assert from_repo.exclude_patterns == ("shop.legacy.*",)
    flagged = load_settings(repo, {"packages": ("blog",), "exclude": ("blog.old",), "package_depth": 1})
    assert (flagged.packages, flagged.package_depth) == (("blog",), 1)
    assert flagged.exclude_patterns == ("shop.legacy.*", "blog.old")


def test_config_can_be_ignored(tmp_path: Path):
    repo = _repo(tmp_path, "[tool.decomposer]\nunknown = 1\n")
    assert load_settings(repo, {}, use_config=False) == Settings(repo_path=repo)


def test_other_tools_tables_are_not_ours(tmp_path: Path):
    repo = _repo(tmp_path, "[tool.ruff]\nline-length = 100\n[project]\nname = 'x'\n")
    assert load_settings(repo, {}) == Settings(repo_path=repo)


@pytest.mark.parametrize(("toml", "problem"), [
    ("default_excludes = 'yes'", "'default_excludes' must be true or false, not 'yes'"),
    ("package_depth = true", "'package_depth' must be a whole number of at least 1, not True"),
    ("exclude = ['ok', 3]", "'exclude' must be a list of module patterns, not ['ok', 3]"),
    ("source_root = ['src']", "'source_root' must be a folder path relative to the repository, not ['src']"),
])
def test_each_wrong_value_is_named(tmp_path: Path, toml: str, problem: str):
    repo = _repo(tmp_path, f"[tool.decomposer]\n{toml}\n")
    with pytest.raises(InvalidConfig) as error:
        load_settings(repo, {})
    assert str(error.value) == (
        f"{repo / 'pyproject.toml'} [tool.decomposer]: {problem}; fix it or pass --no-config"
    )


def test_a_near_miss_key_gets_a_suggestion(tmp_path: Path):
    repo = _repo(tmp_path, "[tool.decomposer]\nmin_degre = 40\n")
    with pytest.raises(InvalidConfig) as error:
        load_settings(repo, {})
    assert str(error.value) == (
        f"{repo / 'pyproject.toml'} [tool.decomposer]: unknown key 'min_degre' (did you mean "
        "'min_degree'?); fix it or pass --no-config"
    )


def test_table_must_be_a_table(tmp_path: Path):
    repo = _repo(tmp_path, "[tool]\ndecomposer = 3\n")
    with pytest.raises(InvalidConfig, match=r"\[tool.decomposer\] must be a table"):
        load_settings(repo, {})
