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
import threading
import traceback
import unittest
from collections.abc import Callable
from typing import Any
from pathlib import Path

from decomposer._version import __version__
from decomposer.config import default_cache_dir
from decomposer.errors import InvalidTrace, OutputInsideRepository, PackageNotFound
from decomposer.reports.writer import check_output_dir
from decomposer.sources.discovery import discover_layout
from decomposer.sources.git import read_repo_state, toplevel
from decomposer.sources.trace_file import trace_document
from decomposer.sources.tracer import OUTSIDE_TESTS, Recorder

__all__ = ["TraceSession", "run_traced"]


class TraceSession:
    """One recording of the code under `root_dir`: packages and output checked before it starts.

    Raises:
        DecomposerError: no package found under `root_dir`, or `out` lies inside it.
    """

    def __init__(self, root_dir: Path, out: Path | None, packages: tuple[str, ...] = (), option: str = "--out",
                 packages_option: str = "--packages") -> None:
        self.root_dir = root_dir.resolve()
        self.option = option
        try:
            self.packages = packages or discover_layout(self.root_dir, (), None).packages
        except PackageNotFound as error:  # its advice names analyze's --package: name this command's option
            raise PackageNotFound(str(error).replace("with --package,", f"with {packages_option},")) from None
        self.head = read_repo_state(self.root_dir).head
        default = default_cache_dir() / "traces" / f"{self.root_dir.name}-{(self.head or 'no-commit')[:12]}.json"
        # Resolved now: the traced program may change the working folder before the trace is written.
        self.out = (out or default).resolve()
        # The repository is the git work tree around root_dir (pytest's rootdir may be a subfolder).
        guarded = toplevel(self.root_dir) or self.root_dir
        guarded = guarded if self.root_dir.is_relative_to(guarded) else self.root_dir
        if self.out.is_relative_to(guarded):
            raise OutputInsideRepository(
                f"{option} {self.out} is inside {guarded}, whose code is traced, and decomposer never writes "
                f"there; pass a file outside it, e.g. {option} {guarded.parent / (guarded.name + '-trace.json')}")
        if self.out.is_dir():
            raise InvalidTrace(f"{option} {self.out} is a folder; pass a file name, e.g. {self.out / 'trace.json'}")
        check_output_dir(guarded, self.out.parent, option if out else "the cache folder")
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
                              packages=self.packages, notes=tuple(recorder.notes))
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InvalidTrace(f"cannot write the trace {self.out}: {error.strerror}; "
                               f"pass another {self.option}") from None
        edges = len({(caller, callee) for _, caller, callee in recorder.calls})
        cases = len(set(recorder.ran) - {OUTSIDE_TESTS})
        line = (f"decomposer trace: {sum(recorder.calls.values())} calls on {edges} module pairs in "
                f"{cases} use case{'' if cases == 1 else 's'} ({recorder.tracer}) written to {self.out}")
        if not recorder.calls:
            line += (f"\ndecomposer trace: warning: no call between modules of {', '.join(self.packages)} was recorded; "
                     "check the packages, and that the code ran in this process (not in pytest-xdist workers or "
                     "Django's --parallel processes)")
        return "\n".join([line, *(f"decomposer trace: warning: {note}" for note in recorder.notes)])


def run_traced(session: TraceSession, target: str, args: tuple[str, ...], *, module: bool,
               use_case: str, per_test_module: bool = False) -> int:
    """Run `target` (a script, or a module with `module`) with `args` as `python` would, recording
    it under `use_case`; return its exit code. The trace is written however the program ends.

    `per_test_module`: while a `unittest.TestCase` (Django's test runner too) runs, its use case is
    the test's module, as the pytest plugin makes each test file one; `use_case` is then unused."""
    recorder = session.recorder
    recorder.use_case = OUTSIDE_TESTS if per_test_module else use_case
    if not module:
        recorder.main = _module_name(Path(target).resolve())
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
        if stop.code is not None and not isinstance(stop.code, int):
            print(stop.code, file=sys.stderr)  # as python prints sys.exit("message")
    except KeyboardInterrupt:  # Ctrl-C: the trace so far is kept; 130 as a shell reports SIGINT
        traceback.print_exc()
        code = 130
    except Exception:  # the program's own error: shown as python shows it, and the trace kept
        traceback.print_exc()
        code = 1
    finally:
        if code != 130:
            _join_threads()
        recorder.stop()
        restore()
        sys.argv = argv
    return code


def _join_threads() -> None:
    """Wait for the program's non-daemon threads, as Python does before it exits, so that what
    they still call is recorded (Ctrl-C skips this: the trace so far is written at once)."""
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon and thread.is_alive():
            thread.join()


def _module_name(script: Path) -> str | None:
    """The dotted name of `script` when it lies in a package (`shop/tools/seed.py` -> shop.tools.seed)."""
    parts, folder = [script.stem], script.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) if len(parts) > 1 else None


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
