"""The models source: which tables the code owns, how they link, and which modules use them.

Everything comes from `ast` alone: the analysed code is never imported, Django settings are
never loaded and no database is touched. The result is a documented lower bound; the
details of each part are in `models_django`, `models_django_fields`, `models_sqlalchemy`,
`models_sqlalchemy_links` and `models_usage`. What the scan reads of each module besides the
bodies of possible model classes is taken once into small records (`models_ast.read_symbols`,
`models_facts.orm_facts`), which the results cache keeps per file.

Detected:
- Django models: classes deriving from `models.Model` however imported (GIS too), from a known
  abstract base (`AbstractUser`, `MPTTModel`, `ClusterableModel`, any `Abstract*`), from a
  contrib model (`User`), from a third-party `<app>.models` class when the body has a Meta or
  a `django.db.models` field, or from another model class, followed through imports,
  `__init__` re-exports and `from x import *`. `Meta.abstract`/`proxy`/`app_label`/`db_table`;
  app labels from `AppConfig.label`/`name` or the app package's name; `<app_label>_<model>`
  tables by default.
- Django relations: `ForeignKey`, `OneToOneField`, `ManyToManyField` and any field class named
  so (`TreeForeignKey`, `ParentalKey`, analysed subclasses), `Model.add_to_class(...)`; targets
  given as a class, "app_label.Model", "Model", "self", `settings.AUTH_USER_MODEL`,
  `get_user_model()` or `swapper.get_model_name("app", "Model")`; `through=`; abstract bases'
  fields copied into each concrete model; multi-table inheritance and proxies (`inherit`);
  `GenericForeignKey`, `GenericRelation`, `TaggableManager` (`generic`); targets outside the
  analysed code as external tables.
- SQLAlchemy declarative and Flask-SQLAlchemy models, `__tablename__`/`__table__`, the
  Flask-SQLAlchemy snake_case default, single-table and joined inheritance, `ForeignKey`s
  (mixins and `__table_args__` too), association tables and `relationship()`.
- Uses of models by modules (`query`) and atomic blocks that reach two or more apps
  (`transaction`), as `models_usage` lists them.
- AUTH_USER_MODEL from analysed modules with "settings" in their name; when none sets it,
  from `*settings*.py` files and `settings/` folders up to two levels under the repository.

Missed:
- Models built at run time (`type(...)`, factories, fields set in loops or with `setattr`);
  classes deriving from a third-party model base that is neither in the known list nor in a
  `models` module; fields and managers contributed by third-party bases (django-tree-queries'
  `parent`, django-simple-history's historical models); `Meta` options inherited through
  `class Meta(Base.Meta)`; app labels set only by an AppConfig outside the app package;
  swappable models other than AUTH_USER_MODEL; targets computed by functions
  (`get_image_model_string()`) become warnings.
- SQLAlchemy: classical `mapper()` mappings, Core tables used without classes (other than
  association tables), `__tablename__` computed by `declared_attr`, sqlalchemy-utils'
  `generic_relationship`, foreign keys to `Column` objects held in variables, `schema=`.
- Queries through variables (`qs = Model.objects.all(); qs.filter(a__b=1)`, `M =
  apps.get_model(...); M.objects...`: only the `get_model` itself counts), related managers of
  rows (`project.tasks.filter(...)`), `self.model`/`cls` in managers and classmethods, raw
  SQL, queries on models outside the analysed code (except through `get_user_model()`).
- Transactions: only uses written inside the block count, not those in the functions it
  calls; `atomic` kept in a variable; `session.commit()` boundaries.
"""

from __future__ import annotations

import stat
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from decomposer.model import AnalysisWarning, SourceModule
from decomposer.sources.models_ast import (
    Log,
    ModuleSymbols,
    Namespace,
    OrmModels,
    ParsedModule,
    parse_file,
    parse_modules,
    top_level,
)
from decomposer.sources.models_django import scan_django
from decomposer.model import DataLink, ModelScan, Table
from decomposer.sources.models_facts import OrmFacts, is_djangos_own, orm_facts, settings_values
from decomposer.sources.models_sqlalchemy import scan_sqlalchemy
from decomposer.sources.models_usage import Finder, module_usage

__all__ = ["DataLink", "ModelScan", "OrmScan", "Table", "finder", "model_scan", "orm_shape", "scan_models",
           "scan_orm", "settings_files", "shapeless"]

_DEFAULT_USER_MODEL = "auth.User"
_SETTINGS_GLOBS = ("*settings*.py", "settings/*.py", "*/*settings*.py", "*/settings/*.py")


def scan_models(
    repo_dir: Path, modules: tuple[SourceModule, ...], *, auth_user_model: str | None = None,
    parsed: tuple[tuple[ParsedModule, ...], tuple[AnalysisWarning, ...]] | None = None,
) -> ModelScan:
    """Read the ORM models of the analysed modules, the links between them and their uses.

    Args:
        repo_dir: the repository; `SourceModule.path` is relative to it.
        modules: the analysed modules (their files are read, never imported).
        auth_user_model: Django's AUTH_USER_MODEL ("users.User") when the caller knows it;
            None reads it from settings modules, else Django's default "auth.User".
        parsed: `parse_modules` of these modules or of more, when the caller has parsed them
            already (the traits scan reads the same trees); None parses them here.

    Returns:
        Tables (external models included), links and warnings, each sorted.

    Example:
        >>> scan = scan_models(Path("shop"), code_scan.modules)
        >>> [link.target for link in scan.links if link.kind == "fk" and link.source == "orders.Order"]
        ['auth.User', 'catalog.Product']
    """
    if parsed is None:
        parsed = parse_modules(repo_dir, modules)
    wanted = {source.module for source in modules}
    paths = {source.path for source in modules}
    parsed, unreadable = (tuple(module for module in parsed[0] if module.module in wanted),
                          tuple(warning for warning in parsed[1] if warning.path in paths))
    namespace = Namespace(parsed)
    orm, _ = scan_orm(namespace, tuple(orm_facts(module) for module in parsed), repo_dir, auth_user_model)
    found = finder(namespace, orm)
    return model_scan(orm, tuple(link for module in parsed for link in module_usage(module, found)[0]), unreadable)


@dataclass(frozen=True, slots=True)
class OrmScan:
    """What the models scan finds across modules (`scan_orm`), before each module's queries."""

    django: OrmModels
    sqlalchemy: OrmModels
    warnings: tuple[AnalysisWarning, ...]  # about the settings (AUTH_USER_MODEL)
    user_model: str  # the identity of AUTH_USER_MODEL


def scan_orm(namespace: Namespace, facts: tuple[OrmFacts, ...], repo_dir: Path,
             auth_user_model: str | None = None) -> tuple[OrmScan, Log]:
    """The Django and SQLAlchemy models of the modules in `namespace`, their tables and links, and
    what was asked of the namespace on the way (each name resolved, each class body and each
    whole tree read) so that a cached scan can be checked against a later namespace.

    Args:
        namespace: the analysed modules.
        facts: their `orm_facts`, in the namespace's order.
        repo_dir: the repository, whose settings files are read when no analysed settings
            module sets AUTH_USER_MODEL.
        auth_user_model: AUTH_USER_MODEL when the caller knows it (see `scan_models`).
    """
    with namespace.recording(Log()) as log:
        found: list[AnalysisWarning] = []
        written = auth_user_model or _auth_user_model(namespace, facts, repo_dir, found, log)
        django = scan_django(namespace, facts, written)
        sqlalchemy = scan_sqlalchemy(namespace, facts)
    user_model = next((table.model for table in django.tables
                       if table.model.lower() == written.lower()), written)
    return OrmScan(django, sqlalchemy, tuple(found), user_model), log


def orm_shape(symbols: ModuleSymbols, facts: OrmFacts) -> tuple:
    """What `scan_orm` reads of a module, besides what its names are bound to (read through
    `Namespace.qualify`) and its class bodies and whole tree (`Log.bodies`, `Log.trees`)."""
    return (symbols.path, symbols.is_package, tuple((record.name, record.bases) for record in symbols.classes),
            facts)


def shapeless(module: str, shape: tuple) -> bool:
    """Whether `scan_orm` reads nothing of a module of this `orm_shape` but whether its name is a
    module (`Namespace.is_module`, `is_analysed`): no class, no facts, not a `models` module, not
    Django's own code."""
    _, _, classes, facts = shape
    return not (classes or facts.settings or facts.roots or facts.associations or facts.relation_calls
                or facts.adds_fields or facts.tables or module.endswith(".models")
                or is_djangos_own(module))


def finder(namespace: Namespace, orm: OrmScan) -> Finder:
    """What finds each module's uses of the models `orm` found (`models_usage.module_usage`)."""
    return Finder(namespace, (orm.django, orm.sqlalchemy), orm.user_model)


def model_scan(orm: OrmScan, usage: tuple[DataLink, ...], unreadable: tuple[AnalysisWarning, ...]) -> ModelScan:
    """The scan's record: the models and links of `orm`, the query and transaction links of every
    module (`usage`, in any order) and the warnings about files left out, each sorted."""
    links = sorted(set(orm.django.links + orm.sqlalchemy.links + usage), key=_link_order)
    warnings = set(unreadable) | set(orm.warnings) | set(orm.django.warnings) | set(orm.sqlalchemy.warnings)
    return ModelScan(
        tables=_with_externals(orm.django.tables + orm.sqlalchemy.tables, links),
        links=tuple(links),
        warnings=tuple(sorted(warnings, key=lambda warning: (warning.path, warning.message))),
    )


def _auth_user_model(namespace: Namespace, facts: tuple[OrmFacts, ...], repo_dir: Path,
                     warnings: list[AnalysisWarning], log: Log) -> str:
    """AUTH_USER_MODEL as the settings write it, or Django's default."""
    values = [(namespace.path_of(module.module), value) for module in facts for value in module.settings]
    if not values:
        log.settings_files = True
        for relative in settings_files(repo_dir):
            tree, _ = parse_file(repo_dir / relative)
            values += [(relative, value) for value in settings_values(top_level(tree))] if tree else []
    if not values:
        return _DEFAULT_USER_MODEL
    counts = Counter(value for _, value in values)
    chosen = sorted(counts, key=lambda value: (-counts[value], value))[0]
    if len(counts) > 1:
        others = ", ".join(f"{value} ({path})" for path, value in values if value != chosen)
        warnings.append(AnalysisWarning("", f"settings disagree on AUTH_USER_MODEL; {chosen} is used, not {others}"))
    return chosen


def settings_files(repo_dir: Path) -> tuple[str, ...]:
    """The repository's settings files near its root (where AUTH_USER_MODEL is looked up when no
    analysed settings module writes it), repository-relative and sorted."""
    return tuple(sorted({path.relative_to(repo_dir).as_posix() for pattern in _SETTINGS_GLOBS
                         for path in repo_dir.glob(pattern) if _plain_file_inside(path, repo_dir)}))


def _plain_file_inside(path: Path, repo_dir: Path) -> bool:
    """A regular file reached through no symlink: never a FIFO, a device or a link out of the repo."""
    try:
        steps = [path, *path.relative_to(repo_dir).parents]
        if any((repo_dir / step if not step.is_absolute() else step).is_symlink() for step in steps):
            return False
        return stat.S_ISREG(path.lstat().st_mode)
    except (OSError, ValueError):
        return False


def _with_externals(tables: tuple[Table, ...], links: list[DataLink]) -> tuple[Table, ...]:
    """The tables, and an external one for every model a link names that no class defines."""
    by_model = {table.model: table for table in tables}
    for link in links:
        for model in (link.target,) if link.kind in ("query", "transaction") else (link.source, link.target):
            if model not in by_model:
                # Django's "app_label.Model"; the SQLAlchemy scan lists its own external tables.
                by_model[model] = Table(model, "", model.partition(".")[0], "", "", 0, "external", "django")
    return tuple(by_model[model] for model in sorted(by_model))


def _link_order(link: DataLink) -> tuple:
    return (link.kind, link.source, link.target, link.path, link.line, link.field, link.through)
