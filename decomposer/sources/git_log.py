"""Parsing the output of the one `git log` format that sources.git runs (no git is run here).

The format and its byte layout are described at the top of `decomposer/sources/git.py`:
records are separated by two NULs in a row, a header `<sha>\x1f<committer time>\x1f<e-mail>`,
then numstat (`<added>\t<deleted>\t<path>\0`, a rename as `\0<old>\0<new>\0`) or name-only
fields. Kept apart so that the parser can be fuzzed and read without the runner, with the
window rule that decides where reading stops (the same rule for a fresh read of the log and
for a walk replayed from the history cache).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from decomposer.errors import MalformedGitLog
from decomposer.model import Commit, FileChange, HistoryWindow

__all__ = ["KEEP", "LOG_FORMAT", "SKIP", "STOP", "WindowRequest", "describe_window", "parse_log_record",
           "split_log_records", "window_step"]

LOG_FORMAT = "%x00%H%x1f%ct%x1f%aE"
_SEPARATOR = b"\0\0"
_SHA = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
_NUMBER = re.compile(rb"[0-9]{1,19}")  # a time or a line count; git's 64-bit integers fit 19 digits
KEEP, SKIP, STOP = "keep", "skip", "stop"  # what `window_step` says of one listed commit


@dataclass(frozen=True, slots=True)
class WindowRequest:
    """Which commits to read: those in [since, until], or more to reach `min_commits`."""

    since: int | None  # Unix seconds; None: from the first commit
    until: int | None  # Unix seconds; None: up to HEAD
    min_commits: int  # keep reading past `since` until this many commits are in (0: never)


def window_step(request: WindowRequest, timestamp: int, kept: int) -> str:
    """What to do with the next commit git lists, `kept` commits being in already.

    SKIP a commit newer than `until` (later ones may still be inside); STOP at the first one
    older than `since` once `min_commits` are in (git lists newest first); else KEEP it.
    """
    if request.until is not None and timestamp > request.until:
        return SKIP
    if request.since is not None and timestamp < request.since and kept >= request.min_commits:
        return STOP
    return KEEP


def describe_window(commits: tuple[Commit, ...], request: WindowRequest, stopped_early: bool,
                    truncated: bool) -> HistoryWindow:
    """The window the kept `commits` cover, and why, in one plain sentence."""
    if not commits:
        return HistoryWindow(None, request.until, "no commit touched the analysed packages")
    oldest = min(commit.timestamp for commit in commits)
    if truncated:
        return HistoryWindow(oldest, request.until, "back to a commit git cannot read (missing objects)")
    if not stopped_early:  # git listed every commit there is
        return HistoryWindow(oldest, request.until, "the whole history")
    if request.since is not None and oldest < request.since:
        return HistoryWindow(oldest, request.until,
                             f"extended back past the window to reach {request.min_commits} commits")
    return HistoryWindow(request.since, request.until, "the requested window")


def split_log_records(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Split the output of `log_command`, read in chunks, into one record per commit.

    A record is yielded as soon as the next one starts; records split at two NULs in a row
    (see the module docstring), so no byte inside a file name can split them.
    """
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(_SEPARATOR)
        yield from (record.lstrip(b"\0") for record in complete if record.strip(b"\0"))
    if pending.strip(b"\0"):
        yield pending.lstrip(b"\0")


def parse_log_record(record: bytes, *, line_counts: bool = True) -> Commit:
    """Parse one record of `split_log_records`: its header, then numstat or name-only fields.

    Raises:
        MalformedGitLog: the record is not in the format `log_command` asks git for.
    """
    header, _, body = record.partition(b"\0")
    parts = header.split(b"\x1f", 2)
    if len(parts) != 3 or not _SHA.fullmatch(parts[0]) or not _NUMBER.fullmatch(parts[1]):
        raise MalformedGitLog(f"a git log record starts with {header[:60]!r}, not <sha>, time and e-mail")
    fields = body.removeprefix(b"\n").split(b"\0")
    changes = tuple(_numstat(fields) if line_counts else _names(fields))
    return Commit(parts[0].decode("ascii"), int(parts[1]), _author_key(_decode(parts[2])), changes)


def _numstat(fields: list[bytes]) -> Iterator[FileChange]:
    index = 0
    while index < len(fields):
        field = fields[index]
        index += 1
        if not field:  # after the last NUL
            continue
        parts = field.split(b"\t", 2)
        if len(parts) != 3:
            raise MalformedGitLog(f"a git numstat line is {field[:60]!r}, not <added>, <deleted>, <path>")
        added, deleted, path = parts
        old_path = None
        if not path:  # a rename: old and new paths follow as their own fields
            if len(fields) < index + 2 or not (fields[index] and fields[index + 1]):
                raise MalformedGitLog("a git numstat rename lacks its old or new path")
            old_path, path = _decode(fields[index]), fields[index + 1]
            index += 2
        yield FileChange(_decode(path), _count(added), _count(deleted), old_path)


def _names(fields: list[bytes]) -> Iterator[FileChange]:
    return (FileChange(_decode(field), 0, 0) for field in fields if field)


def _count(field: bytes) -> int:
    if field == b"-":  # a binary file
        return 0
    if not _NUMBER.fullmatch(field):
        raise MalformedGitLog(f"a git numstat count is {field[:20]!r}, not a number")
    return int(field)


def _decode(path: bytes) -> str:
    # The same decoding os.fsdecode gives the file names the code scan found on disk.
    return path.decode("utf-8", "surrogateescape")


def _author_key(email: str) -> str:
    # Authors are only counted: the e-mail is hashed at once and never stored or printed.
    return hashlib.blake2b(email.strip().lower().encode("utf-8", "surrogateescape"),
                           digest_size=8).hexdigest()
