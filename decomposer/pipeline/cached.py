"""Steps whose results the cache keeps (sources.memo): a run on unchanged inputs reads them back.

- the proposal (step 7-8, `_propose`: the consensus of up to a hundred detections and the
  stability reruns, most of a warm run's time), keyed by the whole analysis it starts from, the
  settings, the import graph and the re-export shims. Left out of the key are only the fields
  `_propose` provably never reads, so that a commit that moves HEAD without touching what the
  detection sees (churn counts, the window's end, warnings) still finds it: `churn`,
  `sum_of_coupling`, `warnings`, `brittleness`, `plan`, `proposal`; of `history` only whether
  there is one; of `repository.head` nothing unless modules are placed by an assignment file
  (whose check names the commit); of the settings the cache and output folders.
- the code reading (steps 3-4): the traits and names of every module and the ORM models scan, keyed by
  the modules and the bytes of their files (and of the settings files the models scan may read
  for AUTH_USER_MODEL), so a warm run parses no file.

A value read back is the very record the step returned when it was stored, so the reports are
the same bytes; a miss (or inputs that have no stable digest) runs the step as if there were no
cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from decomposer.config import Settings
from decomposer.model import Analysis, AnalysisWarning, ModuleNames, ModuleTraits, Proposal, SourceModule
from decomposer.pipeline.proposal import _propose
from decomposer.sources.definitions import read_names
from decomposer.sources.memo import code_version, digest, load_result, store_result
from decomposer.sources.models import ModelScan, scan_models, settings_files
from decomposer.sources.models_ast import ParsedModule, parse_modules
from decomposer.sources.traits import traits_of

__all__ = ["CodeReader", "ResultsMemo", "propose_cached", "results_memo"]


def propose_cached(analysis: Analysis, settings: Settings, graph: nx.DiGraph, shims: frozenset[str],
                   names: tuple[ModuleNames, ...] = ()) -> tuple[Proposal, tuple[AnalysisWarning, ...]]:
    """`_propose(analysis, settings, graph, shims, names=names)`, read from the cache when its
    inputs are unchanged."""
    seen = dataclasses.replace(
        analysis, churn=(), sum_of_coupling=(), warnings=(), brittleness=(), plan=None, proposal=None,
        history=None,
        repository=(analysis.repository if settings.assignment is not None
                    else dataclasses.replace(analysis.repository, head=None)))
    inputs = ("proposal", seen, analysis.history is not None,
              dataclasses.replace(settings, cache_dir=None, out_dir=None), graph, shims, names)
    return _cached(settings.cache_dir, "proposal", inputs, _is_proposal,
                   lambda: _propose(analysis, settings, graph, shims, names=names))


class CodeReader:
    """The traits of `modules` and the ORM models scan of some of them, every file parsed at most
    once for both, and not at all when both are cached."""

    def __init__(self, repo_dir: Path, modules: tuple[SourceModule, ...], cache_dir: Path | None) -> None:
        self.repo_dir, self.modules, self.cache_dir = repo_dir, modules, cache_dir
        self.files = _file_digests(repo_dir, modules) if cache_dir is not None else ()
        self._parsed: tuple[tuple[ParsedModule, ...], tuple[AnalysisWarning, ...]] | None = None

    def traits(self) -> tuple[ModuleTraits, ...]:
        """`traits_of` every module, in the order `parse_modules` gives."""
        return _cached(self.cache_dir, "traits", ("traits", self.modules, self.files), _is_tuple_of(ModuleTraits),
                       lambda: traits_of(self._parse()[0]))

    def names(self) -> tuple[ModuleNames, ...]:
        """`read_names` of every module: its definitions and the analysed names it uses."""
        return _cached(self.cache_dir, "names", ("names", self.modules, self.files), _is_tuple_of(ModuleNames),
                       lambda: read_names(self._parse()[0]))

    def models(self, kept: tuple[SourceModule, ...]) -> ModelScan:
        """`scan_models` of `kept` (some of the modules)."""
        settings = _file_digests(self.repo_dir, (), settings_files(self.repo_dir)) if self.cache_dir else ()
        return _cached(self.cache_dir, "models", ("models", kept, self.files, settings), _is_model_scan,
                       lambda: scan_models(self.repo_dir, kept, parsed=self._parse()))

    def _parse(self) -> tuple[tuple[ParsedModule, ...], tuple[AnalysisWarning, ...]]:
        if self._parsed is None:
            self._parsed = parse_modules(self.repo_dir, self.modules)
        return self._parsed


class ResultsMemo:
    """The results cache for the reports (`reports.writer.Memo`): values by a digest of their
    inputs and the code version, in one cache folder."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir

    def load(self, kind: str, inputs: Any) -> Any | None:
        key = _key(kind, inputs)
        return load_result(self.cache_dir, kind, key) if key else None

    def store(self, kind: str, inputs: Any, value: Any) -> None:
        key = _key(kind, inputs)
        if key:
            store_result(self.cache_dir, kind, key, value)


def results_memo(cache_dir: Path | None) -> ResultsMemo | None:
    """The results cache in `cache_dir` for `reports.write_reports`; None without a cache."""
    return ResultsMemo(cache_dir) if cache_dir is not None else None


def _key(kind: str, inputs: Any) -> str | None:
    try:
        return digest(code_version(), (kind, inputs))
    except TypeError:  # an input without a stable digest: no cache rather than a wrong one
        return None


def _cached(cache_dir: Path | None, kind: str, inputs: Any, valid: Callable[[Any], bool],
            compute: Callable[[], Any]) -> Any:
    key = _key(kind, inputs) if cache_dir is not None else None
    if key is None:
        return compute()
    value = load_result(cache_dir, kind, key)
    if value is not None and valid(value):
        return value
    value = compute()
    store_result(cache_dir, kind, key, value)
    return value


def _file_digests(repo_dir: Path, modules: tuple[SourceModule, ...],
                  paths: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """(repository-relative path, digest of its bytes or of why it cannot be read) per file."""
    found = []
    for path in tuple(source.path for source in modules) + paths:
        try:
            found.append((path, hashlib.sha256((repo_dir / path).read_bytes()).hexdigest()))
        except OSError as error:
            found.append((path, f"unreadable: {error.errno}"))
    return tuple(found)


def _is_proposal(value: Any) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Proposal)
            and _is_tuple_of(AnalysisWarning)(value[1]))


def _is_tuple_of(kind: type) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, tuple) and all(isinstance(item, kind) for item in value)


def _is_model_scan(value: Any) -> bool:
    return isinstance(value, ModelScan)
