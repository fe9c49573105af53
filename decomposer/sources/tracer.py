"""Records which modules of the analysed packages call which, while a program or a test suite runs.

What is recorded (docs/concepts.md, "Runtime coupling"): for every call of a *function* (not a
module or class body) of an analysed module, the module of the nearest analysed frame up the
stack is its caller. Django's dispatcher calling a view, the ORM firing a signal or a test calling
the code are not analysed frames, so the walk goes past them, at most `MAX_DEPTH` frames; with no
analysed frame that near, the call enters from outside and is no edge. A call within one module is
no edge either. Only module names and counts are kept: no argument, no value, no file of the app.

Coroutines: a coroutine the event loop starts (a task, `asyncio.run`, `gather`) has the loop as
its caller, so the walk up from it passes only through coroutines awaiting it; asyncio's loop
(`asyncio.events`) ends every walk too. A task or a loop callback therefore enters from outside
(no edge); `await other.fetch()` is an edge. A generator or coroutine counts once, when it first
starts, never per resume. Functions are told apart by identity, never by value (two modules'
identical functions, e.g. dataclass methods, compare equal as code objects). The entry module of
`python -m pkg.mod` (or a script inside a package) runs as `__main__`: its real name is used.

How:
- Python 3.12+: `sys.monitoring` PY_START events under a free tool id (3 or 4 first, so that a
  profiler the program starts itself, e.g. cProfile, still finds its own id). A code object
  outside the analysed packages (or a module or class body) answers `DISABLE` the first time, so
  the interpreter never reports it again: the rest of the program runs at full speed.
- Python 3.11 and older: `sys.setprofile` (and `threading.setprofile` for new threads) 'call'
  events, with the same answer cached per code object. The profiler hook runs on every call and
  return, so this path costs more. Threads already running at `start` are not recorded (Python
  3.11 has no way to hook them). A program that replaces the hook itself (its own profiler)
  ends the recording early: `stop` notes it in `notes`. A recording started inside another one
  (a nested pytest run with the plugin) puts the outer hook back when it stops.
  setprofile leaves coverage.py and debuggers (which use settrace) working.
"""

from __future__ import annotations

import dis
import sys
import threading
from collections import defaultdict
from inspect import CO_ASYNC_GENERATOR, CO_COROUTINE, CO_GENERATOR, CO_ITERABLE_COROUTINE, CO_NEWLOCALS
from types import FunctionType

__all__ = ["MAX_DEPTH", "OUTSIDE_TESTS", "Recorder"]

MAX_DEPTH = 60  # frames walked up from a call to find its analysed caller (Django's stacks run deep)
# The use case of calls made while no test runs (imports, collection): model.OUTSIDE_TESTS, written
# out so that this module needs nothing but the standard library (it runs inside the user's suite).
OUTSIDE_TESTS = "(outside tests)"
_UNKNOWN = object()
_LOOP = object()  # a frame of asyncio's event loop: what it runs enters from outside
_RESUMABLE = CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE
_AWAITING = CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE
_LOOP_MODULES = frozenset({"asyncio.events"})  # Handle._run: every task step and loop callback
_DISMISSED = False  # whether a recording in this process has answered DISABLE (sys.monitoring)
_RESUME = dis.opmap.get("RESUME")  # 3.11+: the instruction a generator's first start stops at


class Recorder:
    """Calls between modules of `packages`, per use case, while started.

    >>> recorder = Recorder(("shop",))
    >>> recorder.start(); ...; recorder.stop()          # doctest: +SKIP
    >>> recorder.calls[("tests/test_cart.py", "shop.orders.cart", "shop.catalog.pricing")]  # doctest: +SKIP
    4
    """

    def __init__(self, packages: tuple[str, ...], main: str | None = None) -> None:
        """`main`: the module name of a script run as `__main__` that lies inside the packages."""
        self.packages = tuple(sorted(set(packages)))
        self.main = main
        self.use_case = OUTSIDE_TESTS  # set by the caller as each use case starts
        self.calls: defaultdict[tuple[str, str, str], int] = defaultdict(int)  # (use case, caller, callee)
        self.ran: defaultdict[str, set[str]] = defaultdict(set)  # use case -> callee modules
        self.inert: set[str] = set()  # modules loaded that define no function: nothing to run (set by stop)
        self.notes: list[str] = []  # what made the recording incomplete (the program's own profiler)
        self.tracer = "sys.monitoring" if hasattr(sys, "monitoring") else "sys.setprofile"
        self._prefixes = tuple(package + "." for package in self.packages)
        # Keyed by id(code), never by the code object: code objects compare by value, so two
        # modules' identical functions would share one entry. `_alive` keeps every code looked at
        # alive while recording, so that no id is reused by another code object.
        self._callee: dict[int, str | None] = {}  # id(code) -> its module when it is an analysed function
        self._frame: dict[int, object] = {}  # id(code) -> its module when analysed (any code), or _LOOP
        self._first: dict[int, int] = {}  # id(code) -> the offset of a generator's first RESUME (3.11)
        self._alive: list[object] = []
        self._tool: int | None = None
        self._hook = None
        self._previous: tuple = (None, None)
        self._stopped = False

    def start(self) -> None:
        """Start recording in this process (every thread on 3.12+, this and new threads before)."""
        self._stopped = False
        if self.tracer == "sys.monitoring":
            self._start_monitoring()
        else:
            self._hook = self._profile()
            self._previous = (sys.getprofile(), getattr(threading, "getprofile", lambda: None)())
            threading.setprofile(self._hook)
            sys.setprofile(self._hook)

    def stop(self) -> None:
        """Stop recording (in every thread); what was recorded stays in `calls`, `ran`, `inert`
        and `notes`. Safe to call while other threads still run the program."""
        self._stopped = True  # threads whose hook cannot be removed from here record nothing more
        self.inert = {name for name, module in list(sys.modules.items())
                      if (name in self.packages or name.startswith(self._prefixes)) and not _defines_functions(module)}
        if self._tool is not None:
            monitoring = sys.monitoring
            monitoring.set_events(self._tool, 0)
            monitoring.register_callback(self._tool, monitoring.events.PY_START, None)
            monitoring.free_tool_id(self._tool)
            self._tool = None
        elif self._hook is not None:
            if sys.getprofile() is not self._hook:
                self.notes.append("the program replaced the profiler hook (sys.setprofile) while it was traced: "
                                  "calls made after that were not recorded")
            previous, previous_threads = self._previous
            sys.setprofile(previous)
            threading.setprofile(previous_threads)  # type: ignore[arg-type]
            self._hook = None
        # Copies taken in one step each (the GIL holds during dict.copy), so that a thread still
        # inside the hook cannot change them while they are written.
        self.calls = defaultdict(int, self.calls.copy())
        self.ran = defaultdict(set, {name: set(modules) for name, modules in list(self.ran.items())})
        self._alive.clear()
        self._callee.clear()
        self._frame.clear()
        self._first.clear()

    def _start_monitoring(self) -> None:
        monitoring = sys.monitoring
        for tool in (3, 4, monitoring.PROFILER_ID):  # ids no tool claims first: cProfile wants PROFILER_ID
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
        global _DISMISSED  # noqa: PLW0603 - one flag per process, as sys.monitoring's state is
        if _DISMISSED:  # code an earlier recording dismissed (DISABLE) is looked at again; this
            monitoring.restart_events()  # wakes other tools' dismissed events too, so only then
        _DISMISSED = True
        monitoring.set_events(self._tool, monitoring.events.PY_START)

    def _profile(self):  # noqa: ANN202 - sys.setprofile's callback
        """The profile hook: runs on every call and return, so it looks up as little as it can."""
        callee, enter = self._callee, self._enter

        def profile(frame, event, arg):  # noqa: ANN001, ANN202
            if event == "call" and callee.get(id(frame.f_code), _UNKNOWN) is not None:
                try:
                    enter(frame, resumed=True)
                except Exception:  # noqa: BLE001 - a recorder bug must never break the program it watches
                    callee[id(frame.f_code)] = None
        return profile

    def _enter(self, frame, resumed: bool = False) -> str | None:  # noqa: ANN001 - a frame
        """Record the call that started `frame`; None when its code is never worth a look again.
        `resumed`: the event also fires when a generator or coroutine resumes (sys.setprofile)."""
        if self._stopped:
            return None
        code = frame.f_code
        module = self._callee.get(id(code), _UNKNOWN)
        if module is _UNKNOWN:
            self._alive.append(code)
            module = self._callee[id(code)] = (self._module(frame) if code.co_flags & CO_NEWLOCALS else None)
        if module is None:
            return None
        flags = code.co_flags
        if resumed and flags & _RESUMABLE and not self._first_start(frame):
            return module
        use_case = self.use_case
        self.ran[use_case].add(module)
        caller = self._caller(frame.f_back, awaited=bool(flags & _AWAITING))
        if caller is not None and caller != module:
            self.calls[use_case, caller, module] += 1
        return module

    def _first_start(self, frame) -> bool:  # noqa: ANN001 - a generator's or coroutine's frame
        """Whether the generator or coroutine of `frame` starts now (not resumes), under sys.setprofile."""
        if _RESUME is None:  # 3.10 and older: a frame not yet started has run no instruction
            return frame.f_lasti < 0
        code = frame.f_code
        first = self._first.get(id(code))
        if first is None:
            first = self._first[id(code)] = next(
                (offset for offset in range(0, len(code.co_code), 2) if code.co_code[offset] == _RESUME), 0)
        return frame.f_lasti <= first

    def _caller(self, frame, awaited: bool = False) -> str | None:  # noqa: ANN001 - a frame or None
        """The module of the nearest analysed frame from `frame` up. `awaited`: the call is a
        coroutine's start, so only coroutines awaiting it are walked through (past them is the
        event loop, which runs it for whoever scheduled it, not for whoever started the loop)."""
        known = self._frame
        for _ in range(MAX_DEPTH):
            if frame is None:
                return None
            code = frame.f_code
            module = known.get(id(code), _UNKNOWN)
            if module is _UNKNOWN:
                self._alive.append(code)
                module = known[id(code)] = (_LOOP if frame.f_globals.get("__name__") in _LOOP_MODULES
                                            else self._module(frame))
            if module is _LOOP:
                return None
            if module is not None:
                return module  # type: ignore[return-value]
            if awaited and not code.co_flags & _AWAITING:
                return None
            frame = frame.f_back
        return None

    def _module(self, frame) -> str | None:  # noqa: ANN001 - a frame
        globals_ = frame.f_globals
        name = globals_.get("__name__")
        if name == "__main__":  # `python -m pkg.mod` runs pkg.mod as __main__; a script has no spec
            spec = globals_.get("__spec__")
            name = getattr(spec, "name", None) or self.main
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
