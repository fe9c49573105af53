"""analysis.json: the product's stable contract (documented in docs/analysis-schema.md).

Same analysis in, same bytes out: every list is already sorted by the stages, keys keep a
fixed order, and nothing time-dependent is written.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from decomposer._version import __version__
from decomposer.reports.plan_report import plan_to_dict
from decomposer.model import Analysis, BrittleModule, HistorySummary, ModuleChurn, Proposal, QualityFigures

__all__ = ["SCHEMA_VERSION", "analysis_to_dict", "iso_time", "write_analysis_json"]

SCHEMA_VERSION = 1


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """Return the JSON document for `analysis` as plain dicts and lists."""
    repository = analysis.repository
    modules = analysis.modules
    churn = {record.module: record for record in analysis.churn}
    soc = dict(analysis.sum_of_coupling)
    proposal = analysis.proposal
    brittle = {entry.module: entry for entry in analysis.brittleness}
    service_of = ({module: service.name for service in proposal.services for module in service.modules}
                  if proposal else {})
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
                "service": service_of.get(record.module),
                "loc": record.loc,
                "fan_in": record.fan_in,
                "fan_out": record.fan_out,
                "imports_in": record.imports_in,
                "imports_out": record.imports_out,
                **_churn_fields(churn.get(record.module), soc.get(record.module)),
                **_brittle_fields(brittle.get(record.module)),
            }
            for record in modules
        ],
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
        **_proposal(proposal),
        **plan_to_dict(analysis.plan),
        "excluded_modules": list(analysis.excluded),
        "warnings": [{"path": warning.path, "message": warning.message} for warning in analysis.warnings],
    }


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
        return {"detection": None, "services": [], "quality": None, "stability": None}
    detection = proposal.detection
    return {
        "detection": {
            "algorithm": detection.algorithm,
            "resolution": proposal.resolution,
            "requested_services": detection.target_services,
            "seed": detection.seed,
            "weights": {"structural": detection.structural_weight, "cochange": detection.cochange_weight},
            "granularity": detection.granularity,
            "min_service_size": detection.min_service_size,
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


def iso_time(seconds: int | None) -> str | None:
    """`2025-04-15T00:00:00Z` for Unix seconds, in UTC; None stays None."""
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_analysis_json(document: dict[str, Any], out_dir: Path) -> Path:
    """Write the `analysis_to_dict` document to `out_dir/analysis.json` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "analysis.json"
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    json_path.write_text(text, encoding="utf-8")
    return json_path
