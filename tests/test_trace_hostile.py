"""The recorder (sources/tracer.py), the wrapper, the plugin and the reader on hostile input: real programs run in a
subprocess of Python 3.11 (sys.setprofile) and 3.12 (sys.monitoring, skipped when absent), real
calls, literal edges. Each case failed before the fix it guards (docs/concepts.md, "Runtime coupling").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_312 = Path("/root/.pyenv/versions/3.12.1/bin/python")
# A Python 3.12+ environment with decomposer's dependencies installed, for the wrapper and the
# plugin on the sys.monitoring path: its python named by DECOMPOSER_TEST_PY312 (e.g. a venv made
# with python3.12 -m venv and `pip install grimp networkx click matplotlib pandas pytest django`);
# those cases are skipped when it is not set. The recorder alone runs on PYTHON_312 (stdlib only).
VENV_312 = Path(os.environ.get("DECOMPOSER_TEST_PY312", "/nonexistent/python3.12"))
VENVS = pytest.mark.parametrize("python", [Path(sys.executable), VENV_312], ids=["setprofile", "sys.monitoring"])
PYTHONS = pytest.mark.parametrize("python", [Path(sys.executable), PYTHON_312], ids=["setprofile", "sys.monitoring"])

# Loads tracer.py alone (it needs nothing but the standard library), records BODY, prints the calls.
_HARNESS = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("tracer", sys.argv[1])
tracer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tracer)
sys.path.insert(0, sys.argv[2])
recorder = tracer.Recorder(("app",))
recorder.start()
recorder.use_case = "run"
{body}
recorder.stop()
print(json.dumps({{"calls": sorted([*key, count] for key, count in recorder.calls.items()),
                   "notes": recorder.notes}}))
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text))


def _record(python: Path, tmp_path: Path, files: dict[str, str], body: str) -> dict:
    if not python.exists():
        pytest.skip(f"{python} is not installed: the sys.monitoring path needs Python 3.12+")
    _write(tmp_path, {"app/__init__.py": "", **files})
    program = _HARNESS.format(body=textwrap.dedent(body))
    result = subprocess.run([str(python), "-I", "-c", program, str(ROOT / "decomposer" / "sources" / "tracer.py"),
                             str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@PYTHONS
def test_both_tracers_record_the_same_calls(python: Path, tmp_path: Path):
    files = {"app/orders.py": "import json\nfrom app import money\n\ndef place(n):\n"
                              "    return [money.total(i) for i in range(n)] + [json.dumps(_local())]\n\n"
                              "def _local():\n    return money.ZERO\n",
             "app/money.py": "ZERO = 0\n\ndef total(i):\n    return _tax(i)\n\ndef _tax(i):\n    return i\n"}
    # place -> total three times (the comprehension is place's own module); money's own _tax is no
    # edge; json.dumps is not analysed.
    assert _record(python, tmp_path, files, "import app.orders\napp.orders.place(3)")["calls"] == [
        ["run", "app.orders", "app.money", 3]]


@PYTHONS
def test_identical_functions_of_two_modules_are_two_callees(python: Path, tmp_path: Path):
    # Code objects compare by value: the same dataclass (or the same one-line function) in two
    # modules must not share one cache entry, nor make one module the other's caller.
    same = "from dataclasses import dataclass\n\n@dataclass\nclass Line:\n    id: int\n\ndef label(x):\n    return str(x)\n"
    files = {"app/m1.py": same, "app/m2.py": same,
             "app/a.py": "from app import m1, m2\n\ndef run():\n    m1.Line(1); m1.label(1)\n"
                         "    for i in range(5):\n        m2.Line(i); m2.label(i)\n"}
    recorded = _record(python, tmp_path, files, "import app.a\napp.a.run()")
    assert recorded["calls"] == [["run", "app.a", "app.m1", 2], ["run", "app.a", "app.m2", 10]]


@PYTHONS
def test_coroutines_count_once_and_tasks_enter_from_outside(python: Path, tmp_path: Path):
    files = {
        "app/a.py": "import asyncio\nfrom app import orch\n\ndef main():\n    return asyncio.run(orch.main())\n",
        "app/orch.py": "import asyncio\nfrom app import b, c\n\nasync def main():\n"
                       "    await asyncio.gather(b.fetch(), b.fetch())\n"
                       "    total = await c.direct()\n"
                       "    return total + sum(c.numbers(3))\n",
        "app/b.py": "import asyncio\n\nasync def fetch():\n    await asyncio.sleep(0)\n    await asyncio.sleep(0)\n",
        "app/c.py": "import asyncio\n\nasync def direct():\n    for _ in range(3):\n        await asyncio.sleep(0)\n"
                    "    return 1\n\ndef numbers(n):\n    yield from range(n)\n",
    }
    recorded = _record(python, tmp_path, files, "import app.a\napp.a.main()")
    # gather's tasks are started by the event loop: no edge (never a -> b through asyncio.run);
    # the awaited coroutine and the generator count once each, however often they resume.
    assert recorded["calls"] == [["run", "app.orch", "app.c", 2]]


@PYTHONS
def test_the_entry_module_run_as_main_keeps_its_name(python: Path, tmp_path: Path):
    files = {"app/cli.py": "from app import orders\n\ndef go():\n    orders.place()\n\nif __name__ == '__main__':\n"
                           "    go()\n",
             "app/orders.py": "def place():\n    return 1\n"}
    recorded = _record(python, tmp_path, files, "import runpy\nrunpy.run_module('app.cli', run_name='__main__')")
    assert recorded["calls"] == [["run", "app.cli", "app.orders", 1]]


def test_a_profiler_the_program_starts_still_works_on_312(tmp_path: Path):
    files = {"app/a.py": "from app import b\n\ndef run():\n    return b.f()\n", "app/b.py": "def f():\n    return 1\n"}
    recorded = _record(PYTHON_312, tmp_path, files, "import cProfile, io, pstats, app.a\n"
                                                     "profile = cProfile.Profile()\nprofile.runcall(app.a.run)\n")
    assert recorded == {"calls": [["run", "app.a", "app.b", 1]], "notes": []}


def test_a_program_replacing_the_hook_is_noted_and_a_nested_recording_gives_it_back(tmp_path: Path):
    files = {"app/a.py": "from app import b\n\ndef run():\n    return b.f()\n", "app/b.py": "def f():\n    return 1\n"}
    body = """
    import app.a
    inner = tracer.Recorder(("app",))
    inner.start(); app.a.run(); inner.stop()
    app.a.run()                       # the outer recording goes on
    sys.setprofile(None)              # the program's own profiler takes over
    app.a.run()
    """
    recorded = _record(Path(sys.executable), tmp_path, files, body)
    assert recorded == {"calls": [["run", "app.a", "app.b", 1]], "notes": [
        "the program replaced the profiler hook (sys.setprofile) while it was traced: calls made after that were "
        "not recorded"]}


@PYTHONS
def test_threads_record_nothing_after_stop(python: Path, tmp_path: Path):
    files = {"app/a.py": "from app import b\n\ndef run():\n    return b.f()\n", "app/b.py": "def f():\n    return 1\n"}
    body = """
    import threading, app.a
    go, done = threading.Event(), threading.Event()
    def work():
        app.a.run()
        go.wait()
        for _ in range(50):
            app.a.run()
        done.set()
    thread = threading.Thread(target=work)
    thread.start()
    while not recorder.calls:
        pass
    recorder.stop()
    before = dict(recorder.calls)
    go.set(); done.wait(); thread.join()
    assert recorder.calls == before, recorder.calls
    recorder.start = lambda: None
    """
    recorded = _record(python, tmp_path, files, body)
    assert recorded["calls"] == [["run", "app.a", "app.b", 1]]


# --- the wrapper (`decomposer trace`) and the pytest plugin, run for real in a subprocess --------

_REPO = {"app/__init__.py": "", "app/orders.py": "from app import money\n\ndef place(n):\n    return money.total(n)\n",
         "app/money.py": "def total(n):\n    return n\n"}


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    _write(repo, {**_REPO, **files})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def _decomposer(*args: str, cwd: Path, python: Path = Path(sys.executable)) -> subprocess.CompletedProcess:
    if not python.exists():
        pytest.skip(f"{python} is not installed: set DECOMPOSER_TEST_PY312 to a Python 3.12+ with "
                    "decomposer's dependencies")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{cwd}", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([str(python), "-P", *args], cwd=cwd, env=env, capture_output=True, text=True)


def _calls(path: Path) -> list[list]:
    return [[call["caller"], call["callee"], call["use_cases"]] for call in json.loads(path.read_text())["calls"]]


@VENVS
def test_the_module_run_with_dash_m_is_its_callers_name(python: Path, tmp_path: Path):
    repo = _repo(tmp_path, {"app/cli.py": "from app import orders\n\nif __name__ == '__main__':\n    orders.place(1)\n",
                            "app/tools/__init__.py": "",
                            "app/tools/seed.py": "from app import orders\n\norders.place(2)\n"})
    out = tmp_path / "m.json"
    result = _decomposer("-m", "decomposer", "trace", "--out", str(out), "-m", "app.cli", cwd=repo, python=python)
    assert result.returncode == 0, result.stderr
    assert _calls(out) == [["app.cli", "app.orders", {"run": 1}], ["app.orders", "app.money", {"run": 1}]]
    # A script inside the packages, run by its path, is its module too.
    result = _decomposer("-m", "decomposer", "trace", "--out", str(out), "app/tools/seed.py", cwd=repo, python=python)
    assert result.returncode == 0, result.stderr
    assert _calls(out) == [["app.orders", "app.money", {"run": 1}], ["app.tools.seed", "app.orders", {"run": 1}]]


def test_a_relative_out_is_where_it_pointed_when_the_program_started(tmp_path: Path):
    repo = _repo(tmp_path, {"run.py": "import os\nfrom app import orders\norders.place(1)\nos.chdir('app')\n"})
    result = _decomposer("-m", "decomposer", "trace", "--out", "../t.json", "run.py", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t.json").is_file() and not (repo / "t.json").exists()


def test_ctrl_c_and_a_message_exit_keep_the_trace(tmp_path: Path):
    repo = _repo(tmp_path, {"kbd.py": "from app import orders\norders.place(1)\nraise KeyboardInterrupt\n",
                            "message.py": "import sys\nfrom app import orders\norders.place(1)\nsys.exit('no stock left')\n"})
    out = tmp_path / "k.json"
    result = _decomposer("-m", "decomposer", "trace", "--out", str(out), "kbd.py", cwd=repo)
    assert result.returncode == 130
    assert result.stderr.splitlines()[-2:] == ["KeyboardInterrupt", f"decomposer trace: 1 calls on 1 module pairs in "
                                               f"1 use case (sys.setprofile) written to {out}"]
    assert _calls(out) == [["app.orders", "app.money", {"run": 1}]]
    result = _decomposer("-m", "decomposer", "trace", "--out", str(out), "message.py", cwd=repo)
    assert (result.returncode, result.stderr.splitlines()[0]) == (1, "no stock left")


def test_a_trace_that_recorded_nothing_says_so(tmp_path: Path):
    repo = _repo(tmp_path, {"run.py": "from app import orders\norders.place(1)\n"})
    out = tmp_path / "e.json"
    result = _decomposer("-m", "decomposer", "trace", "--out", str(out), "--packages", "ap", "run.py", cwd=repo)
    assert result.returncode == 0
    assert result.stderr.splitlines()[-1] == (
        "decomposer trace: warning: no call between modules of ap was recorded; check the packages, and that the "
        "code ran in this process (not in pytest-xdist workers or Django's --parallel processes)")


_CONFTEST = """
import pytest
from app import orders

@pytest.fixture(scope="session")
def stock():
    orders.place(1)
    yield
    orders.place(2)

@pytest.fixture
def basket():
    orders.place(3)
    yield
    orders.place(4)
"""


@VENVS
@pytest.mark.parametrize("order", [["tests/test_a.py", "tests/test_b.py"], ["tests/test_b.py", "tests/test_a.py"]])
def test_shared_fixtures_run_outside_tests_whatever_the_order(python: Path, tmp_path: Path, order: list[str]):
    repo = _repo(tmp_path, {"tests/conftest.py": _CONFTEST,
                            "tests/test_a.py": "def test_a(stock, basket):\n    pass\n",
                            "tests/test_b.py": "def test_b(stock):\n    pass\n"})
    out = tmp_path / "f.json"
    result = _decomposer("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decomposer.trace",
                         "--decomposer-trace", str(out), "--decomposer-packages", "app", *order, cwd=repo, python=python)
    assert result.returncode == 0, result.stdout + result.stderr
    # The session fixture's setup and teardown: (outside tests), in either order; the
    # function-scoped one, set up and torn down: its test's.
    assert _calls(out) == [["app.orders", "app.money", {"(outside tests)": 2, "tests/test_a.py": 2}]]


def test_the_plugin_never_writes_in_the_git_work_tree_above_its_rootdir(tmp_path: Path):
    repo = _repo(tmp_path, {"backend/pytest.ini": "[pytest]\n", "backend/tests/test_a.py": "def test_a():\n    pass\n"})
    result = _decomposer("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decomposer.trace",
                         "--decomposer-trace", "../x.json", "--decomposer-packages", "app", "tests", cwd=repo / "backend")
    assert result.returncode == 4
    assert (f"ERROR: decomposer trace: --decomposer-trace {repo / 'x.json'} is inside {repo}, whose code is traced"
            in result.stderr)
    assert not (repo / "x.json").exists()


def test_a_trace_the_plugin_cannot_write_fails_the_run_naming_its_option(tmp_path: Path):
    repo = _repo(tmp_path, {"tests/test_a.py": "def test_a():\n    pass\n"})
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = _decomposer("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decomposer.trace",
                         "--decomposer-trace", str(blocker / "t.json"), "--decomposer-packages", "app", "tests", cwd=repo)
    assert result.returncode == 4  # refused before the run: a file stands where the folder would be
    assert f"--decomposer-trace {blocker}: {blocker} is a file, not a folder" in result.stderr
    # The folder turns into a file while the tests run: the trace cannot be written at the end.
    folder = tmp_path / "traces"
    folder.mkdir()
    _write(repo, {"tests/test_b.py": f"import shutil\n\ndef test_b():\n    shutil.rmtree({str(folder)!r})\n"
                                     f"    open({str(folder)!r}, 'w').close()\n"})
    result = _decomposer("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decomposer.trace",
                         "--decomposer-trace", str(folder / "t.json"), "--decomposer-packages", "app", "tests", cwd=repo)
    assert result.returncode == 3  # the tests passed, but the run's point, the trace, is lost
    assert (f"decomposer trace: cannot write the trace {folder / 't.json'}: File exists; pass another "
            f"--decomposer-trace") in result.stdout
    exits = _repo(tmp_path / "exits", {"tests/test_a.py": "import pytest\nfrom app import orders\n\n"
                                                          "def test_a():\n    orders.place(1)\n    pytest.exit('enough')\n"})
    out = tmp_path / "x.json"
    result = _decomposer("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "decomposer.trace",
                         "--decomposer-trace", str(out), "--decomposer-packages", "app", "tests", cwd=exits)
    # pytest.exit() skips the terminal summary: the trace's line still tells where it went.
    assert (f"decomposer trace: 1 calls on 1 module pairs in 1 use case (sys.setprofile) written to {out}"
            in result.stdout + result.stderr)


# --- the reader (sources/trace_file.py) -------------------------------------------------------------

def _trace(**changes: object) -> dict:
    document = {"format": "decomposer-trace/1", "head": None, "packages": ["app"], "without_functions": [],
                "python": "3.11.7", "tracer": "sys.setprofile",
                "use_cases": [{"name": "run", "modules": ["app.money", "app.orders"]}],
                "calls": [{"caller": "app.orders", "callee": "app.money", "calls": 2, "use_cases": {"run": 2}}]}
    return {**document, **changes}


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 200_000, "not JSON; pass a file `decomposer trace` wrote"),
    (json.dumps(_trace()).replace('"calls": 2', '"calls": ' + "9" * 5000), "not JSON; pass a file `decomposer trace` wrote"),
    (json.dumps(_trace(calls=[{"caller": "app.orders", "callee": "app.orders", "calls": 2, "use_cases": {"run": 2}}])),
     "a call of app.orders to itself (a module's calls within itself are never recorded); record the trace again"),
    (json.dumps(_trace(notes="x")), "`notes` should be a list of sentences; record the trace again"),
])
def test_a_damaged_trace_is_one_line_naming_it(tmp_path: Path, text: str, message: str):
    from decomposer.errors import InvalidTrace
    from decomposer.sources.trace_file import read_traces
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InvalidTrace) as error:
        read_traces((path,), frozenset({"app.orders", "app.money"}), None)
    assert str(error.value) == f"--traces {path}: {message}"


def test_the_reader_warns_on_what_would_mislead_silently(tmp_path: Path):
    from decomposer.sources.trace_file import read_traces
    bom, empty, monitored = tmp_path / "bom.json", tmp_path / "empty.json", tmp_path / "312.json"
    bom.write_text("\ufeff" + json.dumps(_trace(notes=["the program replaced the profiler hook"])), encoding="utf-8")
    empty.write_text(json.dumps(_trace(calls=[], use_cases=[], packages=["ap"])))
    monitored.write_text(json.dumps(_trace(python="3.12.1", tracer="sys.monitoring")))
    modules = frozenset({"app.orders", "app.money", "billing.invoices"})
    trace, warnings = read_traces((bom, empty, monitored), modules, None)
    assert trace.calls[0].calls == 4  # the BOM file and the 3.12 one
    assert [warning.message for warning in warnings] == [
        f"trace {bom}: the program replaced the profiler hook",
        f"trace {empty} holds no call between modules of ap: check its packages, and that the tests ran in the "
        "traced process (not in pytest-xdist workers or Django's --parallel processes)",
        "1 of the 3 analysed modules lie outside the packages the traces recorded (ap, app): their calls were "
        "never recorded (billing); trace with --packages naming them",
        "the traces were recorded by sys.monitoring (Python 3.12.1) and sys.setprofile (Python 3.11.7): the two "
        "record the same calls, except in threads started before tracing, which only sys.monitoring sees "
        "(docs/concepts.md)",
    ]


def test_a_use_case_name_with_a_semicolon_stays_one_name_in_the_csv():
    from decomposer.reports.runtime_report import join_use_cases
    assert join_use_cases([("checkout; refund", 2), ("tests/test_a.py", 1)]) == '"checkout; refund" (2); tests/test_a.py (1)'
    assert join_use_cases(['say "hi"', "plain"]) == '"say ""hi"""; plain'


def test_trace_without_packages_names_its_own_option(tmp_path: Path):
    empty = tmp_path / "empty"
    _write(empty, {"tools/run.py": "print(1)\n"})
    result = _decomposer("-m", "decomposer", "trace", "--root", str(empty), "--out", str(tmp_path / "t.json"),
                         str(empty / "tools" / "run.py"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (f"Error: no Python package (a folder with __init__.py) found in {empty} (1 .py files); "
                             "name one with --packages, or set source_root\n")


def test_the_wrapper_waits_for_the_programs_threads_as_python_does(tmp_path: Path):
    repo = _repo(tmp_path, {"run.py": "import threading, time\nfrom app import orders\n\ndef late():\n"
                                      "    time.sleep(0.3)\n    orders.place(1)\n\n"
                                      "threading.Thread(target=late).start()\n"})
    out = tmp_path / "t.json"
    result = _decomposer("-m", "decomposer", "trace", "--out", str(out), "run.py", cwd=repo)
    assert result.returncode == 0, result.stderr
    # The thread's own first call enters from outside (Thread.run is no analysed frame); the call
    # it makes after the main code returned is still recorded.
    assert _calls(out) == [["app.orders", "app.money", {"run": 1}]]


_OTHER_TOOL = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("tracer", sys.argv[1])
tracer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tracer)
sys.path.insert(0, sys.argv[2])
monitoring = sys.monitoring
monitoring.use_tool_id(monitoring.COVERAGE_ID, "a coverage tool")
seen = []
def seen_once(code, offset):
    seen.append(code.co_name)
    return monitoring.DISABLE
monitoring.register_callback(monitoring.COVERAGE_ID, monitoring.events.PY_START, seen_once)
monitoring.set_events(monitoring.COVERAGE_ID, monitoring.events.PY_START)
import app.a
app.a.run()
for _ in range(2):                    # two recordings, one after the other
    recorder = tracer.Recorder(("app",))
    recorder.start(); app.a.run(); recorder.stop()
    print(dict(recorder.calls), seen.count("run"))
"""


def test_a_recording_wakes_no_other_tools_dismissed_events_unless_it_must(tmp_path: Path):
    if not PYTHON_312.exists():
        pytest.skip(f"{PYTHON_312} is not installed: the sys.monitoring path needs Python 3.12+")
    _write(tmp_path, {"app/__init__.py": "", "app/a.py": "from app import b\n\ndef run():\n    return b.f()\n",
                      "app/b.py": "def f():\n    return 1\n"})
    result = subprocess.run([str(PYTHON_312), "-I", "-c", _OTHER_TOOL, str(ROOT / "decomposer" / "sources" / "tracer.py"),
                             str(tmp_path)], capture_output=True, text=True, check=True)
    # The first recording leaves the coverage tool's dismissed `run` alone (it saw it once); the
    # second must look again at what the first dismissed, and sys.monitoring can only restart all.
    assert result.stdout.splitlines() == ["{('(outside tests)', 'app.a', 'app.b'): 1} 1",
                                          "{('(outside tests)', 'app.a', 'app.b'): 1} 2"]
