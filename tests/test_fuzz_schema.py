"""A seeded fuzz test of the saved-analysis reader: no document makes it raise anything but its
own error (a hand-edited, truncated or hostile analysis.json is one line, never a traceback)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

from decomposer.errors import InvalidPath
from decomposer.model import Planning
from decomposer.pipeline import load_analysis, replan
from decomposer.reports.contracts import contract_files
from decomposer.schema import InvalidDocument, analysis_from_dict, analysis_to_dict

_VALUES = (None, True, 0, -1, 2**70, 1.5, float("inf"), "", "x", "2025-01-01T00:00:00Z", [], [1], {}, {"a": 1})


@pytest.fixture(scope="module")
def document(sample_analysis) -> dict:
    return analysis_to_dict(sample_analysis)


def _places(node, path=()):  # noqa: ANN001 - any JSON value
    yield path
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _places(child, path + (key,))


def _mutate(document: dict, rng: random.Random) -> dict:
    mutated = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        places = [path for path in _places(mutated) if path]
        path = rng.choice(places)
        parent = mutated
        for key in path[:-1]:
            parent = parent[key]
        action = rng.random()
        if action < 0.35 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action < 0.45 and isinstance(parent, list):
            parent.pop(path[-1])
        else:
            parent[path[-1]] = rng.choice(_VALUES)
    return mutated


def test_mutated_documents_are_read_or_named(document: dict):
    rng = random.Random(20261128)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(400):
        try:
            analysis = analysis_from_dict(_mutate(document, rng))
            outcomes["read"] += 1
        except InvalidDocument as error:
            assert str(error) and "\n" not in str(error)
            outcomes["refused"] += 1
            continue
        try:  # what reads must also re-plan and make gates (or say what is wrong, in one line)
            replan(analysis, Planning(capacity=20))
            contract_files(analysis)
        except InvalidDocument as error:
            assert str(error) and "\n" not in str(error)
            outcomes["refused"] += 1
    # both outcomes happen often: the fuzzing reaches the checks and the paths past them
    assert outcomes["read"] > 30 and outcomes["refused"] > 300, outcomes


def test_random_bytes_and_odd_json_are_one_line(tmp_path: Path):
    rng = random.Random(7)
    bodies = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))) for _ in range(100)]
    bodies += [json.dumps(value).encode() for value in _VALUES[:-1]] + [b"[" * 50_000, b'{"schema_version": 2}']
    for index, body in enumerate(bodies):
        path = tmp_path / f"{index}.json"
        path.write_bytes(body)
        with pytest.raises(InvalidPath) as error:
            load_analysis(path)
        assert str(error.value).startswith(f"{path} is not ") and "\n" not in str(error.value)
