"""A dependency graph read from a file -> the records the Python path builds from its scan.

Each node plays the part of a module and each edge the part of an import: an edge of weight w
counts as round(ln w + 1) import statements, all at line 0 (a graph file names no line). The
damping is Mono2Micro's (its ICP weighs a call pair so): weights in graph files are often
runtime call counts, and a pair called 1,000 times is not 1,000 times as coupled as a pair
called once; on the four Mono2Micro apps it lifts decomposer's wins over the published methods
from 52% to 59% of the comparisons (docs/literature-benchmark.md). Self-edges are kept for the
literature metrics but carry no import. A node's group in the current layout is the
one the file gives, else its folder (`src/cart/api.ts` -> `src/cart`), else its dotted parent
(`com.acme.cart.Cart` -> `com.acme.cart`), else the node itself.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from decomposer.model import CoChange, CodeScan, DependencyGraph, ImportEdge, SourceModule

__all__ = ["graph_groups", "graph_scan", "group_of_node", "statements_of_weight", "use_case_links"]


def graph_scan(graph: DependencyGraph) -> CodeScan:
    """The graph as a code scan: its nodes as modules, its edges between two nodes as imports."""
    modules = tuple(SourceModule(module=node.node, path=node.path, loc=node.lines, is_package=False)
                    for node in graph.nodes)
    imports = tuple(ImportEdge(edge.source, edge.target, (0,) * statements_of_weight(edge.weight))
                    for edge in graph.edges if edge.source != edge.target)
    return CodeScan(modules=modules, imports=imports, warnings=())


def statements_of_weight(weight: int) -> int:
    """The import statements an edge of `weight` counts as: round(ln w + 1), at least 1.

    >>> [statements_of_weight(weight) for weight in (1, 2, 3, 10, 100, 1000)]
    [1, 2, 2, 3, 6, 8]
    """
    return max(1, round(math.log(weight) + 1))


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


def use_case_links(graph: DependencyGraph, min_degree: float) -> tuple[CoChange, ...]:
    """Couple each node that no edge reaches to the nodes that serve the same use cases.

    The file says nothing else about such a node (a servlet only the container calls, say), so
    it goes where its use cases run, as a module that changes with others goes with them. The
    degree is the share of its use cases the other node serves too, in percent; pairs under
    `min_degree` are left out. Nodes with edges keep their edges alone: use cases added to
    every pair blur the call structure (measured on the Mono2Micro apps, benchmarks/literature.py).
    """
    linked = {edge.source for edge in graph.edges if edge.source != edge.target} | {
        edge.target for edge in graph.edges if edge.source != edge.target}
    serving: defaultdict[str, set[str]] = defaultdict(set)
    for node in graph.nodes:
        for case in node.use_cases:
            serving[case].add(node.node)
    pairs = {}
    for node in graph.nodes:
        if node.node in linked or not node.use_cases:
            continue
        shared = Counter(other for case in node.use_cases for other in serving[case] if other != node.node)
        for other, together in shared.items():
            degree = round(100 * together / len(node.use_cases), 2)
            key = (min(node.node, other), max(node.node, other))
            if degree >= min_degree and degree > pairs.get(key, (0, 0.0))[1]:
                pairs[key] = (together, degree)
    return tuple(sorted((CoChange(a, b, together, degree) for (a, b), (together, degree) in pairs.items()),
                        key=lambda pair: (-pair.degree, -pair.shared_commits, pair.a, pair.b)))
