"""pytest plugin: record the runtime coupling of the analysed packages while the suite runs.

    pytest -p decomposer.trace [--decomposer-trace FILE] [--decomposer-packages shop,billing]

Each test file is a use case (`tests/test_checkout.py`), unless the test carries
`@pytest.mark.use_case("checkout")`; a function-scoped fixture belongs to its test. Calls made
while no test runs (imports, collection) and in the setup and teardown of fixtures shared by
several tests (class, module, package or session scope) are "(outside tests)", which is no use
case: otherwise they would go to whichever test happens to run first or last. Packages default
to those decomposer discovers from pytest's rootdir; the trace goes to FILE, or to decomposer's
cache folder, never inside the git repository around the rootdir, and its path is printed at the
end. Only this process records: under pytest-xdist (-n) the workers' calls are not recorded. Feed it to `decomposer analyze PATH --traces FILE` (docs/concepts.md,
"Runtime coupling").
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from decomposer.errors import DecomposerError
from decomposer.pipeline.tracing import TraceSession
from decomposer.sources.tracer import OUTSIDE_TESTS

__all__: list[str] = []  # pytest hooks only

_SESSION = pytest.StashKey[TraceSession]()
_SUMMARY = pytest.StashKey[str]()
_PRINTED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("decomposer", "decomposer trace (runtime coupling)")
    group.addoption("--decomposer-trace", metavar="FILE", type=Path, default=None,
                    help="Write the trace here (default: decomposer's cache folder; never inside the repository).")
    group.addoption("--decomposer-packages", metavar="PKG,...", default="",
                    help="Packages whose modules are traced (default: those decomposer discovers from the rootdir).")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "use_case(name): the use case decomposer trace records this test under "
                                       "(default: its file)")
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the plugin records in one process only
        return
    packages = tuple(name.strip() for name in config.getoption("decomposer_packages").split(",") if name.strip())
    try:
        session = TraceSession(config.rootpath, config.getoption("decomposer_trace"), packages, "--decomposer-trace",
                               "--decomposer-packages")
        session.start()
    except DecomposerError as error:
        raise pytest.UsageError(f"decomposer trace: {error}") from None
    config.stash[_SESSION] = session
    if getattr(config.option, "numprocesses", None) or getattr(config.option, "dist", "no") != "no":
        print("decomposer trace: warning: pytest-xdist runs the tests in worker processes, which are not traced: "
              "run without -n/--dist to record them", file=sys.stderr)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest):  # noqa: ANN201
    """A fixture shared by several tests sets up and tears down "(outside tests)"; a
    function-scoped one under its test's use case (its teardown too)."""
    session = request.config.stash.get(_SESSION, None)
    if session is None:
        yield
        return
    recorder = session.recorder
    before = recorder.use_case
    use_case = before if fixturedef.scope == "function" else OUTSIDE_TESTS
    recorder.use_case = use_case
    try:
        yield
    finally:
        recorder.use_case = before
        # Runs first among the fixture's finalizers (they run last added, first), so its teardown too.
        fixturedef.addfinalizer(lambda: setattr(recorder, "use_case", use_case))


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
        if session.exitstatus == pytest.ExitCode.OK:  # the run's point was the trace: not a success
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # noqa: ANN001 - pytest's reporter
    summary = config.stash.get(_SUMMARY, None)
    if summary:
        terminalreporter.write_line(summary)
        config.stash[_PRINTED] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    """After pytest.exit() or an interrupted run the terminal summary is skipped: say it here."""
    summary = config.stash.get(_SUMMARY, None)
    if summary and not config.stash.get(_PRINTED, False):
        print(summary, file=sys.stderr)
