"""The history cache: mined commits kept outside the analysed repo.

Two kinds of JSON file under `<cache_dir>/history/`, one per key: a walk (`store_walk`: the
start of `git log HEAD` as sources.git listed it, for sources.incremental to reuse when HEAD
moves) and a mined history (`store_history`, keyed by HEAD and the window: a read that lost
commits to missing objects, reused only for the very same HEAD and window). A file that is missing, not a regular file,
unreadable, not JSON, of another format version or of the wrong shape (`[]`, `null`, a string
where a number belongs, a truncated write) is a miss, never an error, and the next store
replaces it. Files are written atomically: to a temporary file in the same folder, then
`os.replace`; the temporary file is removed when the write fails (a full disk).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from decomposer.model import AnalysisWarning, Commit, FileChange, HistoryWindow, LogWalk, MinedHistory

__all__ = ["history_key", "load_history", "load_walk", "store_history", "store_walk"]

_FORMAT = 1
_WALK_FORMAT = 2
# The exact JSON types of each field (`type(value) in ...`, so that true is not a number).
_INT, _STR, _LIST = (int,), (str,), (list,)
_INT_OR_NULL, _STR_OR_NULL = (int, type(None)), (str, type(None))
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def history_key(**parts: Any) -> str:
    """A stable key for the given facts (HEAD, folder, pathspecs, window, ...)."""
    text = json.dumps({"format": _FORMAT, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_history(cache_dir: Path, key: str) -> MinedHistory | None:
    """Return the cached history for `key`, or None on any miss."""
    return _load(cache_dir, key, _from_document)


def load_walk(cache_dir: Path, key: str) -> LogWalk | None:
    """Return the cached walk for `key`, or None on any miss."""
    return _load(cache_dir, key, _walk_from_document)


def store_history(cache_dir: Path, key: str, history: MinedHistory) -> None:
    """Write `history` for `key`; a cache that cannot be written is silently skipped."""
    _store(cache_dir, key, _to_document(history))


def store_walk(cache_dir: Path, key: str, walk: LogWalk) -> None:
    """Write `walk` for `key` (replacing the walk of an older HEAD); skipped if it cannot be written."""
    _store(cache_dir, key, {"format": _WALK_FORMAT, "head": walk.head, "complete": walk.complete,
                            "commits": [_commit_row(commit) for commit in walk.commits]})


def _load(cache_dir: Path, key: str, reader: Callable[[Any], Any]) -> Any:
    path = cache_dir / "history" / f"{key}.json"
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # reading a FIFO would block
            return None
        return reader(json.loads(path.read_bytes()))
    except (OSError, ValueError, KeyError, RecursionError):
        return None


def _store(cache_dir: Path, key: str, document: dict[str, Any]) -> None:
    folder = cache_dir / "history"
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=folder, prefix=f"{key}.", suffix=".tmp")
        temporary = Path(name)
        with open(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"))
        os.replace(temporary, folder / f"{key}.json")
        temporary = None
    except OSError:
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def _to_document(history: MinedHistory) -> dict[str, Any]:
    window = history.window
    return {
        "format": _FORMAT,
        "commits": [_commit_row(commit) for commit in history.commits],
        "window": [window.since, window.until, window.description],
        "unreadable": list(history.unreadable),
        "warnings": [[warning.path, warning.message] for warning in history.warnings],
    }


def _from_document(document: Any) -> MinedHistory:
    """The history in `document`; ValueError or KeyError when any part has the wrong shape."""
    if type(document) is not dict or document.get("format") != _FORMAT:
        raise ValueError("not a history cache of this format")
    commits = tuple(_commit(row) for row in _items(document["commits"], _LIST))
    return MinedHistory(
        commits,
        HistoryWindow(*_row(document["window"], _INT_OR_NULL, _INT_OR_NULL, _STR)),
        tuple(_items(document["unreadable"], _STR)),
        tuple(AnalysisWarning(*_row(row, _STR, _STR)) for row in _items(document["warnings"], _LIST)),
    )


def _walk_from_document(document: Any) -> LogWalk:
    if type(document) is not dict or document.get("format") != _WALK_FORMAT:
        raise ValueError("not a cached walk of this format")
    head, complete = _checked(document["head"], _STR), _checked(document["complete"], (bool,))
    if not _SHA.fullmatch(head):  # it is handed to git: never an option or a range
        raise ValueError("a cached walk's head is not a commit sha")
    return LogWalk(head, tuple(_commit(row) for row in _items(document["commits"], _LIST)), complete)


def _commit_row(commit: Commit) -> list:
    return [commit.sha, commit.timestamp, commit.author,
            [[change.path, change.added, change.deleted, change.old_path] for change in commit.changes]]


def _commit(row: list) -> Commit:
    sha, timestamp, author, changes = _row(row, _STR, _INT, _STR, _LIST)
    return Commit(sha, timestamp, author, tuple(
        FileChange(*_row(change, _STR, _INT, _INT, _STR_OR_NULL)) for change in _items(changes, _LIST)))


def _row(value: Any, *kinds: tuple[type, ...]) -> list:
    """`value` if it is a list with one item of each of `kinds`, in order; else ValueError."""
    if type(value) is not list or len(value) != len(kinds):
        raise ValueError("a cache row of the wrong length")
    return [_checked(item, kind) for item, kind in zip(value, kinds)]


def _items(value: Any, kind: tuple[type, ...]) -> list:
    """`value` if it is a list whose items are all of `kind`; else ValueError."""
    if type(value) is not list:
        raise ValueError("a cache list is not a list")
    return [_checked(item, kind) for item in value]


def _checked(item: Any, kind: tuple[type, ...]) -> Any:
    if type(item) not in kind:
        raise ValueError("a cache field of the wrong type")
    return item
