"""Worker processes forked with what they need in memory (nothing pickled on the way in).

A run uses them where the second core would sit idle: the code reading beside grimp's scan on
large repositories (pipeline.code_beside), the stability reruns beside the proposal's detection
and the import graph's betweenness (pipeline.proposal), the figures at scale
(reports.figure_worker). Without two cores or fork, the callers do the work in this process,
one step after another, with the same results. Nothing of decomposer is imported here.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

__all__ = ["can_fork", "forked", "shared", "shut"]

_SHARED: Any = None  # what the workers `forked` starts read (never pickled: they hold a copy)


def can_fork() -> bool:
    """Two cores or more, and fork."""
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def forked(workers: int, value: Any, function: Callable[[Any], Any],
           arguments: Iterable[Any]) -> tuple[ProcessPoolExecutor, list[Future]]:
    """`workers` forked processes holding `value` (their `shared()`), each `function(argument)`
    submitted: the workers fork at the first submit, so `value` is let go here after it."""
    global _SHARED
    _SHARED = value
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_end_with, initargs=(os.getpid(),))
    try:
        return pool, [pool.submit(function, argument) for argument in arguments]
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    finally:
        _SHARED = None


def shared() -> Any:
    """In a worker `forked` started: the value it was forked with."""
    return _SHARED


def _end_with(parent: int) -> None:
    """In a worker: be killed when `parent` ends, even killed itself (SIGKILL, out of memory),
    rather than wait for ever on a pipe whose both ends it holds (Linux; elsewhere nothing)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def shut(pool: ProcessPoolExecutor, *, stopping: bool) -> None:
    """Shut `pool` down; when the run is stopping (an error, Ctrl-C, SIGTERM), its workers are
    stopped first rather than waited for (no public way before Python 3.14's terminate_workers)."""
    if stopping:
        terminate = getattr(pool, "terminate_workers", None)
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
    pool.shutdown(cancel_futures=True)
