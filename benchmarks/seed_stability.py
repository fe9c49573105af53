#!/usr/bin/env python3
"""Run `decomposer analyze` under far-apart seeds and print how much the proposal moves.

    python benchmarks/seed_stability.py REPO [REPO ...] --out OUT_DIR [--cache-dir DIR]
                                        [--seeds 1 100 1000] [-- extra analyze flags]

For each repository, one full run per seed (`--format json`, runs one after another: the
figures include the wall time). The table gives the mean pairwise adjusted Rand index of the
final assignment (`modules[].service`, the kernel's label and tooling included), the seed-1
run's quality against the package layout, its largest and smallest service in modules and
lines, and each run's time. This is a measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from collections import Counter
from math import comb
from pathlib import Path


def ari(first: list[str], second: list[str]) -> float:
    """Adjusted Rand index (Hubert & Arabie) of two labelings of the same items."""
    pairs = sum(comb(count, 2) for count in Counter(zip(first, second)).values())
    rows = sum(comb(count, 2) for count in Counter(first).values())
    columns = sum(comb(count, 2) for count in Counter(second).values())
    total = comb(len(first), 2)
    expected = rows * columns / total if total else 0.0
    maximum = (rows + columns) / 2
    return 1.0 if maximum == expected else (pairs - expected) / (maximum - expected)


assert abs(ari(list("aabb"), list("bbaa")) - 1.0) < 1e-12
assert abs(ari(list("aaabbb"), list("aabbcc")) - 0.24242424242424243) < 1e-12  # sklearn's value


def run(repo: Path, seed: int, out_dir: Path, cache_dir: Path | None, extra: list[str]) -> tuple[dict, float]:
    target = out_dir / f"{repo.name}-{seed}"
    command = [sys.executable, "-m", "decomposer", "analyze", str(repo), "--out", str(target),
               "--format", "json", "-q", "--seed", str(seed), *extra]
    if cache_dir:
        command += ["--cache-dir", str(cache_dir)]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    elapsed = time.perf_counter() - start
    return json.loads((target / "analysis.json").read_text()), elapsed


def row(name: str, documents: dict[int, dict], times: dict[int, float]) -> str:
    assign = {seed: {m["module"]: str(m["service"]) for m in doc["modules"]} for seed, doc in documents.items()}
    modules = sorted(set.intersection(*(set(labels) for labels in assign.values())))
    pairwise = [ari([assign[a][m] for m in modules], [assign[b][m] for m in modules])
                for a, b in itertools.combinations(sorted(assign), 2)]
    first = documents[min(documents)]
    quality = first["quality"]
    services = [s for s in first["services"] if s["kind"] == "service"]
    analysed_loc = sum(s["loc"] for s in first["services"]) or 1
    largest = max(services, key=lambda s: (s["size"], s["loc"]))
    smallest = min(services, key=lambda s: (s["loc"], s["size"]))
    counts = "; ".join(str(sum(s["kind"] == "service" for s in doc["services"])) for doc in documents.values())
    cohesion = [quality[p]["cochange_cohesion"] for p in ("proposed", "package_layout")]
    cells = [
        name, str(len(modules)), f"{sum(pairwise) / len(pairwise):.3f}", " / ".join(f"{v:.3f}" for v in pairwise),
        counts, f"{quality['proposed']['icp']:.4f} vs {quality['package_layout']['icp']:.4f}",
        " vs ".join("-" if value is None else f"{value:.4f}" for value in cohesion),
        f"{largest['name']} ({largest['size']} / {largest['loc']}; {largest['size'] / len(modules):.0%} of modules)",
        f"{smallest['name']} ({smallest['size']} / {smallest['loc']}; {smallest['loc'] / analysed_loc:.2%} of lines)",
        _roles(first),
        " / ".join(f"{times[seed]:.0f}s" for seed in sorted(times)),
    ]
    return "| " + " | ".join(cells) + " |"


def _roles(document: dict) -> str:
    """Modules set apart by their code: left out (tests, migrations) and kept apart (tooling)."""
    counts = Counter(role["role"] for role in document.get("module_roles", []))
    return ", ".join(f"{count} {role}" for role, count in sorted(counts.items())) or "-"


def main(argv: list[str]) -> int:
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="folder for the runs (outside the repos)")
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 100, 1000])
    args = parser.parse_args(argv)
    lines = ["| repo | modules | mean ARI | pairwise ARI | services per seed | ICP proposed vs layout "
             "| co-change cohesion proposed vs layout | largest service (modules / loc) "
             "| smallest service (modules / loc) | set apart by their code | time per run |",
             "|" + "---|" * 11]
    for repo in args.repos:
        documents, times = {}, {}
        for seed in args.seeds:
            documents[seed], times[seed] = run(repo.resolve(), seed, args.out, args.cache_dir, extra)
        lines.append(row(repo.name, documents, times))
        print(lines[-1], file=sys.stderr, flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
