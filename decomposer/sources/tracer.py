"""Records which modules of the analysed packages call which, while a program or a test suite runs.

What is recorded (docs/concepts.md, "Runtime coupling"): for every call of a *function* (not a
module or class body) of an analysed module, the module of the nearest analysed frame up the
stack is its caller. Django's dispatcher calling a view, the ORM firing a signal or a test calling
the code are not analysed frames, so the walk goes past them, at most `MAX_DEPTH` frames; with no
analysed frame that near, the call enters from outside and is no edge. A call within one module is
no edge either. Only module names and counts are kept: no argument, no value, no file of the app.

How:
- Python 3.12+: `sys.monitoring` PY_START events under the profiler's tool id. A code object
  outside the analysed packages (or a module or class body) answers `DISABLE` the first time, so
  the interpreter never reports it again: the rest of the program runs at full speed.
- Python 3.11 and older: `sys.setprofile` (and `threading.setprofile` for new threads) 'call'
  events, with the same answer cached per code object. The profiler hook runs on every call and
  return, so this path costs more; a generator resumed counts as a call here, not on 3.12+.
  setprofile leaves coverage.py and debuggers (which use settrace) working.
"""

from __future__ import annotations

import sys
import threading
from collections import defaultdict
from inspect import CO_NEWLOCALS
from types import FunctionType

__all__ = ["MAX_DEPTH", "OUTSIDE_TESTS", "Recorder"]

MAX_DEPTH = 60  # frames walked up from a call to find its analysed caller (Django's stacks run deep)
# The use case of calls made while no test runs (imports, collection): model.OUTSIDE_TESTS, written
# out so that this module needs nothing but the standard library (it runs inside the user's suite).
OUTSIDE_TESTS = "(outside tests)"
_UNKNOWN = object()


class Recorder:
    """Calls between modules of `packages`, per use case, while started.

    >>> recorder = Recorder(("shop",))
    >>> recorder.start(); ...; recorder.stop()          # doctest: +SKIP
    >>> recorder.calls[("tests/test_cart.py", "shop.orders.cart", "shop.catalog.pricing")]  # doctest: +SKIP
    4
    """

    def __init__(self, packages: tuple[str, ...]) -> None:
        self.packages = tuple(sorted(set(packages)))
        self.use_case = OUTSIDE_TESTS  # set by the caller as each use case starts
        self.calls: defaultdict[tuple[str, str, str], int] = defaultdict(int)  # (use case, caller, callee)
        self.ran: defaultdict[str, set[str]] = defaultdict(set)  # use case -> callee modules
        self.inert: set[str] = set()  # modules loaded that define no function: nothing to run (set by stop)
        self.tracer = "sys.monitoring" if hasattr(sys, "monitoring") else "sys.setprofile"
        self._prefixes = tuple(package + "." for package in self.packages)
        self._callee: dict[object, str | None] = {}  # code -> its module when it is an analysed function
        self._frame: dict[object, str | None] = {}  # code -> its module when analysed (any code)
        self._tool: int | None = None

    def start(self) -> None:
        """Start recording in this process (every thread on 3.12+, this and new threads before)."""
        if self.tracer == "sys.monitoring":
            self._start_monitoring()
        else:
            profile = self._profile()
            threading.setprofile(profile)
            sys.setprofile(profile)

    def stop(self) -> None:
        """Stop recording; what was recorded stays in `calls`, `ran` and `inert`."""
        self.inert = {name for name, module in list(sys.modules.items())
                      if (name in self.packages or name.startswith(self._prefixes)) and not _defines_functions(module)}
        if self._tool is not None:
            monitoring = sys.monitoring
            monitoring.set_events(self._tool, 0)
            monitoring.register_callback(self._tool, monitoring.events.PY_START, None)
            monitoring.free_tool_id(self._tool)
            self._tool = None
        elif self.tracer == "sys.setprofile":
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]

    def _start_monitoring(self) -> None:
        monitoring = sys.monitoring
        for tool in (monitoring.PROFILER_ID, 3, 4):  # 3 and 4: free ids when a profiler holds its own
            if monitoring.get_tool(tool) is None:
                monitoring.use_tool_id(tool, "decomposer trace")
                self._tool = tool
                break
        else:
            raise RuntimeError("sys.monitoring has no free tool id: stop the other profiler, then trace again")
        disable = monitoring.DISABLE
        enter = self._enter

        def on_start(code, offset):  # noqa: ANN001, ANN202 - sys.monitoring's callback
            try:
                return disable if enter(sys._getframe(1)) is None else None
            except Exception:  # noqa: BLE001 - a recorder bug must never break the program it watches
                return disable

        monitoring.register_callback(self._tool, monitoring.events.PY_START, on_start)
        monitoring.restart_events()  # code an earlier recording dismissed is looked at again
        monitoring.set_events(self._tool, monitoring.events.PY_START)

    def _profile(self):  # noqa: ANN202 - sys.setprofile's callback
        """The profile hook: runs on every call and return, so it looks up as little as it can."""
        callee, enter = self._callee, self._enter

        def profile(frame, event, arg):  # noqa: ANN001, ANN202
            if event == "call" and callee.get(frame.f_code, _UNKNOWN) is not None:
                try:
                    enter(frame)
                except Exception:  # noqa: BLE001 - a recorder bug must never break the program it watches
                    callee[frame.f_code] = None
        return profile

    def _enter(self, frame) -> str | None:  # noqa: ANN001 - a frame
        """Record the call that started `frame`; None when its code is never worth a look again."""
        code = frame.f_code
        module = self._callee.get(code, _UNKNOWN)
        if module is _UNKNOWN:
            module = self._callee[code] = (self._module(frame) if code.co_flags & CO_NEWLOCALS else None)
        if module is None:
            return None
        use_case = self.use_case
        self.ran[use_case].add(module)
        caller = self._caller(frame.f_back)
        if caller is not None and caller != module:
            self.calls[use_case, caller, module] += 1
        return module

    def _caller(self, frame) -> str | None:  # noqa: ANN001 - a frame or None
        known = self._frame
        for _ in range(MAX_DEPTH):
            if frame is None:
                return None
            code = frame.f_code
            module = known.get(code, _UNKNOWN)
            if module is _UNKNOWN:
                module = known[code] = self._module(frame)
            if module is not None:
                return module
            frame = frame.f_back
        return None

    def _module(self, frame) -> str | None:  # noqa: ANN001 - a frame
        name = frame.f_globals.get("__name__")
        if isinstance(name, str) and (name in self.packages or name.startswith(self._prefixes)):
            return name
        return None


def _defines_functions(module) -> bool:  # noqa: ANN001 - a module
    """Whether `module` defines a function or a class with methods of its own (what could run).
    Only functions and classes are looked at, so no lazy object of the app is ever touched;
    a module that cannot be read counts as defining some."""
    name = getattr(module, "__name__", None)
    try:
        for value in list(vars(module).values()):
            if isinstance(value, FunctionType) and value.__module__ == name:
                return True
            if isinstance(value, type) and value.__module__ == name and any(
                    isinstance(member, (FunctionType, classmethod, staticmethod, property))
                    for member in vars(value).values()):
                return True
    except Exception:  # noqa: BLE001 - the app's own module: never let it stop the trace
        return True
    return False
