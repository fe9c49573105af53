"""analysis.json on disk: the document `schema.analysis_to_dict` builds, written as UTF-8 JSON."""

from __future__ import annotations

import json
from pathlib import Path

from decomposer.model import Analysis
from decomposer.schema import analysis_to_dict

__all__ = ["analysis_json", "write_analysis_json"]


def analysis_json(analysis: Analysis) -> str:
    """The text of analysis.json: same analysis, same bytes."""
    return json.dumps(analysis_to_dict(analysis), indent=2, ensure_ascii=False) + "\n"


def write_analysis_json(analysis: Analysis, out_dir: Path) -> Path:
    """Write `out_dir/analysis.json` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "analysis.json"
    json_path.write_text(analysis_json(analysis), encoding="utf-8")
    return json_path
