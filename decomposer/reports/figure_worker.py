"""The figures drawn in forked worker processes while the caller writes the other reports.

matplotlib holds the interpreter while it imports (about 0.4 s) and renders, and the JSON, CSV
and plan files hold it too: on a machine with two cores or more, `start_figure_files` forks the
workers at once (one per figure, at most two; the analysis is never pickled: the workers read
it from the parent's memory) and returns a function that waits for their bytes. The bytes are
those `figures.figure_files` gives: the same drawers, in the same order. No matplotlib here: the
workers import it, not the caller.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from decomposer.model import Analysis

__all__ = ["start_figure_files"]

_SHARED: tuple[Analysis, tuple[str, ...]] | None = None  # read by the forked workers


def start_figure_files(analysis: Analysis, formats: tuple[str, ...],
                       names: tuple[str, ...]) -> Callable[[], dict[str, bytes]]:
    """Start drawing figures `names` (all supported by `analysis`) in `formats`; the function
    returned waits for them and gives `<name>.<format>` bytes in the order of `names` by format.
    Without two cores or fork, the figures are drawn in this process when that function is called."""
    if not names:
        return dict
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        def inline() -> dict[str, bytes]:
            from decomposer.reports.figures import figure_files
            return figure_files(analysis, formats, names)
        return inline
    global _SHARED
    _SHARED = (analysis, formats)
    parts = [part for part in (names[0::2], names[1::2]) if part]
    pool = ProcessPoolExecutor(len(parts), mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_render_in_worker, part) for part in parts]  # the workers fork here
    except BaseException:
        pool.shutdown(cancel_futures=True)
        _SHARED = None
        raise

    def collect() -> dict[str, bytes]:
        global _SHARED
        rendered: dict[str, bytes] = {}
        try:
            for future in futures:
                rendered |= future.result()
        finally:
            pool.shutdown()
            _SHARED = None
        return {f"{name}.{fmt}": rendered[f"{name}.{fmt}"] for name in names for fmt in formats}

    return collect


def _render_in_worker(names: tuple[str, ...]) -> dict[str, bytes]:
    from decomposer.reports.figures import draw_figures, render_figures
    analysis, formats = _SHARED
    return render_figures(draw_figures(analysis, names), formats)
