"""CSV tables for people's own tooling (pandas at the edge only)."""

from __future__ import annotations

from pathlib import Path
import pandas as pd

from decomposer.model import Analysis
from decomposer.schema import module_rows

__all__ = ["write_brittle_csv", "write_tables"]


def write_brittle_csv(analysis: Analysis, out_dir: Path) -> Path:
    """Write `brittle_modules.csv`, one row per module, most brittle first."""
    churn = {figures.module: figures for figures in analysis.churn}
    records = {record.module: record for record in analysis.modules}
    rows = []
    for entry in analysis.brittleness:
        record, figures = records[entry.module], churn.get(entry.module)
        rows.append({
            "rank": entry.rank, "module": entry.module, "brittleness": entry.score,
            "hotspot": entry.hotspot, "commits": figures.commits if figures else None,
            "recent_commits": figures.recent_commits if figures else None,
            "authors": figures.authors if figures else None,
            "fan_in": record.fan_in, "fan_out": record.fan_out,
            "services_importing": entry.services_importing, "instability": entry.instability,
            "betweenness": entry.betweenness, "cycle_size": entry.cycle_size, "loc": record.loc,
            "reasons": "; ".join(entry.reasons),
        })
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / "brittle_modules.csv"
    pd.DataFrame(rows).to_csv(csv_path, index=False, lineterminator="\n")
    return csv_path


def write_tables(analysis: Analysis, out_dir: Path) -> list[Path]:
    """Write modules.csv, services.csv, cochange.csv and brittle_modules.csv; return their paths.

    modules.csv has the columns of analysis.json's `modules`, lists joined with "; ".
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    modules = pd.DataFrame([{key: "; ".join(value) if isinstance(value, list) else value
                             for key, value in record.items()} for record in module_rows(analysis)])
    services = pd.DataFrame([{
        "name": service.name, "kind": service.kind, "size": len(service.modules), "loc": service.loc,
        "packages": "; ".join(f"{package} ({count})" for package, count in service.packages),
        "modules": "; ".join(service.modules),
    } for service in (analysis.proposal.services if analysis.proposal else ())],
        columns=["name", "kind", "size", "loc", "packages", "modules"])
    cochange = pd.DataFrame([(pair.a, pair.b, pair.shared_commits, pair.degree) for pair in analysis.cochange],
                            columns=["a", "b", "shared_commits", "degree"])
    written = []
    for name, frame in (("modules", modules), ("services", services), ("cochange", cochange)):
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    if analysis.brittleness:
        written.append(write_brittle_csv(analysis, out_dir))
    return written
