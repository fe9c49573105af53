"""Gates from the proposal: real import-linter on a real copy of the sample, and `decomposer check`."""

from __future__ import annotations

import dataclasses
import json
import shutil
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


def _tach(repo: Path, report: Path) -> subprocess.CompletedProcess[str]:
    shutil.copy(report / "tach.toml", repo / "tach.toml")  # tach reads tach.toml from the project root
    tach = Path(sys.executable).with_name("tach")
    return subprocess.run([str(tach), "check"], cwd=repo, capture_output=True, text=True, check=False)


def test_tach_passes_now_and_fails_on_a_new_crossing(analysed):
    repo, report = analysed
    kept = _tach(repo, report)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    _add_line(repo / "shop" / "notifications" / "sms.py", "from shop.core.money import Money")  # the kernel
    assert _tach(repo, report).returncode == 0
    _add_line(repo / "shop" / "notifications" / "sms.py", "from shop.orders.models import Order")
    broken = _tach(repo, report)
    assert broken.returncode == 1
    assert ("shop/notifications/sms.py:1: Cannot use 'shop.orders.models.Order'. Module 'shop.notifications' "
            "cannot depend on 'shop.orders'.") in broken.stdout + broken.stderr


def test_tach_config_has_an_entry_only_where_the_service_changes(analysed):
    _, report = analysed
    config = tomllib.loads((report / "tach.toml").read_text())
    modules = {entry["path"]: entry for entry in config["modules"]}
    assert sorted(modules) == [
        "shop", "shop.accounts", "shop.catalog", "shop.catalog.shipping_rates", "shop.core", "shop.notifications",
        "shop.orders", "shop.payments.fraud", "shop.reporting", "shop.settings", "shop.shipping", "shop.urls"]
    assert modules["shop"]["depends_on"] == ["shop.orders"]  # shop.payments.* live under shop's entry
    assert modules["shop.core"] == {"path": "shop.core", "depends_on": ["shop.settings"], "utility": True}
    assert modules["shop.catalog.shipping_rates"]["depends_on"] == ["shop.shipping"]  # its own service's entry
    assert config["exclude"][:2] == ["**/tests.py", "**/tests/**"]
    assert config["ignore_type_checking_imports"] is True


def test_names_no_import_can_spell_are_kept_out_of_the_gates(analysed):
    from decomposer.pipeline import load_analysis
    from decomposer.reports.contracts import importlinter_config, tach_config
    _, report = analysed
    analysis = load_analysis(report / "analysis.json")
    service = analysis.proposal.services[0]
    odd = dataclasses.replace(service, modules=service.modules + ("shop.x\n[importlinter:contract:evil]", 'shop.q"'))
    analysis = dataclasses.replace(analysis, proposal=dataclasses.replace(
        analysis.proposal, services=(odd,) + analysis.proposal.services[1:]))
    ini, toml = importlinter_config(analysis), tach_config(analysis)
    assert "evil" not in ini and "shop.q" not in ini
    assert "evil" not in toml and "shop.q" not in toml
    assert tomllib.loads(toml)["source_roots"] == ["."]


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
