"""The command line: parse -> Settings -> pipeline -> reports. No analysis logic here."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import math
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from decomposer import pipeline
from decomposer._version import __version__
from decomposer.config import DEFAULT_EXCLUDES, Settings, default_cache_dir, load_settings
from decomposer.errors import DecomposerError
from decomposer.pipeline.tracing import TraceSession, run_traced
from decomposer.model import ALGORITHMS, GRANULARITIES, SIGNALS, Analysis, Planning
from decomposer.reports.check_report import check_lines, check_to_dict
from decomposer.reports.contracts import contract_files
from decomposer.reports.literature_report import literature_csv, literature_lines
from decomposer.reports.plan_report import plan_files
from decomposer.reports.figure_worker import FigureServer
from decomposer.reports.summary import plan_lines, reassigned_lines, summary_lines
from decomposer.reports.writer import (
    FORMATS,
    OutputFolder,
    check_output_dir,
    load_libraries,
    use_matplotlib_dir,
    write_reports,
)

__all__ = ["main"]

_DEFAULT_OUT = "decomposer-report"
_DEFAULT = Settings(repo_path=Path("."))  # every default, as the settings records write it
_THRESHOLDS, _DETECTION = _DEFAULT.history.thresholds, _DEFAULT.detection


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="decomposer")
def main() -> None:
    """Tell a team how to break its Python monolith into services, and in what order.

    Start with `decomposer analyze PATH` on your repository. Nothing inside the analysed
    repository is ever written or changed; reports go to --out.
    """


def _terminated(number: int, frame: object) -> None:
    raise SystemExit(128 + number)


def _user_errors(command: Callable[..., None]) -> Callable[..., None]:
    """Turn DecomposerError into one line and exit 1; any other exception is a bug."""

    @functools.wraps(command)
    def wrapper(*args: Any, debug: bool, **kwargs: Any) -> None:
        # SIGTERM stops the run as Ctrl-C does: every `finally` runs, and the processes the run
        # started (figure server, workers) are stopped with it
        previous = (signal.signal(signal.SIGTERM, _terminated)
                    if threading.current_thread() is threading.main_thread() else None)
        try:
            command(*args, **kwargs)
        except DecomposerError as error:
            if debug:
                traceback.print_exc()
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if debug:
                raise
            raise click.ClickException(
                f"unexpected {type(error).__name__}: {error}. This is a bug in decomposer; "
                "rerun with --debug for the traceback and report it"
            ) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return click.option("--debug", is_flag=True, help="Show the full traceback of any error.")(wrapper)


@main.command(epilog=(
    "Examples:\n\n"
    "\b\n"
    "  decomposer analyze ~/src/shop --out shop-report\n"
    "  decomposer analyze . --out ../report --package shop --exclude 'shop.legacy.*'\n"
    "  decomposer analyze ~/src/shop-java --graph deps.dot --out report   (jdeps, any language)\n\n"
    "Defaults can live in the analysed repo's pyproject.toml under [tool.decomposer] "
    "(packages, source_root, exclude, history window, coupling thresholds, algorithm, resolution, "
    "services, seed, weights, together/apart pins, ...: see docs/concepts.md); flags win over it."
))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help=f"Folder for the report files (default: ./{_DEFAULT_OUT}). Must be outside PATH.")
@click.option("--graph", "graph_file", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Analyse this dependency graph instead of PATH's Python code: CSV source,target,weight[,kind], "
                   "JSON, jdeps DOT or dependency-cruiser JSON (docs/graph-input.md). PATH gives git history.")
@click.option("--reference", "reference_file", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="With --graph: a reference decomposition, CSV node,service, to score MoJoFM and ARI against.")
@click.option("--package", "packages", multiple=True, metavar="NAME",
              help="Top-level package to analyse; repeat for several (default: discovered).")
@click.option("--source-root", metavar="DIR",
              help="Folder inside PATH that holds the packages, e.g. src (default: discovered).")
@click.option("--exclude", multiple=True, metavar="PATTERN",
              help="Leave out modules matching this dotted-name pattern, e.g. 'shop.legacy.*'; "
                   "repeatable, added to the defaults.")
@click.option("--no-default-excludes", is_flag=True,
              help=f"Keep test and migration modules (default patterns: {', '.join(DEFAULT_EXCLUDES)}; "
                   "and modules whose code defines test cases or migrations).")
@click.option("--keep-tooling", is_flag=True, default=None,
              help="Propose lint plugins, scripts and settings modules into services like any code "
                   "(default: reported apart as 'tooling').")
@click.option("--exclude-type-checking", is_flag=True, default=None,
              help="Leave out imports made under `if TYPE_CHECKING:` (they cost nothing at run time).")
@click.option("--package-depth", type=click.IntRange(min=1), metavar="N",
              help="Depth at which the current layout is grouped into packages "
                   "(default: 1 for several even top-level packages, else 2).")
@click.option("--no-history", is_flag=True,
              help="Skip git history: no churn or co-change (also the case outside git).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help=f"Read history from this day on (default: {_DEFAULT.history.months} months before HEAD, "
                   f"extended back to at least {_DEFAULT.history.min_commits} commits for a quiet repo).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Read history up to this day (default: HEAD).")
@click.option("--min-revisions", type=click.IntRange(min=1), metavar="N",
              help=f"Co-change: a module needs N commits to be coupled (default {_THRESHOLDS.min_revisions}).")
@click.option("--min-shared-commits", type=click.IntRange(min=1), metavar="N",
              help=f"Co-change: a pair needs N shared commits (default {_THRESHOLDS.min_shared_commits}).")
@click.option("--min-degree", type=click.FloatRange(0, 100), metavar="PERCENT",
              help=f"Co-change: a pair needs this degree (default {_THRESHOLDS.min_degree:g}).")
@click.option("--max-changeset", type=click.IntRange(min=2), metavar="N",
              help=f"Co-change: ignore commits touching more than N modules (default {_THRESHOLDS.max_changeset}).")
@click.option("--algorithm", type=click.Choice(ALGORITHMS),
              help=f"Community detection: {', '.join(ALGORITHMS)} (default {_DETECTION.algorithm}; leiden needs "
                   "the optional leidenalg package).")
@click.option("--resolution", type=click.FloatRange(0.001, 1000), metavar="R",
              help=f"Higher gives more, smaller services (default {_DETECTION.resolution:g}).")
@click.option("--services", "target_services", type=click.IntRange(min=1), metavar="N",
              help="Propose N services: the resolution giving about N is searched, then the smallest service "
                   "merges into its most coupled one (or the largest is cut where the consensus runs disagree) "
                   "until N are left; fewer when no run separates the rest, and the summary says so "
                   "(overrides --resolution).")
@click.option("--seed", type=click.IntRange(min=0), metavar="N",
              help=f"Seed of every random step (default {_DETECTION.seed}): same input and seed, same report.")
@click.option("--weights", metavar="structural=A,cochange=B,data=C,runtime=D",
              callback=lambda ctx, param, value: _weights(value),
              help=f"Mix of the coupling graph: imports, co-change, data links between ORM tables, and the "
                   f"calls --traces recorded (default structural={_DETECTION.structural_weight:g},"
                   f"cochange={_DETECTION.cochange_weight:g},data={_DETECTION.data_weight:g},"
                   f"runtime={_DETECTION.runtime_weight:g}: traces are measured, not clustered on).")
@click.option("--traces", multiple=True, type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Trace files `decomposer trace` (or `pytest -p decomposer.trace`) recorded while your tests "
                   "ran (repeatable; merged): runtime calls and use cases per module, BCP and the calls "
                   "crossing services in the quality table, modules never executed, and each plan step's "
                   "runtime calls (docs/concepts.md, \"Runtime coupling\").")
@click.option("--granularity", type=click.Choice(GRANULARITIES),
              help=f"Move single modules or whole sub-packages between services (default {_DETECTION.granularity}).")
@click.option("--min-service-size", type=click.IntRange(min=1), metavar="N",
              help=f"Smaller groups merge into their most coupled neighbour (default {_DETECTION.min_service_size} modules).")
@click.option("--min-service-share", type=click.FloatRange(0, 1), metavar="SHARE",
              help=f"Services under this share of the analysed lines merge into their most coupled neighbour "
                   f"(default {_DETECTION.min_service_share:g}).")
@click.option("--no-verticals", is_flag=True,
              help="Do not look for technical layers (packages mirroring each other's domains): no detection "
                   "of modules serving most domains name by name (a serializers.py, a views package), no "
                   "joining of code named after a domain (an inventory_import command) to its vertical, no "
                   "naming of services after the domain they hold.")
@click.option("--vertical-tie", type=click.FloatRange(0, 100), metavar="T",
              help=f"Couple each domain's slices across layers by T median edge weights "
                   f"(default {_DETECTION.vertical_tie:g}: not at all).")
@click.option("--consensus-runs", type=click.IntRange(min=1), metavar="N",
              help=f"Seeded detections whose consensus is the proposal, at most (default {_DETECTION.consensus_runs}; "
                   "1: a single run).")
@click.option("--stability-runs", type=click.IntRange(min=0), metavar="N",
              help=f"Full reruns under far-apart seeds that measure stability (default {_DETECTION.stability_runs}).")
@click.option("--brittleness-weights", metavar="SIGNAL=W,...",
              callback=lambda ctx, param, value: _signal_weights(value),
              help=f"Weights of the brittleness signals ({', '.join(SIGNALS)}); e.g. commits=2,loc=0.")
@click.option("--sprint-capacity", type=click.IntRange(min=1), metavar="N",
              help=f"Change points per sprint in the extraction plan (default {_DEFAULT.planning.capacity}; "
                   "docs/concepts.md).")
@click.option("--assignments", "assignments_json", type=click.Path(path_type=Path, dir_okay=False),
              help="Pin every module's service as this file says (exported from report.html; "
                   "docs/assignments.md) instead of detecting services; modules it does not name "
                   "join the service they are most coupled to.")
@click.option("--format", "formats", multiple=True, type=click.Choice(tuple(FORMATS)),
              help="What to write (repeatable; default: everything). "
                   + "; ".join(f"{name}: {what}" for name, what in FORMATS.items()) + ".")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Cache folder: grimp's scan, the mined history and the results of unchanged inputs "
                   "(proposal, models scan, reports) (default: $DECOMPOSER_CACHE_DIR, else ~/.cache/decomposer).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write any cache.")
@click.option("--no-config", is_flag=True, help="Ignore [tool.decomposer] in PATH/pyproject.toml.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True,
              help="Show each step with its time, even when output is not a terminal.")
@_user_errors
def analyze(path: Path, out_dir: Path | None, graph_file: Path | None, reference_file: Path | None,
            packages: tuple[str, ...], source_root: str | None, exclude: tuple[str, ...],
            no_default_excludes: bool, keep_tooling: bool | None, exclude_type_checking: bool | None,
            package_depth: int | None, no_history: bool, since: datetime.datetime | None,
            until: datetime.datetime | None, min_revisions: int | None, min_shared_commits: int | None,
            min_degree: float | None, max_changeset: int | None, algorithm: str | None,
            resolution: float | None, target_services: int | None, seed: int | None,
            weights: dict[str, float], granularity: str | None, min_service_size: int | None,
            min_service_share: float | None, no_verticals: bool, vertical_tie: float | None,
            consensus_runs: int | None, stability_runs: int | None,
            brittleness_weights: tuple[tuple[str, float], ...], sprint_capacity: int | None,
            assignments_json: Path | None, formats: tuple[str, ...], cache_dir: Path | None, no_cache: bool,
            no_config: bool, quiet: bool, verbose: bool, traces: tuple[Path, ...]) -> None:
    """Analyse the monolith at PATH and write analysis.json to --out.

    PATH is the repository (or the folder of the code inside it). decomposer finds its
    packages (flat, src/ and Django project layouts), builds the static import graph with
    grimp, counting every import statement between its modules, mines the git history of
    their Python files for churn and change coupling, reads the ORM models (Django,
    SQLAlchemy) for the foreign keys, queries and transactions between tables, and proposes
    service boundaries as the consensus of many seeded community detections on all three,
    with the shared kernel and developer tooling apart; with --traces, it also reads which modules
    call which while your own tests run (`decomposer trace`). It measures the proposal side by
    side with your current package layout, ranks brittle modules, and plans the extraction
    (report.html has a review view where you can move modules and see what it costs).
    """
    if graph_file and traces:
        raise click.BadParameter("traces record Python calls; analyse the Python code (no --graph) to use them",
                                 param_hint="'--traces'")
    if graph_file and (packages or source_root or package_depth or exclude_type_checking):
        raise click.BadParameter("--package, --source-root, --package-depth and --exclude-type-checking "
                                 "read Python code; with a graph, give groups in the file instead",
                                 param_hint="'--graph'")
    repo_dir = pipeline.repository_dir(path)
    out = OutputFolder(out_dir or Path(_DEFAULT_OUT), repo_dir)
    cache = None if no_cache else check_output_dir(repo_dir, cache_dir or default_cache_dir(), "--cache-dir")
    use_matplotlib_dir(cache)
    settings = load_settings(repo_dir, {
        "packages": packages, "source_root": source_root, "exclude": exclude,
        "default_excludes": False if no_default_excludes else None, "keep_tooling": keep_tooling,
        "exclude_type_checking": exclude_type_checking, "package_depth": package_depth,
        "cache_dir": cache, "out_dir": out.path, "history": False if no_history else None,
        "since": _day(since), "until": _day(until), "min_revisions": min_revisions,
        "min_shared_commits": min_shared_commits, "min_degree": min_degree,
        "max_changeset": max_changeset, "algorithm": algorithm, "resolution": resolution,
        "services": target_services, "seed": seed, "granularity": granularity,
        "min_service_size": min_service_size, "min_service_share": min_service_share,
        "consensus_runs": consensus_runs, "verticals": False if no_verticals else None,
        "vertical_tie": vertical_tie,
        "stability_runs": stability_runs, **weights,
        "brittleness_weights": brittleness_weights, "sprint_capacity": sprint_capacity, "traces": traces,
    }, use_config=not no_config)
    if assignments_json is not None:
        settings = dataclasses.replace(settings, assignment=pipeline.load_assignment(assignments_json))
    progress = _progress(quiet, verbose)
    if reference_file and not graph_file:
        raise click.BadParameter("needs --graph (a reference decomposition names graph nodes)",
                                 param_hint="'--reference'")
    formats = formats or tuple(FORMATS)
    # the figures are drawn by a process that loads matplotlib while this one analyses
    server = FigureServer.start() if {"png", "svg", "html"} & set(formats) else None
    try:
        literature: list[str] = []
        if graph_file:
            analysis, figures = pipeline.analyze_graph(settings, graph_file, reference_file, progress)
            out.add("literature.csv", literature_csv(figures))
            literature = literature_lines(figures)
        else:
            # while git log still runs and the code is read, matplotlib loads here too (for the
            # workers forked with the analysis when the figures do not go to the server)
            analysis = pipeline.analyze(settings, progress, idle=lambda: load_libraries(formats))
            _warn_assignment(analysis, settings.assignment.source if settings.assignment else None)
        written = write_reports(analysis, out, formats, progress=progress,
                                memo=pipeline.results_memo(settings.cache_dir), server=server)
    finally:
        if server is not None:
            server.close()
    if not quiet:
        click.echo("\n".join(summary_lines(analysis) + literature))
        names = {path.name: path for path in written}
        main_file = names.get("report.html") or names.get("analysis.json")
        click.echo(f"Report:     {main_file or out.path} ({len(written)} files in {out.path})")


@main.command("plan", epilog=(
    "Examples:\n\n"
    "\b\n"
    "  decomposer plan shop-report/analysis.json --sprint-capacity 50\n"
    "  decomposer plan shop-report/analysis.json --assignments shop-assignment.json --out shop-edited"
))
@click.argument("analysis_json", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sprint-capacity", type=click.IntRange(min=1), default=_DEFAULT.planning.capacity,
              show_default=True, metavar="N", help="Change points per sprint.")
@click.option("--assignments", "assignments_json", type=click.Path(path_type=Path, dir_okay=False),
              help="Re-plan from these boundaries (the file report.html exports; docs/assignments.md): "
                   "services, quality, data ownership, plan and every report are redone.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for plan.md, plan.csv and plan.json (default: the analysis.json's folder); "
                   "with --assignments, for every report (default: an `assigned` folder beside analysis.json).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@_user_errors
def plan(analysis_json: Path, sprint_capacity: int, assignments_json: Path | None, out_dir: Path | None,
         quiet: bool) -> None:
    """Re-plan the extraction from an existing ANALYSIS_JSON, e.g. with another sprint capacity.

    Reads the services, imports, churn and brittleness that `decomposer analyze` recorded, and
    writes plan.md, plan.csv and plan.json without analysing the repository again. With
    --assignments, the services are the ones in that file, and every report is written anew.
    """
    planning = Planning(capacity=sprint_capacity)
    if assignments_json is not None:
        assignment = pipeline.load_assignment(assignments_json)
        saved = pipeline.load_analysis(analysis_json)
        analysis = pipeline.reassign(saved, assignment, planning)
        _warn_assignment(analysis, assignment.source)
        if not quiet:
            click.echo("\n".join(reassigned_lines(saved, analysis)))
        out = OutputFolder(out_dir or analysis_json.parent / "assigned", Path(analysis.repository.path))
        use_matplotlib_dir(None)
        written = write_reports(analysis, out, tuple(FORMATS))
    else:
        analysis = pipeline.replan(pipeline.load_analysis(analysis_json), planning)
        out = OutputFolder(out_dir or analysis_json.parent, Path(analysis.repository.path))
        for name, text in plan_files(analysis, with_json=True).items():
            out.add(name, text)
        written = out.write()
    if not quiet and analysis.plan:
        click.echo("\n".join(plan_lines(analysis.plan)))
        click.echo(f"Written:    {', '.join(str(path) for path in written)}")


def _warn_assignment(analysis: Analysis, source: str | None) -> None:
    """One line on stderr per thing an assignment file said that did not fit the analysis."""
    for warning in analysis.warnings:
        if source and warning.path == source:
            click.echo(f"Warning: {warning.message}", err=True)


@main.command("contracts", epilog=(
    "Example:\n\n"
    "\b\n"
    "  decomposer contracts shop-report/analysis.json\n"
    "  cp shop-report/.importlinter ~/src/shop/ && (cd ~/src/shop && lint-imports)"
))
@click.argument("analysis_json", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for .importlinter and tach.toml (default: the analysis.json's folder).")
@_user_errors
def contracts(analysis_json: Path, out_dir: Path | None) -> None:
    """Write import-linter and tach configurations that hold the proposed boundaries.

    They accept every import that crosses a boundary today and fail on any new one, so CI can
    stop the coupling from growing while the plan is carried out (docs/contracts.md).
    """
    analysis = pipeline.load_analysis(analysis_json)
    out = OutputFolder(out_dir or analysis_json.parent, Path(analysis.repository.path))
    for name, text in contract_files(analysis).items():
        out.add(name, text)
    written = out.write()
    click.echo(f"Written:    {', '.join(str(path) for path in written)}")


@main.command("trace", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
              epilog=(
    "Examples:\n\n"
    "\b\n"
    "  decomposer trace --out /tmp/shop-trace.json --per-test-module -- manage.py test\n"
    "  decomposer trace --use-case smoke -m myapp.smoke --fast\n"
    "  pytest -p decomposer.trace --decomposer-trace /tmp/shop-trace.json   # one use case per test file\n"
    "  decomposer analyze . --traces /tmp/shop-trace.json"
))
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("-m", "--module", "as_module", is_flag=True, help="COMMAND starts with a module to run, as `python -m`.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="The trace file (default: decomposer's cache folder; never inside the repository).")
@click.option("--packages", default="", metavar="PKG,...",
              help="Packages whose modules are traced (default: those decomposer finds in --root).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True,
              help="The repository the traced code belongs to.")
@click.option("--use-case", default="run", show_default=True, metavar="NAME",
              help="The use case every recorded call belongs to (use pytest -p decomposer.trace for one per test file).")
@click.option("--per-test-module", is_flag=True,
              help="One use case per unittest test module (Django's `manage.py test` too) instead of --use-case; "
                   "calls made outside any test are \"(outside tests)\".")
@_user_errors
def trace(command: tuple[str, ...], as_module: bool, out: Path | None, packages: str, root: Path,
          use_case: str, per_test_module: bool) -> None:
    """Run a Python program in this process, as `coverage run` does, recording which modules of the
    analysed packages call which (docs/concepts.md, "Runtime coupling").

    COMMAND is a script and its arguments (or, with -m, a module and its arguments). Only module
    names and call counts are recorded: no argument values, nothing of the app's data. Exits with
    the program's exit code once the trace is written (130 after Ctrl-C, the trace so far kept).
    """
    if not as_module and not Path(command[0]).is_file():
        raise click.BadParameter(f"{command[0]} is not a file; give a Python script, or -m and a module",
                                 param_hint="COMMAND")
    names = tuple(name.strip() for name in packages.split(",") if name.strip())
    session = TraceSession(pipeline.repository_dir(root), out, names)
    code = run_traced(session, command[0], command[1:], module=as_module, use_case=use_case,
                      per_test_module=per_test_module)
    click.echo(session.write(), err=True)
    sys.exit(code)


@main.command("check", epilog=(
    "Example (in CI, after a saved analysis):\n\n"
    "\b\n"
    "  decomposer check . --against architecture/analysis.json || exit 1"
))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--against", "analysis_json", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The analysis.json to compare with.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (for dashboards).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Cache folder for grimp (default: $DECOMPOSER_CACHE_DIR, else ~/.cache/decomposer).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write any cache.")
@_user_errors
def check_command(path: Path, analysis_json: Path, as_json: bool, cache_dir: Path | None, no_cache: bool) -> None:
    """Count imports across the proposed boundaries in PATH now, against a saved analysis.

    Exit 1 when any pair of services has more crossing import statements than in the saved
    analysis (new coupling), 0 otherwise. Reads the code only: no history, seconds to run.
    """
    repo_dir = pipeline.repository_dir(path)
    cache = None if no_cache else check_output_dir(repo_dir, cache_dir or default_cache_dir(), "--cache-dir")
    result = pipeline.check(repo_dir, pipeline.load_analysis(analysis_json), cache)
    if as_json:
        click.echo(json.dumps(check_to_dict(result), indent=2))
    else:
        click.echo("\n".join(check_lines(result)))
    if result.grew:
        raise SystemExit(1)


def _progress(quiet: bool, verbose: bool) -> Callable[[str], None]:
    """Step messages on stderr: on a terminal, or always with --verbose (then with times)."""
    if quiet or not (verbose or sys.stderr.isatty()):
        return lambda message: None
    start = time.perf_counter()

    def show(message: str) -> None:
        elapsed = f"[{time.perf_counter() - start:6.1f}s] " if verbose else ""
        click.echo(f"{elapsed}{message}", err=True)

    return show


def _weights(value: str | None) -> dict[str, float]:
    """Parse `structural=1,cochange=0.5,data=1` into Settings fields."""
    pairs = _name_numbers(value, ("structural", "cochange", "data", "runtime"), "--weights")
    return {f"{name}_weight": weight for name, weight in pairs.items()}


def _signal_weights(value: str | None) -> tuple[tuple[str, float], ...]:
    """Parse `commits=2,loc=0` into brittleness signal weights."""
    return tuple(sorted(_name_numbers(value, SIGNALS, "--brittleness-weights").items()))


def _name_numbers(value: str | None, names: tuple[str, ...], option: str) -> dict[str, float]:
    """Parse `NAME=NUMBER,...` with known names and numbers >= 0, or say which part is wrong."""
    pairs: dict[str, float] = {}
    for part in (value or "").split(",") if value else []:
        name, _, number = part.partition("=")
        try:
            weight = float(number)
        except ValueError:
            weight = -1.0
        if name.strip() not in names or not 0 <= weight < math.inf:
            raise click.BadParameter(
                f"{part!r} is not NAME=NUMBER with NAME one of {', '.join(names)} and a finite NUMBER >= 0",
                param_hint=f"'{option}'")
        pairs[name.strip()] = weight
    return pairs


def _day(moment: datetime.datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
