"""Everything decomposer writes goes through here: one folder, outside the analysed repository,
each run's files whole.

Policy (docs/concepts.md, "What decomposer writes"):
- a folder is refused when it lies inside the analysed repository once every symlink on its path
  is resolved, and it is checked before any analysis starts (`check_output_dir`);
- a run's files are first written into a hidden staging folder inside the output folder, then
  renamed into place one by one (a rename within a folder is atomic): a run killed while writing
  leaves the previous complete files, never a truncated one; a symlink already standing where a
  file goes is replaced, never followed; the staging folder is removed whatever happens;
- matplotlib keeps its font cache in decomposer's own cache folder, never in HOME or
  XDG_CACHE_HOME (which may lie inside the analysed repository).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from decomposer.errors import CannotWrite, OutputInsideRepository
from decomposer.model import Analysis
from decomposer.reports.csv_report import csv_tables
from decomposer.reports.figure_inputs import figure_key, supported_figures
from decomposer.reports.figure_worker import FigureServer, is_files, start_figure_files
from decomposer.reports.graph_export import graph_files
from decomposer.reports.html_report import report_html
from decomposer.reports.json_report import analysis_json
from decomposer.reports.markdown_report import report_markdown
from decomposer.reports.plan_report import plan_files

__all__ = ["FORMATS", "Memo", "OutputFolder", "check_output_dir", "load_libraries", "use_matplotlib_dir",
           "write_reports"]



class Memo(Protocol):
    """The results cache as the writer sees it (`pipeline.results_memo`): values by their inputs."""

    def load(self, kind: str, inputs: Any) -> Any | None:
        """The value kept for equal `inputs` (and this code version), or None."""

    def store(self, kind: str, inputs: Any, value: Any) -> None:
        """Keep `value` for `inputs`."""

# format -> what it writes
FORMATS = {
    "json": "analysis.json",
    "csv": "modules.csv, services.csv, cochange.csv, brittle_modules.csv (data_links.csv; runtime_calls.csv, runtime_modules.csv)",
    "plan": "plan.md, plan.csv",
    "md": "report.md",
    "html": "report.html (self-contained)",
    "png": "services, modules, brittleness, cochange and plan figures as PNG",
    "svg": "the same figures as SVG",
    "graphml": "modules.graphml (Gephi, yEd)",
    "dot": "modules.dot (Graphviz)",
}


def check_output_dir(repo_dir: Path, target: Path, option: str) -> Path:
    """`target` resolved, once it is known to lie outside the repository and to be writable.

    Raises:
        OutputInsideRepository: the folder (symlinks resolved) is the repository or inside it.
        CannotWrite: a file stands where the folder (or one of its parents) would be, or the
            nearest existing parent cannot be written.
    """
    resolved, repo = target.resolve(), repo_dir.resolve()
    if resolved == repo or resolved.is_relative_to(repo):
        raise OutputInsideRepository(
            f"{option} {resolved} is inside the analysed repository {repo}, and decomposer never "
            f"writes there; pass {option} with a folder outside it, e.g. "
            f"{option} {repo.parent / (repo.name + '-' + resolved.name)}")
    existing = resolved
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CannotWrite(f"{option} {target}: {existing} is a file, not a folder; pass another {option}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CannotWrite(f"{option} {target}: {existing} is not writable; fix its permissions or pass another {option}")
    return resolved


class OutputFolder:
    """Files to write into one folder outside the repository, written together by `write`."""

    def __init__(self, out_dir: Path, repo_dir: Path, option: str = "--out") -> None:
        self.path, self.option = check_output_dir(repo_dir, out_dir, option), option
        self._files: dict[str, bytes] = {}

    def add(self, name: str, content: str | bytes) -> None:
        """Keep `content` (text is written as UTF-8) for the file `name` of this folder."""
        self._files[name] = content.encode("utf-8") if isinstance(content, str) else content

    def write(self) -> list[Path]:
        """Write every file kept so far, each whole; return their paths in the order added.

        Raises:
            CannotWrite: the folder cannot be created or a file cannot be written (the message
                says which and why); nothing is left half-written.
        """
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".decomposer-writing-", dir=self.path))
        except OSError as error:
            raise CannotWrite(f"cannot create {self.path}: {error.strerror}; pass another {self.option}") from None
        try:
            for name, data in self._files.items():
                self._write_one(staging / name, data)
            for name in self._files:
                self._rename(staging / name, self.path / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return [self.path / name for name in self._files]

    def _write_one(self, staged: Path, data: bytes) -> None:
        try:
            staged.write_bytes(data)
        except OSError as error:
            raise CannotWrite(f"cannot write {self.path / staged.name}: {error.strerror}; free some space "
                              f"or pass another {self.option}") from None

    def _rename(self, staged: Path, final: Path) -> None:
        try:
            os.replace(staged, final)
        except OSError as error:
            raise CannotWrite(f"cannot write {final}: {error.strerror}; move it out of the way or pass "
                              f"another {self.option}") from None


def use_matplotlib_dir(cache_dir: Path | None) -> None:
    """Point matplotlib's config and font cache at decomposer's cache (or a shared temporary
    folder with --no-cache), before matplotlib is first imported."""
    if "matplotlib" in sys.modules:
        return
    base = cache_dir or Path(tempfile.gettempdir()) / f"decomposer-{os.getuid() if hasattr(os, 'getuid') else 0}"
    os.environ["MPLCONFIGDIR"] = str(base / "matplotlib")


def load_libraries(formats: tuple[str, ...]) -> None:
    """Import what writing `formats` will need here: matplotlib with the figure drawers (0.5 s).
    For a caller with time to spare, e.g. while `git log` runs (`pipeline.analyze`'s `idle`):
    forked figure workers then start with it loaded. Call `use_matplotlib_dir` first."""
    if {"png", "svg", "html"} & set(formats):
        import decomposer.reports.figures  # noqa: F401 - matplotlib, its Agg canvas and fonts


def write_reports(analysis: Analysis, out: OutputFolder, formats: tuple[str, ...], *,
                  progress: Callable[[str], None] = lambda message: None,
                  memo: Memo | None = None, server: FigureServer | None = None) -> list[Path]:
    """Write every requested format into `out`; return the paths, in a stable order.

    With a `memo` (`pipeline.results_memo`: the results cache), the files made before for the
    very same analysis (every field of it) and formats are read back instead of made again,
    and so are the figures alone when only the other formats changed. With a `server`
    (`FigureServer.start()` before the analysis), the figures to draw are drawn there.
    """
    inputs = (analysis, formats)  # the same object for load and store: the memo digests it once
    files = memo.load("reports", inputs) if memo else None
    if not is_files(files):
        files = _report_files(analysis, formats, progress, memo, server)
        if memo:
            memo.store("reports", inputs, files)
    for name, data in files.items():
        out.add(name, data)
    return out.write()


def _report_files(analysis: Analysis, formats: tuple[str, ...], progress: Callable[[str], None],
                  memo: Memo | None, server: FigureServer | None = None) -> dict[str, bytes]:
    files: dict[str, bytes] = {}

    def add(name: str, content: str | bytes) -> None:
        files[name] = content.encode("utf-8") if isinstance(content, str) else content

    pictures = tuple(fmt for fmt in ("png", "svg") if fmt in formats)
    figures: Callable[[], dict[str, bytes]] = dict
    if pictures or "html" in formats:
        progress("Drawing figures")  # report.html inlines the very PNG bytes of the files
        # drawn by forked workers while this process writes the JSON, CSV and plan files
        figures = _start_figures(analysis, tuple(fmt for fmt in ("png", "svg")
                                                 if fmt in pictures or (fmt == "png" and "html" in formats)), memo,
                                 server)
    try:
        if "json" in formats:
            add("analysis.json", analysis_json(analysis))
        if "csv" in formats:
            for name, text in csv_tables(analysis).items():
                add(name, text)
        if "plan" in formats:
            for name, text in plan_files(analysis).items():
                add(name, text)
        graphs = graph_files(analysis, formats)  # added last, as ever, but made while the figures are drawn
    finally:
        rendered = figures()
    for name, data in rendered.items():
        if name.rsplit(".", 1)[1] in pictures:
            add(name, data)
    pngs = {name[:-len(".png")]: data for name, data in rendered.items() if name.endswith(".png")}
    if "md" in formats:
        add("report.md", report_markdown(analysis, tuple(pngs) if "png" in formats else ()))
    if "html" in formats:
        add("report.html", report_html(analysis, pngs))
    for name, data in graphs.items():
        add(name, data)
    return files


def _start_figures(analysis: Analysis, formats: tuple[str, ...], memo: Memo | None,
                   server: FigureServer | None = None) -> Callable[[], dict[str, bytes]]:
    """Every supported figure in every format, started: the function returned gives the bytes.
    With a `memo`, only those whose view of the analysis (reports/figure_inputs.py) has no
    figure kept are drawn; by the `server` when there is one (and the views are looked up here,
    to send only those to draw), else by workers that look them up themselves."""
    names = supported_figures(analysis)
    if not server or len(analysis.modules) > _SERVER_UP_TO:
        return start_figure_files(analysis, formats, names, memo)
    views = {name: figure_key(analysis, name, formats) for name in names}
    found = {name: memo.load("figure", views[name]) if memo else None for name in names}
    missing = tuple(name for name in names if not is_files(found[name]))
    # matplotlib is imported only by the drawing, after `use_matplotlib_dir` had its say.
    drawing = server.draw({name: views[name][1] for name in missing}, formats) if missing else dict

    def collect() -> dict[str, bytes]:
        drawn = drawing()
        for name in missing:
            found[name] = {f"{name}.{fmt}": drawn[f"{name}.{fmt}"] for fmt in formats}
            if memo:
                memo.store("figure", views[name], found[name])
        return {file: data for name in names for file, data in found[name].items()}

    return collect


# The server is sent the figures' views pickled: about 0.1 ms a module to pickle and to read back,
# 0.04 s on wagtail (648 modules) but 2.5 s at 20,216, where forking the workers with the
# analysis in memory and importing matplotlib there (0.5 s) costs less.
_SERVER_UP_TO = 3000  # modules
