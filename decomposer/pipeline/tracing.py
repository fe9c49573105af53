"""`decomposer trace`: record which analysed modules call which while the team's own code runs.

Two ways in, one session: the pytest plugin (`pytest -p decomposer.trace`, decomposer/trace.py)
names a use case per test file (or `@pytest.mark.use_case("name")`), and `run_traced` runs any
Python program in this process, as `coverage run` does (`decomposer trace -- manage.py test`),
under one use case. Either way the trace file is written outside the repository (by default in
decomposer's cache folder) and its path printed; sources/tracer.py says what is recorded.
"""

from __future__ import annotations

import platform
import runpy
import sys
import traceback
import unittest
from collections.abc import Callable
from typing import Any
from pathlib import Path

from decomposer._version import __version__
from decomposer.config import default_cache_dir
from decomposer.errors import InvalidTrace, OutputInsideRepository
from decomposer.reports.writer import check_output_dir
from decomposer.sources.discovery import discover_layout
from decomposer.sources.git import read_repo_state
from decomposer.sources.trace_file import trace_document
from decomposer.sources.tracer import OUTSIDE_TESTS, Recorder

__all__ = ["TraceSession", "run_traced"]


class TraceSession:
    """One recording of the code under `root_dir`: packages and output checked before it starts.

    Raises:
        DecomposerError: no package found under `root_dir`, or `out` lies inside it.
    """

    def __init__(self, root_dir: Path, out: Path | None, packages: tuple[str, ...] = (), option: str = "--out") -> None:
        self.root_dir = root_dir.resolve()
        self.packages = packages or discover_layout(self.root_dir, (), None).packages
        self.head = read_repo_state(self.root_dir).head
        default = default_cache_dir() / "traces" / f"{self.root_dir.name}-{(self.head or 'no-commit')[:12]}.json"
        self.out = out or default
        resolved = self.out.resolve()
        if resolved.is_relative_to(self.root_dir):
            raise OutputInsideRepository(
                f"{option} {self.out} is inside {self.root_dir}, whose code is traced, and decomposer never writes "
                f"there; pass a file outside it, e.g. {option} {self.root_dir.parent / (self.root_dir.name + '-trace.json')}")
        if resolved.is_dir():
            raise InvalidTrace(f"{option} {self.out} is a folder; pass a file name, e.g. {self.out / 'trace.json'}")
        check_output_dir(self.root_dir, resolved.parent, option if out else "the cache folder")
        self.recorder = Recorder(self.packages)

    def start(self) -> None:
        """Start recording; a clear error when another profiler holds every sys.monitoring tool id."""
        try:
            self.recorder.start()
        except RuntimeError as error:
            raise InvalidTrace(f"cannot trace: {error}") from None

    def write(self) -> str:
        """Write the trace file; return the line that tells the user what it holds and where."""
        recorder = self.recorder
        text = trace_document(recorder.calls, recorder.ran, recorder.inert, tool=f"decomposer {__version__}",
                              python=platform.python_version(), tracer=recorder.tracer, head=self.head,
                              packages=self.packages)
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InvalidTrace(f"cannot write the trace {self.out}: {error.strerror}; pass another --out") from None
        edges = len({(caller, callee) for _, caller, callee in recorder.calls})
        return (f"decomposer trace: {sum(recorder.calls.values())} calls on {edges} module pairs in "
                f"{len(recorder.ran)} use cases ({recorder.tracer}) written to {self.out}")


def run_traced(session: TraceSession, target: str, args: tuple[str, ...], *, module: bool,
               use_case: str, per_test_module: bool = False) -> int:
    """Run `target` (a script, or a module with `module`) with `args` as `python` would, recording
    it under `use_case`; return its exit code. The trace is written however the program ends.

    `per_test_module`: while a `unittest.TestCase` (Django's test runner too) runs, its use case is
    the test's module, as the pytest plugin makes each test file one; `use_case` is then unused."""
    recorder = session.recorder
    recorder.use_case = OUTSIDE_TESTS if per_test_module else use_case
    session.start()
    argv = sys.argv[:]
    sys.argv = [target, *args]
    if not module:
        sys.path.insert(0, str(Path(target).resolve().parent))  # what `python script.py` puts first
    code = 0
    restore = _per_test_module(recorder) if per_test_module else (lambda: None)
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except Exception:  # the program's own error: shown as python shows it, and the trace kept
        traceback.print_exc()
        code = 1
    finally:
        recorder.stop()
        restore()
        sys.argv = argv
    return code


def _per_test_module(recorder: Recorder) -> Callable[[], None]:
    """Wrap `unittest.TestCase.run` so each test records under its module; return the undo."""
    original = unittest.TestCase.run

    def run(test: unittest.TestCase, result: Any = None) -> Any:
        recorder.use_case = type(test).__module__
        try:
            return original(test, result)
        finally:
            recorder.use_case = OUTSIDE_TESTS

    unittest.TestCase.run = run  # type: ignore[method-assign]

    def restore() -> None:
        unittest.TestCase.run = original  # type: ignore[method-assign]
    return restore
