"""analysis.json: the product's stable contract (documented in docs/analysis-schema.md).

Same analysis in, same bytes out: every list is already sorted by the stages, keys keep a
fixed order, and nothing time-dependent is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from decomposer._version import __version__
from decomposer.model import Analysis

__all__ = ["SCHEMA_VERSION", "analysis_to_dict", "write_analysis_json"]

SCHEMA_VERSION = 1


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """Return the JSON document for `analysis` as plain dicts and lists."""
    repository = analysis.repository
    modules = analysis.modules
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "decomposer", "version": __version__},
        "repository": {
            "path": repository.path,
            "head": repository.head,
            "packages": list(repository.layout.packages),
            "source_root": repository.layout.source_root,
            "layout_reason": repository.layout.reason,
        },
        "settings": {
            "exclude": list(analysis.exclude_patterns),
            "package_depth": analysis.package_depth,
        },
        "summary": {
            "modules": len(modules),
            "imports": len(analysis.imports),
            "import_statements": sum(edge.count for edge in analysis.imports),
            "loc": sum(record.loc for record in modules),
            "packages": len({record.package for record in modules}),
            "excluded_modules": len(analysis.excluded),
            "warnings": len(analysis.warnings),
        },
        "modules": [
            {
                "module": record.module,
                "path": record.path,
                "package": record.package,
                "loc": record.loc,
                "fan_in": record.fan_in,
                "fan_out": record.fan_out,
                "imports_in": record.imports_in,
                "imports_out": record.imports_out,
            }
            for record in modules
        ],
        "imports": [
            {"importer": edge.importer, "imported": edge.imported, "count": edge.count,
             "lines": list(edge.lines)}
            for edge in analysis.imports
        ],
        "excluded_modules": list(analysis.excluded),
        "warnings": [{"path": warning.path, "message": warning.message} for warning in analysis.warnings],
    }


def write_analysis_json(analysis: Analysis, out_dir: Path) -> Path:
    """Write `out_dir/analysis.json` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "analysis.json"
    text = json.dumps(analysis_to_dict(analysis), indent=2, ensure_ascii=False) + "\n"
    json_path.write_text(text, encoding="utf-8")
    return json_path
