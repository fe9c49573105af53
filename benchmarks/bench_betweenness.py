#!/usr/bin/env python3
"""Betweenness: plain-list Brandes against networkx, and the rank error of fewer sources.

    python benchmarks/bench_betweenness.py ANALYSIS_JSON [--reference exact|N] [--sources 32,64,128,256]

Reads a written analysis.json (its modules, imports, history and services) and prints:

- the time of `networkx.betweenness_centrality` and of `stages.betweenness.betweenness` with the
  sources `sources_for` gives this graph, and whether every value is identical;
- for each sample size and seeds 1, 2, 3: how many of the reference's 20 most between modules
  the sample keeps, Spearman's rho of the betweenness ranks (ties broken by name), and the same
  two figures for the brittleness ranking the sample gives (every other signal unchanged), with
  the largest move of one module's brittleness rank. The reference is exact unless --reference
  gives a source count (exact is modules x imports: minutes at 20,000 modules).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import networkx as nx

from decomposer.model import SourceModule
from decomposer.pipeline import load_analysis
from decomposer.pipeline.proposal import _brittleness
from decomposer.stages import brittleness
from decomposer.stages.betweenness import betweenness, sources_for
from decomposer.stages.import_graph import build_import_graph

SEEDS = (1, 2, 3)


def spearman(first: dict[str, int], second: dict[str, int]) -> float:
    """Spearman's rho of two rankings without ties (positions 1..n)."""
    count = len(first)
    return 1 - 6 * sum((first[m] - second[m]) ** 2 for m in first) / (count * (count * count - 1))


def positions(values: dict[str, float]) -> tuple[dict[str, int], list[str]]:
    order = sorted(values, key=lambda module: (-values[module], module))
    return {module: index for index, module in enumerate(order, start=1)}, order


def ranking(analysis, graph: nx.DiGraph, sources: int | None, seed: int):  # noqa: ANN001, ANN201
    """The brittleness ranking with betweenness from `sources` seeded sources."""
    brittleness.sources_for = lambda modules: sources
    try:
        return _brittleness(analysis, seed, graph, ())
    finally:
        brittleness.sources_for = sources_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("analysis", type=Path)
    parser.add_argument("--reference", default="exact")
    parser.add_argument("--sources", default="32,64,128,256")
    args = parser.parse_args()
    analysis = load_analysis(args.analysis)
    modules = tuple(SourceModule(r.module, r.path, r.loc, r.path.endswith("__init__.py")) for r in analysis.modules)
    graph = build_import_graph(modules, analysis.imports)
    count = graph.number_of_nodes()
    default = sources_for(count)
    start = time.perf_counter()
    expected = nx.betweenness_centrality(graph, k=default, seed=1, normalized=True)
    middle = time.perf_counter()
    got = betweenness(graph, default, 1)
    end = time.perf_counter()
    print(f"{args.analysis}: {count} modules, {graph.number_of_edges()} imports; default sources: "
          f"{'exact' if default is None else default}; networkx {middle - start:.2f} s, plain lists "
          f"{end - middle:.2f} s, values {'identical' if list(got.items()) == list(expected.items()) else 'DIFFERENT'}")
    reference_sources = None if args.reference == "exact" else int(args.reference)
    start = time.perf_counter()
    reference = betweenness(graph, reference_sources, 1)
    print(f"reference: {args.reference} ({time.perf_counter() - start:.1f} s)")
    reference_positions, reference_order = positions(reference)
    reference_ranking = ranking(analysis, graph, reference_sources, 1)
    reference_ranks = {entry.module: entry.rank for entry in reference_ranking}
    reference_top = {entry.module for entry in reference_ranking[:20]}
    print("| sources | seed | time | betweenness top-20 kept | betweenness Spearman | brittleness top-20 kept "
          "| brittleness Spearman | largest rank move |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for sources in (int(text) for text in args.sources.split(",")):
        for seed in SEEDS:
            start = time.perf_counter()
            estimate = betweenness(graph, sources, seed)
            took = time.perf_counter() - start
            estimate_positions, order = positions(estimate)
            ranked = ranking(analysis, graph, sources, seed)
            ranks = {entry.module: entry.rank for entry in ranked}
            print(f"| {sources} | {seed} | {took:.2f} s | {len(set(order[:20]) & set(reference_order[:20]))}/20 "
                  f"| {spearman(estimate_positions, reference_positions):.4f} "
                  f"| {len({entry.module for entry in ranked[:20]} & reference_top)}/20 "
                  f"| {spearman(ranks, reference_ranks):.4f} "
                  f"| {max(abs(ranks[m] - reference_ranks[m]) for m in ranks)} |", flush=True)


if __name__ == "__main__":
    main()
