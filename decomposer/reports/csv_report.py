"""CSV tables for people's own tooling (pandas at the edge only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from decomposer.model import Analysis

__all__ = ["write_brittle_csv"]


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
