"""decomposer: how to break a Python monolith into services, and in what order.

Public API::

    from decomposer import analyze, load_settings
    analysis = analyze(load_settings(Path("path/to/repo"), {"services": 8}))
    saved = load_analysis(Path("report/analysis.json"))   # the same typed Analysis, read back
    analysis, figures = analyze_graph(load_settings(Path("."), {}), Path("deps.dot"))  # any language
    edited = reassign(saved, load_assignment(Path("assignment.json")))  # boundaries from report.html
    assignment_figures(saved, edited.service_of)          # the figures the page recomputes
    frames = tables(saved)   # the CSV tables as pandas DataFrames: frames["brittle_modules"], ...
"""

from __future__ import annotations

from decomposer._version import __version__
from decomposer.config import Settings, load_settings
from decomposer.model import Analysis
from decomposer.pipeline import (
    analyze,
    analyze_graph,
    assignment_figures,
    check,
    load_analysis,
    load_assignment,
    reassign,
    replan,
    run,
)
from decomposer.reports.csv_report import tables

__all__ = ["Analysis", "Settings", "__version__", "analyze", "analyze_graph", "assignment_figures", "check",
           "load_analysis", "load_assignment", "load_settings", "reassign", "replan", "run", "tables"]
