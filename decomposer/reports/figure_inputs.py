"""Which figures an analysis supports, and what each one is drawn from (no matplotlib here).

Each figure is drawn from a *view* of the analysis that holds only the fields it reads (the
others blank), so what a figure shows depends on those fields alone: the results cache keys a
figure by its view, and a commit that changes churn but not the services redraws only the
figures that show churn. Where a figure draws only some fields of the records in a field
(the brittleness figure: each module's commits, coupling, score and rank; the plan figure:
each step's kind, service, cost and sprints), the view keeps those and blanks the rest of
each record, so figures that move with HEAD's date (recent churn, the reasons and benefits
quoting it) stay kept while what they draw is unchanged. A drawer that began to read another
field would see it blank (and its test would fail) rather than be served an old picture: add
the field here.
"""

from __future__ import annotations

import dataclasses

from decomposer.model import Analysis, Layout, Repository

__all__ = ["FIGURES", "figure_key", "figure_view", "supported_figures"]

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
# figure -> Analysis field -> the fields of its records (or of the value itself) the drawer reads;
# a field of a record nested in a kept field is named "field.subfield" (plan.steps: each PlanStep)
_RECORD_READS = {
    "modules": {"proposal": ("services",), "proposal.services": ("name", "modules", "kind"),
                "imports": ("importer", "imported"), "modules": ("module", "fan_in", "fan_out")},
    "cochange": {"proposal": ("services",), "proposal.services": ("name", "modules"),
                 "cochange": ("a", "b", "shared_commits")},
    "brittleness": {"churn": ("module", "commits"), "modules": ("module", "fan_in", "fan_out"),
                    "brittleness": ("module", "score", "rank")},
    "plan": {"plan": ("capacity", "steps"), "plan.steps": ("order", "kind", "service", "cost", "sprint", "sprints")},
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


def figure_key(analysis: Analysis, name: str, formats: tuple[str, ...]) -> tuple[str, Analysis, tuple[str, ...]]:
    """What figure `name` is kept by in the results cache: its name, its view, the formats."""
    return name, figure_view(analysis, name), formats


def figure_view(analysis: Analysis, name: str) -> Analysis:
    """`analysis` with only the fields figure `name` reads; every other field blank (its default)."""
    kept = _READS[name]
    blank = {}
    for field in dataclasses.fields(Analysis):
        if field.name not in kept and (value := _blank(field, getattr(analysis, field.name))) is not _KEPT:
            blank[field.name] = value
    for field, reads in _RECORD_READS.get(name, {}).items():
        if "." in field:
            continue
        value = getattr(analysis, field)
        nested = {inner.split(".", 1)[1]: kept_fields for inner, kept_fields in _RECORD_READS[name].items()
                  if inner.startswith(field + ".")}
        if isinstance(value, tuple):
            blank[field] = tuple(_only(record, reads, nested) for record in value)
        elif value is not None:
            blank[field] = _only(value, reads, nested)
    return dataclasses.replace(analysis, **blank)


def _only(record: object, reads: tuple[str, ...], nested: dict[str, tuple[str, ...]]) -> object:
    """`record` (a dataclass) with only the fields in `reads` (records in the `nested` fields cut
    down in turn to theirs); every other field blank: its default, or the empty value of its type
    (a field of another type is kept: in the key, and seen by the drawer)."""
    changes = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if field.name in nested:
            changes[field.name] = tuple(_only(inner, nested[field.name], {}) for inner in value)
        elif field.name not in reads and (value := _blank(field, value)) is not _KEPT:
            changes[field.name] = value
    return dataclasses.replace(record, **changes)


_KEPT = object()


def _blank(field: dataclasses.Field, value: object) -> object:
    """The blank of a field holding `value`: its default, the one `_BLANK` names, or the empty
    value of its type; `_KEPT` for a required field of another type (kept: in the key, and seen
    by the drawer)."""
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    if field.name in _BLANK and isinstance(_BLANK[field.name], type(value)):
        return _BLANK[field.name]
    if value is None or isinstance(value, (bool, int, float, str, tuple)):
        return None if value is None else type(value)()
    return _KEPT
