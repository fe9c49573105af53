"""The results cache (sources.memo, pipeline.cached): same bytes as without it, a bad file is a miss."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from conftest import ROOT, commit_files, git, outputs_under_hash_seeds
from decomposer.cli import main
from decomposer.model import ImportEdge
from decomposer.sources.memo import digest, load_result, store_result


def test_digest_is_the_same_under_every_hash_seed():
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from decomposer.sources.memo import digest; "
            "print(digest(frozenset({'shop.a', 'shop.b', 'shop.c'}), {'x': frozenset({('a', 1), ('b', 2)})}))")
    assert len(outputs_under_hash_seeds(code)) == 1


def test_digest_tells_apart_what_differs_and_only_that():
    assert digest(("a", "b")) != digest(("ab",))
    assert digest((1,)) != digest(("1",)) != digest((1.0,))
    assert digest(True) != digest(1)
    assert digest({"a": 1, "b": 2}) != digest({"b": 2, "a": 1})  # order may change a result
    assert digest(frozenset({"a", "b"})) == digest(frozenset({"b", "a"}))
    assert digest(ImportEdge("a", "b", (1,))) != digest(ImportEdge("a", "b", (2,)))
    graph, reordered = nx.Graph([("a", "b"), ("b", "c")]), nx.Graph([("b", "c"), ("a", "b")])
    assert digest(graph) != digest(reordered)
    assert digest(graph) == digest(nx.Graph([("a", "b"), ("b", "c")]))
    with pytest.raises(TypeError, match="no stable digest for object"):
        digest(object())


def test_a_stored_value_is_read_back_and_a_bad_file_is_a_miss(tmp_path: Path):
    store_result(tmp_path, "kind", "k1", {"figure.png": b"\x89PNG"})
    assert load_result(tmp_path, "kind", "k1") == {"figure.png": b"\x89PNG"}
    assert load_result(tmp_path, "kind", "k2") is None
    assert load_result(None, "kind", "k1") is None
    stored = tmp_path / "results" / "kind" / "k1.pickle"
    whole = stored.read_bytes()
    for bad in (whole[:-3], b"", b"not a pickle", whole.replace(b"results-1", b"results-0")):
        stored.write_bytes(bad)
        assert load_result(tmp_path, "kind", "k1") is None
    stored.unlink()
    os.mkfifo(stored)  # a FIFO is never opened: reading it would block
    assert load_result(tmp_path, "kind", "k1") is None
    assert os.listdir(tmp_path / "results" / "kind") == ["k1.pickle"]  # no temporary file left


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path: Path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would be")
    store_result(blocker, "kind", "k1", 1)
    assert load_result(blocker, "kind", "k1") is None


def _analyze(repo: Path, out: Path, cache: Path | None) -> None:
    cache_args = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    result = CliRunner().invoke(main, ["analyze", str(repo), "--out", str(out), "--quiet", *cache_args])
    assert result.exit_code == 0, result.output


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def _kept(cache: Path) -> dict[str, int]:
    return {kind.name: len(list(kind.iterdir())) for kind in sorted((cache / "results").iterdir())}


def test_cached_runs_write_the_bytes_of_an_uncached_run(tmp_path: Path, sample_copy: Path):
    cache = tmp_path / "cache"
    _analyze(sample_copy, tmp_path / "slow", None)
    _analyze(sample_copy, tmp_path / "first", cache)
    assert _kept(cache) == {"consensus": 3, "figure": 6, "models": 1, "models-of-files": 1, "names": 1, "names-of-files": 1,
                            "proposal": 1, "reports": 1, "traits": 1, "traits-of-files": 1}
    _analyze(sample_copy, tmp_path / "warm", cache)
    slow = _files(tmp_path / "slow")
    assert len(slow) == 24
    assert _files(tmp_path / "first") == slow
    assert _files(tmp_path / "warm") == slow
    for stored in (cache / "results").rglob("*.pickle"):
        stored.write_bytes(stored.read_bytes()[:40])  # truncated: every one a miss
    _analyze(sample_copy, tmp_path / "damaged", cache)
    assert _files(tmp_path / "damaged") == slow


@pytest.mark.parametrize("drawn_by", ["the figure server", "workers that look the figures up"])
def test_a_commit_the_detection_does_not_see_keeps_the_proposal(tmp_path: Path, sample_copy: Path, drawn_by: str,
                                                               monkeypatch: pytest.MonkeyPatch):
    if drawn_by != "the figure server":  # as above 3,000 modules: the workers make the views and keys
        from decomposer.reports import writer
        monkeypatch.setattr(writer, "_SERVER_UP_TO", 0)
    cache = tmp_path / "cache"
    _analyze(sample_copy, tmp_path / "before", cache)
    commit_files(sample_copy, {"NOTES.txt": "no code changed\n"}, "notes", date="2025-06-01T12:00:00+00:00")
    _analyze(sample_copy, tmp_path / "notes", cache)
    # HEAD moved (the report names it, and recent churn moved with its date): new reports, the
    # same proposal, traits and models; of the six figures only brittleness was drawn again (its
    # scores moved with recent churn); the plan's benefits and reasons moved, not what its figure draws
    assert _kept(cache) == {"consensus": 3, "figure": 7, "models": 1, "models-of-files": 1, "names": 1, "names-of-files": 1,
                            "proposal": 1, "reports": 2, "traits": 1, "traits-of-files": 1}
    before, notes = _files(tmp_path / "before"), _files(tmp_path / "notes")
    assert notes["services.csv"] == before["services.csv"]
    assert notes["services.png"] == before["services.png"]
    assert notes["brittleness.png"] != before["brittleness.png"]
    assert notes["plan.png"] == before["plan.png"]
    assert notes["plan.md"] != before["plan.md"]
    module = sample_copy / "shop" / "catalog" / "pricing.py"
    module.write_text(module.read_text() + "\n\ndef added():\n    return 1\n")
    git(sample_copy, "commit", "--quiet", "-am", "code", date="2025-06-02T12:00:00+00:00")
    _analyze(sample_copy, tmp_path / "code", cache)
    # the module's lines changed: its record, the proposal (the services' sizes) and the plan; the
    # services and brittleness figures drawn again; the modules, co-change, plan and data figures
    # kept: none of what they draw moved (the values kept per file: one for the repository,
    # rewritten); the coupling graph the detection reads did not change, so the consensus under
    # each of the three seeds is read back
    assert _kept(cache) == {"consensus": 3, "figure": 9, "models": 2, "models-of-files": 1, "names": 2, "names-of-files": 1,
                            "proposal": 2, "reports": 3, "traits": 2, "traits-of-files": 1}
    _analyze(sample_copy, tmp_path / "slow", None)
    assert _files(tmp_path / "code") == _files(tmp_path / "slow")


def test_a_commit_that_moves_the_coupling_detects_again(tmp_path: Path, sample_copy: Path):
    cache = tmp_path / "cache"
    _analyze(sample_copy, tmp_path / "before", cache)
    module = sample_copy / "shop" / "catalog" / "search.py"
    module.write_text("import shop.shipping.carriers\n" + module.read_text())
    git(sample_copy, "commit", "--quiet", "-am", "search ships", date="2025-06-02T12:00:00+00:00")
    _analyze(sample_copy, tmp_path / "after", cache)
    assert _kept(cache)["consensus"] == 6  # a new import: a new graph, three new consensus runs
    _analyze(sample_copy, tmp_path / "slow", None)
    assert _files(tmp_path / "after") == _files(tmp_path / "slow")


def test_figures_drawn_by_the_forked_workers_are_those_drawn_here(sample_analysis):
    from decomposer.reports import figures
    from decomposer.reports.figure_worker import start_figure_files

    for names in (("plan",), ("services", "brittleness", "data")):
        here = figures.render_figures(figures.draw_figures(sample_analysis, names), ("png", "svg"))
        started = start_figure_files(sample_analysis, ("png", "svg"), names)
        drawn = started()
        assert list(drawn) == [f"{name}.{fmt}" for name in names for fmt in ("png", "svg")]
        assert drawn == here
    assert start_figure_files(sample_analysis, ("png",), ())() == {}


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_figure_server_draws_the_bytes_drawn_here_and_a_dead_one_is_replaced(sample_analysis):
    import signal

    from decomposer.reports import figures
    from decomposer.reports.figure_inputs import figure_view
    from decomposer.reports.figure_worker import FigureServer

    names = ("services", "brittleness", "plan")
    views = {name: figure_view(sample_analysis, name) for name in names}
    here = figures.render_figures(figures.draw_figures(sample_analysis, names), ("png", "svg"))
    server = FigureServer.start()
    pid = server.pid
    drawn = server.draw(views, ("png", "svg"))()
    assert list(drawn) == [f"{name}.{fmt}" for name in names for fmt in ("png", "svg")]
    assert drawn == here
    assert server.pid is None and _gone(pid)  # stopped and reaped once it answered
    killed = FigureServer.start()
    os.kill(killed.pid, signal.SIGKILL)
    assert killed.draw(views, ("png", "svg"))() == here  # drawn in this process instead
    unused = FigureServer.start()
    pid = unused.pid
    unused.close()
    unused.close()
    assert _gone(pid)


def test_the_figure_server_ends_when_its_parent_dies_though_a_later_child_lives(tmp_path: Path):
    # The stability reruns and other workers are forked after the server: they must not keep its
    # job pipe open, or a parent killed mid-run leaves the server waiting forever.
    import signal
    import subprocess
    import sys
    import time

    script = (
        f"import os, sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
        "from decomposer.reports.figure_worker import FigureServer\n"
        "server = FigureServer.start()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(server.pid, child, flush=True)\n"
        "os._exit(0)\n"  # dies without stopping the server
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    server, sleeper = map(int, process.stdout.readline().split())
    process.wait()
    process.stdout.close()
    try:
        deadline = time.monotonic() + 20
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(server)
        assert _alive(sleeper)
    finally:
        for pid in (server, sleeper):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie nobody reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_of_a_stopping_run_are_stopped_not_waited_for():
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    from decomposer.forks import shut

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    pool.submit(time.sleep, 60)
    time.sleep(0.5)
    workers = [process.pid for process in pool._processes.values()]
    start = time.monotonic()
    shut(pool, stopping=True)
    assert time.monotonic() - start < 10
    assert [pid for pid in workers if _alive(pid)] == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_worker_ends_when_the_run_that_forked_it_is_killed(tmp_path: Path):
    # SIGKILL (or the out-of-memory killer) leaves no finally block to stop the workers: the
    # worker must end by itself, not wait for ever on the pipes it holds.
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import time\n"
        "from decomposer.forks import forked\n"
        "pool, _ = forked(1, None, time.sleep, (60,))\n"
        "print(*(process.pid for process in pool._processes.values()), flush=True)\n"
        "time.sleep(60)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    worker = int(run.stdout.readline())
    assert _alive(worker)
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)


def test_a_figure_is_keyed_by_the_fields_it_draws_and_only_those(sample_analysis):
    from decomposer.reports.figure_inputs import figure_view

    def key(name: str, **changes) -> str:
        return digest(figure_view(dataclasses.replace(sample_analysis, **changes), name))

    plan, (first, *rest) = sample_analysis.plan, sample_analysis.plan.steps
    view = figure_view(sample_analysis, "plan").plan.steps[0]
    assert (view.order, view.kind, view.service, view.cost, view.sprint, view.sprints) == (
        first.order, first.kind, first.service, first.cost, first.sprint, first.sprints)
    assert (view.rationale, view.benefit, view.modules, view.outbound) == ("", 0.0, (), ())

    def steps(**changes) -> dict:
        return {"plan": dataclasses.replace(plan, steps=(dataclasses.replace(first, **changes), *rest))}

    same_plan = key("plan")
    assert key("plan", **steps(rationale="other words", benefit=first.benefit + 7.5, risk=())) == same_plan
    assert key("plan", plan=dataclasses.replace(plan, outbound_weight=plan.outbound_weight + 1)) == same_plan
    assert key("plan", **steps(cost=first.cost + 1)) != same_plan
    assert key("plan", **steps(service=first.service + "x")) != same_plan
    assert key("plan", **steps(sprints=first.sprints + 1)) != same_plan
    assert key("plan", plan=dataclasses.replace(plan, capacity=plan.capacity + 1)) != same_plan

    churn, top = sample_analysis.churn, sample_analysis.brittleness[0]
    same_brittleness = key("brittleness")
    recent = tuple(dataclasses.replace(entry, recent_commits=entry.recent_commits + 3, last_change=1) for entry in churn)
    reworded = (dataclasses.replace(top, reasons=("changed 3 times in the last 90 days",), hotspot="calm"),
                *sample_analysis.brittleness[1:])
    assert key("brittleness", churn=recent, brittleness=reworded) == same_brittleness
    more = (dataclasses.replace(churn[0], commits=churn[0].commits + 1), *churn[1:])
    assert key("brittleness", churn=more) != same_brittleness
    rescored = (dataclasses.replace(top, score=top.score / 2), *sample_analysis.brittleness[1:])
    assert key("brittleness", brittleness=rescored) != same_brittleness
    # the services figure draws no churn: kept whatever churn does
    assert key("services", churn=more) == key("services")
    # the module and co-change figures draw which module is in which service, the imports and
    # shared commits between them: not the lines of code, the import lines or the degrees
    records, imports, pairs = sample_analysis.modules, sample_analysis.imports, sample_analysis.cochange
    longer = (dataclasses.replace(records[0], loc=records[0].loc + 3), *records[1:])
    moved = (dataclasses.replace(imports[0], lines=tuple(line + 2 for line in imports[0].lines)), *imports[1:])
    services = sample_analysis.proposal.services
    resized = dataclasses.replace(sample_analysis.proposal, services=(
        dataclasses.replace(services[0], loc=services[0].loc + 3), *services[1:]))
    assert key("modules", modules=longer, imports=moved, proposal=resized) == key("modules")
    assert key("cochange", proposal=resized, cochange=(dataclasses.replace(pairs[0], degree=1.5), *pairs[1:])) == (
        key("cochange"))
    assert key("modules", modules=(dataclasses.replace(records[0], fan_in=records[0].fan_in + 1), *records[1:])) != (
        key("modules"))
    assert key("cochange", cochange=(dataclasses.replace(pairs[0], shared_commits=99), *pairs[1:])) != key("cochange")
    assert key("services", proposal=resized) != key("services")


def test_each_kind_keeps_its_newest_entries_only(tmp_path: Path):
    for index in range(40):
        store_result(tmp_path, "kind", f"k{index:02d}", index)
        os.utime(tmp_path / "results" / "kind" / f"k{index:02d}.pickle", (1_700_000_000 + index,) * 2)
    kept = sorted(path.name for path in (tmp_path / "results" / "kind").iterdir())
    assert kept == [f"k{index:02d}.pickle" for index in range(8, 40)]
    assert load_result(tmp_path, "kind", "k39") == 39


def test_a_value_read_is_kept_over_newer_unread_ones(tmp_path: Path):
    for index in range(32):
        store_result(tmp_path, "kind", f"k{index:02d}", index)
        os.utime(tmp_path / "results" / "kind" / f"k{index:02d}.pickle", (1_700_000_000 + index,) * 2)
    assert load_result(tmp_path, "kind", "k00") == 0  # read: the most recently used now
    store_result(tmp_path, "kind", "k32", 32)
    assert load_result(tmp_path, "kind", "k00") == 0
    assert load_result(tmp_path, "kind", "k01") is None


def test_other_formats_of_the_same_analysis_reuse_its_figures(tmp_path: Path, sample_copy: Path):
    cache = tmp_path / "cache"
    _analyze(sample_copy, tmp_path / "all", cache)
    result = CliRunner().invoke(main, ["analyze", str(sample_copy), "--out", str(tmp_path / "some"), "--quiet",
                                       "--cache-dir", str(cache), "--format", "png", "--format", "svg",
                                       "--format", "html", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert _kept(cache) == {"consensus": 3, "figure": 6, "models": 1, "models-of-files": 1, "names": 1, "names-of-files": 1,
                            "proposal": 1, "reports": 2, "traits": 1, "traits-of-files": 1}
    everything = _files(tmp_path / "all")
    some = _files(tmp_path / "some")
    assert sorted(some) == sorted(name for name in everything if name.endswith((".png", ".svg", ".html", ".json")))
    assert some == {name: everything[name] for name in some}


def test_each_figure_drawn_from_its_view_is_the_figure_of_the_whole_analysis(sample_analysis):
    from decomposer.reports import figures

    names = figures.supported_figures(sample_analysis)
    assert names == figures.FIGURES
    with figures.matplotlib.rc_context(figures._RC):  # as draw_figures draws
        whole = figures.render_figures({name: figures._DRAWERS[name](sample_analysis) for name in names}, ("svg",))
    assert figures.render_figures(figures.draw_figures(sample_analysis), ("svg",)) == whole


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_a_value_another_user_wrote_is_never_unpickled(tmp_path: Path):
    store_result(tmp_path, "kind", "k1", 1)
    stored = tmp_path / "results" / "kind" / "k1.pickle"
    os.chown(stored, 65534, 65534)  # nobody
    assert load_result(tmp_path, "kind", "k1") is None
