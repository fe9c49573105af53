"""Git history -> churn per module and change coupling between modules.

Change coupling follows Code Maat (Adam Tornhill, *Your Code as a Crime Scene*, 2015): two
modules are coupled when they change in the same commits. For a pair (a, b)::

    degree = shared_commits / ((commits_a + commits_b) / 2) * 100

counted over the commits that touch at most `max_changeset` analysed modules (a commit that
reformats the whole code base says nothing about which modules belong together). Pairs are
kept when both modules have `min_revisions` commits, they share `min_shared_commits`, and the
degree reaches `min_degree`. Churn counts every commit in the window, large ones included.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from decomposer.model import CoChange, Commit, CouplingThresholds, FileChange, ModuleChurn

__all__ = [
    "Coupling",
    "change_coupling",
    "churn_by_module",
    "follow_renames",
    "months_before",
    "parse_day",
]


@dataclass(frozen=True, slots=True)
class Coupling:
    """The change coupling of one history."""

    pairs: tuple[CoChange, ...]  # sorted by degree desc, shared commits desc, then names
    sum_of_coupling: tuple[tuple[str, int], ...]  # (module, soc), sorted by module
    coupling_commits: int  # commits that counted for coupling
    skipped_large_commits: int  # commits over max_changeset modules


def follow_renames(commits: tuple[Commit, ...]) -> tuple[Commit, ...]:
    """Rewrite every path to the name its file has at HEAD, so a moved module keeps its history.

    `commits` must be newest first, as `git log` lists them. Walking back in time, a rename
    old -> new tells that changes to `old` in older commits belong to whatever `new` is called
    at HEAD. Renames git did not detect (a move with heavy edits) start a new history.

    >>> from decomposer.model import Commit, FileChange
    >>> newest = Commit("b", 2, "x", (FileChange("new.py", 1, 1, old_path="old.py"),))
    >>> oldest = Commit("a", 1, "x", (FileChange("old.py", 5, 0),))
    >>> [c.changes[0].path for c in follow_renames((newest, oldest))]
    ['new.py', 'new.py']
    """
    head_name: dict[str, str] = {}
    followed = []
    for commit in commits:
        changes = []
        for change in commit.changes:
            name = head_name.get(change.path, change.path)
            changes.append(FileChange(name, change.added, change.deleted))
            if change.old_path is not None:
                head_name[change.old_path] = name
        followed.append(dataclasses.replace(commit, changes=tuple(changes)))
    return tuple(followed)


def churn_by_module(
    commits: tuple[Commit, ...], module_by_path: dict[str, str], recent_since: int | None = None
) -> tuple[ModuleChurn, ...]:
    """Commits, lines, authors and change dates of every module in `module_by_path`.

    Paths that are not analysed modules at HEAD (deleted files, excluded modules) are ignored.
    A module without commits in the window gets zeros and no dates. `recent_commits` counts
    the commits at or after `recent_since` (none when it is None).
    """
    commit_count: Counter[str] = Counter()
    added: Counter[str] = Counter()
    deleted: Counter[str] = Counter()
    authors: defaultdict[str, set[str]] = defaultdict(set)
    times: defaultdict[str, list[int]] = defaultdict(list)
    for commit in commits:
        touched = set()
        for change in commit.changes:
            module = module_by_path.get(change.path)
            if module is None:
                continue
            touched.add(module)
            added[module] += change.added
            deleted[module] += change.deleted
        for module in touched:
            commit_count[module] += 1
            authors[module].add(commit.author)
            times[module].append(commit.timestamp)
    return tuple(
        ModuleChurn(module, commit_count[module], added[module], deleted[module], len(authors[module]),
                    min(times[module], default=None), max(times[module], default=None),
                    sum(1 for moment in times[module] if recent_since is not None and moment >= recent_since))
        for module in sorted(module_by_path.values())
    )


def change_coupling(
    commits: tuple[Commit, ...], module_by_path: dict[str, str], thresholds: CouplingThresholds
) -> Coupling:
    """Code Maat's change coupling between analysed modules (formula in the module docstring)."""
    revisions: Counter[str] = Counter()
    shared: Counter[tuple[str, str]] = Counter()
    soc: Counter[str] = Counter()
    used = skipped = 0
    for commit in commits:
        modules = sorted({module_by_path[c.path] for c in commit.changes if c.path in module_by_path})
        if len(modules) > thresholds.max_changeset:
            skipped += 1
            continue
        used += 1
        revisions.update(modules)
        shared.update(combinations(modules, 2))
        for module in modules:
            soc[module] += len(modules) - 1
    pairs = [
        CoChange(a, b, count, _degree(count, revisions[a], revisions[b]))
        for (a, b), count in shared.items()
        if count >= thresholds.min_shared_commits
        and min(revisions[a], revisions[b]) >= thresholds.min_revisions
    ]
    kept = sorted((pair for pair in pairs if pair.degree >= thresholds.min_degree),
                  key=lambda pair: (-pair.degree, -pair.shared_commits, pair.a, pair.b))
    return Coupling(tuple(kept), tuple(sorted((module, soc[module]) for module in set(module_by_path.values()))),
                    used, skipped)


def _degree(shared: int, revisions_a: int, revisions_b: int) -> float:
    return round(100 * shared / ((revisions_a + revisions_b) / 2), 1)


def parse_day(text: str, *, end_of_day: bool = False) -> int:
    """Unix seconds of a `YYYY-MM-DD` day in UTC: its first second, or its last.

    Raises:
        ValueError: `text` is not such a date.
    """
    day = datetime.date.fromisoformat(text)
    moment = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
    seconds = calendar.timegm(moment.timetuple())
    return seconds + 86399 if end_of_day else seconds


def months_before(timestamp: int, months: int) -> int:
    """The same moment `months` calendar months earlier (the day clamped to the month's end).

    >>> months_before(1713139200, 24)  # 2024-04-15 -> 2022-04-15
    1649980800
    """
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return calendar.timegm(moment.replace(year=year, month=month + 1, day=day).timetuple())
