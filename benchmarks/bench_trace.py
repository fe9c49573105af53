#!/usr/bin/env python3
"""What `decomposer trace` costs on a real test suite, and what the runtime signal changes.

    python benchmarks/bench_trace.py REPO --python VENV/bin/python --out OUT_DIR [--runs 2]
                                     [--cache-dir DIR] -- TEST COMMAND (e.g. manage.py test -v 0)

PYTHON is the interpreter of the project's own environment, with decomposer installed in it
(`pip install -e /path/to/decomposer`). The suite runs --runs times plain and --runs times under
`decomposer trace --per-test-module` (alternating, in REPO, sequentially); the medians and their
ratio are printed. The last trace then feeds `decomposer analyze` twice, with the default weights
(runtime measured, not clustered on) and with runtime=1, and the script prints: modules that ran
against modules analysed, runtime module pairs that no import joins, import edges never executed,
and ICP, BCP, co-change cohesion, runtime crossing share and stability of both proposals next to
the package layout. A measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of the child) and exit code of `command`."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    code = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/tmp"}).returncode
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, code


def analyse(python: str, repo: Path, out: Path, cache: Path, trace: Path, weights: str | None) -> dict:
    command = [python, "-m", "decomposer", "analyze", str(repo), "--out", str(out), "--cache-dir", str(cache),
               "--format", "json", "-q", "--traces", str(trace)]
    subprocess.run(command + (["--weights", weights] if weights else []), check=True)
    return json.loads((out / "analysis.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--python", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    trace = args.out / "trace.json"
    plain, traced = [], []
    for _ in range(args.runs):
        *seconds, code = timed([args.python, *args.command], args.repo)
        plain.append(seconds)
        *seconds, traced_code = timed([args.python, "-m", "decomposer", "trace", "--out", str(trace),
                                       "--per-test-module", "--", *args.command], args.repo)
        traced.append(seconds)
    print(f"suite: {' '.join(args.command)} (exit {code}; traced exit {traced_code})")
    for index, kind in enumerate(("wall", "CPU")):
        base, with_trace = (statistics.median(run[index] for run in runs) for runs in (plain, traced))
        print(f"{kind + ':':6s} plain {base:.1f} s, traced {with_trace:.1f} s (median of {args.runs}): "
              f"{with_trace / base:.2f}x   runs: {', '.join(f'{run[index]:.1f}' for run in plain)} / "
              f"{', '.join(f'{run[index]:.1f}' for run in traced)}")
    cache = args.cache_dir or args.out / "cache"
    default = analyse(args.python, args.repo, args.out / "default", cache, trace, None)
    runtime = analyse(args.python, args.repo, args.out / "runtime", cache, trace, "runtime=1")
    report(default, runtime)


def report(default: dict, runtime: dict) -> None:
    section = default["runtime"]
    modules = [record["module"] for record in default["modules"]]
    imports = {(edge["importer"], edge["imported"]) for edge in default["imports"]}
    joined = imports | {(b, a) for a, b in imports}
    calls = {(call["caller"], call["callee"]) for call in section["calls"]}
    use_cases = [use_case for use_case in section["use_cases"] if use_case["name"] != "(outside tests)"]
    print(f"modules: {len(section['executed'])} of {len(modules)} analysed ran; "
          f"{len(section['without_functions'])} define no function; {len(section['never_executed'])} never executed")
    print(f"use cases: {len(use_cases)}; runtime module pairs: {len(calls)} "
          f"({sum(call['calls'] for call in section['calls'])} calls)")
    print(f"runtime pairs no import joins (either way): {len(calls - joined)}")
    called = calls | {(b, a) for a, b in calls}
    print(f"import edges never executed (either way): {len(imports - called)} of {len(imports)}")
    print(f"{'':26s} {'ICP':>7s} {'BCP':>7s} {'cohesion':>9s} {'rt cross':>9s} {'ARI':>6s} {'services':>9s}")
    for label, document, partition in (("layout", default, "package_layout"), ("proposal, default", default,
                                       "proposed"), ("proposal, runtime=1", runtime, "proposed")):
        quality = document["quality"][partition]
        stability = document["stability"]["mean_ari"] if partition == "proposed" and document["stability"] else None
        print(f"{label:26s} {quality['icp']:7.3f} {quality['bcp']:7.3f} {quality['cochange_cohesion'] or 0:9.3f} "
              f"{quality['crossing_runtime_share']:9.3f} {'' if stability is None else f'{stability:6.3f}':>6s} "
              f"{quality['groups']:9d}")


if __name__ == "__main__":
    sys.exit(main())
