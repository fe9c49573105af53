"""Find the Python packages to analyse in a repository, say why they were chosen, and list
the module files inside them that are safe to read.

Common layouts are found without configuration, tried in this order:

1. packages named by the user (`--package`, `[tool.decomposer] packages`), looked for in the
   given source root, else the repo root, `src/`, then each folder one level down;
2. `src/` layout: the packages inside `repo/src/`;
3. flat layout: the packages at the repository root (one or several);
4. a root that is no package but holds a project folder of apps one level down
   (`repo/project/app1/__init__.py`): the folder with the most Python modules.

A package is a folder (not a symlink) with an `__init__.py` file whose name is a Python
identifier. Folders of tests, docs, examples, scripts and virtual environments are never
taken as packages.

What is read inside a package (`find_module_files`) is decided before any file is opened,
from the folder listings alone (`os.scandir`, symlinks never followed):

- symlinks are never followed, wherever they point: out of the repository (a `.py` link to
  /etc/passwd), into a loop (`loop -> .`), or to another file of the repository (git stores
  the link, not its target, and the target would be counted twice); each is a warning;
- special files named `*.py` (FIFOs, sockets, devices) are warnings and are never opened
  (opening a FIFO blocks forever);
- a `.py` file named with anything but letters, digits and underscores (`my-tool.py`, a
  newline, quotes, a backtick, `<`, bytes that are not UTF-8) is no module any import can
  name: it is left out with a warning, one per folder. A leading digit is kept: importlib
  imports such modules (Django's `migrations/0001_initial.py`), as grimp does;
- a folder that cannot be listed, a folder without `__init__.py` inside a package (grimp skips
  such namespace folders) and a folder whose name is not an identifier are warnings with the
  number of `.py` files not analysed and what to do;
- hidden files and folders (a leading dot) are left out silently, as grimp does.

Paths in warnings are printable: bytes that are not UTF-8 and control characters are escaped.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from decomposer.errors import InvalidPath, PackageNotFound
from decomposer.model import AnalysisWarning, Layout

__all__ = ["IGNORED_DIRS", "ModuleFiles", "check_repo_path", "discover_layout", "find_module_files"]

IGNORED_DIRS = frozenset(
    {
        "test", "tests", "testing", "docs", "doc", "example", "examples", "script", "scripts",
        "benchmark", "benchmarks", "build", "dist", "site-packages", "node_modules",
        "venv", "env", "virtualenv", "__pycache__",
    }
)


_MAX_DEPTH = 100  # package levels below a top-level package


@dataclass(frozen=True, slots=True)
class ModuleFiles:
    """The module files of the analysed packages that are safe to read, and what was left out."""

    files: tuple[tuple[str, Path], ...]  # (module, regular file), sorted by module
    warnings: tuple[AnalysisWarning, ...]  # one per entry left out, sorted by path
    # entries left out that grimp's own walk would read (it follows symlinks and opens every
    # *.py entry), sorted; where there are none, grimp walking the folders finds exactly `files`
    unsafe: tuple[Path, ...]


def check_repo_path(repo_path: Path) -> Path:
    """Return the resolved repository path.

    Raises:
        InvalidPath: the path does not exist or is not a directory.
    """
    if not repo_path.exists():
        raise InvalidPath(f"{repo_path} does not exist; pass the folder of your repository")
    if not repo_path.is_dir():
        raise InvalidPath(f"{repo_path} is a file, not a folder; pass the folder of your repository")
    return repo_path.resolve()


def discover_layout(
    repo_dir: Path, packages: tuple[str, ...] = (), source_root: str | None = None
) -> Layout:
    """Choose the packages to analyse and their source root.

    Args:
        repo_dir: the resolved repository folder.
        packages: top-level package names the user named; empty to discover them.
        source_root: repository-relative folder holding the packages; None to discover it.

    Raises:
        PackageNotFound: no package found, or a named package does not exist.
        InvalidPath: the named source root is not a folder of the repository.
    """
    roots = _candidate_roots(repo_dir, source_root)
    if packages:
        return _named_layout(repo_dir, roots, packages)
    if source_root is not None:
        found = _packages_in(roots[0])
        if not found:
            raise PackageNotFound(
                f"no Python package (a folder with __init__.py) in {roots[0]}; "
                "check source_root or name one with --package"
            )
        return Layout(source_root, found, f"{_count(found)} in the configured source root {source_root}")
    return _discovered_layout(repo_dir)


def _candidate_roots(repo_dir: Path, source_root: str | None) -> list[Path]:
    if source_root is None:
        return [repo_dir, repo_dir / "src", *_child_dirs(repo_dir)]
    root = Path(os.path.realpath(repo_dir / source_root))
    if not root.is_dir() or not root.is_relative_to(repo_dir):
        raise InvalidPath(
            f"source root {source_root!r} is not a folder inside {repo_dir}; fix source_root"
        )
    return [root]


def _named_layout(repo_dir: Path, roots: list[Path], packages: tuple[str, ...]) -> Layout:
    for name in packages:
        if not name.isidentifier():
            raise PackageNotFound(
                f"--package {name!r} is not a top-level package name; name the top-level package "
                "(e.g. 'shop', not 'shop.orders' or a path)"
            )
    for root in roots:
        if all(_is_package(root / name) for name in packages):
            names = tuple(sorted(set(packages)))
            relative = _relative(root, repo_dir)
            return Layout(relative, names, f"{_count(names)} named by --package or [tool.decomposer]")
    available = sorted({name for root in roots for name in _packages_in(root)})
    hint = f"packages found: {', '.join(available)}" if available else "no package found at all"
    missing = ", ".join(name for name in packages if not any((r / name).is_dir() for r in roots))
    linked = [root / name for root in roots for name in packages if (root / name).is_symlink()]
    if linked:
        raise PackageNotFound(_symlinked_package(linked[0]))
    raise PackageNotFound(
        f"package {missing or ', '.join(packages)} not found in {repo_dir} ({hint}); check --package"
    )


def _discovered_layout(repo_dir: Path) -> Layout:
    src = repo_dir / "src"
    if found := _packages_in(src):
        return Layout("src", found, f"{_count(found)} in src/ (src layout)")
    if found := _packages_in(repo_dir):
        left_out = sorted(
            child.name for child in _child_dirs(repo_dir, include_ignored=True)
            if child.name in IGNORED_DIRS and _is_package(child)
        )
        note = f"; left out: {', '.join(left_out)}" if left_out else ""
        return Layout(".", found, f"{_count(found)} at the repository root{note}")
    candidates = [(_python_file_count(child), child) for child in _child_dirs(repo_dir)]
    candidates = [(count, child) for count, child in candidates if _packages_in(child)]
    if candidates:
        count, best = max(candidates, key=lambda pair: (pair[0], pair[1].name))
        found = _packages_in(best)
        return Layout(
            best.name, found, f"{_count(found)} in {best.name}/ (the folder with most Python modules: {count})"
        )
    raise PackageNotFound(_nothing_found_message(repo_dir))


def _nothing_found_message(repo_dir: Path) -> str:
    try:
        children = sorted(repo_dir.iterdir())
    except OSError:
        children = []
    # realpath, unlike Path.resolve before Python 3.13, does not raise on a symlink loop.
    linked = [path for path in children if path.is_symlink() and _is_package(Path(os.path.realpath(path)))]
    if linked:
        return _symlinked_package(linked[0])
    python_files = _python_file_count(repo_dir)
    if python_files == 0:
        return f"{repo_dir} holds no Python files; point decomposer at a Python repository"
    return (
        f"no Python package (a folder with __init__.py) found in {repo_dir} "
        f"({python_files} .py files); name one with --package, or set source_root"
    )


def _symlinked_package(path: Path) -> str:
    return (f"{path} is a symlink, and decomposer does not follow symlinks; name the folder it points "
            "to with --source-root (it must be inside the repository)")


def _packages_in(root: Path) -> tuple[str, ...]:
    if not root.is_dir() or root.is_symlink():
        return ()
    return tuple(sorted(child.name for child in _child_dirs(root) if _is_package(child)))


def _is_package(folder: Path) -> bool:
    # lstat: a symlinked folder or __init__.py is no package (symlinks are never followed).
    return _file_type(folder) == stat.S_IFDIR and _file_type(folder / "__init__.py") == stat.S_IFREG


def _file_type(path: Path) -> int | None:
    try:
        return stat.S_IFMT(path.lstat().st_mode)
    except OSError:
        return None


def _child_dirs(folder: Path, *, include_ignored: bool = False) -> list[Path]:
    try:
        children = sorted(folder.iterdir())
    except OSError:
        return []
    return [
        child
        for child in children
        if child.is_dir()
        and not child.is_symlink()
        and child.name.isidentifier()
        and (include_ignored or child.name not in IGNORED_DIRS)
        and not (child / "pyvenv.cfg").exists()
    ]


def _python_file_count(folder: Path, *, skip_ignored: bool = True) -> int:
    # A stack, not os.walk: that recurses once per level before Python 3.12 (a hostile tree
    # can be deeper than the recursion limit). Symlinks to folders are not followed.
    count, stack = 0, [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            if not _is_folder(entry):
                count += entry.name.endswith(".py")
            elif not entry.is_symlink() and not entry.name.startswith(".") and not (skip_ignored and (
                    entry.name in IGNORED_DIRS or os.path.exists(os.path.join(entry.path, "pyvenv.cfg")))):
                stack.append(Path(entry.path))
    return count


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _relative(path: Path, repo_dir: Path) -> str:
    relative = path.relative_to(repo_dir).as_posix()
    return relative if relative != "" else "."


def _count(names: tuple[str, ...]) -> str:
    noun = "package" if len(names) == 1 else "packages"
    return f"{len(names)} {noun} ({', '.join(names)})"


def find_module_files(repo_dir: Path, source_dir: Path, packages: tuple[str, ...]) -> ModuleFiles:
    """List the module files of `packages`, leaving out what must not be read (see the top).

    Args:
        repo_dir: the resolved repository; nothing outside it is listed.
        source_dir: the resolved folder that holds the top-level packages.
        packages: top-level package names.

    Raises:
        InvalidPath: `source_dir` is not inside `repo_dir`.
        PackageNotFound: a package is not a folder with an `__init__.py` file.
    """
    if not source_dir.is_relative_to(repo_dir):
        raise InvalidPath(f"source root {source_dir} is not inside {repo_dir}; fix source_root")
    walk = _PackageWalk(repo_dir)
    for package in packages:
        if not _is_package(source_dir / package):
            raise PackageNotFound(
                f"{source_dir / package} is not a package (a folder, not a symlink, with an "
                "__init__.py file); check --package and source_root"
            )
        walk.package(source_dir / package, package)
    return ModuleFiles(tuple(sorted(walk.files)), tuple(sorted(walk.warnings, key=lambda w: w.path)),
                       tuple(sorted(walk.unsafe)))


class _PackageWalk:
    """Walks package folders without following symlinks, collecting files and warnings."""

    def __init__(self, repo_dir: Path) -> None:
        self.repo_dir = repo_dir
        self.files: list[tuple[str, Path]] = []
        self.warnings: list[AnalysisWarning] = []
        self.unsafe: list[Path] = []

    def package(self, folder: Path, module: str) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            self._skip(folder, f"cannot be read ({error.strerror}); its modules are not analysed")
            return
        self.files.append((module, folder / "__init__.py"))
        odd_names = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__init__.py":
                continue
            path = folder / entry.name
            if entry.is_symlink():
                if entry.name.endswith(".py") or (entry.name.isidentifier() and path.is_dir()):
                    self._skip(path, self._symlink_reason(path), unsafe=True)
            elif entry.is_dir(follow_symlinks=False):
                self._folder(path, f"{module}.{entry.name}")
            elif not entry.name.endswith(".py"):
                continue
            elif not entry.is_file(follow_symlinks=False):
                self._skip(path, f"is {_kind(path)}, not a Python file; skipped without opening it",
                           unsafe=True)
            elif f"_{entry.name[:-3]}".isidentifier():  # letters, digits and _ (may start with a digit)
                self.files.append((f"{module}.{entry.name[:-3]}", path))
            else:
                odd_names.append(path)
        self._odd_names(folder, odd_names)

    def _folder(self, folder: Path, module: str) -> None:
        init = folder / "__init__.py"
        try:
            init_type: int | None = stat.S_IFMT(init.lstat().st_mode)
        except FileNotFoundError:
            init_type = None
        except OSError as error:
            self._skip(folder, f"cannot be read ({error.strerror}); its modules are not analysed")
            return
        if module.count(".") > _MAX_DEPTH:  # deeper than any real package; grimp would recurse
            self._skip(folder, f"is nested more than {_MAX_DEPTH} packages deep; not analysed", unsafe=True)
            return
        if init_type == stat.S_IFREG and folder.name.isidentifier():
            self.package(folder, module)
            return
        count = _python_file_count(folder, skip_ignored=False)
        lost = f"its {count} .py file{'s' if count != 1 else ''} {'are' if count != 1 else 'is'} not analysed"
        if folder.name.endswith(".py"):
            self._skip(folder, "is a folder, not a Python file; not analysed")
        elif count == 0:
            return
        elif not folder.name.isidentifier():
            self._skip(folder, f"is not a Python identifier, so it cannot be a package: {lost}; rename it")
        elif init_type is None:
            self._skip(folder, f"has no __init__.py (grimp skips namespace folders inside a package): "
                               f"{lost}; add an empty __init__.py to analyse them")
        else:
            self._skip(init, f"is {_kind(init)}, not a file, so {folder.name} is no package: {lost}; "
                             "make it a plain file", unsafe=init_type != stat.S_IFDIR)

    def _odd_names(self, folder: Path, paths: list[Path]) -> None:
        self.unsafe += paths
        if len(paths) == 1:
            self._skip(paths[0], "is named with characters no module name may hold (only letters, "
                                 "digits and _); not analysed")
        elif paths:
            examples = ", ".join(_printable(path.name) for path in paths[:3])
            self._skip(folder, f"{len(paths)} .py files are named with characters no module name may "
                               f"hold (only letters, digits and _; e.g. {examples}); not analysed")

    def _symlink_reason(self, path: Path) -> str:
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
            return "is a broken symlink; skipped"
        if not target.is_relative_to(self.repo_dir):
            return "is a symlink to outside the repository; not followed"
        if path.parent.is_relative_to(target):
            return "is a symlink to a folder that contains it (a loop); not followed"
        return (f"is a symlink to {_printable(target.relative_to(self.repo_dir).as_posix())}; not "
                "followed (symlinks are skipped so that no module is counted twice)")

    def _skip(self, path: Path, reason: str, *, unsafe: bool = False) -> None:
        self.warnings.append(AnalysisWarning(_printable(path.relative_to(self.repo_dir).as_posix()), reason))
        if unsafe:
            self.unsafe.append(path)


def _kind(path: Path) -> str:
    file_type = _file_type(path)
    kinds = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket",
             stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFLNK: "a symlink"}
    return kinds.get(file_type, "not a regular file")


def _printable(text: str) -> str:
    """`text` with bytes that are not UTF-8 and control characters escaped (`\\xff`, `\\n`)."""
    text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in text)
