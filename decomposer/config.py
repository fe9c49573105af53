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

Keys may be written with `_` or `-`. Every problem in the table is reported at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decomposer.errors import InvalidConfig

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

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        """The module patterns to leave out, defaults first, without repeats."""
        patterns = (DEFAULT_EXCLUDES if self.default_excludes else ()) + self.exclude
        return tuple(dict.fromkeys(patterns))


# key -> (expected type, human description)
_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "packages": (list, "a list of package names"),
    "source_root": (str, "a folder path relative to the repository"),
    "exclude": (list, "a list of module patterns"),
    "default_excludes": (bool, "true or false"),
    "exclude_type_checking": (bool, "true or false"),
    "package_depth": (int, "a whole number of at least 1"),
    "history": (bool, "true or false"),
    "since": (str, "a date written YYYY-MM-DD"),
    "until": (str, "a date written YYYY-MM-DD"),
    "history_months": (int, "a whole number of at least 1"),
    "min_commits": (int, "a whole number of at least 0"),
    "min_revisions": (int, "a whole number of at least 1"),
    "min_shared_commits": (int, "a whole number of at least 1"),
    "min_degree": ((int, float), "a percentage from 0 to 100"),
    "max_changeset": (int, "a whole number of at least 2"),
}

# key -> smallest allowed value (and largest, for percentages)
_BOUNDS: dict[str, tuple[float, float]] = {
    "package_depth": (1, float("inf")),
    "history_months": (1, float("inf")),
    "min_commits": (0, float("inf")),
    "min_revisions": (1, float("inf")),
    "min_shared_commits": (1, float("inf")),
    "min_degree": (0, 100),
    "max_changeset": (2, float("inf")),
}


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
        expected, description = _KEYS[key]
        if not _has_type(value, expected) or not _in_bounds(key, value):
            problems.append(f"'{raw_key}' must be {description}, not {value!r}")
            continue
        if expected is list:
            if not all(isinstance(item, str) and item for item in value):
                problems.append(f"'{raw_key}' must be {description}, not {value!r}")
                continue
            value = tuple(value)
        if key == "min_degree":
            value = float(value)
        values[key] = value
    if problems:
        raise InvalidConfig(
            f"{pyproject_path} [tool.decomposer]: " + "; ".join(problems) + "; fix it or pass --no-config"
        )
    return values


def _has_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    # bool is an int in Python; a depth of `true` is a mistake, not 1.
    if expected is not bool and isinstance(value, bool):
        return False
    return isinstance(value, expected)


def _in_bounds(key: str, value: Any) -> bool:
    if key in ("since", "until"):
        return _is_day(value)
    low, high = _BOUNDS.get(key, (float("-inf"), float("inf")))
    return not isinstance(value, (int, float)) or low <= value <= high


def _is_day(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
