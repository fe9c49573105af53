"""The module graph for Gephi, yEd and Graphviz: GraphML and DOT, service and brittleness on nodes."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from decomposer.model import Analysis

__all__ = ["module_graph", "write_graph_files"]


def module_graph(analysis: Analysis) -> nx.DiGraph:
    """The import graph with each module's figures as node attributes (no None values)."""
    service_of = ({module: service.name for service in analysis.proposal.services for module in service.modules}
                  if analysis.proposal else {})
    brittle = {entry.module: entry for entry in analysis.brittleness}
    churn = {figures.module: figures for figures in analysis.churn}
    graph = nx.DiGraph()
    for record in analysis.modules:
        entry, figures = brittle.get(record.module), churn.get(record.module)
        graph.add_node(record.module, path=record.path, package=record.package,
                       service=service_of.get(record.module, ""), loc=record.loc,
                       fan_in=record.fan_in, fan_out=record.fan_out,
                       commits=figures.commits if figures else 0,
                       brittleness=entry.score if entry else 0.0,
                       brittleness_rank=entry.rank if entry else 0,
                       hotspot=entry.hotspot if entry else "")
    for edge in analysis.imports:
        graph.add_edge(edge.importer, edge.imported, weight=edge.count,
                       lines=",".join(str(line) for line in edge.lines))
    return graph


def write_graph_files(analysis: Analysis, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write `modules.graphml` and/or `modules.dot`; return the paths written."""
    graph = module_graph(analysis)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if "graphml" in formats:
        path = out_dir / "modules.graphml"
        nx.write_graphml(graph, path)
        written.append(path)
    if "dot" in formats:
        path = out_dir / "modules.dot"
        path.write_text(_dot(graph), encoding="utf-8")
        written.append(path)
    return written


def _dot(graph: nx.DiGraph) -> str:
    """DOT text, written by hand (networkx needs pydot or pygraphviz for it)."""
    lines = ["digraph modules {", "  graph [rankdir=LR];", "  node [shape=box, style=filled];"]
    services = sorted({data["service"] for _, data in graph.nodes(data=True)})
    for index, service in enumerate(services):
        members = [node for node, data in graph.nodes(data=True) if data["service"] == service]
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_quote(service or 'unassigned')};")
        for node in members:
            attributes = ", ".join(f"{key}={_quote(value)}" for key, value in sorted(graph.nodes[node].items()))
            lines.append(f"    {_quote(node)} [{attributes}];")
        lines.append("  }")
    for importer, imported, data in graph.edges(data=True):
        lines.append(f"  {_quote(importer)} -> {_quote(imported)} [weight={data['weight']}, "
                     f"label={_quote(data['weight'])}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quote(value: object) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
