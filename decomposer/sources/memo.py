"""The results cache: what a step computed, kept under `<cache_dir>/results/` by a digest of
everything the step was given, so that a run on unchanged inputs reads it back instead.

A key is the SHA-256 of `digest(...)` over the step's whole input records and settings, written
generically (every field of every dataclass, every node and edge of a graph, in their order), so
a field that a later version adds to a record is part of the key without anyone listing it; and
of the code version (`code_version`: the bytes of every decomposer source file), so that any
change to decomposer is a miss. Each kind keeps its 32 most recently used values, within
256 MB. A value is pickled, and only files the running user owns are unpickled (unpickling can
run code: a shared cache folder is no way in); a file that is missing, not a regular file, of
another owner, unreadable, truncated, of another format or that does not unpickle is a miss,
never an error, and the next store replaces it. Files are written atomically (a temporary file in the same
folder, then `os.replace`). Nothing is ever written inside the analysed repository: the folder is
the run's --cache-dir, checked by the CLI like --out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import os
import pickle
import stat
import tempfile
from pathlib import Path, PurePath
from typing import Any

import networkx as nx

__all__ = ["code_version", "digest", "load_result", "store_result"]

_FORMAT = b"decomposer-results-1\n"
_KEEP = 32  # values kept per kind: the most recently stored or read (modification time) ...
_KEEP_BYTES = 256 * 2**20  # ... within this many bytes (wagtail's reports take 8 MB a value)


def digest(*parts: Any) -> str:
    """A hex digest of `parts`, equal for equal values whatever the process (hash seed included).

    Sequences, dicts and graphs are read in their order (a different order may give a different
    result, so it is a different key); sets are read sorted. A value of a type not listed here
    raises TypeError: the caller then does without the cache rather than guess.
    """
    pieces: list[str] = []
    for part in parts:
        _feed(pieces, part)
    return hashlib.sha256(_FORMAT + "\x1f".join(pieces).encode("utf-8", "surrogatepass")).hexdigest()


# Libraries whose results enter what is cached: the communities (igraph), the graphs' algorithms
# (networkx), the figures' bytes (matplotlib), the import graph (grimp). (pandas makes no file:
# `tables` hands DataFrames to a notebook.)
_LIBRARIES = ("grimp", "igraph", "matplotlib", "networkx")


@functools.cache
def code_version() -> str:
    """A digest of every decomposer source file (names and bytes) and of the versions of the
    libraries its results depend on: any edit or upgrade is a new version."""
    root = Path(__file__).resolve().parent.parent
    hasher = hashlib.sha256()
    for library in _LIBRARIES:
        try:
            hasher.update(f"{library}=={importlib.metadata.version(library)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            hasher.update(f"{library} missing\0".encode())
    for path in sorted(root.rglob("*.py")):
        hasher.update(path.relative_to(root).as_posix().encode() + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


def load_result(cache_dir: Path | None, kind: str, key: str) -> Any | None:
    """The value stored for (`kind`, `key`), or None on any miss (no cache, no file, a bad file)."""
    if cache_dir is None:
        return None
    path = cache_dir / "results" / kind / f"{key}.pickle"
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO would block
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None  # unpickling runs code: only files this user wrote are read
        data = path.read_bytes()
        if not data.startswith(_FORMAT):
            return None
        value = pickle.loads(data[len(_FORMAT):])
        with contextlib.suppress(OSError):
            os.utime(path)  # used: the newest again, so pruning drops the least recently used
        return value
    except Exception:  # noqa: BLE001 - a truncated or foreign pickle raises nearly anything: a miss
        return None


def store_result(cache_dir: Path | None, kind: str, key: str, value: Any) -> None:
    """Keep `value` for (`kind`, `key`); a cache that cannot be written is silently skipped."""
    if cache_dir is None:
        return
    folder = cache_dir / "results" / kind
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f"{key}.", suffix=".tmp")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(_FORMAT)
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{key}.pickle")
        temporary = None
        _prune(folder)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _prune(folder: Path) -> None:
    """Keep a kind's most recently used values: at most `_KEEP`, and no more than `_KEEP_BYTES`
    beyond the newest (a CI cache would otherwise grow by one value per merge)."""
    entries = []
    for path in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):
            info = path.stat()
            entries.append((info.st_mtime, path.name, info.st_size, path))
    total = 0
    for index, (_, _, size, path) in enumerate(sorted(entries, reverse=True)):
        total += size
        if index >= _KEEP or (index > 0 and total > _KEEP_BYTES):
            with contextlib.suppress(OSError):
                path.unlink()


def _feed(pieces: list[str], value: Any) -> None:
    """Append `value` to `pieces` with its type and length, so that (1, "1"), ("a", "b") and
    ("ab",) differ (every piece is then joined by a separator no repr holds unescaped)."""
    kind = type(value)
    if kind is str:
        pieces.append(f"s{len(value)}:{value}")
    elif value is None or kind in _SCALARS:
        pieces.append(f"{kind.__name__}:{value!r}")
    elif isinstance(value, (tuple, list)):
        pieces.append(f"{kind.__name__}{len(value)}[")
        for item in value:  # strings and numbers without a call (the same pieces as the call's)
            if (item_kind := type(item)) is str:
                pieces.append(f"s{len(item)}:{item}")
            elif item_kind in _SCALARS:
                pieces.append(f"{item_kind.__name__}:{item!r}")
            else:
                _feed(pieces, item)
        pieces.append("]")
    elif (names := _fields_of(kind)) is not None:
        pieces.append(f"{kind.__module__}.{kind.__qualname__}(")
        for name in names:
            pieces.append(name)
            _feed(pieces, getattr(value, name))
        pieces.append(")")
    elif isinstance(value, (frozenset, set)):
        pieces.append(f"set{len(value)}{{")
        pieces.extend(sorted(digest(item) for item in value))
        pieces.append("}")
    elif isinstance(value, dict):
        _feed(pieces, ("dict", list(value.items())))
    elif isinstance(value, PurePath):
        _feed(pieces, ("path", str(value)))
    elif isinstance(value, nx.Graph):  # DiGraph, MultiGraph... are Graphs too
        _feed(pieces, (kind.__name__, value.graph, list(value.nodes(data=True)), list(value.edges(data=True))))
    else:
        raise TypeError(f"no stable digest for {kind.__name__}")


@functools.cache
def _fields_of(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, None for any other type (looked up once per type)."""
    return tuple(field.name for field in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


_SCALARS = frozenset({bool, int, float, bytes})
