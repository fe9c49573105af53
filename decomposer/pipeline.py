"""One run of `decomposer analyze`: the only place where the stages meet.

Principles: sources read the outside world and return plain records; stages are pure
functions of those records; reports only format an `Analysis`. Data flows in numbered steps:

1. check the path and discover the layout: which packages, under which source root;
2. scan the code with grimp: modules on disk and every import statement between them;
3. leave out excluded modules (tests, migrations, user patterns) and their imports;
4. build the import graph and one record per module (fan-in/out, package in the layout);
5. read HEAD so the report names the exact commit it describes.
"""

from __future__ import annotations

from collections.abc import Callable

from decomposer.config import Settings
from decomposer.errors import PackageNotFound
from decomposer.model import Analysis, Repository
from decomposer.sources.code import scan_code
from decomposer.sources.discovery import check_repo_path, discover_layout
from decomposer.sources.git import read_head
from decomposer.stages.import_graph import (
    build_import_graph,
    choose_package_depth,
    exclude_modules,
    module_records,
)

__all__ = ["run"]


def run(settings: Settings, progress: Callable[[str], None] = lambda message: None) -> Analysis:
    """Analyse the repository named in `settings`.

    Args:
        settings: the run's settings.
        progress: called with a short message as each step starts.

    Raises:
        DecomposerError: the input cannot be analysed; the message says why and what to do.
    """
    repo_dir = check_repo_path(settings.repo_path)
    layout = discover_layout(repo_dir, settings.packages, settings.source_root)
    progress(f"Scanning imports in {', '.join(layout.packages)} (source root: {layout.source_root})")
    scan = scan_code(
        repo_dir,
        (repo_dir / layout.source_root).resolve(),
        layout.packages,
        exclude_type_checking=settings.exclude_type_checking,
        cache_dir=settings.cache_dir,
    )
    modules, imports, excluded = exclude_modules(scan, settings.exclude_patterns)
    if not modules:
        raise PackageNotFound(
            f"all {len(excluded)} modules in {repo_dir} match the exclude patterns; "
            "check exclude or pass --no-default-excludes"
        )
    graph = build_import_graph(modules, imports)
    depth = settings.package_depth or choose_package_depth(modules, layout.packages)
    return Analysis(
        repository=Repository(path=str(repo_dir), head=read_head(repo_dir), layout=layout),
        modules=module_records(modules, graph, depth),
        imports=imports,
        excluded=excluded,
        exclude_patterns=settings.exclude_patterns,
        package_depth=depth,
        warnings=scan.warnings,
    )
