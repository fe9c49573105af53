"""Read back an analysis.json written by `decomposer analyze` (for `plan`, `contracts`, `check`)."""

from __future__ import annotations

from pathlib import Path

from decomposer.errors import InvalidPath
from decomposer.model import Analysis
from decomposer.schema import InvalidDocument, analysis_from_dict
from decomposer.sources.json_file import read_json

__all__ = ["read_analysis"]


def read_analysis(json_path: Path) -> Analysis:
    """Load the analysis saved at `json_path`.

    Raises:
        InvalidPath: the file is missing or unreadable, not JSON, or not a decomposer analysis
            this version can read (the message names the first field that is wrong).
    """
    document = read_json(json_path, missing="run `decomposer analyze` first",
                         folder="pass the analysis.json inside it",
                         not_json="pass the analysis.json that `decomposer analyze` wrote")
    try:
        analysis = analysis_from_dict(document)
    except (InvalidDocument, RecursionError) as error:
        raise InvalidPath(f"{json_path} is not a decomposer analysis.json this version can read "
                          f"({error}); run `decomposer analyze` again") from None
    if analysis.proposal is None or not analysis.proposal.services:
        raise InvalidPath(f"{json_path} holds no proposed services; run `decomposer analyze` again")
    return analysis
