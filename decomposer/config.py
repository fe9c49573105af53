"""Settings: one frozen record, from CLI flags > `[tool.decomposer]` > defaults.

The analysed repository may carry its own defaults in its pyproject.toml::

    [tool.decomposer]
    packages = ["shop"]            # top-level packages to analyse (default: discovered)
    source_root = "src"            # folder that holds them (default: discovered)
    exclude = ["shop.legacy.*"]    # module patterns to leave out, added to the defaults
    default_excludes = true        # keep the default test/migration patterns
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
    min_service_size = 3           # smaller groups merge into their most coupled neighbour
    granularity = "module"         # or "package": keep every sub-package whole
    stability_runs = 5             # extra seeds to measure how stable the proposal is
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
import difflib
import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any

from decomposer.errors import InvalidConfig
from decomposer.stages.brittleness import SIGNALS
from decomposer.stages.communities import ALGORITHMS

__all__ = ["DEFAULT_EXCLUDES", "Settings", "load_settings", "read_repo_config"]

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
class Settings:
    """Everything a run needs to know; built once, never mutated."""

    repo_path: Path
    out_dir: Path | None = None  # None: decided by the CLI
    packages: tuple[str, ...] = ()  # empty: discover them
    source_root: str | None = None  # repository-relative; None: discover it
    exclude: tuple[str, ...] = ()  # extra patterns, on top of DEFAULT_EXCLUDES
    default_excludes: bool = True
    exclude_type_checking: bool = False
    package_depth: int | None = None  # None: 1 for several even packages, else 2
    cache_dir: Path | None = None  # None: no cache at all
    history: bool = True
    since: str | None = None  # YYYY-MM-DD; None: `history_months` before HEAD
    until: str | None = None  # YYYY-MM-DD; None: HEAD
    history_months: int = 24
    min_commits: int = 1000  # the default window reaches back to at least this many commits
    min_revisions: int = 5
    min_shared_commits: int = 5
    min_degree: float = 30.0
    max_changeset: int = 30
    algorithm: str = "louvain"
    resolution: float = 1.0
    services: int | None = None  # a target number of services: the resolution is searched
    seed: int = 42
    structural_weight: float = 1.0
    cochange_weight: float = 1.0
    min_service_size: int = 3
    granularity: str = "module"
    stability_runs: int = 5
    kernel_min_packages: int = 3
    kernel_min_outside_share: float = 0.75
    kernel_max_instability: float = 0.25
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, ...], ...] = ()
    ned_bounds: tuple[int, int] = (5, 20)
    recent_days: int = 90  # "recent" churn: commits in the last N days of the window
    sprint_capacity: int = 30  # change points per sprint in the extraction plan
    brittleness_weights: tuple[tuple[str, float], ...] = ()  # overrides of the signal weights

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        """The module patterns to leave out, defaults first, without repeats."""
        patterns = (DEFAULT_EXCLUDES if self.default_excludes else ()) + self.exclude
        return tuple(dict.fromkeys(patterns))


def _is_list_of_str(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


def _is_number(low: float, high: float = float("inf"), *, whole: bool = False) -> Callable[[Any], bool]:
    kinds = (int,) if whole else (int, float)

    def check(value: Any) -> bool:
        return isinstance(value, kinds) and not isinstance(value, bool) and low <= value <= high
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


# key -> (check, human description of a valid value)
_KEYS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "packages": (_is_list_of_str, "a list of package names"),
    "source_root": (lambda value: isinstance(value, str), "a folder path relative to the repository"),
    "exclude": (_is_list_of_str, "a list of module patterns"),
    "default_excludes": (lambda value: isinstance(value, bool), "true or false"),
    "exclude_type_checking": (lambda value: isinstance(value, bool), "true or false"),
    "package_depth": (_is_int(1), "a whole number of at least 1"),
    "history": (lambda value: isinstance(value, bool), "true or false"),
    "since": (_is_day, "a date written YYYY-MM-DD"),
    "until": (_is_day, "a date written YYYY-MM-DD"),
    "history_months": (_is_int(1), "a whole number of at least 1"),
    "min_commits": (_is_int(0), "a whole number of at least 0"),
    "min_revisions": (_is_int(1), "a whole number of at least 1"),
    "min_shared_commits": (_is_int(1), "a whole number of at least 1"),
    "min_degree": (_is_number(0, 100), "a percentage from 0 to 100"),
    "max_changeset": (_is_int(2), "a whole number of at least 2"),
    "algorithm": (lambda value: value in ALGORITHMS, f"one of {', '.join(ALGORITHMS)}"),
    "resolution": (_is_number(0.001, 1000), "a number from 0.001 to 1000"),
    "services": (_is_int(1), "a whole number of at least 1"),
    "seed": (_is_int(0), "a whole number of at least 0"),
    "structural_weight": (_is_number(0), "a number of at least 0"),
    "cochange_weight": (_is_number(0), "a number of at least 0"),
    "min_service_size": (_is_int(1), "a whole number of at least 1"),
    "granularity": (lambda value: value in ("module", "package"), "module or package"),
    "stability_runs": (_is_int(0), "a whole number of at least 0"),
    "kernel_min_packages": (_is_int(1), "a whole number of at least 1"),
    "kernel_min_outside_share": (_is_number(0, 1), "a share from 0 to 1"),
    "kernel_max_instability": (_is_number(0, 1), "a share from 0 to 1"),
    "together": (_is_pin_list, "a list of lists of two or more module patterns"),
    "apart": (_is_pin_list, "a list of lists of two or more module patterns"),
    "ned_bounds": (_is_bounds, "two whole numbers [smallest, largest], smallest first"),
    "recent_days": (_is_int(1), "a whole number of at least 1"),
    "sprint_capacity": (_is_int(1), "a whole number of at least 1"),
    "brittleness_weights": (lambda value: _is_weight_table(value), "a table of signal = weight >= 0, "
                            f"signals: {', '.join(SIGNALS)}"),
}

_FLOATS = {"min_degree", "resolution", "structural_weight", "cochange_weight",
           "kernel_min_outside_share", "kernel_max_instability"}


def load_settings(repo_path: Path, overrides: dict[str, Any], *, use_config: bool = True) -> Settings:
    """Build the run's settings.

    Args:
        repo_path: the analysed repository (its pyproject.toml is read when `use_config`).
        overrides: values from CLI flags; a value of None (or an empty tuple) means "not given".
        use_config: read `[tool.decomposer]` from the repository's pyproject.toml.

    Raises:
        InvalidConfig: the table cannot be read or has wrong keys or values (all listed).
    """
    settings = Settings(repo_path=repo_path)
    if use_config:
        settings = dataclasses.replace(settings, **read_repo_config(repo_path))
    given = {key: value for key, value in overrides.items() if value not in (None, ())}
    if "exclude" in given:  # flags add to the repo's own extra patterns
        given["exclude"] = tuple(dict.fromkeys(settings.exclude + tuple(given["exclude"])))
    return dataclasses.replace(settings, **given)


def read_repo_config(repo_path: Path) -> dict[str, Any]:
    """Return the validated `[tool.decomposer]` table as Settings field values.

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
    except tomllib.TOMLDecodeError as error:
        raise InvalidConfig(
            f"{pyproject_path} is not valid TOML ({error}); fix it or pass --no-config"
        ) from None
    table = document.get("tool", {}).get("decomposer", {})
    if not isinstance(table, dict):
        raise InvalidConfig(f"{pyproject_path}: [tool.decomposer] must be a table")
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
        check, description = _KEYS[key]
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
