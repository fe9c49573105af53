"""modules.graphml written as text: the very bytes networkx's writer gives, escapes included."""

from __future__ import annotations

import io

import networkx as nx
import numpy

from decomposer.reports.graph_export import _graphml


def _networkx(graph: nx.DiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer)
    return buffer.getvalue()


def test_graphml_is_what_networkx_writes():
    graph = nx.DiGraph()
    graph.add_node('a&<>"\n\t\rb', path='x<&>"', loc=3, brittleness=0.5, hot=True, service="")
    graph.add_node("bare")
    graph.add_node("é", loc=2.0)  # the same name with another type: a key of its own
    graph.add_edge('a&<>"\n\t\rb', "bare", weight=2, lines="1,2")
    graph.add_edge("bare", "é")
    text = _graphml(graph)
    assert text == _networkx(graph)
    assert b'<node id="a&amp;&lt;&gt;&quot;&#10;&#09;&#13;b">' in text
    assert b'<data key="d0">x&lt;&amp;&gt;"</data>' in text
    assert b'<data key="d4" />' in text  # the empty service
    assert b'<key id="d5" for="node" attr.name="loc" attr.type="double" />' in text


def test_graphml_of_an_empty_graph_and_of_other_value_types_is_networkx_own():
    assert _graphml(nx.DiGraph()) == _networkx(nx.DiGraph())
    graph = nx.DiGraph([("a", "b")])
    graph.nodes["a"]["size"] = numpy.int64(3)  # written as attr.type="int": networkx's own table
    assert _graphml(graph) == _networkx(graph)
    assert b'attr.type="int"' in _graphml(graph)
