"""The vocabulary shared by every stage: small frozen records, no behaviour of note.

Paths inside records are repository-relative POSIX strings so that reports are the same on
every machine; dotted module names are `str` and called `module`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Analysis",
    "AnalysisWarning",
    "CodeScan",
    "ImportEdge",
    "Layout",
    "ModuleRecord",
    "Repository",
    "SourceModule",
]


@dataclass(frozen=True, slots=True)
class AnalysisWarning:
    """Something in the analysed repo that decomposer could not use as it is."""

    path: str  # repository-relative file the warning is about; "" when it is about the whole run
    message: str


@dataclass(frozen=True, slots=True)
class Layout:
    """Which packages are analysed, where they live, and why they were chosen."""

    source_root: str  # repository-relative folder on the import path; "." for the repo root
    packages: tuple[str, ...]  # top-level package names, sorted
    reason: str  # one plain sentence, shown to the user


@dataclass(frozen=True, slots=True)
class SourceModule:
    """One Python module of the analysed packages, as found on disk."""

    module: str
    path: str  # repository-relative file: .../name.py or .../name/__init__.py
    loc: int  # lines that are neither blank nor only a comment
    is_package: bool


@dataclass(frozen=True, slots=True)
class ImportEdge:
    """Every import statement in `importer` that imports `imported`."""

    importer: str
    imported: str
    lines: tuple[int, ...]  # line numbers in the importer, ascending, one per statement

    @property
    def count(self) -> int:
        """The number of import statements (the edge weight used everywhere)."""
        return len(self.lines)


@dataclass(frozen=True, slots=True)
class CodeScan:
    """What the static scan of the code found, before any filtering."""

    modules: tuple[SourceModule, ...]  # sorted by module
    imports: tuple[ImportEdge, ...]  # sorted by (importer, imported)
    warnings: tuple[AnalysisWarning, ...]


@dataclass(frozen=True, slots=True)
class ModuleRecord:
    """One analysed module with its import-graph figures."""

    module: str
    path: str
    package: str  # the module's group in the current package layout (see `package_of`)
    loc: int
    fan_in: int  # distinct analysed modules that import this one
    fan_out: int  # distinct analysed modules this one imports
    imports_in: int  # import statements in other modules that import this one
    imports_out: int  # import statements in this module that import analysed modules


@dataclass(frozen=True, slots=True)
class Repository:
    """The analysed repository as the report names it."""

    path: str  # absolute path as given by the user, resolved
    head: str | None  # commit sha of HEAD, or None outside git or in an empty repo
    layout: Layout


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything one run of `decomposer analyze` found; reports are views of this."""

    repository: Repository
    modules: tuple[ModuleRecord, ...]  # sorted by module
    imports: tuple[ImportEdge, ...]  # between analysed modules, sorted by (importer, imported)
    excluded: tuple[str, ...]  # modules left out by the exclude patterns, sorted
    exclude_patterns: tuple[str, ...]
    package_depth: int  # the depth `ModuleRecord.package` was cut at
    warnings: tuple[AnalysisWarning, ...]
