"""The shared-kernel rule, one condition at a time."""

from __future__ import annotations

import networkx as nx

from decomposer.model import KernelRule
from decomposer.stages.kernel import find_shared_kernel


def _graph(*edges: tuple[str, str]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_edges_from(edges)
    return graph


PACKAGES = {name: name.split(".")[0] for name in (
    "a.x", "b.y", "c.z", "d.w", "k.util", "k.busy", "k.helpers", "k", "p.core", "p.one", "p.two",
    "p.three", "p.four",
)}


def test_imported_from_three_packages_and_importing_little():
    graph = _graph(("a.x", "k.util"), ("b.y", "k.util"), ("c.z", "k.util"))
    assert find_shared_kernel(graph, PACKAGES, KernelRule()) == {"k.util"}


def test_two_packages_are_not_enough():
    graph = _graph(("a.x", "k.util"), ("b.y", "k.util"))
    assert find_shared_kernel(graph, PACKAGES, KernelRule()) == frozenset()
    assert find_shared_kernel(graph, PACKAGES, KernelRule(min_packages=2)) == {"k.util"}


def test_a_module_that_imports_much_is_not_shared():
    # fan-in 3, fan-out 2: instability 0.4
    graph = _graph(("a.x", "k.busy"), ("b.y", "k.busy"), ("c.z", "k.busy"),
                   ("k.busy", "d.w"), ("k.busy", "k.helpers"))
    assert "k.busy" not in find_shared_kernel(graph, PACKAGES, KernelRule())
    # Allowed to import more, it still imports modules outside the kernel: not a library.
    assert "k.busy" not in find_shared_kernel(graph, PACKAGES, KernelRule(max_instability=0.4))


def test_a_kernel_module_imports_only_kernel_modules():
    # Both are imported from three packages with instability 1/4; only one imports within the kernel.
    graph = _graph(("a.x", "k.util"), ("b.y", "k.util"), ("c.z", "k.util"),
                   ("a.x", "k.helpers"), ("b.y", "k.helpers"), ("c.z", "k.helpers"), ("k.helpers", "k.util"),
                   ("a.x", "k.busy"), ("b.y", "k.busy"), ("c.z", "k.busy"), ("k.busy", "d.w"))
    assert find_shared_kernel(graph, PACKAGES, KernelRule()) == {"k.util", "k.helpers"}


def test_the_private_core_of_a_package_is_not_shared():
    # Imported from three other packages, but mostly from its own: 3 of 7 importers outside.
    graph = _graph(("a.x", "p.core"), ("b.y", "p.core"), ("c.z", "p.core"), ("p.one", "p.core"),
                   ("p.two", "p.core"), ("p.three", "p.core"), ("p.four", "p.core"))
    assert find_shared_kernel(graph, PACKAGES, KernelRule()) == frozenset()
    assert find_shared_kernel(graph, PACKAGES, KernelRule(min_outside_share=0.4)) == {"p.core"}


def test_a_lone_package_module_follows_its_kernel_modules():
    graph = _graph(("a.x", "k.util"), ("b.y", "k.util"), ("c.z", "k.util"))
    graph.add_node("k")  # k/__init__.py: imports nothing, imported by nobody
    assert find_shared_kernel(graph, PACKAGES, KernelRule()) == {"k", "k.util"}
