"""History mining on real git repositories built in temporary folders (no mocks of git)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import commit_files, git

from decomposer.config import load_settings
from decomposer.pipeline import analyze
from decomposer.schema import analysis_to_dict

APP = {"app/__init__.py": "", "app/a.py": "A = 1\n", "app/b.py": "B = 1\n"}


def _analyse(repo_dir: Path, **settings) -> dict:
    return analysis_to_dict(analyze(load_settings(repo_dir, settings, use_config=False)))


def _modules(document: dict) -> dict[str, dict]:
    return {record["module"]: record for record in document["modules"]}


def _new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def test_commits_equal_git_log_for_every_module_of_the_sample(sample_repo: Path):
    document = _analyse(sample_repo)
    for record in document["modules"]:
        if record["path"] == "shop/reporting/exports.py":
            continue  # renamed: checked below
        listed = git(sample_repo, "log", "--no-merges", "--format=%H", "--", record["path"]).split()
        assert record["commits"] == len(listed), record["module"]
    assert document["history"]["commits_analyzed"] == 309
    assert document["history"]["skipped_large_commits"] == 1
    assert document["history"]["window"] == {
        "since": "2024-06-04T08:00:00Z", "until": "2025-04-07T08:30:00Z",
        "description": "the whole history",
    }


def test_a_renamed_module_keeps_its_history(sample_repo: Path):
    exports = _modules(_analyse(sample_repo))["shop.reporting.exports"]
    followed = git(sample_repo, "log", "--no-merges", "--follow", "--format=%H", "--",
                   "shop/reporting/exports.py").split()
    since_rename = git(sample_repo, "log", "--no-merges", "--format=%H", "--",
                       "shop/reporting/exports.py").split()
    assert (exports["commits"], len(followed), len(since_rename)) == (10, 10, 3)


def test_sample_change_coupling_shows_the_designed_seams(sample_repo: Path):
    pairs = {(pair["a"], pair["b"]): pair for pair in _analyse(sample_repo)["cochange"]}
    # The orders <-> payments cycle: the refund flow changes both sides.
    assert pairs["shop.orders.services", "shop.payments.refunds"] == {
        "a": "shop.orders.services", "b": "shop.payments.refunds", "shared_commits": 15, "degree": 54.5,
    }
    # The misplaced module changes with shipping, never with catalog.
    rates = {pair for pair in pairs if "shop.catalog.shipping_rates" in pair}
    assert rates == {
        ("shop.catalog.shipping_rates", "shop.shipping.carriers"),
        ("shop.catalog.shipping_rates", "shop.shipping.models"),
        ("shop.catalog.shipping_rates", "shop.shipping.quotes"),
        ("shop.catalog.shipping_rates", "shop.shipping.zones"),
    }
    # The leaf app never changes together with another app.
    assert [pair for pair in pairs if any(".notifications." in name for name in pair)] == []


def test_explicit_window_matches_git_log_since_and_until(sample_repo: Path):
    document = _analyse(sample_repo, since="2024-10-01", until="2024-12-31")
    listed = git(sample_repo, "log", "--no-merges", "--format=%H", "--since=2024-10-01T00:00:00Z",
                 "--until=2024-12-31T23:59:59Z", "--", "shop/orders/checkout.py").split()
    assert _modules(document)["shop.orders.checkout"]["commits"] == len(listed) == 19
    assert document["history"]["window"] == {
        "since": "2024-10-01T00:00:00Z", "until": "2024-12-31T23:59:59Z",
        "description": "the requested window",
    }
    assert document["history"]["commits_analyzed"] == 89


def test_default_window_reaches_back_for_a_quiet_repo(tmp_path: Path):
    repo = _new_repo(tmp_path / "quiet")
    for year in (2019, 2020, 2021):
        commit_files(repo, {**APP, "app/a.py": f"A = {year}\n"}, f"old {year}", date=f"{year}-03-01T10:00:00Z")
    commit_files(repo, {"app/b.py": "B = 2\n"}, "recent", date="2024-03-01T10:00:00Z")
    commit_files(repo, {"app/b.py": "B = 3\n"}, "head", date="2024-06-01T10:00:00Z")
    quiet = _analyse(repo, min_commits=4)
    assert quiet["history"]["commits_analyzed"] == 4
    assert quiet["history"]["window"] == {
        "since": "2020-03-01T10:00:00Z", "until": "2024-06-01T10:00:00Z",
        "description": "extended back past the window to reach 4 commits",
    }
    strict = _analyse(repo, min_commits=0)
    assert strict["history"]["commits_analyzed"] == 2
    assert strict["history"]["window"]["since"] == "2022-06-01T10:00:00Z"
    assert _analyse(repo)["history"]["window"]["description"] == "the whole history"


def test_not_a_git_repository_runs_without_history(make_repo):
    repo = make_repo(APP)
    document = _analyse(repo)
    assert document["history"] is None
    assert document["cochange"] == []
    assert _modules(document)["app.a"]["commits"] is None
    assert document["warnings"] == [{
        "path": "", "message": f"{repo} is not in a git repository: analysed without history "
                               "(churn and co-change need git)",
    }]


def test_empty_repository_has_no_history(make_repo):
    repo = make_repo(APP)
    git(repo, "init", "--quiet")
    document = _analyse(repo)
    assert document["repository"]["head"] is None
    assert document["warnings"] == [
        {"path": "", "message": "the repository has no commits yet: analysed without history"},
    ]


def test_package_in_a_subfolder_of_a_larger_repo(tmp_path: Path):
    repo = _new_repo(tmp_path / "big")
    commit_files(repo, {"services/api/app/__init__.py": "", "services/api/app/a.py": "A = 1\n",
                        "other/app/a.py": "X = 1\n"}, "both")
    commit_files(repo, {"other/app/a.py": "X = 2\n"}, "outside only", date="2025-01-02T12:00:00Z")
    commit_files(repo, {"services/api/app/a.py": "A = 2\n"}, "inside", date="2025-01-03T12:00:00Z")
    document = _analyse(repo / "services" / "api")
    assert document["history"]["commits_analyzed"] == 2
    record = _modules(document)["app.a"]
    assert (record["path"], record["commits"], record["lines_added"], record["lines_deleted"]) == (
        "app/a.py", 2, 2, 1)


def test_shallow_clone_warns_that_history_is_truncated(sample_repo: Path, tmp_path: Path):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "20", f"file://{sample_repo}", str(shallow))
    document = _analyse(shallow)
    assert document["history"]["shallow"] is True
    commits = document["history"]["commits_analyzed"]
    assert commits == len(git(shallow, "log", "--no-merges", "--format=%H", "--", "shop").split())
    assert commits < 309
    assert {"path": "", "message": (
        f"shallow clone: history is truncated, so churn and co-change cover only {commits} commits; "
        "run `git fetch --unshallow` for the full history")} in document["warnings"]


def test_binary_files_unusual_names_and_a_huge_commit(tmp_path: Path):
    repo = _new_repo(tmp_path / "odd")
    commit_files(repo, {**APP, "app/café.py": "C = 1\n", "app/data.py": b"\x00\x01\x02"}, "start")
    commit_files(repo, {"app/café.py": "C = 2\n", "app/with space.py": "S = 1\n",
                        'app/"quoted".py': "Q = 1\n", "app/data.py": b"\x00\x03"}, "odd names",
                 date="2025-01-02T12:00:00Z")
    commit_files(repo, {f"app/m{index}.py": f"M = {index}\n" for index in range(40)}, "huge",
                 date="2025-01-03T12:00:00Z")
    document = _analyse(repo)
    modules = _modules(document)
    assert (modules["app.café"]["commits"], modules["app.café"]["lines_added"]) == (2, 2)
    assert (modules["app.data"]["commits"], modules["app.data"]["lines_added"]) == (2, 0)
    assert document["history"]["commits_analyzed"] == 3
    assert document["history"]["skipped_large_commits"] == 1


def test_missing_objects_do_not_stop_the_history(tmp_path: Path):
    repo = _new_repo(tmp_path / "holes")
    shas = [commit_files(repo, {**APP, "app/a.py": f"A = {index}\n", "app/b.py": f"B = {index}\n"},
                         f"c{index}", date=f"2025-01-0{index + 1}T12:00:00Z") for index in range(5)]
    blob = git(repo, "rev-parse", f"{shas[2]}:app/a.py").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    document = _analyse(repo)
    # Commits 2 and 3 need the lost blob for their line counts; all five are still counted.
    assert document["history"]["commits_analyzed"] == 5
    assert document["history"]["unreadable_commits"] == [shas[3], shas[2]]
    assert _modules(document)["app.a"]["commits"] == 5
    assert _modules(document)["app.b"]["lines_added"] == 3  # c0, c1, c4 were read


def test_second_run_reads_the_cache_and_a_new_commit_is_mined_alone(tmp_path: Path):
    repo = _new_repo(tmp_path / "cached")
    commit_files(repo, APP, "start")
    cache_dir = tmp_path / "cache"
    first = _analyse(repo, cache_dir=cache_dir)
    [cache_file] = (cache_dir / "history").glob("*.json")
    cached = json.loads(cache_file.read_text())
    assert (cached["head"], cached["complete"]) == (git(repo, "rev-parse", "HEAD").strip(), True)
    assert [commit[0] for commit in cached["commits"]] == [cached["head"]]
    cached["commits"] = cached["commits"] * 2  # a doctored cache proves it is what is read
    cache_file.write_text(json.dumps(cached))
    assert _analyse(repo, cache_dir=cache_dir)["history"]["commits_analyzed"] == 2
    assert first["history"]["commits_analyzed"] == 1
    commit_files(repo, {"app/a.py": "A = 2\n"}, "next", date="2025-01-02T12:00:00Z")
    # Only the new commit is read from git; the (doctored) cached ones follow it.
    assert _analyse(repo, cache_dir=cache_dir)["history"]["commits_analyzed"] == 3
    assert [path.name for path in (cache_dir / "history").glob("*.json")] == [cache_file.name]
    assert len(json.loads(cache_file.read_text())["commits"]) == 3


def test_authors_are_counted_never_stored(tmp_path: Path):
    repo = _new_repo(tmp_path / "people")
    commit_files(repo, APP, "one", author="ann@example.com")
    commit_files(repo, {"app/a.py": "A = 2\n"}, "two", author="ANN@example.com", date="2025-01-02T12:00:00Z")
    commit_files(repo, {"app/a.py": "A = 3\n"}, "three", author="bob@example.com", date="2025-01-03T12:00:00Z")
    cache_dir = tmp_path / "cache"
    document = _analyse(repo, cache_dir=cache_dir)
    assert _modules(document)["app.a"]["authors"] == 2
    written = json.dumps(document) + "".join(path.read_text() for path in cache_dir.rglob("*.json"))
    assert "example.com" not in written
    assert sorted(os.listdir(repo)) == [".git", "app"]


def test_odd_commits_are_read(tmp_path: Path):
    repo = _new_repo(tmp_path / "odd-commits")
    commit_files(repo, APP, "no e-mail", author="")
    commit_files(repo, {"app/a.py": "A = 2\n"}, "", date="2025-01-02T12:00:00Z")  # empty message
    commit_files(repo, {"README.md": "docs only\n"}, "not python", date="2025-01-03T12:00:00Z")
    document = _analyse(repo)
    assert document["history"]["commits_analyzed"] == 2
    assert _modules(document)["app.a"]["authors"] == 2


def test_partial_clone_counts_commits_without_line_counts(sample_repo: Path, sample_copy: Path, tmp_path: Path):
    partial = tmp_path / "partial"
    # A blob-less clone, as big monorepos are often cloned; the source must allow the filter.
    git(sample_copy, "config", "uploadpack.allowFilter", "true")
    git(tmp_path, "clone", "--quiet", "--filter=blob:none", "--no-local", f"file://{sample_copy}", str(partial))
    assert git(partial, "config", "--get", "remote.origin.promisor").strip() == "true"
    document = _analyse(partial)
    full = _analyse(sample_repo)
    assert document["history"]["commits_analyzed"] == full["history"]["commits_analyzed"] == 309
    checkout = _modules(document)["shop.orders.checkout"]
    assert (checkout["commits"], checkout["lines_added"]) == (76, 0)
    assert {"path": "", "message": (
        "partial clone: file contents are missing, so lines added and deleted are 0; commit counts and "
        "co-change are complete")} in document["warnings"]
