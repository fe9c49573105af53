"""The only module that runs `git`: repository state and the streamed commit log.

(What the log means, how its records are parsed and where reading stops is sources.git_log:
no process is started there.)

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

For the incremental history (sources.incremental) the same command reads other revisions:
`<cached>..HEAD` (the new commits), `--no-walk=unsorted <sha>...` (given commits; a commit's
record depends on it alone), or the window without files (no `--numstat`: no blob read, no
rename sought); `git merge-base --is-ancestor` and `git rev-list --min-parents=2` say whether
the cached walk can be reused. A cold read on three cores or more lists the window without files
and reads its commits in blocks, several `--no-walk=unsorted` processes at once (`read_window`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no pipe sizing
    fcntl = None  # type: ignore[assignment]

from decomposer.model import Commit, LogWalk, MinedHistory, RepoState
from decomposer.sources.git_log import (
    LOG_FORMAT,
    LogReader,
    WindowRequest,
    clean_walk,
    describe_window,
    log_command,
    split_log_records,
)

__all__ = ["WindowRequest", "has_merges", "history_fingerprint", "is_ancestor", "list_window", "log_command",
           "mine_history", "mine_walk", "read_commits", "read_range", "quota_cores", "read_repo_state",
           "read_window", "reading_processes"]

_ENV = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0",
        # A partial clone would try to fetch each missing blob from its remote.
        "GIT_NO_LAZY_FETCH": "1"}
_CHUNK = 1 << 16
_EVERYTHING = WindowRequest(None, None, 0)
_SHAS_PER_COMMAND = 2000
_BLOCK = 500  # commits per reading process in read_window (a git process starts in ~4 ms)


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
    reader = _reader(repo_dir, pathspecs, request, progress)
    if start is None or not reader.replay(start):
        reader.read(line_counts)
    commits = tuple(reader.commits)
    mined = MinedHistory(commits, describe_window(commits, request, reader.stopped_early, reader.truncated),
                         tuple(reader.unreadable), tuple(reader.warnings))
    return mined, clean_walk(reader)


def read_range(repo_dir: Path, pathspecs: tuple[str, ...], base: str, request: WindowRequest, *,
               line_counts: bool = True) -> tuple[tuple[Commit, ...], bool] | None:
    """The walk of `git log <base>..HEAD` (the same format, in git's order), cut at `request`'s edge.

    Returns the commits and True when the range was read to its end, False when the window
    ended inside it (its edge commit is the last one); None unless the read was clean.
    """
    reader = _reader(repo_dir, pathspecs, request, revisions=(f"{base}..HEAD",))
    reader.read(line_counts)
    return clean_walk(reader)


def read_commits(repo_dir: Path, pathspecs: tuple[str, ...], shas: tuple[str, ...], *,
                 line_counts: bool = True) -> tuple[Commit, ...] | None:
    """The given commits, as `mine_history` reads them (`git log --no-walk=unsorted <shas>`).

    A non-merge commit's record depends on that commit alone (its diff against its parent),
    so it is the same whichever walk lists it. None unless the read was clean.
    """
    commits: list[Commit] = []
    for first in range(0, len(shas), _SHAS_PER_COMMAND):  # command lines have a length limit
        revisions = ("--no-walk=unsorted", *shas[first:first + _SHAS_PER_COMMAND])
        reader = _reader(repo_dir, pathspecs, _EVERYTHING, revisions=revisions)
        reader.read(line_counts)
        walk = clean_walk(reader)
        if walk is None:
            return None
        commits += walk[0]
    return tuple(commits)


def read_window(repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest, *, processes: int,
                block: int = _BLOCK, progress: Callable[[int], None] = lambda count: None,
                ) -> tuple[tuple[Commit, ...], bool] | None:
    """The walk `mine_walk` reads for `request`, its files read by `processes` git processes at once.

    git lists the window without files first (no blob read, no rename sought: the cheap part of
    `git log`), and each block of `block` listed commits goes, as soon as it is complete, to one
    of `processes` `git log --no-walk=unsorted` readers: a non-merge commit's record depends on
    the commit alone, so the blocks put together in listed order are the one stream's records.
    On wagtail's whole history (9,764 commits), two readers: 3.2 s instead of 4.1 s, alone on
    two cores, for 1 s more CPU in all.

    Returns the commits and whether git listed all there are, as `list_window`; None unless
    every read was clean (a missing object, an odd record): the caller then reads the one
    stream, which recovers from those.
    """
    with ThreadPoolExecutor(max_workers=processes) as pool:
        try:
            return _read_in_blocks(repo_dir, pathspecs, request, pool, block, progress)
        except BaseException:  # Ctrl-C, a git failure: the blocks not begun are not read
            pool.shutdown(cancel_futures=True)
            raise


def _read_in_blocks(repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest, pool: ThreadPoolExecutor,
                    block: int, progress: Callable[[int], None]) -> tuple[tuple[Commit, ...], bool] | None:
    blocks: list[Future[tuple[Commit, ...] | None]] = []
    pending: list[str] = []

    def send() -> None:
        for future in blocks:  # a block that failed (Ctrl-C, git) stops the listing too
            if future.done() and (error := future.exception()) is not None:
                raise error
        blocks.append(pool.submit(read_commits, repo_dir, pathspecs, tuple(pending)))
        pending.clear()

    def walked(commit: Commit) -> None:
        pending.append(commit.sha)
        if len(pending) == block:
            send()

    listing = _reader(repo_dir, pathspecs, request, walked=walked)
    listing.read(None)
    listed = clean_walk(listing)
    if listed is None:  # a commit or tree git cannot read: the one stream says what is missing
        pool.shutdown(cancel_futures=True)
        return None
    if pending:
        send()
    read: list[Commit] = []
    for future in blocks:
        commits = future.result()
        if commits is None:
            pool.shutdown(cancel_futures=True)
            return None
        read += commits
        progress(len(read))
    if [commit.sha for commit in read] != [commit.sha for commit in listed[0]]:
        return None
    return tuple(read), listed[1]


def reading_processes() -> int:
    """How many git processes `read_window` should run: one per core this process may use, less
    the one the analysis itself needs while git reads (it reads the code meanwhile), up to 8.

    1 on two cores: there the listing's extra CPU (0.9 s on wagtail) is taken from the code
    reading and git's own stream finishes first (benchmarks/PROFILE.md, round 6).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:  # a container's CPU quota (cgroup v2), which the affinity does not show
        quota = quota_cores(Path("/sys/fs/cgroup/cpu.max").read_text())
    except OSError:
        quota = None
    usable = cores if quota is None else min(cores, quota)
    return max(1, min(usable - 1, 8))


def quota_cores(cpu_max: str) -> int | None:
    """The whole cores a cgroup v2 `cpu.max` ("<quota> <period>" or "max <period>") allows, at
    least 1; None without a quota or when the text is not that."""
    parts = cpu_max.split()
    if len(parts) != 2 or parts[0] == "max" or not all(part.isdigit() for part in parts) or parts[1] == "0":
        return None
    return max(1, int(parts[0]) // int(parts[1]))


def list_window(repo_dir: Path, pathspecs: tuple[str, ...],
                request: WindowRequest) -> tuple[tuple[Commit, ...], bool] | None:
    """The walk `mine_walk` would take for `request`, without any file (no blob read, no rename
    sought: several times cheaper); the commits have no changes. None unless clean."""
    reader = _reader(repo_dir, pathspecs, request)
    reader.read(None)
    return clean_walk(reader)


def toplevel(repo_dir: Path) -> Path | None:
    """The root of the git work tree `repo_dir` lies in (`git rev-parse --show-toplevel`), or None."""
    answer = _run(repo_dir, "rev-parse", "--show-toplevel")
    if answer is None or answer.returncode != 0 or not answer.stdout.strip():
        return None
    return Path(answer.stdout.strip()).resolve()


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


def _reader(repo_dir: Path, pathspecs: tuple[str, ...], request: WindowRequest,
            progress: Callable[[int], None] = lambda count: None, revisions: tuple[str, ...] = ("HEAD",),
            walked: Callable[[Commit], None] = lambda commit: None) -> LogReader:
    def names(sha: str) -> bytes | None:  # a commit's files without their blobs
        answer = _run(repo_dir, "log", "-1", "--relative", "-z", "--name-only", "--no-renames",
                      f"--format={LOG_FORMAT}", sha, "--", *pathspecs)
        ok = answer is not None and answer.returncode == 0
        return answer.stdout.encode("utf-8", "surrogateescape") if ok else None

    return LogReader(repo_dir, pathspecs, request, stream=_stream, names=names, progress=progress,
                     revisions=revisions, walked=walked)


def _stream(command: list[str], take: Callable[[bytes], bool]) -> tuple[int, str]:
    """Run `command`, handing each log record to `take` as git writes it; stop git when `take`
    returns False. Returns git's exit code and what it wrote to stderr."""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=_ENV)
        assert process.stdout is not None
        _widen_pipe(process.stdout.fileno())
        stopped = True  # by `take`, or by an error raised in it (Ctrl-C): git is stopped too
        try:
            for record in split_log_records(_chunks(process.stdout)):
                if not take(record):
                    break
            else:
                stopped = False
        finally:
            if stopped:
                process.kill()
            process.stdout.close()
            code = process.wait()
        stderr.seek(0)
        return code, stderr.read().decode(errors="replace")


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


def _sha_of(repo_dir: Path, revision: str) -> str:
    answer = _run(repo_dir, "rev-parse", "--verify", "--quiet", revision)
    return "" if answer is None else answer.stdout.strip()


def _run(repo_dir: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, text=True,
                              env=_ENV, check=False, errors="surrogateescape")
    except FileNotFoundError:  # no git on this machine: analyse without history
        return None
