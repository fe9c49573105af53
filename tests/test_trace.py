"""`decomposer trace`: the sample shop's own use-case tests traced for real, read back by analyze.

The shop's tests (sample_monolith/tests, with Django configured on SQLite in memory) are copied
next to a clone of the replayed repository, as a team keeps its top-level tests/, and run by
pytest in a subprocess with the plugin: no mocked tracer, real calls, real counts.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE_DIR, git
from decomposer.config import Settings
from decomposer.errors import InvalidTrace
from decomposer.model import Planning, RuntimeCall, RuntimeTrace, UseCase
from decomposer.pipeline import analyze, replan
from decomposer.schema import analysis_from_dict, analysis_to_dict
from decomposer.sources.trace_file import read_traces

ROOT = Path(__file__).resolve().parent.parent
HEAD = "58bf87e0e121ab862db0d661df78b2edff516b71"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{cwd}", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-P", *args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def shop_with_tests(sample_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("django") is None:
        pytest.fail("Django is missing: install the test extra (pip install -e '.[test]'); the shop's use-case "
                    "tests configure it to run")
    clone = tmp_path_factory.mktemp("traced") / "shop"
    git(clone.parent, "clone", "--quiet", str(sample_repo), str(clone))
    shutil.copytree(SAMPLE_DIR / "tests", clone / "tests")
    return clone


@pytest.fixture(scope="module")
def trace_path(shop_with_tests: Path) -> Path:
    path = shop_with_tests.parent / "shop-trace.json"
    result = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", ".", "-p", "decomposer.trace",
                  "--decomposer-trace", str(path), "tests", cwd=shop_with_tests)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (f"decomposer trace: 129 calls on 38 module pairs in 4 use cases (sys.setprofile) written to {path}"
            in result.stdout)
    return path


def _calls(document: dict) -> dict[tuple[str, str], dict[str, int]]:
    return {(call["caller"], call["callee"]): call["use_cases"] for call in document["calls"]}


def test_the_shops_tests_are_traced_with_their_use_cases(trace_path: Path):
    document = json.loads(trace_path.read_text())
    assert (document["format"], document["head"], document["packages"]) == ("decomposer-trace/1", HEAD, ["shop"])
    assert [use_case["name"] for use_case in document["use_cases"]] == [
        "(outside tests)", "delivery", "tests/test_cart.py", "tests/test_refund.py", "tests/test_reports.py"]
    calls = _calls(document)
    # The refund flow crosses from orders into payments, then stays in payments.
    assert calls[("shop.orders.services", "shop.payments.refunds")] == {"tests/test_refund.py": 1}
    assert calls[("shop.payments.refunds", "shop.payments.providers.card")] == {"tests/test_refund.py": 2}
    # Checkout prices shipping through shipping.services, which reaches the misplaced catalog module.
    assert calls[("shop.orders.checkout", "shop.shipping.services")] == {"tests/test_cart.py": 2}
    assert calls[("shop.shipping.services", "shop.catalog.shipping_rates")] == {"tests/test_cart.py": 2}
    assert calls[("shop.catalog.shipping_rates", "shop.shipping.zones")] == {"delivery": 2, "tests/test_cart.py": 2}
    # The event bus (analysed) calls its subscribers: core.events is their caller.
    assert calls[("shop.core.events", "shop.orders.signals")] == {"delivery": 1}
    assert calls[("shop.core.events", "shop.notifications.service")] == {"delivery": 1}
    # Subscribing at import time happens outside any test.
    assert calls[("shop.orders.signals", "shop.core.events")] == {"(outside tests)": 1}
    # A call within one module is no edge; nothing of django or of the tests is recorded.
    assert all(caller != callee and caller.startswith("shop.") and callee.startswith("shop.")
               for caller, callee in calls)
    reports = next(use_case for use_case in document["use_cases"] if use_case["name"] == "tests/test_reports.py")
    assert reports["modules"] == ["shop.core.db", "shop.core.money", "shop.payments.models",
                                  "shop.reporting.dashboards", "shop.reporting.sales"]
    assert document["without_functions"] == [
        "shop", "shop.accounts", "shop.catalog", "shop.core", "shop.core.errors", "shop.notifications", "shop.orders",
        "shop.payments", "shop.payments.providers", "shop.reporting", "shop.settings", "shop.shipping",
        "shop.shipping.models"]


def test_the_wrapper_records_one_use_case(shop_with_tests: Path, tmp_path: Path):
    out = tmp_path / "run.json"
    result = _run("-m", "decomposer", "trace", "--out", str(out), "--use-case", "suite", "-m", "pytest", "-q",
                  "-p", "no:cacheprovider", "--rootdir", ".", "tests/test_refund.py", cwd=shop_with_tests)
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert [use_case["name"] for use_case in document["use_cases"]] == ["suite"]
    assert _calls(document)[("shop.orders.services", "shop.payments.refunds")] == {"suite": 1}
    failing = _run("-m", "decomposer", "trace", "--out", str(out), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   "tests/no_such_test.py", cwd=shop_with_tests)
    assert failing.returncode == 4  # the program's own exit code, once the trace is written
    assert "decomposer trace: 0 calls" in failing.stderr


def test_no_trace_is_written_inside_the_traced_repository(shop_with_tests: Path):
    result = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", ".", "-p", "decomposer.trace",
                  "--decomposer-trace", "trace.json", "tests", cwd=shop_with_tests)
    assert result.returncode == 4
    assert (f"ERROR: decomposer trace: --decomposer-trace {shop_with_tests / 'trace.json'} is inside {shop_with_tests}, "
            f"whose code is "
            f"traced, and decomposer never writes there; pass a file outside it, e.g. --decomposer-trace "
            f"{shop_with_tests.parent / 'shop-trace.json'}") in result.stderr
    assert not (shop_with_tests / "trace.json").exists()


def test_analyze_reads_the_trace_and_the_document_round_trips(shop_with_tests: Path, trace_path: Path):
    analysis = analyze(Settings(repo_path=shop_with_tests, traces=(trace_path,)))
    runtime = analysis.runtime
    assert runtime is not None and runtime.heads == (HEAD,)
    assert RuntimeCall("shop.orders.services", "shop.payments.refunds", 1, (("tests/test_refund.py", 1),)) \
        in runtime.calls
    quality = dict(analysis.proposal.quality)
    # BCP over the 26 modules that ran in a use case; calls into the proposed kernel (shop.core...)
    # are library calls in both columns: 12 of 129 calls cross the proposal, 20 the layout.
    assert (quality["proposed"].bcp, quality["proposed"].crossing_runtime_share) == (0.553, 0.093)
    assert (quality["package_layout"].bcp, quality["package_layout"].crossing_runtime_share) == (0.652, 0.155)
    never = runtime.never_executed(tuple(record.module for record in analysis.modules))
    assert len(never) == 25 and never[:3] == ("shop.accounts.auth", "shop.accounts.models", "shop.accounts.permissions")
    steps = {step.service: step for step in analysis.plan.steps}
    assert (steps["payments"].runtime_calls, steps["payments"].runtime_use_cases) == (
        2, ("tests/test_refund.py", "tests/test_reports.py"))  # 10 more are calls into the kernel
    assert steps["shared"].runtime_calls == 84  # the library's own step: calls into and out of it
    assert (steps["accounts"].runtime_calls, steps["accounts"].runtime_use_cases) == (0, ())
    reasons = {entry.module: entry.reasons for entry in analysis.brittleness}
    assert ("called across 2 services at runtime (1 recorded call from orders)"
            in reasons["shop.payments.refunds"])
    document = analysis_to_dict(analysis)
    assert document["runtime"]["never_executed"] == list(never)
    assert analysis_to_dict(analysis_from_dict(json.loads(json.dumps(document)))) == document


def test_a_stale_trace_is_a_warning_with_counts(trace_path: Path, tmp_path: Path):
    document = json.loads(trace_path.read_text())
    document["head"] = "0" * 40
    document["calls"].append({"caller": "shop.orders.legacy", "callee": "shop.payments.refunds", "calls": 7,
                              "use_cases": {"tests/test_refund.py": 7}})
    stale, copy = tmp_path / "stale.json", tmp_path / "copy.json"
    stale.write_text(json.dumps(document))
    copy.write_text(json.dumps(document))
    modules = frozenset({"shop.orders.services", "shop.payments.refunds"})
    trace, warnings = read_traces((stale, copy, stale), modules, HEAD)
    assert trace.calls == (RuntimeCall("shop.orders.services", "shop.payments.refunds", 2,
                                       (("tests/test_refund.py", 2),)),)  # two files: counts add up
    assert f"trace {stale} is given twice: read once" in [warning.message for warning in warnings]
    assert [warning.message for warning in warnings][:2] == [
        f"trace {stale} was recorded at commit 000000000000, the analysis is of 58bf87e0e121: its calls may be "
        "stale; trace again at this commit",
        f"trace {stale} names 25 modules the analysis does not hold (shop.catalog.models, shop.catalog.pricing, "
        "shop.catalog.shipping_rates, ...): 135 of its calls left out (modules removed or renamed since, or "
        "another project's)",
    ]


@pytest.mark.parametrize(("content", "message"), [
    ("{", "not JSON; pass a file `decomposer trace` wrote"),
    ('{"schema_version": 3}', "not a decomposer-trace/1 file (format: None); record one with `decomposer trace` "
                              "or `pytest -p decomposer.trace`"),
    ('{"format": "decomposer-trace/1", "head": null, "packages": [], "without_functions": [], "use_cases": [], '
     '"calls": [{"caller": "a", "callee": "b", "calls": -1, "use_cases": {}}]}',
     "a call without caller, callee, a count and its use cases; record the trace again"),
])
def test_a_bad_trace_is_one_line_naming_it(tmp_path: Path, content: str, message: str):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InvalidTrace) as error:
        read_traces((path,), frozenset(), None)
    assert str(error.value) == f"--traces {path}: {message}"


def test_analyze_with_a_missing_trace_exits_1(cli, shop_with_tests: Path, tmp_path: Path):
    result = cli("analyze", shop_with_tests, "--out", tmp_path / "out", "--traces", tmp_path / "none.json")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: --traces {tmp_path / 'none.json'}: cannot read it (No such file or directory); "
                             "pass a file `decomposer trace` wrote\n")


_APP = {
    "app/__init__.py": "",
    "app/orders.py": "import json\nfrom app import money\n\ndef place(n):\n"
                     "    return [money.total(i) for i in range(n)] + [json.dumps(_local())]\n\n"
                     "def _local():\n    return money.ZERO\n",
    "app/money.py": "ZERO = 0\n\ndef total(i):\n    return _tax(i)\n\ndef _tax(i):\n    return i\n",
}


def test_runtime_trace_lists_what_never_ran():
    trace = RuntimeTrace(("t.json",), (), (UseCase("checkout", ("a.b", "a.c")),),
                         (RuntimeCall("a.b", "a.c", 2, (("checkout", 2),)),), ("a.b", "a.c"), ("a",))
    assert trace.never_executed(("a", "a.b", "a.c", "a.d", "a.e")) == ("a.d", "a.e")


def test_per_test_module_makes_each_unittest_module_a_use_case(tmp_path: Path):
    repo = tmp_path / "repo"
    for relative, text in {**_APP, "tests/__init__.py": "",
                           "tests/test_orders.py": "import unittest\nfrom app import orders\n\n"
                                                   "class T(unittest.TestCase):\n"
                                                   "    def test_place(self):\n        orders.place(2)\n"}.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text)
    out = tmp_path / "trace.json"
    result = _run("-m", "decomposer", "trace", "--out", str(out), "--packages", "app", "--per-test-module",
                  "-m", "unittest", "-q", cwd=repo)
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["calls"] == [{"caller": "app.orders", "callee": "app.money", "calls": 2,
                                  "use_cases": {"tests.test_orders": 2}}]


def test_the_reports_show_the_runtime_coupling(cli, shop_with_tests: Path, trace_path: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = cli("analyze", shop_with_tests, "--out", out, "--traces", trace_path, "--format", "csv",
                 "--format", "plan", "--format", "md")
    assert result.exit_code == 0, result.output
    assert ("Runtime:    129 calls between 38 module pairs in 4 use cases (1 trace file); 26 of 64 modules ran; "
            "runtime_calls.csv lists each pair") in result.stdout
    assert ("  Hottest calls across services: orders -> catalog (8), orders -> shipping (2), orders -> payments (1), "
            "reporting -> payments (1)") in result.stdout
    assert "  Business context purity (BCP)      0.553     0.652     0.983   (lower is better)" in result.stdout
    assert "  Share of runtime calls across      0.093     0.155     0.326   (lower is better)" in result.stdout
    assert ("  BCP is taken over the 26 modules that ran in a use case, in 7 of 8 proposed services "
            "(docs/metrics.md)") in result.stdout
    rows = (out / "runtime_calls.csv").read_text().splitlines()
    assert rows[:3] == ["caller,callee,calls,caller_service,callee_service,crossing,use_cases",
                        "shop.orders.cart,shop.catalog.pricing,8,orders,catalog,True,tests/test_cart.py (8)",
                        "shop.orders.checkout,shop.shipping.services,2,orders,shipping,True,tests/test_cart.py (2)"]
    modules = {row.split(",")[0]: row for row in (out / "runtime_modules.csv").read_text().splitlines()}
    assert modules["module"] == ("module,service,ran,never_executed,use_cases,calls_in,calls_out,services_calling,"
                                 "use_case_names")
    assert modules["shop.payments.refunds"] == "shop.payments.refunds,payments,True,False,1,1,10,1,tests/test_refund.py"
    assert modules["shop.urls"] == "shop.urls,catalog,False,True,0,0,0,0,"
    plan = (out / "plan.md").read_text()
    assert ("Runtime calls across this boundary in the traced use cases (calls into the shared kernel left out): 0\n"
            "Use cases that will run on both sides of it: delivery\n") in plan
    assert ("Runtime calls into and out of this library in the traced use cases (library calls, not crossings): "
            "84\n") in plan
    assert "## Runtime coupling" in (out / "report.md").read_text()


def test_calls_of_excluded_modules_are_left_out_without_a_warning(trace_path: Path):
    modules = frozenset({"shop.orders.services", "shop.payments.refunds"})
    everything_else = frozenset(module for use_case in json.loads(trace_path.read_text())["use_cases"]
                                for module in use_case["modules"]) - modules
    trace, warnings = read_traces((trace_path,), modules, HEAD, excluded=everything_else)
    assert (len(trace.calls), warnings) == (1, ())


def test_trace_command_errors_are_one_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = cli("trace", "--", "nothing.py")
    assert result.exit_code == 2
    assert "Error: Invalid value for COMMAND: nothing.py is not a file; give a Python script, or -m and a module" \
        in result.stderr
    result = cli("trace", "-m", "json.tool")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path} holds no Python files; point decomposer at a Python repository\n"


def test_the_same_suite_gives_the_same_bytes_and_replan_keeps_the_runtime(shop_with_tests: Path, trace_path: Path,
                                                                           tmp_path: Path):
    again = tmp_path / "again.json"
    result = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", ".", "-p", "decomposer.trace",
                  "--decomposer-trace", str(again), "tests", cwd=shop_with_tests)
    assert result.returncode == 0, result.stdout
    assert again.read_bytes() == trace_path.read_bytes()
    saved = analysis_from_dict(analysis_to_dict(analyze(Settings(repo_path=shop_with_tests, traces=(again,)))))
    replanned = replan(saved, Planning(capacity=10))
    assert {step.service: step.runtime_calls for step in replanned.plan.steps}["payments"] == 2


def test_an_empty_trace_gives_no_bcp_and_says_why(cli, shop_with_tests: Path, trace_path: Path, tmp_path: Path):
    document = json.loads(trace_path.read_text())
    document.update(calls=[], use_cases=[], packages=["shp"])  # a typo'd --decomposer-packages
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(document))
    result = cli("analyze", shop_with_tests, "--out", tmp_path / "out", "--traces", empty)
    assert result.exit_code == 0, result.output
    assert "Business context purity" not in result.stdout  # not measured, rather than a perfect 0
    assert (f"  trace {empty} holds no call between modules of shp: check its packages, and that the tests ran in "
            "the traced process (not in pytest-xdist workers or Django's --parallel processes)\n") in result.stdout
    assert ("  64 of the 64 analysed modules lie outside the packages the traces recorded (shp): their calls were "
            "never recorded (shop); trace with --packages naming them\n") in result.stdout
