"""Dependency graphs from files: the input of `decomposer analyze --graph` (docs/graph-input.md).

Four formats, told apart by the file's content:

- CSV: a header `source,target,weight[,kind]`, then one edge per line;
- JSON: `{"nodes": [{"id", "path", "lines", "group", "use_cases"}], "edges": [{"source",
  "target", "weight", "kind"}]}`, nodes optional;
- DOT: `"a" -> "b";` lines, as `jdeps -verbose:class -filter:none -dotoutput DIR` writes them; a target jdeps
  marks as outside the analysed archives (`(java.base)`, `(JDK internal API ...)`, `(not found)`)
  is dropped, any other ` (archive)` suffix is cut off;
- dependency-cruiser's JSON (`depcruise --output-type json`): `modules[].source` with its
  `dependencies[].resolved`; core and npm modules and unresolved imports are dropped.

A reference decomposition (`--reference`) is CSV `node,service`. Every problem with a file is
an `InvalidGraph` naming the file and its line.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections import defaultdict
from json.decoder import JSONObject  # type: ignore[attr-defined]
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from decomposer.errors import InvalidGraph
from decomposer.model import DependencyGraph, GraphEdge, GraphNode

__all__ = ["read_graph", "read_reference"]


def read_graph(graph_path: Path) -> DependencyGraph:
    """Read the dependency graph in `graph_path`, in whichever of the four formats it is.

    Raises:
        InvalidGraph: missing, unreadable, or a line that is not in the format; the message
            names the file and the line.
    """
    text = _text(graph_path)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        document = _json(graph_path, text)
        if "modules" in document and "edges" not in document:
            return _from_cruiser(graph_path, document)
        return _from_json(graph_path, document)
    if re.match(r"(strict\s+)?(di)?graph\b", stripped):
        return _from_dot(graph_path, text)
    return _from_csv(graph_path, text)


def read_reference(reference_path: Path) -> dict[str, str]:
    """Read a reference decomposition: CSV `node,service`, with or without that header."""
    partition: dict[str, str] = {}
    for number, row in enumerate(csv.reader(io.StringIO(_text(reference_path))), start=1):
        if not row or (number == 1 and [cell.strip() for cell in row] == ["node", "service"]):
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise InvalidGraph(f"{reference_path}:{number}: expected `node,service`, got {','.join(row)!r}")
        partition[row[0].strip()] = row[1].strip()
    if not partition:
        raise InvalidGraph(f"{reference_path}: no `node,service` line; see docs/graph-input.md")
    return partition


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidGraph(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidGraph(f"{path} cannot be read as UTF-8 text: {error}") from None


def _from_csv(path: Path, text: str) -> DependencyGraph:
    rows = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(rows, [])]
    if header[:3] != ["source", "target", "weight"] or header[3:] not in ([], ["kind"]):
        raise InvalidGraph(f"{path}:1: expected the header `source,target,weight[,kind]`, got {','.join(header)!r}")
    edges = []
    for number, row in enumerate(rows, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) not in (3, len(header)) or not row[0].strip() or not row[1].strip():
            raise InvalidGraph(f"{path}:{number}: expected `source,target,weight[,kind]`, got {','.join(row)!r}")
        kind = row[3].strip() if len(row) > 3 else ""
        edges.append(GraphEdge(row[0].strip(), row[1].strip(), _weight(path, number, row[2]), kind))
    return _graph(path, (), edges, "csv")


def _from_json(path: Path, document: dict[str, Any]) -> DependencyGraph:
    nodes = [_node(path, item) for item in _list(path, document, "nodes", required=False)]
    edges = []
    for item in _list(path, document, "edges", required=True):
        source, target = _string(path, item, "source"), _string(path, item, "target")
        kind = item.get("kind", "")
        if not isinstance(kind, str):
            raise InvalidGraph(f"{path}:{_line(item)}: `kind` must be a string")
        edges.append(GraphEdge(source, target, _weight(path, _line(item), item.get("weight", 1)), kind))
    return _graph(path, nodes, edges, "json")


def _node(path: Path, item: Any) -> GraphNode:
    if not isinstance(item, dict):
        raise InvalidGraph(f"{path}:{_line(item)}: a node must be an object with an `id`")
    lines = item.get("lines", 0)
    if not isinstance(lines, int) or isinstance(lines, bool) or lines < 0:
        raise InvalidGraph(f"{path}:{_line(item)}: `lines` must be a whole number >= 0, got {lines!r}")
    use_cases = item.get("use_cases", [])
    if not isinstance(use_cases, list) or not all(isinstance(case, str) for case in use_cases):
        raise InvalidGraph(f"{path}:{_line(item)}: `use_cases` must be a list of strings")
    texts = {key: item.get(key, "") for key in ("path", "group")}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise InvalidGraph(f"{path}:{_line(item)}: `{key}` must be a string, got {value!r}")
    return GraphNode(_string(path, item, "id"), texts["path"], lines, texts["group"], tuple(sorted(set(use_cases))))


def _from_cruiser(path: Path, document: dict[str, Any]) -> DependencyGraph:
    nodes, edges = [], []
    for module in _list(path, document, "modules", required=True):
        if not isinstance(module, dict):
            raise InvalidGraph(f"{path}:{_line(module)}: a module must be an object with a `source`")
        if module.get("coreModule") or module.get("couldNotResolve") or _is_package(module):
            continue
        source = _string(path, module, "source")
        nodes.append(GraphNode(source, path=source))
        for dependency in module.get("dependencies") or []:
            if not isinstance(dependency, dict) or dependency.get("coreModule") or \
                    dependency.get("couldNotResolve") or _is_package(dependency):
                continue
            edges.append(GraphEdge(source, _string(path, dependency, "resolved"), 1,
                                   ",".join(dependency.get("dependencyTypes") or [])))
    return _graph(path, nodes, edges, "dependency-cruiser")


def _is_package(item: dict[str, Any]) -> bool:
    """An npm package or a core module: outside the analysed code."""
    types = item.get("dependencyTypes") or []
    return any(kind.startswith("npm") or kind == "core" for kind in types) or \
        "node_modules/" in str(item.get("resolved") or item.get("source") or "")


_DOT_EDGE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[\w.$/-]+)\s*->\s*("(?:[^"\\]|\\.)*"|[\w.$/-]+)\s*(\[[^\]]*\])?\s*;?\s*$')
_DOT_OTHER = re.compile(r'^\s*($|//|#|/\*|\*|[{}]|(strict\s+)?(di)?graph\b|subgraph\b|(node|edge|graph)\s*\[|[\w"].*\[.*\]\s*;?\s*$|\w+\s*=)')
_EXTERNAL = re.compile(r" \((java\.|jdk\.|JDK internal API|not found).*\)$")


def _from_dot(path: Path, text: str) -> DependencyGraph:
    edges = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DOT_EDGE.match(line)
        if match is None:
            if _DOT_OTHER.match(line):
                continue
            raise InvalidGraph(f"{path}:{number}: expected `\"a\" -> \"b\";`, got {line.strip()!r}")
        source, target = (_unquote(match.group(index)) for index in (1, 2))
        if _EXTERNAL.search(target):
            continue
        weight = re.search(r"weight\s*=\s*\"?([^\s,\]\"]+)", match.group(3) or "")
        edges.append(GraphEdge(_cut_archive(source), _cut_archive(target),
                               _weight(path, number, weight.group(1) if weight else 1), ""))
    return _graph(path, (), edges, "dot")


def _unquote(name: str) -> str:
    return name[1:-1].replace('\\"', '"') if name.startswith('"') else name


def _cut_archive(name: str) -> str:
    """`com.foo.Bar (app.jar)` -> `com.foo.Bar`: jdeps names the archive of a target."""
    return re.sub(r"\s+\(.*\)$", "", name).strip()


def _graph(path: Path, nodes: list[GraphNode] | tuple[()], edges: list[GraphEdge], file_format: str) -> DependencyGraph:
    weights: defaultdict[tuple[str, str], int] = defaultdict(int)
    kinds: dict[tuple[str, str], str] = {}
    for edge in edges:
        weights[edge.source, edge.target] += edge.weight
        kinds.setdefault((edge.source, edge.target), edge.kind)
    by_name: dict[str, GraphNode] = {}
    for node in nodes:
        if node.node in by_name:
            raise InvalidGraph(f"{path}: node {node.node!r} is listed twice")
        by_name[node.node] = node
    for source, target in weights:
        by_name.setdefault(source, GraphNode(source))
        by_name.setdefault(target, GraphNode(target))
    if not by_name:
        raise InvalidGraph(f"{path}: no edge and no node; see docs/graph-input.md for the formats")
    return DependencyGraph(
        nodes=tuple(by_name[name] for name in sorted(by_name)),
        edges=tuple(GraphEdge(source, target, weight, kinds[source, target])
                    for (source, target), weight in sorted(weights.items())),
        file_format=file_format,
    )


def _weight(path: Path, line: int, value: Any) -> int:
    try:
        weight = int(value) if not isinstance(value, float) or value.is_integer() else -1
    except (TypeError, ValueError):
        weight = -1
    if isinstance(value, bool) or weight < 1:
        raise InvalidGraph(f"{path}:{line}: the weight must be a whole number >= 1, got {value!r}")
    return weight


class _Located(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the line it starts on."""

    line = 0


def _json(path: Path, text: str) -> dict[str, Any]:
    starts = [index for index, char in enumerate(text) if char == "\n"]

    def located(s_and_end: tuple[str, int], *args: Any) -> tuple[_Located, int]:
        value, end = JSONObject(s_and_end, *args)
        result = _Located(value)
        result.line = bisect.bisect_left(starts, s_and_end[1]) + 1
        return result, end

    decoder = json.JSONDecoder()
    decoder.parse_object = located  # type: ignore[attr-defined]
    decoder.scan_once = py_make_scanner(decoder)  # the C scanner ignores parse_object
    try:
        document = decoder.decode(text)
    except json.JSONDecodeError as error:
        raise InvalidGraph(f"{path}:{error.lineno}: not JSON: {error.msg}") from None
    except RecursionError:
        raise InvalidGraph(f"{path}: nested too deeply to be a graph") from None
    if not isinstance(document, dict):
        raise InvalidGraph(f"{path}:1: expected an object with `nodes` and `edges`")
    return document


def _line(item: Any) -> int:
    return getattr(item, "line", 0) or 1


def _list(path: Path, document: dict[str, Any], key: str, required: bool) -> list[Any]:
    value = document.get(key, None if required else [])
    if not isinstance(value, list):
        raise InvalidGraph(f"{path}:{_line(document)}: expected a list under `{key}`; see docs/graph-input.md")
    return value


def _string(path: Path, item: Any, key: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise InvalidGraph(f"{path}:{_line(item)}: expected a non-empty string `{key}`")
    return value.strip()
