"""Read an assignment file (docs/assignments.md): the services a person chose in report.html."""

from __future__ import annotations

from pathlib import Path

from decomposer.errors import InvalidPath
from decomposer.model import Assignment
from decomposer.schema import InvalidDocument, assignment_from_dict
from decomposer.sources.json_file import read_json

__all__ = ["read_assignment"]


def read_assignment(json_path: Path) -> Assignment:
    """Load the assignment saved at `json_path`.

    Raises:
        InvalidPath: the file is missing or unreadable, not JSON, or not an assignment (the
            message names the first field that is wrong).
    """
    document = read_json(json_path,
                         missing="export it from report.html (Review the boundaries, Export the assignment)",
                         folder="pass the assignment .json file", not_json="pass the file report.html exported")
    try:
        return assignment_from_dict(document, json_path.name)
    except (InvalidDocument, RecursionError) as error:
        raise InvalidPath(f"{json_path} is not a decomposer assignment ({error}); "
                          "see docs/assignments.md for the format") from None
