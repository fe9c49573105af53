"""report.html: one self-contained file (images inlined, no network requests), sortable tables.

Every table sorts when its header is clicked; each service opens to show its modules. The
script is a few lines written here, with no library: the page works offline and from a file.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from decomposer.reports.markdown_report import QUALITY_ROWS

__all__ = ["report_html", "write_html_report"]

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


def report_html(document: dict[str, Any], images: dict[str, bytes]) -> str:
    """The report as one HTML page from `analysis_to_dict`'s document; `images` maps a figure
    name to its PNG bytes (inlined)."""
    repository = document["repository"]
    title = f"decomposer report: {Path(repository['path']).name} @ {(repository['head'] or 'no commit')[:12]}"
    parts = [f"<h1>{_e(title)}</h1>", _summary(document)]
    parts += [_services(document, images), _quality(document), _brittle(document, images), _plan(document, images)]
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


def _summary(document: dict[str, Any]) -> str:
    repository, summary, history = document["repository"], document["summary"], document["history"]
    items = [f"Packages: {repository['layout_reason']}",
             f"Modules: {summary['modules']} analysed ({summary['loc']} lines of code), "
             f"{summary['excluded_modules']} excluded",
             f"Imports: {summary['imports']} module-to-module edges from {summary['import_statements']} statements",
             (f"History: {history['commits_analyzed']} commits ({history['window']['description']})"
              if history else "History: not analysed"),
             f"Warnings: {summary['warnings']}"]
    return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def _services(document: dict[str, Any], images: dict[str, bytes]) -> str:
    if not document["services"]:
        return ""
    rows = [[service["name"], service["kind"], service["size"], service["loc"],
             ", ".join(f"{item['package']} ({item['modules']})" for item in service["packages"])]
            for service in document["services"]]
    lists = "".join(
        f"<details><summary>{_e(service['name'])} ({service['size']} modules)</summary><ul>"
        + "".join(f"<li><code>{_e(module)}</code></li>" for module in service["modules"]) + "</ul></details>"
        for service in document["services"])
    return ("<h2>Proposed services</h2>" + _image(images, "services", "Service graph")
            + _table(["service", "kind", "modules", "lines", "packages"], rows, {2, 3})
            + "<h3>Modules of each service</h3>" + lists + _image(images, "modules", "Modules by service")
            + _image(images, "cochange", "Change coupling between services"))


def _quality(document: dict[str, Any]) -> str:
    quality = document["quality"]
    if not quality:
        return ""
    rows = [[label] + [quality[name][key] for name in ("proposed", "package_layout", "random")] + [better]
            for key, label, better in QUALITY_ROWS]
    return ("<h2>Quality: the proposal next to the current package layout</h2>"
            + _table(["figure", "proposed", "package layout", "random", "better"], rows, {1, 2, 3}))


def _brittle(document: dict[str, Any], images: dict[str, bytes]) -> str:
    ranked = sorted((record for record in document["modules"] if "brittleness_rank" in record),
                    key=lambda record: record["brittleness_rank"])
    if not ranked:
        return ""
    rows = [[record["brittleness_rank"], record["module"], record["service"], record["brittleness"],
             record["hotspot"], record["commits"], record["fan_in"], record["fan_out"],
             _Markup("<br>".join(_e(reason) for reason in record["reasons"]))] for record in ranked]
    return ("<h2>Brittle modules</h2>" + _image(images, "brittleness", "Churn against coupling")
            + _table(["rank", "module", "service", "score", "hotspot", "commits", "fan-in", "fan-out", "reasons"],
                     rows, {0, 3, 5, 6, 7}))


def _plan(document: dict[str, Any], images: dict[str, bytes]) -> str:
    steps, plan = document["plan"], document["plan_summary"]
    if not plan:
        return ""
    rows = [[step["order"], step["sprint"], step["kind"], step["service"], step["cost"], step["benefit"],
             step["rationale"]] for step in steps]
    return (f"<h2>Extraction plan</h2><p>{plan['steps']} steps over {plan['sprints']} sprints of "
            f"{plan['sprint_capacity']} change points. Calls from extracted services into the monolith: "
            f"{plan['outbound_weight']} (reverse order: {plan['reverse_outbound_weight']}).</p>"
            + _image(images, "plan", "Plan timeline")
            + _table(["step", "sprint", "what", "service", "cost", "benefit %", "why"], rows, {0, 1, 4, 5}))


def write_html_report(document: dict[str, Any], out_dir: Path, images: dict[str, bytes]) -> Path:
    """Write `report.html` into `out_dir` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    path.write_text(report_html(document, images), encoding="utf-8")
    return path
