"""`analyze --graph`: a graph from a file through the whole method, and its stage helpers."""

from __future__ import annotations

import json
from pathlib import Path

from decomposer import pipeline
from decomposer.config import load_settings
from decomposer.model import CoChange, DependencyGraph, GraphEdge, GraphNode, ImportEdge
from decomposer.stages.graph_input import graph_groups, graph_scan, group_of_node, use_case_links

CHAIN = "source,target,weight,kind\n" + "".join(
    f"com.shop.{a},com.shop.{b},{w},call\n" for a, b, w in (
        ("cart.Cart", "cart.Item", 3), ("cart.Item", "cart.Line", 2), ("cart.Line", "cart.Cart", 1),
        ("order.Order", "order.Step", 3), ("order.Step", "order.Bill", 2), ("order.Bill", "order.Order", 1),
        ("order.Order", "cart.Cart", 1)))


def test_group_of_node_is_the_folder_else_the_dotted_parent_else_itself():
    assert [group_of_node(node) for node in ("src/cart/api.ts", "com.acme.Cart", "Cart")] == [
        "src/cart", "com.acme", "Cart"]


def test_graph_scan_turns_weights_into_statements_and_drops_self_edges():
    graph = DependencyGraph((GraphNode("a", "a.go", 7), GraphNode("b", group="g")),
                            (GraphEdge("a", "a", 5), GraphEdge("a", "b", 2)), "csv")
    scan = graph_scan(graph)
    assert scan.imports == (ImportEdge("a", "b", (0, 0)),)
    assert [(module.module, module.path, module.loc) for module in scan.modules] == [("a", "a.go", 7), ("b", "", 0)]
    assert graph_groups(graph) == {"a": "a", "b": "g"}


def test_use_case_links_couple_only_the_nodes_no_edge_reaches():
    graph = DependencyGraph(
        (GraphNode("a", use_cases=("u1", "u2")), GraphNode("b", use_cases=("u1",)),
         GraphNode("lone", use_cases=("u1", "u9")), GraphNode("stranger", use_cases=("u9",))),
        (GraphEdge("a", "b", 1),), "json")
    # lone serves u1 with a and b (1 of its 2 use cases: 50%); stranger, lone too, serves its
    # only use case u9 with lone (100%: a pair keeps the larger share of its two nodes)
    assert use_case_links(graph, 30.0) == (
        CoChange("lone", "stranger", 1, 100.0), CoChange("a", "lone", 1, 50.0), CoChange("b", "lone", 1, 50.0))
    assert use_case_links(graph, 60.0) == (CoChange("lone", "stranger", 1, 100.0),)


def test_analyze_graph_proposes_services_from_a_csv_edge_list(tmp_path: Path):
    (tmp_path / "g.csv").write_text(CHAIN)
    settings = load_settings(tmp_path, {"min_service_size": 1}, use_config=False)
    analysis, figures = pipeline.analyze_graph(settings, tmp_path / "g.csv")
    assert sorted(service.modules for service in analysis.proposal.services) == [
        ("com.shop.cart.Cart", "com.shop.cart.Item", "com.shop.cart.Line"),
        ("com.shop.order.Bill", "com.shop.order.Order", "com.shop.order.Step")]
    assert analysis.repository.layout.reason == "read from g.csv (csv): 6 nodes, 7 edges"
    assert [record.package for record in analysis.modules][:2] == ["com.shop.cart", "com.shop.cart"]
    assert [warning.message for warning in analysis.warnings] == [
        "the nodes of g.csv name no file: analysed without history"]
    assert [name for name, _ in figures] == ["proposed", "package_layout"]
    assert figures[0][1].icp == figures[1][1].icp == 0.094  # 1 / (2 (ln 3 + 1) + 2 (ln 2 + 1) + 3)
    assert analysis.plan is not None and len(analysis.plan.steps) == 2


def test_analyze_graph_reads_history_for_nodes_that_name_files(sample_repo: Path, tmp_path: Path):
    files = ("shop/orders/checkout.py", "shop/orders/cart.py", "shop/orders/models.py")
    (tmp_path / "g.json").write_text(json.dumps({
        "nodes": [{"id": path, "path": path, "group": "orders"} for path in files],
        "edges": [{"source": files[0], "target": files[1]}, {"source": files[0], "target": files[2]}]}))
    settings = load_settings(sample_repo, {"cache_dir": None}, use_config=False)
    analysis, _ = pipeline.analyze_graph(settings, tmp_path / "g.json")
    assert analysis.history is not None and analysis.history.commits_analyzed > 0
    assert {churn.module for churn in analysis.churn} == set(files)


def test_cli_writes_literature_csv_and_scores_a_reference(cli, tmp_path: Path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "g.csv").write_text(CHAIN)
    (tmp_path / "ref.csv").write_text("node,service\n" + "".join(
        f"com.shop.{name},{name.split('.')[0]}\n" for name in (
            "cart.Cart", "cart.Item", "cart.Line", "order.Order", "order.Step", "order.Bill")))
    result = cli("analyze", tmp_path / "repo", "--graph", tmp_path / "g.csv", "--reference", tmp_path / "ref.csv",
                 "--min-service-size", "1", "--out", tmp_path / "out", "--format", "json")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out" / "literature.csv").read_text().splitlines()
    assert lines[0] == "partition,groups,bcp,icp,sm,ifn,ned,turbo_mq,mojofm,ari"
    assert lines[1].startswith("proposed,2,,0.094,") and lines[1].endswith(",100,1")
    assert "Literature: reference       K=2 BCP=- ICP=0.094" in result.stdout


def test_cli_bad_graph_is_one_line_with_exit_1(cli, tmp_path: Path):
    (tmp_path / "g.csv").write_text("source,target,weight\na,b,-1\n")
    result = cli("analyze", tmp_path, "--graph", tmp_path / "g.csv", "--out", tmp_path.parent / "out-bad")
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'g.csv'}:2: the weight must be a whole number >= 1, got '-1'\n"


def test_cli_reference_needs_a_graph(cli, tmp_path: Path):
    result = cli("analyze", tmp_path, "--reference", tmp_path / "r.csv", "--out", tmp_path.parent / "out-ref")
    assert result.exit_code == 2
    assert "needs --graph" in result.output


def test_cli_python_only_flags_are_refused_with_a_graph(cli, tmp_path: Path):
    result = cli("analyze", tmp_path, "--graph", tmp_path / "g.csv", "--package", "shop")
    assert result.exit_code == 2
    assert "read Python code; with a graph, give groups in the file instead" in result.output

