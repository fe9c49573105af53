"""Incremental history: mine only the commits the history cache does not already hold.

The cache keeps a walk (`LogWalk`): the start of `git log HEAD` exactly as sources.git lists
it, each commit with its files, up to and including the first commit past the window. A
fresh mine is a function of that walk and the window alone (`mine_walk` cuts the window from
it by the same rule it applies to git's output), so the only question is how to get the new
HEAD's walk without listing the old commits' files again:

1. the same HEAD: the cached walk;
2. the cached HEAD is an ancestor of HEAD (`git merge-base --is-ancestor`) and no merge lies
   between them: git's walk from HEAD runs down that single line of commits to the cached
   HEAD and goes on exactly as the cached walk did, so the walk is the new commits
   (`git log CACHED..HEAD`, same format, pathspecs and rename detection) followed by the cached
   walk (or the new commits alone, when the window ends among them);
3. an ancestor, with merges between: git interleaves old and new commits by date, and a merge
   may even hide old commits (history simplification), so the order comes from git itself: the
   window's commits are listed without their files (no blob read, no rename sought), and only
   the commits the cache lacks are read with files (`git log --no-walk=unsorted <shas>`);
4. anything else (rewritten history, the cached HEAD gone, any read that lost a commit to a
   missing object): a full mine (on three cores or more, read in blocks: `read_window`).

When the window reaches past the end of the walk (an earlier `--since`, more commits needed to
reach `min_commits`), `mine_walk` reads only the rest from git (`--skip`). The walk stored
back ends at the new window's edge: commits that fell out of the window are dropped.

The walk's key is the folder, the pathspecs, the line-count mode (a partial clone reads names
only), whether the clone is shallow (and then HEAD too: a deepened clone gives its boundary
commit a parent, so that commit's files change) and `history_fingerprint` (git version, rename
limit, mailmap). A commit's record depends only on the commit and these, never on HEAD.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from decomposer.model import LogWalk, MinedHistory, RepoState
from decomposer.sources.cache import history_key, load_history, load_walk, store_history, store_walk
from decomposer.sources.git import (
    WindowRequest,
    has_merges,
    history_fingerprint,
    is_ancestor,
    list_window,
    mine_walk,
    read_commits,
    read_range,
    read_window,
    reading_processes,
)

__all__ = ["mine_with_cache"]


def mine_with_cache(repo_dir: Path, state: RepoState, pathspecs: tuple[str, ...], request: WindowRequest,
                    cache_dir: Path | None, progress: Callable[[str], None] = lambda message: None) -> MinedHistory:
    """The history of `state.head` for `request`: the same as `mine_history`, byte for byte.

    Args:
        repo_dir: the analysed folder; `state` is what `read_repo_state` said of it (a HEAD).
        pathspecs: git pathspecs relative to `repo_dir`.
        request: the window.
        cache_dir: where the history cache lives; None mines without a cache.
        progress: called with a short message as mining starts.
    """
    assert state.head is not None
    line_counts = not state.partial

    shown = 0

    def counted(count: int) -> None:  # each count said once, whichever read reaches it first
        nonlocal shown
        if count > shown:
            shown = count
            progress(f"  {count} commits read")

    if cache_dir is None:
        progress("Mining git history")
        start = _read_window(repo_dir, state.head, pathspecs, request, line_counts, counted)
        return mine_walk(repo_dir, pathspecs, request, start=start, line_counts=line_counts, progress=counted)[0]
    fingerprint = history_fingerprint(repo_dir)
    exact_key = history_key(path=str(repo_dir), head=state.head, shallow=state.shallow, partial=state.partial,
                            pathspecs=pathspecs, request=request, fingerprint=fingerprint)
    if (exact := load_history(cache_dir, exact_key)) is not None:
        return exact
    walk_key = history_key(kind="walk", path=str(repo_dir), pathspecs=pathspecs, partial=state.partial,
                           shallow_head=state.head if state.shallow else None, fingerprint=fingerprint)
    cached = load_walk(cache_dir, walk_key)
    start = None if cached is None else _walk_to(repo_dir, pathspecs, request, cached, state.head, line_counts)
    progress("Mining git history" if start is None else
             f"Mining git history (incremental, from the cache at {cached.head[:12]})")
    if start is None:
        start = _read_window(repo_dir, state.head, pathspecs, request, line_counts, counted)
    mined, walk = mine_walk(repo_dir, pathspecs, request, start=start, line_counts=line_counts, progress=counted)
    if walk is None:
        store_history(cache_dir, exact_key, mined)
    elif cached is None or (cached.head, len(cached.commits), cached.complete) != (state.head, len(walk[0]), walk[1]):
        store_walk(cache_dir, walk_key, LogWalk(state.head, *walk))
    return mined


def _read_window(repo_dir: Path, head: str, pathspecs: tuple[str, ...], request: WindowRequest, line_counts: bool,
                 counted: Callable[[int], None]) -> LogWalk | None:
    """The whole window read by several git processes (`read_window`), when that pays: with line
    counts (names alone are cheap to read) and cores to spare (`reading_processes`). None: read the one stream."""
    processes = reading_processes()
    if not line_counts or processes < 2:
        return None
    shown = 0

    def progress(count: int) -> None:
        nonlocal shown
        if count // 5000 > shown:
            shown = count // 5000
            counted(count)

    walk = read_window(repo_dir, pathspecs, request, processes=processes, progress=progress)
    return None if walk is None else LogWalk(head, *walk)


def _walk_to(repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest, cached: LogWalk,
             head: str, line_counts: bool) -> LogWalk | None:
    """HEAD's walk, built from `cached` (rules 1-3 of the module docstring); None: mine it all."""
    if cached.head == head:
        return cached
    if not is_ancestor(repo_dir, cached.head, head):
        return None
    if not has_merges(repo_dir, cached.head, head):
        new = read_range(repo_dir, pathspecs, cached.head, request, line_counts=line_counts)
        if new is None:
            return None
        commits, whole_range = new  # else the window ended among the new commits
        return LogWalk(head, commits + cached.commits, cached.complete) if whole_range else LogWalk(head, commits, False)
    return _listed_walk(repo_dir, pathspecs, request, cached, head, line_counts)


def _listed_walk(repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest, cached: LogWalk,
                 head: str, line_counts: bool) -> LogWalk | None:
    """HEAD's walk in the order git lists it, the files of commits the cache lacks read from git."""
    listed = list_window(repo_dir, pathspecs, request)
    if listed is None:
        return None
    known = {commit.sha: commit for commit in cached.commits}
    missing = tuple(commit.sha for commit in listed[0] if commit.sha not in known)
    read = read_commits(repo_dir, pathspecs, missing, line_counts=line_counts) if missing else ()
    if read is None:
        return None
    known.update((commit.sha, commit) for commit in read)
    if any(commit.sha not in known for commit in listed[0]):  # git did not give back every commit asked for
        return None
    return LogWalk(head, tuple(known[commit.sha] for commit in listed[0]), listed[1])
