"""The history cache: mined commits kept outside the analysed repo, keyed by HEAD and settings.

One JSON file per key under `<cache_dir>/history/`. A file that is missing, unreadable or of
another format version is a miss, never an error; files are written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from decomposer.model import AnalysisWarning, Commit, FileChange, HistoryWindow, MinedHistory

__all__ = ["history_key", "load_history", "store_history"]

_FORMAT = 1


def history_key(**parts: Any) -> str:
    """A stable key for the given facts (HEAD, folder, pathspecs, window, ...)."""
    text = json.dumps({"format": _FORMAT, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_history(cache_dir: Path, key: str) -> MinedHistory | None:
    """Return the cached history for `key`, or None on any miss."""
    try:
        document = json.loads((cache_dir / "history" / f"{key}.json").read_text(encoding="utf-8"))
        if document.get("format") != _FORMAT:
            return None
        return _from_document(document)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_history(cache_dir: Path, key: str, history: MinedHistory) -> None:
    """Write `history` for `key`; a cache that cannot be written is silently skipped."""
    folder = cache_dir / "history"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp",
                                         encoding="utf-8") as handle:
            json.dump(_to_document(history), handle, separators=(",", ":"))
        os.replace(handle.name, folder / f"{key}.json")
    except OSError:
        pass


def _to_document(history: MinedHistory) -> dict[str, Any]:
    window = history.window
    return {
        "format": _FORMAT,
        "commits": [
            [commit.sha, commit.timestamp, commit.author,
             [[change.path, change.added, change.deleted, change.old_path] for change in commit.changes]]
            for commit in history.commits
        ],
        "window": [window.since, window.until, window.description],
        "unreadable": list(history.unreadable),
        "warnings": [[warning.path, warning.message] for warning in history.warnings],
    }


def _from_document(document: dict[str, Any]) -> MinedHistory:
    commits = tuple(
        Commit(sha, timestamp, author, tuple(FileChange(*change) for change in changes))
        for sha, timestamp, author, changes in document["commits"]
    )
    return MinedHistory(
        commits,
        HistoryWindow(*document["window"]),
        tuple(document["unreadable"]),
        tuple(AnalysisWarning(path, message) for path, message in document["warnings"]),
    )
