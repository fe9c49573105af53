"""Hostile input at the source edge: each failure mode ends in a warning naming the path, or a
one-line DecomposerError; never a hang, a traceback or a read outside the repository.

Every test builds one tiny real repository in a temporary folder (real files, real grimp,
real git); expected modules and warnings are written out literally.
"""

from __future__ import annotations

import ctypes
import faulthandler
import json
import os
import resource
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, commit_files, git, write_files

from decomposer.errors import InvalidPath, PackageNotFound
from decomposer.model import AnalysisWarning, Commit, FileChange, HistoryWindow, LogWalk, MinedHistory
from decomposer.sources.cache import load_history, load_walk, store_history, store_walk
from decomposer.sources.code import scan_code
from decomposer.sources.package_files import find_module_files
from decomposer.sources.discovery import discover_layout
from decomposer.sources.git import WindowRequest, mine_history

APP = {"app/__init__.py": "", "app/models.py": "X = 1\n", "app/views.py": "from app import models\n"}
EVERYTHING = WindowRequest(since=None, until=None, min_commits=0)
PYTHON_FILES = (":(glob)app/**/*.py",)


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    # A regression here is a hang (a FIFO opened, a symlink loop walked): end the run loudly.
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _scan(repo: Path) -> tuple[list[str], list[tuple[str, str]]]:
    scan = scan_code(repo, repo, ("app",))
    return [source.module for source in scan.modules], [(w.path, w.message) for w in scan.warnings]


# --- symlinks -------------------------------------------------------------------------------


def test_symlink_loops_inside_a_package_are_not_followed(make_repo):
    repo = make_repo({**APP, "app/a/__init__.py": "", "app/a/b.py": "from app import models\n"})
    (repo / "app/a/loop").symlink_to(".")
    (repo / "app/a/up").symlink_to("../a")
    modules, warnings = _scan(repo)
    assert modules == ["app", "app.a", "app.a.b", "app.models", "app.views"]
    assert warnings == [
        ("app/a/loop", "is a symlink to a folder that contains it (a loop); not followed"),
        ("app/a/up", "is a symlink to a folder that contains it (a loop); not followed"),
    ]


def test_symlinks_out_of_the_repository_are_never_read(make_repo, tmp_path: Path):
    outside = write_files(tmp_path / "outside", {"lib/__init__.py": "", "lib/secret.py": "import os\n"})
    repo = make_repo(APP)
    (repo / "app/passwd.py").symlink_to("/etc/passwd")
    (repo / "app/lib").symlink_to(outside / "lib")
    modules, warnings = _scan(repo)
    assert modules == ["app", "app.models", "app.views"]
    assert warnings == [
        ("app/lib", "is a symlink to outside the repository; not followed"),
        ("app/passwd.py", "is a symlink to outside the repository; not followed"),
    ]


def test_symlinks_inside_the_repository_are_skipped_so_nothing_counts_twice(make_repo):
    repo = make_repo({**APP, "app/orders/__init__.py": "", "app/orders/api.py": "",
                      "tools/helper.py": "import app.models\n"})
    (repo / "app/alias.py").symlink_to("models.py")
    (repo / "app/helper.py").symlink_to("../tools/helper.py")
    (repo / "app/shop").symlink_to("orders")
    modules, warnings = _scan(repo)
    assert modules == ["app", "app.models", "app.orders", "app.orders.api", "app.views"]
    skipped = "not followed (symlinks are skipped so that no module is counted twice)"
    assert warnings == [
        ("app/alias.py", f"is a symlink to app/models.py; {skipped}"),
        ("app/helper.py", f"is a symlink to tools/helper.py; {skipped}"),
        ("app/shop", f"is a symlink to app/orders; {skipped}"),
    ]


def test_a_broken_file_beside_a_symlink_is_found_in_the_shadow_tree_and_cached(make_repo, tmp_path: Path):
    repo = make_repo({**APP, "app/old.py": "print 'python 2'\n", "app/jobs/__init__.py": "",
                      "app/jobs/run.py": "from app import old, views\n"})
    (repo / "app/link.py").symlink_to("views.py")
    scans = [scan_code(repo, repo, ("app",), cache_dir=tmp_path / "cache") for _ in range(2)]
    assert scans[0] == scans[1]
    assert [source.module for source in scans[0].modules] == [
        "app", "app.jobs", "app.jobs.run", "app.models", "app.old", "app.views"]
    assert [(edge.importer, edge.imported) for edge in scans[0].imports] == [
        ("app.jobs.run", "app.old"), ("app.jobs.run", "app.views"), ("app.views", "app.models")]
    assert scans[0].warnings == (
        AnalysisWarning("app/link.py", "is a symlink to app/views.py; not followed (symlinks are "
                                       "skipped so that no module is counted twice)"),
        AnalysisWarning("app/old.py", "does not parse (line 1: Missing parentheses in call to 'print'. "
                                      "Did you mean print(...)?); its imports are left out"),
    )


def test_special_files_are_skipped_without_opening_them(make_repo):
    repo = make_repo(APP)
    os.mkfifo(repo / "app/fifo.py")  # opening it would block forever
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(repo / "app/sock.py"))
        (repo / "app/zero.py").symlink_to("/dev/zero")
        (repo / "app/gone.py").symlink_to("missing.py")
        (repo / "app/self.py").symlink_to("self.py")
        modules, warnings = _scan(repo)
    assert modules == ["app", "app.models", "app.views"]
    assert warnings == [
        ("app/fifo.py", "is a named pipe (FIFO), not a Python file; skipped without opening it"),
        ("app/gone.py", "is a broken symlink; skipped"),
        ("app/self.py", "is a broken symlink; skipped"),
        ("app/sock.py", "is a socket, not a Python file; skipped without opening it"),
        ("app/zero.py", "is a symlink to outside the repository; not followed"),
    ]


# --- names ----------------------------------------------------------------------------------


def test_file_names_no_import_can_use_are_warnings_with_printable_paths(make_repo):
    repo = make_repo({**APP, "app/tools/__init__.py": "", "app/tools/my-tool.py": "import app\n",
                      "app/new\nline.py": "", 'app/say "hi".py': "", "app/back`tick.py": "",
                      "app/<img src=x onerror=alert(1)>.py": "", "app/tools/0001_initial.py": "",
                      "app/tools/café.py": ""})
    (repo / "app").joinpath(os.fsdecode(b"caf\xe9.py")).write_text("")  # Latin-1, not UTF-8
    modules, warnings = _scan(repo)
    # A leading digit is kept, as importlib imports it (Django migrations); so are non-ASCII letters.
    assert modules == ["app", "app.models", "app.tools", "app.tools.0001_initial", "app.tools.café",
                       "app.views"]
    assert warnings == [
        ("app", "5 .py files are named with characters no module name may hold (only letters, digits "
                "and _; e.g. <img src=x onerror=alert(1)>.py, back`tick.py, caf\\xe9.py); not analysed"),
        ("app/tools/my-tool.py", "is named with characters no module name may hold (only letters, "
                                 "digits and _); not analysed"),
    ]


def test_a_file_name_that_is_not_utf8_alone_does_not_crash_grimp(make_repo):
    # grimp's Rust core panics (pyo3 PanicException, no Exception subclass) on such a name.
    repo = make_repo(APP)
    (repo / "app").joinpath(os.fsdecode(b"\xff.py")).write_text("import app.models\n")
    assert _scan(repo) == (["app", "app.models", "app.views"], [
        ("app/\\xff.py", "is named with characters no module name may hold (only letters, digits and "
                        "_); not analysed"),
    ])


# --- folders that lose modules --------------------------------------------------------------


def test_namespace_folders_inside_a_package_are_warnings_with_the_count(make_repo):
    repo = make_repo({**APP, "app/orders.py": "", "app/jobs/nightly.py": "", "app/jobs/weekly.py": "",
                      "app/jobs/export/__init__.py": "", "app/jobs/export/csv.py": "",
                      "app/jobs/export/xml.py": "", "app/jobs/notes.txt": "",
                      "app/static/style.css": "", "app/__pycache__/models.cpython-311.pyc": b"\0"})
    modules, warnings = _scan(repo)
    assert modules == ["app", "app.models", "app.orders", "app.views"]
    assert warnings == [
        ("app/jobs", "has no __init__.py (grimp skips namespace folders inside a package): its 5 .py "
                     "files are not analysed; add an empty __init__.py to analyse them"),
    ]


def test_a_namespace_folder_whose_modules_would_be_excluded_anyway_is_not_said(make_repo):
    # pytest needs no __init__.py in tests/ (awx: 11 such folders): adding one would change
    # nothing, its modules are excluded by default; a folder of production code is still said,
    # and so are the test folders once the default excludes are off.
    from decomposer.config import load_settings
    from decomposer.pipeline import analyze

    repo = make_repo({**APP, "app/tests/test_models.py": "", "app/tests/unit/test_views.py": "",
                      "app/jobs/nightly.py": ""})
    found = find_module_files(repo, repo, ("app",))
    assert found.hidden == (("app/jobs", ("app.jobs.nightly",)),
                            ("app/tests", ("app.tests.test_models", "app.tests.unit.test_views")))

    def folders(**options) -> list[str]:  # noqa: ANN003 - load_settings' overrides
        analysis = analyze(load_settings(repo, {"packages": ("app",), **options}, use_config=False))
        return [warning.path for warning in analysis.warnings if "__init__.py" in warning.message]

    assert folders() == ["app/jobs"]
    assert folders(default_excludes=False) == ["app/jobs", "app/tests"]


def test_folders_that_cannot_be_packages_are_warnings(make_repo):
    repo = make_repo({**APP, "app/sub/__init__.py/README": "", "app/sub/api.py": "",
                      "app/my-scripts/run.py": "", "app/dir.py/x.py": "", "app/.cache/x.py": ""})
    modules, warnings = _scan(repo)
    assert modules == ["app", "app.models", "app.views"]
    assert warnings == [
        ("app/dir.py", "is a folder, not a Python file; not analysed"),
        ("app/my-scripts", "is not a Python identifier, so it cannot be a package: its 1 .py file is "
                           "not analysed; rename it"),
        ("app/sub/__init__.py", "is a folder, not a file, so sub is no package: its 1 .py file is not "
                                "analysed; make it a plain file"),
    ]


def test_a_package_nested_deeper_than_any_real_one_is_cut_with_a_warning(make_repo):
    # 300 levels: os.walk (in grimp, before Python 3.12) would pass the recursion limit.
    repo = make_repo({"app/" + "a/" * depth + "__init__.py": "" for depth in range(301)})
    modules, warnings = _scan(repo)
    assert modules == ["app"] + ["app" + ".a" * depth for depth in range(1, 101)]
    assert warnings == [("app/" + "a/" * 100 + "a", "is nested more than 100 packages deep; not analysed")]


_UNREADABLE_SCAN = """
import json, sys
from pathlib import Path
from decomposer.sources.code import scan_code
repo = Path(sys.argv[1])
scan = scan_code(repo, repo, ("app",))
print(json.dumps([[[s.module, s.loc] for s in scan.modules], [[w.path, w.message] for w in scan.warnings]]))
"""


def _without_dac_override() -> None:
    # As root, chmod 000 stops nobody: drop the capabilities that bypass file permissions from
    # the bounding set, so the process exec'd next runs as root that honours them.
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop CAP_DAC_OVERRIDE")


def test_unreadable_files_and_folders_are_warnings(make_repo):
    repo = make_repo({**APP, "app/locked.py": "import app.models\n", "app/closed/__init__.py": "",
                      "app/closed/api.py": ""})
    (repo / "app/locked.py").chmod(0)
    (repo / "app/closed").chmod(0)
    try:
        result = subprocess.run(
            [sys.executable, "-c", _UNREADABLE_SCAN, str(repo)], capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            preexec_fn=_without_dac_override if os.geteuid() == 0 else None, check=False)
    finally:
        (repo / "app/closed").chmod(0o755)
    if "cannot drop CAP_DAC_OVERRIDE" in result.stderr:
        pytest.skip("running as root without the right to drop CAP_DAC_OVERRIDE")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        [["app", 0], ["app.locked", 0], ["app.models", 1], ["app.views", 1]],
        [["app/closed", "cannot be read (Permission denied); its modules are not analysed"],
         ["app/locked.py", "cannot be read (Permission denied); its imports are left out"]],
    ]


# --- packages and source roots --------------------------------------------------------------


def test_a_symlinked_package_is_never_scanned(make_repo, tmp_path: Path):
    outside = write_files(tmp_path / "outside", {"app/__init__.py": "", "app/secret.py": ""})
    repo = make_repo({"README.md": ""})
    (repo / "app").symlink_to(outside / "app")
    with pytest.raises(PackageNotFound) as raised:
        scan_code(repo, repo, ("app",))
    assert str(raised.value) == (
        f"{repo}/app is not a package (a folder, not a symlink, with an __init__.py file); "
        "check --package and source_root")
    with pytest.raises(InvalidPath) as raised:
        scan_code(repo, outside, ("app",))
    assert str(raised.value) == f"source root {outside} is not inside {repo}; fix source_root"


def test_symlinked_packages_are_not_discovered(make_repo, tmp_path: Path):
    write_files(tmp_path / "outside", {"lib/__init__.py": "", "lib/x.py": ""})
    repo = make_repo(APP)
    (repo / "lib").symlink_to(tmp_path / "outside" / "lib")
    (repo / "loop").symlink_to(".")
    assert discover_layout(repo).packages == ("app",)
    with pytest.raises(PackageNotFound) as raised:
        discover_layout(repo, ("lib",))
    assert str(raised.value) == (
        f"{repo}/lib is a symlink, and decomposer does not follow symlinks; name the folder it "
        "points to with --source-root (it must be inside the repository)")


# --- git history ----------------------------------------------------------------------------


def _new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def _history(repo: Path) -> MinedHistory:
    return mine_history(repo, PYTHON_FILES, EVERYTHING)


def test_separator_bytes_in_file_names_do_not_split_commits(tmp_path: Path):
    repo = _new_repo(tmp_path / "names")
    names = ["app/a.py", "app/x\x1ey.py", "app/x\x1fy.py", "app/tab\there.py", "app/nl\nhere.py",
             "app/{b => c}.py", 'app/"quoted".py']
    for day, name in enumerate(names, start=1):
        commit_files(repo, {name: f"V = {day}\n"}, f"c{day}", date=f"2025-01-0{day}T12:00:00Z")
    history = _history(repo)
    assert [[change.path for change in commit.changes] for commit in history.commits] == [
        [name] for name in reversed(names)]
    assert {change.added for commit in history.commits for change in commit.changes} == {1}
    assert history.warnings == ()


def _five_commits(repo: Path) -> list[str]:
    return [commit_files(repo, {**APP, "app/models.py": f"X = {day}\n", "app/sub/__init__.py": "",
                                "app/sub/y.py": f"Y = {day}\n"}, f"c{day}", date=f"2025-01-0{day}T12:00:00Z")
            for day in range(1, 6)]


def _lose(repo: Path, sha: str) -> None:
    (repo / ".git" / "objects" / sha[:2] / sha[2:]).unlink()


@pytest.mark.parametrize("lost", ["commit", "tree", "subtree"])
def test_a_missing_commit_or_tree_truncates_the_history_with_a_warning(tmp_path: Path, lost: str):
    repo = _new_repo(tmp_path / lost)
    shas = _five_commits(repo)
    missing = git(repo, "rev-parse", {"commit": shas[2], "tree": f"{shas[2]}^{{tree}}",
                                      "subtree": f"{shas[2]}:app/sub"}[lost]).strip()
    _lose(repo, missing)
    history = _history(repo)
    # git stops before the commit that needs the lost object: only the newest one is read.
    assert [commit.sha for commit in history.commits] == [shas[4]]
    assert history.window == HistoryWindow(history.commits[0].timestamp, None,
                                           "back to a commit git cannot read (missing objects)")
    assert history.warnings == (AnalysisWarning("", (
        f"history truncated: git cannot read object {missing[:12]} (missing from the repository), so "
        "commits older than it are left out (1 commit read); restore it with `git fetch` "
        "(`git fetch --unshallow` in a shallow clone) and run again")),)


def test_a_missing_blob_still_costs_only_line_counts(tmp_path: Path):
    repo = _new_repo(tmp_path / "blob")
    shas = _five_commits(repo)
    _lose(repo, git(repo, "rev-parse", f"{shas[2]}:app/models.py").strip())
    history = _history(repo)
    assert [commit.sha for commit in history.commits] == list(reversed(shas))
    assert history.unreadable == (shas[3], shas[2])
    assert history.warnings == ()


# --- the history cache ----------------------------------------------------------------------

HISTORY = MinedHistory(
    commits=(Commit("c" * 40, 1_700_000_000, "k1", (FileChange("app/x\udcff.py", 3, 1),
                                                      FileChange("app/b.py", 0, 0, "app/a.py"))),),
    window=HistoryWindow(1_700_000_000, None, "the whole history"),
    unreadable=("d" * 40,),
    warnings=(AnalysisWarning("", "a warning"),),
)
GOOD = '{"format":1,"commits":[["%s",1,"k",[["a.py",1,0,null]]]],"window":[1,null,"w"],' \
       '"unreadable":[],"warnings":[]}' % ("c" * 40)


@pytest.mark.parametrize("content", [
    b"[]", b"null", b"1", b'"text"', b"{}", b'{"format": 2}', GOOD[:40].encode(), b"\xff\xfe",
    b"[" * 100_000,
    GOOD.replace(',1,"k"', ',"1","k"').encode(),  # a time that is a string
    GOOD.replace(',1,"k"', ',true,"k"').encode(),  # true is no number
    GOOD.replace('[["a.py",1,0,null]]', '[["a.py",1,0]]').encode(),  # a change too short
    GOOD.replace('"window":[1,null,"w"]', '"window":{"since":1}').encode(),
    GOOD.replace('"unreadable":[]', '"unreadable":[7]').encode(),
    GOOD.replace('"warnings":[]', '"warnings":[["only path"]]').encode(),
])
def test_a_cache_file_of_the_wrong_shape_is_a_miss_and_is_replaced(tmp_path: Path, content: bytes):
    write_files(tmp_path / "cache", {"history/key.json": content})
    assert load_history(tmp_path / "cache", "key") is None
    store_history(tmp_path / "cache", "key", HISTORY)
    assert load_history(tmp_path / "cache", "key") == HISTORY
    assert sorted(os.listdir(tmp_path / "cache" / "history")) == ["key.json"]


WALK = '{"format":2,"head":"%s","complete":true,"commits":[["%s",1,"k",[["a.py",1,0,null]]]]}' % ("a" * 40, "c" * 40)


@pytest.mark.parametrize("content", [
    b"[]", b"{}", GOOD.encode(), WALK[:50].encode(),
    WALK.replace('"complete":true', '"complete":1').encode(),  # 1 is no boolean
    WALK.replace("a" * 40, "--output=/tmp/x").encode(),  # a head git would take for an option
    WALK.replace("a" * 40, "HEAD~1..HEAD").encode(),
    WALK.replace('[["a.py",1,0,null]]', '[["a.py",1,0]]').encode(),
])
def test_a_walk_file_of_the_wrong_shape_is_a_miss_and_is_replaced(tmp_path: Path, content: bytes):
    write_files(tmp_path / "cache", {"history/key.json": content})
    assert load_walk(tmp_path / "cache", "key") is None
    walk = LogWalk("b" * 64, HISTORY.commits, complete=False)
    store_walk(tmp_path / "cache", "key", walk)
    assert load_walk(tmp_path / "cache", "key") == walk
    assert load_history(tmp_path / "cache", "key") is None  # a walk is not a mined history


def test_a_cache_path_that_is_a_fifo_or_a_folder_is_a_miss(tmp_path: Path):
    (tmp_path / "history").mkdir()
    os.mkfifo(tmp_path / "history" / "fifo.json")
    (tmp_path / "history" / "folder.json").mkdir()
    assert (load_history(tmp_path, "fifo"), load_history(tmp_path, "folder")) == (None, None)


def test_a_failed_cache_write_keeps_the_old_file_and_leaks_no_temporary_file(tmp_path: Path):
    store_history(tmp_path, "key", HISTORY)
    bigger = MinedHistory(HISTORY.commits * 200, HISTORY.window, (), ())
    # A real write error from the kernel, as on a full disk: files may not grow past 100 bytes.
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (100, limits[1]))
    try:
        store_history(tmp_path, "key", bigger)
        store_history(tmp_path, "other", bigger)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    assert sorted(os.listdir(tmp_path / "history")) == ["key.json"]
    assert load_history(tmp_path, "key") == HISTORY
