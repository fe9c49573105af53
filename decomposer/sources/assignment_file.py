"""Read an assignment file (docs/assignments.md): the services a person chose in report.html."""

from __future__ import annotations

import json
from pathlib import Path

from decomposer.errors import InvalidPath
from decomposer.model import Assignment
from decomposer.schema import InvalidDocument, assignment_from_dict

__all__ = ["read_assignment"]


def read_assignment(json_path: Path) -> Assignment:
    """Load the assignment saved at `json_path`.

    Raises:
        InvalidPath: the file is missing or unreadable, not JSON, or not an assignment (the
            message names the first field that is wrong).
    """
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidPath(f"{json_path} does not exist; export it from report.html (Review the boundaries, Export the assignment)") from None
    except IsADirectoryError:
        raise InvalidPath(f"{json_path} is a folder; pass the assignment .json file") from None
    except (OSError, ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise InvalidPath(f"{json_path} is not readable JSON ({reason}); pass the file report.html exported") from None
    try:
        return assignment_from_dict(document, json_path.name)
    except (InvalidDocument, RecursionError) as error:
        raise InvalidPath(f"{json_path} is not a decomposer assignment ({error}); "
                          "see docs/assignments.md for the format") from None
