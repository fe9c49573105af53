"""report.html's review view in a real headless Chromium: open a service, move a module, check
the page's figures against decomposer's own computation, export, and re-plan from the export."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from decomposer.model import crossing_counts
from decomposer.pipeline import assignment_figures, load_assignment, reassign
from decomposer.reports.writer import OutputFolder, write_reports
from devtools import CHROMIUM, Browser

pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="Chromium is not installed (.ci/run installs Debian's chromium)")
MOVED, TARGET = "shop.orders.checkout", "payments"
READY = 'document.getElementById("review").dataset.ready === "yes"'


@pytest.fixture(scope="module")
def analysis(sample_analysis):
    return sample_analysis


@pytest.fixture(scope="module")
def page(analysis, sample_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out_dir = tmp_path_factory.mktemp("review")
    write_reports(analysis, OutputFolder(out_dir, sample_repo), ("json", "html"))
    return out_dir / "report.html"


def _chromium_own(host: str) -> bool:
    """Chromium's own update checks, which start when they like (so a blank run does not always
    see them); the page's requests are checked one by one through the DevTools protocol."""
    return host.split("://")[-1].endswith((".google.com", ".googleapis.com", ".gvt1.com"))


def _page_figures(browser: Browser) -> dict[str, object]:
    values = browser.evaluate("""Object.fromEntries(["crossing", "icp", "data", "largest", "cost"].map(
        name => [name, (document.getElementById("fig-" + name) || {dataset: {}}).dataset.value]))""")
    return {"crossing": int(values["crossing"]), "icp": round(float(values["icp"]), 4), "data": int(values["data"]),
            "largest": values["largest"], "cost": int(values["cost"]) if values.get("cost") else None}


def _python_figures(analysis, service_of: dict[str, str], moved: frozenset[str] = frozenset()) -> dict[str, object]:
    figures = assignment_figures(analysis, service_of, moved)
    return {"crossing": figures.crossing_imports, "icp": figures.icp, "data": figures.crossing_data_links,
            "largest": f"{figures.largest}:{figures.largest_modules}", "cost": figures.item_cost}


def _move_in_page(browser: Browser, module: str, target: str) -> None:
    """What a reviewer does: open the service with a click, find the module, choose where, Move."""
    service = browser.evaluate(f"decomposerReview.serviceOf({module!r})")
    browser.evaluate('document.getElementById("review-canvas").scrollIntoView()')
    point = browser.evaluate(f"decomposerReview.point({service!r})")
    browser.click(point["x"], point["y"])
    browser.wait_for("decomposerReview.opened() > 0")
    browser.evaluate(f"""(() => {{ const box = document.getElementById("review-search");
        box.value = {module.rsplit('.', 1)[1]!r}; box.dispatchEvent(new Event("input")); }})()""")
    browser.evaluate(f"""[...document.querySelectorAll("#review-results button")]
        .find(button => button.textContent === {module!r}).click()""")
    browser.evaluate(f"""(() => {{ const to = document.getElementById("review-move-to");
        to.value = [...to.options].find(option => option.textContent === {target!r}).value;
        document.getElementById("review-move").click(); }})()""")


def test_move_recompute_export_and_replan(analysis, page: Path, tmp_path: Path):
    # The checks can fail: the same page with crossing statements off by one and a remote image.
    mutant = tmp_path / "mutant.html"
    text = page.read_text(encoding="utf-8")
    assert text.count("crossing: crossing,") == 1
    mutant.write_text(text.replace("crossing: crossing,", "crossing: crossing + 1,").replace(
        "</body>", '<img src="https://example.invalid/x.png"></body>'), encoding="utf-8")
    edited = analysis.service_of | {MOVED: TARGET}
    expected = _python_figures(analysis, edited, frozenset({MOVED}))
    with Browser() as blank:  # the browser's own chatter (update checks), to tell from the page's
        blank.open("about:blank")
    background = blank.hosts()
    with Browser() as browser:
        browser.open(page.as_uri())
        browser.wait_for(READY)
        assert _page_figures(browser) | {"cost": None} == _python_figures(analysis, analysis.service_of)
        browser.evaluate("decomposerReview.showEdge('orders', 'payments')")  # what a click on the line shows
        between = browser.evaluate('document.getElementById("review-details").textContent')
        counts = crossing_counts(analysis.imports, analysis.service_of)
        assert f"orders imports payments: {counts['orders', 'payments']} statements" in between
        assert f"payments imports orders: {counts['payments', 'orders']} statements" in between
        assert "shop/orders/checkout.py:" in between
        _move_in_page(browser, MOVED, TARGET)
        details = browser.evaluate('document.getElementById("review-details").textContent')
        assert f"service: {TARGET} (proposed: orders)" in details
        assert "shop/orders/checkout.py:" in details  # its imports out, with file:line
        assert _page_figures(browser) == expected
        browser.evaluate('document.getElementById("review-export-button").click()')
        exported = browser.evaluate('document.getElementById("review-export").value')
        assert browser.downloaded("assignment.json") == exported  # the button saves the very text
        pins = tomllib.loads(browser.evaluate('document.getElementById("review-pins").textContent'))
        # the whole shop.shipping sub-package to a new service, through the form; then undone
        browser.evaluate("decomposerReview.select('shop.shipping.zones')")
        browser.evaluate("""(() => { document.getElementById("review-move-what").value = "shop.shipping|package";
            document.getElementById("review-move-to").value = "new";
            document.getElementById("review-new-name").value = "logistics";
            document.getElementById("review-move").click(); })()""")
        shipping = frozenset(module for module in edited if module.startswith("shop.shipping"))
        assert _page_figures(browser) == _python_figures(analysis, edited | dict.fromkeys(shipping, "logistics"),
                                                         shipping)
        browser.evaluate('document.getElementById("review-undo").click()')
        assert _page_figures(browser) == expected
        # an exported file loaded back (the proposal: every module moved back), then undone
        proposal = json.dumps({"schema": "decomposer-assignment/1", "services": analysis.service_of})
        browser.evaluate(f"decomposerReview.load({proposal!r}, 'proposal.json')")
        assert _page_figures(browser) | {"cost": None} == _python_figures(analysis, analysis.service_of)
        assert browser.evaluate('document.getElementById("review-load-result").textContent') == (
            "proposal.json: 1 module moved")
        browser.evaluate('document.getElementById("review-undo").click()')
        assert _page_figures(browser) == expected
        # two modules to a new service, then a module into the kernel; each undone in turn
        for moved, target in ((["shop.shipping", "shop.shipping.zones"], "zones"), (["shop.catalog.search"], "shared")):
            browser.evaluate(f"decomposerReview.move({moved!r}, {target!r})")
            assert _page_figures(browser) == _python_figures(
                analysis, edited | dict.fromkeys(moved, target), frozenset(moved)), target
            browser.evaluate('document.getElementById("review-undo").click()')
            assert _page_figures(browser) == expected
        problems = browser.problems()
        requested = browser.requested()
        browser.open(mutant.as_uri())
        browser.wait_for(READY)
        _move_in_page(browser, MOVED, TARGET)
        off = _page_figures(browser)
        requested_by_mutant = browser.requested()
    assert problems == []
    assert [url for url in requested if not url.startswith(("file:", "data:", "blob:"))] == []
    assert {host for host in browser.hosts() - background if not host.startswith(("file:", "data:", "blob:"))
            and not _chromium_own(host)} == {"https://example.invalid"}  # the mutant's
    assert "https://example.invalid/x.png" in requested_by_mutant
    assert off != expected and off["crossing"] == expected["crossing"] + 1  # the check catches one statement
    anchors = {MOVED: min(module for module, service in edited.items() if service == TARGET and module != MOVED)}
    assert pins["tool"]["decomposer"]["together"] == [[MOVED, anchors[MOVED]]]  # the same move as pins
    document = json.loads(exported)
    assert document["schema"] == "decomposer-assignment/1"
    assert document["repository_head"] == analysis.repository.head
    assert document["services"] == dict(sorted(edited.items()))
    (tmp_path / "assignment.json").write_text(exported)
    replanned = reassign(analysis, load_assignment(tmp_path / "assignment.json"))
    quality = dict(replanned.proposal.quality)["proposed"]
    assert (expected["crossing"], expected["icp"], expected["data"]) == (
        _python_figures(replanned, replanned.service_of)["crossing"], quality.icp, quality.crossing_data_links)
    assert [warning for warning in replanned.warnings if warning.path == "assignment.json"] == []
    assert MOVED in next(step.modules for step in replanned.plan.steps if step.service == TARGET)
