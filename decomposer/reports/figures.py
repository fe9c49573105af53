"""Pictures to review: matplotlib Figure objects (no pyplot state), written as PNG and SVG.

1. the service graph: a node per service (and the kernel), area by lines of code, edge width by
   import statements, cycle edges in red;
2. the module graph coloured by service: modules packed around their service's place, so it
   stays readable with thousands of modules; only the most coupled modules are labelled;
3. brittleness: churn against coupling, the hotspot quadrants, the top modules labelled;
4. the change-coupling heatmap between services;
5. the plan as a timeline of sprints;
6. the tables grouped by owning service, crossing relations in red (reports/data_figure.py).

Layouts are computed, not random, and files carry no date: the same analysis draws the same bytes.
"""

from __future__ import annotations

import io
import math
from collections import Counter, defaultdict

import matplotlib

matplotlib.use("Agg")  # no display, no pyplot state: Figures are built and saved directly

import networkx as nx  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from decomposer.model import (  # noqa: E402
    CUT,
    EXTRACT,
    KERNEL,
    LIBRARY,
    SPLIT,
    SPLIT_DATA,
    SPLIT_MODULE,
    Analysis,
    crossing_counts,
)
from decomposer.reports.data_figure import data_figure  # noqa: E402
from decomposer.reports.figure_inputs import FIGURES, figure_view, supported_figures  # noqa: E402

__all__ = ["FIGURES", "draw_figures", "draw_views", "figure_files", "render_figures"]

# SVG text stays text (searchable, editable, a third of the time and size of glyph paths)
_RC = {"svg.hashsalt": "decomposer", "svg.fonttype": "none", "font.size": 9}
_LABELLED_MODULES = 20
_DPI = 110


def draw_figures(analysis: Analysis, names: tuple[str, ...] = FIGURES) -> dict[str, Figure]:
    """The figures among `names` that the analysis can support (no plan or services: fewer),
    each drawn from its view of the analysis (reports/figure_inputs.py)."""
    return draw_views({name: figure_view(analysis, name) for name in supported_figures(analysis) if name in names})


def draw_views(views: dict[str, Analysis]) -> dict[str, Figure]:
    """Each figure named in `views` drawn from its view (`figure_inputs.figure_view`), in that order."""
    with matplotlib.rc_context(_RC):
        return {name: _DRAWERS[name](view) for name, view in views.items()}


def figure_files(analysis: Analysis, formats: tuple[str, ...], names: tuple[str, ...] = FIGURES) -> dict[str, bytes]:
    """Every supported figure among `names` as `<name>.<format>` bytes, in FIGURES order, drawn
    in this process (reports/figure_worker.py draws them in forked workers where that pays)."""
    names = tuple(name for name in supported_figures(analysis) if name in names)
    return render_figures(draw_figures(analysis, names), formats)


def render_figures(figures: dict[str, Figure], formats: tuple[str, ...]) -> dict[str, bytes]:
    """Each figure as `<name>.png` and/or `<name>.svg` bytes, by file name, in a stable order."""
    files = {}
    with matplotlib.rc_context(_RC):
        for name, figure in figures.items():
            crop = _tight_box(figure)  # one layout pass for every format, not one per format
            for fmt in formats:
                metadata = {"Date": None} if fmt == "svg" else {"Software": None}
                buffer = io.BytesIO()
                figure.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata, bbox_inches=crop)
                files[f"{name}.{fmt}"] = buffer.getvalue()
    return files


def _tight_box(figure: Figure) -> Bbox:
    """What `bbox_inches="tight"` crops a PNG to (the artists' extent at `_DPI` as Agg lays out
    the text, padded by savefig.pad_inches), measured once and given to every format."""
    figure.set_dpi(_DPI)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw_without_rendering()
    pad = matplotlib.rcParams["savefig.pad_inches"]
    return figure.get_tightbbox(renderer).padded(pad, pad)


def _colours(names: list[str]) -> dict[str, tuple]:
    palette = colormaps["tab20"]
    return {name: palette(index % 20) for index, name in enumerate(names)}


def _service_edges(analysis: Analysis) -> Counter[tuple[str, str]]:
    return crossing_counts(analysis.imports, analysis.service_of, kernel=None)


def _service_graph(analysis: Analysis) -> Figure:
    services = analysis.proposal.services
    edges = _service_edges(analysis)
    graph = nx.DiGraph()
    graph.add_nodes_from(service.name for service in services)
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(edges.items()))
    cyclic = {(a, b) for component in nx.strongly_connected_components(graph) if len(component) > 1
              for a, b in graph.subgraph(component).edges}
    # A circle, largest service first and clockwise: every service and label has its own place
    # however many there are, and each edge is a chord that can be followed.
    count = len(services)
    positions = {service.name: (math.cos(math.pi / 2 - 2 * math.pi * index / count),
                                math.sin(math.pi / 2 - 2 * math.pi * index / count))
                 for index, service in enumerate(services)}
    side = 8 + 0.12 * count
    figure = Figure(figsize=(side + 2, side))
    axes = figure.subplots()
    axes.set_title("Proposed services (number of modules): area = lines of code, arrows = import "
                   "statements; red: in a cycle, faint: into the shared kernel")
    widest = max(edges.values(), default=1)
    kernel = {service.name for service in services if service.kind == KERNEL}
    for (a, b), weight in sorted(edges.items()):
        into_kernel = b in kernel
        axes.annotate("", xy=positions[b], xytext=positions[a], arrowprops={
            "arrowstyle": "-|>", "lw": 0.4 + 4 * weight / widest, "alpha": 0.15 if into_kernel else 0.5,
            "color": "#c0392b" if (a, b) in cyclic else ("#999999" if into_kernel else "#555555"),
            "shrinkA": 10, "shrinkB": 10, "connectionstyle": "arc3,rad=0.08"})
    largest = max(service.loc for service in services) or 1
    colours = _colours([service.name for service in services])
    for service in services:
        x, y = positions[service.name]
        axes.scatter([x], [y], s=120 + 2000 * service.loc / largest / max(1.0, count / 12),
                     color=colours[service.name], edgecolors="black", zorder=3,
                     linewidths=1.5 if service.kind == KERNEL else 0.5,
                     marker="s" if service.kind == KERNEL else "o")
        axes.text(1.16 * x, 1.16 * y, f"{service.name} ({len(service.modules)})", fontsize=8, zorder=4,
                  ha="left" if x > 0.01 else ("right" if x < -0.01 else "center"),
                  va="bottom" if y > 0.01 else ("top" if y < -0.01 else "center"))
    axes.set_xlim(-1.6, 1.6)
    axes.set_ylim(-1.35, 1.35)
    axes.set_aspect("equal")
    axes.set_axis_off()
    return figure


def _module_graph(analysis: Analysis) -> Figure:
    service_of = analysis.service_of
    services = analysis.proposal.services
    # Services on a grid, largest first; each service's modules packed in a sunflower whose
    # area grows with their number: even density, no overlap, at any size.
    columns = math.ceil(math.sqrt(len(services)))
    rows = math.ceil(len(services) / columns)
    largest = max(len(service.modules) for service in services)
    centres, positions = {}, {}
    for index, service in enumerate(services):
        cx, cy = index % columns, -(index // columns)
        centres[service.name] = (cx, cy)
        radius = 0.42 * math.sqrt(len(service.modules) / largest)
        for number, module in enumerate(service.modules):
            r = radius * math.sqrt((number + 0.5) / len(service.modules))
            angle = number * 2.39996
            positions[module] = (cx + r * math.cos(angle), cy + r * math.sin(angle))
    figure = Figure(figsize=(2.4 * columns + 1, 2.4 * rows + 1))
    axes = figure.subplots()
    axes.set_title(f"{len(service_of)} modules by proposed service; lines: imports between services "
                   f"(not into the shared kernel); the {_LABELLED_MODULES} most coupled modules named")
    kernel = {service.name for service in services if service.kind == KERNEL}
    segments = []
    for edge in analysis.imports:
        ends = {service_of[edge.importer], service_of[edge.imported]}
        if len(ends) == 2 and not ends & kernel:  # the kernel is a library: its imports are not drawn
            segments.append((positions[edge.importer], positions[edge.imported]))
    # one collection for every line: one artist to draw, whatever the number of imports
    axes.add_collection(LineCollection(segments, colors="#888888", linewidths=0.3, alpha=0.2, zorder=1))
    colours = _colours([service.name for service in services])
    size = max(2.0, 2500.0 / (len(service_of) * 0.6 + 200))
    for service in services:
        xs, ys = zip(*(positions[module] for module in service.modules))
        axes.scatter(xs, ys, s=size, color=colours[service.name], zorder=2, edgecolors="none")
        x, y = centres[service.name]
        axes.text(x, y + 0.45, f"{service.name} ({len(service.modules)})", ha="center", va="bottom",
                  fontsize=8, fontweight="bold", color="#222222", zorder=4)
    coupled = sorted(analysis.modules, key=lambda record: (-(record.fan_in + record.fan_out), record.module))
    for record in coupled[:_LABELLED_MODULES]:
        x, y = positions[record.module]
        axes.annotate(record.module.rsplit(".", 1)[-1], (x, y), fontsize=6, xytext=(3, 3),
                      textcoords="offset points", zorder=3, color="#333333")
    axes.set_aspect("equal")
    axes.set_axis_off()
    return figure


def _brittleness(analysis: Analysis) -> Figure:
    churn = {figures.module: figures.commits for figures in analysis.churn}
    records = {record.module: record for record in analysis.modules}
    xs = [records[entry.module].fan_in + records[entry.module].fan_out for entry in analysis.brittleness]
    ys = [churn.get(entry.module, 0) for entry in analysis.brittleness]
    scores = [entry.score for entry in analysis.brittleness]
    figure = Figure(figsize=(10, 7))
    axes = figure.subplots()
    points = axes.scatter(xs, ys, c=scores, cmap="viridis", s=18, alpha=0.8, vmin=0, vmax=1)
    figure.colorbar(points, ax=axes, label="brittleness")
    x_cut, y_cut = _quartile(xs), _quartile(ys)
    axes.axvline(x_cut, color="#999999", ls="--", lw=0.8)
    axes.axhline(y_cut, color="#999999", ls="--", lw=0.8)
    axes.text(0.99, 0.99, "hot and central", transform=axes.transAxes, ha="right", va="top", color="#c0392b")
    axes.text(0.01, 0.99, "hot", transform=axes.transAxes, ha="left", va="top", color="#555555")
    axes.text(0.99, 0.01, "central", transform=axes.transAxes, ha="right", va="bottom", color="#555555")
    for entry in analysis.brittleness[:10]:
        record = records[entry.module]
        axes.annotate(f"{entry.rank}. {entry.module}", (record.fan_in + record.fan_out, churn.get(entry.module, 0)),
                      fontsize=7, xytext=(4, 2), textcoords="offset points")
    axes.set_xlabel("coupling: modules it imports + modules importing it")
    axes.set_ylabel("churn: commits in the history window" if analysis.churn else "churn: no history")
    axes.set_title("Brittle modules: churn against coupling (dashed lines: top quarter)")
    return figure


def _quartile(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.75 * (len(ordered) - 1))] if ordered else 0.0


def _cochange_heatmap(analysis: Analysis) -> Figure:
    service_of = analysis.service_of
    names = [service.name for service in analysis.proposal.services]
    index = {name: position for position, name in enumerate(names)}
    matrix = [[0.0] * len(names) for _ in names]
    for pair in analysis.cochange:
        a, b = index[service_of[pair.a]], index[service_of[pair.b]]
        matrix[a][b] += pair.shared_commits
        if a != b:
            matrix[b][a] += pair.shared_commits
    figure = Figure(figsize=(1.5 + 0.45 * len(names), 1.2 + 0.45 * len(names)))
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="Oranges")
    figure.colorbar(image, ax=axes, label="shared commits of change-coupled module pairs")
    axes.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    axes.set_yticks(range(len(names)), names, fontsize=7)
    for row, values in enumerate(matrix):
        for column, value in enumerate(values):
            if value:
                axes.text(column, row, f"{value:g}", ha="center", va="center", fontsize=6)
    axes.set_title("Change coupling between services (off the diagonal: changes that cross a boundary)")
    return figure


def _plan_timeline(analysis: Analysis) -> Figure:
    steps = analysis.plan.steps
    figure = Figure(figsize=(11, 1.5 + 0.35 * len(steps)))
    axes = figure.subplots()
    colour = {LIBRARY: "#7f8c8d", SPLIT_DATA: "#8e44ad", SPLIT: "#d68910", SPLIT_MODULE: "#d68910", CUT: "#c0392b",
              EXTRACT: "#2e86c1"}
    by_sprint: defaultdict[int, float] = defaultdict(float)
    starts, widths = [], []
    for row, step in enumerate(steps):
        start = step.sprint - 1 + (0 if step.sprints > 1 else by_sprint[step.sprint] / analysis.plan.capacity)
        width = step.sprints if step.sprints > 1 else step.cost / analysis.plan.capacity
        by_sprint[step.sprint] += step.cost
        starts.append(start)
        widths.append(width)
        axes.text(start + width + 0.05, row, f"{step.order}. {step.kind} {step.service} ({step.cost})",
                  va="center", fontsize=7)
    axes.barh(range(len(steps)), widths, left=starts, color=[colour[step.kind] for step in steps], alpha=0.85)
    axes.set_yticks([])
    axes.invert_yaxis()
    sprints = max(step.sprint + step.sprints - 1 for step in steps)
    axes.set_xlim(0, sprints + 3)
    every = _tick_step(sprints)  # a label per sprint would overlap past a few dozen
    axes.set_xticks([value + 0.5 for value in range(0, sprints, every)],
                    [str(value + 1) for value in range(0, sprints, every)])
    axes.set_xlabel(f"sprint ({analysis.plan.capacity} change points each)")
    data_steps = {step.kind for step in steps} & {SPLIT_DATA, SPLIT_MODULE}
    axes.set_title("Extraction plan: grey publish the kernel, red break a cycle, blue extract"
                   + ("; purple give shared tables owners, orange split a models module" if data_steps else ""))
    # Sprint boundaries as one collection (an artist each took most of the drawing at 700 sprints).
    axes.vlines(range(sprints + 1), 0, 1, transform=axes.get_xaxis_transform(), colors="#dddddd", lw=0.6, zorder=0)
    return figure


def _tick_step(count: int, most: int = 40) -> int:
    """Every how many of `count` ticks to label so that at most about `most` labels show: 1, 2, 5, 10, 20, 50..."""
    step = 1
    while count / step > most:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


_DRAWERS = {"services": _service_graph, "modules": _module_graph, "brittleness": _brittleness,
            "cochange": _cochange_heatmap, "plan": _plan_timeline, "data": data_figure}
