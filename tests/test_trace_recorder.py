"""The recorder (sources/tracer.py) on hostile programs, on both tracers: real programs run in a
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
