"""The files people review: formats, determinism, GraphML round trip, and report.html in Chromium."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import networkx as nx
import pytest

from decomposer.reports.writer import FORMATS, OutputFolder, write_reports


@pytest.fixture(scope="module")
def analysis(sample_analysis):
    return sample_analysis


@pytest.fixture(scope="module")
def report_dir(analysis, sample_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("report")
    write_reports(analysis, OutputFolder(out_dir, sample_repo), tuple(FORMATS))
    return out_dir


def test_everything_is_written_by_default(report_dir: Path):
    assert sorted(path.name for path in report_dir.iterdir()) == sorted([
        "analysis.json", "modules.csv", "services.csv", "cochange.csv", "brittle_modules.csv", "data_links.csv",
        "plan.md", "plan.csv", "report.md", "report.html", "modules.graphml", "modules.dot",
        *(f"{name}.{fmt}" for name in ("services", "modules", "brittleness", "cochange", "plan", "data")
          for fmt in ("png", "svg")),
    ])


def test_a_format_writes_only_its_files(analysis, sample_repo: Path, tmp_path: Path):
    written = write_reports(analysis, OutputFolder(tmp_path, sample_repo), ("json", "graphml"))
    assert [path.name for path in written] == ["analysis.json", "modules.graphml"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["analysis.json", "modules.graphml"]


def test_same_analysis_same_bytes(analysis, sample_repo: Path, report_dir: Path, tmp_path: Path):
    write_reports(analysis, OutputFolder(tmp_path, sample_repo), tuple(FORMATS))
    for path in sorted(report_dir.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_svg_text_is_text(analysis, report_dir: Path):
    services = (report_dir / "services.svg").read_text()
    assert sorted(name for name in (service.name for service in analysis.proposal.services)
                  if f">{name} (" not in services) == []  # "orders (12)": the name, then its modules
    assert "<path id=\"DejaVuSans" not in services  # no glyph outlines


def test_graphml_reloads_with_every_module_and_its_attributes(analysis, report_dir: Path):
    graph = nx.read_graphml(report_dir / "modules.graphml")
    assert sorted(graph.nodes) == sorted(record.module for record in analysis.modules)
    assert graph.number_of_edges() == len(analysis.imports)
    checkout = graph.nodes["shop.orders.checkout"]
    assert (checkout["service"], checkout["brittleness_rank"], checkout["hotspot"], checkout["commits"]) == (
        "orders", 1, "hot and central", 76)
    assert checkout["brittleness"] == pytest.approx(0.9048)
    assert graph.edges["shop.reporting.views", "shop.reporting.exports"] == {"weight": 2, "lines": "6,18"}


def test_dot_groups_modules_by_service(report_dir: Path):
    dot = (report_dir / "modules.dot").read_text()
    assert dot.startswith("digraph modules {\n")
    assert dot.count("subgraph cluster_") == 8
    assert '"shop.reporting.views" -> "shop.reporting.exports" [weight=2, label="2"];' in dot


def test_markdown_report_has_the_service_graph_as_mermaid(report_dir: Path):
    text = (report_dir / "report.md").read_text()
    assert text.startswith("# decomposer report: shop @ 58bf87e0e121\n")
    mermaid = text.split("```mermaid\n")[1].split("```")[0].splitlines()
    assert mermaid[:3] == ["graph LR", '  s0["payments (13)"]', '  s1["shipping (9)"]']
    # the orders <-> payments cycle: 2 statements one way, 1 the other
    assert ["  s2 -->|2| s0", "  s0 -->|1| s2"] == [line for line in mermaid if line in (
        "  s2 -->|2| s0", "  s0 -->|1| s2")]
    assert "| Inter-call percentage (ICP) | 0.541 | 0.579 | 0.919 | lower |" in text
    assert "| Data links across services | 15 | 15 | 20 | lower |" in text
    assert "| orders | orders.Order (orders), orders.OrderLine (order_lines) |" in text
    assert "| payments | orders.Refund (refunds), payments.Payment (payments) |" in text
    assert "![Service graph](services.png)" in text


def test_csv_tables(report_dir: Path):
    services = (report_dir / "services.csv").read_text().splitlines()
    assert services[0] == "name,kind,size,loc,packages,modules"
    assert services[-1].startswith("shared,shared,7,101,shop.core (6); shop (1),shop.core;")
    modules = (report_dir / "modules.csv").read_text().splitlines()
    assert len(modules) == 65
    assert modules[0].startswith("module,path,package,service,confidence,loc,fan_in,fan_out")


def test_the_tables_as_dataframes_hold_the_csv_rows_with_their_types(analysis, report_dir: Path):
    from decomposer import tables

    frames = tables(analysis)
    assert list(frames) == ["modules", "services", "cochange", "brittle_modules", "data_links"]
    assert {name: frame.shape for name, frame in frames.items()} == {
        "modules": (64, 32), "services": (8, 6), "cochange": (39, 4), "brittle_modules": (64, 15),
        "data_links": (33, 11)}
    brittle = frames["brittle_modules"]
    assert (str(brittle["commits"].dtype), str(brittle["brittleness"].dtype)) == ("int64", "float64")
    assert brittle.iloc[0][["rank", "module", "commits"]].tolist() == [1, "shop.orders.checkout", 76]
    gap = tables(dataclasses.replace(analysis, churn=tuple(figures for figures in analysis.churn
                                                           if figures.module != "shop.orders.checkout")))
    commits = gap["brittle_modules"]["commits"]  # a module without churn: NA, the others stay whole
    assert (str(commits.dtype), commits.isna().sum(), commits.iloc[1]) == ("Int64", 1, 24)
    assert frames["cochange"].to_csv(index=False, lineterminator="\n") == (report_dir / "cochange.csv").read_text()


def test_csv_text_takes_every_key_and_writes_whole_numbers_whole():
    from decomposer.reports.csv_report import csv_text

    assert csv_text([{"a": 1, "b": None}, {"a": 2, "c": "x,y"}, {"b": 7, "a": 3}]) == (
        'a,b,c\n1,,\n2,,"x,y"\n3,7,\n')
    assert csv_text([], ("a", "b")) == "a,b\n"
    assert csv_text([]) == "\n"


def test_html_is_self_contained(report_dir: Path):
    page = (report_dir / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 6
    assert re.findall(r'(?:src|href)="(?!data:)[^"]*"', page) == []
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert '<details><summary>notifications (7 modules)</summary>' in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
          "--disable-extensions", "--no-pings", "--host-resolver-rules=MAP * ~NOTFOUND",
          "--enable-logging=stderr", "--v=0"]


def _can_unshare() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False).returncode == 0


def _open_in_chromium(page: Path) -> tuple[str, list[str], set[str]]:
    """Load `page`; return the DOM after scripts ran, console lines and the hosts requested.

    Chromium runs in a network namespace of its own when it can (root): nothing can leave.
    """
    with tempfile.TemporaryDirectory() as profile:
        net_log = Path(profile) / "net.json"
        command = [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}/data", f"--log-net-log={net_log}",
                   "--dump-dom", page.resolve().as_uri()]
        if _can_unshare():
            command = ["unshare", "--net", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        urls = set(re.findall(r'"url":"([a-z]+://[^/"]*)', net_log.read_text())) if net_log.exists() else set()
    # The browser's own pages (chrome://...) log too, e.g. "Slow network is detected" under load:
    # only what a page of ours logs counts.
    console = [line for line in result.stderr.splitlines()
               if ":CONSOLE" in line and "source: chrome://" not in line]
    return result.stdout, console, urls


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_html_loads_in_chromium_without_errors_or_requests(report_dir: Path, tmp_path: Path):
    # the browser's own chatter; its update checks start when they like, so they are left out by name
    background = _open_in_chromium(_page(tmp_path, "blank", ""))[2]
    dom, console, hosts = _open_in_chromium(report_dir / "report.html")
    assert 'data-ready="yes"' in dom  # the table script ran to its end
    assert console == []
    assert {host for host in hosts - background if not host.startswith(("file://", "data:"))
            and not host.split("://")[-1].endswith((".google.com", ".googleapis.com", ".gvt1.com"))} == set()
    # The checks can fail: a page with an error and a remote image is caught.
    bad_dom, bad_console, bad_hosts = _open_in_chromium(_page(
        tmp_path, "bad", '<img src="https://example.invalid/x.png"><script>missing();</script>'))
    assert any("Uncaught ReferenceError: missing is not defined" in line for line in bad_console)
    assert "https://example.invalid" in bad_hosts - background


def _page(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.html"
    path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>")
    return path


def test_analysis_json_lists_the_plan_and_services_the_html_shows(report_dir: Path):
    document = json.loads((report_dir / "analysis.json").read_text())
    page = (report_dir / "report.html").read_text()
    for service in document["services"]:
        assert f"<summary>{service['name']} ({service['size']} modules)</summary>" in page
    # the review view's figures header (its rows are drawn by the script), then header and rows of
    # the six tables: services, tables, crossing data links, quality, modules, plan
    assert page.count("<tr>") == 1 + 1 + 8 + 1 + 9 + 1 + 14 + 1 + 9 + 1 + 64 + 1 + 12


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (.ci/run installs Debian's graphviz)")
def test_graphviz_draws_the_dot_file(report_dir: Path, tmp_path: Path):
    result = subprocess.run(["dot", "-Tsvg", str(report_dir / "modules.dot"), "-o", str(tmp_path / "modules.svg")],
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert (tmp_path / "modules.svg").read_text().count('class="node"') == 64


def test_review_data_is_safe_inside_a_script_and_compact(analysis):
    from decomposer.reports.review_data import review_json

    odd = "shop.x</script><!--<b>&\u2028"
    records = (dataclasses.replace(analysis.modules[0], module=odd),) + analysis.modules[1:]
    text = review_json(dataclasses.replace(analysis, modules=records))
    assert "<" not in text and "\u2028" not in text  # nothing can close the <script> it sits in
    document = json.loads(text)
    assert document["modules"][0] == odd
    assert len(document["imports"]) == 2 * len(document["lines"]) == 2 * len(analysis.imports)
    assert document["seeds"] == 2 and len(document["confidence"]) == len(analysis.modules)
    confidence = dict(zip(document["modules"], document["confidence"]))
    assert (confidence["shop.core.db"], confidence["shop.orders.checkout"]) == (-1, 917)  # kernel: none
