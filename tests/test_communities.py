"""Community detection: invariants on seeded random graphs, and small literal cases."""

from __future__ import annotations

import networkx as nx
import pytest

from conftest import outputs_under_hash_seeds

from decomposer.errors import InvalidConfig
from decomposer.model import Detection
from decomposer.stages.communities import detect_services, search_resolution
from decomposer.stages.consensus import consensus_services
from decomposer.stages.services import name_services
from decomposer.stages.stability import adjusted_rand_index


def _named(graph: nx.Graph, prefix: str = "pkg") -> nx.Graph:
    """Relabel integer nodes as module names and give every edge a weight."""
    named = nx.relabel_nodes(graph, {node: f"{prefix}.m{node:03d}" for node in graph})
    nx.set_edge_attributes(named, 1.0, "weight")
    return named


def _random_graphs():
    for seed in range(6):
        planted = nx.planted_partition_graph(4, 12, 0.5, 0.03, seed=seed)
        if nx.is_connected(planted):
            yield seed, _named(planted)
    for seed in range(3):
        yield 100 + seed, _named(nx.connected_watts_strogatz_graph(60, 4, 0.2, seed=seed))


@pytest.mark.parametrize("algorithm", ["louvain", "greedy", "label-propagation"])
def test_services_partition_the_modules_and_are_connected(algorithm):
    for seed, graph in _random_graphs():
        services = detect_services(graph, Detection(algorithm=algorithm, seed=seed))
        members = [module for service in services for module in service]
        assert sorted(members) == sorted(graph), seed
        assert all(nx.is_connected(graph.subgraph(service)) for service in services), seed
        assert all(len(service) >= 3 for service in services), seed


def test_same_seed_same_partition_other_seed_may_differ():
    graph = _named(nx.connected_watts_strogatz_graph(80, 4, 0.3, seed=1))
    first = detect_services(graph, Detection(seed=7))
    assert detect_services(graph, Detection(seed=7)) == first
    assert any(detect_services(graph, Detection(seed=seed)) != first for seed in range(8, 20))


def test_result_does_not_depend_on_string_hashing():
    code = (
        "import networkx as nx\n"
        "from decomposer.model import Detection\n"
        "from decomposer.stages.communities import detect_services\n"
        "g = nx.relabel_nodes(nx.connected_watts_strogatz_graph(80, 4, 0.3, seed=1), lambda n: f'm{n}')\n"
        "nx.set_edge_attributes(g, 1.0, 'weight')\n"
        "print(sorted(sorted(s) for s in detect_services(g, Detection(seed=3))))\n"
    )
    assert len(outputs_under_hash_seeds(code)) == 1


def test_planted_communities_are_recovered():
    graph = _named(nx.planted_partition_graph(4, 10, 0.8, 0.02, seed=3))
    truth = {f"pkg.m{node:03d}": str(node // 10) for node in range(40)}
    services = detect_services(graph, Detection())
    found = {module: str(index) for index, service in enumerate(services) for module in service}
    assert adjusted_rand_index(truth, found) == 1.0


def test_small_groups_merge_into_their_most_coupled_neighbour():
    # Two cliques of four, and a pair hanging off the first clique.
    graph = nx.Graph()
    for group in (["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]):
        graph.add_edges_from((x, y, {"weight": 5.0}) for i, x in enumerate(group) for y in group[i + 1:])
    graph.add_edge("c1", "c2", weight=5.0)
    graph.add_edge("c1", "a1", weight=1.0)
    graph.add_edge("a4", "b1", weight=0.5)
    services = detect_services(graph, Detection(min_service_size=3))
    assert services == (
        frozenset({"a1", "a2", "a3", "a4", "c1", "c2"}),
        frozenset({"b1", "b2", "b3", "b4"}),
    )
    assert len(detect_services(graph, Detection(min_service_size=1))) == 3


def test_uncoupled_modules_join_their_package():
    graph = nx.Graph()
    graph.add_edges_from([("app.x.a", "app.x.b", {"weight": 1.0}), ("app.x.b", "app.x.c", {"weight": 1.0}),
                          ("app.y.a", "app.y.b", {"weight": 1.0}), ("app.y.b", "app.y.c", {"weight": 1.0})])
    graph.add_nodes_from(["app.x", "app.y", "app.y.constants"])
    services = detect_services(graph, Detection())
    assert services == (
        frozenset({"app.x", "app.x.a", "app.x.b", "app.x.c"}),
        frozenset({"app.y", "app.y.a", "app.y.b", "app.y.c", "app.y.constants"}),
    )


def test_an_uncoupled_module_follows_the_uncoupled_modules_placed_before_it():
    # app.w.p has no placed sibling (nothing under app.w is coupled) and stands alone; app.w.q then
    # finds app.w.p, placed just before it, and joins it; app.z finds app's modules (x: three, w: two,
    # y: two) and goes to x. The same in a run and in a consensus.
    graph = nx.Graph()
    graph.add_edges_from([("app.x.a", "app.x.b", {"weight": 2.0}), ("app.x.b", "app.x.c", {"weight": 2.0}),
                          ("app.y.a", "app.y.b", {"weight": 2.0}), ("app.x.c", "app.y.a", {"weight": 0.1})])
    graph.add_nodes_from(["app.w.p", "app.w.q", "app.z"])
    detection = Detection(min_service_size=1, consensus_runs=20)
    expected = (frozenset({"app.w.p", "app.w.q"}), frozenset({"app.x.a", "app.x.b", "app.x.c", "app.z"}),
                frozenset({"app.y.a", "app.y.b"}))
    assert detect_services(graph, detection) == expected
    assert consensus_services(graph, detection, 1.0, 1).services == expected


def test_package_granularity_keeps_sub_packages_whole():
    graph = nx.Graph()
    # app.z.c is more coupled to app.x than to its own package: it lives in the wrong one.
    edges = [("app.x.a", "app.x.b", 3.0), ("app.x.b", "app.y.a", 1.0), ("app.y.a", "app.y.b", 3.0),
             ("app.z.a", "app.z.b", 3.0), ("app.z.b", "app.z.c", 1.0), ("app.z.c", "app.x.a", 2.0)]
    graph.add_weighted_edges_from(edges)
    by_module = detect_services(graph, Detection(min_service_size=1))
    by_package = detect_services(graph, Detection(granularity="package", min_service_size=1))
    assert by_package == (
        frozenset({"app.x.a", "app.x.b", "app.z.c"}),
        frozenset({"app.y.a", "app.y.b"}),
        frozenset({"app.z.a", "app.z.b"}),
    )
    assert by_module == by_package


def test_pins_together_and_apart():
    graph = nx.Graph()
    for group in (["a1", "a2", "a3"], ["b1", "b2", "b3"]):
        graph.add_edges_from((x, y, {"weight": 5.0}) for i, x in enumerate(group) for y in group[i + 1:])
    graph.add_edge("a3", "b1", weight=0.1)
    together = detect_services(graph, Detection(together=(("a1", "b2"),), min_service_size=1))
    assert any({"a1", "b2"} <= service for service in together)
    apart = detect_services(graph, Detection(apart=(("a1", "a2"),), min_service_size=1))
    assert not any({"a1", "a2"} <= service for service in apart)
    assert sorted(module for service in apart for module in service) == sorted(graph)


def test_resolution_search_reaches_the_target():
    graph = _named(nx.planted_partition_graph(6, 10, 0.7, 0.05, seed=5))
    for target in (3, 6):
        resolution = search_resolution(graph, Detection(), target)
        assert len(detect_services(graph, Detection(), resolution=resolution)) == target


def test_unknown_algorithm_and_missing_leiden():
    graph = _named(nx.path_graph(6))
    with pytest.raises(InvalidConfig, match="unknown algorithm 'magic'"):
        detect_services(graph, Detection(algorithm="magic"))
    try:
        import leidenalg  # noqa: F401
    except ImportError:
        with pytest.raises(InvalidConfig, match=r"pip install 'decomposer\[leiden\]'"):
            detect_services(graph, Detection(algorithm="leiden"))
    else:
        assert sorted(m for s in detect_services(graph, Detection(algorithm="leiden")) for m in s) == sorted(graph)


def test_names_follow_the_dominant_package_and_stay_unique():
    package_of = {"shop.orders.a": "shop.orders", "shop.orders.b": "shop.orders",
                  "shop.orders.api": "shop.orders", "shop.orders.api.x": "shop.orders",
                  "shop.orders.api.y": "shop.orders", "shop.core.db": "shop.core", "shop.pay.z": "shop.pay"}
    groups = (frozenset({"shop.orders.a", "shop.orders.b", "shop.pay.z"}),
              frozenset({"shop.orders.api", "shop.orders.api.x", "shop.orders.api.y"}))
    services = name_services(groups, frozenset({"shop.core.db"}), package_of, {})
    # Both are mostly shop.orders; the one holding more of it keeps the name "orders", and the
    # other has no deeper sub-package, and too little of shop.pay to be named after it.
    assert [(service.name, service.kind, service.modules) for service in services] == [
        ("orders-2", "service", ("shop.orders.a", "shop.orders.b", "shop.pay.z")),
        ("orders", "service", ("shop.orders.api", "shop.orders.api.x", "shop.orders.api.y")),
        ("shared", "shared", ("shop.core.db",)),
    ]
    deeper = name_services(
        (frozenset({"shop.orders.a", "shop.orders.b", "shop.orders.c", "shop.orders.d"}),) + groups[1:],
        frozenset(), package_of | {"shop.orders.c": "shop.orders", "shop.orders.d": "shop.orders"}, {})
    assert [service.name for service in deeper] == ["orders", "orders.api"]
    assert services[0].packages == (("shop.orders", 2), ("shop.pay", 1))


def test_louvain_needs_no_matplotlib_and_gives_the_same_services_in_any_process():
    # igraph's drawing module imports matplotlib.pyplot when it can (0.4-1.7 s): detection hides it,
    # and a seed gives the same services whatever the process (igraph draws from random.Random(seed)).
    script = (
        "import sys, networkx as nx\n"
        "from decomposer.model import Detection\n"
        "from decomposer.stages.communities import detect_services\n"
        "g = nx.relabel_nodes(nx.ring_of_cliques(6, 4), lambda n: f'app.m{n:02d}')\n"
        "nx.set_edge_attributes(g, 1.0, 'weight')\n"
        "print(sorted(sorted(s) for s in detect_services(g, Detection(seed=3))))\n"
        "print('matplotlib' in sys.modules, 'igraph' in sys.modules)\n"
    )
    import subprocess
    import sys
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1]
    services, imported = runs[0].splitlines()
    assert imported == "False True"
    assert services == str([[f"app.m{n:02d}" for n in range(start, start + 4)] for start in range(0, 24, 4)])


def test_louvain_after_matplotlib_was_loaded_still_leaves_pyplot_out():
    # The CLI loads matplotlib while git runs (for the figure workers): igraph must not pull pyplot in.
    script = (
        "import sys, matplotlib, networkx as nx\n"
        "from decomposer.model import Detection\n"
        "from decomposer.stages.communities import detect_services\n"
        "g = nx.relabel_nodes(nx.ring_of_cliques(3, 4), lambda n: f'app.m{n:02d}')\n"
        "nx.set_edge_attributes(g, 1.0, 'weight')\n"
        "print(len(detect_services(g, Detection(seed=3))), 'matplotlib.pyplot' in sys.modules)\n"
        "import matplotlib.pyplot\n"
        "print('pyplot importable afterwards')\n"
    )
    import subprocess
    import sys
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout == (
        "3 False\npyplot importable afterwards\n")
