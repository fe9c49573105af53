"""The code read by a forked worker beside grimp's scan gives the very records read here."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from decomposer.config import load_settings
from decomposer.pipeline import analyze, code_beside
from decomposer.pipeline.cached import CodeReader
from decomposer.pipeline.code_beside import CodeBeside, WorkerReader
from decomposer.reports.json_report import analysis_json
from decomposer.sources.code import scan_code
from decomposer.sources.package_files import find_module_files
from decomposer.stages.import_graph import exclude_modules

PATTERNS = ("*.tests", "*.tests.*")


def _json(repo: Path, cache: Path | None) -> str:
    overrides = {"cache_dir": cache} if cache else {}
    return analysis_json(analyze(load_settings(repo, overrides, use_config=False)))


def test_a_run_with_the_code_read_beside_writes_what_one_process_writes(sample_repo: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(code_beside, "BESIDE_FROM", 10**9)
    alone = _json(sample_repo, None)
    monkeypatch.setattr(code_beside, "BESIDE_FROM", 1)  # the sample's 53 modules read by the worker
    readers = []
    reader = CodeBeside.reader

    def noted(self, modules):  # noqa: ANN001, ANN202 - CodeBeside.reader's own
        readers.append(type(found := reader(self, modules)).__name__)
        return found

    monkeypatch.setattr(CodeBeside, "reader", noted)
    assert _json(sample_repo, None) == alone
    assert _json(sample_repo, tmp_path / "cache") == alone  # cold: the worker fills the per-file caches
    assert _json(sample_repo, tmp_path / "cache") == alone  # warm: read back, by the worker
    assert readers == ["WorkerReader"] * 3


def _beside(repo: Path, cache: Path | None) -> tuple[CodeBeside, tuple]:
    found = find_module_files(repo, repo, ("shop",))
    modules = exclude_modules(scan_code(repo, repo, ("shop",), found=found), PATTERNS)[0]
    return CodeBeside(repo, found, PATTERNS, cache), modules


def _read(reader: CodeReader | WorkerReader, kept: tuple) -> tuple:
    return reader.traits(), reader.names(), reader.models(kept)


def test_the_worker_answers_as_a_reader_here_and_only_for_its_own_modules(sample_repo: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(code_beside, "BESIDE_FROM", 1)
    beside, modules = _beside(sample_repo, None)
    kept = modules[::2]
    here = _read(CodeReader(sample_repo, modules, None), kept)
    with beside:
        reader = beside.reader(modules)
        assert isinstance(reader, WorkerReader)
        assert _read(reader, kept) == here
    with beside:  # other modules than the worker read (as when grimp leaves a file out): read here
        reader = beside.reader(modules[1:])
        assert isinstance(reader, CodeReader)
        assert _read(reader, kept) == _read(CodeReader(sample_repo, modules[1:], None), kept)


_READ_IN_WORKER = code_beside._read_in_worker


def _read_a_second_late(argument: None) -> tuple:  # the worker's task, sent by name: a module-level function
    time.sleep(1)
    return _READ_IN_WORKER(argument)


@pytest.mark.parametrize("when", ["before the traits", "before the models"])
def test_a_worker_that_dies_leaves_the_reading_to_this_process(sample_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                               when: str):
    monkeypatch.setattr(code_beside, "BESIDE_FROM", 1)
    if when == "before the traits":
        monkeypatch.setattr(code_beside, "_read_in_worker", _read_a_second_late)
    beside, modules = _beside(sample_repo, None)
    kept = modules[1:]
    here = _read(CodeReader(sample_repo, modules, None), kept)
    with beside:
        (worker,) = beside.pool._processes.values()
        if when == "before the traits":
            os.kill(worker.pid, signal.SIGKILL)
            reader = beside.reader(modules)
            assert isinstance(reader, CodeReader)
        else:
            reader = beside.reader(modules)
            assert isinstance(reader, WorkerReader)
            os.kill(worker.pid, signal.SIGKILL)
        assert _read(reader, kept) == here
