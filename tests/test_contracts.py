"""Gates from the proposal: real import-linter on a real copy of the sample, and `decomposer check`."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import git


@pytest.fixture
def analysed(cli, sample_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the sample, its analysis.json, and the generated contracts."""
    report = tmp_path / "report"
    assert cli("analyze", sample_copy, "--out", report, "-q", "--format", "json").exit_code == 0
    assert cli("contracts", report / "analysis.json").exit_code == 0
    return sample_copy, report


def _lint(repo: Path, config: Path) -> subprocess.CompletedProcess[str]:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint_imports), "--config", str(config), "--no-cache"], cwd=repo,
                          capture_output=True, text=True, check=False)


def _add_line(path: Path, line: str) -> None:
    text = path.read_text()
    path.write_text(line + "\n" + text)


def test_import_linter_contracts_pass_now_and_fail_on_a_new_crossing(analysed):
    repo, report = analysed
    kept = _lint(repo, report / ".importlinter")
    assert kept.returncode == 0, kept.stdout
    assert "Contracts: 7 kept, 0 broken." in kept.stdout
    _add_line(repo / "shop" / "notifications" / "sms.py", "from shop.orders.models import Order")
    broken = _lint(repo, report / ".importlinter")
    assert broken.returncode == 1
    assert "Contracts: 6 kept, 1 broken." in broken.stdout
    assert "shop.notifications.sms -> shop.orders.models" in broken.stdout


def test_importing_the_shared_kernel_stays_allowed(analysed):
    repo, report = analysed
    _add_line(repo / "shop" / "notifications" / "sms.py", "from shop.core.money import Money")
    assert _lint(repo, report / ".importlinter").returncode == 0


def test_tach_config_lists_every_module_with_its_allowed_dependencies(analysed):
    _, report = analysed
    config = tomllib.loads((report / "tach.toml").read_text())
    modules = {entry["path"]: entry for entry in config["modules"]}
    assert len(modules) == 64
    assert modules["shop.core.db"] == {"path": "shop.core.db", "depends_on": [], "utility": True}
    assert "shop.payments.gateway" in modules["shop.orders.checkout"]["depends_on"]  # crossing today
    assert "shop.orders.cart" in modules["shop.orders.checkout"]["depends_on"]  # same service
    assert "shop.reporting.sales" not in modules["shop.orders.checkout"]["depends_on"]


def test_check_matches_the_analysis_then_catches_new_coupling_and_credits_removals(cli, analysed):
    repo, report = analysed
    same = cli("check", repo, "--against", report / "analysis.json", "--json")
    assert same.exit_code == 0, same.output
    result = json.loads(same.stdout)
    assert result["grew"] is False
    assert all(pair["before"] == pair["after"] for pair in result["pairs"])
    assert {(pair["from"], pair["to"]): pair["before"] for pair in result["pairs"]}[("orders", "payments")] == 2

    _add_line(repo / "shop" / "notifications" / "sms.py", "from shop.orders.models import Order")
    grown = cli("check", repo, "--against", report / "analysis.json")
    assert grown.exit_code == 1
    assert grown.stdout.splitlines()[0] == "FAIL: 1 service pair gained crossing imports"
    assert "           notifications -> orders                       0 -> 1      <- new coupling" in grown.stdout

    git(repo, "checkout", "--", "shop/notifications/sms.py")
    services = repo / "shop" / "orders" / "services.py"
    services.write_text(services.read_text().replace(
        "from shop.payments.refunds import refund_payment\n", "refund_payment = None\n"))
    fewer = cli("check", repo, "--against", report / "analysis.json", "--json")
    assert fewer.exit_code == 0
    pairs = {(pair["from"], pair["to"]): (pair["before"], pair["after"]) for pair in json.loads(fewer.stdout)["pairs"]}
    assert pairs[("orders", "payments")] == (2, 1)


def test_new_modules_join_the_service_of_their_package(cli, analysed):
    repo, report = analysed
    (repo / "shop" / "notifications" / "push.py").write_text("from shop.payments.models import Payment\n")
    result = cli("check", repo, "--against", report / "analysis.json", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["new_modules"] == [{"module": "shop.notifications.push", "service": "notifications"}]
    assert {"from": "notifications", "to": "payments", "before": 0, "after": 1, "grew": True} in document["pairs"]


def test_contracts_are_never_written_into_the_repository(cli, analysed):
    repo, report = analysed
    result = cli("contracts", report / "analysis.json", "--out", repo / "gates")
    assert result.exit_code == 1
    assert "is inside the analysed repository" in result.stderr
    assert not (repo / "gates").exists()
