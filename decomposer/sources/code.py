"""The only module that calls grimp: Python files on disk -> modules and import edges.

grimp finds a package through `importlib.util.find_spec`, so the source root is put first on
`sys.path` for the duration of the scan, and a same-named module that is already imported
(decomposer analysing a copy of itself, or a repo package called like an installed one) is
hidden from `sys.modules` meanwhile. grimp's cache is written only to `cache_dir`, never to the
analysed repository (grimp's default is `.grimp_cache` in the working directory).

grimp stops at the first file it cannot parse or decode. When that happens the scan is
repeated on a shadow tree of symlinks in a temporary folder, where every file that does not
parse is an empty module; each such file becomes a warning, and its imports are left out.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib
import io
import os
import sys
import tempfile
import tokenize
from collections.abc import Iterator
from pathlib import Path

import grimp
from grimp.exceptions import SourceSyntaxError

from decomposer.model import AnalysisWarning, CodeScan, ImportEdge, SourceModule

__all__ = ["scan_code"]

_MAX_RETRIES = 25  # scans after the first; each finds one file Python's parser accepted


def scan_code(
    repo_dir: Path,
    source_dir: Path,
    packages: tuple[str, ...],
    *,
    exclude_type_checking: bool = False,
    cache_dir: Path | None = None,
) -> CodeScan:
    """Scan the packages under `source_dir` with grimp.

    Args:
        repo_dir: the repository; record paths are relative to it.
        source_dir: the folder that holds the top-level packages.
        packages: top-level package names.
        exclude_type_checking: leave out imports under `if TYPE_CHECKING:`.
        cache_dir: where grimp may keep its cache; None for no cache.

    Returns:
        Every module with a file, and every import statement between them.
    """
    broken: dict[Path, str] = {}
    graph = _build_graph(source_dir, packages, broken, exclude_type_checking, cache_dir)
    files = dict(_module_files(graph, source_dir))
    modules = tuple(_source_module(module, file_path, repo_dir) for module, file_path in files.items())
    known = {record.module for record in modules}
    warnings = tuple(
        AnalysisWarning(_relative(path, repo_dir), f"{reason}; its imports are left out")
        for path, reason in sorted(broken.items())
    )
    return CodeScan(modules, _import_edges(graph, files), warnings, _cycle_breakers(graph, known))


def _build_graph(
    source_dir: Path,
    packages: tuple[str, ...],
    broken: dict[Path, str],
    exclude_type_checking: bool,
    cache_dir: Path | None,
) -> grimp.ImportGraph:
    grimp_cache = str(cache_dir / "grimp" / _key(source_dir)) if cache_dir else None
    try:
        with _on_import_path(source_dir, packages):
            return grimp.build_graph(
                *packages, exclude_type_checking_imports=exclude_type_checking, cache_dir=grimp_cache
            )
    except (SourceSyntaxError, UnicodeError, OSError):
        pass
    broken.update(_unparsable_files(source_dir, packages))
    for _ in range(_MAX_RETRIES + 1):
        with tempfile.TemporaryDirectory(prefix="decomposer-") as shadow:
            shadow_dir = Path(shadow)
            _write_shadow_tree(source_dir, shadow_dir, packages, set(broken))
            try:
                with _on_import_path(shadow_dir, packages):
                    return grimp.build_graph(
                        *packages, exclude_type_checking_imports=exclude_type_checking, cache_dir=None
                    )
            except SourceSyntaxError as error:
                culprit = source_dir / Path(error.filename).relative_to(shadow_dir)
                broken[culprit] = f"does not parse (line {error.lineno or '?'})"
            except UnicodeError as error:
                culprit = _culprit_from_message(str(error), shadow_dir, source_dir)
                if culprit is None:
                    raise
                broken[culprit] = "is not UTF-8 text"
    raise RuntimeError(f"grimp kept failing after leaving out {len(broken)} files")


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


def _unparsable_files(source_dir: Path, packages: tuple[str, ...]) -> dict[Path, str]:
    found: dict[Path, str] = {}
    for file_path in _python_files(source_dir, packages):
        try:
            reason = _parse_problem(file_path.read_bytes())
        except OSError as error:
            reason = f"cannot be read ({error.strerror})"
        if reason:
            found[file_path] = reason
    return found


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


def _python_files(source_dir: Path, packages: tuple[str, ...]) -> Iterator[Path]:
    for package in packages:
        for dir_path, dir_names, file_names in os.walk(source_dir / package):
            dir_names[:] = sorted(name for name in dir_names if name.isidentifier())
            for name in sorted(file_names):
                if name.endswith(".py") and not name.startswith("."):
                    yield Path(dir_path) / name


def _write_shadow_tree(
    source_dir: Path, shadow_dir: Path, packages: tuple[str, ...], broken: set[Path]
) -> None:
    for file_path in _python_files(source_dir, packages):
        target = shadow_dir / file_path.relative_to(source_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        if file_path in broken or not file_path.is_file():
            target.write_text("")
        else:
            target.symlink_to(file_path)


def _culprit_from_message(message: str, shadow_dir: Path, source_dir: Path) -> Path | None:
    # grimp's Rust scanner says: "Failed to decode file <path> as UTF-8: ..."
    prefix = f"Failed to decode file {shadow_dir}{os.sep}"
    if not message.startswith(prefix):
        return None
    relative = message[len(prefix):].split(" as UTF-8", 1)[0]
    return source_dir / relative


def _module_files(graph: grimp.ImportGraph, source_dir: Path) -> Iterator[tuple[str, Path]]:
    # Namespace packages are modules to grimp but have no file; they are left out.
    for module in sorted(graph.modules):
        base = source_dir.joinpath(*module.split("."))
        if (base / "__init__.py").is_file():
            yield module, base / "__init__.py"
        elif base.with_suffix(".py").is_file():
            yield module, base.with_suffix(".py")


def _source_module(module: str, file_path: Path, repo_dir: Path) -> SourceModule:
    return SourceModule(
        module=module,
        path=_relative(file_path, repo_dir),
        loc=_count_loc(file_path.read_bytes()),
        is_package=file_path.name == "__init__.py",
    )


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


class _StatementReader:
    """Reads which names an import statement takes from a module (the file is read lazily)."""

    def __init__(self, importer: str, file_path: Path) -> None:
        self.file_path = file_path
        # A package's relative imports start from the package itself, a module's from its parent.
        self.package = importer if file_path.name == "__init__.py" else importer.rpartition(".")[0]
        self._lines: list[str] | None = None

    def names(self, line_number: int, line_contents: str, imported: str) -> set[str]:
        statement = line_contents.strip()
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
            self._lines = self.file_path.read_text(encoding="utf-8", errors="replace").splitlines()
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


def _key(source_dir: Path) -> str:
    return hashlib.sha256(str(source_dir).encode()).hexdigest()[:16]
