"""analysis.json: the document `schema.analysis_to_dict` builds, as UTF-8 JSON text.

Layout (docs/analysis-schema.md): the top-level keys one per line; each record of a top-level
list (modules, imports, cochange, services, plan steps, ...) on a line of its own, written by
the json module's C encoder; the small top-level objects indented by two spaces. A changed
module is one changed line in a diff, and a 20,000-module analysis is written in a fraction
of the time `indent=2` takes (that path of the json module is pure Python).
"""

from __future__ import annotations

import json

from decomposer.model import Analysis
from decomposer.schema import analysis_to_dict

__all__ = ["analysis_json", "document_json"]

_COMPACT = json.JSONEncoder(ensure_ascii=False).encode  # no indent: the C encoder


def analysis_json(analysis: Analysis) -> str:
    """The text of analysis.json: same analysis, same bytes."""
    return document_json(analysis_to_dict(analysis))


def document_json(document: dict) -> str:
    """`document` (a JSON object) as analysis.json lays it out: a list of objects one per line."""
    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            text = "[\n    " + ",\n    ".join(map(_COMPACT, value)) + "\n  ]"
        else:  # a JSON string never holds a raw line break: indenting after each one is safe
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        lines.append(f"  {_COMPACT(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"
