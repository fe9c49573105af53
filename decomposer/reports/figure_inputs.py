"""Which figures an analysis supports, and what each one is drawn from (no matplotlib here).

Each figure is drawn from a *view* of the analysis that holds only the fields it reads (the
others blank), so what a figure shows depends on those fields alone: the results cache keys a
figure by its view, and a commit that changes churn but not the services redraws only the
figures that show churn. A drawer that began to read another field would see it blank (and
its test would fail) rather than be served an old picture: add the field here.
"""

from __future__ import annotations

import dataclasses

from decomposer.model import Analysis, Layout, Repository

__all__ = ["FIGURES", "figure_view", "supported_figures"]

FIGURES = ("services", "modules", "brittleness", "cochange", "plan", "data")

# the Analysis fields each drawer reads (reports/figures.py, reports/data_figure.py)
_READS = {
    "services": ("proposal", "imports"),
    "modules": ("proposal", "imports", "modules"),
    "brittleness": ("churn", "modules", "brittleness"),
    "cochange": ("proposal", "cochange"),
    "plan": ("plan",),
    "data": ("tables", "data_links"),
}
_BLANK = {"repository": Repository("", None, Layout(".", (), "")), "modules": (), "imports": (), "excluded": (),
          "exclude_patterns": (), "package_depth": 0, "warnings": ()}


def supported_figures(analysis: Analysis) -> tuple[str, ...]:
    """The figures the analysis can support (no plan or services: fewer), in FIGURES order."""
    proposal = analysis.proposal is not None
    present = {"services": proposal, "modules": proposal, "brittleness": bool(analysis.brittleness),
               "cochange": proposal and bool(analysis.cochange), "plan": analysis.plan is not None,
               "data": proposal and any(table.service for table in analysis.tables)}
    return tuple(name for name in FIGURES if present[name])


def figure_view(analysis: Analysis, name: str) -> Analysis:
    """`analysis` with only the fields figure `name` reads; every other field blank (its default)."""
    kept = _READS[name]
    blank = {}
    for field in dataclasses.fields(Analysis):
        if field.name in kept:
            continue
        if field.default is not dataclasses.MISSING:
            blank[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            blank[field.name] = field.default_factory()
        elif field.name in _BLANK:
            blank[field.name] = _BLANK[field.name]
        # a required field with no blank known here is kept: in the key, and seen by the drawer
    return dataclasses.replace(analysis, **blank)
