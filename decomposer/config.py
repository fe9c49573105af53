"""Settings: frozen records nested the way the stages use them, from CLI flags > `[tool.decomposer]` > defaults.

The analysed repository may carry its own defaults in its pyproject.toml::

    [tool.decomposer]
    packages = ["shop"]            # top-level packages to analyse (default: discovered)
    source_root = "src"            # folder that holds them (default: discovered)
    exclude = ["shop.legacy.*"]    # module patterns to leave out, added to the defaults
    default_excludes = true        # leave out tests and migrations (by name and by their code)
    keep_tooling = false           # true: lint plugins, scripts, settings go into services too
    exclude_type_checking = false  # leave out imports under `if TYPE_CHECKING:`
    package_depth = 2              # how deep the current package layout is cut
    history = true                 # mine git history (churn, co-change)
    since = "2023-01-01"           # history window (default: 24 months before HEAD,
    until = "2024-12-31"           #   extended back to at least min_commits commits)
    history_months = 24
    min_commits = 1000
    min_revisions = 5              # change-coupling thresholds (Code Maat's defaults)
    min_shared_commits = 5
    min_degree = 30                # percent
    max_changeset = 30             # commits touching more modules are ignored for coupling
    algorithm = "louvain"          # louvain | greedy | label-propagation | leiden
    resolution = 1.0               # higher: more, smaller services
    services = 8                   # or: search the resolution that gives about 8 services
    seed = 42
    structural_weight = 1.0        # the mix of the coupling graph
    cochange_weight = 1.0
    data_weight = 0.5              # relations between tables, queries, transactions
    runtime_weight = 0             # calls recorded by `decomposer trace` (analyze --traces)
    min_service_size = 3           # smaller groups merge into their most coupled neighbour
    min_service_share = 0.005      # so do services under this share of the analysed lines
    max_service_share = 0.3        # services over this share of the lines are split where runs disagree
    granularity = "module"         # or "package": keep every sub-package whole
    verticals = true               # layered code: find domains sliced across layers, name services by domain
    vertical_tie = 0               # > 0: also couple each domain's slices (in median edge weights)
    consensus_runs = 200           # seeded detections whose consensus is the proposal (at most)
    consensus_threshold = 0.5      # pairs together in fewer runs than this share are not held together
    stability_runs = 2             # full reruns under far-apart seeds, to measure stability
    kernel_min_packages = 3        # the shared-kernel rule (docs/concepts.md)
    kernel_min_outside_share = 0.75
    kernel_max_instability = 0.25
    together = [["shop.orders.*", "shop.cart.*"]]   # pins: must share a service
    apart = [["shop.orders.*", "shop.payments.*"]]  # pins: must not
    ned_bounds = [5, 20]           # non-extreme service sizes, in modules
    recent_days = 90               # "recent" churn for brittleness
    sprint_capacity = 30           # change points per sprint in the extraction plan
    brittleness_weights = {commits = 2, loc = 0}   # signal weights of the brittleness score

Keys may be written with `_` or `-`. Every problem in the table is reported at once.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decomposer.errors import InvalidConfig
from decomposer.model import (
    ALGORITHMS,
    Assignment,
    GRANULARITIES,
    SIGNALS,
    CouplingThresholds,
    Detection,
    Planning,
    Scoring,
)

__all__ = ["DEFAULT_EXCLUDES", "HistorySettings", "ScanSettings", "Settings", "default_cache_dir", "load_settings",
           "read_repo_config"]

# Test and migration modules describe no production coupling; Django keeps both in every app.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "*.tests",
    "*.tests.*",
    "*.test",
    "*.test.*",
    "*.test_*",
    "*_tests",
    "*.conftest",
    "*.migrations",
    "*.migrations.*",
)


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """Which code is read: packages, where they live, what is left out."""

    packages: tuple[str, ...] = ()  # empty: discover them
    source_root: str | None = None  # repository-relative; None: discover it
    exclude: tuple[str, ...] = ()  # extra patterns, on top of DEFAULT_EXCLUDES
    default_excludes: bool = True
    exclude_type_checking: bool = False
    keep_tooling: bool = False  # True: lint plugins, scripts and settings are proposed like any code
    package_depth: int | None = None  # None: 1 for several even packages, else 2

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        """The module patterns to leave out, defaults first, without repeats."""
        patterns = (DEFAULT_EXCLUDES if self.default_excludes else ()) + self.exclude
        return tuple(dict.fromkeys(patterns))


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """Which stretch of git history is read, and how change coupling is filtered."""

    enabled: bool = True
    since: str | None = None  # YYYY-MM-DD; None: `months` before HEAD
    until: str | None = None  # YYYY-MM-DD; None: HEAD
    months: int = 24
    min_commits: int = 1000  # the default window reaches back to at least this many commits
    recent_days: int = 90  # "recent" churn: commits in the last N days of the window
    thresholds: CouplingThresholds = CouplingThresholds()


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run needs to know; built once, never mutated. Each default is written once,
    in the record that holds it."""

    repo_path: Path
    out_dir: Path | None = None  # None: decided by the CLI
    cache_dir: Path | None = None  # None: no cache at all
    scan: ScanSettings = ScanSettings()
    history: HistorySettings = HistorySettings()
    detection: Detection = Detection()
    scoring: Scoring = Scoring()
    planning: Planning = Planning()
    assignment: Assignment | None = None  # `analyze --assignments`: pin every module's service
    traces: tuple[Path, ...] = ()  # `analyze --traces`: files `decomposer trace` wrote (runtime coupling)


def _is_list_of_str(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_number(low: float, high: float = float("inf"), *, whole: bool = False) -> Callable[[Any], bool]:
    kinds = (int,) if whole else (int, float)

    def check(value: Any) -> bool:
        return (isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(value)
                and low <= value <= high)
    return check


def _is_int(low: int) -> Callable[[Any], bool]:
    return _is_number(low, whole=True)


def _is_day(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and bool(datetime.date.fromisoformat(value))
    except ValueError:
        return False


def _is_pin_list(value: Any) -> bool:
    return isinstance(value, list) and all(_is_list_of_str(item) and len(item) >= 2 for item in value)


def _is_weight_table(value: Any) -> bool:
    return isinstance(value, dict) and all(
        name in SIGNALS and _is_number(0)(weight) for name, weight in value.items())


def _is_bounds(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(_is_int(1)(item) for item in value)
            and value[0] <= value[1])


# key -> (the Settings field it sets, check, human description of a valid value)
_KEYS: dict[str, tuple[str, Callable[[Any], bool], str]] = {
    "packages": ("scan.packages", _is_list_of_str, "a list of package names"),
    "source_root": ("scan.source_root", lambda value: isinstance(value, str),
                    "a folder path relative to the repository"),
    "exclude": ("scan.exclude", _is_list_of_str, "a list of module patterns"),
    "default_excludes": ("scan.default_excludes", _is_bool, "true or false"),
    "exclude_type_checking": ("scan.exclude_type_checking", _is_bool, "true or false"),
    "keep_tooling": ("scan.keep_tooling", _is_bool, "true or false"),
    "package_depth": ("scan.package_depth", _is_int(1), "a whole number of at least 1"),
    "history": ("history.enabled", _is_bool, "true or false"),
    "since": ("history.since", _is_day, "a date written YYYY-MM-DD"),
    "until": ("history.until", _is_day, "a date written YYYY-MM-DD"),
    "history_months": ("history.months", _is_int(1), "a whole number of at least 1"),
    "min_commits": ("history.min_commits", _is_int(0), "a whole number of at least 0"),
    "recent_days": ("history.recent_days", _is_int(1), "a whole number of at least 1"),
    "min_revisions": ("history.thresholds.min_revisions", _is_int(1), "a whole number of at least 1"),
    "min_shared_commits": ("history.thresholds.min_shared_commits", _is_int(1),
                           "a whole number of at least 1"),
    "min_degree": ("history.thresholds.min_degree", _is_number(0, 100), "a percentage from 0 to 100"),
    "max_changeset": ("history.thresholds.max_changeset", _is_int(2), "a whole number of at least 2"),
    "algorithm": ("detection.algorithm", lambda value: value in ALGORITHMS, f"one of {', '.join(ALGORITHMS)}"),
    "resolution": ("detection.resolution", _is_number(0.001, 1000), "a number from 0.001 to 1000"),
    "services": ("detection.target_services", _is_int(1), "a whole number of at least 1"),
    "seed": ("detection.seed", _is_int(0), "a whole number of at least 0"),
    "structural_weight": ("detection.structural_weight", _is_number(0), "a number of at least 0"),
    "cochange_weight": ("detection.cochange_weight", _is_number(0), "a number of at least 0"),
    "data_weight": ("detection.data_weight", _is_number(0), "a number of at least 0"),
    "runtime_weight": ("detection.runtime_weight", _is_number(0), "a number of at least 0"),
    "min_service_size": ("detection.min_service_size", _is_int(1), "a whole number of at least 1"),
    "granularity": ("detection.granularity", lambda value: value in GRANULARITIES,
                    f"one of {', '.join(GRANULARITIES)}"),
    "min_service_share": ("detection.min_service_share", _is_number(0, 1), "a share of the lines from 0 to 1"),
    "max_service_share": ("detection.max_service_share", _is_number(0.01, 1), "a share of the lines from 0.01 to 1"),
    "verticals": ("detection.verticals", _is_bool, "true or false"),
    "vertical_tie": ("detection.vertical_tie", _is_number(0, 100), "a number from 0 to 100"),
    "consensus_runs": ("detection.consensus_runs", _is_int(1), "a whole number of at least 1"),
    "consensus_threshold": ("detection.consensus_threshold", _is_number(0.01, 1), "a share from 0.01 to 1"),
    "stability_runs": ("detection.stability_runs", _is_int(0), "a whole number of at least 0"),
    "kernel_min_packages": ("detection.kernel.min_packages", _is_int(1), "a whole number of at least 1"),
    "kernel_min_outside_share": ("detection.kernel.min_outside_share", _is_number(0, 1), "a share from 0 to 1"),
    "kernel_max_instability": ("detection.kernel.max_instability", _is_number(0, 1), "a share from 0 to 1"),
    "together": ("detection.together", _is_pin_list, "a list of lists of two or more module patterns"),
    "apart": ("detection.apart", _is_pin_list, "a list of lists of two or more module patterns"),
    "ned_bounds": ("detection.ned_bounds", _is_bounds, "two whole numbers [smallest, largest], smallest first"),
    "sprint_capacity": ("planning.capacity", _is_int(1), "a whole number of at least 1"),
    "brittleness_weights": ("scoring.weights", _is_weight_table,
                            f"a table of signal = weight >= 0, signals: {', '.join(SIGNALS)}"),
}
# Settings fields that are not in [tool.decomposer] but may come from flags.
# Trace files are flags only: they live outside the repository, so its pyproject.toml cannot name them.
_FLAG_ONLY = {"cache_dir": "cache_dir", "out_dir": "out_dir", "traces": "traces"}
_FLOATS = {"min_degree", "resolution", "consensus_threshold", "vertical_tie", "min_service_share",
           "max_service_share", "structural_weight", "cochange_weight", "data_weight",
           "runtime_weight", "kernel_min_outside_share", "kernel_max_instability"}


def load_settings(repo_path: Path, overrides: dict[str, Any], *, use_config: bool = True) -> Settings:
    """Build the run's settings: flags > `[tool.decomposer]` > the records' defaults.

    Args:
        repo_path: the analysed repository (its pyproject.toml is read when `use_config`).
        overrides: values from CLI flags, by `[tool.decomposer]` key (and `cache_dir`, `out_dir`);
            a value of None (or an empty tuple) means "not given".
        use_config: read `[tool.decomposer]` from the repository's pyproject.toml.

    Raises:
        InvalidConfig: the table cannot be read or has wrong keys or values (all listed).
    """
    settings = Settings(repo_path=repo_path)
    if use_config:
        settings = _apply(settings, read_repo_config(repo_path))
    given = {key: value for key, value in overrides.items() if value not in (None, ())}
    if "exclude" in given:  # flags add to the repo's own extra patterns
        given["exclude"] = tuple(dict.fromkeys(settings.scan.exclude + tuple(given["exclude"])))
    return _apply(settings, given)


def _apply(settings: Settings, values: dict[str, Any]) -> Settings:
    """Set each `[tool.decomposer]` key's field; signal weights add to those already set."""
    for key, value in values.items():
        if key in _FLAG_ONLY:
            settings = dataclasses.replace(settings, **{_FLAG_ONLY[key]: value})
            continue
        if key == "brittleness_weights":
            value = tuple((dict(settings.scoring.weights) | dict(value)).items())
        settings = _replace_at(settings, _KEYS[key][0].split("."), value)
    return settings


def _replace_at(record: Any, path: list[str], value: Any) -> Any:
    """`dataclasses.replace` on a field of nested records, e.g. ["detection", "kernel", "min_packages"]."""
    if len(path) == 1:
        return dataclasses.replace(record, **{path[0]: value})
    return dataclasses.replace(record, **{path[0]: _replace_at(getattr(record, path[0]), path[1:], value)})


def read_repo_config(repo_path: Path) -> dict[str, Any]:
    """Return the validated `[tool.decomposer]` table, by key (`-` written as `_`).

    Raises:
        InvalidConfig: unreadable file, invalid TOML, or invalid keys and values.
    """
    pyproject_path = repo_path / "pyproject.toml"
    if not pyproject_path.is_file():
        return {}
    try:
        with pyproject_path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise InvalidConfig(
            f"cannot read {pyproject_path}: {error.strerror}; fix its permissions or pass --no-config"
        ) from None
    except UnicodeDecodeError:
        raise InvalidConfig(f"{pyproject_path} is not UTF-8 text; save it as UTF-8 or pass --no-config") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidConfig(
            f"{pyproject_path} is not valid TOML ({error}); fix it or pass --no-config"
        ) from None
    tool = document.get("tool", {})
    table = tool.get("decomposer", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise InvalidConfig(f"{pyproject_path}: [tool.decomposer] must be a table; fix it or pass --no-config")
    return _validate(table, pyproject_path)


def _validate(table: dict[str, Any], pyproject_path: Path) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for raw_key, value in sorted(table.items()):
        key = raw_key.replace("-", "_")
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(_KEYS))}"
            problems.append(f"unknown key '{raw_key}' ({hint})")
            continue
        _, check, description = _KEYS[key]
        if not check(value):
            problems.append(f"'{raw_key}' must be {description}, not {value!r}")
            continue
        values[key] = _frozen(key, value)
    if problems:
        raise InvalidConfig(
            f"{pyproject_path} [tool.decomposer]: " + "; ".join(problems) + "; fix it or pass --no-config"
        )
    return values


def _frozen(key: str, value: Any) -> Any:
    """TOML's lists become tuples, and figures that are floats stay floats (stable output)."""
    if key in _FLOATS:
        return float(value)
    if isinstance(value, dict):
        return tuple(sorted((name, float(weight)) for name, weight in value.items()))
    if isinstance(value, list):
        return tuple(tuple(item) if isinstance(item, list) else item for item in value)
    return value


def default_cache_dir() -> Path:
    """decomposer's own cache folder: $DECOMPOSER_CACHE_DIR, else $XDG_CACHE_HOME/decomposer or
    ~/.cache/decomposer."""
    if os.environ.get("DECOMPOSER_CACHE_DIR"):
        return Path(os.environ["DECOMPOSER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "decomposer"
