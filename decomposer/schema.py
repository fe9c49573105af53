"""analysis.json, the product's stable contract: `Analysis` -> dict and back, both ways.

This is the only module that knows analysis.json's keys (documented in
docs/analysis-schema.md). Writing: every list is already sorted by the stages, keys keep a
fixed order and nothing time-dependent is written, so the same analysis gives the same bytes.
Reading: every field is checked for presence and type, and the first problem is named by its
place in the document (`modules[3].loc`), so a hand-edited or truncated file gives one clear
line instead of a traceback. `Analysis -> dict -> Analysis -> dict` gives the same document.
"""

from __future__ import annotations

import datetime
from typing import Any

from decomposer._version import __version__
from decomposer.model import (
    ALGORITHMS,
    ASSIGNMENT_SCHEMA,
    GRANULARITIES,
    HOTSPOTS,
    KERNEL,
    LINK_KINDS,
    ROLES,
    TOOLING,
    ModuleRole,
    PARTITIONS,
    SERVICE,
    STEP_KINDS,
    TABLE_KINDS,
    Analysis,
    Assignment,
    DataCut,
    DataLink,
    Table,
    AnalysisWarning,
    BrittleModule,
    CoChange,
    CouplingThresholds,
    Detection,
    HistorySummary,
    HistoryWindow,
    ImportEdge,
    ImportSite,
    KernelRule,
    Layout,
    ModuleChurn,
    ModuleRecord,
    Plan,
    PlanStep,
    Proposal,
    QualityFigures,
    Repository,
    RuntimeCall,
    RuntimeTrace,
    Scoring,
    UseCase,
    Service,
    Stability,
)

__all__ = ["SCHEMA_VERSION", "COST_UNIT", "InvalidDocument", "analysis_from_dict", "analysis_to_dict",
           "assignment_from_dict", "assignment_to_dict", "iso_time", "module_rows", "plan_to_dict", "sprint_count"]

SCHEMA_VERSION = 3  # 2: tables, data_links, crossing data in quality, data_cuts in plan steps; 3: runtime, split_modules
_READABLE = (1, 2, 3)  # version 1 documents read as having no ORM models, 1 and 2 as having no trace
COST_UNIT = ("change points: one per import statement to cut or re-route and per module to move; "
             "an import into the monolith counts twice")


class InvalidDocument(ValueError):
    """The document is not an analysis.json this version can read; the message names the field."""


# ---------------------------------------------------------------------------------------------
# Writing


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
            "brittleness_weights": None if analysis.scoring is None else dict(analysis.scoring.weights),
            "recent_days": analysis.recent_days,
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
        "modules": module_rows(analysis),
        "imports": [
            {"importer": edge.importer, "imported": edge.imported, "count": edge.count,
             "lines": list(edge.lines), "names": list(edge.names)}
            for edge in analysis.imports
        ],
        "history": _history(analysis.history),
        "cochange": [
            {"a": pair.a, "b": pair.b, "shared_commits": pair.shared_commits, "degree": pair.degree}
            for pair in analysis.cochange
        ],
        "tables": [_table(table) for table in analysis.tables],
        "data_links": [_link(link) for link in analysis.data_links],
        "runtime": _runtime(analysis),
        **_proposal(analysis.proposal),
        **plan_to_dict(analysis.plan),
        "excluded_modules": list(analysis.excluded),
        "module_roles": [{"module": role.module, "role": role.role, "reason": role.reason}
                         for role in analysis.roles],
        "warnings": [{"path": warning.path, "message": warning.message} for warning in analysis.warnings],
    }


def module_rows(analysis: Analysis) -> list[dict[str, Any]]:
    """One flat record per module: analysis.json's `modules`, and the rows of modules.csv."""
    churn = {record.module: record for record in analysis.churn}
    soc = dict(analysis.sum_of_coupling)
    brittle = {entry.module: entry for entry in analysis.brittleness}
    service_of = analysis.service_of
    confidence = dict(analysis.proposal.confidence) if analysis.proposal else {}
    return [
        {
            "module": record.module,
            "path": record.path,
            "package": record.package,
            "service": service_of.get(record.module),
            "confidence": confidence.get(record.module),
            "loc": record.loc,
            "fan_in": record.fan_in,
            "fan_out": record.fan_out,
            "imports_in": record.imports_in,
            "imports_out": record.imports_out,
            **_churn_fields(churn.get(record.module), soc.get(record.module)),
            **_brittle_fields(brittle.get(record.module)),
        }
        for record in analysis.modules
    ]


def _table(table: Table) -> dict[str, Any]:
    return {"model": table.model, "table": table.table, "app": table.app, "module": table.module,
            "path": table.path, "line": table.line, "service": table.service or None, "kind": table.kind,
            "orm": table.orm, "parent": table.parent or None}


def _link(link: DataLink) -> dict[str, Any]:
    return {"kind": link.kind, "source": link.source, "target": link.target, "module": link.module,
            "file": link.path, "line": link.line, "field": link.field or None, "through": link.through or None,
            "crossing": link.crossing, "import_visible": link.import_visible}


def _brittle_fields(entry: BrittleModule | None) -> dict[str, Any]:
    if entry is None:
        return {}
    return {
        "instability": entry.instability,
        "betweenness": entry.betweenness,
        "cycle_size": entry.cycle_size,
        "cycle_breakers": list(entry.cycle_breakers),
        "services_importing": entry.services_importing,
        "services_imported": entry.services_imported,
        "fan_in_across": entry.fan_in_across,
        "fan_out_across": entry.fan_out_across,
        "imports_in_across": entry.imports_in_across,
        "imports_out_across": entry.imports_out_across,
        "brittleness": entry.score,
        "brittleness_rank": entry.rank,
        "hotspot": entry.hotspot,
        "reasons": list(entry.reasons),
    }


def _churn_fields(churn: ModuleChurn | None, soc: int | None) -> dict[str, Any]:
    # Without history every figure is null ("unknown"), never 0 ("did not change").
    return {
        "commits": churn.commits if churn else None,
        "recent_commits": churn.recent_commits if churn else None,
        "lines_added": churn.lines_added if churn else None,
        "lines_deleted": churn.lines_deleted if churn else None,
        "authors": churn.authors if churn else None,
        "first_change": iso_time(churn.first_change) if churn else None,
        "last_change": iso_time(churn.last_change) if churn else None,
        "sum_of_coupling": soc,
    }


def _proposal(proposal: Proposal | None) -> dict[str, Any]:
    if proposal is None:
        return {"detection": None, "services": [], "quality": None, "stability": None, "verticals": [],
                "platform_modules": [], "split_modules": []}
    detection = proposal.detection
    return {
        "detection": {
            "algorithm": detection.algorithm,
            "resolution": proposal.resolution,
            "requested_services": detection.target_services,
            "seed": detection.seed,
            "weights": {"structural": detection.structural_weight, "cochange": detection.cochange_weight,
                        "data": detection.data_weight, "runtime": detection.runtime_weight},
            "granularity": detection.granularity,
            "min_service_size": detection.min_service_size,
            "consensus_runs": detection.consensus_runs,
            "consensus_threshold": detection.consensus_threshold,
            "min_service_share": detection.min_service_share,
            "max_service_share": detection.max_service_share,
            "verticals": detection.verticals,
            "vertical_tie": detection.vertical_tie,
            "kernel_rule": {
                "min_packages": detection.kernel.min_packages,
                "min_outside_share": detection.kernel.min_outside_share,
                "max_instability": detection.kernel.max_instability,
            },
            "together": [list(patterns) for patterns in detection.together],
            "apart": [list(patterns) for patterns in detection.apart],
        },
        "services": [
            {
                "name": service.name,
                "kind": service.kind,
                "size": len(service.modules),
                "loc": service.loc,
                "packages": [{"package": package, "modules": count} for package, count in service.packages],
                "modules": list(service.modules),
            }
            for service in proposal.services
        ],
        "quality": {name: _quality(figures) for name, figures in proposal.quality},
        "verticals": [{"domain": domain, "slices": list(slices)} for domain, slices in proposal.verticals],
        "platform_modules": list(proposal.platform),
        "split_modules": list(proposal.split),
        "stability": None if proposal.stability is None else {
            "seeds": list(proposal.stability.seeds),
            "mean_ari": proposal.stability.mean_ari,
            "min_ari": proposal.stability.min_ari,
            "moving_modules": [{"module": module, "runs": runs} for module, runs in proposal.stability.moving],
        },
    }


def _quality(figures: QualityFigures) -> dict[str, Any]:
    return {
        "groups": figures.groups,
        "modularity": figures.modularity,
        "sm": figures.sm,
        "icp": figures.icp,
        "ifn": figures.ifn,
        "ned": figures.ned,
        "cochange_cohesion": figures.cochange_cohesion,
        "largest_share": figures.largest_share,
        "crossing_data_links": figures.crossing_data_links,
        "crossing_data_share": figures.crossing_data_share,
        "bcp": figures.bcp,
        "crossing_runtime_share": figures.crossing_runtime_share,
    }


def _history(history: HistorySummary | None) -> dict[str, Any] | None:
    if history is None:
        return None
    thresholds = history.thresholds
    return {
        "window": {
            "since": iso_time(history.window.since),
            "until": iso_time(history.window.until),
            "description": history.window.description,
        },
        "commits_analyzed": history.commits_analyzed,
        "coupling_commits": history.coupling_commits,
        "skipped_large_commits": history.skipped_large_commits,
        "shallow": history.shallow,
        "unreadable_commits": list(history.unreadable_commits),
        "thresholds": {
            "min_revisions": thresholds.min_revisions,
            "min_shared_commits": thresholds.min_shared_commits,
            "min_degree": thresholds.min_degree,
            "max_changeset": thresholds.max_changeset,
        },
    }


def plan_to_dict(plan: Plan | None) -> dict[str, Any]:
    """The `plan` (the steps, in order) and `plan_summary` sections (also all of plan.json)."""
    return {"plan": [] if plan is None else [_step(step) for step in plan.steps],
            "plan_summary": None if plan is None else {
                "sprint_capacity": plan.capacity,
                "cost_unit": COST_UNIT,
                "sprints": sprint_count(plan),
                "steps": len(plan.steps),
                "cycles": [list(cycle) for cycle in plan.cycles],
                "outbound_weight": plan.outbound_weight,
                "reverse_outbound_weight": plan.reverse_outbound_weight,
            }}


def sprint_count(plan: Plan) -> int:
    """The sprints the whole plan spans."""
    return max((step.sprint + step.sprints - 1 for step in plan.steps), default=0)


def _step(step: PlanStep) -> dict[str, Any]:
    return {
        "order": step.order, "sprint": step.sprint, "sprints": step.sprints, "kind": step.kind,
        "service": step.service, "modules": list(step.modules), "cost": step.cost,
        "benefit": step.benefit,
        "outbound_imports": [_site(site) for site in step.outbound],
        "inbound_imports": [_site(site) for site in step.inbound],
        "cuts": [_site(site) for site in step.cuts],
        "surface": list(step.surface),
        "risk": [{"module": module, "brittleness": score} for module, score in step.risk],
        "rationale": step.rationale,
        "data_cuts": [{"kind": cut.kind, "source": cut.source, "target": cut.target, "file": cut.path,
                       "line": cut.line, "outbound": cut.outbound, "pattern": cut.pattern}
                      for cut in step.data_cuts],
        "runtime_calls": step.runtime_calls,
        "runtime_use_cases": list(step.runtime_use_cases),
    }


def _runtime(analysis: Analysis) -> dict[str, Any] | None:
    trace = analysis.runtime
    if trace is None:
        return None
    never = trace.never_executed(tuple(record.module for record in analysis.modules))
    return {
        "traces": list(trace.sources), "heads": list(trace.heads),
        "use_cases": [{"name": use_case.name, "modules": list(use_case.modules)} for use_case in trace.use_cases],
        "calls": [{"caller": call.caller, "callee": call.callee, "calls": call.calls,
                   "use_cases": dict(call.use_cases)} for call in trace.calls],
        "executed": list(trace.executed),
        "without_functions": list(trace.without_functions),
        "never_executed": list(never),
    }


def _site(site: ImportSite) -> dict[str, Any]:
    return {"importer": site.importer, "imported": site.imported, "path": site.path,
            "lines": list(site.lines), "names": list(site.names)}


def iso_time(seconds: int | None) -> str | None:
    """`2025-04-15T00:00:00Z` for Unix seconds, in UTC; None stays None."""
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime(_TIME_FORMAT)


_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# ---------------------------------------------------------------------------------------------
# Reading


def analysis_from_dict(document: Any) -> Analysis:
    """Rebuild the `Analysis` that `analysis_to_dict` wrote.

    Raises:
        InvalidDocument: another schema version, or a field missing or of the wrong type.
    """
    root = _Record(document, "the document")
    version = root.get("schema_version", int)
    if version not in _READABLE:
        raise InvalidDocument(f"schema_version is {version}, this decomposer reads "
                              + ", ".join(str(known) for known in _READABLE[:-1]) + f" and {_READABLE[-1]}")
    repository, settings = root.record("repository"), root.record("settings")
    modules = root.records("modules")
    history = None if root.optional("history", dict) is None else _history_from(root.record("history"))
    return Analysis(
        repository=Repository(
            path=repository.get("path", str), head=repository.optional("head", str),
            layout=Layout(source_root=repository.get("source_root", str),
                          packages=repository.strings("packages"),
                          reason=repository.get("layout_reason", str))),
        modules=tuple(_module_from(record) for record in modules),
        imports=tuple(ImportEdge(edge.get("importer", str), edge.get("imported", str), edge.ints("lines"),
                                 edge.strings("names")) for edge in root.records("imports")),
        excluded=root.strings("excluded_modules"),
        exclude_patterns=settings.strings("exclude"),
        package_depth=settings.get("package_depth", int),
        warnings=tuple(AnalysisWarning(warning.get("path", str), warning.get("message", str))
                       for warning in root.records("warnings")),
        history=history,
        churn=tuple(_churn_from(record) for record in modules if history is not None
                    and record.optional("commits", int) is not None),
        cochange=tuple(CoChange(pair.get("a", str), pair.get("b", str), pair.get("shared_commits", int),
                                pair.get("degree", float)) for pair in root.records("cochange")),
        sum_of_coupling=tuple((record.get("module", str), record.get("sum_of_coupling", int))
                              for record in modules if record.optional("sum_of_coupling", int) is not None),
        proposal=_proposal_from(root),
        brittleness=tuple(sorted((_brittle_from(record) for record in modules if record.has("brittleness_rank")),
                                 key=lambda entry: entry.rank)),
        plan=_plan_from(root),
        tables=tuple(_table_from(table) for table in root.records("tables")) if version > 1 else (),
        data_links=tuple(_link_from(link) for link in root.records("data_links")) if version > 1 else (),
        # absent from files written before roles were read from the code: none found
        roles=tuple(ModuleRole(role.get("module", str), role.choice("role", ROLES), role.get("reason", str))
                    for role in (root.records("module_roles") if root.has("module_roles") else ())),
        scoring=_scoring_from(settings),
        recent_days=settings.optional("recent_days", int) if settings.has("recent_days") else None,
        runtime=_runtime_from(root) if version > 2 else None,
    )


def _runtime_from(root: _Record) -> RuntimeTrace | None:
    if root.optional("runtime", dict) is None:
        return None
    runtime = root.record("runtime")
    return RuntimeTrace(
        runtime.strings("traces"), runtime.strings("heads"),
        tuple(UseCase(item.get("name", str), item.strings("modules")) for item in runtime.records("use_cases")),
        tuple(RuntimeCall(call.get("caller", str), call.get("callee", str), call.get("calls", int),
                          tuple((name, counts.get(name, int)) for counts in (call.record("use_cases"),)
                                for name in counts.value))
              for call in runtime.records("calls")),
        runtime.strings("executed"), runtime.strings("without_functions"))


def _scoring_from(settings: _Record) -> Scoring | None:
    """The brittleness weights, when the analysis recorded them (older ones did not)."""
    if not settings.has("brittleness_weights") or settings.optional("brittleness_weights", dict) is None:
        return None
    weights = settings.record("brittleness_weights")
    return Scoring(tuple((name, weights.get(name, float)) for name in weights.value))


def _table_from(table: _Record) -> Table:
    return Table(model=table.get("model", str), table=table.get("table", str), app=table.get("app", str),
                 module=table.get("module", str), path=table.get("path", str), line=table.get("line", int),
                 kind=table.choice("kind", TABLE_KINDS), orm=table.get("orm", str),
                 parent=table.optional("parent", str) or "", service=table.optional("service", str) or "")


def _link_from(link: _Record) -> DataLink:
    return DataLink(kind=link.choice("kind", LINK_KINDS), source=link.get("source", str),
                    target=link.get("target", str), module=link.get("module", str), path=link.get("file", str),
                    line=link.get("line", int), field=link.optional("field", str) or "",
                    through=link.optional("through", str) or "", crossing=link.get("crossing", bool),
                    import_visible=link.get("import_visible", bool))


def _module_from(record: _Record) -> ModuleRecord:
    return ModuleRecord(record.get("module", str), record.get("path", str), record.get("package", str),
                        record.get("loc", int), record.get("fan_in", int), record.get("fan_out", int),
                        record.get("imports_in", int), record.get("imports_out", int))


def _churn_from(record: _Record) -> ModuleChurn:
    return ModuleChurn(record.get("module", str), record.get("commits", int), record.get("lines_added", int),
                       record.get("lines_deleted", int), record.get("authors", int),
                       record.time("first_change"), record.time("last_change"), record.get("recent_commits", int))


def _brittle_from(record: _Record) -> BrittleModule:
    return BrittleModule(
        module=record.get("module", str), instability=record.get("instability", float),
        betweenness=record.get("betweenness", float), cycle_size=record.get("cycle_size", int),
        cycle_breakers=record.strings("cycle_breakers"),
        services_importing=record.get("services_importing", int),
        services_imported=record.get("services_imported", int),
        fan_in_across=record.get("fan_in_across", int), fan_out_across=record.get("fan_out_across", int),
        imports_in_across=record.get("imports_in_across", int),
        imports_out_across=record.get("imports_out_across", int),
        score=record.get("brittleness", float), rank=record.get("brittleness_rank", int),
        hotspot=record.choice("hotspot", HOTSPOTS), reasons=record.strings("reasons"))


def _history_from(history: _Record) -> HistorySummary:
    window, thresholds = history.record("window"), history.record("thresholds")
    return HistorySummary(
        window=HistoryWindow(window.time("since"), window.time("until"), window.get("description", str)),
        commits_analyzed=history.get("commits_analyzed", int),
        coupling_commits=history.get("coupling_commits", int),
        skipped_large_commits=history.get("skipped_large_commits", int),
        shallow=history.get("shallow", bool),
        unreadable_commits=history.strings("unreadable_commits"),
        thresholds=CouplingThresholds(thresholds.get("min_revisions", int),
                                      thresholds.get("min_shared_commits", int),
                                      thresholds.get("min_degree", float), thresholds.get("max_changeset", int)),
    )


def _proposal_from(root: _Record) -> Proposal | None:
    if root.optional("detection", dict) is None:
        return None
    detection, quality = root.record("detection"), root.record("quality")
    weights, rule = detection.record("weights"), detection.record("kernel_rule")
    stability = None if root.optional("stability", dict) is None else root.record("stability")
    resolution = detection.get("resolution", float)
    return Proposal(
        detection=Detection(
            algorithm=detection.choice("algorithm", ALGORITHMS), resolution=resolution,
            target_services=detection.optional("requested_services", int), seed=detection.get("seed", int),
            structural_weight=weights.get("structural", float), cochange_weight=weights.get("cochange", float),
            data_weight=weights.get("data", float) if weights.has("data") else 1.0,
            runtime_weight=weights.get("runtime", float) if weights.has("runtime") else 0.0,
            min_service_size=detection.get("min_service_size", int),
            # absent from files written before consensus clustering: one run, kept as it was
            consensus_runs=detection.get("consensus_runs", int) if detection.has("consensus_runs") else 1,
            min_service_share=(detection.get("min_service_share", float) if detection.has("min_service_share")
                               else 0.0),
            max_service_share=(detection.get("max_service_share", float) if detection.has("max_service_share")
                               else 1.0),
            verticals=detection.get("verticals", bool) if detection.has("verticals") else False,
            vertical_tie=detection.get("vertical_tie", float) if detection.has("vertical_tie") else 0.0,
            consensus_threshold=(detection.get("consensus_threshold", float) if detection.has("consensus_threshold")
                                 else Detection().consensus_threshold),
            granularity=detection.choice("granularity", GRANULARITIES),
            stability_runs=len(stability.ints("seeds")) if stability else 0,
            kernel=KernelRule(rule.get("min_packages", int), rule.get("min_outside_share", float),
                              rule.get("max_instability", float)),
            together=detection.string_lists("together"), apart=detection.string_lists("apart")),
        resolution=resolution,
        services=tuple(Service(service.get("name", str), service.choice("kind", (SERVICE, KERNEL, TOOLING)), service.strings("modules"),
                               service.get("loc", int),
                               tuple((item.get("package", str), item.get("modules", int))
                                     for item in service.records("packages")))
                       for service in root.records("services")),
        quality=tuple((name, _quality_from(quality.record(name))) for name in PARTITIONS),
        stability=None if stability is None else Stability(
            stability.ints("seeds"), stability.get("mean_ari", float), stability.get("min_ari", float),
            tuple((item.get("module", str), item.get("runs", int)) for item in stability.records("moving_modules"))),
        confidence=tuple((record.get("module", str), record.get("confidence", float))
                         for record in sorted(root.records("modules"), key=lambda record: record.get("module", str))
                         if record.has("confidence") and record.optional("confidence", float) is not None),
        verticals=tuple((item.get("domain", str), item.strings("slices"))
                        for item in (root.records("verticals") if root.has("verticals") else ())),
        platform=root.strings("platform_modules") if root.has("platform_modules") else (),
        split=root.strings("split_modules") if root.has("split_modules") else (),
    )


def _quality_from(figures: _Record) -> QualityFigures:
    data = figures.has("crossing_data_links")  # absent from version 1 documents
    return QualityFigures(figures.get("groups", int), figures.get("modularity", float), figures.get("sm", float),
                          figures.get("icp", float), figures.get("ifn", float), figures.get("ned", float),
                          figures.optional("cochange_cohesion", float), figures.get("largest_share", float),
                          figures.optional("crossing_data_links", int) if data else None,
                          figures.optional("crossing_data_share", float) if data else None,
                          figures.optional("bcp", float) if figures.has("bcp") else None,
                          figures.optional("crossing_runtime_share", float) if figures.has("crossing_runtime_share")
                          else None)


def _plan_from(root: _Record) -> Plan | None:
    if root.optional("plan_summary", dict) is None:
        return None
    summary = root.record("plan_summary")
    return Plan(summary.get("sprint_capacity", int), tuple(_step_from(step) for step in root.records("plan")),
                summary.string_lists("cycles"), summary.get("outbound_weight", int),
                summary.get("reverse_outbound_weight", int))


def _step_from(step: _Record) -> PlanStep:
    return PlanStep(
        order=step.get("order", int), kind=step.choice("kind", STEP_KINDS), service=step.get("service", str),
        modules=step.strings("modules"), cost=step.get("cost", int), benefit=step.get("benefit", float),
        outbound=_sites_from(step, "outbound_imports"), inbound=_sites_from(step, "inbound_imports"),
        cuts=_sites_from(step, "cuts"), surface=step.strings("surface"),
        risk=tuple((item.get("module", str), item.get("brittleness", float)) for item in step.records("risk")),
        rationale=step.get("rationale", str), sprint=step.get("sprint", int), sprints=step.get("sprints", int),
        data_cuts=tuple(DataCut(cut.choice("kind", LINK_KINDS), cut.get("source", str), cut.get("target", str),
                                cut.get("file", str), cut.get("line", int), cut.get("outbound", bool),
                                cut.get("pattern", str))
                        for cut in (step.records("data_cuts") if step.has("data_cuts") else ())),
        runtime_calls=step.optional("runtime_calls", int) if step.has("runtime_calls") else None,
        runtime_use_cases=step.strings("runtime_use_cases") if step.has("runtime_use_cases") else ())


def _sites_from(step: _Record, key: str) -> tuple[ImportSite, ...]:
    return tuple(ImportSite(site.get("importer", str), site.get("imported", str), site.get("path", str),
                            site.ints("lines"), site.strings("names")) for site in step.records(key))


_KINDS = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
          dict: "an object", list: "a list"}


def assignment_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The analysis's proposal as an assignment file (docs/assignments.md): what report.html exports."""
    return {"schema": ASSIGNMENT_SCHEMA, "repository_head": analysis.repository.head,
            "services": dict(sorted(analysis.service_of.items()))}


def assignment_from_dict(document: Any, source: str) -> Assignment:
    """Read an assignment file's document; `source` names the file in messages.

    Raises:
        InvalidDocument: not an assignment of this format, or a module or service name that is
            not a non-empty string (the message names the first).
    """
    root = _Record(document, "the document")
    if root.optional("schema", str) != ASSIGNMENT_SCHEMA:
        raise InvalidDocument(f"schema should be {ASSIGNMENT_SCHEMA!r}, not {root.value.get('schema')!r}")
    services = root.get("services", dict)
    for module, service in services.items():
        if not module or not isinstance(service, str) or not service.strip():
            raise InvalidDocument(f"services[{module!r}] should be a service name (a non-empty string), "
                                  f"not {_type_name(service) if not isinstance(service, str) else repr(service)}")
    if not services:
        raise InvalidDocument("services is empty: it should map every module to its service")
    head = root.optional("repository_head", str) if root.has("repository_head") else None
    return Assignment(tuple(sorted((module, service.strip()) for module, service in services.items())), head, source)


class _Record:
    """A JSON object with its place in the document, for reading fields by expected type."""

    __slots__ = ("value", "where")

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise InvalidDocument(f"{where} should be an object, not {_type_name(value)}")
        self.value, self.where = value, where

    def has(self, key: str) -> bool:
        return key in self.value

    def get(self, key: str, kind: type) -> Any:
        value = self.optional(key, kind)
        if value is None:
            raise InvalidDocument(f"{self._at(key)} should be {_KINDS[kind]}, not null")
        return value

    def optional(self, key: str, kind: type) -> Any:
        if key not in self.value:
            raise InvalidDocument(f"{self._at(key)} is missing")
        value = self.value[key]
        if value is not None and not _is_kind(value, kind):
            raise InvalidDocument(f"{self._at(key)} should be {_KINDS[kind]}, not {_type_name(value)}")
        return value

    def time(self, key: str) -> int | None:
        value = self.optional(key, str)
        try:
            return None if value is None else int(datetime.datetime.strptime(value, _TIME_FORMAT).replace(
                tzinfo=datetime.timezone.utc).timestamp())
        except ValueError:
            raise InvalidDocument(f"{self._at(key)} should be a time written {_TIME_FORMAT}, not {value!r}") from None

    def record(self, key: str) -> _Record:
        return _Record(self.get(key, dict), self._at(key))

    def records(self, key: str) -> list[_Record]:
        return [_Record(item, f"{self._at(key)}[{index}]") for index, item in enumerate(self.get(key, list))]

    def strings(self, key: str) -> tuple[str, ...]:
        return self._items(self.get(key, list), str, self._at(key))

    def ints(self, key: str) -> tuple[int, ...]:
        return self._items(self.get(key, list), int, self._at(key))

    def string_lists(self, key: str) -> tuple[tuple[str, ...], ...]:
        lists = []
        for index, item in enumerate(self.get(key, list)):
            where = f"{self._at(key)}[{index}]"
            if not isinstance(item, list):
                raise InvalidDocument(f"{where} should be a list, not {_type_name(item)}")
            lists.append(self._items(item, str, where))
        return tuple(lists)

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.get(key, str)
        if value not in allowed:
            raise InvalidDocument(f"{self._at(key)} should be one of {', '.join(allowed)}, not {value!r}")
        return value

    @staticmethod
    def _items(values: list[Any], kind: type, where: str) -> tuple[Any, ...]:
        for index, value in enumerate(values):
            if not _is_kind(value, kind):
                raise InvalidDocument(f"{where}[{index}] should be {_KINDS[kind]}, not {_type_name(value)}")
        return tuple(values)

    def _at(self, key: str) -> str:
        return key if self.where == "the document" else f"{self.where}.{key}"


def _is_kind(value: Any, kind: type) -> bool:
    if kind is float:  # JSON writes 1.0 as 1.0, but a hand-written 1 is a number too
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _type_name(value: Any) -> str:
    return "null" if value is None else {bool: "true or false", int: "a whole number", float: "a number",
                                         str: "a string", list: "a list", dict: "an object"}.get(type(value),
                                                                                                type(value).__name__)
