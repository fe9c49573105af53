"""Read a JSON file a user hands decomposer (a saved analysis, an assignment): one line per problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from decomposer.errors import InvalidPath

__all__ = ["read_json"]


def read_json(json_path: Path, *, missing: str, folder: str, not_json: str) -> Any:
    """The parsed document; each hint is the "what to do" of its one-line error.

    Raises:
        InvalidPath: `json_path` is missing, a folder, unreadable, not JSON or nested too deeply.
    """
    try:
        return json.loads(json_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidPath(f"{json_path} does not exist; {missing}") from None
    except IsADirectoryError:
        raise InvalidPath(f"{json_path} is a folder; {folder}") from None
    except (OSError, ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise InvalidPath(f"{json_path} is not readable JSON ({reason}); {not_json}") from None
