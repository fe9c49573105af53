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
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no pipe sizing
    fcntl = None  # type: ignore[assignment]

from decomposer.errors import GitFailed, MalformedGitLog
from decomposer.model import AnalysisWarning, Commit, LogWalk, MinedHistory, RepoState
from decomposer.sources.git_log import (
    LOG_FORMAT,
    SKIP,
    STOP,
    WindowRequest,
    describe_window,
    parse_log_record,
    split_log_records,
    window_step,
)

__all__ = ["WindowRequest", "has_merges", "history_fingerprint", "is_ancestor", "list_window", "log_command",
           "mine_history", "mine_walk", "raise_git_failure", "read_commits", "read_range", "read_repo_state"]

_ENV = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0",
        # A partial clone would try to fetch each missing blob from its remote.
        "GIT_NO_LAZY_FETCH": "1"}
_MAX_RESUMES = 3  # failures before the rest of the window is read without line counts
_CHUNK = 1 << 16
_EVERYTHING = WindowRequest(None, None, 0)
# A missing tree ("fatal: unable to read tree <sha>") or commit ("error: Could not read <sha>");
# a missing blob says "fatal: unable to read <sha>", which this does not match.
_MISSING_OBJECT = re.compile(r"unable to read tree ([0-9a-f]{40,64})|could not read ([0-9a-f]{40,64})",
                             re.IGNORECASE)


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
    return mine_walk(repo_dir, pathspecs, request, line_counts=line_counts, progress=progress)[0]


def mine_walk(
    repo_dir: Path,
    pathspecs: tuple[str, ...],
    request: WindowRequest,
    *,
    start: LogWalk | None = None,
    line_counts: bool = True,
    progress: Callable[[int], None] = lambda commits: None,
) -> tuple[MinedHistory, tuple[tuple[Commit, ...], bool] | None]:
    """`mine_history`, first cutting the window from `start` (git's walk from HEAD, cached).

    git is run only when the window reaches past the end of `start`, and then only for the
    commits after it (`--skip`), so the result is the same as reading the whole log again.

    Returns:
        The mined history, and the walk it was cut from (commits up to and including the first
        one past the window, and whether git listed every commit), or None when the read was
        not clean (missing objects, an unreadable log entry): such a walk is not reused.
    """
    reader = _LogReader(repo_dir, pathspecs, request, progress)
    if start is None or not reader.replay(start):
        reader.read(line_counts)
    commits = tuple(reader.commits)
    mined = MinedHistory(commits, describe_window(commits, request, reader.stopped_early, reader.truncated),
                         tuple(reader.unreadable), tuple(reader.warnings))
    return mined, _clean_walk(reader)


def read_range(repo_dir: Path, pathspecs: tuple[str, ...], base: str, *,
               line_counts: bool = True) -> tuple[Commit, ...] | None:
    """Every commit of `git log <base>..HEAD` (the same format, in git's order); None unless clean."""
    return _read_all(repo_dir, pathspecs, (f"{base}..HEAD",), line_counts)


def read_commits(repo_dir: Path, pathspecs: tuple[str, ...], shas: tuple[str, ...], *,
                 line_counts: bool = True) -> tuple[Commit, ...] | None:
    """The given commits, as `mine_history` reads them (`git log --no-walk=unsorted <shas>`).

    A non-merge commit's record depends on that commit alone (its diff against its parent),
    so it is the same whichever walk lists it. None unless the read was clean.
    """
    return _read_all(repo_dir, pathspecs, ("--no-walk=unsorted", *shas), line_counts)


def list_window(repo_dir: Path, pathspecs: tuple[str, ...],
                request: WindowRequest) -> tuple[tuple[Commit, ...], bool] | None:
    """The walk `mine_walk` would take for `request`, without any file (no blob read, no rename
    sought: several times cheaper); the commits have no changes. None unless clean."""
    reader = _LogReader(repo_dir, pathspecs, request, lambda commits: None)
    reader.read(None)
    return _clean_walk(reader)


def is_ancestor(repo_dir: Path, ancestor: str, commit: str = "HEAD") -> bool:
    """`git merge-base --is-ancestor`: False too when either commit is missing (exit 128)."""
    answer = _run(repo_dir, "merge-base", "--is-ancestor", ancestor, commit)
    return answer is not None and answer.returncode == 0


def has_merges(repo_dir: Path, base: str, commit: str = "HEAD") -> bool:
    """Whether `base..commit` holds a merge commit (`git rev-list --min-parents=2`); True when unsure."""
    answer = _run(repo_dir, "rev-list", "--min-parents=2", "--max-count=1", f"{base}..{commit}")
    return answer is None or answer.returncode != 0 or bool(answer.stdout.strip())


def history_fingerprint(repo_dir: Path) -> str:
    """A hash of what shapes a commit's record besides the commit: the git version (rename
    detection), `diff.renameLimit`, and the mailmap (the author e-mail respects `.mailmap`,
    `mailmap.file` and `mailmap.blob`), read from the work tree and the config."""
    parts = []
    for args in (("--version",), ("config", "--get-regexp", r"^(mailmap\.|diff\.renamelimit)"),
                 ("rev-parse", "--show-toplevel")):
        answer = _run(repo_dir, *args)
        parts.append("" if answer is None else answer.stdout)
    settings = dict(line.partition(" ")[::2] for line in parts[1].splitlines())
    if "mailmap.blob" in settings:
        parts.append(_sha_of(repo_dir, settings["mailmap.blob"]))
    for path in (Path(parts[2].strip()) / ".mailmap", Path(settings.get("mailmap.file", os.devnull))):
        try:
            parts.append(hashlib.sha256(path.expanduser().read_bytes()).hexdigest())
        except OSError:
            parts.append("")
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


class _LogReader:
    """Runs `git log` (again after a failure), keeping the commits inside the window."""

    def __init__(self, repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest,
                 progress: Callable[[int], None], revisions: tuple[str, ...] = ("HEAD",)) -> None:
        self.repo_dir, self.pathspecs, self.request, self.progress = repo_dir, pathspecs, request, progress
        self.revisions = revisions
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
                    commit = parse_log_record(record, line_counts=bool(line_counts))
                except MalformedGitLog:
                    self.warnings.append(AnalysisWarning(
                        "", f"git's log entry for commit {last_sha[:12]} could not be read; skipped"))
                    continue
                self.walk.append(commit)
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


def log_command(repo_dir: Path, pathspecs: tuple[str, ...], *, line_counts: bool | None = True,
                skip: int = 0, revisions: tuple[str, ...] = ("HEAD",)) -> list[str]:
    """The exact `git log` command line that `mine_history` parses (see the module docstring).

    `line_counts=None` lists the commits alone (no file names: no blob is read, no rename sought).
    """
    changes = {True: ["--numstat", "--find-renames"], False: ["--name-only", "--no-renames"], None: []}
    return ["git", "-C", str(repo_dir), "log", *revisions, "--no-merges", "--relative", "-z",
            *changes[line_counts], f"--format={LOG_FORMAT}", f"--skip={skip}", "--", *pathspecs]


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


def _chunks(stream) -> Iterator[bytes]:  # noqa: ANN001 - a binary pipe
    while chunk := stream.read1(_CHUNK):
        yield chunk


def _commits(count: int) -> str:
    return f"{count} commit" if count == 1 else f"{count} commits"


def _read_all(repo_dir: Path, pathspecs: tuple[str, ...], revisions: tuple[str, ...],
              line_counts: bool) -> tuple[Commit, ...] | None:
    reader = _LogReader(repo_dir, pathspecs, _EVERYTHING, lambda commits: None, revisions)
    reader.read(line_counts)
    walk = _clean_walk(reader)
    return None if walk is None else walk[0]


def _clean_walk(reader: _LogReader) -> tuple[tuple[Commit, ...], bool] | None:
    """The commits `reader` listed and whether git listed all there are; None if any was lost."""
    if reader.unreadable or reader.warnings or reader.truncated or reader.listed != len(reader.walk):
        return None
    return tuple(reader.walk), not reader.stopped_early


def _sha_of(repo_dir: Path, revision: str) -> str:
    answer = _run(repo_dir, "rev-parse", "--verify", "--quiet", revision)
    return "" if answer is None else answer.stdout.strip()


def _run(repo_dir: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, text=True,
                              env=_ENV, check=False, errors="surrogateescape")
    except FileNotFoundError:  # no git on this machine: analyse without history
        return None
