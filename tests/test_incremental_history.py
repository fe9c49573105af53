"""Incremental history: a replayed history mined step by step with the cache equals a fresh mine.

Real git repositories grow commit by commit (renames, merges of branches dated before main's
newest commit, a commit touching no analysed file, a commit dated before its parent, a
rewritten history); after every step each window (default, reaching back to `min_commits`,
explicit since and until, the whole history) is mined through the cache and compared, byte for
byte, with a mine that reads everything from git.
"""

from __future__ import annotations

import json
import random
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest
from conftest import commit_files, git

from decomposer.config import load_settings
from decomposer.pipeline import analyze
from decomposer.reports.json_report import analysis_json
from decomposer.model import LogWalk
from decomposer.sources import incremental
from decomposer.sources.git import WindowRequest, mine_history, mine_walk, read_repo_state, read_window
from decomposer.sources.incremental import mine_with_cache
from decomposer.stages.history import months_before, parse_day

PATHSPECS = (":(glob)app/**/*.py",)
PATHSPECS_SAMPLE = (":(glob)shop/**/*.py",)
INCREMENTAL = "Mining git history (incremental"


def _requests(head_time: int) -> dict[str, WindowRequest]:
    return {
        "default": WindowRequest(months_before(head_time, 24), head_time, 0),
        "default, min 8": WindowRequest(months_before(head_time, 24), head_time, 8),
        "6 months, min 3": WindowRequest(months_before(head_time, 6), head_time, 3),
        "since 2000": WindowRequest(parse_day("2000-01-01"), head_time, 0),
        "since and until": WindowRequest(parse_day("2022-01-01"), parse_day("2024-06-30", end_of_day=True), 0),
    }


def _bytes(history) -> bytes:  # noqa: ANN001 - a MinedHistory
    return json.dumps(asdict(history), ensure_ascii=False).encode("utf-8", "surrogateescape")


class _Checker:
    """Mines `repo` with two caches (one request at a time, every request in turn), without, and
    with its window read by two git processes in blocks of two commits."""

    def __init__(self, repo: Path, cache_root: Path) -> None:
        self.repo, self.cache_root, self.messages = repo, cache_root, []
        self.lossy = False  # an object is missing: the window cannot be read in blocks

    def check(self) -> None:
        state = read_repo_state(self.repo)
        for name, request in _requests(state.head_time).items():
            fresh = mine_history(self.repo, PATHSPECS, request)
            for cache in (self.cache_root / "all", self.cache_root / name):
                cached = mine_with_cache(self.repo, state, PATHSPECS, request, cache, self.messages.append)
                assert _bytes(cached) == _bytes(fresh), (name, cache.name)
            window = read_window(self.repo, PATHSPECS, request, processes=2, block=2)
            assert (window is None) == self.lossy, name
            if window is not None:
                in_blocks = mine_walk(self.repo, PATHSPECS, request, start=LogWalk(state.head, *window))[0]
                assert _bytes(in_blocks) == _bytes(fresh), name

    def incremental_runs(self) -> int:
        runs = sum(message.startswith(INCREMENTAL) for message in self.messages)
        self.messages.clear()
        return runs


def _day(year: int, month: int, day: int = 1) -> str:
    return f"{year}-{month:02d}-{day:02d}T12:00:00Z"


def test_a_history_grown_step_by_step_mines_as_fresh(tmp_path: Path):
    repo = tmp_path / "grown"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    checker = _Checker(repo, tmp_path / "cache")
    files = {"app/__init__.py": "", "app/a.py": "A = 0\n", "app/b.py": "B = 0\n" * 20, "app/c.py": "C = 0\n"}
    commit_files(repo, files, "start", date=_day(2020, 1))
    for month in range(2, 8):  # old commits that the default window will leave behind
        commit_files(repo, {"app/a.py": f"A = {month}\n", "app/c.py": f"C = {month}\n"}, "old", date=_day(2020, month))
    checker.check()
    assert checker.incremental_runs() > 0  # the same HEAD, other windows: cut from the walk

    # A rename, a commit touching no analysed file, linear new commits.
    git(repo, "mv", "app/b.py", "app/renamed.py")
    commit_files(repo, {"app/renamed.py": "B = 0\n" * 20 + "B2 = 1\n"}, "rename", date=_day(2023, 3))
    commit_files(repo, {"README.md": "docs\n"}, "docs only", date=_day(2023, 4))
    commit_files(repo, {"app/a.py": "A = 10\n"}, "linear", date=_day(2023, 5))
    checker.check()
    assert checker.incremental_runs() == 10

    # A branch dated before main's newest commit, merged: git interleaves old and new commits.
    git(repo, "checkout", "--quiet", "-b", "feature", "HEAD~2")
    commit_files(repo, {"app/feature.py": "F = 1\n"}, "feature 1", date=_day(2023, 3, 15))
    commit_files(repo, {"app/renamed.py": "B = 0\n" * 21, "app/feature.py": "F = 2\n"}, "feature 2", date=_day(2023, 4, 15))
    git(repo, "checkout", "--quiet", "main")
    commit_files(repo, {"app/c.py": "C = 20\n"}, "main moves on", date=_day(2023, 6))
    git(repo, "merge", "--quiet", "--no-ff", "-m", "merge feature", "feature", date=_day(2023, 6, 2))
    checker.check()
    assert checker.incremental_runs() == 10

    # A commit dated before its parent (a skewed clock), then years of commits: the old
    # commits fall out of the default window, min_commits reaches back for them.
    commit_files(repo, {"app/a.py": "A = 12\n"}, "skewed", date=_day(2022, 1))
    for year in (2024, 2025, 2026):
        for month in (2, 9):
            commit_files(repo, {"app/c.py": f"C = {year}{month}\n"}, "later", date=_day(year, month))
        checker.check()
        assert checker.incremental_runs() == 10

    # Many new commits at once: the narrow windows end among them.
    for month in range(1, 8):
        commit_files(repo, {"app/a.py": f"A = 2027{month}\n"}, "busy", date=_day(2027, month))
    checker.check()
    assert checker.incremental_runs() == 10

    # Rewritten history: the cached HEAD is no longer an ancestor, so everything is mined again.
    git(repo, "reset", "--quiet", "--hard", "HEAD~2")
    commit_files(repo, {"app/a.py": "A = 99\n"}, "rewritten 1", date=_day(2027, 8))
    commit_files(repo, {"app/new.py": "N = 1\n"}, "rewritten 2", date=_day(2027, 9))
    checker.check()
    assert checker.incremental_runs() == 4  # each cache mines all once; "all" then cuts the walk
    commit_files(repo, {"app/new.py": "N = 2\n"}, "after the rewrite", date=_day(2027, 10))
    checker.check()
    assert checker.incremental_runs() == 10


def test_a_merge_that_hides_old_commits_mines_as_fresh(tmp_path: Path):
    # main changes a.py and reverts it while a branch is open; the merge is then the same as the
    # branch for the analysed files, so `git log HEAD -- app` follows the branch only and never
    # lists main's change and revert, although the cached walk from main holds them.
    repo = tmp_path / "hidden"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    checker = _Checker(repo, tmp_path / "cache")
    commit_files(repo, {"app/__init__.py": "", "app/a.py": "A = 0\n"}, "start", date=_day(2024, 1))
    git(repo, "checkout", "--quiet", "-b", "feature")
    commit_files(repo, {"app/b.py": "B = 1\n"}, "feature", date=_day(2024, 2))
    git(repo, "checkout", "--quiet", "main")
    commit_files(repo, {"app/a.py": "A = 1\n"}, "change", date=_day(2024, 3))
    commit_files(repo, {"app/a.py": "A = 0\n"}, "revert", date=_day(2024, 4))
    checker.check()
    assert checker.incremental_runs() == 4
    git(repo, "merge", "--quiet", "--no-ff", "-m", "merge", "feature", date=_day(2024, 5))
    checker.check()
    assert checker.incremental_runs() == 10
    state = read_repo_state(repo)
    assert len(mine_history(repo, PATHSPECS, _requests(state.head_time)["default"]).commits) == 2


def _small_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "--quiet", "--initial-branch=main")
    commit_files(path, {"app/__init__.py": "", "app/a.py": "A = 0\n"}, "start", date=_day(2024, 1),
                 author="ann@example.com")
    commit_files(path, {"app/a.py": "A = 1\n"}, "two", date=_day(2024, 2), author="bob@example.com")
    return path


def test_a_new_mailmap_maps_the_cached_authors_too(tmp_path: Path):
    repo = _small_repo(tmp_path / "people")
    checker = _Checker(repo, tmp_path / "cache")
    checker.check()
    # The author e-mail respects .mailmap: the old commits' author keys change with it.
    commit_files(repo, {".mailmap": "Ann <ann@example.com> <bob@example.com>\n", "app/a.py": "A = 2\n"},
                 "mailmap", date=_day(2024, 3), author="bob@example.com")
    checker.check()
    state = read_repo_state(repo)
    authors = {c.author for c in mine_history(repo, PATHSPECS, _requests(state.head_time)["default"]).commits}
    assert len(authors) == 1


def test_a_lost_object_among_the_new_commits_mines_everything_as_fresh(tmp_path: Path):
    repo = _small_repo(tmp_path / "holes")
    checker = _Checker(repo, tmp_path / "cache")
    checker.check()
    sha = commit_files(repo, {"app/a.py": "A = 3\n"}, "three", date=_day(2024, 3))
    commit_files(repo, {"app/a.py": "A = 4\n"}, "four", date=_day(2024, 4))
    blob = git(repo, "rev-parse", f"{sha}:app/a.py").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    checker.lossy = True
    checker.check()  # the new commits' line counts are lost: a full mine, as fresh
    state = read_repo_state(repo)
    assert mine_history(repo, PATHSPECS, _requests(state.head_time)["default"]).unreadable != ()


def test_a_subfolder_of_a_larger_repo_mines_as_fresh(tmp_path: Path):
    repo = tmp_path / "big"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit_files(repo, {"api/app/__init__.py": "", "api/app/a.py": "A = 1\n", "other/app/a.py": "X\n"},
                 "both", date=_day(2024, 1))
    checker = _Checker(repo / "api", tmp_path / "cache")
    checker.check()
    commit_files(repo, {"other/app/a.py": "X = 2\n"}, "outside", date=_day(2024, 2))
    git(repo, "mv", "api/app/a.py", "api/app/b.py")
    commit_files(repo, {}, "moved inside", date=_day(2024, 3))
    checker.check()
    assert checker.incremental_runs() == 10 + 4


@pytest.mark.parametrize("stride", [40, 7])
def test_the_sample_replayed_forward_gives_the_same_analysis_json(sample_repo: Path, tmp_path: Path, stride: int):
    clone = tmp_path / "moving"
    git(tmp_path, "clone", "--quiet", str(sample_repo), str(clone))
    line = git(clone, "rev-list", "--first-parent", "HEAD").split()[::-1]  # oldest first
    cache_dir = tmp_path / "cache"
    messages: list[str] = []
    for sha in line[-(3 * stride + 1)::stride]:
        git(clone, "checkout", "--quiet", "--detach", sha)
        with_cache = analyze(load_settings(clone, {"cache_dir": cache_dir, "min_commits": 100}, use_config=False),
                             messages.append)
        fresh = analyze(load_settings(clone, {"min_commits": 100}, use_config=False))
        assert analysis_json(with_cache) == analysis_json(fresh), sha
    assert sum(message.startswith(INCREMENTAL) for message in messages) == 3


@pytest.mark.parametrize("seed", [3, 36])  # 36 interleaves a merged branch with older commits
def test_seeded_random_histories_mine_as_fresh(tmp_path: Path, seed: int):
    # Branches, merges (some refused as conflicts), renames, docs-only commits, resets and
    # clocks that run backwards, in a seeded order; every window checked after every step.
    rng = random.Random(seed)
    repo = tmp_path / "random"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    files = [f"app/m{index}.py" for index in range(6)]
    moment = 1_600_000_000
    commit_files(repo, {"app/__init__.py": "", **{name: "x = 0\n" for name in files}}, "start",
                 date=f"@{moment} +0000")
    checker, branches = _Checker(repo, tmp_path / "cache"), ["main"]
    for step in range(8):
        for index in range(rng.randint(1, 6)):
            moment += rng.randint(-5, 40) * 86400
            _random_change(repo, rng, files, branches, f"{step}.{index}", f"@{moment} +0000")
        checker.check()
    assert checker.incremental_runs() > 0


def _random_change(repo: Path, rng: random.Random, files: list[str], branches: list[str], name: str,
                   date: str) -> None:
    action = rng.random()
    if action < 0.15 and len(branches) < 3:
        git(repo, "checkout", "--quiet", "-b", f"b{name}")
        branches.append(f"b{name}")
    elif action < 0.3 and len(branches) > 1:
        current = git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
        try:
            git(repo, "merge", "--quiet", "--no-ff", "-m", "merge", rng.choice([b for b in branches if b != current]),
                date=date)
        except subprocess.CalledProcessError:
            git(repo, "merge", "--abort")
    elif action < 0.4:
        git(repo, "checkout", "--quiet", rng.choice(branches))
    elif action < 0.45 and (repo / files[0]).exists():
        git(repo, "mv", files[0], f"app/r{name.replace('.', '_')}.py")
        files[0] = f"app/r{name.replace('.', '_')}.py"
        commit_files(repo, {}, "move", date=date)
    elif action < 0.5:
        commit_files(repo, {"README": f"{name}\n"}, "docs", date=date)
    elif action < 0.55 and git(repo, "rev-list", "--count", "HEAD").strip() not in ("1", "2"):
        git(repo, "reset", "--quiet", "--hard", "HEAD~1")
    else:
        present = [path for path in files if (repo / path).exists()] or files
        chosen = rng.sample(present, min(len(present), rng.randint(1, 3)))
        commit_files(repo, {path: f"x = {name}\n" * rng.randint(1, 5) for path in chosen}, "change", date=date)


def test_a_cached_head_that_no_longer_exists_mines_everything(tmp_path: Path):
    repo = _small_repo(tmp_path / "amended")
    checker = _Checker(repo, tmp_path / "cache")
    checker.check()
    assert checker.incremental_runs() == 4
    old_head = git(repo, "rev-parse", "HEAD").strip()
    commit_files(repo, {"app/a.py": "A = 7\n"}, "amended", date=_day(2024, 2, 2))
    git(repo, "reset", "--quiet", "--soft", "HEAD~2")
    git(repo, "commit", "--quiet", "-m", "squashed", date=_day(2024, 2, 3))
    (repo / ".git" / "objects" / old_head[:2] / old_head[2:]).unlink()  # as after `git gc --prune`
    checker.check()
    assert checker.incremental_runs() == 4  # each cache mines all once; "all" then cuts the walk


def test_several_git_readers_mine_the_sample_as_one_stream(sample_repo: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    # As on a machine with four cores: three readers (blocks of 25 commits) beside the listing,
    # with and without a cache; the same bytes as the one stream, and the blocks really read.
    state = read_repo_state(sample_repo)
    blocks: list[int] = []

    def in_small_blocks(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - read_window's own
        window = read_window(*args, **{**kwargs, "block": 25})
        blocks.append(len(window[0]))
        return window

    monkeypatch.setattr(incremental, "reading_processes", lambda: 3)
    monkeypatch.setattr(incremental, "read_window", in_small_blocks)
    for request in (WindowRequest(parse_day("2000-01-01"), state.head_time, 0),
                    WindowRequest(months_before(state.head_time, 6), state.head_time, 40)):
        fresh = mine_history(sample_repo, PATHSPECS_SAMPLE, request)
        for cache in (None, tmp_path / "cache"):
            mined = mine_with_cache(sample_repo, state, PATHSPECS_SAMPLE, request, cache)
            assert _bytes(mined) == _bytes(fresh)
    assert blocks == [309, 309, 182]  # the last window is cut from the cached walk of the whole history


def test_a_window_git_cannot_list_at_all_is_read_as_one_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # HEAD's own tree of the analysed folder is missing: git lists no commit at all. The blocks
    # give up (nothing was read) and the one stream says the history is truncated, as without them.
    repo = _small_repo(tmp_path / "headless")
    tree = git(repo, "rev-parse", "HEAD:app").strip()
    (repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    state = read_repo_state(repo)
    request = _requests(state.head_time)["since 2000"]
    assert read_window(repo, PATHSPECS, request, processes=2, block=1) is None
    monkeypatch.setattr(incremental, "reading_processes", lambda: 3)
    fresh = mine_history(repo, PATHSPECS, request)
    assert "history truncated" in fresh.warnings[0].message
    for cache in (None, tmp_path / "cache"):
        assert _bytes(mine_with_cache(repo, state, PATHSPECS, request, cache)) == _bytes(fresh)


def test_a_block_that_fails_stops_the_blocks_not_yet_begun(sample_repo: Path, monkeypatch: pytest.MonkeyPatch):
    # Ctrl-C or a git failure in one reader: the error comes out at once, the queued blocks unread.
    from decomposer.sources import git as git_source

    state = read_repo_state(sample_repo)
    asked: list[int] = []
    reading = git_source.read_commits

    def failing(repo_dir, pathspecs, shas):  # noqa: ANN001, ANN202 - read_commits' own
        asked.append(len(shas))
        if len(asked) == 1:
            raise KeyboardInterrupt
        return reading(repo_dir, pathspecs, shas)

    monkeypatch.setattr(git_source, "read_commits", failing)
    with pytest.raises(KeyboardInterrupt):
        read_window(sample_repo, PATHSPECS_SAMPLE, WindowRequest(None, state.head_time, 0), processes=1, block=10)
    assert len(asked) < 31  # not every block of 10: the listing stopped too


def test_a_containers_cpu_quota_counts_whole_cores():
    from decomposer.sources.git import quota_cores

    assert quota_cores("200000 100000\n") == 2
    assert quota_cores("250000 100000") == 2
    assert quota_cores("50000 100000") == 1  # half a core is still one process
    assert quota_cores("max 100000") is None  # no quota
    assert quota_cores("") is None
    assert quota_cores("100000 0") is None
