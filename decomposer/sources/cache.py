"""The history cache: mined commits kept outside the analysed repo, keyed by HEAD and settings.

One JSON file per key under `<cache_dir>/history/`. A file that is missing, not a regular file,
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
import stat
import tempfile
from pathlib import Path
from typing import Any

from decomposer.model import AnalysisWarning, Commit, FileChange, HistoryWindow, MinedHistory

__all__ = ["history_key", "load_history", "store_history"]

_FORMAT = 1
# The exact JSON types of each field (`type(value) in ...`, so that true is not a number).
_INT, _STR, _LIST = (int,), (str,), (list,)
_INT_OR_NULL, _STR_OR_NULL = (int, type(None)), (str, type(None))


def history_key(**parts: Any) -> str:
    """A stable key for the given facts (HEAD, folder, pathspecs, window, ...)."""
    text = json.dumps({"format": _FORMAT, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_history(cache_dir: Path, key: str) -> MinedHistory | None:
    """Return the cached history for `key`, or None on any miss."""
    path = cache_dir / "history" / f"{key}.json"
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # reading a FIFO would block
            return None
        document = json.loads(path.read_bytes())
        return _from_document(document)
    except (OSError, ValueError, KeyError, RecursionError):
        return None


def store_history(cache_dir: Path, key: str, history: MinedHistory) -> None:
    """Write `history` for `key`; a cache that cannot be written is silently skipped."""
    folder = cache_dir / "history"
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=folder, prefix=f"{key}.", suffix=".tmp")
        temporary = Path(name)
        with open(descriptor, "w", encoding="utf-8") as handle:
            json.dump(_to_document(history), handle, separators=(",", ":"))
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
        "commits": [
            [commit.sha, commit.timestamp, commit.author,
             [[change.path, change.added, change.deleted, change.old_path] for change in commit.changes]]
            for commit in history.commits
        ],
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
