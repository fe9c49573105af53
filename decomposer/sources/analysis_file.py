"""Read back an analysis.json written by `decomposer analyze` (for `decomposer plan`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decomposer.errors import InvalidPath
from decomposer.model import ImportEdge, Service

__all__ = ["PlanInputs", "imports_of", "read_analysis", "read_plan_inputs"]

_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What the extraction plan needs, as analysis.json recorded it."""

    title: str  # the repository folder's name and HEAD, for headings
    services: tuple[Service, ...]
    imports: tuple[ImportEdge, ...]
    paths: dict[str, str]
    commits: dict[str, int]
    loc: dict[str, int]
    brittleness: dict[str, float]


def read_plan_inputs(json_path: Path) -> PlanInputs:
    """Load the plan inputs from `json_path`.

    Raises:
        InvalidPath: the file is missing, not JSON, or not a decomposer analysis with services.
    """
    document = read_analysis(json_path)
    modules = document["modules"]
    repository = document["repository"]
    head = (repository.get("head") or "no commit")[:12]
    return PlanInputs(
        title=f"{Path(repository['path']).name} @ {head}",
        services=tuple(
            Service(entry["name"], entry["kind"], tuple(entry["modules"]), entry["loc"],
                    tuple((item["package"], item["modules"]) for item in entry["packages"]))
            for entry in document["services"]
        ),
        imports=imports_of(document),
        paths={record["module"]: record["path"] for record in modules},
        commits={record["module"]: record["commits"] for record in modules if record.get("commits")},
        loc={record["module"]: record["loc"] for record in modules},
        brittleness={record["module"]: record.get("brittleness", 0.0) for record in modules},
    )


def imports_of(document: dict[str, Any]) -> tuple[ImportEdge, ...]:
    """The import edges recorded in an analysis document."""
    return tuple(ImportEdge(edge["importer"], edge["imported"], tuple(edge["lines"]),
                            tuple(edge.get("names", ()))) for edge in document["imports"])


def read_analysis(json_path: Path) -> dict[str, Any]:
    """Load and check an analysis.json written by `decomposer analyze`.

    Raises:
        InvalidPath: the file is missing, not JSON, or not a decomposer analysis with services.
    """
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidPath(f"{json_path} does not exist; run `decomposer analyze` first") from None
    except (OSError, ValueError) as error:
        raise InvalidPath(f"{json_path} is not readable JSON ({error}); pass the analysis.json "
                          "that `decomposer analyze` wrote") from None
    if not isinstance(document, dict) or document.get("schema_version") != _SCHEMA_VERSION \
            or not document.get("services"):
        raise InvalidPath(f"{json_path} is not a decomposer analysis.json with services "
                          f"(schema_version {_SCHEMA_VERSION}); run `decomposer analyze` again")
    return document
