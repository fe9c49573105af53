"""The history stage on tiny literal commits: renames, churn, Code Maat's change coupling."""

from __future__ import annotations

import pytest

from decomposer.model import CoChange, Commit, CouplingThresholds, FileChange, ModuleChurn
from decomposer.stages.history import (
    change_coupling,
    churn_by_module,
    follow_renames,
    months_before,
    parse_day,
)

MODULES = {"a.py": "a", "b.py": "b", "c.py": "c", "d.py": "d"}


def _commit(sha: str, timestamp: int, author: str, *paths: str) -> Commit:
    return Commit(sha, timestamp, author, tuple(FileChange(path, 2, 1) for path in paths))


def test_renames_are_followed_back_to_the_head_name():
    commits = (
        Commit("c3", 30, "x", (FileChange("pkg/new.py", 1, 0),)),
        Commit("c2", 20, "x", (FileChange("pkg/new.py", 0, 0, old_path="pkg/mid.py"),)),
        Commit("c1", 15, "x", (FileChange("pkg/mid.py", 4, 4, old_path="pkg/old.py"),)),
        Commit("c0", 10, "y", (FileChange("pkg/old.py", 9, 0), FileChange("pkg/other.py", 3, 0))),
    )
    followed = follow_renames(commits)
    assert [[change.path for change in commit.changes] for commit in followed] == [
        ["pkg/new.py"], ["pkg/new.py"], ["pkg/new.py"], ["pkg/new.py", "pkg/other.py"],
    ]
    assert followed[3].changes[0] == FileChange("pkg/new.py", 9, 0)


def test_a_name_reused_after_a_rename_starts_its_own_history():
    commits = (
        Commit("c2", 20, "x", (FileChange("old.py", 5, 0),)),  # a new file under the old name
        Commit("c1", 10, "x", (FileChange("new.py", 0, 0, old_path="old.py"),)),
        Commit("c0", 5, "x", (FileChange("old.py", 7, 0),)),
    )
    assert [commit.changes[0].path for commit in follow_renames(commits)] == ["old.py", "new.py", "new.py"]


def test_churn_counts_commits_lines_authors_and_dates():
    commits = (
        _commit("c4", 400, "ann", "a.py", "b.py"),
        Commit("c3", 300, "bob", (FileChange("a.py", 10, 0), FileChange("gone.py", 5, 5))),
        _commit("c2", 200, "ann", "a.py"),
        _commit("c1", 100, "bob", "b.py", "tests/test_a.py"),
    )
    assert churn_by_module(commits, MODULES) == (
        ModuleChurn("a", 3, 14, 2, 2, 200, 400),
        ModuleChurn("b", 2, 4, 2, 2, 100, 400),
        ModuleChurn("c", 0, 0, 0, 0, None, None),
        ModuleChurn("d", 0, 0, 0, 0, None, None),
    )


def _history(*changesets: tuple[str, ...]) -> tuple[Commit, ...]:
    return tuple(_commit(f"c{index}", index, "ann", *paths) for index, paths in enumerate(changesets))


def test_degree_is_shared_commits_over_the_mean_of_revisions():
    # a: 8 commits, b: 6, shared 5 -> 5 / 7 = 71.4 %. a-c share 5 of (8 + 10) / 2 = 55.6 %.
    commits = _history(
        *[("a.py", "b.py", "c.py")] * 5,
        ("a.py",), ("a.py",), ("a.py", "d.py"),
        ("b.py",),
        *[("c.py",)] * 5,
    )
    coupling = change_coupling(commits, MODULES, CouplingThresholds())
    assert coupling.pairs == (
        CoChange("a", "b", 5, 71.4),
        CoChange("b", "c", 5, 62.5),
        CoChange("a", "c", 5, 55.6),
    )
    assert coupling.sum_of_coupling == (("a", 11), ("b", 10), ("c", 10), ("d", 1))
    assert (coupling.coupling_commits, coupling.skipped_large_commits) == (14, 0)


@pytest.mark.parametrize(("thresholds", "expected"), [
    (CouplingThresholds(min_shared_commits=6), ()),
    (CouplingThresholds(min_revisions=9), ()),  # a has 8 commits and b 6: every pair falls short
    (CouplingThresholds(min_degree=60.0), (CoChange("a", "b", 5, 71.4), CoChange("b", "c", 5, 62.5))),
    (CouplingThresholds(min_degree=71.4), (CoChange("a", "b", 5, 71.4),)),
    (CouplingThresholds(min_revisions=7, min_degree=0.0), (CoChange("a", "c", 5, 55.6),)),
])
def test_each_threshold_filters_pairs(thresholds, expected):
    commits = _history(*[("a.py", "b.py", "c.py")] * 5, ("a.py",), ("a.py",), ("a.py",), ("b.py",),
                       *[("c.py",)] * 5)
    assert change_coupling(commits, MODULES, thresholds).pairs == expected


def test_large_changesets_are_left_out_of_coupling_but_not_of_churn():
    modules = {f"m{index}.py": f"m{index}" for index in range(4)}
    commits = _history(*[("m0.py", "m1.py")] * 5, tuple(modules))
    coupling = change_coupling(commits, modules, CouplingThresholds(max_changeset=3))
    assert (coupling.coupling_commits, coupling.skipped_large_commits) == (5, 1)
    assert coupling.pairs == (CoChange("m0", "m1", 5, 100.0),)
    assert [churn.commits for churn in churn_by_module(commits, modules)] == [6, 6, 1, 1]


def test_days_and_months():
    assert parse_day("2025-04-15") == 1744675200
    assert parse_day("2025-04-15", end_of_day=True) == 1744761599
    assert months_before(parse_day("2024-03-31"), 1) == parse_day("2024-02-29")
    assert months_before(parse_day("2025-01-15"), 24) == parse_day("2023-01-15")
