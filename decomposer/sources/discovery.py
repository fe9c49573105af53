"""Find the Python packages to analyse in a repository, and say why they were chosen.

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
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from decomposer.errors import InvalidPath, PackageNotFound
from decomposer.model import Layout

__all__ = ["IGNORED_DIRS", "check_repo_path", "discover_layout", "file_type", "is_package", "python_file_count",
           "python_files"]

IGNORED_DIRS = frozenset(
    {
        "test", "tests", "testing", "docs", "doc", "example", "examples", "script", "scripts",
        "benchmark", "benchmarks", "build", "dist", "site-packages", "node_modules",
        "venv", "env", "virtualenv", "__pycache__",
    }
)


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
        if all(is_package(root / name) for name in packages):
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
            if child.name in IGNORED_DIRS and is_package(child)
        )
        note = f"; left out: {', '.join(left_out)}" if left_out else ""
        return Layout(".", found, f"{_count(found)} at the repository root{note}")
    candidates = [(python_file_count(child), child) for child in _child_dirs(repo_dir)]
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
    linked = [path for path in children if path.is_symlink() and is_package(Path(os.path.realpath(path)))]
    if linked:
        return _symlinked_package(linked[0])
    python_files = python_file_count(repo_dir)
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
    return tuple(sorted(child.name for child in _child_dirs(root) if is_package(child)))


def is_package(folder: Path) -> bool:
    """A real folder holding a real __init__.py (neither reached through a symlink)."""
    # lstat: a symlinked folder or __init__.py is no package (symlinks are never followed).
    return file_type(folder) == stat.S_IFDIR and file_type(folder / "__init__.py") == stat.S_IFREG


def file_type(path: Path) -> int | None:
    """The kind of `path` itself (stat.S_IFDIR, S_IFREG, S_IFLNK, ...), symlinks not followed; None if gone."""
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


def python_file_count(folder: Path, *, skip_ignored: bool = True) -> int:
    """The .py files below `folder`, symlinked folders not followed."""
    return len(python_files(folder, skip_ignored=skip_ignored))


def python_files(folder: Path, *, skip_ignored: bool = True) -> list[Path]:
    """The .py files below `folder` (in no set order), symlinked folders not followed."""
    # A stack, not os.walk: that recurses once per level before Python 3.12 (a hostile tree
    # can be deeper than the recursion limit). Symlinks to folders are not followed.
    found, stack = [], [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            if not _is_folder(entry):
                if entry.name.endswith(".py"):
                    found.append(Path(entry.path))
            elif not entry.is_symlink() and not entry.name.startswith(".") and not (skip_ignored and (
                    entry.name in IGNORED_DIRS or os.path.exists(os.path.join(entry.path, "pyvenv.cfg")))):
                stack.append(Path(entry.path))
    return found


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
