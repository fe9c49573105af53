"""The figures drawn in other processes while the caller does the rest of the work.

matplotlib holds the interpreter while it imports (0.4-0.6 s) and renders, and the JSON, CSV
and plan files hold it too. On a machine with two cores or more (and fork):

- `FigureServer` (the CLI's way): a process forked before the analysis starts loads matplotlib
  and the drawers while the caller reads the repository and detects the services; sent the
  figures' views (reports/figure_inputs.py, pickled), it draws them at once, half in a child
  it forks then;
- `start_figure_files` (without a server: the Python API, and above 3,000 modules): forks the
  workers when the figures are asked for (one per figure, at most two; the analysis is never
  pickled: the workers read it from the parent's memory), which make each figure's view, read
  back what the results cache keeps for it and keep what they draw.

Either way the bytes are those `figures.figure_files` gives: the same drawers, in the same
order. No matplotlib here: the workers import it, not the caller.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable
from typing import Any

from decomposer.forks import can_fork, forked, shared
from decomposer.model import Analysis
from decomposer.reports.figure_inputs import figure_key

__all__ = ["FigureServer", "is_files", "start_figure_files"]


# This process's ends of a running server's pipes. Every process forked later (stability reruns,
# the betweenness worker, figure workers) closes them at once: were one of those to outlive this
# process, the server would otherwise never see its job pipe end, and would wait forever.
_SERVER_ENDS: set[int] = set()


def _close_server_ends() -> None:
    for descriptor in _SERVER_ENDS:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _SERVER_ENDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_server_ends)


def start_figure_files(analysis: Analysis, formats: tuple[str, ...], names: tuple[str, ...],
                       memo: Any = None) -> Callable[[], dict[str, bytes]]:
    """Start drawing figures `names` (all supported by `analysis`) in `formats`; the function
    returned waits for them and gives `<name>.<format>` bytes in the order of `names` by format.
    With a `memo` (the writer's results cache), a figure whose view of the analysis
    (reports/figure_inputs.py) has bytes kept is read back, and one drawn is kept: by the workers,
    so that making the views and their keys (2 s at 20,216 modules) is not left to the caller.
    Without two cores or fork, the figures are made in this process when that function is called."""
    if not names:
        return dict
    if not can_fork():
        return lambda: _made(analysis, formats, names, memo)
    parts = [part for part in (names[0::2], names[1::2]) if part]
    pool, futures = forked(len(parts), (analysis, formats, memo), _render_in_worker, parts)

    def collect() -> dict[str, bytes]:
        rendered: dict[str, bytes] = {}
        try:
            for future in futures:
                rendered |= future.result()
        finally:
            pool.shutdown()
        return {f"{name}.{fmt}": rendered[f"{name}.{fmt}"] for name in names for fmt in formats}

    return collect


def is_files(value: object) -> bool:
    """Whether `value` is what a cache keeps for files: a dict of file names to bytes."""
    return isinstance(value, dict) and bool(value) and all(isinstance(name, str) and isinstance(data, bytes)
                                                           for name, data in value.items())


def _made(analysis: Analysis, formats: tuple[str, ...], names: tuple[str, ...], memo: Any) -> dict[str, bytes]:
    """The figures `names`: read back from `memo` where kept, else drawn from their views and kept."""
    from decomposer.reports.figures import draw_views, render_figures
    made: dict[str, bytes] = {}
    inputs = {name: figure_key(analysis, name, formats) for name in names}
    missing = []
    for name in names:
        kept = memo.load("figure", inputs[name]) if memo else None
        if is_files(kept):
            made |= kept
        else:
            missing.append(name)
    if missing:
        drawn = render_figures(draw_views({name: inputs[name][1] for name in missing}), formats)
        for name in missing:
            files = {f"{name}.{fmt}": drawn[f"{name}.{fmt}"] for fmt in formats}
            if memo:
                memo.store("figure", inputs[name], files)
            made |= files
    return made


def _render_in_worker(names: tuple[str, ...]) -> dict[str, bytes]:
    analysis, formats, memo = shared()
    return _made(analysis, formats, names, memo)


class FigureServer:
    """A process forked before the analysis starts, for the figures of a run that may need them.

    While this process reads the repository and detects the services, the server loads
    matplotlib and the drawers (0.4-0.6 s of CPU, on the other core); sent the views of the
    figures to draw (`draw`), it draws them at once, half in a child it forks then. A run whose
    reports are all cached sends nothing and `close` stops it. If the server is gone (killed),
    the figures are drawn in this process: the same bytes either way.
    """

    def __init__(self, pid: int, jobs: int, results: int) -> None:
        self.pid, self.jobs, self.results = pid, jobs, results

    @classmethod
    def start(cls) -> FigureServer | None:
        """A new server, or None without two cores or fork. Call after `use_matplotlib_dir`."""
        if not can_fork():
            return None
        job_read, job_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the server: it never returns into the caller's code
            status = 0
            try:
                os.close(job_write)
                os.close(result_read)
                _serve(job_read, result_write)
            except BaseException:  # noqa: BLE001 - the parent then draws the figures itself
                status = 1
            finally:
                os._exit(status)
        os.close(job_read)
        os.close(result_write)
        _SERVER_ENDS.update((job_write, result_read))
        return cls(pid, job_write, result_read)

    def draw(self, views: dict[str, Analysis], formats: tuple[str, ...]) -> Callable[[], dict[str, bytes]]:
        """Send the figures' views; the function returned waits for `<name>.<format>` bytes, in
        the order of `views` by format (as `start_figure_files`)."""
        job = pickle.dumps((views, formats), protocol=pickle.HIGHEST_PROTOCOL)
        sender = threading.Thread(target=_send, args=(self.jobs, job), daemon=True)
        sender.start()  # the server reads when matplotlib is loaded: this process goes on meanwhile

        def collect() -> dict[str, bytes]:
            sender.join()
            answer = _receive(self.results)
            self.close()
            if not isinstance(answer, dict):  # the server died: draw here
                from decomposer.reports.figures import draw_views, render_figures
                answer = render_figures(draw_views(views), formats)
            return {f"{name}.{fmt}": answer[f"{name}.{fmt}"] for name in views for fmt in formats}

        return collect

    def close(self) -> None:
        """Stop the server (if it still runs) and wait for it."""
        if self.pid is None:
            return
        _SERVER_ENDS.difference_update((self.jobs, self.results))
        for descriptor in (self.jobs, self.results):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.pid = None


def _serve(jobs: int, results: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which stops this
    from decomposer.reports.figures import draw_views, render_figures
    job = _receive(jobs)
    if job is None:
        return
    views, formats = job
    names = tuple(views)
    half = names[1::2]
    child, reader = None, None
    if half:
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:
            status = 0
            try:
                os.close(reader)
                _send(writer, pickle.dumps(render_figures(draw_views({name: views[name] for name in half}), formats)))
            except BaseException:  # noqa: BLE001
                status = 1
            finally:
                os._exit(status)
        os.close(writer)
    drawn = render_figures(draw_views({name: views[name] for name in names[0::2]}), formats)
    if child is not None:
        rest = _receive(reader)
        os.waitpid(child, 0)
        if not isinstance(rest, dict):
            rest = render_figures(draw_views({name: views[name] for name in half}), formats)
        drawn |= rest
    _send(results, pickle.dumps(drawn, protocol=pickle.HIGHEST_PROTOCOL))


def _send(descriptor: int, data: bytes) -> None:
    """`data` with its length in front, whole, to a pipe (a closed reader is not an error)."""
    view = memoryview(struct.pack("<Q", len(data)) + data)
    with contextlib.suppress(OSError):
        while view:
            view = view[os.write(descriptor, view):]


def _receive(descriptor: int) -> Any:
    """The value `_send` wrote, or None when the pipe ended first (the writer died)."""
    chunks, wanted, header = [], 8, None
    try:
        while wanted:
            chunk = os.read(descriptor, min(wanted, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            wanted -= len(chunk)
            if header is None and not wanted:
                header = b"".join(chunks)
                chunks, wanted = [], struct.unpack("<Q", header)[0]
    except OSError:
        return None
    return pickle.loads(b"".join(chunks))
