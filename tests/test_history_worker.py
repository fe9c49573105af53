"""The history is mined by a forked worker process beside the code scan: its progress reaches
the caller, and a worker that dies is replaced by mining here (pipeline/analysis.py `_Miner`)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from decomposer.config import load_settings
from decomposer.pipeline import analysis as pipeline_analysis
from decomposer.pipeline import analyze
from decomposer.reports.json_report import analysis_json


def test_the_workers_progress_reaches_the_caller_from_another_thread(sample_repo: Path):
    messages: list[tuple[str, bool]] = []
    analyze(load_settings(sample_repo, {}, use_config=False),
            lambda message: messages.append((message, threading.current_thread() is threading.main_thread())))
    assert ("Mining git history", False) in messages  # said by the worker, relayed by a thread here
    assert ("Proposing services", True) in messages
    assert [message for message, _ in messages].count("Mining git history") == 1


def test_a_worker_that_dies_is_replaced_by_mining_here(sample_repo: Path, sample_analysis, monkeypatch):
    monkeypatch.setattr(pipeline_analysis, "_mine_forked", _killed)
    messages: list[str] = []
    again = analyze(load_settings(sample_repo, {}, use_config=False), messages.append)
    assert messages.count("Mining git history") == 1  # said once, by this process
    assert again.history is not None
    assert again.history.commits_analyzed == sample_analysis.history.commits_analyzed == 309
    assert analysis_json(again) == analysis_json(sample_analysis)


def _killed() -> None:
    os._exit(3)  # the worker process dies mid-task, as when it is killed or runs out of memory
