"""No giants, no toys, shims with what they re-export: small literal cases."""

from __future__ import annotations

import networkx as nx

from decomposer.model import Detection, ImportEdge, SourceModule
from decomposer.sources.traits import read_traits
from decomposer.stages.sizing import fit_count, follow_shims, merge_toys, split_giants


def _graph(*edges: tuple[str, str, float]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_weighted_edges_from(edges)
    return graph


def test_a_shim_follows_what_it_reexports():
    services = (frozenset({"a.one", "a.two", "a.compat"}), frozenset({"b.one", "b.two"}))
    imports = (ImportEdge("a.compat", "b.one", (1, 2)), ImportEdge("a.compat", "a.one", (3,)))
    assert follow_shims(services, frozenset({"a.compat"}), imports) == (  # sorted by smallest module
        frozenset({"a.compat", "b.one", "b.two"}), frozenset({"a.one", "a.two"}))


def test_a_shim_of_outside_code_stays():
    services = (frozenset({"a.one", "a.compat"}), frozenset({"b.one"}))
    assert follow_shims(services, frozenset({"a.compat"}), ()) == services


def test_a_toy_merges_into_the_service_it_is_most_coupled_with():
    graph = _graph(("a1", "a2", 5.0), ("b1", "b2", 5.0), ("toy", "a1", 1.0), ("toy", "b1", 3.0))
    loc = {"a1": 500, "a2": 500, "b1": 400, "b2": 400, "toy": 7}
    services = (frozenset({"a1", "a2"}), frozenset({"b1", "b2"}), frozenset({"toy"}))
    assert merge_toys(graph, services, loc, 0.005) == (frozenset({"a1", "a2"}), frozenset({"b1", "b2", "toy"}))
    assert merge_toys(graph, services, loc, 0.001) == services  # 7 lines are 0.5% of 1807, over 0.1%


def test_a_giant_is_cut_where_its_runs_agree_least():
    clique = [("a1", "a2"), ("a1", "a3"), ("a2", "a3"), ("b1", "b2"), ("b1", "b3"), ("b2", "b3")]
    graph = _graph(*[(x, y, 1.0) for x, y in clique], ("a1", "b1", 1.0), ("c1", "c2", 1.0), ("c2", "a2", 0.1))
    giant, small = frozenset({"a1", "a2", "a3", "b1", "b2", "b3"}), frozenset({"c1", "c2"})
    apart = (frozenset({"a1", "a2", "a3"}), frozenset({"b1", "b2", "b3"}), small)
    runs = (apart, apart, (giant, small), (giant, small), (giant, small))  # together in 60% of the runs
    loc = {module: 100 for module in giant} | {"c1": 10, "c2": 10}
    assert split_giants(graph, (giant, small), loc, Detection(), runs) == (
        frozenset({"a1", "a2", "a3"}), frozenset({"b1", "b2", "b3"}), small)
    # Never apart in any run: too tightly coupled to split, it stays whole.
    together = ((giant, small),) * 5
    assert split_giants(graph, (giant, small), loc, Detection(), together) == (giant, small)


def test_a_reexport_module_is_read_as_a_shim(make_repo):
    repo = make_repo({"app/compat.py": '"""Old names."""\nfrom app.new import *  # noqa\n__all__ = ["pay"]\n',
                      "app/new.py": "from app import compat\n\n\ndef pay():\n    return 1\n"})
    modules = (SourceModule("app.compat", "app/compat.py", 2, False), SourceModule("app.new", "app/new.py", 3, False))
    assert [trait.reexport for trait in read_traits(repo, modules)] == [True, False]


def test_a_service_count_is_met_by_merging_the_smallest_or_cutting_the_largest():
    graph = _graph(("a1", "a2", 5), ("a2", "a3", 5), ("b1", "b2", 5), ("a3", "b1", 1), ("c1", "c2", 5), ("b2", "c1", 2))
    services = (frozenset({"a1", "a2", "a3"}), frozenset({"b1", "b2"}), frozenset({"c1", "c2"}))
    loc = {"a1": 10, "a2": 10, "a3": 10, "b1": 5, "b2": 5, "c1": 4, "c2": 4}
    # c (8 lines) is the smallest: it merges into b, the service it is most coupled with
    assert fit_count(graph, services, loc, 2, (), 1) == (frozenset({"a1", "a2", "a3"}),
                                                         frozenset({"b1", "b2", "c1", "c2"}))
    # a is the largest: half of the runs hold a1 apart from a2 and a3, so that is where it is cut
    runs = ((frozenset({"a1"}), frozenset({"a2", "a3"})), (frozenset({"a1", "a2", "a3"}),))
    assert fit_count(graph, services, loc, 4, runs, 1) == (
        frozenset({"a1"}), frozenset({"a2", "a3"}), frozenset({"b1", "b2"}), frozenset({"c1", "c2"}))
    # runs that never separate anything: three services, not four
    assert fit_count(graph, services, loc, 4, ((frozenset(loc),),), 1) == services
