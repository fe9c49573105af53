"""decomposer keeps to its own layering (STYLE.md): checked with grimp, as import-linter does."""

from __future__ import annotations

import grimp

LAYERS = (
    "decomposer.cli",
    "decomposer.pipeline",
    {"decomposer.sources", "decomposer.reports", "decomposer.config"},
    "decomposer.stages",
    "decomposer.model",
    "decomposer.errors",
)


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("decomposer", include_external_packages=True, cache_dir=None)


def test_dependencies_point_one_way():
    graph = _graph()
    layers = [grimp.Layer(*sorted(layer)) if isinstance(layer, set) else grimp.Layer(layer)
              for layer in LAYERS]
    assert graph.find_illegal_dependencies_for_layers(layers=layers) == set()


def test_stages_never_touch_the_outside_world():
    graph = _graph()
    stages = {"decomposer.stages", *graph.find_descendants("decomposer.stages")}
    forbidden = {"click", "matplotlib", "subprocess", "grimp", "os", "pandas"}
    reached = {
        imported
        for module in stages
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in forbidden
    }
    assert reached == set()


def test_only_sources_code_calls_grimp_and_only_sources_git_runs_git():
    graph = _graph()
    assert graph.find_modules_that_directly_import("grimp") == {"decomposer.sources.code"}
    assert graph.find_modules_that_directly_import("subprocess") == {"decomposer.sources.git"}
