"""The data figure: tables grouped by owning service, with the relations between them.

Services sit on a grid, largest first; each service's tables are packed around its place.
A relation (foreign key, one-to-one, many-to-many, inheritance) inside a service is a faint grey
line; one that crosses services is red: a foreign key to turn into an ID, a join table to move.
"""

from __future__ import annotations

import math

from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from decomposer.model import RELATION_KINDS, Analysis

__all__ = ["data_figure"]

_LABELLED = 60  # tables named at most, the most related first ...
_PER_SERVICE = 8  # ... and at most this many in one service


def data_figure(analysis: Analysis) -> Figure:
    """Tables by owning service, relations drawn; only tables the analysed code defines."""
    tables = [table for table in analysis.tables if table.service and table.kind != "abstract"]
    owners = sorted({table.service for table in tables},
                    key=lambda name: (-sum(table.service == name for table in tables), name))
    columns = max(1, math.ceil(math.sqrt(len(owners))))
    rows = max(1, math.ceil(len(owners) / columns))
    positions, centres = {}, {}
    largest = max((sum(table.service == owner for table in tables) for owner in owners), default=1)
    for index, owner in enumerate(owners):
        cx, cy = index % columns, -(index // columns)
        centres[owner] = (cx, cy)
        held = [table.model for table in tables if table.service == owner]
        radius = 0.4 * math.sqrt(len(held) / largest)  # area grows with the number of tables
        for number, model in enumerate(held):
            r = 0.0 if len(held) == 1 else radius * math.sqrt((number + 0.5) / len(held))
            positions[model] = (cx + r * math.cos(number * 2.39996), cy + r * math.sin(number * 2.39996))
    figure = Figure(figsize=(2.6 * columns + 1, 2.6 * rows + 1))
    axes = figure.subplots()
    axes.set_title("Tables by owning service; grey: relations inside a service, red: relations that cross "
                   "services (foreign keys to turn into IDs)")
    relations = [link for link in analysis.data_links if link.kind in RELATION_KINDS
                 and link.source in positions and link.target in positions and link.source != link.target]
    for crossing, colour, alpha in ((False, "#999999", 0.35), (True, "#c0392b", 0.6)):
        segments = [(positions[link.source], positions[link.target]) for link in relations
                    if link.crossing == crossing]
        axes.add_collection(LineCollection(segments, colors=colour, linewidths=0.7, alpha=alpha, zorder=1))
    axes.scatter([x for x, _ in positions.values()], [y for _, y in positions.values()], s=14,
                 color="#2e86c1", zorder=2, edgecolors="none")
    degree = {model: 0 for model in positions}
    for link in relations:
        degree[link.source] += 1
        degree[link.target] += 1
    # In a crowded service only its most related tables are named: labels must stay readable.
    owner_of = {table.model: table.service for table in tables}
    named = set()
    for owner in owners:
        held = sorted((model for model in positions if owner_of[model] == owner),
                      key=lambda model: (-degree[model], model))
        named |= set(held[:_PER_SERVICE])
    named = set(sorted(named, key=lambda model: (-degree[model], model))[:_LABELLED])
    for model in sorted(named):
        axes.annotate(model.rsplit(".", 1)[-1], positions[model], fontsize=6, xytext=(2, 2),
                      textcoords="offset points", zorder=3, color="#333333")
    for owner, (x, y) in centres.items():
        axes.text(x, y + 0.42, owner, ha="center", va="bottom", fontsize=8, fontweight="bold", zorder=4)
    axes.set_xlim(-0.6, columns - 0.4)
    axes.set_ylim(-rows + 0.4, 0.7)
    axes.set_aspect("equal")
    axes.set_axis_off()
    return figure
