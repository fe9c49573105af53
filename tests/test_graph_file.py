"""Reading dependency graphs from files: one small literal file per format, and the errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from decomposer.errors import InvalidGraph
from decomposer.model import DependencyGraph, GraphEdge, GraphNode
from decomposer.sources.graph_file import read_graph, read_reference

JSON_GRAPH = """\
{"nodes": [{"id": "a", "path": "src/a.py", "lines": 10, "group": "g", "use_cases": ["u2", "u1"]}],
 "edges": [
  {"source": "a", "target": "b", "weight": 2, "kind": "call"},
  {"source": "b", "target": "c"}
 ]}
"""
JDEPS_DOT = """\
digraph "app.jar" {
    // Path: app.jar
   "com.acme.A"                                       -> "com.acme.B";
   "com.acme.A"                                       -> "java.lang.Object (java.base)";
   "com.acme.B"                                       -> "com.other.C (lib.jar)";
   "com.acme.B"                                       -> "com.acme.Gone (not found)";
   "com.acme.B"                                       -> "sun.misc.Unsafe (JDK internal API (jdk.unsupported))";
}
"""
CRUISER = """\
{"modules": [
  {"source": "src/a.ts", "dependencies": [
    {"resolved": "src/b.ts", "coreModule": false, "couldNotResolve": false, "dependencyTypes": ["local"]},
    {"resolved": "fs", "coreModule": true, "dependencyTypes": ["core"]},
    {"resolved": "node_modules/lodash/index.js", "dependencyTypes": ["npm"]}]},
  {"source": "src/b.ts", "dependencies": []},
  {"source": "node_modules/lodash/index.js", "dependencies": [], "dependencyTypes": ["npm"]}
 ],
 "summary": {"violations": []}}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_sums_repeated_edges_and_keeps_the_first_kind(tmp_path: Path):
    path = _write(tmp_path, "g.csv", "source,target,weight,kind\na,b,2,call\na,b,1,import\nb,c,1,\n")
    assert read_graph(path) == DependencyGraph(
        nodes=(GraphNode("a"), GraphNode("b"), GraphNode("c")),
        edges=(GraphEdge("a", "b", 3, "call"), GraphEdge("b", "c", 1, "")),
        file_format="csv",
    )


def test_csv_without_kind_column(tmp_path: Path):
    graph = read_graph(_write(tmp_path, "g.csv", "source,target,weight\nx,y,4\n"))
    assert graph.edges == (GraphEdge("x", "y", 4, ""),)


def test_json_nodes_carry_path_lines_group_and_sorted_use_cases(tmp_path: Path):
    assert read_graph(_write(tmp_path, "g.json", JSON_GRAPH)) == DependencyGraph(
        nodes=(GraphNode("a", "src/a.py", 10, "g", ("u1", "u2")), GraphNode("b"), GraphNode("c")),
        edges=(GraphEdge("a", "b", 2, "call"), GraphEdge("b", "c", 1, "")),
        file_format="json",
    )


def test_jdeps_dot_drops_jdk_and_missing_targets_and_cuts_archive_names(tmp_path: Path):
    graph = read_graph(_write(tmp_path, "app.dot", JDEPS_DOT))
    assert graph.edges == (GraphEdge("com.acme.A", "com.acme.B", 1, ""),
                           GraphEdge("com.acme.B", "com.other.C", 1, ""))
    assert graph.file_format == "dot"


def test_dot_weight_attribute(tmp_path: Path):
    graph = read_graph(_write(tmp_path, "g.gv", 'digraph g {\n  a -> b [weight=3];\n  "b" -> "c";\n}\n'))
    assert graph.edges == (GraphEdge("a", "b", 3, ""), GraphEdge("b", "c", 1, ""))


def test_dependency_cruiser_keeps_local_modules_with_their_paths(tmp_path: Path):
    assert read_graph(_write(tmp_path, "deps.json", CRUISER)) == DependencyGraph(
        nodes=(GraphNode("src/a.ts", path="src/a.ts"), GraphNode("src/b.ts", path="src/b.ts")),
        edges=(GraphEdge("src/a.ts", "src/b.ts", 1, "local"),),
        file_format="dependency-cruiser",
    )


@pytest.mark.parametrize(("name", "text", "message"), [
    ("g.csv", "from,to\na,b\n", "g.csv:1: expected the header `source,target,weight[,kind]`, got 'from,to'"),
    ("g.csv", "source,target,weight\na,b,1\na,b,x\n", "g.csv:3: the weight must be a whole number >= 1, got 'x'"),
    ("g.csv", "source,target,weight\na,b\n", "g.csv:2: expected `source,target,weight[,kind]`, got 'a,b'"),
    ("g.json", JSON_GRAPH.replace('"target": "c"', '"target": "c", "weight": 0'),
     "g.json:4: the weight must be a whole number >= 1, got 0"),
    ("g.json", JSON_GRAPH.replace('"lines": 10', '"lines": "ten"'),
     "g.json:1: `lines` must be a whole number >= 0, got 'ten'"),
    ("g.json", '{"edges": [\n {"source": "a"}\n]}', "g.json:2: expected a non-empty string `target`"),
    ("g.json", '{"edges": [\n {"source": "a",, }\n]}', "g.json:2: not JSON: Expecting property name enclosed"),
    ("g.json", '{"nodes": []}', "g.json:1: expected a list under `edges`"),
    ("g.dot", "digraph g {\n  a -- b;\n}\n", "g.dot:2: expected `\"a\" -> \"b\";`, got 'a -- b;'"),
    ("g.csv", "source,target,weight\n", "g.csv: no edge and no node"),
])
def test_a_bad_file_is_one_line_naming_the_file_and_line(tmp_path: Path, name: str, text: str, message: str):
    with pytest.raises(InvalidGraph) as error:
        read_graph(_write(tmp_path, name, text))
    assert str(error.value).startswith(f"{tmp_path / name}{message[len(name):]}")
    assert "\n" not in str(error.value)


def test_a_missing_graph_file(tmp_path: Path):
    with pytest.raises(InvalidGraph, match="does not exist"):
        read_graph(tmp_path / "none.csv")


def test_reference_with_or_without_header(tmp_path: Path):
    assert read_reference(_write(tmp_path, "r.csv", "node,service\na,x\nb,y\n")) == {"a": "x", "b": "y"}
    assert read_reference(_write(tmp_path, "s.csv", "a,x\n")) == {"a": "x"}
    with pytest.raises(InvalidGraph, match=r"t\.csv:2: expected `node,service`, got 'b'"):
        read_reference(_write(tmp_path, "t.csv", "a,x\nb\n"))


def test_dot_subgraphs_and_attributes_are_skipped(tmp_path: Path):
    path = tmp_path / "g.dot"
    path.write_text('digraph g {\n  rankdir=LR;\n  subgraph cluster_a {\n    "a" [shape=box];\n  }\n  a -> b;\n}\n')
    assert read_graph(path).edges == (GraphEdge("a", "b", 1, ""),)
