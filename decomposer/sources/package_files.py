"""The module files of the analysed packages: listed safely before grimp reads them.

grimp walks the package folders itself and follows every symlink (a loop makes it walk
forever), opens every `*.py` entry (a FIFO blocks it) and panics on a file name that is not
UTF-8. So the files are listed here first, with `os.scandir`, never following a symlink and
never opening a file; every entry left out is a warning (docs/concepts.md, "Files that cannot
be read, and hostile input"). `sources.code` then lets grimp scan the real tree when nothing it
would read was left out, and a shadow tree of what is safe otherwise.

What is read inside a package is decided before any file is opened,
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
from decomposer.model import AnalysisWarning
from decomposer.sources.discovery import file_type, is_package, python_files

__all__ = ["ModuleFiles", "find_module_files"]

_MAX_DEPTH = 100  # package levels below a top-level package


@dataclass(frozen=True, slots=True)
class ModuleFiles:
    """The module files of the analysed packages that are safe to read, and what was left out."""

    files: tuple[tuple[str, Path], ...]  # (module, regular file), sorted by module
    warnings: tuple[AnalysisWarning, ...]  # one per entry left out, sorted by path
    # entries left out that grimp's own walk would read (it follows symlinks and opens every
    # *.py entry), sorted; where there are none, grimp walking the folders finds exactly `files`
    unsafe: tuple[Path, ...]
    # each folder left out for want of an __init__.py: its warning's path and the modules its .py
    # files would be (so that a folder whose modules would all be excluded anyway need not be said)
    hidden: tuple[tuple[str, tuple[str, ...]], ...] = ()


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
        if not is_package(source_dir / package):
            raise PackageNotFound(
                f"{source_dir / package} is not a package (a folder, not a symlink, with an "
                "__init__.py file); check --package and source_root"
            )
        walk.package(source_dir / package, package)
    return ModuleFiles(tuple(sorted(walk.files)), tuple(sorted(walk.warnings, key=lambda w: w.path)),
                       tuple(sorted(walk.unsafe)), tuple(sorted(walk.hidden)))


class _PackageWalk:
    """Walks package folders without following symlinks, collecting files and warnings."""

    def __init__(self, repo_dir: Path) -> None:
        self.repo_dir = repo_dir
        self.files: list[tuple[str, Path]] = []
        self.warnings: list[AnalysisWarning] = []
        self.unsafe: list[Path] = []
        self.hidden: list[tuple[str, tuple[str, ...]]] = []

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
        inside = python_files(folder, skip_ignored=False)
        count = len(inside)
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
            self.hidden.append((self.warnings[-1].path, tuple(sorted(
                ".".join((module, *path.relative_to(folder).with_suffix("").parts)) for path in inside))))
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
    found = file_type(path)
    kinds = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket",
             stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFLNK: "a symlink"}
    return kinds.get(found, "not a regular file")


def _printable(text: str) -> str:
    """`text` with bytes that are not UTF-8 and control characters escaped (`\\xff`, `\\n`)."""
    text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in text)
