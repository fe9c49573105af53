"""The command line as a user meets it: exit codes, one-line errors, help, reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

APP = {"app/__init__.py": "", "app/models.py": "X = 1\n", "app/views.py": "from app import models\n"}


def test_analyze_writes_analysis_json_and_a_summary(cli, sample_repo: Path, tmp_path: Path):
    result = cli("analyze", sample_repo, "--out", tmp_path / "report", "--verbose")
    assert result.exit_code == 0, result.output
    assert re.search(r"^\[ +\d+\.\ds\] Scanning imports in shop \(source root: \.\)$", result.stderr, re.M)
    lines = result.stdout.splitlines()
    assert lines[1] == "Packages:   1 package (shop) at the repository root"
    assert lines[2] == "Modules:    64 analysed, 4 excluded (857 lines of code)"
    assert lines[3] == "Imports:    160 module-to-module edges from 161 import statements"
    assert (
        "History:    309 commits, 2024-06-04 to 2025-04-07 (the whole history); "
        "1 large commit left out of co-change"
    ) in lines
    assert "     76  shop.orders.checkout" in lines
    assert "   85.7     6  shop.core.errors + shop.core.events" in lines
    assert "Mining git history" in result.stderr
    assert lines[-1] == f"Report:     {tmp_path / 'report' / 'report.html'} (24 files in {tmp_path / 'report'})"
    document = json.loads((tmp_path / "report" / "analysis.json").read_text())
    assert document["repository"]["head"] == "58bf87e0e121ab862db0d661df78b2edff516b71"
    assert document["repository"]["source_root"] == "."


def test_two_runs_write_identical_bytes(cli, sample_repo: Path, tmp_path: Path):
    cli("analyze", sample_repo, "--out", tmp_path / "one")
    cli("analyze", sample_repo, "--out", tmp_path / "two", "--no-cache")
    one = (tmp_path / "one" / "analysis.json").read_bytes()
    assert one == (tmp_path / "two" / "analysis.json").read_bytes()


def test_the_analysed_repo_is_never_written(cli, sample_copy: Path, tmp_path: Path):
    from conftest import git

    result = cli("analyze", sample_copy, "--out", tmp_path / "report")
    assert result.exit_code == 0
    assert git(sample_copy, "status", "--porcelain", "--ignored") == ""


def test_missing_path(cli, tmp_path: Path):
    result = cli("analyze", tmp_path / "missing", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'missing'} does not exist; pass the folder of your repository\n"
    )


def test_file_instead_of_folder(cli, tmp_path: Path):
    (tmp_path / "app.py").write_text("")
    result = cli("analyze", tmp_path / "app.py", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'app.py'} is a file, not a folder; pass the folder of your repository\n"
    )


def test_folder_without_python(cli, make_repo, tmp_path: Path):
    repo = make_repo({"index.html": "<p>hi</p>"})
    result = cli("analyze", repo, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {repo} holds no Python files; point decomposer at a Python repository\n"
    assert "Traceback" not in result.output


def test_unknown_package(cli, make_repo, tmp_path: Path):
    repo = make_repo(APP)
    result = cli("analyze", repo, "--out", tmp_path / "out", "--package", "nope")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: package nope not found in {repo} (packages found: app); check --package\n"
    )


def test_out_inside_the_repo_is_refused(cli, make_repo):
    repo = make_repo(APP)
    result = cli("analyze", repo, "--out", repo / "report")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --out {repo / 'report'} is inside the analysed repository {repo}, and decomposer "
        f"never writes there; pass --out with a folder outside it, e.g. --out {repo.parent / 'repo-report'}\n"
    )
    assert not (repo / "report").exists()


def test_invalid_config_lists_every_problem(cli, make_repo, tmp_path: Path):
    repo = make_repo({**APP, "pyproject.toml": (
        "[tool.decomposer]\npackages = 'app'\npackage-depth = 0\ncolour = 'red'\n"
    )})
    result = cli("analyze", repo, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {repo / 'pyproject.toml'} [tool.decomposer]: unknown key 'colour' (known: algorithm, apart, "
    )
    assert result.stderr.endswith(
        "; 'package-depth' must be a whole number of at least 1, not 0; 'packages' must be a list "
        "of package names, not 'app'; fix it or pass --no-config\n"
    )
    assert cli("analyze", repo, "--out", tmp_path / "out", "--no-config").exit_code == 0


def test_unreadable_toml(cli, make_repo, tmp_path: Path):
    repo = make_repo({**APP, "pyproject.toml": "[tool.decomposer\n"})
    result = cli("analyze", repo, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {repo / 'pyproject.toml'} is not valid TOML (")
    assert result.stderr.endswith("); fix it or pass --no-config\n")


def test_bad_flag_value_exits_2(cli, make_repo, tmp_path: Path):
    repo = make_repo(APP)
    result = cli("analyze", repo, "--out", tmp_path / "out", "--package-depth", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--package-depth'" in result.stderr


def test_config_in_the_repo_is_used_and_flags_win(cli, make_repo, tmp_path: Path):
    repo = make_repo({**APP, "app/legacy.py": "from app import views\n",
                      "pyproject.toml": "[tool.decomposer]\nexclude = ['app.legacy']\n"})
    cli("analyze", repo, "--out", tmp_path / "out", "-q")
    document = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert document["excluded_modules"] == ["app.legacy"]
    cli("analyze", repo, "--out", tmp_path / "out", "-q", "--exclude", "app.views")
    document = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert document["excluded_modules"] == ["app.legacy", "app.views"]


def test_file_that_does_not_parse_is_a_warning(cli, make_repo, tmp_path: Path):
    repo = make_repo({**APP, "app/old.py": "print 'python 2'\n"})
    result = cli("analyze", repo, "--out", tmp_path / "out", "--no-history")
    assert result.exit_code == 0
    assert "  app/old.py: does not parse (line 1: Missing parentheses in call to 'print'. " in result.stdout
    document = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert [warning["path"] for warning in document["warnings"]] == ["app/old.py"]
    assert document["summary"]["warnings"] == 1


def test_quiet_prints_nothing(cli, make_repo, tmp_path: Path):
    result = cli("analyze", make_repo(APP), "--out", tmp_path / "out", "--quiet")
    assert (result.exit_code, result.output) == (0, "")


def test_no_progress_when_output_is_not_a_terminal(cli, make_repo, tmp_path: Path):
    result = cli("analyze", make_repo(APP), "--out", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("Repository: ")


def test_every_command_has_help(cli):
    top = cli("--help")
    assert top.exit_code == 0
    assert "Tell a team how to break its Python monolith into services" in top.stdout
    analyze = cli("analyze", "--help")
    assert analyze.exit_code == 0
    for text in ("Analyse the monolith at PATH", "--package NAME", "--exclude PATTERN", "[tool.decomposer]",
                 "Examples:"):
        assert text in analyze.stdout


def test_python_dash_m_runs_the_cli(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "decomposer", "--version"], capture_output=True,
                            text=True, check=False)
    assert (result.returncode, result.stdout) == (0, "decomposer, version 0.1.0\n")


def test_debug_shows_the_traceback_of_an_error(cli, tmp_path: Path):
    result = cli("analyze", tmp_path / "missing", "--out", tmp_path / "out", "--debug")
    assert result.exit_code == 1
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.endswith(f"Error: {tmp_path / 'missing'} does not exist; pass the folder of your repository\n")


def test_dangling_symlink_is_a_warning(cli, make_repo, tmp_path: Path):
    repo = make_repo(APP)
    (repo / "app" / "gone.py").symlink_to(repo / "app" / "missing_target.py")
    result = cli("analyze", repo, "--out", tmp_path / "out", "--no-history")
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert document["warnings"] == [{
        "path": "app/gone.py",
        "message": "is a broken symlink; skipped",
    }]
    assert [record["module"] for record in document["modules"]] == ["app", "app.models", "app.views"]


def test_weight_flags_are_checked(cli, make_repo, tmp_path: Path):
    repo = make_repo(APP)
    result = cli("analyze", repo, "--out", tmp_path / "out", "--weights", "structural=1,imports=2")
    assert result.exit_code == 2
    assert ("Invalid value for '--weights': 'imports=2' is not NAME=NUMBER with NAME one of structural, "
            "cochange, data, runtime and a finite NUMBER >= 0") in result.stderr
    for flag, value in (("--brittleness-weights", "commits=-1"), ("--brittleness-weights", "commits=inf"),
                        ("--weights", "structural=nan"), ("--weights", "cochange=1e999")):
        result = cli("analyze", repo, "--out", tmp_path / "out", flag, value)
        assert result.exit_code == 2
        assert f"Invalid value for '{flag}': '{value}'" in result.stderr


def test_detection_flags_reach_the_report(cli, sample_repo: Path, tmp_path: Path):
    result = cli("analyze", sample_repo, "--out", tmp_path / "out", "-q", "--services", "3", "--seed", "7",
                 "--weights", "structural=2,cochange=0.5", "--granularity", "package",
                 "--stability-runs", "1", "--brittleness-weights", "loc=0")
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "out" / "analysis.json").read_text())
    detection = document["detection"]
    assert (detection["requested_services"], detection["seed"], detection["granularity"]) == (3, 7, "package")
    assert detection["weights"] == {"structural": 2.0, "cochange": 0.5, "data": 0.5, "runtime": 0.0}
    assert len([service for service in document["services"] if service["kind"] == "service"]) == 3
    assert document["stability"]["seeds"] == [1007]  # one full rerun, a thousand seeds away
    rows = (tmp_path / "out" / "brittle_modules.csv").read_text().splitlines()
    assert rows[0].startswith("rank,module,brittleness,hotspot,commits")
    assert len(rows) == 1 + 64


def test_plan_command_replans_without_analysing(cli, sample_repo: Path, tmp_path: Path):
    assert cli("analyze", sample_repo, "--out", tmp_path / "report", "-q", "--format", "json",
               "--format", "plan").exit_code == 0
    assert sorted(path.name for path in (tmp_path / "report").iterdir()) == [
        "analysis.json", "plan.csv", "plan.md"]
    result = cli("plan", tmp_path / "report" / "analysis.json", "--sprint-capacity", "12",
                 "--out", tmp_path / "replan")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Plan:       12 steps over 16 sprints of 12 change points; calls from extracted services into "
        "the monolith: 1 (reverse order: 24)")
    plan = json.loads((tmp_path / "replan" / "plan.json").read_text())
    original = json.loads((tmp_path / "report" / "analysis.json").read_text())["plan"]
    assert [step["service"] for step in plan["plan"]] == [step["service"] for step in original]
    assert (plan["plan_summary"]["sprint_capacity"], plan["plan_summary"]["sprints"]) == (12, 16)
    markdown = (tmp_path / "replan" / "plan.md").read_text()
    assert markdown.startswith("# Extraction plan: shop @ 58bf87e0e121\n")
    assert "### Step 3. Extract: accounts (spans 2 sprints)" in markdown
    assert "- `shop.accounts.views` imports `shop.notifications.service`: notify (shop/accounts/views.py:8)" in markdown


def test_plan_command_errors(cli, tmp_path: Path):
    missing = cli("plan", tmp_path / "nope.json")
    assert (missing.exit_code, missing.stderr) == (
        1, f"Error: {tmp_path / 'nope.json'} does not exist; run `decomposer analyze` first\n")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    other = cli("plan", tmp_path / "other.json")
    assert other.exit_code == 1
    assert other.stderr == (f"Error: {tmp_path / 'other.json'} is not a decomposer analysis.json this version "
                            "can read (schema_version is missing); run `decomposer analyze` again\n")
    (tmp_path / "broken.json").write_text("{")
    assert cli("plan", tmp_path / "broken.json").stderr.startswith(
        f"Error: {tmp_path / 'broken.json'} is not readable JSON (")
    assert "Re-plan the extraction from an existing ANALYSIS_JSON" in cli("plan", "--help").stdout
