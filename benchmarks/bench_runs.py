#!/usr/bin/env python3
"""Time whole `decomposer analyze` runs (every report) against the floor, and print the figures.

    python benchmarks/bench_runs.py REPO --scratch DIR [--repeat N] [--since YYYY-MM-DD]
    python benchmarks/bench_runs.py --synthetic 5000:15000,10000:30000,20000:60000 --scratch DIR

With REPO (never written: the new commits go into a clone under DIR), each figure is the median
of N runs (default 3) of the whole command in a fresh process, as a user runs it:

- the floor: grimp's cold scan of the analysed packages plus the bare `git log` the history
  mining parses (the same pathspecs and window), each alone, and both at once (git is another
  process, so they can overlap);
- a cold run (an empty --cache-dir each time), and its ratio to the floor (sum and overlapped);
- a warm run: nothing changed, the cache of the cold run;
- after one new commit, in a clone whose cache holds its previous HEAD (copied afresh for
  each run): a commit that changes only a text file, and one that adds a function to the
  analysed module with the most commits;
- that every report of the cold, warm and new-commit runs is byte for byte what a run with
  --no-cache writes (the slow path).

With --synthetic, one cold run per size (modules:commits) of benchmarks/synthetic_monolith.py,
with its wall time and peak memory (the largest process, forked workers included), to show how
the time grows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from decomposer.pipeline import python_pathspecs
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.sources.git import log_command

ROOT = Path(__file__).resolve().parent.parent


def run_analyze(repo: Path, out: Path, cache: Path | None, since: str | None) -> tuple[float, int]:
    """One `decomposer analyze` in a fresh process: (wall seconds, peak RSS in MiB)."""
    command = [sys.executable, "-P", "-m", "decomposer", "analyze", str(repo), "--out", str(out), "--quiet",
               *(["--cache-dir", str(cache)] if cache else ["--no-cache"]), *(["--since", since] if since else [])]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"decomposer analyze {repo} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss // 1024


def floor(repo: Path, since: str | None) -> dict[str, float]:
    """grimp's cold scan, the bare `git log`, and both started together."""
    layout = discover_layout(repo, (), None)
    pathspecs = python_pathspecs(layout)
    command = log_command(repo, pathspecs)
    window = [f"--since={since}"] if since else []
    git_log = [*command[:-1 - len(pathspecs)], *window, "--", *pathspecs]

    def scan() -> None:
        scan_code(repo, (repo / layout.source_root).resolve(), layout.packages, exclude_type_checking=False,
                  cache_dir=None)

    start = time.perf_counter()
    scan()
    grimp_alone = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(git_log, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    git_alone = time.perf_counter() - start
    start = time.perf_counter()
    process = subprocess.Popen(git_log, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scan()
    process.wait()
    both = time.perf_counter() - start
    return {"grimp": grimp_alone, "git": git_alone, "sum": grimp_alone + git_alone, "overlapped": both}


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env).stdout


def busiest_module(analysis_json: Path) -> str:
    from decomposer.pipeline import load_analysis
    analysis = load_analysis(analysis_json)
    path_of = {record.module: record.path for record in analysis.modules}
    return path_of[max(analysis.churn, key=lambda figures: (figures.commits, figures.module)).module]


def repo_figures(repo: Path, scratch: Path, repeat: int, since: str | None) -> None:
    print(f"{repo} (history since {since or 'the default window'}), median of {repeat}; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    floors = [floor(repo, since) for _ in range(repeat)]
    low = {key: statistics.median(entry[key] for entry in floors) for key in floors[0]}
    for key in ("grimp", "git", "sum", "overlapped"):
        print(f"  floor: {key:<34} {low[key]:7.2f} s")
    slow = scratch / "slow"
    run_analyze(repo, slow, None, since)
    reference = files(slow)
    cold = []
    for index in range(repeat):
        cache = scratch / f"cache-cold-{index}"
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(run_analyze(repo, scratch / "cold", cache, since))
        assert files(scratch / "cold") == reference, "a cold run wrote other bytes than --no-cache"
    cold_seconds = statistics.median(seconds for seconds, _ in cold)
    print(f"  cold run, every report                   {cold_seconds:7.2f} s  "
          f"{cold_seconds / low['sum']:.2f}x the floor (sum), {cold_seconds / low['overlapped']:.2f}x overlapped; "
          f"peak {max(peak for _, peak in cold)} MiB")
    warm = [run_analyze(repo, scratch / "warm", scratch / "cache-cold-0", since) for _ in range(repeat)]
    assert files(scratch / "warm") == reference, "a warm run wrote other bytes than --no-cache"
    print(f"  warm run (nothing changed)               {statistics.median(s for s, _ in warm):7.2f} s")
    new_commit_figures(repo, scratch, repeat, since)
    print(f"  every report byte-identical to --no-cache: {len(reference)} files")


def new_commit_figures(repo: Path, scratch: Path, repeat: int, since: str | None) -> None:
    clone = scratch / "clone"
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", "--local", str(repo), str(clone)], check=True)
    for kind in ("text", "code"):
        filled = scratch / "cache-before"
        shutil.rmtree(filled, ignore_errors=True)
        run_analyze(clone, scratch / "before", filled, since)
        if kind == "text":
            (clone / "BENCH_NOTES.txt").write_text("a commit outside the analysed code\n")
        else:
            module = clone / busiest_module(scratch / "before" / "analysis.json")
            module.write_text(module.read_text() + "\n\ndef _bench_added():\n    return 1\n")
        git(clone, "add", "-A")
        git(clone, "commit", "--quiet", "-m", f"bench: one new commit ({kind})")
        runs = []
        for _ in range(repeat):
            cache = scratch / "cache-after"
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(filled, cache)
            runs.append(run_analyze(clone, scratch / "after", cache, since)[0])
        run_analyze(clone, scratch / "after-slow", None, since)
        assert files(scratch / "after") == files(scratch / "after-slow"), "a new-commit run wrote other bytes"
        label = "outside the code" if kind == "text" else "to the busiest module"
        print(f"  after one new commit ({label}){' ' * (19 - len(label))}{statistics.median(runs):7.2f} s")


def synthetic_figures(sizes: str, scratch: Path) -> None:
    print(f"synthetic monoliths (benchmarks/synthetic_monolith.py), one cold run each, every report; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    for size in sizes.split(","):
        modules, commits = (int(part) for part in size.split(":"))
        target = scratch / f"synthetic-{modules}"
        if not target.exists():
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synthetic_monolith.py"), str(target),
                            "--modules", str(modules), "--commits", str(commits)], check=True,
                           stdout=subprocess.DEVNULL)
        cache = scratch / f"cache-synthetic-{modules}"
        shutil.rmtree(cache, ignore_errors=True)
        seconds, peak = run_analyze(target, scratch / f"out-synthetic-{modules}", cache, "2000-01-01")
        print(f"  {modules:>6} modules, {commits:>6} commits: {seconds:7.1f} s, peak {peak} MiB, "
              f"{1000 * seconds / modules:.2f} ms per module")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, nargs="?")
    parser.add_argument("--scratch", type=Path, required=True, help="folder for clones, caches and reports")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--since", default="2000-01-01", help="history window start (default: the whole history)")
    parser.add_argument("--synthetic", metavar="M:C,...", help="sizes of synthetic monoliths to run instead")
    args = parser.parse_args(argv)
    args.scratch.mkdir(parents=True, exist_ok=True)
    if args.synthetic:
        synthetic_figures(args.synthetic, args.scratch.resolve())
    elif args.repo:
        repo_figures(check_repo_path(args.repo), args.scratch.resolve(), args.repeat, args.since)
    else:
        parser.error("give REPO or --synthetic")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
