#!/usr/bin/env python3
"""Time the incremental history against a full mine, and print the figures.

    python benchmarks/bench_incremental.py CLONE --cache-dir DIR [--back N] [--repeat N]

CLONE must be a scratch clone: the script checks out `HEAD~N` (default 1), mines it into a
history cache under DIR, checks the original HEAD out again and then times, for the default
window and for `--since 2000-01-01` (the whole history):

- a full mine of HEAD (no cache);
- the incremental mine of HEAD from the cache filled at `HEAD~N` (the cache is copied afresh
  before each run, so every run starts from `HEAD~N`'s walk);
- a second run on the same HEAD (the walk is cut again, git is not asked for commits);
- the window listed without files (what a HEAD with merges since the cached one costs first);
- the window read in blocks by 2 and 3 git processes beside the listing (`read_window`: what a
  cold run does on a machine with 3 and 4 cores; on fewer the one stream is read);
- a merge: `HEAD~N` merged with HEAD (`git merge --no-ff`, a detached commit in the clone),
  mined incrementally from `HEAD~N`'s cache (the path for merges) and fully.

Each incremental result is checked equal to the full mine. Figures are the best of N runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from decomposer.pipeline import python_pathspecs
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.model import LogWalk
from decomposer.sources.git import WindowRequest, list_window, mine_walk, read_repo_state, read_window
from decomposer.sources.incremental import mine_with_cache
from decomposer.stages.history import months_before, parse_day

WINDOWS: dict[str, Callable[[int], WindowRequest]] = {
    "default window": lambda head_time: WindowRequest(months_before(head_time, 24), head_time, 1000),
    "since 2000-01-01": lambda head_time: WindowRequest(parse_day("2000-01-01"), head_time, 0),
}


def best_of(repeat: int, action: Callable[[], Any], before: Callable[[], None] = lambda: None) -> tuple[float, Any]:
    """Run `before` then time `action`, `repeat` times; the fastest time and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def checkout(repo_dir: Path, revision: str) -> None:
    subprocess.run(["git", "-C", str(repo_dir), "checkout", "--quiet", "--detach", revision], check=True)


def window_rows(repo_dir: Path, pathspecs: tuple[str, ...], name: str, cache_root: Path, back: int,
                repeat: int) -> list[tuple[str, float, str]]:
    head = subprocess.run(["git", "-C", str(repo_dir), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    seeded, working = cache_root / "seeded", cache_root / "working"
    shutil.rmtree(cache_root, ignore_errors=True)
    checkout(repo_dir, f"{head}~{back}")
    old = read_repo_state(repo_dir)
    seconds_seed, _ = best_of(1, lambda: mine_with_cache(repo_dir, old, pathspecs, WINDOWS[name](old.head_time),
                                                         seeded))
    checkout(repo_dir, head)
    state = read_repo_state(repo_dir)
    request = WINDOWS[name](state.head_time)
    full_seconds, full = best_of(repeat, lambda: mine_with_cache(repo_dir, state, pathspecs, request, None))

    def copy_seed() -> None:
        shutil.rmtree(working, ignore_errors=True)
        shutil.copytree(seeded, working)

    messages: list[str] = []
    incremental_seconds, incremental = best_of(repeat, lambda: mine_with_cache(
        repo_dir, state, pathspecs, request, working, messages.append), copy_seed)
    assert incremental == full, f"{name}: the incremental mine differs from the full mine"
    again_seconds, again = best_of(repeat, lambda: mine_with_cache(repo_dir, state, pathspecs, request, working))
    assert again == full
    listed_seconds, listed = best_of(repeat, lambda: list_window(repo_dir, pathspecs, request))
    walk_mb = sum(path.stat().st_size for path in working.rglob("*.json")) / 1e6
    block_rows = []
    for processes in (2, 3):
        def in_blocks(processes: int = processes):  # noqa: ANN202
            window = read_window(repo_dir, pathspecs, request, processes=processes)
            return mine_walk(repo_dir, pathspecs, request, start=LogWalk(state.head, *window))[0]

        seconds, mined = best_of(repeat, in_blocks)
        assert mined == full, f"{name}: the window read in blocks differs from the full mine"
        block_rows.append((f"full mine, read in blocks by {processes} git processes", seconds,
                           f"{full_seconds / seconds:.2f}x the speed of one stream ({os.cpu_count()} cores here)"))
    merge_rows = merge_timings(repo_dir, pathspecs, name, head, back, repeat, copy_seed, working)
    return [
        (f"full mine at HEAD~{back}, filling the cache", seconds_seed, ""),
        ("full mine at HEAD (no cache)", full_seconds, f"{len(full.commits)} commits: {full.window.description}"),
        (f"incremental mine at HEAD (cache from HEAD~{back})", incremental_seconds,
         f"{next(m for m in reversed(messages) if m.startswith('Mining'))[20:-1]}; {full_seconds / incremental_seconds:.1f}x the speed of a full mine; cache {walk_mb:.1f} MB"),
        ("second run at HEAD (walk cut again)", again_seconds, f"{full_seconds / again_seconds:.1f}x the speed of a full mine"),
        ("window listed without files (merges path)", listed_seconds,
         f"{len(listed[0]) if listed else 0} commits listed"),
        *block_rows,
        *merge_rows,
    ]


def merge_timings(repo_dir: Path, pathspecs: tuple[str, ...], name: str, head: str, back: int, repeat: int,
                  copy_seed: Callable[[], None], working: Path) -> list[tuple[str, float, str]]:
    """Full and incremental mines of a merge of HEAD into HEAD~back, from HEAD~back's cache."""
    checkout(repo_dir, f"{head}~{back}")
    identity = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    subprocess.run(["git", "-C", str(repo_dir), "merge", "--quiet", "--no-ff", "-m", "bench merge", head],
                   check=True, env={**os.environ, **identity})
    try:
        state = read_repo_state(repo_dir)
        request = WINDOWS[name](state.head_time)
        full_seconds, full = best_of(repeat, lambda: mine_with_cache(repo_dir, state, pathspecs, request, None))
        seconds, mined = best_of(repeat, lambda: mine_with_cache(repo_dir, state, pathspecs, request, working),
                                 copy_seed)
        assert mined == full, f"{name}: the incremental mine of the merge differs from the full mine"
    finally:
        checkout(repo_dir, head)
    return [("merge HEAD~N + HEAD: full mine", full_seconds, f"{len(full.commits)} commits"),
            ("merge HEAD~N + HEAD: incremental (merges path)", seconds, f"{full_seconds / seconds:.1f}x the speed of a full mine")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clone", type=Path)
    parser.add_argument("--cache-dir", type=Path, required=True)
    parser.add_argument("--back", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    repo_dir = check_repo_path(args.clone)
    pathspecs = python_pathspecs(discover_layout(repo_dir))
    print(f"decomposer incremental history: {repo_dir} (best of {args.repeat}; HEAD~{args.back} -> HEAD)")
    for name in WINDOWS:
        print(f"  {name}")
        for label, seconds, note in window_rows(repo_dir, pathspecs, name, args.cache_dir, args.back, args.repeat):
            print(f"    {label:50s} {seconds * 1000:9.1f} ms  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
