"""The one `git log` format that sources.git runs, read: no process is started here.

The format and its byte layout are described at the top of `decomposer/sources/git.py`:
records are separated by two NULs in a row, a header `<sha>\x1f<committer time>\x1f<e-mail>`,
then numstat (`<added>\t<deleted>\t<path>\0`, a rename as `\0<old>\0<new>\0`) or name-only
fields. Here are the command line, the parser (fuzzed on its own), the window rule that
decides where reading stops (the same for git's output and for a walk replayed from the
history cache), and `LogReader`, which keeps the window's commits and recovers from missing
objects through the two process functions sources.git hands it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from decomposer.errors import GitFailed, MalformedGitLog
from decomposer.model import AnalysisWarning, Commit, FileChange, HistoryWindow, LogWalk

__all__ = ["KEEP", "LOG_FORMAT", "SKIP", "STOP", "LogReader", "WindowRequest", "clean_walk", "describe_window",
           "log_command", "parse_log_record", "raise_git_failure", "split_log_records", "window_step"]

LOG_FORMAT = "%x00%H%x1f%ct%x1f%aE"
_SEPARATOR = b"\0\0"
_SHA = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
_NUMBER = re.compile(rb"[0-9]{1,19}")  # a time or a line count; git's 64-bit integers fit 19 digits
KEEP, SKIP, STOP = "keep", "skip", "stop"  # what `window_step` says of one listed commit
_MAX_RESUMES = 3  # failures before the rest of the window is read without line counts
# A missing tree ("fatal: unable to read tree <sha>") or commit ("error: Could not read <sha>");
# a missing blob says "fatal: unable to read <sha>", which this does not match.
_MISSING_OBJECT = re.compile(r"unable to read tree ([0-9a-f]{40,64})|could not read ([0-9a-f]{40,64})",
                             re.IGNORECASE)


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


def log_command(repo_dir: Path, pathspecs: tuple[str, ...], *, line_counts: bool | None = True,
                skip: int = 0, revisions: tuple[str, ...] = ("HEAD",)) -> list[str]:
    """The exact `git log` command line that `mine_history` parses (see the module docstring).

    `line_counts=None` lists the commits alone (no file names: no blob is read, no rename sought).
    """
    changes = {True: ["--numstat", "--find-renames"], False: ["--name-only", "--no-renames"], None: []}
    return ["git", "-C", str(repo_dir), "log", *revisions, "--no-merges", "--relative", "-z",
            *changes[line_counts], f"--format={LOG_FORMAT}", f"--skip={skip}", "--", *pathspecs]


class LogReader:
    """Reads `git log` (again after a failure), keeping the commits inside the window.

    The processes are sources.git's: `stream` runs a command, hands each record to a callback
    (git is stopped when it returns False) and returns git's exit code and error text; `names`
    returns the name-only record of one commit, or None when git cannot give it.
    """

    def __init__(self, repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest, *,
                 stream: Callable[[list[str], Callable[[bytes], bool]], tuple[int, str]],
                 names: Callable[[str], bytes | None], progress: Callable[[int], None] = lambda count: None,
                 revisions: tuple[str, ...] = ("HEAD",), walked: Callable[[Commit], None] = lambda commit: None) -> None:
        self.repo_dir, self.pathspecs, self.request, self.progress = repo_dir, pathspecs, request, progress
        self.walked = walked  # called with each commit git lists, as it is parsed
        self.stream, self.names, self.revisions = stream, names, revisions
        self.commits: list[Commit] = []
        self.walk: list[Commit] = []  # every commit git listed and this reader parsed, in order
        self.unreadable: list[str] = []
        self.warnings: list[AnalysisWarning] = []
        self.listed = 0  # commits git has listed so far, inside the window or not
        self.stopped_early = False  # the window was behind us, so git was stopped
        self.truncated = False  # git could not walk past a missing commit or tree

    def replay(self, start: LogWalk) -> bool:
        """Take the commits of `start` as if git listed them; True if git need not run at all."""
        for commit in start.commits:
            self.walk.append(commit)
            self.listed += 1
            if not self._keep(commit):
                return True
        return start.complete

    def read(self, line_counts: bool | None) -> None:
        for _ in range(_MAX_RESUMES + 1):
            failure = self._read_once(line_counts)
            if failure is None or self.stopped_early:
                return
            if not self._recover(failure):
                return
        self.warnings.append(AnalysisWarning("", (
            f"git could not read the file contents of {len(self.unreadable)} commits (missing "
            "objects); the rest of the history is read without line counts")))
        self._read_once(line_counts=False)

    def _read_once(self, line_counts: bool | None) -> str | None:
        """Stream one `git log`; return the failing sha when git died on a missing object."""
        last_sha = None

        def take(record: bytes) -> bool:
            nonlocal last_sha
            last_sha = record.partition(b"\0")[0].split(b"\x1f", 1)[0].decode("ascii", "replace")
            self.listed += 1
            try:
                commit = parse_log_record(record, line_counts=bool(line_counts))
            except MalformedGitLog:
                self.warnings.append(AnalysisWarning(
                    "", f"git's log entry for commit {last_sha[:12]} could not be read; skipped"))
                return True
            self.walk.append(commit)
            self.walked(commit)
            return self._keep(commit)

        code, message = self.stream(self._command(line_counts), take)
        if self.stopped_early or code == 0:
            return None
        if missing := _MISSING_OBJECT.search(message):
            self._truncate(missing.group(1) or missing.group(2))
            return None
        if "unable to read" in message and last_sha is not None:
            return last_sha
        raise_git_failure(self.repo_dir, message)
        return None

    def _command(self, line_counts: bool | None) -> list[str]:
        return log_command(self.repo_dir, self.pathspecs, line_counts=line_counts, skip=self.listed,
                           revisions=self.revisions)

    def _keep(self, commit: Commit) -> bool:
        """Add `commit` if it is in the window; False once the window is behind us."""
        step = window_step(self.request, commit.timestamp, len(self.commits))
        if step == SKIP:
            return True
        if step == STOP:
            self.stopped_early = True
            return False
        self.commits.append(commit)
        if len(self.commits) % 5000 == 0:
            self.progress(len(self.commits))
        return True

    def _recover(self, failed_sha: str) -> bool:
        """Replace the failed commit's partial record by its file names; False if impossible."""
        if self.commits and self.commits[-1].sha == failed_sha:
            self.commits.pop()
        self.listed -= 1
        names = self.names(failed_sha)
        if names is None:
            self._truncate(failed_sha)
            return False
        self.listed += 1
        self.unreadable.append(failed_sha)
        for record in split_log_records([names]):
            try:
                self._keep(parse_log_record(record, line_counts=False))
            except MalformedGitLog:
                pass  # its numstat record was already counted as unreadable
        return True

    def _truncate(self, sha: str) -> None:
        self.truncated = True
        self.warnings.append(AnalysisWarning("", (
            f"history truncated: git cannot read object {sha[:12]} (missing from the repository), so "
            f"commits older than it are left out ({_commits(len(self.commits))} read); restore it with "
            "`git fetch` (`git fetch --unshallow` in a shallow clone) and run again")))


def clean_walk(reader: LogReader) -> tuple[tuple[Commit, ...], bool] | None:
    """The commits `reader` listed and whether git listed all there are; None if any was lost."""
    if reader.unreadable or reader.warnings or reader.truncated or reader.listed != len(reader.walk):
        return None
    return tuple(reader.walk), not reader.stopped_early


def raise_git_failure(repo_dir: Path, message: str) -> None:
    """Turn an unexpected git failure into a user-facing error naming the folder."""
    first_line = message.strip().splitlines()[0] if message.strip() else "no message"
    raise GitFailed(
        f"git log failed in {repo_dir} ({first_line}); check the repository with `git log`, "
        "or pass --no-history"
    )


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


def _commits(count: int) -> str:
    return f"{count} commit" if count == 1 else f"{count} commits"
