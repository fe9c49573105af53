"""report.html: one self-contained file (images inlined, no network requests), sortable tables.

Every table sorts when its header is clicked; each service opens to show its modules. The
script is a few lines written here, with no library: the page works offline and from a file.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from decomposer.model import DATA_PATTERNS, PARTITIONS, RELATION_KINDS, Analysis
from decomposer.reports.markdown_report import QUALITY_ROWS
from decomposer.schema import sprint_count

__all__ = ["report_html"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; border: 1px solid #eee; }
details { margin: 0.3em 0; } summary { cursor: pointer; }
.muted { color: #666; }
"""

_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (header, column) {
    header.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-value") || a.cells[column].textContent;
        var y = b.cells[column].getAttribute("data-value") || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
document.body.setAttribute("data-ready", "yes");
"""


def report_html(analysis: Analysis, images: dict[str, bytes]) -> str:
    """The report as one HTML page; `images` maps a figure name to its PNG bytes (inlined)."""
    title = f"decomposer report: {analysis.title}"
    parts = [f"<h1>{_e(title)}</h1>", _summary(analysis)]
    parts += [_services(analysis, images), _data(analysis, images), _quality(analysis), _brittle(analysis, images),
              _plan(analysis, images)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in parts if part)
            + f"\n<script>{_SCRIPT}</script>\n</body>\n</html>\n")


def _e(value: Any) -> str:
    return html.escape(str(value))


def _image(images: dict[str, bytes], name: str, alt: str) -> str:
    if name not in images:
        return ""
    encoded = base64.b64encode(images[name]).decode("ascii")
    return f'<p><img alt="{_e(alt)}" src="data:image/png;base64,{encoded}"></p>'


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{_e(header)}</th>" for header in headers)
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in numeric:
                shown = "-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
                cells.append(f'<td class="number" data-value="{_e("" if value is None else value)}">{_e(shown)}</td>')
            else:
                cells.append(f"<td>{value if isinstance(value, _Markup) else _e(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


class _Markup(str):
    """HTML that is already escaped."""


def _summary(analysis: Analysis) -> str:
    modules, history = analysis.modules, analysis.history
    items = [f"Packages: {analysis.repository.layout.reason}",
             f"Modules: {len(modules)} analysed ({sum(record.loc for record in modules)} lines of code), "
             f"{len(analysis.excluded)} excluded",
             f"Imports: {len(analysis.imports)} module-to-module edges from "
             f"{sum(edge.count for edge in analysis.imports)} statements",
             (f"History: {history.commits_analyzed} commits ({history.window.description})"
              if history else "History: not analysed"),
             f"Warnings: {len(analysis.warnings)}"]
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def _services(analysis: Analysis, images: dict[str, bytes]) -> str:
    services = analysis.proposal.services if analysis.proposal else ()
    if not services:
        return ""
    rows = [[service.name, service.kind, len(service.modules), service.loc,
             ", ".join(f"{package} ({count})" for package, count in service.packages)]
            for service in services]
    lists = "".join(
        f"<details><summary>{_e(service.name)} ({len(service.modules)} modules)</summary><ul>"
        + "".join(f"<li><code>{_e(module)}</code></li>" for module in service.modules) + "</ul></details>"
        for service in services)
    return ("<h2>Proposed services</h2>" + _image(images, "services", "Service graph")
            + _table(["service", "kind", "modules", "lines", "packages"], rows, {2, 3})
            + "<h3>Modules of each service</h3>" + lists + _image(images, "modules", "Modules by service")
            + _image(images, "cochange", "Change coupling between services"))


def _data(analysis: Analysis, images: dict[str, bytes]) -> str:
    if not analysis.tables or analysis.proposal is None:
        return ""
    owner = {table.model: table.service for table in analysis.tables}
    service_of = analysis.service_of
    tables = [[table.service, table.model, table.table, table.kind, f"{table.path}:{table.line}" if table.path else ""]
              for table in analysis.tables if table.service and table.kind != "abstract"]
    crossing = [[link.kind, link.source,
                 owner.get(link.source, "") if link.kind in RELATION_KINDS else service_of.get(link.module, ""),
                 link.target, owner.get(link.target, ""), "yes" if link.import_visible else "no",
                 f"{link.path}:{link.line}", DATA_PATTERNS[link.kind]]
                for link in analysis.data_links if link.crossing]
    return ("<h2>Data ownership</h2>" + _image(images, "data", "Tables by owning service")
            + _table(["service", "model", "table", "kind", "defined at"], sorted(tables), set())
            + f"<h3>Data links across services ({len(crossing)})</h3>"
            + _table(["kind", "from", "its service", "to", "owner", "import shows it", "where", "how to cut"],
                     crossing, set()))


def _quality(analysis: Analysis) -> str:
    if analysis.proposal is None:
        return ""
    quality = dict(analysis.proposal.quality)
    rows = [[label] + [getattr(quality[name], key) for name in PARTITIONS] + [better]
            for key, label, better in QUALITY_ROWS
            if not (key.startswith("crossing_data") and getattr(quality["proposed"], key) is None)]
    return ("<h2>Quality: the proposal next to the current package layout</h2>"
            + _table(["figure", "proposed", "package layout", "random", "better"], rows, {1, 2, 3}))


def _brittle(analysis: Analysis, images: dict[str, bytes]) -> str:
    if not analysis.brittleness:
        return ""
    records = {record.module: record for record in analysis.modules}
    commits = {figures.module: figures.commits for figures in analysis.churn}
    service_of = analysis.service_of
    rows = [[entry.rank, entry.module, service_of.get(entry.module), entry.score, entry.hotspot,
             commits.get(entry.module), records[entry.module].fan_in, records[entry.module].fan_out,
             _Markup("<br>".join(_e(reason) for reason in entry.reasons))] for entry in analysis.brittleness]
    return ("<h2>Brittle modules</h2>" + _image(images, "brittleness", "Churn against coupling")
            + _table(["rank", "module", "service", "score", "hotspot", "commits", "fan-in", "fan-out", "reasons"],
                     rows, {0, 3, 5, 6, 7}))


def _plan(analysis: Analysis, images: dict[str, bytes]) -> str:
    plan = analysis.plan
    if not plan:
        return ""
    rows = [[step.order, step.sprint, step.kind, step.service, step.cost, step.benefit, step.rationale]
            for step in plan.steps]
    return (f"<h2>Extraction plan</h2><p>{len(plan.steps)} steps over {sprint_count(plan)} sprints of "
            f"{plan.capacity} change points. Calls from extracted services into the monolith: "
            f"{plan.outbound_weight} (reverse order: {plan.reverse_outbound_weight}).</p>"
            + _image(images, "plan", "Plan timeline")
            + _table(["step", "sprint", "what", "service", "cost", "benefit %", "why"], rows, {0, 1, 4, 5}))

