"""Read back an analysis.json written by `decomposer analyze` (for `plan`, `contracts`, `check`)."""

from __future__ import annotations

import json
from pathlib import Path

from decomposer.errors import InvalidPath
from decomposer.model import Analysis
from decomposer.schema import InvalidDocument, analysis_from_dict

__all__ = ["read_analysis"]


def read_analysis(json_path: Path) -> Analysis:
    """Load the analysis saved at `json_path`.

    Raises:
        InvalidPath: the file is missing or unreadable, not JSON, or not a decomposer analysis
            this version can read (the message names the first field that is wrong).
    """
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidPath(f"{json_path} does not exist; run `decomposer analyze` first") from None
    except IsADirectoryError:
        raise InvalidPath(f"{json_path} is a folder; pass the analysis.json inside it") from None
    except (OSError, ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise InvalidPath(f"{json_path} is not readable JSON ({reason}); pass the analysis.json "
                          "that `decomposer analyze` wrote") from None
    try:
        analysis = analysis_from_dict(document)
    except (InvalidDocument, RecursionError) as error:
        raise InvalidPath(f"{json_path} is not a decomposer analysis.json this version can read "
                          f"({error}); run `decomposer analyze` again") from None
    if analysis.proposal is None or not analysis.proposal.services:
        raise InvalidPath(f"{json_path} holds no proposed services; run `decomposer analyze` again")
    return analysis
