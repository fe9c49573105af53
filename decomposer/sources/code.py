"""The only module that calls grimp: Python files on disk -> modules and import edges.

grimp finds a package through `importlib.util.find_spec`, so the source root is put first on
`sys.path` for the duration of the scan, and a same-named module that is already imported
(decomposer analysing a copy of itself, or a repo package called like an installed one) is
hidden from `sys.modules` meanwhile. grimp's cache is written only to `cache_dir`, never to the
analysed repository (grimp's default is `.grimp_cache` in the working directory).

grimp walks the package folders itself and follows every symlink (a loop makes it walk
forever), opens every `*.py` entry (a FIFO blocks it) and panics on a file name that is not
UTF-8. So the files are listed first, without following symlinks, by
`package_files.find_module_files`; when it left out anything grimp would have read, grimp scans a
shadow tree in a temporary folder instead, made of symlinks: to each listed file in a folder
that holds something left out (or above one), to the whole folder elsewhere (few links: making
thousands of them costs seconds on a busy disk).

grimp also stops at the first file it cannot parse or decode. Then every listed file is parsed
here, and the scan is repeated on a shadow tree where each file that does not parse is an
empty module; each such file becomes a warning, and its imports are left out.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib
import io
import os
import re
import shutil
import sys
import tempfile
import tokenize
from collections.abc import Iterator
from pathlib import Path

import grimp
from grimp.exceptions import SourceSyntaxError

from decomposer.errors import ScanFailed
from decomposer.model import AnalysisWarning, CodeScan, ImportEdge, SourceModule
from decomposer.sources.package_files import ModuleFiles, find_module_files

__all__ = ["found_modules", "scan_code"]

_MAX_RETRIES = 25  # scans after the first; each finds one file Python's parser accepted
_SCAN_ERRORS = (SourceSyntaxError, UnicodeError, OSError)
_REPORT_IT = "please report it with the traceback that --debug shows"


def scan_code(
    repo_dir: Path,
    source_dir: Path,
    packages: tuple[str, ...],
    *,
    exclude_type_checking: bool = False,
    cache_dir: Path | None = None,
    found: ModuleFiles | None = None,
) -> CodeScan:
    """Scan the packages under `source_dir` with grimp.

    Args:
        repo_dir: the resolved repository; record paths are relative to it.
        source_dir: the resolved folder that holds the top-level packages.
        packages: top-level package names.
        exclude_type_checking: leave out imports under `if TYPE_CHECKING:`.
        cache_dir: where grimp may keep its cache; None for no cache.
        found: `find_module_files` of the same folders, when the caller has it already.

    Returns:
        Every module with a readable file, and every import statement between them.

    Raises:
        InvalidPath, PackageNotFound: see `find_module_files`.
        ScanFailed: grimp failed on a file decomposer could not single out.
    """
    found = find_module_files(repo_dir, source_dir, packages) if found is None else found
    broken: dict[Path, str] = {}
    graph = _build_graph(source_dir, packages, found, broken, exclude_type_checking, cache_dir)
    in_graph = graph.modules
    files = {module: file_path for module, file_path in found.files if module in in_graph}
    modules = tuple(_source_module(module, file_path, repo_dir) for module, file_path in files.items())
    warnings = found.warnings + tuple(
        AnalysisWarning(_relative(path, repo_dir), f"{reason}; its imports are left out")
        for path, reason in broken.items()
    )
    return CodeScan(modules, _import_edges(graph, files), tuple(sorted(warnings, key=lambda w: w.path)),
                    _cycle_breakers(graph, set(files)))


def found_modules(repo_dir: Path, found: ModuleFiles) -> tuple[SourceModule, ...]:
    """The modules `scan_code` gives for `found` when grimp's graph holds every file found (as
    it does unless a file breaks it): known before grimp scans anything."""
    return tuple(_source_module(module, file_path, repo_dir) for module, file_path in found.files)


def _build_graph(
    source_dir: Path,
    packages: tuple[str, ...],
    found: ModuleFiles,
    broken: dict[Path, str],
    exclude_type_checking: bool,
    cache_dir: Path | None,
) -> grimp.ImportGraph:
    grimp_cache = _grimp_cache(cache_dir / "grimp", source_dir, found) if cache_dir else None
    options = {"exclude_type_checking_imports": exclude_type_checking, "cache_dir": grimp_cache}
    if not found.unsafe:  # grimp walking the folders itself finds exactly the listed files
        try:
            return _grimp(source_dir, packages, source_dir, options)
        except _SCAN_ERRORS:
            broken.update(_unparsable_files(found))
    checked = not found.unsafe  # whether every file was parsed here already
    for _ in range(_MAX_RETRIES + 1):
        with tempfile.TemporaryDirectory(prefix="decomposer-") as shadow:
            shadow_dir = Path(shadow)
            _write_shadow_tree(source_dir, shadow_dir, found, broken)
            try:
                return _grimp(shadow_dir, packages, source_dir, options)
            except _SCAN_ERRORS as error:
                if not checked:
                    broken.update(_unparsable_files(found))
                    checked = True
                    continue
                culprit, reason = _culprit(error, shadow_dir, source_dir)
                if culprit in broken:
                    break
                broken[culprit] = reason
    raise ScanFailed(f"grimp kept failing on the files in {source_dir} after leaving out {len(broken)} "
                     f"of them; {_REPORT_IT}")


def _grimp(folder: Path, packages: tuple[str, ...], source_dir: Path, options: dict) -> grimp.ImportGraph:
    try:
        with _on_import_path(folder, packages):
            return grimp.build_graph(*packages, **options)
    except BaseException as error:
        # grimp's Rust core panics with pyo3's PanicException, which is no Exception subclass.
        if type(error).__name__ != "PanicException":
            raise
        # Ctrl-C or SIGTERM while grimp called back into Python: stop as they stop any step.
        if interrupted := _INTERRUPTED.search(str(error)):
            raise (KeyboardInterrupt() if interrupted.group(1) == "KeyboardInterrupt"
                   else SystemExit(int(interrupted.group(2) or 1))) from None
        if "kind: NotFound" in str(error):  # a file removed while grimp read the folders
            raise ScanFailed(f"a file of {source_dir} was removed while decomposer read it; run it again") from None
        raise ScanFailed(f"grimp crashed while scanning {source_dir} ({_first_line(error)}); "
                         f"{_REPORT_IT}") from None


_INTERRUPTED = re.compile(r"PyErr \{ type: <class '(KeyboardInterrupt|SystemExit)'>, value: \w+\((\d*)\)")


def _culprit(error: Exception, shadow_dir: Path, source_dir: Path) -> tuple[Path, str]:
    """The file grimp stopped at, and why; ScanFailed when its message names none."""
    if isinstance(error, SourceSyntaxError) and str(error.filename).startswith(f"{shadow_dir}{os.sep}"):
        return source_dir / Path(error.filename).relative_to(shadow_dir), (
            f"does not parse (line {error.lineno or '?'})")
    # grimp's Rust scanner says: "Failed to decode file <path> as UTF-8: ..."
    prefix = f"Failed to decode file {shadow_dir}{os.sep}"
    if isinstance(error, UnicodeError) and str(error).startswith(prefix):
        return source_dir / str(error)[len(prefix):].split(" as UTF-8", 1)[0], "is not UTF-8 text"
    if isinstance(error, FileNotFoundError):  # a file removed since it was listed (a checkout, a build)
        name = str(error.filename or source_dir)
        if name.startswith(f"{shadow_dir}{os.sep}"):
            name = str(source_dir / Path(name).relative_to(shadow_dir))
        raise ScanFailed(f"{name} was removed while decomposer read it; run it again") from None
    raise ScanFailed(f"grimp could not scan {source_dir} ({_first_line(error)}); {_REPORT_IT}") from None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


@contextlib.contextmanager
def _on_import_path(source_dir: Path, packages: tuple[str, ...]) -> Iterator[None]:
    hidden = {
        name: module
        for name, module in sys.modules.items()
        if name.split(".")[0] in packages
    }
    for name in hidden:
        del sys.modules[name]
    sys.path.insert(0, str(source_dir))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(source_dir))
        for name in [name for name in sys.modules if name.split(".")[0] in packages]:
            del sys.modules[name]
        sys.modules.update(hidden)
        importlib.invalidate_caches()


def _unparsable_files(found: ModuleFiles) -> dict[Path, str]:
    problems: dict[Path, str] = {}
    for _, file_path in found.files:
        try:
            reason = _parse_problem(file_path.read_bytes())
        except OSError as error:
            reason = f"cannot be read ({error.strerror})"
        if reason:
            problems[file_path] = reason
    return problems


def _parse_problem(data: bytes) -> str | None:
    if b"\0" in data:
        return "is a binary file, not Python source"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return "is not text in its declared encoding"
    try:
        ast.parse(text)
    except SyntaxError as error:
        return f"does not parse (line {error.lineno or '?'}: {error.msg})"
    except (ValueError, RecursionError, MemoryError):
        return "does not parse"
    return None


def _write_shadow_tree(source_dir: Path, shadow_dir: Path, found: ModuleFiles,
                       broken: dict[Path, str]) -> None:
    # A folder is rebuilt entry by entry when something below it is left out or replaced;
    # any other folder holds exactly what grimp would find there, so it is linked whole.
    rebuilt = {source_dir} | {folder for path in (*found.unsafe, *broken) for folder in path.parents
                              if folder.is_relative_to(source_dir)}
    for _, file_path in found.files:
        source = file_path
        while source.parent not in rebuilt:
            source = source.parent
        target = shadow_dir / source.relative_to(source_dir)
        if target.is_symlink():  # its folder is linked already
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source in broken:
            target.write_text("")
        else:
            target.symlink_to(source)


def _source_module(module: str, file_path: Path, repo_dir: Path) -> SourceModule:
    return SourceModule(
        module=module,
        path=_relative(file_path, repo_dir),
        loc=_count_loc(_read_or_empty(file_path)),
        is_package=file_path.name == "__init__.py",
    )


def _read_or_empty(file_path: Path) -> bytes:
    # A file that cannot be read is already a warning ("cannot be read"); it counts 0 lines.
    try:
        return file_path.read_bytes()
    except OSError:
        return b""


def _count_loc(data: bytes) -> int:
    """Lines that hold code: neither blank nor only a comment (docstrings count as code)."""
    if b"\0" in data:
        return 0
    text = data.decode("utf-8", errors="replace")
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


def _import_edges(graph: grimp.ImportGraph, files: dict[str, Path]) -> tuple[ImportEdge, ...]:
    edges = []
    for importer in sorted(files):
        reader = _StatementReader(importer, files[importer])
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported not in files or imported == importer:
                continue
            details = graph.get_import_details(importer=importer, imported=imported)
            lines = tuple(sorted({detail["line_number"] for detail in details}))
            names = set()
            for detail in details:
                names |= reader.names(detail["line_number"], detail["line_contents"], imported)
            edges.append(ImportEdge(importer, imported, lines, tuple(sorted(names))))
    return tuple(edges)


# One `import ...` or `from ... import ...` statement on its line, without parentheses,
# comments or `;`: what `ast` would read from it, read by a pattern (at 20,000 modules, 87,000
# parses took 2 s; on eight public monoliths 98% of the statements are of this form).
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
_SIMPLE_IMPORT = re.compile(rf"import[ \t]+{_DOTTED}(?:[ \t]+as[ \t]+{_NAME})?"
                            rf"(?:[ \t]*,[ \t]*{_DOTTED}(?:[ \t]+as[ \t]+{_NAME})?)*")
_SIMPLE_FROM = re.compile(rf"from[ \t]+(\.*)[ \t]*({_DOTTED})?[ \t]+import[ \t]+"
                          rf"((?:{_NAME}(?:[ \t]+as[ \t]+{_NAME})?)(?:[ \t]*,[ \t]*{_NAME}(?:[ \t]+as[ \t]+{_NAME})?)*"
                          rf"|\*)")


class _StatementReader:
    """Reads which names an import statement takes from a module (the file is read lazily)."""

    def __init__(self, importer: str, file_path: Path) -> None:
        self.file_path = file_path
        # A package's relative imports start from the package itself, a module's from its parent.
        self.package = importer if file_path.name == "__init__.py" else importer.rpartition(".")[0]
        self._lines: list[str] | None = None

    def names(self, line_number: int, line_contents: str, imported: str) -> set[str]:
        statement = line_contents.strip()
        if _SIMPLE_IMPORT.fullmatch(statement):  # `import a.b, c as d`: takes no names
            return set()
        simple = _SIMPLE_FROM.fullmatch(statement)
        if simple:  # `from a.b import c, d as e` on one line, nothing else: no parse needed
            level, module, names = simple.groups()
            node = ast.ImportFrom(module=module or None, level=len(level))
            return {alias.split()[0] for alias in names.split(",")} if self._absolute(node) == imported else set()
        if statement.count("(") > statement.count(")") or statement.endswith("\\"):
            statement = self._statement_from(line_number)
        try:
            tree = ast.parse(statement)
        except SyntaxError:
            return set()
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and self._absolute(node) == imported:
                found |= {alias.name for alias in node.names}
        return found

    def _absolute(self, node: ast.ImportFrom) -> str | None:
        if node.level == 0:
            return node.module
        parts = self.package.split(".")
        base = parts[: len(parts) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def _statement_from(self, line_number: int) -> str:
        if self._lines is None:
            self._lines = _read_or_empty(self.file_path).decode("utf-8", errors="replace").splitlines()
        collected = []
        for line in self._lines[line_number - 1: line_number + 50]:
            collected.append(line.strip().rstrip("\\"))
            text = " ".join(collected)
            if text.count("(") <= text.count(")") and not line.rstrip().endswith("\\"):
                break
        return " ".join(collected)


def _cycle_breakers(graph: grimp.ImportGraph, known: set[str]) -> tuple[tuple[str, str], ...]:
    """For every package, the imports grimp would cut to make its children acyclic."""
    packages = sorted({module.rsplit(".", 1)[0] for module in known if "." in module} & known)
    breakers: set[tuple[str, str]] = set()
    for package in packages:
        if len(graph.find_children(package)) > 1:
            breakers |= {pair for pair in graph.nominate_cycle_breakers(package)
                         if pair[0] in known and pair[1] in known}
    return tuple(sorted(breakers))


def _relative(path: Path, repo_dir: Path) -> str:
    return path.relative_to(repo_dir).as_posix()


def _grimp_cache(folder: Path, source_dir: Path, found: ModuleFiles) -> str:
    """grimp's cache folder for these packages with exactly these modules, the few most recently
    used kept. grimp keeps each file's imports resolved against the modules that existed when it
    read the file: after a module is added, an unchanged file that imports it would keep its old,
    edgeless record (an import edge lost; `--no-cache` finds it), so another set of modules gets
    another folder (one cold scan: 0.3-0.7 s on wagtail)."""
    hasher = hashlib.sha256(str(source_dir).encode())
    for module, _ in sorted(found.files):
        hasher.update(b"\0" + module.encode())
    chosen = folder / hasher.hexdigest()[:16]
    with contextlib.suppress(OSError):
        chosen.mkdir(parents=True, exist_ok=True)
        os.utime(chosen)  # most recently used
        kept = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
        for old in kept[_GRIMP_CACHES:]:
            shutil.rmtree(old, ignore_errors=True)
    return str(chosen)


_GRIMP_CACHES = 4  # module sets whose grimp cache is kept (a branch switched back and forth)