"""CSV tables for people's own tooling, and the same tables as pandas DataFrames for a notebook.

Each table is a list of rows (a dict per row, in column order) computed once here: `csv_tables`
writes them with the standard library's csv module (no pandas in a run: importing it alone
takes 0.3 s), `tables` hands them to pandas with each column's type (whole numbers stay whole
numbers, a missing value is NA).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from decomposer.model import DATA_PATTERNS, RELATION_KINDS, Analysis
from decomposer.reports.runtime_report import module_csv_rows, runtime_csv_rows
from decomposer.schema import module_rows

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["brittle_rows", "csv_text", "csv_tables", "data_link_rows", "tables"]

Rows = list[dict[str, Any]]

_SERVICE_COLUMNS = ("name", "kind", "size", "loc", "packages", "modules")
_COCHANGE_COLUMNS = ("a", "b", "shared_commits", "degree")
_DATA_LINK_COLUMNS = ("kind", "source", "target", "source_service", "target_service", "crossing",
                      "import_visible", "file", "line", "field", "pattern")
_RUNTIME_CALL_COLUMNS = ("caller", "callee", "calls", "caller_service", "callee_service", "crossing", "use_cases")


def brittle_rows(analysis: Analysis) -> Rows:
    """`brittle_modules.csv`: one row per module, most brittle first."""
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
    return rows


def data_link_rows(analysis: Analysis) -> Rows:
    """`data_links.csv`: every relation, query and transaction with its owners, crossing ones
    first, then by kind, file and line."""
    owner = {table.model: table.service for table in analysis.tables}
    service_of = analysis.service_of
    rows = [{
        "kind": link.kind, "source": link.source, "target": link.target,
        "source_service": owner.get(link.source, "") if link.kind in RELATION_KINDS else service_of.get(link.module, ""),
        "target_service": owner.get(link.target, ""), "crossing": link.crossing,
        "import_visible": link.import_visible, "file": link.path, "line": link.line, "field": link.field,
        "pattern": DATA_PATTERNS[link.kind] if link.crossing else "",
    } for link in analysis.data_links]
    return sorted(rows, key=lambda row: (not row["crossing"], row["kind"], row["file"], row["line"]))


def _rows(analysis: Analysis) -> dict[str, tuple[Sequence[str] | None, Rows]]:
    """Each table's columns (None: those of its rows) and rows, by name, in the order written."""
    found: dict[str, tuple[Sequence[str] | None, Rows]] = {
        "modules": (None, [{key: "; ".join(value) if isinstance(value, list) else value
                            for key, value in record.items()} for record in module_rows(analysis)]),
        "services": (_SERVICE_COLUMNS, [{
            "name": service.name, "kind": service.kind, "size": len(service.modules), "loc": service.loc,
            "packages": "; ".join(f"{package} ({count})" for package, count in service.packages),
            "modules": "; ".join(service.modules),
        } for service in (analysis.proposal.services if analysis.proposal else ())]),
        "cochange": (_COCHANGE_COLUMNS, [{"a": pair.a, "b": pair.b, "shared_commits": pair.shared_commits,
                                          "degree": pair.degree} for pair in analysis.cochange]),
    }
    if analysis.brittleness:
        found["brittle_modules"] = (None, brittle_rows(analysis))
    if analysis.tables:
        found["data_links"] = (_DATA_LINK_COLUMNS, data_link_rows(analysis))
    if analysis.runtime is not None:
        found["runtime_calls"] = (_RUNTIME_CALL_COLUMNS, runtime_csv_rows(analysis))
        found["runtime_modules"] = (None, module_csv_rows(analysis))
    return found


def csv_tables(analysis: Analysis) -> dict[str, str]:
    """modules.csv, services.csv, cochange.csv and brittle_modules.csv (data_links.csv; runtime_calls.csv,
    runtime_modules.csv), by file name.

    modules.csv has the columns of analysis.json's `modules`, lists joined with "; ".
    """
    return {f"{name}.csv": csv_text(rows, columns) for name, (columns, rows) in _rows(analysis).items()}


def csv_text(rows: Rows, columns: Sequence[str] | None = None) -> str:
    """`rows` as CSV text: a header of `columns` (default: every row's keys, in the order first
    seen), a line per row, "\\n" line ends, a field quoted only when it must be; an empty cell for
    None or a key the row lacks. Whole numbers are written whole (pandas, which wrote these files
    before, wrote 7.0 in a column where another row had none)."""
    columns = list(columns if columns is not None else dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(column) for column in columns] for row in rows)
    text = buffer.getvalue()
    return text if columns else "\n"


def tables(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """The CSV tables as pandas DataFrames, by name (`modules`, `services`, `cochange`,
    `brittle_modules`, ...), for a notebook: a whole-number column with a missing value is
    pandas' nullable Int64, not float64."""
    import pandas as pd  # the notebook's library: a run never imports it
    frames = {}
    for name, (columns, rows) in _rows(analysis).items():
        frame = pd.DataFrame(rows, columns=list(columns) if columns is not None else None)
        for column in frame.columns:  # whole numbers with a gap: Int64 with NA, not float64
            values = [row[column] for row in rows]
            present = [value for value in values if value is not None]
            if present and len(present) < len(values) and all(type(value) is int for value in present):
                frame[column] = pd.array(values, dtype="Int64")
        frames[name] = frame
    return frames
