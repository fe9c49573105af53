"""The sample's replayed history: real git, deterministic, ending exactly at the sample code."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE_DIR, git, replay_history

# The replay is fully scripted (authors, dates, seed), so its HEAD is the same on every
# machine. Change this only together with the sample code or the script.
EXPECTED_HEAD = "58bf87e0e121ab862db0d661df78b2edff516b71"


def test_head_is_the_same_on_every_replay(sample_repo: Path, tmp_path: Path):
    replay_history.replay(tmp_path / "again")
    assert git(tmp_path / "again", "rev-parse", "HEAD").strip() == EXPECTED_HEAD
    assert git(sample_repo, "rev-parse", "HEAD").strip() == EXPECTED_HEAD


def test_work_tree_equals_the_sample_code(sample_repo: Path):
    tracked = git(sample_repo, "ls-files").split()
    python_files = sorted(path for path in tracked if path.startswith("shop/"))
    expected = sorted(path.relative_to(SAMPLE_DIR).as_posix()
                      for path in (SAMPLE_DIR / "shop").rglob("*.py") if "__pycache__" not in path.parts)
    assert python_files == expected
    for relative in expected:
        assert (sample_repo / relative).read_text() == (SAMPLE_DIR / relative).read_text(), relative
    assert sorted(set(tracked) - set(expected)) == ["README.md", "manage.py", "pyproject.toml"]
    assert git(sample_repo, "status", "--porcelain") == ""


def test_history_shape(sample_repo: Path):
    assert git(sample_repo, "rev-list", "--count", "HEAD").strip() == "350"
    assert git(sample_repo, "rev-list", "--count", "--merges", "HEAD").strip() == "41"
    assert git(sample_repo, "log", "-1", "--format=%ad", "--date=iso").strip() == (
        "2025-04-07 10:30:00 +0200"
    )
    authors = set(git(sample_repo, "log", "--format=%an").splitlines())
    assert authors == {"Alice Martin", "Bilal Haddad", "Chen Wei", "Dana Novak", "Emeka Obi", "Farah Khan"}
    assert git(sample_repo, "log", "--no-merges", "--format=%h", "--",
               "shop/orders/checkout.py").count("\n") == 76


def test_exports_module_was_renamed_once(sample_repo: Path):
    log = git(sample_repo, "log", "--no-merges", "--follow", "--name-status", "--format=", "--",
              "shop/reporting/exports.py")
    renames = [line for line in log.splitlines() if line.startswith("R")]
    assert len(renames) == 1
    assert renames[0].split("\t")[1:] == ["shop/reporting/csv_export.py", "shop/reporting/exports.py"]


def test_replay_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    try:
        replay_history.replay(tmp_path / "taken")
    except SystemExit as stop:
        assert str(stop) == f"error: {tmp_path / 'taken'} exists and is not empty; name a new folder"
    else:
        raise AssertionError("replay wrote into a folder that was not empty")
