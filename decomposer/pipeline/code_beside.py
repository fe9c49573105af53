"""The code reading beside grimp's scan, in a forked worker, on large repositories.

A cold run reads the code twice over: grimp scans every file for its imports, and the code
reading (`CodeReader`) parses every file again for its traits, names and ORM models. At 20,216
modules they took 3.6-5 s and 3.6 s one after the other in this process, while `git log` (6 s)
had the other core and finished first. From `BESIDE_FROM` module files, the reading starts in a
worker forked before grimp runs (and before the history thread starts: the fork is made from
one thread), on the files grimp is about to read; this process scans the imports meanwhile.
The worker's traits, names and models are taken only when the modules it read are exactly
those the scan gave (always, unless grimp left a file out); otherwise, or when the worker
failed, the code is read here as before. The records are the same either way (tested), and so
is what the results cache keeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from decomposer.model import CodeScan, ModuleNames, ModuleTraits, SourceModule
from decomposer.pipeline.cached import CodeReader
from decomposer.forks import can_fork, forked, shared, shut
from decomposer.sources.code import found_modules
from decomposer.sources.models import ModelScan
from decomposer.sources.package_files import ModuleFiles
from decomposer.stages.import_graph import exclude_modules

__all__ = ["BESIDE_FROM", "CodeBeside"]

BESIDE_FROM = 2000  # module files found; below, the fork and the records sent back cost more than they save


class CodeBeside:
    """A context: the worker reading the code of `found` (left out: `patterns`) from its start."""

    def __init__(self, repo_dir: Path, found: ModuleFiles, patterns: tuple[str, ...], cache_dir: Path | None) -> None:
        self.repo_dir, self.found, self.patterns, self.cache_dir = repo_dir, found, patterns, cache_dir
        self.pool, self.first = None, None

    def __enter__(self) -> CodeBeside:
        if len(self.found.files) >= BESIDE_FROM and can_fork():
            self.pool, (self.first,) = forked(1, (self.repo_dir, self.found, self.patterns, self.cache_dir),
                                              _read_in_worker, (None,))
        return self

    def reader(self, modules: tuple[SourceModule, ...]) -> CodeReader | WorkerReader:
        """What reads the code of `modules` (the scan's, after the exclude patterns): the worker,
        when it read exactly these, else a `CodeReader` here."""
        if self.first is not None:
            try:
                read = self.first.result()
            except Exception:  # noqa: BLE001 - the worker died or failed: reading here says why, if it fails too
                read = None
            if read is not None and read[0] == modules:
                return WorkerReader(self, modules, read[1], read[2])
        return CodeReader(self.repo_dir, modules, self.cache_dir)

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if self.pool is not None:
            shut(self.pool, stopping=kind is not None)


class WorkerReader:
    """`CodeReader`'s answers from the worker: the traits and names it read, the models scan asked of it."""

    def __init__(self, beside: CodeBeside, modules: tuple[SourceModule, ...], traits: tuple[ModuleTraits, ...],
                 names: tuple[ModuleNames, ...]) -> None:
        self.beside, self.modules, self._traits, self._names = beside, modules, traits, names

    def traits(self) -> tuple[ModuleTraits, ...]:
        return self._traits

    def names(self) -> tuple[ModuleNames, ...]:
        return self._names

    def models(self, kept: tuple[SourceModule, ...]) -> ModelScan:
        """`CodeReader.models(kept)`, by the worker (which holds the parsed files); here if it failed."""
        assert self.beside.pool is not None
        try:
            return self.beside.pool.submit(_models_in_worker, kept).result()
        except Exception:  # noqa: BLE001 - as in `CodeBeside.reader`
            return CodeReader(self.beside.repo_dir, self.modules, self.beside.cache_dir).models(kept)


_READER: CodeReader | None = None  # the worker's reader, kept for the models scan


def _read_in_worker(_: None) -> tuple[tuple[SourceModule, ...], tuple[ModuleTraits, ...],
                                      tuple[ModuleNames, ...]]:
    global _READER
    repo_dir, found, patterns, cache_dir = shared()
    modules = exclude_modules(CodeScan(found_modules(repo_dir, found), (), ()), patterns)[0]
    _READER = CodeReader(repo_dir, modules, cache_dir)
    return modules, _READER.traits(), _READER.names()


def _models_in_worker(kept: tuple[SourceModule, ...]) -> Any:
    assert _READER is not None
    return _READER.models(kept)
