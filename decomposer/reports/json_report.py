"""analysis.json: the document `schema.analysis_to_dict` builds, as UTF-8 JSON text."""

from __future__ import annotations

import json
from decomposer.model import Analysis
from decomposer.schema import analysis_to_dict

__all__ = ["analysis_json"]


def analysis_json(analysis: Analysis) -> str:
    """The text of analysis.json: same analysis, same bytes."""
    return json.dumps(analysis_to_dict(analysis), indent=2, ensure_ascii=False) + "\n"

