"""decomposer: how to break a Python monolith into services, and in what order.

Public API::

    from decomposer import analyze, load_settings
    analysis = analyze(load_settings(Path("path/to/repo"), {"services": 8}))
    saved = load_analysis(Path("report/analysis.json"))   # the same typed Analysis, read back
    analysis, figures = analyze_graph(load_settings(Path("."), {}), Path("deps.dot"))  # any language
"""

from __future__ import annotations

from decomposer._version import __version__
from decomposer.config import Settings, load_settings
from decomposer.model import Analysis
from decomposer.pipeline import analyze, analyze_graph, check, load_analysis, replan, run

__all__ = ["Analysis", "Settings", "__version__", "analyze", "analyze_graph", "check", "load_analysis", "load_settings",
           "replan", "run"]
