"""The terminal summary's judgement lines."""

from __future__ import annotations

from decomposer.model import QualityFigures
from decomposer.reports.summary import _layout_hint, summary_lines


def _figures(icp: float, cohesion: float | None, largest: float) -> QualityFigures:
    return QualityFigures(5, 0.3, 0.05, icp, 4.0, 0.5, cohesion, largest)


def test_a_layout_that_wins_is_called_out():
    assert _layout_hint(_figures(0.5, 0.7, 0.13), _figures(0.45, 1.0, 0.4)) == [
        "  Note: the package layout (its largest package holds 40% of the modules) beats this proposal "
        "on ICP and co-change cohesion; read the proposal as where to split further, or try "
        "--granularity package or --services N."]


def test_no_note_when_the_proposal_wins_either_figure():
    assert _layout_hint(_figures(0.4, 0.7, 0.2), _figures(0.45, 1.0, 0.2)) == []
    assert _layout_hint(_figures(0.5, 0.9, 0.2), _figures(0.45, 0.8, 0.2)) == []


def test_borderline_modules_are_named():
    from decomposer.model import Analysis, Detection, Layout, Proposal, Repository, Service, Stability
    from decomposer.reports.summary import summary_lines

    quality = _figures(0.4, None, 0.5)
    proposal = Proposal(Detection(), 1.0, (Service("a", "service", ("m1", "m2"), 10, (("pkg", 2),)),),
                        (("proposed", quality), ("package_layout", quality), ("random", quality)),
                        Stability((1042,), 0.5, 0.5, (("m2", 1), ("m1", 1))), (("m1", 0.5), ("m2", 0.9)))
    analysis = Analysis(Repository("/repo", None, Layout(".", ("pkg",), "1 package (pkg)")), (), (), (), (), 2, (),
                        proposal=proposal)
    lines = summary_lines(analysis)
    assert "  Moves under another seed: m2, m1" in lines
    assert "  Borderline (with their service in under 80% of the consensus runs): m1" in lines


def test_the_summary_tells_the_data_story(sample_repo):
    from decomposer.config import Settings
    from decomposer.pipeline import analyze
    lines = summary_lines(analyze(Settings(repo_path=sample_repo)))
    start = next(index for index, line in enumerate(lines) if line.startswith("Data:"))
    assert lines[start:start + 2] == [
        "Data:       9 tables; 14 of 33 data links cross services (2 relations no import shows); "
        "data_links.csv lists each",
        "  Models modules split between services: shop.orders.models",
    ]


def test_fewer_services_than_asked_for_are_explained():
    from decomposer.model import Detection, Proposal, Service
    from decomposer.reports.summary import _count_lines

    services = (Service("a", "service", ("m1",), 10, (("pkg", 1),)), Service("shared", "kernel", ("k",), 5, ()))
    proposal = Proposal(Detection(target_services=3), 1.0, services, (), None)
    assert _count_lines(proposal) == [
        "  Note: --services asked for 3; 1 is proposed, since no consensus run separates the largest any further"]
    assert _count_lines(Proposal(Detection(target_services=1), 1.0, services, (), None)) == []
