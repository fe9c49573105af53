"""stages/runtime.py and the runtime signal of the coupling graph, on tiny literal traces."""

from __future__ import annotations

import math

from decomposer.model import KERNEL, BrittleModule, Plan, PlanStep, RuntimeCall, RuntimeTrace, UseCase
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
    # One group: three use cases; a module that ran in no use case is left out (no "Unknown").
    assert business_context_purity({**{module: "all" for module in GROUPS}, "x.f": "all"}, TRACE) == math.log(3)


def test_bcp_leaves_out_groups_where_nothing_ran_and_is_none_when_nothing_did():
    # An "idle" group of never-run modules no longer scores a perfect 0 that lowers the mean.
    assert business_context_purity({**GROUPS, "x.f": "idle", "x.g": "idle"}, TRACE) == math.log(2) / 3
    # "(outside tests)" is no use case: o.a alone ran there too, but in checkout as well.
    empty = RuntimeTrace(("t.json",), (), (UseCase("(outside tests)", ("o.a",)),), (), ("o.a",))
    assert business_context_purity(GROUPS, empty) is None


def test_crossing_share_counts_calls_between_groups():
    assert crossing_runtime_share(GROUPS, TRACE) == 3 / 16
    assert crossing_runtime_share({module: module for module in GROUPS}, TRACE) == 1.0


def test_calls_into_the_kernel_are_no_crossing_in_any_column():
    # o.b <-> p.c (3 calls) crossed; with payments the kernel they are library calls.
    assert crossing_runtime_share({**GROUPS, "p.c": KERNEL, "p.d": KERNEL}, TRACE) == 0.0
    # The layout column leaves out the same modules: the proposed kernel's.
    assert crossing_runtime_share({module: module for module in GROUPS}, TRACE, frozenset({"p.c"})) == 9 / 16


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


def test_a_steps_calls_into_the_kernel_are_library_calls():
    kernel = PlanStep(1, "library", KERNEL, ("p.c",), 1, 1.0, (), (), (), (), (), "", 1, 1)
    orders = PlanStep(2, "extract", "orders", ("o.a", "o.b"), 5, 10.0, (), (), (), (), (), "", 1, 1)
    plan = annotate_plan(Plan(30, (kernel, orders), (), 0, 0), TRACE)
    # The library's own step counts its calls (o.b -> p.c, p.c -> o.b, p.d -> p.c); orders' boundary
    # is crossed only by those, all library calls.
    assert [step.runtime_calls for step in plan.steps] == [7, 0]


def test_a_module_called_from_another_service_gets_a_reason():
    entry = BrittleModule("p.c", 0.5, 0.1, 0, (), 0, 0, 0, 0, 0, 0, 0.4, 1, "calm", ("changed often",))
    ranked = runtime_reasons((entry,), TRACE, GROUPS)
    assert ranked[0].reasons == ("changed often",
                                 "called across 2 services at runtime (1 recorded call from orders)")


def test_a_kernel_module_is_called_across_its_callers_services_only():
    entry = BrittleModule("p.c", 0.5, 0.1, 0, (), 0, 0, 0, 0, 0, 0, 0.4, 1, "calm", ())
    ranked = runtime_reasons((entry,), TRACE, {**GROUPS, "p.c": KERNEL})
    # orders and payments call it; the kernel itself is no service (it was counted: 3).
    assert ranked[0].reasons == ("called across 2 services at runtime (5 recorded calls from orders, payments)",)
