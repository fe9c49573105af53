"""The literature metrics on partitions small enough to compute by hand (docs/metrics.md)."""

from __future__ import annotations

import math

import pytest

from decomposer.model import LiteratureFigures
from decomposer.stages.literature import (
    adjusted_rand_index,
    business_context_purity,
    inter_call_percentage,
    interface_number,
    literature_figures,
    mojofm,
    non_extreme_distribution,
    structural_modularity,
    turbo_mq,
)

# X = {a, b}, Y = {c, d, e}: a chain a -> b -> c -> d -> e, and a calls itself three times.
GROUPS = {"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Y"}
CALLS = {("a", "b"): 1, ("b", "c"): 1, ("c", "d"): 1, ("d", "e"): 1, ("a", "a"): 3}
USE_CASES = {"a": ("u1",), "b": ("u1", "u2"), "c": ("u2",), "d": (), "e": ("u3",)}
REFERENCE = {"a": "1", "b": "2", "c": "2", "d": "2", "e": "3"}


def test_icp_weighs_each_call_pair_by_log_volume_plus_one_and_skips_self_calls():
    assert inter_call_percentage(GROUPS, CALLS) == 0.25  # b -> c of four pairs of weight 1
    heavier = CALLS | {("a", "b"): 10}
    assert inter_call_percentage(GROUPS, heavier) == pytest.approx(1 / (math.log(10) + 1 + 3))


def test_icp_leaves_out_nodes_outside_the_partition_such_as_root():
    assert inter_call_percentage(GROUPS, CALLS | {("Root", "a"): 50}) == 0.25


def test_sm_counts_a_self_call_except_for_the_last_class_of_its_group():
    # cohesion X = (a-b + a-a) / 2^2 = 0.5, Y = (c-d + d-e) / 3^2; coupling = 2 * 1 / (2 * 2 * 3) / 1
    assert structural_modularity(GROUPS, CALLS) == pytest.approx((0.5 + 2 / 9) / 2 - 1 / 6)
    last = {"b": "X", "a": "X", "c": "Y", "d": "Y", "e": "Y"}  # a is now listed last in X
    assert structural_modularity(last, CALLS) == pytest.approx((0.25 + 2 / 9) / 2 - 1 / 6)


def test_sm_of_one_group_is_its_cohesion():
    assert structural_modularity({"a": "X", "b": "X"}, {("a", "b"): 4}) == 0.25


def test_ifn_counts_class_pairs_joined_across_groups_per_group():
    assert interface_number(GROUPS, CALLS) == 0.5
    assert interface_number(GROUPS, CALLS | {("c", "b"): 2, ("e", "a"): 1}) == 1.0  # c-b is b-c again


def test_ned_is_the_share_of_classes_outside_groups_of_5_to_20():
    assert non_extreme_distribution(GROUPS) == 1.0
    assert non_extreme_distribution(GROUPS, (3, 20)) == 0.4


def test_bcp_is_the_mean_log_of_distinct_use_cases_with_unknown_for_none():
    # X: {u1, u2}; Y: {u2, Unknown, u3}
    assert business_context_purity(GROUPS, USE_CASES) == pytest.approx((math.log(2) + math.log(3)) / 2)
    assert business_context_purity({"a": "X"}, {"a": ("u1",)}) == 0.0


def test_turbo_mq_sums_2mu_over_2mu_plus_the_calls_in_and_out():
    # X: inside 1 + 3 (self), 1 out; Y: inside 2, 1 in
    assert turbo_mq(GROUPS, CALLS) == pytest.approx(8 / 9 + 4 / 5)
    assert turbo_mq({"a": "X", "b": "Y"}, {("a", "b"): 1}) == 0.0  # no group calls itself


def test_mojofm_by_hand():
    # X: tags 1 and 2 (one each), Y: tag 2 twice and 3 once -> moves 1 + 1; X-1 and Y-2 matched,
    # no join; worst case for B of sizes 1, 1, 3 is n - g = 5 - 2 = 3
    assert mojofm(GROUPS, REFERENCE) == pytest.approx((1 - 2 / 3) * 100)
    assert mojofm(REFERENCE, REFERENCE) == 100.0


def test_mojofm_counts_joins_when_two_clusters_share_their_best_tag():
    # A = {a}, {b}, {c}; B = {a, b, c}: no move, two joins; worst case 3 - 1
    assert mojofm({"a": "1", "b": "2", "c": "3"}, {"a": "x", "b": "x", "c": "x"}) == 0.0
    assert mojofm({"a": "1", "b": "1", "c": "2", "z": "9"}, {"a": "x", "b": "x", "c": "x"}) == 50.0


def test_ari_by_hand_and_on_identical_partitions():
    # contingency 1, 1, 2, 1 -> index 1; rows 1 + 3, columns 3; expected 12 / 10
    assert adjusted_rand_index(GROUPS, REFERENCE) == pytest.approx((1 - 1.2) / (3.5 - 1.2))
    assert adjusted_rand_index(GROUPS, {"a": "p", "b": "p", "c": "q", "d": "q", "e": "q"}) == 1.0


def test_literature_figures_rounds_to_three_places_as_the_papers_print():
    assert literature_figures(GROUPS, CALLS, USE_CASES, REFERENCE) == LiteratureFigures(
        groups=2, bcp=0.896, icp=0.25, sm=0.194, ifn=0.5, ned=1.0, turbo_mq=1.689, mojofm=33.333, ari=-0.087)
    assert literature_figures(GROUPS, CALLS).bcp is None
