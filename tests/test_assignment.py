"""Edited boundaries: an assignment file placed on the analysis, its figures, and the commands that use it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import pytest

from decomposer.config import Settings
from decomposer.model import ASSIGNMENT_SCHEMA, KERNEL, Assignment, ImportEdge, crossing_counts
from decomposer.pipeline import analyze, assignment_figures, load_assignment, reassign
from decomposer.schema import assignment_to_dict
from decomposer.stages.assignment import assignment_figures as figures_of
from decomposer.stages.assignment import item_cost, place_assignment

IMPORTS = (
    ImportEdge("a.x", "b.y", (1, 2, 3)),  # 3 statements: weight ln 3 + 1
    ImportEdge("a.z", "a.x", (4,)),
    ImportEdge("b.y", "k.core", (5,)),
    ImportEdge("k.core", "b.y", (6, 7)),
)


def test_place_assignment_leaves_out_unknown_modules_and_places_missing_ones_by_coupling():
    graph = nx.Graph()
    graph.add_edge("a.z", "a.x", weight=1)
    graph.add_edge("a.z", "b.y", weight=3)
    assignment = Assignment((("a.x", "alpha"), ("b.y", "beta"), ("gone", "beta")), "old", "edit.json")
    placed, warnings = place_assignment(assignment, ("a.x", "a.z", "b.y", "c.lone"), graph,
                                        {"a.x": "a", "a.z": "a", "b.y": "b", "c.lone": "c"}, "new")
    assert placed == {"a.x": "alpha", "b.y": "beta", "a.z": "beta", "c.lone": "c"}
    assert [warning.message for warning in warnings] == [
        "edit.json was made against HEAD old, the analysis is of new: modules that changed are placed as said below",
        "edit.json names 1 module(s) the analysis does not have, left out: gone",
        "edit.json does not name 2 analysed module(s), placed with the service they are most coupled to: a.z, c.lone",
    ]


def test_figures_of_an_assignment():
    service_of = {"a.x": "alpha", "a.z": "alpha", "b.y": "beta", "k.core": KERNEL}
    figures = figures_of(service_of, IMPORTS, (), (), frozenset({"a.x"}))
    assert figures.crossing_imports == 3  # a.x -> b.y; the kernel's imports cross no boundary
    # ICP counts the kernel as a group: (ln 3 + 1) + 1 + (ln 2 + 1) crossing, of that + 1 (a.z -> a.x)
    crossing = (math.log(3) + 1) + 1 + (math.log(2) + 1)
    assert figures.icp == round(crossing / (crossing + 1), 4)
    assert (figures.largest, figures.largest_modules) == ("alpha", 2)
    assert figures.item_cost == 2 * 3 + 1  # 3 statements into beta count twice (a.z is home); 1 module
    assert figures.crossing_data_links is None


def test_item_cost_follows_the_plan_rule():
    service_of = {"a.x": "beta", "a.z": "alpha", "b.y": "beta", "k.core": KERNEL}
    # a.x now sits with b.y: its 3 statements stay home; a.z -> a.x comes in from alpha (1)
    assert item_cost(frozenset({"a.x"}), service_of, IMPORTS, (), ()) == 1 + 1
    # in the kernel: 2 per statement into a service, plus the module
    assert item_cost(frozenset({"k.core"}), service_of, IMPORTS, (), ()) == 2 * 2 + 1


@pytest.fixture(scope="module")
def analysis(sample_analysis):
    return sample_analysis


def _edited(analysis, moves: dict[str, str]) -> Assignment:
    document = assignment_to_dict(analysis)
    document["services"].update(moves)
    return Assignment(tuple(sorted(document["services"].items())), document["repository_head"], "edit.json")


def test_reassign_equals_analyze_with_the_assignment_pinned(analysis, sample_repo: Path):
    assignment = _edited(analysis, {"shop.orders.checkout": "payments"})
    replanned = reassign(analysis, assignment)
    pinned = analyze(Settings(repo_path=sample_repo, assignment=assignment))
    assert replanned.service_of == pinned.service_of == dict(assignment.services)
    assert crossing_counts(replanned.imports, replanned.service_of) == crossing_counts(pinned.imports,
                                                                                        pinned.service_of)
    assert dict(replanned.proposal.quality)["proposed"] == dict(pinned.proposal.quality)["proposed"]
    assert [step.service for step in replanned.plan.steps] == [step.service for step in pinned.plan.steps]
    figures = assignment_figures(replanned, replanned.service_of)
    assert figures.icp == dict(replanned.proposal.quality)["proposed"].icp
    assert figures.crossing_data_links == dict(replanned.proposal.quality)["proposed"].crossing_data_links


def test_the_proposal_as_an_assignment_changes_nothing(analysis):
    same = reassign(analysis, _edited(analysis, {}))
    assert same.proposal.services == analysis.proposal.services
    assert same.proposal.quality == analysis.proposal.quality
    assert same.plan == analysis.plan


def test_plan_with_assignments_writes_every_report(cli, analysis, sample_repo: Path, tmp_path: Path):
    cli("analyze", sample_repo, "--out", tmp_path / "report", "--no-cache", "--format", "json")
    edit = tmp_path / "edit.json"
    document = assignment_to_dict(analysis) | {"repository_head": "0" * 40}
    document["services"]["shop.orders.checkout"] = "payments"
    document["services"]["shop.not_there"] = "payments"
    edit.write_text(json.dumps(document))
    result = cli("plan", tmp_path / "report" / "analysis.json", "--assignments", edit, "--out", tmp_path / "edited")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"Warning: edit.json was made against HEAD {'0' * 12}, the analysis is of 58bf87e0e121: "
        "modules that changed are placed as said below",
        "Warning: edit.json names 1 module(s) the analysis does not have, left out: shop.not_there",
    ]
    assert result.stdout.splitlines()[:3] == [
        "Boundaries: 1 module placed otherwise than in the analysis; 7 services (was 7)",
        "Crossing:   34 import statements (was 29), ICP 0.573 (was 0.541)",
        "Data links: 16 cross the boundaries (was 15)"]
    saved = json.loads((tmp_path / "edited" / "analysis.json").read_text())
    assert {service["name"]: service["size"] for service in saved["services"]}["payments"] == 14
    assert (tmp_path / "edited" / "report.html").exists() and (tmp_path / "edited" / "plan.md").exists()


@pytest.mark.parametrize(("content", "message"), [
    ("{", "is not readable JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ('{"schema": "other"}', "is not a decomposer assignment (schema should be "
                            f"'{ASSIGNMENT_SCHEMA}', not 'other')"),
    (json.dumps({"schema": ASSIGNMENT_SCHEMA, "services": {"a": 3}}),
     "is not a decomposer assignment (services['a'] should be a service name (a non-empty string), "
     "not a whole number)"),
    (json.dumps({"schema": ASSIGNMENT_SCHEMA, "services": {}}),
     "is not a decomposer assignment (services is empty: it should map every module to its service)"),
    ("[]", "is not a decomposer assignment (the document should be an object, not a list)"),
])
def test_a_bad_assignment_file_is_one_line(cli, tmp_path: Path, content: str, message: str):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = cli("plan", tmp_path / "analysis.json", "--assignments", bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad} {message}")
    assert len(result.stderr.splitlines()) == 1


def test_load_assignment_reads_what_the_schema_writes(analysis, tmp_path: Path):
    path = tmp_path / "assignment.json"
    path.write_text(json.dumps(assignment_to_dict(analysis)))
    assignment = load_assignment(path)
    assert dict(assignment.services) == analysis.service_of
    assert assignment.repository_head == analysis.repository.head


def test_analyze_with_assignments_pins_every_module(cli, analysis, sample_repo: Path, tmp_path: Path):
    edit = tmp_path / "edit.json"
    document = assignment_to_dict(analysis)
    document["services"]["shop.orders.checkout"] = "checkout"  # a service of its own
    del document["services"]["shop.orders.cart"]  # placed by coupling, with a warning
    edit.write_text(json.dumps(document))
    result = cli("analyze", sample_repo, "--out", tmp_path / "pinned", "--no-cache", "--format", "json",
                 "--assignments", edit)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Warning: edit.json does not name 1 analysed module(s), placed with the service they are most coupled "
        "to: shop.orders.cart"]
    saved = json.loads((tmp_path / "pinned" / "analysis.json").read_text())
    services = {service["name"]: service["modules"] for service in saved["services"]}
    assert services["checkout"] == ["shop.orders.checkout"]
    assert "shop.orders.cart" in services["orders"]
    assert saved["stability"] is None  # no detection ran


def test_analyze_with_a_missing_assignment_file_is_one_line(cli, sample_repo: Path, tmp_path: Path):
    result = cli("analyze", sample_repo, "--out", tmp_path / "out", "--assignments", tmp_path / "none.json")
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {tmp_path / 'none.json'} does not exist; export it from report.html (Review the boundaries, Export the assignment)\n")


def test_reassign_scores_brittleness_again_under_the_new_services(analysis):
    moved = reassign(analysis, _edited(analysis, {"shop.orders.checkout": "payments"}))
    assert [(entry.module, entry.score, entry.rank) for entry in moved.brittleness] == [
        (entry.module, entry.score, entry.rank) for entry in analysis.brittleness]
    after = next(entry for entry in moved.brittleness if entry.module == "shop.orders.checkout")
    service_of = moved.service_of
    assert after.imports_out_across == sum(
        edge.count for edge in moved.imports if edge.importer == "shop.orders.checkout"
        and service_of[edge.imported] not in ("payments", KERNEL))
    assert moved.brittleness != analysis.brittleness
    same = reassign(analysis, _edited(analysis, {}))
    assert same.brittleness == analysis.brittleness
