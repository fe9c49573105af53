"""The vocabulary shared by every stage: small frozen records, no behaviour of note.

Paths inside records are repository-relative POSIX strings so that reports are the same on
every machine; dotted module names are `str` and called `module`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

__all__ = [
    "OUTSIDE_TESTS",
    "RuntimeCall",
    "RuntimeTrace",
    "UseCase",
    "ALGORITHMS",
    "BORDERLINE",
    "CUT",
    "DATA_PATTERNS",
    "DEFAULT_SIGNAL_WEIGHTS",
    "EXTRACT",
    "GRANULARITIES",
    "HISTORY_SIGNALS",
    "HOTSPOTS",
    "LINK_KINDS",
    "RELATION_KINDS",
    "TABLE_KINDS",
    "LinkKind",
    "TableKind",
    "DataLink",
    "ModelScan",
    "Table",
    "KERNEL",
    "SPLIT_DATA",
    "SPLIT_MODULE",
    "STEP_KINDS",
    "DataCut",
    "MIGRATION",
    "NOT_SERVICES",
    "ROLES",
    "TEST",
    "TOOLING",
    "ModuleRole",
    "ModuleTraits",
    "Definition",
    "ModuleNames",
    "Role",
    "LIBRARY",
    "PARTITIONS",
    "SERVICE",
    "SPLIT",
    "STEP_KINDS",
    "SIGNALS",
    "Algorithm",
    "Granularity",
    "Hotspot",
    "PartitionName",
    "ServiceKind",
    "StepKind",
    "Analysis",
    "AnalysisWarning",
    "BrittleModule",
    "CheckResult",
    "CoChange",
    "CodeScan",
    "Detection",
    "KernelRule",
    "Proposal",
    "QualityFigures",
    "Service",
    "Stability",
    "Commit",
    "CouplingThresholds",
    "FileChange",
    "HistorySummary",
    "HistoryWindow",
    "ImportEdge",
    "ImportSite",
    "Plan",
    "PlanInputs",
    "PlanStep",
    "Planning",
    "Scoring",
    "Layout",
    "PairChange",
    "MinedHistory",
    "ModuleChurn",
    "ModuleRecord",
    "RepoState",
    "Repository",
    "SourceModule",
    "ASSIGNMENT_SCHEMA",
    "Assignment",
    "AssignmentFigures",
    "crosses",
    "crossing_counts",
    "DependencyGraph",
    "GraphEdge",
    "GraphNode",
    "LiteratureFigures",
    "link_modules",
]

# The vocabulary every layer shares: written here once, imported everywhere else.
KERNEL = "shared"  # the shared kernel: its name and its kind (a library candidate, not a service)
TOOLING = "tooling"  # developer tooling (lint plugins, scripts, settings): its name and its kind
SERVICE = "service"
ServiceKind = Literal["service", "shared", "tooling"]
NOT_SERVICES = frozenset({KERNEL, TOOLING})  # groups reported beside the services, never extracted
# What a module's own code says it is (docs/concepts.md): tests and migrations are left out,
# tooling is kept apart from the services.
TEST, MIGRATION = "test", "migration"
ROLES: tuple[str, ...] = (TEST, MIGRATION, TOOLING)
Role = Literal["test", "migration", "tooling"]
LIBRARY, CUT, EXTRACT, SPLIT = "library", "cut", "extract", "split"
SPLIT_DATA, SPLIT_MODULE = "split-data", "split-module"
STEP_KINDS: tuple[str, ...] = (LIBRARY, SPLIT_DATA, SPLIT, SPLIT_MODULE, CUT, EXTRACT)
# publish the kernel, give the kernel's tables owners, split a facade module, split a models
# module by its tables' owners, break a cycle, extract a service
StepKind = Literal["library", "split-data", "split", "split-module", "cut", "extract"]
ALGORITHMS: tuple[str, ...] = ("louvain", "greedy", "label-propagation", "leiden")
Algorithm = Literal["louvain", "greedy", "label-propagation", "leiden"]
GRANULARITIES: tuple[str, ...] = ("module", "package")
Granularity = Literal["module", "package"]  # move single modules, or whole sub-packages
OUTSIDE_TESTS = "(outside tests)"  # a trace's calls made while no test ran (imports, collection): no use case
BORDERLINE = 0.8  # a module with its service in fewer consensus runs than this is borderline
PARTITIONS: tuple[str, ...] = ("proposed", "package_layout", "random")  # measured side by side
PartitionName = Literal["proposed", "package_layout", "random"]
HOTSPOTS: tuple[str, ...] = ("hot and central", "hot", "central", "calm")  # churn x centrality
Hotspot = Literal["hot and central", "hot", "central", "calm"]
# Brittleness signals and their default weights (docs/metrics.md).
DEFAULT_SIGNAL_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("commits", 1.5),  # churn is the strongest single predictor of defects
    ("sum_of_coupling", 1.0),
    ("fan_in", 1.0),
    ("betweenness", 1.0),
    ("fan_out", 1.0),
    ("cycle_size", 0.5),
    ("lines_changed", 0.5),
    ("recent_commits", 0.5),
    ("authors", 0.5),
    ("loc", 0.5),
)
SIGNALS: tuple[str, ...] = tuple(name for name, _ in DEFAULT_SIGNAL_WEIGHTS)
# The models scan (docs/concepts.md, "Data ownership").
TABLE_KINDS: tuple[str, ...] = ("concrete", "abstract", "proxy", "external")
TableKind = Literal["concrete", "abstract", "proxy", "external"]
RELATION_KINDS: tuple[str, ...] = ("fk", "o2o", "m2m", "inherit", "generic")  # between two models
LINK_KINDS: tuple[str, ...] = RELATION_KINDS + ("query", "transaction")  # + a module using a model
LinkKind = Literal["fk", "o2o", "m2m", "inherit", "generic", "query", "transaction"]
# The way out of each kind of crossing data link (Newman, *Monolith to Microservices*, ch. 4;
# Richardson's saga pattern), as the plan suggests it.
DATA_PATTERNS: dict[str, str] = {
    "fk": "keep the ID, drop the foreign key; read the row through the owner's API or a copy fed by its events",
    "o2o": "keep the ID, drop the one-to-one key; read the row through the owner's API or a copy fed by its events",
    "m2m": "move the join table to one side; the other keeps a list of IDs",
    "inherit": "split the table: the child keeps its own table keyed by the parent's ID",
    "generic": "store (type, ID) pairs and resolve them through the owners' APIs",
    "query": "re-route the join through the owner's API, or read a view or replica it publishes",
    "transaction": "turn the transaction into a saga, each step with a compensating action",
}
ASSIGNMENT_SCHEMA = "decomposer-assignment/1"  # the assignment file's format (docs/assignments.md)
HISTORY_SIGNALS = frozenset({"commits", "sum_of_coupling", "lines_changed", "recent_commits", "authors"})


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
    names: tuple[str, ...] = ()  # names taken from `imported` (`from m import a, b`); () for the module

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
    # imports grimp would cut to make each package's children acyclic, sorted
    cycle_breakers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Table:
    """One ORM model: the table it owns, or why it owns none."""

    model: str  # identity: "app_label.ModelName" (Django) or "module.ClassName" (SQLAlchemy)
    table: str  # database table; a proxy's is its parent's; "" for abstract and external models
    app: str  # Django app label; for SQLAlchemy the defining module; external: the label it names
    module: str  # the defining module; "" for external models
    path: str  # repository-relative file of the class; "" for external models
    line: int  # line of the `class` statement; 0 for external models
    # concrete: owns a table | abstract: no table, its fields are copied into subclasses |
    # proxy: shares its parent's table (Django proxy, SQLAlchemy single-table inheritance) |
    # external: referred to by analysed code but defined elsewhere (auth.User, a third-party app)
    kind: TableKind
    orm: str  # "django" | "sqlalchemy"
    parent: str = ""  # proxy: the model whose table it shares; "" otherwise
    service: str = ""  # the service that owns the table (set once services are proposed)


@dataclass(frozen=True, slots=True)
class DataLink:
    """One statement that ties a model to another model, or a module to a model.

    kind   source                          target
    fk     the model holding the field     the model it points to (ForeignKey, SQLAlchemy FK)
    o2o    the model holding the field     the model it points to (OneToOneField)
    m2m    the model holding the field     the other model (ManyToManyField, association table)
    inherit the subclass                   the non-abstract model it derives from (one-to-one
                                           for Django multi-table and SQLAlchemy joined tables;
                                           the same table for proxies and single-table classes)
    generic the model holding the field    contenttypes.ContentType (GenericForeignKey), the
                                           related model (GenericRelation) or taggit.Tag
    query  the module that uses the model  the model it queries, creates or reaches by a lookup
    transaction the module of the block    one model touched by an atomic block that touches
                                           models of two or more apps (one link per model)
    """

    kind: LinkKind
    source: str
    target: str
    module: str  # the module that holds the statement
    path: str  # its repository-relative file
    line: int  # the field, class, expression, `with` or decorator line
    # relations: the field or attribute name; query: how the model is reached (`objects`,
    # a manager, `init`, `get_model`, `query`, `select`, or the lookup path `project__owner`);
    # transaction: the function that holds the block ("" at module level)
    field: str = ""
    through: str = ""  # m2m: the through model or association table; "" when the ORM makes it
    crossing: bool = False  # source and target belong to different proposed services
    import_visible: bool = False  # an import joins the two modules, so the import graph shows it


@dataclass(frozen=True, slots=True)
class ModelScan:
    """What the static scan of the ORM models found; every tuple is sorted."""

    tables: tuple[Table, ...]  # by model identity
    links: tuple[DataLink, ...]  # by kind, source, target, path, line
    warnings: tuple[AnalysisWarning, ...]  # by path, then message


@dataclass(frozen=True, slots=True)
class Definition:
    """One top-level class or function of a module, or a name it re-exports (sources/definitions.py)."""

    name: str
    line: int  # its first line (a decorator's, when decorated)
    lines: int  # its length in lines; 0 for a re-export (`from m import name` at the top)
    uses: tuple[tuple[str, str], ...]  # (module, name) of analysed names it refers to, sorted; "*": a whole module


@dataclass(frozen=True, slots=True)
class ModuleNames:
    """A module's top-level definitions and every analysed name its code refers to."""

    module: str
    definitions: tuple[Definition, ...]  # by name
    uses: tuple[tuple[str, str], ...]  # (module, name), sorted


@dataclass(frozen=True, slots=True)
class ModuleTraits:
    """What one module's own code shows, read with `ast` (sources/traits.py)."""

    module: str
    test: bool  # a TestCase subclass, a pytest `Test...` class, or `test_` functions with a test import
    migration: bool  # a Django `Migration(migrations.Migration)` class, or alembic's revision ids
    lint_plugin: bool  # imports a linter (pylint, astroid, flake8, ...): production code never does
    script: bool  # has `if __name__ == "__main__":`
    reexport: bool = False  # only imports (and `__all__`): a shim that re-exports other modules' names
    constants: bool = False  # only imports and UPPER_CASE assignments (in if/try too): a settings file


@dataclass(frozen=True, slots=True)
class ModuleRole:
    """A module that is not production code, and why (stages/roles.py)."""

    module: str
    role: Role
    reason: str  # a short phrase: "a Django Migration class", "in a test package `unittests`"


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
class LogWalk:
    """The start of `git log <head>` as the git source lists it: every commit, in git's order.

    What the history cache keeps: the window's commits, those skipped as newer than `until`,
    and the first commit past the window's edge, so the same window (or a later HEAD's) can be
    cut from it again without running git over these commits.
    """

    head: str  # the commit the walk starts from
    commits: tuple[Commit, ...]  # in the order git lists them (newest first, by committer date)
    complete: bool  # git listed every commit there is: nothing lies past the last one


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
    recent_commits: int = 0  # commits in the last `recent_days` of the window


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
class KernelRule:
    """When a module belongs to the shared kernel rather than to a service (docs/concepts.md)."""

    min_packages: int = 3  # it is imported from at least this many other packages
    min_outside_share: float = 0.75  # and at least this share of its importers are outside its package
    max_instability: float = 0.25  # and it imports little: Ce / (Ca + Ce) at most this


@dataclass(frozen=True, slots=True)
class Detection:
    """How services are proposed: the coupling graph's mix and the community detection."""

    algorithm: Algorithm = "louvain"
    resolution: float = 1.0
    target_services: int | None = None  # search the resolution that gives about this many
    seed: int = 42
    structural_weight: float = 1.0
    cochange_weight: float = 1.0
    data_weight: float = 0.5  # relations between tables, queries, transactions (stages/data.py; docs/metrics.md)
    runtime_weight: float = 0.0  # calls recorded by `decomposer trace`; 0: measured, not clustered on
    min_service_size: int = 3  # smaller groups merge into their most coupled neighbour
    min_service_share: float = 0.005  # services under this share of the analysed lines merge too
    max_service_share: float = 0.3  # services over this share of the lines are detected again alone
    granularity: Granularity = "module"
    consensus_runs: int = 200  # seeded detections whose consensus is the proposal (docs/concepts.md)
    consensus_threshold: float = 0.5  # co-assignment share below which a pair is not held together
    stability_runs: int = 2  # extra full runs under far-apart seeds, to measure stability
    kernel: KernelRule = KernelRule()
    together: tuple[tuple[str, ...], ...] = ()  # module patterns that must share a service
    verticals: bool = True  # find technical layers; name services after the domain they hold (stages/layers.py)
    vertical_tie: float = 0.0  # couple a domain's slices by this many median edge weights (0: not at all)
    apart: tuple[tuple[str, ...], ...] = ()  # module patterns whose modules must not
    ned_bounds: tuple[int, int] = (5, 20)  # a service of this many modules is "non-extreme" (NED)


@dataclass(frozen=True, slots=True)
class Scoring:
    """How brittleness is scored: the weight of each signal (docs/metrics.md)."""

    weights: tuple[tuple[str, float], ...] = DEFAULT_SIGNAL_WEIGHTS  # (signal, weight), SIGNALS order


@dataclass(frozen=True, slots=True)
class Planning:
    """How the extraction plan is packed."""

    capacity: int = 30  # change points per sprint (docs/concepts.md): a guess to calibrate


@dataclass(frozen=True, slots=True)
class Service:
    """A proposed service, or the shared kernel (a library candidate)."""

    name: str
    kind: ServiceKind
    modules: tuple[str, ...]  # sorted
    loc: int
    packages: tuple[tuple[str, int], ...]  # layout packages it draws on: (package, modules), most first


@dataclass(frozen=True, slots=True)
class QualityFigures:
    """How good a partition of the modules is (formulas in docs/metrics.md)."""

    groups: int
    modularity: float  # Newman's Q on the coupling graph; higher is better
    sm: float  # structural modularity; higher is better
    icp: float  # inter-call percentage; lower is better
    ifn: float  # interface number; lower is better
    ned: float  # non-extreme distribution; lower is better
    cochange_cohesion: float | None  # share of change coupling inside groups; None without history
    largest_share: float  # the largest group's share of the modules
    crossing_data_links: int | None = None  # data links between groups; None without ORM models
    crossing_data_share: float | None = None  # their share of all data links between modules
    bcp: float | None = None  # business context purity (Mono2Micro); lower is better; None without traces
    crossing_runtime_share: float | None = None  # share of recorded calls between groups; None without traces


@dataclass(frozen=True, slots=True)
class Stability:
    """How much the proposal changes when only the seed changes."""

    seeds: tuple[int, ...]  # the extra seeds run
    mean_ari: float  # adjusted Rand index against the proposal, averaged over the seeds
    min_ari: float
    moving: tuple[tuple[str, int], ...]  # (module, runs in which it landed elsewhere), most first


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposed services with their quality, side by side with the baselines."""

    detection: Detection
    resolution: float  # the resolution used (searched when a service count was asked for)
    services: tuple[Service, ...]  # services by size, then the shared kernel last
    quality: tuple[tuple[PartitionName, QualityFigures], ...]  # in PARTITIONS order
    stability: Stability | None
    confidence: tuple[tuple[str, float], ...] = ()  # (module, share of consensus runs with its service)
    verticals: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (domain, its slices across the layers)
    platform: tuple[str, ...] = ()  # modules imported by most slices of their layer, sorted
    split: tuple[str, ...] = ()  # multi-domain modules detected name by name (stages/splits.py), sorted


@dataclass(frozen=True, slots=True)
class BrittleModule:
    """How brittle one module is: its signals, its score and rank, and why, in plain words."""

    module: str
    instability: float  # Ce / (Ca + Ce); 0 for a module with no imports either way
    betweenness: float  # share of shortest import paths through it (sampled when large)
    cycle_size: int  # modules in its import cycle (strongly connected component); 0 if none
    cycle_breakers: tuple[str, ...]  # its imports grimp nominates to cut a package cycle
    services_importing: int  # other services whose modules import it (the kernel is no service)
    services_imported: int  # other services it imports from
    fan_in_across: int  # modules of other services that import it
    fan_out_across: int  # modules of other services it imports
    imports_in_across: int  # the same two counted in import statements
    imports_out_across: int
    score: float  # in [0, 1]: weighted mean of the signals' percentile ranks
    rank: int  # 1 is the most brittle
    hotspot: Hotspot
    reasons: tuple[str, ...]  # plain sentences with the figures behind the score, strongest first


@dataclass(frozen=True, slots=True)
class ImportSite:
    """Import statements in one module that import another: what a step must cut or re-route."""

    importer: str
    imported: str
    path: str  # the importer's file, repository-relative
    lines: tuple[int, ...]
    names: tuple[str, ...]  # () when the whole module is imported

    @property
    def count(self) -> int:
        return len(self.lines)


@dataclass(frozen=True, slots=True)
class DataCut:
    """A data link that a plan step must cut, and how (Newman, *Monolith to Microservices*, ch. 4)."""

    kind: LinkKind
    source: str  # the model holding the relation, or the module that queries
    target: str  # the model it reaches
    path: str  # file:line of the statement
    line: int
    outbound: bool  # True: the step's own side depends on the monolith's table; False: the reverse
    pattern: str  # the suggested way out: an ID and an API call, an event, a view, a saga


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of the strangler-fig plan: publish the kernel, break a cycle, or extract a service."""

    order: int
    kind: StepKind
    service: str  # the service extracted; for a cut, the services of the cycle joined by " <-> "
    modules: tuple[str, ...]
    cost: int  # change points (docs/concepts.md): statements to cut or re-route, modules to move
    benefit: float  # percent of the window's commits that touched these modules
    outbound: tuple[ImportSite, ...]  # imports it still makes into the remaining monolith
    inbound: tuple[ImportSite, ...]  # imports from the remaining monolith into it
    cuts: tuple[ImportSite, ...]  # imports this step removes (cut steps)
    surface: tuple[str, ...]  # names other code imports from it: "module: a, b" or "module"
    risk: tuple[tuple[str, float], ...]  # its most brittle modules with their scores
    rationale: str
    sprint: int  # first sprint of the step
    sprints: int  # sprints it spans: more than 1 when it is larger than a sprint
    data_cuts: tuple[DataCut, ...] = ()  # data links the step must cut, each with a pattern
    runtime_calls: int | None = None  # recorded calls across its boundary (both ways); None without traces
    runtime_use_cases: tuple[str, ...] = ()  # recorded use cases that run on both sides of it


@dataclass(frozen=True, slots=True)
class Plan:
    """The incremental extraction plan, in order, packed into sprints."""

    capacity: int  # change points per sprint
    steps: tuple[PlanStep, ...]
    cycles: tuple[tuple[str, ...], ...]  # services that import each other in a cycle
    outbound_weight: int  # import statements from each extracted service into the rest, summed
    reverse_outbound_weight: int  # the same for the extractions in reverse order


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What the extraction plan is computed from (built from an `Analysis`, fresh or saved)."""

    services: tuple[Service, ...]  # the proposal; the one of kind KERNEL is the kernel
    imports: tuple[ImportEdge, ...]  # between analysed modules
    paths: dict[str, str]  # module -> file, for the file:line of every import site
    commits: dict[str, int]  # module -> commits in the window; empty without history
    loc: dict[str, int]  # module -> lines of code
    brittleness: dict[str, float]  # module -> brittleness score
    tables: tuple[Table, ...] = ()  # with their owning service
    data_links: tuple[DataLink, ...] = ()  # with `crossing` set
    split: tuple[str, ...] = ()  # multi-domain modules to split like facades (Proposal.split)


@dataclass(frozen=True, slots=True)
class PairChange:
    """Crossing import statements from one service into another: in the saved analysis, and now."""

    source: str
    target: str
    before: int
    after: int

    @property
    def grew(self) -> bool:
        return self.after > self.before


@dataclass(frozen=True, slots=True)
class CheckResult:
    """`decomposer check`: today's crossing imports against a saved analysis."""

    pairs: tuple[PairChange, ...]  # grown pairs first, then by name
    steps: tuple[tuple[int, str, int, int], ...]  # (order, service, before, after) per extraction step
    new_modules: tuple[tuple[str, str], ...]  # (module, service it was given) for modules not analysed then

    @property
    def grew(self) -> bool:
        return any(pair.grew for pair in self.pairs)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Every module's service, as a person decided it (an edited proposal; docs/assignments.md)."""

    services: tuple[tuple[str, str], ...]  # (module, service), sorted by module; KERNEL: the kernel
    repository_head: str | None  # the HEAD the assignment was made against; None: unknown
    source: str  # where it was read from, for messages


@dataclass(frozen=True, slots=True)
class AssignmentFigures:
    """The figures the review page recomputes after every move, computed here the same way."""

    crossing_imports: int  # import statements between services, the kernel left out (crossing_counts)
    icp: float  # inter-call percentage, the kernel a group like any other (stages/quality.py)
    crossing_data_links: int | None  # data links between groups (stages/data.crossing_data); None without models
    largest: str  # the service with most modules (the kernel left out); ties: the name
    largest_modules: int
    item_cost: int | None  # change points of the moved item in its service (docs/assignments.md)


@dataclass(frozen=True, slots=True)
class Repository:
    """The analysed repository as the report names it."""

    path: str  # absolute path as given by the user, resolved
    head: str | None  # commit sha of HEAD, or None outside git or in an empty repo
    layout: Layout


@dataclass(frozen=True, slots=True)
class RuntimeCall:
    """Calls from functions of `caller` into functions of `callee`, recorded while tests ran
    (`decomposer trace`; docs/concepts.md, "Runtime coupling")."""

    caller: str  # the nearest analysed module up the stack (see docs/concepts.md)
    callee: str
    calls: int  # over every use case
    use_cases: tuple[tuple[str, int], ...]  # (use case, calls in it), by use case


@dataclass(frozen=True, slots=True)
class UseCase:
    """One use case of a trace: a test file, a marker's name, or a wrapped command's name."""

    name: str
    modules: tuple[str, ...]  # analysed modules whose functions ran in it, sorted


@dataclass(frozen=True, slots=True)
class RuntimeTrace:
    """What one or more trace files recorded, merged and kept to the analysed modules."""

    sources: tuple[str, ...]  # the trace files read, as given
    heads: tuple[str, ...]  # the commits they were recorded at (may differ from the analysis's)
    use_cases: tuple[UseCase, ...]  # by name
    calls: tuple[RuntimeCall, ...]  # by (caller, callee); never a module with itself
    executed: tuple[str, ...]  # analysed modules whose functions ran in any use case, sorted
    without_functions: tuple[str, ...] = ()  # modules loaded that define no function (settings, __init__), sorted

    def use_cases_by_module(self) -> dict[str, tuple[str, ...]]:
        """Each module that ran in a use case, with those use cases, sorted (OUTSIDE_TESTS is none)."""
        found: dict[str, list[str]] = {}
        for use_case in self.use_cases:
            if use_case.name != OUTSIDE_TESTS:
                for module in use_case.modules:
                    found.setdefault(module, []).append(use_case.name)
        return {module: tuple(sorted(names)) for module, names in sorted(found.items())}

    def never_executed(self, modules: tuple[str, ...]) -> tuple[str, ...]:
        """Those of `modules` none of whose functions ran in any use case: dead code, or untested
        (a module that defines no function, such as settings or an `__init__`, is not listed)."""
        ran = set(self.executed) | set(self.without_functions)
        return tuple(sorted(module for module in modules if module not in ran))


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything one run of `decomposer analyze` found; reports are views of this."""

    repository: Repository
    modules: tuple[ModuleRecord, ...]  # sorted by module
    imports: tuple[ImportEdge, ...]  # between analysed modules, sorted by (importer, imported)
    excluded: tuple[str, ...]  # modules left out by the exclude patterns or their roles, sorted
    exclude_patterns: tuple[str, ...]
    package_depth: int  # the depth `ModuleRecord.package` was cut at
    warnings: tuple[AnalysisWarning, ...]
    history: HistorySummary | None = None  # None: analysed without git history
    churn: tuple[ModuleChurn, ...] = ()  # one per analysed module, sorted by module
    cochange: tuple[CoChange, ...] = ()  # sorted by degree desc, shared desc, then names
    sum_of_coupling: tuple[tuple[str, int], ...] = ()  # (module, soc), sorted by module
    proposal: Proposal | None = None
    brittleness: tuple[BrittleModule, ...] = ()  # sorted by rank
    plan: Plan | None = None
    tables: tuple[Table, ...] = ()  # ORM models found, by model identity, with their owner
    data_links: tuple[DataLink, ...] = ()  # relations, queries, transactions, with crossing set
    roles: tuple[ModuleRole, ...] = ()  # modules found to be tests, migrations or tooling, by module
    # How brittleness was scored, to score it again under other boundaries (`reassign`);
    # None in a saved analysis from before decomposer recorded it.
    scoring: Scoring | None = None
    recent_days: int | None = None  # the span of "recent" churn in the brittleness reasons
    runtime: RuntimeTrace | None = None  # calls recorded by `decomposer trace`; None: no trace read

    @property
    def service_of(self) -> dict[str, str]:
        """Each analysed module's proposed service (KERNEL for the kernel); empty without a proposal."""
        if self.proposal is None:
            return {}
        return {module: service.name for service in self.proposal.services for module in service.modules}

    @property
    def title(self) -> str:
        """`<folder> @ <head>`: how headings name the analysed repository."""
        name = PurePath(self.repository.path).name
        return f"{name} @ {(self.repository.head or 'no commit')[:12]}"


def crosses(source: str | None, target: str | None) -> bool:
    """Two different groups, neither the shared kernel: what a runtime call must join to cross a
    boundary (a call into or out of the kernel is a library call), in every figure and report."""
    return bool(source and target and source != target and KERNEL not in (source, target))


def crossing_counts(imports: tuple[ImportEdge, ...], service_of: dict[str, str],
                    kernel: str | None = KERNEL) -> Counter[tuple[str, str]]:
    """Import statements per (importing service, imported service): what crosses a boundary.

    Imports to or from `kernel` are left out (a library call crosses no boundary); pass None
    to count them too, as the service graph draws them.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for edge in imports:
        source, target = service_of.get(edge.importer), service_of.get(edge.imported)
        if source and target and source != target and kernel not in (source, target):
            counts[source, target] += edge.count
    return counts


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One node of a dependency graph read from a file (`decomposer analyze --graph`)."""

    node: str  # its name: a class, a module, a file; plays the part of a module everywhere
    path: str = ""  # repository-relative file, for git history; "" when unknown
    lines: int = 0  # lines of code; 0 when unknown
    group: str = ""  # its group in the current layout (package, folder); "" to derive one
    use_cases: tuple[str, ...] = ()  # use cases (business contexts) whose traces reach it, sorted


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """Calls, imports or references from one node to another, as a positive whole weight."""

    source: str
    target: str
    weight: int = 1
    kind: str = ""  # free text from the file (`call`, `import`, `local`...); "" when not given


@dataclass(frozen=True, slots=True)
class DependencyGraph:
    """A dependency graph read from a file: every node, every edge, sorted by name."""

    nodes: tuple[GraphNode, ...]  # every node an edge names, plus isolated nodes the file lists
    edges: tuple[GraphEdge, ...]  # one per (source, target): weights of repeated lines summed
    file_format: str  # csv | json | dot | dependency-cruiser


@dataclass(frozen=True, slots=True)
class LiteratureFigures:
    """One partition measured as the decomposition papers measure it (docs/metrics.md)."""

    groups: int
    bcp: float | None  # business context purity; lower is better; None without use cases
    icp: float  # inter-call percentage; lower is better
    sm: float  # structural modularity; higher is better
    ifn: float  # interface number; lower is better
    ned: float  # non-extreme distribution; lower is better
    turbo_mq: float  # higher is better (at most the number of groups)
    mojofm: float | None = None  # percent, against a reference decomposition; higher is better
    ari: float | None = None  # adjusted Rand index against the same reference
def link_modules(link: DataLink, module_of_model: dict[str, str]) -> tuple[str | None, str | None]:
    """The two modules a data link ties: the holder's (or user's) and the target model's."""
    source = module_of_model.get(link.source) if link.kind in RELATION_KINDS else link.module
    return source, module_of_model.get(link.target)
