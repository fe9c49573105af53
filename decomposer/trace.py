"""pytest plugin: record the runtime coupling of the analysed packages while the suite runs.

    pytest -p decomposer.trace [--decomposer-trace FILE] [--decomposer-packages shop,billing]

Each test file is a use case (`tests/test_checkout.py`), unless the test carries
`@pytest.mark.use_case("checkout")`; calls made while no test runs (imports, collection) are the
use case "(outside tests)". Packages default to those decomposer discovers from pytest's rootdir;
the trace goes to FILE, or to decomposer's cache folder, never inside the rootdir, and its path is
printed at the end. Feed it to `decomposer analyze PATH --traces FILE` (docs/concepts.md,
"Runtime coupling").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from decomposer.errors import DecomposerError
from decomposer.pipeline.tracing import TraceSession
from decomposer.sources.tracer import OUTSIDE_TESTS

__all__: list[str] = []  # pytest hooks only

_SESSION = pytest.StashKey[TraceSession]()
_SUMMARY = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("decomposer", "decomposer trace (runtime coupling)")
    group.addoption("--decomposer-trace", metavar="FILE", type=Path, default=None,
                    help="Write the trace here (default: decomposer's cache folder; never inside the rootdir).")
    group.addoption("--decomposer-packages", metavar="PKG,...", default="",
                    help="Packages whose modules are traced (default: those decomposer discovers from the rootdir).")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "use_case(name): the use case decomposer trace records this test under "
                                       "(default: its file)")
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the plugin records in one process only
        return
    packages = tuple(name.strip() for name in config.getoption("decomposer_packages").split(",") if name.strip())
    try:
        session = TraceSession(config.rootpath, config.getoption("decomposer_trace"), packages, "--decomposer-trace")
        session.start()
    except DecomposerError as error:
        raise pytest.UsageError(f"decomposer trace: {error}") from None
    config.stash[_SESSION] = session


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # noqa: ANN201 - a hook wrapper
    session = item.config.stash.get(_SESSION, None)
    if session is None:
        yield
        return
    recorder = session.recorder
    marker = item.get_closest_marker("use_case")
    recorder.use_case = str(marker.args[0]) if marker and marker.args else item.nodeid.split("::")[0]
    try:
        yield
    finally:
        recorder.use_case = OUTSIDE_TESTS


def pytest_sessionfinish(session: pytest.Session) -> None:
    trace = session.config.stash.get(_SESSION, None)
    if trace is None:
        return
    trace.recorder.stop()
    try:
        session.config.stash[_SUMMARY] = trace.write()
    except DecomposerError as error:
        session.config.stash[_SUMMARY] = f"decomposer trace: {error}"


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # noqa: ANN001 - pytest's reporter
    summary = config.stash.get(_SUMMARY, None)
    if summary:
        terminalreporter.write_line(summary)
