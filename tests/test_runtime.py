"""stages/runtime.py and the runtime signal of the coupling graph, on tiny literal traces."""

from __future__ import annotations

import math

from decomposer.model import BrittleModule, Plan, PlanStep, RuntimeCall, RuntimeTrace, UseCase
from decomposer.stages.coupling import build_coupling_graph
from decomposer.stages.runtime import (
    annotate_plan,
    business_context_purity,
    crossing_runtime_share,
    runtime_pairs,
    runtime_reasons,
)

TRACE = RuntimeTrace(
    sources=("t.json",), heads=(),
    use_cases=(UseCase("(outside tests)", ("o.a",)), UseCase("checkout", ("o.a", "o.b", "p.c")),
               UseCase("refund", ("p.c", "p.d")), UseCase("report", ("r.e",))),
    calls=(RuntimeCall("o.a", "o.b", 9, (("checkout", 9),)), RuntimeCall("o.b", "p.c", 1, (("checkout", 1),)),
           RuntimeCall("p.c", "o.b", 2, (("refund", 2),)), RuntimeCall("p.d", "p.c", 4, (("refund", 4),))),
    executed=("o.a", "o.b", "p.c", "p.d", "r.e"),
)
GROUPS = {"o.a": "orders", "o.b": "orders", "p.c": "payments", "p.d": "payments", "r.e": "reporting"}


def test_bcp_is_mono2micros_mean_entropy_of_use_cases_per_group():
    # orders: checkout (ln 1); payments: checkout, refund (ln 2); reporting: report (ln 1).
    assert business_context_purity(GROUPS, TRACE) == math.log(2) / 3
    # One group: four use cases; a module that ran in none counts as the use case "Unknown".
    assert business_context_purity({**{module: "all" for module in GROUPS}, "x.f": "all"}, TRACE) == math.log(4)


def test_crossing_share_counts_calls_between_groups():
    assert crossing_runtime_share(GROUPS, TRACE) == 3 / 16
    assert crossing_runtime_share({module: module for module in GROUPS}, TRACE) == 1.0


def test_pairs_are_unordered_and_log_scaled():
    assert runtime_pairs(TRACE) == {("o.a", "o.b"): math.log(9) + 1, ("o.b", "p.c"): math.log(3) + 1,
                                    ("p.c", "p.d"): math.log(4) + 1}


def test_runtime_weighs_in_the_coupling_graph_only_when_asked():
    pairs = runtime_pairs(TRACE)
    modules = tuple(sorted(GROUPS))
    assert build_coupling_graph(modules, (), (), runtime=pairs).number_of_edges() == 0  # default weight 0
    graph = build_coupling_graph(modules, (), (), runtime=pairs, runtime_weight=1.0)
    mean = sum(pairs.values()) / 3
    assert round(graph["o.a"]["o.b"]["weight"], 6) == round((math.log(9) + 1) / mean, 6)
    assert graph["p.c"]["p.d"]["runtime"] == math.log(4) + 1


def test_use_cases_leave_out_calls_outside_tests():
    assert TRACE.use_cases_by_module() == {"o.a": ("checkout",), "o.b": ("checkout",), "p.c": ("checkout", "refund"),
                                          "p.d": ("refund",), "r.e": ("report",)}


def test_plan_steps_get_their_boundary_calls_and_shared_use_cases():
    step = PlanStep(1, "extract", "payments", ("p.c", "p.d"), 5, 10.0, (), (), (), (), (), "", 1, 1)
    plan = annotate_plan(Plan(30, (step,), (), 0, 0), TRACE)
    assert (plan.steps[0].runtime_calls, plan.steps[0].runtime_use_cases) == (3, ("checkout",))


def test_a_module_called_from_another_service_gets_a_reason():
    entry = BrittleModule("p.c", 0.5, 0.1, 0, (), 0, 0, 0, 0, 0, 0, 0.4, 1, "calm", ("changed often",))
    ranked = runtime_reasons((entry,), TRACE, GROUPS)
    assert ranked[0].reasons == ("changed often",
                                 "called across 2 services at runtime (1 recorded call from orders)")
