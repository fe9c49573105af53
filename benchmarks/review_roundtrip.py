#!/usr/bin/env python3
"""Move one module in report.html (real headless Chromium), export, and re-plan: do the counts agree?

    decomposer analyze ~/src/wagtail --out /tmp/wagtail-report
    python benchmarks/review_roundtrip.py /tmp/wagtail-report wagtail.admin.forms.models admin.panels \\
        [--repo ~/src/wagtail]

Prints the page's figures before and after the move, the same figures of `decomposer plan
--assignments` on the exported file and, with --repo, of `decomposer analyze --assignments`
(a new analysis with the export pinned), and says whether the crossing counts agree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from devtools import CHROMIUM, Browser  # noqa: E402

from decomposer.model import crossing_counts  # noqa: E402
from decomposer.pipeline import assignment_figures, load_analysis  # noqa: E402


def move_in_page(page: Path, module: str, target: str) -> tuple[dict, dict, str]:
    with Browser(timeout=120) as browser:
        browser.open(page.resolve().as_uri())
        browser.wait_for('document.getElementById("review").dataset.ready === "yes"')
        before = browser.evaluate("decomposerReview.figures()")
        browser.evaluate(f"decomposerReview.select({module!r})")
        browser.evaluate(f"""(() => {{ const to = document.getElementById("review-move-to");
            const option = [...to.options].find(option => option.textContent === {target!r});
            if (!option) throw new Error("no service named " + {target!r});
            to.value = option.value; document.getElementById("review-move").click(); }})()""")
        after = browser.evaluate("decomposerReview.figures()")
        browser.evaluate('document.getElementById("review-export-button").click()')
        exported = browser.evaluate('document.getElementById("review-export").value')
        if browser.problems():
            raise SystemExit(f"the page reported problems: {browser.problems()[:3]}")
    return before, after, exported


def figures_of(analysis_json: Path) -> dict:
    analysis = load_analysis(analysis_json)
    figures = assignment_figures(analysis, analysis.service_of)
    return {"crossing": figures.crossing_imports, "icp": figures.icp, "data": figures.crossing_data_links,
            "pairs": crossing_counts(analysis.imports, analysis.service_of)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report_dir", type=Path, help="a folder with report.html and analysis.json")
    parser.add_argument("module")
    parser.add_argument("target", help="the service to move it to")
    parser.add_argument("--repo", type=Path, help="also analyse this repository with the export pinned")
    args = parser.parse_args(argv)
    if CHROMIUM is None:
        raise SystemExit("Chromium is not installed")
    before, after, exported = move_in_page(args.report_dir / "report.html", args.module, args.target)
    print(f"page, proposal:      crossing {before['crossing']}, ICP {before['icp']:.4f}, data {before['data']}")
    print(f"page, after the move: crossing {after['crossing']}, ICP {after['icp']:.4f}, data {after['data']}, "
          f"moved item's cost {after['cost']}")
    decomposer = [sys.executable, "-P", "-m", "decomposer"]
    with tempfile.TemporaryDirectory() as scratch:
        edit = Path(scratch) / "assignment.json"
        edit.write_text(exported)
        subprocess.run([*decomposer, "plan", str(args.report_dir / "analysis.json"), "--assignments", str(edit),
                        "--out", f"{scratch}/planned", "-q"], check=True)
        results = {"plan --assignments": figures_of(Path(scratch) / "planned" / "analysis.json")}
        if args.repo:
            subprocess.run([*decomposer, "analyze", str(args.repo), "--out", f"{scratch}/pinned", "-q",
                            "--format", "json", "--assignments", str(edit)], check=True)
            results["analyze --assignments"] = figures_of(Path(scratch) / "pinned" / "analysis.json")
    for name, figures in results.items():
        print(f"{name + ':':21} crossing {figures['crossing']}, ICP {figures['icp']:.4f}, data {figures['data']}")
    pairs = [figures["pairs"] for figures in results.values()]
    agree = all(figures["crossing"] == after["crossing"] for figures in results.values()) and all(
        other == pairs[0] for other in pairs)
    print("the crossing counts agree" if agree else "THE CROSSING COUNTS DIFFER")
    print(json.dumps({"moved": args.module, "to": args.target}))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
