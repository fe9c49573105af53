"""The literature figures of `analyze --graph` (docs/metrics.md, "Literature"): CSV and summary lines."""

from __future__ import annotations

import csv
import io

from decomposer.model import LiteratureFigures

__all__ = ["LITERATURE_COLUMNS", "literature_csv", "literature_lines"]

LITERATURE_COLUMNS = ("partition", "groups", "bcp", "icp", "sm", "ifn", "ned", "turbo_mq", "mojofm", "ari")


def literature_csv(figures: tuple[tuple[str, LiteratureFigures], ...]) -> str:
    """literature.csv: one row per partition, the figures rounded as the papers print them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LITERATURE_COLUMNS)
    for name, row in figures:
        writer.writerow([name, row.groups, *(_cell(value) for value in (
            row.bcp, row.icp, row.sm, row.ifn, row.ned, row.turbo_mq, row.mojofm, row.ari))])
    return buffer.getvalue()


def literature_lines(figures: tuple[tuple[str, LiteratureFigures], ...]) -> list[str]:
    """One summary line per partition, for the terminal."""
    return [f"Literature: {name:<15} K={row.groups} BCP={_cell(row.bcp) or '-'} ICP={_cell(row.icp)} "
            f"SM={_cell(row.sm)} IFN={_cell(row.ifn)} NED={_cell(row.ned)} TurboMQ={_cell(row.turbo_mq)}"
            + (f" MoJoFM={_cell(row.mojofm)} ARI={_cell(row.ari)}" if row.mojofm is not None else "")
            for name, row in figures]


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
