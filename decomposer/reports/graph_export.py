"""The module graph for Gephi, yEd and Graphviz: GraphML and DOT, service and brittleness on nodes."""

from __future__ import annotations

import io

import networkx as nx

from decomposer.model import Analysis

__all__ = ["graph_files", "module_graph"]


def module_graph(analysis: Analysis) -> nx.DiGraph:
    """The import graph with each module's figures as node attributes (no None values)."""
    service_of = analysis.service_of
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


def graph_files(analysis: Analysis, formats: tuple[str, ...]) -> dict[str, bytes]:
    """`modules.graphml` and/or `modules.dot`, by file name."""
    graph = module_graph(analysis)
    files = {}
    if "graphml" in formats:
        buffer = io.BytesIO()
        nx.write_graphml(graph, buffer)
        files["modules.graphml"] = buffer.getvalue()
    if "dot" in formats:
        files["modules.dot"] = _dot(graph).encode("utf-8")
    return files


def _dot(graph: nx.DiGraph) -> str:
    """DOT text, written by hand (networkx needs pydot or pygraphviz for it)."""
    lines = ["digraph modules {", "  graph [rankdir=LR, newrank=true];", "  node [shape=box, style=filled];"]
    members: dict[str, list[str]] = {}  # service -> its modules, in the graph's order
    for node, data in graph.nodes(data=True):
        members.setdefault(data["service"], []).append(node)
    for index, service in enumerate(sorted(members)):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_quote(service or 'unassigned')};")
        for node in members[service]:
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
