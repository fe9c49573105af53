"""The only module that runs `git`: repository state and the streamed commit log.

History is read with one command, streamed and parsed as git writes it::

    git -C <repo> log HEAD --no-merges --relative -z --numstat --find-renames \\
        --format=%x00%H%x1f%ct%x1f%aE -- ':(glob)<package>/**/*.py' ...

- `HEAD` and `--no-merges`: the commits of the checked-out line only, not the thousands of
  pull-request refs real mirrors carry; a merge repeats its parents' changes.
- `--relative` with `-C <repo>`: when the analysed folder is a subfolder of a larger repo,
  only its files are listed, with paths relative to it.
- `-z`: paths are written raw and NUL-terminated (spaces, non-ASCII and quotes need no
  unquoting). A commit is `\\0<sha>\\x1f<committer time>\\x1f<author e-mail>\\0\\n`, then one
  `<added>\\t<deleted>\\t<path>\\0` per file, or `<added>\\t<deleted>\\t\\0<old>\\0<new>\\0` for a
  rename; `-\\t-` marks a binary file. A path may hold any byte but NUL and is never empty,
  so two NULs in a row occur only where a commit starts: that is the record separator (any
  other byte, such as the 0x1E used before, can occur inside a file name).
- Commits come newest first; reading stops (and git is stopped) at the first commit older
  than the window once enough commits are in, so a long history costs only its window.

When git dies part-way with "fatal: unable to read <sha>" (a missing blob: partial clones,
some mirrors), the commit it was printing is kept with its file names (read again with
`--name-only`, which needs no blobs) and no line counts, and the log resumes after it with
`--skip`. After a few such failures, the rest of the window is read with `--name-only`.
When a commit or tree is missing ("error: Could not read <sha>" / "fatal: cannot simplify
commit ...", "fatal: unable to read tree <sha>"), git stops before printing the commit that
needs it: the commits read so far are kept, with a warning that the history is truncated.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no pipe sizing
    fcntl = None  # type: ignore[assignment]

from decomposer.errors import GitFailed, MalformedGitLog
from decomposer.model import AnalysisWarning, Commit, FileChange, HistoryWindow, MinedHistory, RepoState

__all__ = ["LOG_FORMAT", "WindowRequest", "log_command", "mine_history", "parse_log_record",
           "raise_git_failure", "read_repo_state", "split_log_records"]

LOG_FORMAT = "%x00%H%x1f%ct%x1f%aE"
_ENV = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0",
        # A partial clone would try to fetch each missing blob from its remote.
        "GIT_NO_LAZY_FETCH": "1"}
_MAX_RESUMES = 3  # failures before the rest of the window is read without line counts
_CHUNK = 1 << 16
_SEPARATOR = b"\0\0"
_SHA = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
_NUMBER = re.compile(rb"[0-9]{1,19}")  # a time or a line count; git's 64-bit integers fit 19 digits
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


def read_repo_state(repo_dir: Path) -> RepoState:
    """Ask git whether `repo_dir` is in a work tree, its HEAD, and whether it is shallow or partial.

    Runs `git rev-parse --is-inside-work-tree --is-shallow-repository`,
    `git log -1 --format=%H%x1f%ct HEAD` and `git config --get-regexp` for promisor remotes.
    """
    answer = _run(repo_dir, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository")
    if answer is None or answer.returncode != 0:
        return RepoState(is_git=False, head=None, head_time=None, shallow=False, partial=False)
    inside, shallow = (answer.stdout.split() + ["false", "false"])[:2]
    head = _run(repo_dir, "log", "-1", "--format=%H%x1f%ct", "HEAD")
    head_sha, head_time = None, None
    if head is not None and head.returncode == 0 and "\x1f" in head.stdout:
        sha, seconds = head.stdout.strip().split("\x1f")
        head_sha, head_time = sha, int(seconds)
    # A partial clone is marked by a promisor remote (and, by older git, extensions.partialClone).
    promisors = _run(repo_dir, "config", "--get-regexp", r"^(remote\..*\.promisor|extensions\.partialclone)$")
    partial = promisors is not None and any(
        value.lower() not in ("", "false") for _, _, value in
        (line.partition(" ") for line in promisors.stdout.splitlines()))
    return RepoState(
        is_git=inside == "true",
        head=head_sha,
        head_time=head_time,
        shallow=shallow == "true",
        partial=partial,
    )


def mine_history(
    repo_dir: Path,
    pathspecs: tuple[str, ...],
    request: WindowRequest,
    *,
    line_counts: bool = True,
    progress: Callable[[int], None] = lambda commits: None,
) -> MinedHistory:
    """Read the non-merge commits of HEAD that touch `pathspecs`, newest first.

    Args:
        repo_dir: the analysed folder (may be a subfolder of the git work tree).
        pathspecs: git pathspecs relative to `repo_dir`.
        request: the window to read.
        line_counts: False reads file names only (for partial clones, where blobs are missing).
        progress: called with the number of commits read so far, every few thousand commits.

    Returns:
        The commits, the window actually read, the shas whose blobs were unreadable, warnings.
    """
    reader = _LogReader(repo_dir, pathspecs, request, progress)
    reader.read(line_counts)
    commits = tuple(reader.commits)
    return MinedHistory(commits, _window(commits, request, reader.stopped_early, reader.truncated),
                        tuple(reader.unreadable), tuple(reader.warnings))


class _LogReader:
    """Runs `git log` (again after a failure), keeping the commits inside the window."""

    def __init__(self, repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest,
                 progress: Callable[[int], None]) -> None:
        self.repo_dir, self.pathspecs, self.request, self.progress = repo_dir, pathspecs, request, progress
        self.commits: list[Commit] = []
        self.unreadable: list[str] = []
        self.warnings: list[AnalysisWarning] = []
        self.listed = 0  # commits git has listed so far, inside the window or not
        self.stopped_early = False  # the window was behind us, so git was stopped
        self.truncated = False  # git could not walk past a missing commit or tree

    def read(self, line_counts: bool) -> None:
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

    def _read_once(self, line_counts: bool) -> str | None:
        """Stream one `git log`; return the failing sha when git died on a missing object."""
        with tempfile.TemporaryFile() as stderr:
            process = subprocess.Popen(self._command(line_counts), stdout=subprocess.PIPE,
                                       stderr=stderr, env=_ENV)
            assert process.stdout is not None
            _widen_pipe(process.stdout.fileno())
            last_sha = None
            for record in split_log_records(_chunks(process.stdout)):
                last_sha = record.partition(b"\0")[0].split(b"\x1f", 1)[0].decode("ascii", "replace")
                self.listed += 1
                try:
                    commit = parse_log_record(record, line_counts=line_counts)
                except MalformedGitLog:
                    self.warnings.append(AnalysisWarning(
                        "", f"git's log entry for commit {last_sha[:12]} could not be read; skipped"))
                    continue
                if not self._keep(commit):
                    process.kill()
                    break
            process.stdout.close()
            code = process.wait()
            stderr.seek(0)
            message = stderr.read().decode(errors="replace")
        if self.stopped_early or code == 0:
            return None
        if missing := _MISSING_OBJECT.search(message):
            self._truncate(missing.group(1) or missing.group(2))
            return None
        if "unable to read" in message and last_sha is not None:
            return last_sha
        raise_git_failure(self.repo_dir, message)
        return None

    def _command(self, line_counts: bool) -> list[str]:
        return log_command(self.repo_dir, self.pathspecs, line_counts=line_counts, skip=self.listed)

    def _keep(self, commit: Commit) -> bool:
        """Add `commit` if it is in the window; False once the window is behind us."""
        request = self.request
        if request.until is not None and commit.timestamp > request.until:
            return True
        if (request.since is not None and commit.timestamp < request.since
                and len(self.commits) >= request.min_commits):
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
        names = _run(self.repo_dir, "log", "-1", "--relative", "-z", "--name-only", "--no-renames",
                     f"--format={LOG_FORMAT}", failed_sha, "--", *self.pathspecs)
        if names is None or names.returncode != 0:
            self._truncate(failed_sha)
            return False
        self.listed += 1
        self.unreadable.append(failed_sha)
        for record in split_log_records([names.stdout.encode("utf-8", "surrogateescape")]):
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


def log_command(repo_dir: Path, pathspecs: tuple[str, ...], *, line_counts: bool = True,
                skip: int = 0) -> list[str]:
    """The exact `git log` command line that `mine_history` parses (see the module docstring)."""
    changes = ["--numstat", "--find-renames"] if line_counts else ["--name-only", "--no-renames"]
    return ["git", "-C", str(repo_dir), "log", "HEAD", "--no-merges", "--relative", "-z", *changes,
            f"--format={LOG_FORMAT}", f"--skip={skip}", "--", *pathspecs]


def raise_git_failure(repo_dir: Path, message: str) -> None:
    """Turn an unexpected git failure into a user-facing error naming the folder."""
    first_line = message.strip().splitlines()[0] if message.strip() else "no message"
    raise GitFailed(
        f"git log failed in {repo_dir} ({first_line}); check the repository with `git log`, "
        "or pass --no-history"
    )


def _widen_pipe(descriptor: int) -> None:
    # A 1 MiB pipe (Linux) lets git run ahead while a record is parsed, instead of blocking
    # every 64 KiB; elsewhere the default pipe is kept.
    if fcntl is None:
        return
    try:
        fcntl.fcntl(descriptor, getattr(fcntl, "F_SETPIPE_SZ", 1031), _CHUNK * 16)
    except OSError:
        pass


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


def _chunks(stream) -> Iterator[bytes]:  # noqa: ANN001 - a binary pipe
    while chunk := stream.read1(_CHUNK):
        yield chunk


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


def _window(commits: tuple[Commit, ...], request: WindowRequest, stopped_early: bool,
            truncated: bool) -> HistoryWindow:
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


def _run(repo_dir: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, text=True,
                              env=_ENV, check=False, errors="surrogateescape")
    except FileNotFoundError:  # no git on this machine: analyse without history
        return None
