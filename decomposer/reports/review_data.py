"""The data of report.html's review view: one compact JSON document the page's script reads.

Compact because it must stay small at thousands of modules: modules are numbered (their index
in `modules`, sorted by name), every per-module field is an array in that order, and pairs are
flat arrays of numbers. Nothing the page can compute is written (no crossing counts, no
figures): the script computes them from the same records with the formulas of
stages/quality.py, model.crossing_counts and stages/data.crossing_data (docs/assignments.md).

Keys (format 1):
  head            the analysed HEAD (the assignment file's `repository_head`)
  kernel          the kernel's name
  modules, paths, loc, package   per module: name, file, lines, index in `packages`
  packages        layout packages
  services        the proposed services' names, kernel last; `service` per module: an index
  imports         flat [importer, imported, ...]; `lines`: each edge's statement lines
  cochange        flat [a, b, shared commits, ...]
  models          whether the code has ORM models (without, there is no data figure)
  data            flat [source module, target module, kind index, ...] (`model.link_modules`);
                  `data_kinds` names the kinds
  rank, score     per module: brittleness rank (0: not ranked) and score x 1000
  reasons         [[module, reason, ...], ...] for modules with reasons
  seeds, moving   stability: other seeds run, and [[module, runs elsewhere], ...]
  confidence      per module: the share of consensus runs that put it with its service, in
                  thousandths (-1: none, the kernel and tooling); null without a proposal
"""

from __future__ import annotations

import json
from typing import Any

from decomposer.model import KERNEL, LINK_KINDS, Analysis, link_modules

__all__ = ["review_data", "review_json"]


def review_data(analysis: Analysis) -> dict[str, Any]:
    """The review view's document for `analysis` (see the module docstring)."""
    modules = [record.module for record in analysis.modules]
    index = {module: number for number, module in enumerate(modules)}
    packages = sorted({record.package for record in analysis.modules})
    package_index = {package: number for number, package in enumerate(packages)}
    services = [service.name for service in analysis.proposal.services] if analysis.proposal else []
    service_index = {name: number for number, name in enumerate(services)}
    service_of = analysis.service_of
    edges = [edge for edge in analysis.imports if edge.importer in index and edge.imported in index]
    brittle = {entry.module: entry for entry in analysis.brittleness}
    stability = analysis.proposal.stability if analysis.proposal else None
    return {
        "format": 1,
        "head": analysis.repository.head,
        "kernel": KERNEL,
        "modules": modules,
        "paths": [record.path for record in analysis.modules],
        "loc": [record.loc for record in analysis.modules],
        "packages": packages,
        "package": [package_index[record.package] for record in analysis.modules],
        "services": services,
        "service": [service_index.get(service_of.get(module, ""), -1) for module in modules],
        "imports": [number for edge in edges for number in (index[edge.importer], index[edge.imported])],
        "lines": [list(edge.lines) for edge in edges],
        "cochange": [number for pair in analysis.cochange if pair.a in index and pair.b in index
                     for number in (index[pair.a], index[pair.b], pair.shared_commits)],
        "models": bool(analysis.tables),
        "data": _data(analysis, index),
        "data_kinds": list(LINK_KINDS),
        "rank": [brittle[module].rank if module in brittle else 0 for module in modules],
        "score": [round(brittle[module].score * 1000) if module in brittle else 0 for module in modules],
        "reasons": [[index[entry.module], *entry.reasons] for entry in analysis.brittleness
                    if entry.reasons and entry.module in index],
        "seeds": len(stability.seeds) if stability else 0,
        "moving": [[index[module], runs] for module, runs in (stability.moving if stability else ())
                   if module in index],
        "confidence": _confidence(analysis, modules),
    }


def _confidence(analysis: Analysis, modules: list[str]) -> list[int] | None:
    if analysis.proposal is None or not analysis.proposal.confidence:
        return None
    share = dict(analysis.proposal.confidence)
    return [round(share[module] * 1000) if share.get(module) is not None else -1 for module in modules]


def review_json(analysis: Analysis) -> str:
    """`review_data` as JSON safe inside a <script> element (no `<` can close it)."""
    text = json.dumps(review_data(analysis), separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _data(analysis: Analysis, index: dict[str, int]) -> list[int]:
    module_of = {table.model: table.module for table in analysis.tables if table.module}
    kinds = {kind: number for number, kind in enumerate(LINK_KINDS)}
    flat = []
    for link in analysis.data_links:
        source, target = link_modules(link, module_of)
        if source in index and target in index:
            flat += [index[source], index[target], kinds[link.kind]]
    return flat
