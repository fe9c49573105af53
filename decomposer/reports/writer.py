"""Write the chosen report files for an analysis: the one place the CLI asks for output."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from decomposer.model import Analysis
from decomposer.reports.csv_report import write_tables
from decomposer.reports.figures import draw_figures, write_figures
from decomposer.reports.graph_export import write_graph_files
from decomposer.reports.html_report import write_html_report
from decomposer.reports.json_report import write_analysis_json
from decomposer.reports.markdown_report import write_markdown_report
from decomposer.reports.plan_report import write_plan_files

__all__ = ["FORMATS", "write_reports"]

# format -> what it writes
FORMATS = {
    "json": "analysis.json",
    "csv": "modules.csv, services.csv, cochange.csv, brittle_modules.csv",
    "plan": "plan.md, plan.csv",
    "md": "report.md",
    "html": "report.html (self-contained)",
    "png": "services, modules, brittleness, cochange and plan figures as PNG",
    "svg": "the same figures as SVG",
    "graphml": "modules.graphml (Gephi, yEd)",
    "dot": "modules.dot (Graphviz)",
}


def write_reports(analysis: Analysis, out_dir: Path, formats: tuple[str, ...], *,
                  progress: Callable[[str], None] = lambda message: None) -> list[Path]:
    """Write every requested format into `out_dir`; return the paths, in a stable order."""
    written: list[Path] = []
    if "json" in formats:
        written.append(write_analysis_json(analysis, out_dir))
    if "csv" in formats:
        written += write_tables(analysis, out_dir)
    if "plan" in formats:
        written += write_plan_files(analysis, out_dir)
    pictures = tuple(fmt for fmt in ("png", "svg") if fmt in formats)
    figures = {}
    if pictures or "html" in formats:
        progress("Drawing figures")
        figures = draw_figures(analysis)
        written += write_figures(figures, out_dir, pictures)
    if "md" in formats:
        written.append(write_markdown_report(analysis, out_dir,
                                             tuple(figures) if "png" in formats else ()))
    if "html" in formats:
        written.append(write_html_report(analysis, out_dir,
                                         {name: _png(figure) for name, figure in figures.items()}))
    written += write_graph_files(analysis, out_dir, formats)
    return written


def _png(figure) -> bytes:  # noqa: ANN001 - a matplotlib Figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()
