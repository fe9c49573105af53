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
  for AUTH_USER_MODEL), so a warm run parses no file. When one of them misses (after a commit),
  it is put together from what each file gave, kept per file (`_PerFile`), so that only the files
  that changed are parsed:
  - a module's traits depend on its file alone;
  - its names, on its file and on whether each name it asked about is an analysed module
    (`definitions.module_names`);
  - the models scan reads each module's symbols and facts (`models_ast.read_symbols`,
    `models_facts.orm_facts`), kept per file; the cross-module part (`models.scan_orm`) is reused
    when no module's classes, bases or facts changed (a module added or removed has none), no
    class body or whole tree it read changed and every name it resolved resolves the same
    (`_OrmRecord`), and each module's queries
    (`models_usage.module_usage`) when its file did not change and every question they asked of
    the other modules and of the models is answered the same. Otherwise they are scanned again,
    parsing only the files whose trees that reads.

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
from decomposer.errors import ScanFailed
from decomposer.model import Analysis, AnalysisWarning, ModuleNames, ModuleTraits, Proposal, SourceModule
from decomposer.pipeline.proposal import _propose
from decomposer.sources.definitions import module_names, read_names
from decomposer.sources.memo import code_version, digest, load_result, store_result
from decomposer.sources.models import (
    ModelScan,
    OrmScan,
    finder,
    model_scan,
    orm_shape,
    scan_models,
    scan_orm,
    settings_files,
    shapeless,
)
from decomposer.sources.models_ast import ModuleSymbols, Namespace, ParsedModule, parse_module, read_symbols
from decomposer.sources.models_facts import OrmFacts, is_djangos_own, orm_facts
from decomposer.sources.models_usage import module_usage
from decomposer.sources.traits import module_traits, traits_of

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
    # The import graph is built from the modules (name, path, lines) and the import edges (count,
    # lines), all in `seen`: only its node order is added (digesting the graph again took half
    # of this key's 1.25 s at 20,216 modules).
    inputs = ("proposal", seen, analysis.history is not None,
              dataclasses.replace(settings, cache_dir=None, out_dir=None), tuple(graph), shims, names)
    memo = results_memo(settings.cache_dir)
    return _cached(settings.cache_dir, "proposal", inputs, _is_proposal,
                   lambda: _propose(analysis, settings, graph, shims, names=names, memo=memo))


class CodeReader:
    """The traits and names of `modules` and the ORM models scan of some of them, every file parsed
    at most once for all three, and only the files whose results are not cached."""

    def __init__(self, repo_dir: Path, modules: tuple[SourceModule, ...], cache_dir: Path | None) -> None:
        self.repo_dir, self.modules, self.cache_dir = repo_dir, modules, cache_dir
        self.files = _file_digests(repo_dir, modules) if cache_dir is not None else ()
        # a file's key in the per-file caches: all that its traits, names, symbols and facts read of it
        self._keys = {source.module: (source.module, source.path, source.is_package, file_digest)
                      for source, (_, file_digest) in zip(modules, self.files)}
        self._sources = {source.module: source for source in modules}
        self._parsed: dict[str, ParsedModule | AnalysisWarning] = {}

    def traits(self) -> tuple[ModuleTraits, ...]:
        """`traits_of` every module, in the order `parse_modules` gives."""
        return _cached(self.cache_dir, "traits", ("traits", self.modules, self.files), _is_tuple_of(ModuleTraits),
                       self._traits)

    def names(self) -> tuple[ModuleNames, ...]:
        """`read_names` of every module: its definitions and the analysed names it uses."""
        return _cached(self.cache_dir, "names", ("names", self.modules, self.files), _is_tuple_of(ModuleNames),
                       self._names)

    def models(self, kept: tuple[SourceModule, ...]) -> ModelScan:
        """`scan_models` of `kept` (some of the modules)."""
        settings = _file_digests(self.repo_dir, (), settings_files(self.repo_dir)) if self.cache_dir else ()
        return _cached(self.cache_dir, "models", ("models", kept, self.files, settings), _is_model_scan,
                       lambda: self._models(kept, settings))

    def _traits(self) -> tuple[ModuleTraits, ...]:
        if self.cache_dir is None:
            return traits_of(self._parse_all()[0])
        store = _PerFile(self.cache_dir, "traits-of-files", self.repo_dir)
        found = []
        for source in _by_name(self.modules):
            key = self._keys[source.module]
            value = store.old.get(key, _MISSING)
            if not (value is None or isinstance(value, ModuleTraits)):
                parsed = self._parse(source)
                value = module_traits(parsed) if isinstance(parsed, ParsedModule) else None
            store.put(key, value)
            if value is not None:
                found.append(value)
        store.save()
        return tuple(found)

    def _names(self) -> tuple[ModuleNames, ...]:
        if self.cache_dir is None:
            return read_names(self._parse_all()[0])
        store = _PerFile(self.cache_dir, "names-of-files", self.repo_dir)
        entries = {}  # module -> (names, asked) | None: does not parse | _MISSING: to read
        for source in _by_name(self.modules):
            entry = store.old.get(self._keys[source.module], _MISSING)
            if entry is not None and not _is_names_entry(entry):
                entry = _MISSING if isinstance(self._parse(source), ParsedModule) else None
            entries[source.module] = entry
        known = frozenset(module for module, entry in entries.items() if entry is not None)
        found = []
        for module, entry in entries.items():
            if entry is _MISSING or (entry is not None and any((name in known) != answer
                                                                for name, answer in entry[1].items())):
                entry = module_names(self._tree(module), known)
            store.put(self._keys[module], entry)
            if entry is not None:
                found.append(entry[0])
        store.save()
        return tuple(found)

    def _models(self, kept: tuple[SourceModule, ...], settings: tuple[tuple[str, str], ...]) -> ModelScan:
        if self.cache_dir is None:
            return scan_models(self.repo_dir, kept, parsed=self._parse_all())
        store = _PerFile(self.cache_dir, "models-of-files", self.repo_dir)
        entries: dict[str, _ModelsEntry] = {}
        unreadable = []
        for source in _by_name(kept):
            key = self._keys[source.module]
            entry = store.old.get(key)
            if not isinstance(entry, (_ModelsEntry, AnalysisWarning)):
                parsed = self._parse(source)
                entry = (_ModelsEntry(read_symbols(parsed), orm_facts(parsed), None)
                         if isinstance(parsed, ParsedModule) else parsed)
            store.put(key, entry)
            if isinstance(entry, AnalysisWarning):
                unreadable.append(entry)
            else:
                entries[source.module] = entry
        namespace = Namespace(symbols=tuple(entry.symbols for entry in entries.values()), load=self._tree)
        facts = tuple(entry.facts for entry in entries.values())
        files = {module: self._keys[module] for module in entries}
        record = store.old.get(_ORM)
        if not (isinstance(record, _OrmRecord) and record.holds(files, entries, settings, namespace)):
            scan, log = scan_orm(namespace, facts, self.repo_dir)
            record = _OrmRecord(files, {module: entry.shape() for module, entry in entries.items()},
                                {key: namespace.digest(key) for key in sorted(log.bodies)}, frozenset(log.trees),
                                settings if log.settings_files else None, dict(log), scan)
        store.put(_ORM, record)
        find, asked, links = finder(namespace, record.scan), {}, []
        for module, entry in entries.items():
            if entry.usage is None or not _answered_alike(entry.usage[1], find.answer, asked):
                found, log = module_usage(self._tree(module), find)
                entry = dataclasses.replace(entry, usage=(found, dict(log)))
                store.put(files[module], entry)
            links.extend(entry.usage[0])
        store.save()
        return model_scan(record.scan, tuple(links), tuple(unreadable))

    def _parse(self, source: SourceModule) -> ParsedModule | AnalysisWarning:
        if source.module not in self._parsed:
            self._parsed[source.module] = parse_module(self.repo_dir, source)
        return self._parsed[source.module]

    def _tree(self, module: str) -> ParsedModule:
        """The parsed module of a file whose cached results say it parses."""
        parsed = self._parse(self._sources[module])
        if not isinstance(parsed, ParsedModule):
            raise ScanFailed(f"{parsed.path} changed while decomposer read it ({parsed.message}); run it again")
        return parsed

    def _parse_all(self) -> tuple[tuple[ParsedModule, ...], tuple[AnalysisWarning, ...]]:
        """`parse_modules` of every module."""
        found = [self._parse(source) for source in _by_name(self.modules)]
        return (tuple(item for item in found if isinstance(item, ParsedModule)),
                tuple(item for item in found if isinstance(item, AnalysisWarning)))


@dataclasses.dataclass(frozen=True)  # no slots, as models_ast.Base
class _ModelsEntry:
    """What the models scan keeps of one file: its symbols and facts, and its queries with the
    questions they asked (None until scanned)."""

    symbols: ModuleSymbols
    facts: OrmFacts
    usage: tuple[tuple[Any, ...], dict] | None

    def shape(self) -> tuple:
        """`models.orm_shape` of the module."""
        return orm_shape(self.symbols, self.facts)


@dataclasses.dataclass(frozen=True, slots=True)
class _OrmRecord:
    """`scan_orm`'s result and everything it read: it holds for another run whose inputs read the same."""

    files: dict[str, tuple]  # module -> file key, for every module scanned
    shapes: dict[str, tuple]  # module -> `_ModelsEntry.shape`
    bodies: dict[str, str]  # class key -> digest, for every class body read
    trees: frozenset[str]  # modules read whole
    # the settings files' digests when AUTH_USER_MODEL was read there (no analysed module sets it)
    settings: tuple[tuple[str, str], ...] | None
    asked: dict  # ("q", module, chain) -> the name it resolved to
    scan: OrmScan

    def holds(self, files: dict[str, tuple], entries: dict[str, _ModelsEntry],
              settings: tuple[tuple[str, str], ...], namespace: Namespace) -> bool:
        """Whether `scan_orm` would find `scan` again on these modules."""
        if self.settings is not None and settings != self.settings:
            return False
        added = files.keys() - self.files.keys()
        if added and any(is_djangos_own(module) for module in files):
            return False  # every module's whole tree is read (`models_django_fields._warn_stray_fields`)
        if any(not shapeless(module, entries[module].shape()) for module in added):
            return False  # added
        if any(not shapeless(module, self.shapes[module]) for module in self.files.keys() - files.keys()):
            return False  # removed
        changed = {module for module, key in files.items() if self.files.get(module, key) != key}
        if any(module in self.trees or entries[module].shape() != self.shapes[module] for module in changed):
            return False
        if any(key.rpartition(".")[0] in changed and namespace.digest(key) != value
               for key, value in self.bodies.items()):
            return False
        return all(namespace.answer(question) == answer for question, answer in self.asked.items())


class _PerFile:
    """Values of one kind kept per file (by `CodeReader._keys`), all in one results-cache value per
    repository and code version: read once, and written back only when a value was added or one
    dropped, holding the values of this run's files only."""

    def __init__(self, cache_dir: Path, kind: str, repo_dir: Path) -> None:
        self.cache_dir, self.kind = cache_dir, kind
        self.key = _key(kind, ("per file", str(repo_dir)))
        stored = load_result(cache_dir, kind, self.key) if self.key else None
        self.old: dict = stored if isinstance(stored, dict) else {}
        self.new: dict = {}
        self.changed = False

    def put(self, key: Any, value: Any) -> None:
        """Keep `value` for `key` (the same object as before changes nothing)."""
        self.new[key] = value
        self.changed = self.changed or self.old.get(key, _MISSING) is not value

    def save(self) -> None:
        if self.key and (self.changed or self.new.keys() != self.old.keys()):
            store_result(self.cache_dir, self.kind, self.key, self.new)


_MISSING = object()
_ORM = "scan_orm"  # the key of the `_OrmRecord` among the models' per-file values


def _by_name(modules: tuple[SourceModule, ...]) -> list[SourceModule]:
    return sorted(modules, key=lambda record: record.module)


def _is_names_entry(entry: Any) -> bool:
    return (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], ModuleNames)
            and isinstance(entry[1], dict))


def _answered_alike(asked: dict, answer: Callable[[tuple], Any], known: dict) -> bool:
    """Whether every question in `asked` gets the same answer now (`known`: answers so far)."""
    for question, before in asked.items():
        now = known.get(question, _MISSING)
        if now is _MISSING:
            now = known[question] = answer(question)
        if now != before:
            return False
    return True


class ResultsMemo:
    """The results cache for the reports (`reports.writer.Memo`): values by a digest of their
    inputs and the code version, in one cache folder. The digest of the very same `inputs`
    object (load, then store) is taken once: at 20,000 modules an analysis takes a second."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._keys: dict[tuple[str, int], tuple[Any, str | None]] = {}

    def load(self, kind: str, inputs: Any) -> Any | None:
        key = self._key(kind, inputs)
        return load_result(self.cache_dir, kind, key) if key else None

    def store(self, kind: str, inputs: Any, value: Any) -> None:
        key = self._key(kind, inputs)
        if key:
            store_result(self.cache_dir, kind, key, value)

    def _key(self, kind: str, inputs: Any) -> str | None:
        known = self._keys.get((kind, id(inputs)))
        if known is not None and known[0] is inputs:  # the object is held here: its id is not reused
            return known[1]
        key = _key(kind, inputs)
        self._keys[(kind, id(inputs))] = (inputs, key)
        return key


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
