"""report.html: one self-contained file (images inlined, no network requests), sortable tables.

Every table sorts when its header is clicked; each service opens to show its modules. The
review view (assets/review.js, inlined) draws the services on a canvas and lets the reader move
modules and see the figures change; its data is one JSON document (reports/review_data.py).
Both scripts are written for decomposer, with no library: the page works offline and from a
file, and a reviewer reads every line that runs in it.
"""

from __future__ import annotations

import base64
import html
from importlib import resources
from typing import Any

from decomposer.model import DATA_PATTERNS, PARTITIONS, RELATION_KINDS, Analysis
from decomposer.reports.markdown_report import OPTIONAL_ROWS, QUALITY_ROWS
from decomposer.reports.runtime_report import runtime_csv_rows, runtime_lines
from decomposer.reports.review_data import review_json
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
#review { display: flex; gap: 1em; align-items: flex-start; }
#review-graph { flex: 1 1 auto; min-width: 0; }
#review-canvas { width: 100%; border: 1px solid #ddd; cursor: grab; background: #fcfcfc; }
#review-panel { flex: 0 0 360px; font-size: 0.85em; max-height: 900px; overflow-y: auto; overflow-x: hidden; }
#review-panel h3 { margin: 0.8em 0 0.3em; font-size: 1.05em; }
#review-panel select, #review-panel input[type=text], #review-panel input[type=search] { width: 100%; box-sizing: border-box; }
#review-results button { display: block; width: 100%; text-align: left; font: inherit; margin: 1px 0;
  background: #f6f6f6; border: 1px solid #ddd; cursor: pointer; overflow-wrap: anywhere; }
#review-details h4 { margin: 0.3em 0; overflow-wrap: anywhere; }
#review-details li, #review-details p { overflow-wrap: anywhere; }
#review-details li.crossing { color: #b22; }
#review-details p.reason { margin: 0.2em 0; color: #444; }
#review-tip { position: absolute; background: #fff; border: 1px solid #999; padding: 4px 6px; font-size: 0.8em;
  white-space: pre; pointer-events: none; box-shadow: 1px 1px 4px rgba(0,0,0,0.2); }
#review-moves, #review-pins { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85em; background: #f6f6f6; padding: 4px; }
#review-export { width: 100%; height: 6em; font-size: 0.8em; }
.legend span { margin-right: 1em; }
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
    parts = [f"<h1>{_e(title)}</h1>", _summary(analysis), _review(analysis)]
    parts += [_services(analysis, images), _data(analysis, images), _quality(analysis), _runtime(analysis),
              _brittle(analysis, images), _plan(analysis, images)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in parts if part)
            + f"\n<script>{_SCRIPT}</script>\n{_review_script(analysis)}</body>\n</html>\n")


_BRITTLE_ROWS = 250  # a longer table is read by no one and weighs megabytes at thousands of modules
_REVIEW = """
<h2>Review the boundaries</h2>
<p class="muted">Each disc is a service (area by lines of code; the kernel in grey); lines are import
statements between services (width by count; red: a cycle), co-change (green, dashed) and data
links (purple, dotted); "at least" hides lighter lines (statements, shared commits, links). Drag to
pan, wheel to zoom, click a service to open it into its modules (a large one into its sub-packages)
and a module for its imports (out in blue, in in orange); hover or click a line for the import statements
between two services. Move a module or its sub-package, and the
figures are recomputed;
export the result and run <code>decomposer plan analysis.json --assignments assignment.json</code>
to re-plan from it (docs/assignments.md).</p>
<div id="review">
<div id="review-graph">
<p class="legend"><label><input type="checkbox" id="review-show-imports" checked> imports</label>
<label><input type="checkbox" id="review-show-cochange"> co-change</label>
<label><input type="checkbox" id="review-show-data" checked> data links</label>
<label>at least <input type="number" id="review-min-weight" value="1" min="0" style="width:4em"></label>
<button type="button" id="review-fit">fit</button></p>
<canvas id="review-canvas" width="900" height="640" role="img"
 aria-label="The proposed services and the imports between them; the search box and the panel give the same facts as text"></canvas>
</div>
<div id="review-panel">
<h3>Find a module</h3>
<input type="search" id="review-search" placeholder="part of a module name" aria-label="search modules">
<div id="review-results"></div>
<h3>Figures</h3>
<table><thead><tr><th>figure</th><th>proposed</th><th>now</th></tr></thead><tbody id="review-figures"></tbody></table>
<p class="muted">Crossing statements leave out the kernel; ICP counts it as a group. A moved item's cost, in
change points as the plan counts them: 2 per import statement or data link from it into another service,
1 per one from another service into it, 1 per module moved (its cost before the move in the first column).</p>
<h3>Move</h3>
<p id="review-move-hint" class="muted">Select a module (click it, or find it above).</p>
<label>what <select id="review-move-what"></select></label>
<label>to <select id="review-move-to"></select></label>
<input type="text" id="review-new-name" placeholder="name of a new service" aria-label="new service name">
<p><button type="button" id="review-move">Move</button> <button type="button" id="review-undo" disabled title="Ctrl+Z">Undo</button></p>
<div id="review-moves"></div>
<h3>Selection</h3>
<div id="review-details"></div>
<h3>Export</h3>
<p><button type="button" id="review-export-button">Export the assignment</button>
<a id="review-download" hidden>assignment.json</a></p>
<textarea id="review-export" readonly aria-label="exported assignment"></textarea>
<p><label>Continue from an exported file: <input type="file" id="review-load" accept=".json,application/json"></label></p>
<p id="review-load-result" class="muted"></p>
<p>The same moves as <code>[tool.decomposer]</code> pins:</p>
<div id="review-pins"></div>
</div>
</div>
<div id="review-tip" hidden></div>
"""


def _review(analysis: Analysis) -> str:
    return _REVIEW if analysis.proposal and analysis.proposal.services else ""


def _review_script(analysis: Analysis) -> str:
    """The review view's data and script, last in the page so the tables come first."""
    if not (analysis.proposal and analysis.proposal.services):
        return ""
    script = (resources.files("decomposer.reports") / "assets" / "review.js").read_text(encoding="utf-8")
    return (f'<script type="application/json" id="review-data">{review_json(analysis)}</script>\n'
            f"<script>{script}</script>\n")


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
            if not (key in OPTIONAL_ROWS and getattr(quality["proposed"], key) is None)]
    return ("<h2>Quality: the proposal next to the current package layout</h2>"
            + _table(["figure", "proposed", "package layout", "random", "better"], rows, {1, 2, 3}))


def _runtime(analysis: Analysis) -> str:
    if analysis.runtime is None:
        return ""
    rows = [[row["caller"], row["caller_service"], row["callee"], row["callee_service"], row["calls"], row["use_cases"]]
            for row in runtime_csv_rows(analysis) if row["crossing"]]
    lines = runtime_lines(analysis)
    return (f"<h2>Runtime coupling</h2><p>{_e(lines[0].split(':', 1)[1].strip())}</p>"
            + "".join(f"<p>{_e(line.strip())}</p>" for line in lines[1:])
            + f"<h3>Runtime calls across services ({len(rows)} module pairs)</h3>"
            + _table(["caller", "its service", "callee", "its service", "calls", "use cases"], rows, {4}))


def _brittle(analysis: Analysis, images: dict[str, bytes]) -> str:
    if not analysis.brittleness:
        return ""
    records = {record.module: record for record in analysis.modules}
    commits = {figures.module: figures.commits for figures in analysis.churn}
    service_of = analysis.service_of
    rows = [[entry.rank, entry.module, service_of.get(entry.module), entry.score, entry.hotspot,
             commits.get(entry.module), records[entry.module].fan_in, records[entry.module].fan_out,
             _Markup("<br>".join(_e(reason) for reason in entry.reasons))]
            for entry in analysis.brittleness[:_BRITTLE_ROWS]]
    more = len(analysis.brittleness) - len(rows)
    note = (f'<p class="muted">The {len(rows)} most brittle of {len(analysis.brittleness)} modules; every module '
            "is in brittle_modules.csv, and its reasons show when it is selected in the review view.</p>"
            if more > 0 else "")
    return ("<h2>Brittle modules</h2>" + _image(images, "brittleness", "Churn against coupling") + note
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

