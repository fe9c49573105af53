"""CSV tables for people's own tooling (pandas at the edge only)."""

from __future__ import annotations

from typing import TYPE_CHECKING


from decomposer.model import DATA_PATTERNS, RELATION_KINDS, Analysis
from decomposer.reports.runtime_report import module_csv_rows, runtime_csv_rows
from decomposer.schema import module_rows

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["brittle_table", "csv_tables", "data_links_table"]


def brittle_table(analysis: Analysis) -> pd.DataFrame:
    """`brittle_modules.csv` as a table: one row per module, most brittle first."""
    import pandas as pd  # imported when a table is made: a run whose reports are cached never needs it
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
    return pd.DataFrame(rows)


def data_links_table(analysis: Analysis) -> pd.DataFrame:
    """`data_links.csv`: every relation, query and transaction with its owners, crossing ones first."""
    import pandas as pd  # imported when a table is made: a run whose reports are cached never needs it
    owner = {table.model: table.service for table in analysis.tables}
    service_of = analysis.service_of
    rows = [{
        "kind": link.kind, "source": link.source, "target": link.target,
        "source_service": owner.get(link.source, "") if link.kind in RELATION_KINDS else service_of.get(link.module, ""),
        "target_service": owner.get(link.target, ""), "crossing": link.crossing,
        "import_visible": link.import_visible, "file": link.path, "line": link.line, "field": link.field,
        "pattern": DATA_PATTERNS[link.kind] if link.crossing else "",
    } for link in analysis.data_links]
    frame = pd.DataFrame(rows, columns=["kind", "source", "target", "source_service", "target_service", "crossing",
                                        "import_visible", "file", "line", "field", "pattern"])
    return frame.sort_values(["crossing", "kind", "file", "line"], ascending=[False, True, True, True], kind="stable")


def csv_tables(analysis: Analysis) -> dict[str, str]:
    """modules.csv, services.csv, cochange.csv and brittle_modules.csv, by file name.

    modules.csv has the columns of analysis.json's `modules`, lists joined with "; ".
    """
    import pandas as pd  # imported when a table is made: a run whose reports are cached never needs it
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
    tables = {"modules": modules, "services": services, "cochange": cochange}
    if analysis.brittleness:
        tables["brittle_modules"] = brittle_table(analysis)
    if analysis.tables:
        tables["data_links"] = data_links_table(analysis)
    if analysis.runtime is not None:
        tables["runtime_calls"] = pd.DataFrame(runtime_csv_rows(analysis), columns=[
            "caller", "callee", "calls", "caller_service", "callee_service", "crossing", "use_cases"])
        tables["runtime_modules"] = pd.DataFrame(module_csv_rows(analysis))
    return {f"{name}.csv": frame.to_csv(index=False, lineterminator="\n") for name, frame in tables.items()}
