"""Settings: CLI flag > [tool.decomposer] > default, and every config problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from decomposer.config import DEFAULT_EXCLUDES, Settings, load_settings
from decomposer.errors import InvalidConfig
from decomposer.model import CouplingThresholds, KernelRule, Planning


def _repo(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(toml)
    return tmp_path


def test_defaults_without_pyproject(tmp_path: Path):
    settings = load_settings(tmp_path, {"packages": (), "package_depth": None})
    assert settings == Settings(repo_path=tmp_path)
    assert settings.scan.exclude_patterns == DEFAULT_EXCLUDES


def test_repo_table_then_flags(tmp_path: Path):
    repo = _repo(tmp_path, (
        "[tool.decomposer]\npackages = ['shop']\nsource-root = 'src'\nexclude = ['shop.legacy.*']\n"
        "default_excludes = false\npackage_depth = 3\n"
    ))
    from_repo = load_settings(repo, {})
    assert (from_repo.scan.packages, from_repo.scan.source_root, from_repo.scan.package_depth) == (("shop",), "src", 3)
    assert from_repo.scan.exclude_patterns == ("shop.legacy.*",)
    flagged = load_settings(repo, {"packages": ("blog",), "exclude": ("blog.old",), "package_depth": 1})
    assert (flagged.scan.packages, flagged.scan.package_depth) == (("blog",), 1)
    assert flagged.scan.exclude_patterns == ("shop.legacy.*", "blog.old")


def test_flat_keys_reach_the_nested_records_each_default_kept(tmp_path: Path):
    repo = _repo(tmp_path, (
        "[tool.decomposer]\nkernel_min_packages = 4\nmin-degree = 40\nsprint_capacity = 12\n"
        "services = 6\nrecent_days = 30\nbrittleness_weights = {commits = 3, loc = 0}\n"
    ))
    settings = load_settings(repo, {"seed": 9, "brittleness_weights": (("authors", 2.0),), "cache_dir": tmp_path})
    assert settings.detection.kernel == KernelRule(min_packages=4, min_outside_share=0.75, max_instability=0.25)
    assert settings.history.thresholds == CouplingThresholds(min_revisions=5, min_shared_commits=5,
                                                             min_degree=40.0, max_changeset=30)
    assert (settings.planning, settings.history.recent_days) == (Planning(capacity=12), 30)
    assert (settings.detection.target_services, settings.detection.seed, settings.cache_dir) == (6, 9, tmp_path)
    assert settings.scoring.weights == (
        ("commits", 3.0), ("sum_of_coupling", 1.0), ("fan_in", 1.0), ("betweenness", 1.0), ("fan_out", 1.0),
        ("cycle_size", 0.5), ("lines_changed", 0.5), ("recent_commits", 0.5), ("authors", 2.0), ("loc", 0.0))


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
    ("structural_weight = nan", "'structural_weight' must be a number of at least 0, not nan"),
    ("resolution = inf", "'resolution' must be a number from 0.001 to 1000, not inf"),
    ("brittleness_weights = {commits = inf}", "'brittleness_weights' must be a table of signal = weight >= 0, "
     "signals: commits, sum_of_coupling, fan_in, betweenness, fan_out, cycle_size, lines_changed, "
     "recent_commits, authors, loc, not {'commits': inf}"),
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


@pytest.mark.parametrize("content", [b"tool = 1\n", b"[tool]\ndecomposer = 3\n"])
def test_odd_tool_tables_are_one_line(tmp_path: Path, content: bytes):
    (tmp_path / "pyproject.toml").write_bytes(content)
    with pytest.raises(InvalidConfig) as error:
        load_settings(tmp_path, {})
    assert str(error.value) == (f"{tmp_path / 'pyproject.toml'}: [tool.decomposer] must be a table; "
                                "fix it or pass --no-config")


def test_a_pyproject_that_is_not_utf8_is_one_line(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.decomposer]\nseed = 1 # \xff\xfe\n")
    with pytest.raises(InvalidConfig) as error:
        load_settings(tmp_path, {})
    assert str(error.value) == (f"{tmp_path / 'pyproject.toml'} is not UTF-8 text; save it as UTF-8 or "
                                "pass --no-config")
