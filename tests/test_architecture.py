"""decomposer keeps to its own layering (STYLE.md): checked with grimp, as import-linter does."""

from __future__ import annotations

import grimp
import pytest

LAYERS = (
    "decomposer.cli",
    "decomposer.pipeline",
    {"decomposer.sources", "decomposer.reports", "decomposer.config"},
    {"decomposer.schema", "decomposer.stages"},
    "decomposer.model",
    {"decomposer.errors", "decomposer.forks"},
)
# Layers a module may not skip: the CLI goes through the pipeline, reports read only the model.
FORBIDDEN_DIRECT = (
    ("decomposer.cli", "decomposer.stages"),
    ("decomposer.cli", "decomposer.sources"),
    ("decomposer.config", "decomposer.stages"),
)
FORBIDDEN_CHAINS = (
    ("decomposer.reports", "decomposer.stages"),
    ("decomposer.reports", "decomposer.sources"),
    ("decomposer.schema", "decomposer.stages"),
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("decomposer", include_external_packages=True, cache_dir=None)


def test_dependencies_point_one_way(graph: grimp.ImportGraph):
    layers = [grimp.Layer(*sorted(layer)) if isinstance(layer, set) else grimp.Layer(layer)
              for layer in LAYERS]
    assert graph.find_illegal_dependencies_for_layers(layers=layers) == set()


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN_DIRECT)
def test_no_layer_is_skipped(graph: grimp.ImportGraph, importer: str, imported: str):
    importers = {importer, *graph.find_descendants(importer)}
    reached = {found for module in importers for found in graph.find_modules_directly_imported_by(module)
               if found == imported or found.startswith(imported + ".")}
    assert reached == set()


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN_CHAINS)
def test_reports_and_schema_see_only_the_model(graph: grimp.ImportGraph, importer: str, imported: str):
    assert graph.find_shortest_chains(importer=importer, imported=imported, as_packages=True) == set()


def test_stages_never_touch_the_outside_world(graph: grimp.ImportGraph):
    stages = {"decomposer.stages", *graph.find_descendants("decomposer.stages")}
    forbidden = {"click", "matplotlib", "subprocess", "grimp", "os", "pandas"}
    reached = {
        imported
        for module in stages
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in forbidden
    }
    assert reached == set()


def test_only_sources_code_calls_grimp_and_only_sources_git_runs_git(graph: grimp.ImportGraph):
    assert graph.find_modules_that_directly_import("grimp") == {"decomposer.sources.code"}
    assert graph.find_modules_that_directly_import("subprocess") == {"decomposer.sources.git"}
