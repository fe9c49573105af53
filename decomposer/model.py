"""The vocabulary shared by every stage: small frozen records, no behaviour of note.

Paths inside records are repository-relative POSIX strings so that reports are the same on
every machine; dotted module names are `str` and called `module`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Analysis",
    "AnalysisWarning",
    "CoChange",
    "CodeScan",
    "Commit",
    "CouplingThresholds",
    "FileChange",
    "HistorySummary",
    "HistoryWindow",
    "ImportEdge",
    "Layout",
    "MinedHistory",
    "ModuleChurn",
    "ModuleRecord",
    "RepoState",
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
class RepoState:
    """What git says about the analysed folder before any history is read."""

    is_git: bool
    head: str | None  # commit sha of HEAD; None outside git or before the first commit
    head_time: int | None  # committer time of HEAD, Unix seconds
    shallow: bool  # a shallow clone: history stops at a grafted boundary
    partial: bool  # a partial clone: blobs may be missing, so line counts are unavailable


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file changed by one commit, as `git log --numstat` reports it."""

    path: str  # path after the commit, relative to the analysed folder
    added: int  # lines added; 0 for binary files and when git could not read the blobs
    deleted: int
    old_path: str | None = None  # the path before, when git detected a rename


@dataclass(frozen=True, slots=True)
class Commit:
    """One non-merge commit that changed analysed Python files."""

    sha: str
    timestamp: int  # committer time, Unix seconds (what `git log --since` compares)
    author: str  # opaque key derived from the author's e-mail; never the e-mail itself
    changes: tuple[FileChange, ...]


@dataclass(frozen=True, slots=True)
class HistoryWindow:
    """The stretch of history that was read, and why it was chosen."""

    since: int | None  # Unix seconds of the oldest commit time included; None: no commits
    until: int | None  # Unix seconds of the newest commit time allowed
    description: str  # one plain sentence, shown to the user


@dataclass(frozen=True, slots=True)
class MinedHistory:
    """What the git source read: the commits in the window, newest first."""

    commits: tuple[Commit, ...]
    window: HistoryWindow
    unreadable: tuple[str, ...]  # shas whose line counts git could not read (missing objects)
    warnings: tuple[AnalysisWarning, ...]


@dataclass(frozen=True, slots=True)
class CouplingThresholds:
    """Code Maat's filters for change coupling (see docs/metrics.md)."""

    min_revisions: int = 5  # a module needs this many commits to be coupled at all
    min_shared_commits: int = 5
    min_degree: float = 30.0  # percent
    max_changeset: int = 30  # commits touching more modules are ignored for coupling


@dataclass(frozen=True, slots=True)
class ModuleChurn:
    """How much and how often one module changed in the window."""

    module: str
    commits: int
    lines_added: int
    lines_deleted: int
    authors: int  # distinct authors
    first_change: int | None  # Unix seconds
    last_change: int | None


@dataclass(frozen=True, slots=True)
class CoChange:
    """Two modules that change together (a is the smaller name)."""

    a: str
    b: str
    shared_commits: int
    degree: float  # shared commits / mean of the two modules' commits, in percent


@dataclass(frozen=True, slots=True)
class HistorySummary:
    """The facts a reader needs to trust the history figures."""

    window: HistoryWindow
    commits_analyzed: int
    coupling_commits: int  # commits small enough to count for change coupling
    skipped_large_commits: int  # commits over `thresholds.max_changeset` modules
    shallow: bool
    unreadable_commits: tuple[str, ...]
    thresholds: CouplingThresholds


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
    history: HistorySummary | None = None  # None: analysed without git history
    churn: tuple[ModuleChurn, ...] = ()  # one per analysed module, sorted by module
    cochange: tuple[CoChange, ...] = ()  # sorted by degree desc, shared desc, then names
    sum_of_coupling: tuple[tuple[str, int], ...] = ()  # (module, soc), sorted by module
