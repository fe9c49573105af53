#!/usr/bin/env python3
"""Time each stage of `decomposer analyze` on any repository, and print the figures.

    python benchmarks/bench_stages.py PATH [--repeat N]

Speed and memory are measured here, never asserted in tests. Each figure is the best of
N runs (default 3); the grimp scan is timed both cold (no cache) and warm (cache filled).
History mining is timed next to the bare `git log` command it parses (its output sent to
/dev/null), over the whole history and over the default window, then a cached second run.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from decomposer.config import DEFAULT_EXCLUDES, Settings
from decomposer.pipeline import python_pathspecs, run
from decomposer.reports.writer import FORMATS, OutputFolder, write_reports
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.sources.git import WindowRequest, log_command, mine_history, read_repo_state
from decomposer.stages.history import months_before
from decomposer.stages.import_graph import build_import_graph, exclude_modules, module_records


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[float, Any]:
    """Run `action` `repeat` times; return the fastest wall time and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def history_rows(repo_dir: Path, layout, repeat: int) -> list[tuple[str, float, str]]:
    """Mining time next to the bare `git log` it parses, for the whole history and the default window."""
    state = read_repo_state(repo_dir)
    if state.head_time is None:
        return [("history", 0.0, "not a git repository with commits: skipped")]
    pathspecs = python_pathspecs(layout)
    rows = []
    windows = {
        "whole history": WindowRequest(None, None, 0),
        "default window": WindowRequest(months_before(state.head_time, 24), state.head_time, 1000),
    }
    for name, request in windows.items():
        seconds, mined = best_of(repeat, lambda: mine_history(repo_dir, pathspecs, request))
        since = [f"--since={mined.window.since}"] if name != "whole history" and mined.window.since else []
        command = log_command(repo_dir, pathspecs)
        bare, _ = best_of(repeat, lambda: subprocess.run(
            [*command[:-1 - len(pathspecs)], *since, "--", *pathspecs],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False))
        rows.append((f"bare git log ({name})", bare, ""))
        rows.append((f"mine history ({name})", seconds,
                     f"{len(mined.commits)} commits, {seconds / bare:.2f}x the bare git log"))
    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(repo_path=repo_dir, cache_dir=Path(cache))
        run(settings)
        seconds, _ = best_of(repeat, lambda: run(settings))
        rows.append(("whole pipeline, second run (cached)", seconds, ""))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    repo_dir = check_repo_path(args.path)
    rows: list[tuple[str, float, str]] = []

    seconds, layout = best_of(args.repeat, lambda: discover_layout(repo_dir))
    rows.append(("discover layout", seconds, f"{len(layout.packages)} packages in {layout.source_root}"))
    source_dir = (repo_dir / layout.source_root).resolve()
    seconds, scan = best_of(args.repeat, lambda: scan_code(repo_dir, source_dir, layout.packages))
    rows.append(("scan imports (grimp, cold)", seconds,
                 f"{len(scan.modules)} modules, {len(scan.imports)} edges"))
    with tempfile.TemporaryDirectory() as cache:
        scan_code(repo_dir, source_dir, layout.packages, cache_dir=Path(cache))
        seconds, _ = best_of(args.repeat, lambda: scan_code(
            repo_dir, source_dir, layout.packages, cache_dir=Path(cache)))
        rows.append(("scan imports (grimp, warm cache)", seconds, ""))
    seconds, (modules, imports, excluded) = best_of(args.repeat, lambda: exclude_modules(scan, DEFAULT_EXCLUDES))
    rows.append(("exclude modules", seconds, f"{len(excluded)} excluded"))
    seconds, graph = best_of(args.repeat, lambda: build_import_graph(modules, imports))
    rows.append(("build import graph", seconds, f"{graph.number_of_nodes()} nodes"))
    seconds, _ = best_of(args.repeat, lambda: module_records(modules, graph, 2))
    rows.append(("module records", seconds, ""))
    seconds, analysis = best_of(args.repeat, lambda: run(Settings(repo_path=repo_dir)))
    rows.append(("whole analysis, no cache", seconds, ""))
    with tempfile.TemporaryDirectory() as out:
        seconds, written = best_of(args.repeat, lambda: write_reports(analysis, OutputFolder(Path(out), repo_dir),
                                                                        ("json",)))
        rows.append(("write analysis.json", seconds, f"{written[0].stat().st_size / 1e6:.2f} MB"))
    with tempfile.TemporaryDirectory() as out:
        seconds, written = best_of(1, lambda: write_reports(analysis, OutputFolder(Path(out), repo_dir),
                                                            tuple(FORMATS)))
        rows.append(("write every report (figures included)", seconds, f"{len(written)} files"))
    services = len(analysis.proposal.services) if analysis.proposal else 0
    rows.append(("(proposal)", 0.0, f"{services} groups, {len(analysis.plan.steps) if analysis.plan else 0} plan steps"))

    rows += history_rows(repo_dir, layout, args.repeat)

    print(f"decomposer benchmark: {repo_dir} (best of {args.repeat})")
    for name, seconds, note in rows:
        print(f"  {name:44s} {seconds * 1000:9.1f} ms  {note}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'peak memory (max RSS)':44s} {peak_mib:9.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
