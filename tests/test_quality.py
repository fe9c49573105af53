"""Quality figures on a tiny literal partition, each worked out by hand (docs/metrics.md)."""

from __future__ import annotations

import pytest

from decomposer.model import CoChange, ImportEdge, QualityFigures
from decomposer.stages.coupling import build_coupling_graph
from decomposer.stages.quality import partition_quality

MODULES = ("a1", "a2", "b1", "b2")
IMPORTS = (
    ImportEdge("a1", "a2", (1,)),
    ImportEdge("a1", "b1", (2,)),
    ImportEdge("b1", "b2", (1, 5)),
)
COCHANGE = (CoChange("a1", "a2", 6, 50.0), CoChange("a2", "b2", 5, 30.0))
GROUPS = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}


def test_coupling_graph_mixes_both_kinds_by_their_means():
    graph = build_coupling_graph(MODULES, IMPORTS, COCHANGE)
    # structural mean 4/3, co-change mean 0.4
    edges = sorted(graph.edges(data="weight"))
    assert [(a, b) for a, b, _ in edges] == [("a1", "a2"), ("a1", "b1"), ("a2", "b2"), ("b1", "b2")]
    assert [weight for _, _, weight in edges] == pytest.approx([0.75 + 1.25, 0.75, 0.75, 1.5])
    structure_only = build_coupling_graph(MODULES, IMPORTS, COCHANGE, cochange_weight=0.0)
    assert structure_only.number_of_edges() == 3


def test_every_figure_by_hand():
    figures = partition_quality(GROUPS, IMPORTS, build_coupling_graph(MODULES, IMPORTS, COCHANGE), COCHANGE,
                                ned_bounds=(5, 20))
    assert figures == QualityFigures(
        groups=2,
        # m = 5; each group: L/m - (d / 2m)^2 = 0.4 - 0.3025 and 0.3 - 0.2025
        modularity=0.195,
        # cohesion (1/4 + 1/4) / 2 = 0.25; coupling 1 / (2 * 2 * 2) = 0.125 over one pair
        sm=0.125,
        # weights ln(count) + 1: 1, 1 (crossing), 1 + ln 2; 1 / (3 + ln 2)
        icp=0.2708,
        # one module (b1) is imported from another group; two groups
        ifn=0.5,
        # no group has 5 to 20 modules
        ned=1.0,
        # 50 of 80 degree points inside a group
        cochange_cohesion=0.625,
        largest_share=0.5,
    )


def test_ned_bounds_and_missing_history():
    graph = build_coupling_graph(MODULES, IMPORTS, ())
    figures = partition_quality(GROUPS, IMPORTS, graph, None, ned_bounds=(2, 20))
    assert (figures.ned, figures.cochange_cohesion) == (0.0, None)


def test_one_group_has_no_coupling_term():
    figures = partition_quality(dict.fromkeys(MODULES, "all"), IMPORTS, build_coupling_graph(MODULES, IMPORTS, ()), None,
                                ned_bounds=(5, 20))
    assert (figures.groups, figures.sm, figures.icp, figures.ifn, figures.largest_share) == (1, 0.1875, 0.0, 0.0, 1.0)
    assert figures.modularity == pytest.approx(0.0)


def test_modularity_is_networkx_formula_summed_in_a_fixed_order_and_never_minus_zero():
    import math

    import networkx as nx

    from decomposer.stages.quality import _modularity
    graph = nx.Graph()
    graph.add_weighted_edges_from([("a.x", "a.y", 2.0), ("a.y", "b.z", 1.0), ("b.z", "b.w", 3.0), ("b.w", "b.w", 1.5)])
    halves = {"a.x": "a", "a.y": "a", "b.z": "b", "b.w": "b"}
    expected = nx.community.modularity(graph, [{"a.x", "a.y"}, {"b.z", "b.w"}], weight="weight")
    assert round(_modularity(halves, graph), 12) == round(expected, 12) == 0.311111111111
    one = _modularity(dict.fromkeys(graph, "all"), graph)  # one group: exactly zero, with a plus sign
    assert one == 0.0 and math.copysign(1.0, one) == 1.0
