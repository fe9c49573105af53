"""analysis.json both ways: the typed Analysis survives the round trip, and a bad file is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from decomposer.config import Settings
from decomposer.pipeline import analyze, load_analysis
from decomposer.reports.json_report import analysis_json, document_json
from decomposer.errors import InvalidPath
from decomposer.schema import InvalidDocument, analysis_from_dict, analysis_to_dict


@pytest.fixture(scope="module")
def saved(sample_analysis) -> str:
    return analysis_json(sample_analysis)


def test_analysis_dict_analysis_dict_gives_the_same_bytes(saved: str, sample_repo: Path):
    analysis = analysis_from_dict(json.loads(saved))
    assert analysis_json(analysis) == saved
    assert analysis_from_dict(analysis_to_dict(analysis)) == analysis
    assert analysis == analyze(Settings(repo_path=sample_repo))  # nothing lost but the settings it can't hold
    assert (len(analysis.modules), len(analysis.imports), analysis.plan.capacity) == (64, 160, 30)


def test_each_record_of_a_top_level_list_is_one_line(saved: str):
    assert document_json({"schema_version": 3, "repository": {"packages": ["shop"], "head": None},
                          "modules": [{"module": "shop.a", "loc": 3}, {"module": "shop.é", "lines": [1, 2]}],
                          "tables": [], "plan_summary": None}) == (
        '{\n'
        '  "schema_version": 3,\n'
        '  "repository": {\n'
        '    "packages": [\n'
        '      "shop"\n'
        '    ],\n'
        '    "head": null\n'
        '  },\n'
        '  "modules": [\n'
        '    {"module": "shop.a", "loc": 3},\n'
        '    {"module": "shop.é", "lines": [1, 2]}\n'
        '  ],\n'
        '  "tables": [],\n'
        '  "plan_summary": null\n'
        '}\n')
    lines = saved.splitlines()
    assert len(lines) == 519
    assert lines[lines.index('  "modules": [') + 1].startswith('    {"module": "shop", "path": "shop/__init__.py", ')
    assert json.loads(saved)["summary"]["modules"] == 64


def test_without_history_or_proposal_the_round_trip_holds(make_repo):
    repo = make_repo({"app/__init__.py": "", "app/a.py": "import app.b\n", "app/b.py": ""})
    analysis = analyze(Settings(repo_path=repo))
    assert analysis.history is None
    assert analysis_from_dict(analysis_to_dict(analysis)) == analysis


def _edit(saved: str, change) -> dict:  # noqa: ANN001 - a function of the document
    document = json.loads(saved)
    change(document)
    return document


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("modules"), "modules is missing"),
    (lambda d: d.update(schema_version=4), "schema_version is 4, this decomposer reads 1, 2 and 3"),
    (lambda d: d.update(schema_version="1"), "schema_version should be a whole number, not a string"),
    (lambda d: d["modules"][3].update(loc="12"), "modules[3].loc should be a whole number, not a string"),
    (lambda d: d["modules"][0].pop("fan_in"), "modules[0].fan_in is missing"),
    (lambda d: d["imports"][1].update(lines=[1, None]), "imports[1].lines[1] should be a whole number, not null"),
    (lambda d: d["services"][0].update(kind="team"), "services[0].kind should be one of service, shared, tooling, not 'team'"),
    (lambda d: d["plan"][2].update(kind=7), "plan[2].kind should be a string, not a whole number"),
    (lambda d: d["repository"].update(packages="shop"), "repository.packages should be a list, not a string"),
    (lambda d: d["history"]["window"].update(since="yesterday"),
     "history.window.since should be a time written %Y-%m-%dT%H:%M:%SZ, not 'yesterday'"),
    (lambda d: d.update(quality=[]), "quality should be an object, not a list"),
    (lambda d: d["quality"].pop("random"), "quality.random is missing"),
    (lambda d: d["detection"].update(together=[["a"], "b"]), "detection.together[1] should be a list, not a string"),
    (lambda d: d.update(stability={"seeds": [1]}), "stability.mean_ari is missing"),
    (lambda d: d["modules"][5].update(brittleness=True), "modules[5].brittleness should be a number, not true or false"),
])
def test_each_wrong_field_is_named(saved: str, change, message: str):  # noqa: ANN001
    with pytest.raises(InvalidDocument) as error:
        analysis_from_dict(_edit(saved, change))
    assert str(error.value) == message


def test_a_document_that_is_not_an_object(saved: str):
    with pytest.raises(InvalidDocument, match="^the document should be an object, not a list$"):
        analysis_from_dict([1, 2])


def test_loading_a_bad_file_is_one_line(tmp_path: Path, saved: str):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidPath) as error:
        load_analysis(deep)
    assert str(error.value).startswith(f"{deep} is not ")
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(_edit(saved, lambda d: d["modules"][0].update(loc=None))))
    with pytest.raises(InvalidPath) as error:
        load_analysis(edited)
    assert str(error.value) == (f"{edited} is not a decomposer analysis.json this version can read "
                                "(modules[0].loc should be a whole number, not null); run `decomposer analyze` again")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    with pytest.raises(InvalidPath, match="is a folder; pass the analysis.json inside it$"):
        load_analysis(folder)
