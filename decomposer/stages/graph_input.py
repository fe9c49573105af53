"""A dependency graph read from a file -> the records the Python path builds from its scan.

Each node plays the part of a module and each edge the part of an import: an edge of weight w
counts as w import statements, all at line 0 (a graph file names no line). Self-edges are kept
for the literature metrics but carry no import. A node's group in the current layout is the
one the file gives, else its folder (`src/cart/api.ts` -> `src/cart`), else its dotted parent
(`com.acme.cart.Cart` -> `com.acme.cart`), else the node itself.
"""

from __future__ import annotations

from decomposer.model import CodeScan, DependencyGraph, ImportEdge, SourceModule

__all__ = ["graph_groups", "graph_scan", "group_of_node"]


def graph_scan(graph: DependencyGraph) -> CodeScan:
    """The graph as a code scan: its nodes as modules, its edges between two nodes as imports."""
    modules = tuple(SourceModule(module=node.node, path=node.path, loc=node.lines, is_package=False)
                    for node in graph.nodes)
    imports = tuple(ImportEdge(edge.source, edge.target, (0,) * edge.weight)
                    for edge in graph.edges if edge.source != edge.target)
    return CodeScan(modules=modules, imports=imports, warnings=())


def graph_groups(graph: DependencyGraph) -> dict[str, str]:
    """Every node's group in the current layout (see the module docstring)."""
    return {node.node: node.group or group_of_node(node.node) for node in graph.nodes}


def group_of_node(node: str) -> str:
    """The group a node without one belongs to: its folder, else its dotted parent, else itself.

    >>> group_of_node("src/cart/api.ts"), group_of_node("com.acme.Cart"), group_of_node("Cart")
    ('src/cart', 'com.acme', 'Cart')
    """
    if "/" in node.strip("/"):
        return node.strip("/").rsplit("/", 1)[0]
    if "." in node.strip("."):
        return node.strip(".").rsplit(".", 1)[0]
    return node
