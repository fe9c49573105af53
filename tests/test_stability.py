"""Agreement between partitions, and the modules that move."""

from __future__ import annotations

import pytest

from decomposer.stages.stability import adjusted_rand_index, measure_stability


def test_adjusted_rand_index_known_values():
    first = {"1": "a", "2": "a", "3": "b", "4": "b"}
    assert adjusted_rand_index(first, {"1": "x", "2": "x", "3": "y", "4": "y"}) == 1.0
    assert adjusted_rand_index(first, {"1": "x", "2": "y", "3": "x", "4": "y"}) == pytest.approx(-0.5)
    # One item moved: index 1, expected 2 * 3 / 6 = 1, maximum 2.5, so (1 - 1) / (2.5 - 1) = 0
    assert adjusted_rand_index(first, {"1": "x", "2": "x", "3": "x", "4": "y"}) == pytest.approx(0.0)


def test_moving_modules_are_counted_per_run():
    reference = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "b3": "B"}
    same = {"a1": "0", "a2": "0", "a3": "0", "b1": "1", "b2": "1", "b3": "1"}
    one_moved = {"a1": "0", "a2": "0", "a3": "1", "b1": "1", "b2": "1", "b3": "1"}
    stability = measure_stability(reference, [(7, same), (8, one_moved)])
    assert stability.seeds == (7, 8)
    assert stability.moving == (("a3", 1),)
    assert stability.min_ari == round(adjusted_rand_index(reference, one_moved), 4)
    assert stability.mean_ari == round((1.0 + adjusted_rand_index(reference, one_moved)) / 2, 4)
