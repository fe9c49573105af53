#!/usr/bin/env python3
"""Measure report.html's review view in real headless Chromium: size, first paint, a move.

    python benchmarks/synthetic_monolith.py /tmp/big --modules 5000
    decomposer analyze /tmp/big --out /tmp/big-report --format json --format html
    python benchmarks/browser_review.py /tmp/big-report/report.html [--repeat 3]

Prints the page's size (and the review data's share of it), the time to first contentful
paint and to the review view being ready (the data parsed, the services laid out and drawn),
and the time to recompute and redraw after moving one module and after moving the largest
sub-package of the largest service. Times are the best of --repeat page loads. Figures, not
a timed test: the machine decides them (STYLE.md, section 6).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from devtools import CHROMIUM, Browser  # noqa: E402

_MEASURE_MOVE = """(async () => {
  const review = window.decomposerReview, data = JSON.parse(document.getElementById("review-data").textContent);
  const largest = review.figures().largest;
  const inside = data.modules.filter(name => review.serviceOf(name) === largest);
  const other = data.services.find(name => name !== largest && name !== data.kernel);
  const frame = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  let start = performance.now();
  review.move([inside[0]], other);
  const compute = performance.now() - start;
  await frame();
  const drawn = performance.now() - start;
  review.undo();
  const prefixes = {};
  inside.forEach(name => { const cut = name.split(".").slice(0, -1).join("."); prefixes[cut] = (prefixes[cut] || 0) + 1; });
  const prefix = Object.keys(prefixes).sort((a, b) => prefixes[b] - prefixes[a])[0];
  const members = data.modules.filter(name => name === prefix || name.startsWith(prefix + "."));
  start = performance.now();
  review.move(members, "benchmark-new");
  const packageCompute = performance.now() - start;
  await frame();
  return {compute, drawn, packageCompute, packageDrawn: performance.now() - start, packageModules: members.length,
          modules: data.modules.length, imports: data.lines.length};
})()"""


def measure(page: Path) -> dict[str, float]:
    with Browser(timeout=120) as browser:
        browser.open(page.resolve().as_uri())
        browser.wait_for('document.getElementById("review").dataset.ready === "yes"')
        timing = browser.evaluate("""(() => {
          const paint = performance.getEntriesByName("first-contentful-paint")[0];
          const ready = performance.getEntriesByName("review-ready")[0];
          return {paint: paint ? paint.startTime : -1, ready: ready ? ready.startTime : -1}; })()""")
        timing |= browser.evaluate(_MEASURE_MOVE)
        problems = browser.problems()
    if problems:
        raise SystemExit(f"the page reported problems: {problems[:3]}")
    return timing


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="a report.html written by decomposer")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if CHROMIUM is None:
        raise SystemExit("Chromium is not installed")
    text = args.page.read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="review-data">(.*?)</script>', text, re.S)
    runs = [measure(args.page) for _ in range(args.repeat)]
    best = {key: min(run[key] for run in runs) for key in runs[0]}
    size = args.page.stat().st_size
    print(f"page:            {size / 1e6:.2f} MB ({len(data.group(1).encode()) / 1e6 if data else 0:.2f} MB of review data)")
    print(f"modules:         {best['modules']:.0f} ({best['imports']:.0f} import edges)")
    print(f"first paint:     {best['paint']:.0f} ms (first contentful paint)")
    print(f"review ready:    {best['ready']:.0f} ms (data parsed, services laid out and drawn)")
    print(f"move a module:   {best['compute']:.1f} ms to recompute the figures, {best['drawn']:.1f} ms with the redraw")
    print(f"move a package:  {best['packageCompute']:.1f} ms to recompute ({best['packageModules']:.0f} modules), "
          f"{best['packageDrawn']:.1f} ms with the redraw")
    print(f"(best of {args.repeat} loads in headless {Path(CHROMIUM).name})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
