"""Everything decomposer writes: never inside the analysed repository, every file whole."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from decomposer.errors import CannotWrite, OutputInsideRepository
from decomposer.reports.writer import OutputFolder, check_output_dir

APP = {"app/__init__.py": "", "app/a.py": "import app.b\n", "app/b.py": "import app.a\n"}


def test_a_folder_reached_through_a_symlink_into_the_repo_is_refused(make_repo, tmp_path: Path):
    repo = make_repo(APP)
    (tmp_path / "looks-outside").symlink_to(repo / "app")
    with pytest.raises(OutputInsideRepository) as error:
        check_output_dir(repo, tmp_path / "looks-outside" / "report", "--out")
    assert str(error.value).startswith(f"--out {repo / 'app' / 'report'} is inside the analysed repository {repo}")


def test_a_file_in_the_way_is_one_line(make_repo, tmp_path: Path):
    repo = make_repo(APP)
    (tmp_path / "plain").write_text("x")
    with pytest.raises(CannotWrite) as error:
        check_output_dir(repo, tmp_path / "plain" / "deeper" / "report", "--out")
    assert str(error.value) == (f"--out {tmp_path / 'plain' / 'deeper' / 'report'}: {tmp_path / 'plain'} is a "
                                "file, not a folder; pass another --out")


def test_files_are_replaced_whole_and_symlinks_are_replaced_not_followed(make_repo, tmp_path: Path):
    repo = make_repo(APP)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "report.md").symlink_to(repo / "app" / "a.py")  # planted to overwrite a source file
    out = OutputFolder(out_dir, repo)
    out.add("report.md", "# new\n")
    out.add("figure.png", b"\x89PNG")
    assert out.write() == [out_dir / "report.md", out_dir / "figure.png"]
    assert (repo / "app" / "a.py").read_text() == "import app.b\n"
    assert not (out_dir / "report.md").is_symlink()
    assert sorted(path.name for path in out_dir.iterdir()) == ["figure.png", "report.md"]  # no staging left


def test_a_failed_write_leaves_the_previous_files_and_no_staging_folder(make_repo, tmp_path: Path):
    repo = make_repo(APP)
    out_dir = tmp_path / "out"
    first = OutputFolder(out_dir, repo)
    first.add("analysis.json", "{}\n")
    first.add("report.md", "old\n")
    first.write()
    (out_dir / "report.md").unlink()
    (out_dir / "report.md").mkdir()  # a folder where a file must go: the rename fails
    second = OutputFolder(out_dir, repo)
    second.add("analysis.json", '{"new": 1}\n')
    second.add("report.md", "new\n")
    with pytest.raises(CannotWrite, match=r"^cannot write .*report\.md: Is a directory; move it out of the way"):
        second.write()
    assert sorted(path.name for path in out_dir.iterdir()) == ["analysis.json", "report.md"]


def test_analyze_refuses_an_out_under_a_file_before_analysing(cli, make_repo, tmp_path: Path):
    repo = make_repo(APP)
    (tmp_path / "file").write_text("")
    result = cli("analyze", repo, "--out", tmp_path / "file" / "out")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: --out {tmp_path / 'file' / 'out'}: {tmp_path / 'file'} is a file, not a "
                             "folder; pass another --out\n")


def test_plan_and_contracts_never_write_beside_an_analysis_kept_in_the_repo(cli, sample_copy: Path,
                                                                            tmp_path: Path):
    assert cli("analyze", sample_copy, "--out", tmp_path / "report", "-q").exit_code == 0
    kept = sample_copy / "architecture"
    kept.mkdir()
    shutil.copy(tmp_path / "report" / "analysis.json", kept / "analysis.json")
    before = sorted(str(path) for path in sample_copy.rglob("*") if ".git" not in path.parts)
    for command in ("plan", "contracts"):
        result = cli(command, kept / "analysis.json")
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: --out {kept} is inside the analysed repository {sample_copy}")
    assert sorted(str(path) for path in sample_copy.rglob("*") if ".git" not in path.parts) == before
    assert cli("plan", kept / "analysis.json", "--out", tmp_path / "plan").exit_code == 0
    assert json.loads((tmp_path / "plan" / "plan.json").read_text())["plan_summary"]["sprint_capacity"] == 30


def test_matplotlib_keeps_its_cache_in_ours(tmp_path: Path, sample_repo: Path):
    import subprocess
    import sys
    home = tmp_path / "home"
    home.mkdir()
    cache = tmp_path / "cache"
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
           "XDG_CONFIG_HOME": str(home / ".config")}
    env.pop("MPLCONFIGDIR", None)
    subprocess.run([sys.executable, "-m", "decomposer", "analyze", str(sample_repo), "--out", str(tmp_path / "out"),
                    "--cache-dir", str(cache), "-q", "--format", "png"], check=True, env=env)
    assert list(home.rglob("*")) == []
    assert (cache / "matplotlib").is_dir()
